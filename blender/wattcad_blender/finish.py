"""Which surface gets which finish: pure rules (no bpy), shared by the render script and the add-on,
and tested in plain pytest. Colours are linear RGB, as Blender's base colours are."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finish:
    name: str
    rgb: tuple[float, float, float]
    metallic: float = 0.0
    roughness: float = 0.5
    coat: float = 0.0
    alpha: float = 1.0
    matte: bool = False  # a plain diffuse surface, no gloss (scene.material)


ENIG = Finish("wattcad ENIG gold", (1.0, 0.72, 0.33), metallic=1.0, roughness=0.22)
COPPER = Finish("wattcad copper", (0.95, 0.55, 0.35), metallic=1.0, roughness=0.3)
FR4 = Finish("wattcad FR4", (0.42, 0.36, 0.18), roughness=0.6)
SILKSCREEN = Finish("wattcad silkscreen", (0.92, 0.92, 0.9), roughness=0.75)
NICKEL = Finish("wattcad nickel", (0.78, 0.78, 0.76), metallic=1.0, roughness=0.28)
TIN_CAN = Finish("wattcad tin can", (0.85, 0.85, 0.83), metallic=1.0, roughness=0.18)
BLACK_PLASTIC = Finish("wattcad black plastic", (0.015, 0.015, 0.015), roughness=0.65)
CERAMIC = Finish("wattcad ceramic", (0.55, 0.42, 0.26), roughness=0.5)
RESISTOR = Finish("wattcad resistor", (0.04, 0.04, 0.04), roughness=0.5)
# A stacked host module's board (BoardModel role "module"): a dark, glossy solder mask.
MODULE = Finish("wattcad module board", (0.03, 0.03, 0.05), roughness=0.35, coat=0.5)
EPOXY = Finish("wattcad epoxy", (0.03, 0.03, 0.03), roughness=0.55)
CLEAR_PLASTIC = Finish("wattcad clear enclosure", (0.55, 0.62, 0.7), roughness=0.2, alpha=0.12)
GREY_PLASTIC = Finish("wattcad enclosure", (0.5, 0.52, 0.55), roughness=0.5)
FLOOR = Finish("wattcad floor", (0.62, 0.63, 0.65), roughness=0.8, matte=True)
DEFAULT_MASK_SRGB = (0.08, 0.2, 0.14)  # KiCad's default green
MODULE_PCB = Finish("wattcad module PCB", (0.006, 0.09, 0.017), roughness=0.35, coat=0.5)
WHITE_PLASTIC = Finish("wattcad white plastic", (0.8, 0.8, 0.77), roughness=0.6)
# The colours wattcad's own 3D bodies carry (enclosure/bodies.py COLOURS, sRGB) and the finish each
# stands for: a coloured part keeps its parts apart (the Feather's board, its can, its headers).
BODY_FINISHES = (((0.08, 0.33, 0.14), MODULE_PCB), ((0.6, 0.6, 0.63), NICKEL), ((0.08, 0.08, 0.08), BLACK_PLASTIC),
                 ((0.9, 0.9, 0.88), WHITE_PLASTIC), ((0.85, 0.8, 0.7), CERAMIC), ((0.85, 0.68, 0.2), ENIG))
# kicad-cli's GLB names the board's own meshes "<board>_<layer>"; a part's meshes carry its model's names.
BOARD_MESH_SUFFIXES = ("_copper", "_pad", "_via", "_silkscreen", "_soldermask", "_paste", "_PCB")
# How the enclosure is shown; "open" is the base without its lid.
ENCLOSURE_STYLES = ("translucent", "cutaway", "open", "solid", "hidden")


def srgb_to_linear(c: float) -> float:
    """KiCad's colours are sRGB; Blender's base colours are linear."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def mask(srgb: tuple[float, float, float]) -> Finish:
    """The solder mask in the board's own colour (its stackup's, as kicad-cli exported it), glossy."""
    return Finish("wattcad solder mask", tuple(srgb_to_linear(c) for c in srgb), roughness=0.35, coat=0.6)


def classify_board_mesh(rgb, metallic: float, z_extent: float, thickness: float, mesh_name: str = "") -> str:
    """kicad-cli names its GLB materials mat_0, mat_1...: tell the layers apart by colour, finish
    and shape. The board's body is the mesh kicad-cli names `<board>_PCB` (whatever colour its
    stackup gives the core: KiCad's tiny_tapeout demo has a tan one). Gold-ish metal = exposed pads;
    other metal = copper under the mask; white = silkscreen; a grey solid as thick as the board = its
    body; the rest = solder mask (whatever colour the board's stackup gives it)."""
    if mesh_name.split(".")[0].endswith("_PCB"):
        return "substrate"
    r, g, b = rgb
    if metallic > 0.5:
        return "pads" if r > b + 0.2 and g > b + 0.2 else "copper"
    if min(r, g, b) > 0.8:
        return "silkscreen"
    grey = abs(r - g) < 0.05 and abs(g - b) < 0.05
    if grey and 0.5 * thickness < z_extent < 1.5 * thickness:
        return "substrate"
    return "mask"


BOARD_FINISHES = {"pads": ENIG, "copper": COPPER, "substrate": FR4, "silkscreen": SILKSCREEN}


def is_board_mesh(mesh_name: str) -> bool:
    """A mesh of the board itself (a copper, mask or silkscreen layer, the substrate), not of a part."""
    base = mesh_name.rsplit(".", 1)[0] if mesh_name.rsplit(".", 1)[-1].isdigit() else mesh_name
    return base.endswith(BOARD_MESH_SUFFIXES)


def part_object(obj, root_name: str):
    """The object named by the part's reference that a mesh hangs from (itself for a one-mesh
    model, its parent node for a model of several); anything with `name` and `parent` will do."""
    node = obj
    while node is not None and node.name != root_name:
        if re.match(r"[A-Z]+[0-9]+", node.name):
            return node
        node = node.parent
    return obj


def body_finish(rgb_linear: tuple[float, float, float]) -> Finish:
    """The finish for a part mesh coloured by its 3D model: the nearest of wattcad's body colours."""
    def distance(srgb):
        return sum((srgb_to_linear(a) - b) ** 2 for a, b in zip(srgb, rgb_linear))

    return min(BODY_FINISHES, key=lambda pair: distance(pair[0]))[1]


def part_finish(ref: str, footprint: str, role: str = "") -> Finish:
    """A finish for a part's body from its BoardModel role, else its reference and footprint name."""
    if role == "module":
        return MODULE
    name = footprint.lower()
    prefix = ref.rstrip("0123456789").upper()
    if "pinheader" in name or "pinsocket" in name or "header" in name:
        return BLACK_PLASTIC
    if "jack" in name or "barrel" in name or "usb" in name or prefix == "J":
        return NICKEL
    if "crystal" in name or prefix == "Y":
        return TIN_CAN
    if prefix == "C":
        return CERAMIC
    if prefix == "R":
        return RESISTOR
    return EPOXY
