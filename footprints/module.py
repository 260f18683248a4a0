"""A stacked module's geometry (the Feather), from its pin_list spec with a `module` option: where
its board, its own connector (USB) and the headers under it are, in the spec's frame (pin 1 at the
origin, KiCad's axes). Pure: the board model reader and the board plan both use it."""
from __future__ import annotations

from dataclasses import dataclass

from wattcad.core.errors import InputError

from .spec import PackageSpec

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class ModuleGeometry:
    board: Box  # the module's PCB outline
    usb: Box  # its connector's body
    opening: str  # the side the connector faces: "+y", "-y", "+x", "-x"
    opening_reach_mm: float  # from the origin to the connector's face, along the opening
    header_rows: tuple[Box, ...]  # the female headers it stands on
    header_height_mm: float
    stand_off_mm: float  # the module's PCB above the host board: the female headers and its male headers' plastic
    pcb_mm: float
    parts_mm: float
    usb_height_mm: float


def _value(spec: PackageSpec, key: str) -> float:
    raw = spec.options["module"].get(key)
    value = raw.get("value") if isinstance(raw, dict) else raw
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InputError(spec.path, f"options.module.{key}", "must be a number of millimetres", value)
    return float(value)


def module_geometry(spec: PackageSpec) -> ModuleGeometry:
    module = spec.options.get("module")
    if not isinstance(module, dict) or not spec.pins:
        raise InputError(spec.path, "options.module", "a module spec needs pins and options.module")
    xs, ys = [p.x_mm for p in spec.pins], [p.y_mm for p in spec.pins]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half_x, half_y = spec.dim("body_x").nom / 2, spec.dim("body_y").nom / 2
    board = (cx - half_x, cy - half_y, cx + half_x, cy + half_y)
    usb = module.get("usb")
    if not isinstance(usb, dict):
        raise InputError(spec.path, "options.module.usb", "missing the module's connector")
    opening = spec.options.get("opening", "")
    if opening not in ("+y", "-y", "+x", "-x"):
        raise InputError(spec.path, "options.opening", "must be +y, -y, +x or -x", opening)
    width, length, overhang = float(usb["width_mm"]), float(usb["length_mm"]), float(usb["overhang_mm"])
    across = float(usb.get("x_mm", cx)) if opening[1] == "y" else float(usb.get("y_mm", cy))
    edge = {"-y": board[1], "+y": board[3], "-x": board[0], "+x": board[2]}[opening]
    outward = -1.0 if opening[0] == "-" else 1.0
    face = edge + outward * overhang
    back = face - outward * length
    lo, hi = min(face, back), max(face, back)
    usb_box = (across - width / 2, lo, across + width / 2, hi) if opening[1] == "y" else (lo, across - width / 2, hi, across + width / 2)
    rows: dict[float, list[float]] = {}
    for p in spec.pins:  # pins in columns (rows of a header), grouped by x
        rows.setdefault(round(p.x_mm, 2), []).append(p.y_mm)
    pitch_half = 1.27
    header_rows = tuple((x - pitch_half, min(v) - pitch_half, x + pitch_half, max(v) + pitch_half)
                        for x, v in sorted(rows.items()))
    header = _value(spec, "header_height_mm")
    male = _value(spec, "male_header_mm") if "male_header_mm" in module else 0.0
    return ModuleGeometry(board, usb_box, opening, outward * face, header_rows, header, header + male,
                          _value(spec, "pcb_mm"), _value(spec, "parts_mm"), float(usb["height_mm"]))


@dataclass(frozen=True)
class Barrel:
    """A horizontal jack's barrel (spec `options.barrel`), in the footprint's frame: the body's box
    stops at `face_y`, the barrel runs from there to `tip_y` (outward `out`: -1 for an opening at -y,
    +1 at +y), its axis at x `x_mm` and `axis_mm` above the board."""
    body: Box  # the body box, without the barrel where the fab outline draws it
    x_mm: float
    face_y: float
    tip_y: float
    out: float
    axis_mm: float
    diameter_mm: float
    bore_mm: float
    bore_depth_mm: float
    pin_mm: float


def barrel_geometry(fab_box: Box, spec: PackageSpec) -> Barrel | None:
    barrel = spec.options.get("barrel")
    if not barrel:
        return None
    x0, y0, x1, y1 = fab_box
    out = -1.0 if spec.options.get("opening", "-y") == "-y" else 1.0
    length = barrel.get("length_mm", 0.0)
    # The fab outline may draw the barrel too (the SJ1-3533NG's nose): the body stops where it starts.
    if barrel.get("in_outline"):
        y0, y1 = (y0 + length, y1) if out < 0 else (y0, y1 - length)
    face = y0 if out < 0 else y1
    return Barrel((x0, y0, x1, y1), barrel.get("x_mm", (x0 + x1) / 2), face, face + out * length, out,
                  barrel["axis_mm"], barrel.get("diameter_mm", barrel["bore_mm"]), barrel["bore_mm"],
                  barrel.get("bore_depth_mm", 0.0), barrel.get("pin_mm", 0.0))
