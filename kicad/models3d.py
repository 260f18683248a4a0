"""Which 3D shape stands for each part of a board, for the renders, KiCad's 3D export and the
enclosure's fit. In order: the footprint's own 3D model where it resolves as KiCad resolves it
(${KIPRJMOD}, the 3D-model variables of KiCad 4-10 from the environment, else KiCad's installed
library, else a `3dmodels` folder beside the board); else wattcad's body drawn from the part's
package spec (enclosure/bodies.py); else a box from its fab outline, courtyard or pads, at its
spec's height or a named default. Drawn bodies are cached by content, so a second call on an
unchanged board draws nothing. Reads the board as text (no pcbnew): fast enough to key a cache."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.cache import content_hash
from wattcad.core.errors import InputError
from wattcad.footprints import sexpr

DRAWN = ("model", "body", "box", "none")  # how a part is drawn; "none": it stands for no body (a hole)
MODEL_VARIABLE = re.compile(r"\$\{(KIPRJMOD|KISYS3DMOD|KICAD\d*_3DMODEL_DIR)\}")
INCH_MM = 25.4


@dataclass(frozen=True)
class ModelRef:
    """One `(model ...)` of a footprint: the path as written and KiCad's transform of it."""
    path: str
    offset_mm: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rotation_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    hidden: bool = False


@dataclass
class PartShape:
    """How one footprint's part is drawn, and from which file (absolute; "" when `none`)."""
    ref: str
    footprint: str  # Lib:Name
    drawn: str  # one of DRAWN
    files: list[str] = field(default_factory=list)  # the model files (several for a footprint with several)
    transforms: list[ModelRef] = field(default_factory=list)  # KiCad's transform of each file, as on the board
    not_found: list[str] = field(default_factory=list)  # the model paths the footprint names that do not resolve
    note: str = ""  # why a box

    def to_json(self) -> dict:
        return {"ref": self.ref, "footprint": self.footprint, "drawn": self.drawn, "files": [Path(f).name for f in self.files],
                **({"not_found": self.not_found} if self.not_found else {}), **({"note": self.note} if self.note else {})}


def cache_root() -> Path:
    """WATTCAD_CACHE, else $XDG_CACHE_HOME/wattcad, else ~/.cache/wattcad."""
    named = os.environ.get("WATTCAD_CACHE")
    if named:
        return Path(named)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wattcad"


def kicad_library_dir() -> Path | None:
    """KiCad's installed 3D library (what KiCad sets its 3D-model variables to when the environment does not)."""
    cli = shutil.which(os.environ.get("WATTCAD_KICAD_CLI") or "kicad-cli")
    if cli is None:
        return None
    found = Path(cli).resolve().parents[1] / "share" / "kicad" / "3dmodels"
    return found if found.is_dir() else None


def project_variables(board: Path) -> dict[str, str]:
    """The board's project's text variables (its .kicad_pro), which KiCad resolves before the environment."""
    import json

    try:
        data = json.loads(Path(board).with_suffix(".kicad_pro").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    found = data.get("text_variables") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def model_candidates(raw: str, board_dir: Path, library: Path | None, project: dict[str, str] | None = None) -> list[Path]:
    """Where KiCad would look for a model path as written on a board, in order: the project's own
    variable, the environment's, KiCad's library, a 3dmodels folder beside the board."""
    match = MODEL_VARIABLE.search(raw)
    if match is None:
        path = Path(raw)
        return [path if path.is_absolute() else board_dir / path]
    name = match.group(1)
    if name == "KIPRJMOD":
        roots = [board_dir]
    else:
        own = (project or {}).get(name)
        roots = [Path(own.replace("${KIPRJMOD}", str(board_dir)))] if own else []
        roots += [Path(os.environ[name])] if os.environ.get(name) else []
        roots += [r for r in (library, board_dir / "3dmodels") if r is not None]
    rest = raw[match.end():].lstrip("/\\")
    return [root / rest for root in roots]


def _floats3(node, scale: float = 1.0) -> tuple[float, float, float]:
    xyz = sexpr.child(node, "xyz") if node is not None else None
    if xyz is None or len(xyz) < 4:
        return (0.0, 0.0, 0.0)
    return tuple(float(v) * scale for v in xyz[1:4])


def model_refs(node: list) -> list[ModelRef]:
    """A footprint node's 3D models; KiCad 4/5's `(at (xyz))` is in inches, `(offset (xyz))` in mm."""
    out = []
    for m in sexpr.children(node, "model"):
        at = sexpr.child(m, "at")
        offset = _floats3(at, INCH_MM) if at is not None else _floats3(sexpr.child(m, "offset"))
        scale_node = sexpr.child(m, "scale")
        scale = _floats3(scale_node) if scale_node is not None else (1.0, 1.0, 1.0)
        hidden = any(c == "hide" or (isinstance(c, list) and c[:2] == ["hide", "yes"]) for c in m[2:])
        out.append(ModelRef(str(m[1]), offset, _floats3(sexpr.child(m, "rotate")), scale, hidden))
    return out


def board_thickness_mm(root: list) -> float:
    general = sexpr.child(root, "general")
    thickness = sexpr.child(general, "thickness") if general is not None else None
    return float(thickness[1]) if thickness is not None and len(thickness) > 1 else 1.6


def read_board(path: Path, text_path: Path | None = None) -> list:
    """The board's S-expression tree, from TEXT_PATH (KiCad's own copy of it, for a file a strict
    parser refuses and KiCad opens) or from PATH."""
    try:
        root = sexpr.parse(Path(text_path or path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, sexpr.SexprError) as exc:
        raise InputError(path, None, f"cannot read board: {exc}") from None
    if not root or root[0] != "kicad_pcb":
        raise InputError(path, None, "not a KiCad board (no top-level 'kicad_pcb')", root[0] if root else "")
    return root


DEFAULT_HEIGHT_MM = {"smd": 1.0, "through_hole": 8.0}
# Footprints with pads but no body of their own, by what their name or value says they are.
EXEMPT_KINDS = {"mountinghole": "mounting hole", "fiducial": "fiducial", "nettie": "net tie", "testpoint": "test point",
                "solderjumper": "solder jumper", "logo": "logo"}


def exemption(name: str, value: str) -> str:
    """The kind of a footprint that stands for no body (a mounting hole, a fiducial...), or ''."""
    key = f"{name} {value}".lower().replace("_", "").replace("-", "").replace(" ", "")
    return next((kind for word, kind in EXEMPT_KINDS.items() if word in key), "")


# KiCad's library names give a body's size: `_H7.0mm` its height, `_D6.5mm` an axial or horizontal
# part's diameter (KiCad's footprint naming conventions, KLC F2.*).
NAME_HEIGHT = re.compile(r"_H(\d+(?:\.\d+)?)mm")
NAME_DIAMETER = re.compile(r"_D(\d+(?:\.\d+)?)mm")


def height_from_name(name: str) -> float | None:
    """The height a KiCad footprint's name gives (`_H` mm; `_D` mm for an axial or horizontal part), or None."""
    found = NAME_HEIGHT.search(name)
    if found:
        return float(found.group(1))
    found = NAME_DIAMETER.search(name)
    if found and ("Axial" in name or "Horizontal" in name):
        return float(found.group(1))
    return None


def body_height(spec, through_hole: bool, name: str = "") -> float:
    """A part's height: its package spec's maximum, else what its footprint's name says, else a
    default for SMD or through-hole parts."""
    if spec is not None and spec.has("height"):
        return spec.dim("height").max
    named = height_from_name(name)
    return named if named else DEFAULT_HEIGHT_MM["through_hole" if through_hole else "smd"]


def height_note(spec, through_hole: bool, name: str) -> str:
    """How a part with no spec got its height, for the reports."""
    named = height_from_name(name)
    if named:
        return f"a box {named:g} mm high (from its footprint's name: no package spec)"
    return f"a box {body_height(spec, through_hole):g} mm high ({'through-hole' if through_hole else 'SMD'} default: no package spec)"


def _body_key(fp, height_mm: float, spec) -> str:
    """What a drawn body depends on: the drawing code, the spec file, the footprint's outlines."""
    from wattcad import enclosure
    from wattcad.footprints import module

    code = [Path(enclosure.__file__).parent / "bodies.py", Path(module.__file__)]
    inputs = [*code, spec.path] if spec is not None else code
    extra = {"fab": fp.layer_bbox(".Fab"), "courtyard": fp.layer_bbox(".CrtYd"), "height": height_mm,
             "pads": sorted(p.bbox() for p in fp.pads)}
    return content_hash(inputs, extra)[:20]


def resolve_shapes(board: Path, draw: bool = True, text_path: Path | None = None, root: list | None = None) -> list[PartShape]:
    """Every footprint's shape (sorted by reference). With DRAW, wattcad's bodies and boxes are
    drawn into the cache where they are not there yet (CadQuery); without, their paths are named only.
    TEXT_PATH: KiCad's copy of the board to read (read_board); paths still resolve from BOARD's folder.
    ROOT: the board already read (read_board), not read again."""
    root = read_board(board, text_path) if root is None else root
    return sorted((s for _, s in _resolve(Path(board), root, draw)), key=lambda s: (s.ref, s.footprint))


def write_shaped_board(board: Path, out: Path, draw: bool = True, text_path: Path | None = None) -> list[PartShape]:
    """A copy of BOARD at OUT whose every part names the file that draws it, by absolute path
    (kicad-cli then needs no variable), and the shapes, sorted by reference. A footprint keeps the
    models it has that resolve (their transforms too); one with none gets wattcad's body or box."""
    from wattcad.core.fileio import write_atomic

    root = read_board(board, text_path)
    resolved = _resolve(Path(board), root, draw)
    for node, shape in resolved:
        kept = {id(m) for m in sexpr.children(node, "model")}
        node[:] = [c for c in node if id(c) not in kept]
        for file, t in zip(shape.files, shape.transforms):
            node.append(["model", sexpr.Quoted(file), ["offset", ["xyz", *map(sexpr.fmt_mm, t.offset_mm)]],
                         ["scale", ["xyz", *map(sexpr.fmt_mm, t.scale)]],
                         ["rotate", ["xyz", *map(sexpr.fmt_mm, t.rotation_deg)]]])
    write_atomic(out, sexpr.dump(root) + "\n")
    return sorted((s for _, s in resolved), key=lambda s: (s.ref, s.footprint))


def _resolve(board: Path, root: list, draw: bool) -> list[tuple[list, PartShape]]:
    from wattcad.footprints.spec import spec_for_part
    from wattcad.footprints.verify import footprint_nodes

    board = board.resolve()
    library, project = kicad_library_dir(), project_variables(board)
    shapes = []
    for node, fp in footprint_nodes(root, str(board)):
        lib_name = f"{fp.library}:{fp.name}" if fp.library else fp.name
        refs = [m for m in model_refs(node) if not m.hidden]
        found, missing = [], []
        for m in refs:
            hit = next((c for c in model_candidates(m.path, board.parent, library, project) if c.is_file()), None)
            (found if hit else missing).append((m, hit))
        shape = PartShape(fp.reference, lib_name, "model", not_found=[m.path for m, _ in missing])
        if found:
            shape.files = [str(hit) for _, hit in found]
            shape.transforms = [m for m, _ in found]
            shapes.append((node, shape))
            continue
        if not fp.pads or exemption(fp.name, fp.value):
            shape.drawn = "none"
            shapes.append((node, shape))
            continue
        spec = spec_for_part(fp.value, fp.name, fp.fields)
        tht = any(p.kind == "thru_hole" for p in fp.pads)
        height = body_height(spec, tht, fp.name)
        # A spec draws the part (its shape, or its box at the spec's height); else a box, its height named.
        shape.drawn = "body" if spec is not None else "box"
        if spec is None:
            shape.note = height_note(spec, tht, fp.name)
        target = cache_root() / "bodies" / _body_key(fp, height, spec) / f"{fp.name}.step"
        if draw and not target.is_file():
            _draw(fp, height, spec, target)
        if draw and not target.is_file():  # nothing to draw it from: no body, as for a hole
            shape.drawn, shape.note = "none", "no outline, courtyard or pad to draw a body from"
            shapes.append((node, shape))
            continue
        shape.files = [str(target)]
        shape.transforms = [ModelRef(str(target))]
        shapes.append((node, shape))
    return shapes


def _draw(fp, height: float, spec, target: Path) -> None:
    """Draw one body into the cache, atomically (a second process may draw the same one)."""
    from wattcad.core.reproducible import normalise_step
    from wattcad.enclosure.bodies import write_body_step

    part = target.with_name(f".{target.stem}.{os.getpid()}.step")
    made = write_body_step(fp, height, part, spec)
    if made is None:
        return
    normalise_step(made)
    os.replace(made, target)


def summary(shapes: list[PartShape]) -> dict[str, list[str]]:
    """The references by how they are drawn (model, body, box), for a picture's JSON and a report."""
    out: dict[str, list[str]] = {k: [] for k in DRAWN if k != "none"}
    for s in shapes:
        if s.drawn in out:
            out[s.drawn].append(s.ref)
    return out


def not_found(shapes: list[PartShape]) -> list[str]:
    """`REF: path` for every model a footprint names that does not resolve (it is drawn otherwise)."""
    return [f"{s.ref}: {path}" for s in shapes for path in s.not_found]


def summary_line(shapes: list[PartShape]) -> str:
    words = {"model": "from its 3D model", "body": "as wattcad's body from its spec", "box": "as a box (no spec)"}
    said = [f"{len(refs)} {words[kind]}" for kind, refs in summary(shapes).items() if refs]
    return "parts drawn: " + (", ".join(said) if said else "none")


def shapes_key(shapes: list[PartShape]) -> str:
    """A digest of every file the shapes name and how they are placed: a model by its content, a
    drawn body by its path (named by the digest of what draws it), so it holds before it is drawn."""
    h, digests = hashlib.sha256(), {}
    for s in shapes:
        h.update(f"{s.ref}\0{s.drawn}\0".encode())
        for f, t in zip(s.files, s.transforms):
            h.update(repr((t.offset_mm, t.rotation_deg, t.scale)).encode())
            if s.drawn == "model" and f not in digests:
                digests[f] = content_hash([Path(f)])
            h.update(digests.get(f, f).encode())
    return h.hexdigest()
