"""Circular placement math (pure: no pcbnew). Millimetres; angles in degrees counter-clockwise from
+X as a person sees the board, although KiCad's board y axis points down."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from wattcad.core.errors import InputError

ORIENTS = ("radial", "tangent", "keep")
ORDERS = ("ref", "given")


@dataclass(frozen=True)
class Pose:
    ref: str
    x_mm: float
    y_mm: float
    angle_deg: float | None  # None: keep the part's own orientation


def natural_key(ref: str):
    """J2 before J10: letters, then numbers as numbers."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", ref)]


def expand_refs(spec: str, field: str = "--refs", path=None) -> list[str]:
    """'J1-J6' -> J1..J6; 'J1,J3,J5' and mixes of both; order as written. FIELD and PATH name the
    option or the file's key the list came from in an error."""
    refs: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z_]+)(\d+)\s*-\s*(?:([A-Za-z_]+))?(\d+)", part)
        if m:
            prefix, start, prefix2, end = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
            if prefix2 not in (None, prefix) or end < start:
                raise InputError(path, field, "a range runs from a lower to a higher number of one prefix", part)
            refs += [f"{prefix}{i}" for i in range(start, end + 1)]
        else:
            refs.append(part)
    if not refs:
        raise InputError(path, field, "no references given", spec)
    if len(set(refs)) != len(refs):
        raise InputError(path, field, "a reference is listed twice", spec)
    return refs


def circle_poses(refs: list[str], centre_mm: tuple[float, float], radius_mm: float, start_angle_deg: float = 0.0,
                 step_deg: float | None = None, arc_deg: float | None = None, orient: str = "radial",
                 order: str = "ref", rotation_offset_deg: float = 0.0) -> list[Pose]:
    """Poses for REFS on a circle. With neither step nor arc the parts share the full circle; with
    an arc they span it end to end (or share it evenly when it is a full turn). ROTATION_OFFSET
    is added to radial or tangent orientations: a part whose front is its -y side faces out with
    radial and -90."""
    if not refs:
        raise InputError(None, "--refs", "no parts to place")
    if not (isinstance(radius_mm, (int, float)) and math.isfinite(radius_mm) and radius_mm > 0):
        raise InputError(None, "--radius", "must be a positive number of millimetres", radius_mm)
    if step_deg is not None and arc_deg is not None:
        raise InputError(None, "--step/--arc", "give one of --step and --arc, not both")
    if orient not in ORIENTS:
        raise InputError(None, "--orient", f"must be one of {', '.join(ORIENTS)}", orient)
    if order not in ORDERS:
        raise InputError(None, "--order", f"must be one of {', '.join(ORDERS)}", order)
    ordered = sorted(refs, key=natural_key) if order == "ref" else list(refs)
    n = len(ordered)
    if step_deg is None:
        if arc_deg is None or abs(abs(arc_deg) - 360.0) < 1e-9:
            step_deg = (arc_deg if arc_deg is not None else 360.0) / n
        else:
            step_deg = arc_deg / (n - 1) if n > 1 else 0.0
    cx, cy = centre_mm
    poses = []
    for i, ref in enumerate(ordered):
        a = start_angle_deg + i * step_deg
        rad = math.radians(a)
        x = cx + radius_mm * math.cos(rad)
        y = cy - radius_mm * math.sin(rad)  # board y points down
        angle = {"radial": a + rotation_offset_deg, "tangent": a + 90.0 + rotation_offset_deg, "keep": None}[orient]
        if angle is not None:
            angle = _normalise(angle)
        poses.append(Pose(ref, round(x, 9), round(y, 9), angle))
    return poses


def _normalise(angle_deg: float) -> float:
    a = math.fmod(angle_deg, 360.0)
    if a <= -180.0:
        a += 360.0
    elif a > 180.0:
        a -= 360.0
    return round(a, 9) + 0.0


def parse_point(text: str, field: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(None, field, "must be X,Y in millimetres", text) from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(None, field, "must be finite", text)
    return x, y
