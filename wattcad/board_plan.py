"""Where the ADE7816 board's fixed parts go, for each outline variant (pure). The connectors sit on
the edge facing out, the mounting holes in the corners (or between the jacks), the ADE7816 in the
middle of the analog side, the host module (the Feather) with its USB end on the board edge."""
from __future__ import annotations

import math
from dataclasses import dataclass

from wattcad.board_layout import Outline, PartGeom, Placed
from wattcad.placement import circle_poses, natural_key

OPENING_ANGLE_DEG = {"+y": -90.0, "-y": 90.0, "+x": 0.0, "-x": 180.0}  # math angle of a local side


@dataclass(frozen=True)
class BoardPlan:
    outline: Outline
    fixed: dict[str, Placed]
    root: str


def _refs_with(values: dict[str, str], value: str) -> list[str]:
    return sorted((r for r, v in values.items() if v == value), key=natural_key)


def _facing(geom: PartGeom, opening: str, outward_deg: float) -> tuple[float, float]:
    """Orientation that turns a connector's opening towards OUTWARD_DEG, and how far its opening
    end (courtyard less its 0.5 mm margin) reaches from the origin."""
    x0, y0, x1, y1 = geom.courtyard
    reach = {"+y": y1, "-y": -y0, "+x": x1, "-x": -x0}[opening] - 0.5
    return (outward_deg - OPENING_ANGLE_DEG[opening]) % 360.0, reach


def plan_board(variant: str, pcb: dict, values: dict[str, str], geoms: dict[str, PartGeom],
               openings: dict[str, str], modules: dict[str, float] | None = None, origin=(20.0, 20.0)) -> BoardPlan:
    """OPENINGS: connector ref -> the local side its plug goes in ("+y", "-y", ...), from the specs.
    MODULES: a stacked module's ref (the Feather) -> how far its own connector (USB) reaches beyond
    the footprint's origin on its opening side, from its spec: that face goes on the board edge."""
    modules = modules or {}
    ct_jacks = [r for r in _refs_with(values, "SJ1-3533NG")]
    ac = _refs_with(values, "PJ-102AH")
    holes = _refs_with(values, "MountingHole")
    root = next(r for r, v in values.items() if v == "ADE7816")
    fixed: dict[str, Placed] = {}
    ox, oy = origin
    inset = pcb["mounting_hole_inset_mm"]
    if variant == "rect":
        w, h = pcb["rect"]["width_mm"], pcb["rect"]["height_mm"]
        outline = Outline("rect", x_mm=ox, y_mm=oy, width_mm=w, height_mm=h, corner_radius_mm=pcb["rect"]["corner_radius_mm"])
        # CT jacks along the bottom edge, openings flush with it.
        usable0, usable1 = ox + 16.0, ox + w - 16.0
        pitch = (usable1 - usable0) / max(len(ct_jacks) - 1, 1)
        for i, ref in enumerate(ct_jacks):
            angle, reach = _facing(geoms[ref], openings[ref], -90.0)
            fixed[ref] = Placed(round(usable0 + i * pitch, 3), round(oy + h - reach, 3), angle)
        for ref in ac:  # the AC input on the left edge
            angle, reach = _facing(geoms[ref], openings[ref], 180.0)
            fixed[ref] = Placed(round(ox + reach, 3), round(oy + 26.0, 3), angle)
        for ref, (x, y) in zip(holes, ((ox + inset, oy + inset), (ox + w - inset, oy + inset),
                                       (ox + inset, oy + h - inset), (ox + w - inset, oy + h - inset))):
            fixed[ref] = Placed(x, y, 0.0)
        # The Feather top right, its USB end facing the right edge.
        for ref, reach in sorted(modules.items()):
            angle, _ = _facing(geoms[ref], openings[ref], 0.0)
            fixed[ref] = Placed(round(ox + w - reach, 3), round(oy + 10.0, 3), angle)
        fixed[root] = Placed(round(ox + 48.0, 3), round(oy + 48.0, 3), 0.0)
    elif variant == "round":
        r = pcb["round"]["diameter_mm"] / 2
        cx, cy = ox + r, oy + r
        outline = Outline("circle", cx_mm=cx, cy_mm=cy, radius_mm=r)
        # Six jacks 60 degrees apart, openings out: positions from the same circle placement the
        # CLI and the plugin use.
        if ct_jacks:
            _, reach = _facing(geoms[ct_jacks[0]], openings[ct_jacks[0]], 0.0)
            for pose in circle_poses(ct_jacks, (cx, cy), r - reach, start_angle_deg=90.0, orient="radial", order="given"):
                angle, _ = _facing(geoms[pose.ref], openings[pose.ref], pose.angle_deg)
                fixed[pose.ref] = Placed(round(pose.x_mm, 4), round(pose.y_mm, 4), angle)
        for ref in ac:  # between two jacks, at 0 degrees
            angle, reach = _facing(geoms[ref], openings[ref], 0.0)
            (pose,) = circle_poses([ref], (cx, cy), r - reach, start_angle_deg=0.0, orient="radial")
            fixed[ref] = Placed(round(pose.x_mm, 4), round(pose.y_mm, 4), angle)
        for ref, a in zip(holes, (60.0, 120.0, 240.0, 300.0)):  # in four of the other gaps
            hr = r - inset - 1.5
            fixed[ref] = Placed(round(cx + hr * math.cos(math.radians(a)), 4), round(cy - hr * math.sin(math.radians(a)), 4), 0.0)
        # The Feather runs from the left edge (180 degrees, the gap between J2 and J3) towards the
        # centre, stacked above the board: USB end at the edge, its two rows either side of the
        # centre line.
        for ref, reach in sorted(modules.items()):
            angle, _ = _facing(geoms[ref], openings[ref], 180.0)
            x0, _, x1, _ = geoms[ref].courtyard  # across the module: turned onto the board's y
            fixed[ref] = Placed(round(cx - r + reach, 3), round(cy + (x0 + x1) / 2 * math.sin(math.radians(angle)), 3), angle)
        fixed[root] = Placed(round(cx + 6.0, 3), round(cy, 3), 0.0)
    else:
        raise ValueError(f"unknown board variant {variant!r}")
    return BoardPlan(outline, fixed, root)
