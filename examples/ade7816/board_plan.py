"""Where a board's fixed parts go, for each outline variant (pure). Which parts those are, the board
says (pcb.layout in board.yaml, declared by LAYOUT): the connectors sit on the edge facing out, the
mounting holes in the corners (or between the connectors), the root IC in the middle of the analog
side, a stacked host module with its own connector (USB) on the board edge."""
from __future__ import annotations

import math
from dataclasses import dataclass

from wattcad.ade7816.board_layout import Outline, PartGeom, Placed
from wattcad.core.errors import InputError
from wattcad.core.param_schema import Param, check_value
from wattcad.core.placement import circle_poses, expand_refs

OPENING_ANGLE_DEG = {"+y": -90.0, "-y": 90.0, "+x": 0.0, "-x": 180.0}  # math angle of a local side


@dataclass(frozen=True)
class BoardPlan:
    outline: Outline
    fixed: dict[str, Placed]
    root: str


_REFS = "references as `wattcad place circle --refs` takes them (J1-J6, J1,J3); those not on the board are skipped"
LAYOUT = Param("layout", "mapping", doc="which parts the board plan fixes, and where", fields=(
    Param("root", "str", doc="the IC every other part is placed round: its reference"),
    Param("edge_connectors", "str", doc=f"along the rect's bottom edge, round the round one's rim: {_REFS}",
          default=""),
    Param("side_connectors", "str", doc=f"on the rect's left edge, on the round one's rim at 0 degrees: {_REFS}",
          default=""),
    Param("mounting_holes", "str", doc=f"in the rect's corners, in the round one's gaps between connectors: {_REFS}",
          default="")))


@dataclass(frozen=True)
class LayoutRoles:
    """pcb.layout, resolved against the parts on the board: each list in the order written."""
    root: str
    edge_connectors: list[str]
    side_connectors: list[str]
    mounting_holes: list[str]


def layout_roles(pcb: dict, refs_on_board, path=None) -> LayoutRoles:
    """PCB's `layout` (from board.yaml: PATH, named in errors), checked against LAYOUT."""
    where = f"pcb.{LAYOUT.name}"
    data = check_value(LAYOUT, pcb.get(LAYOUT.name), path, where)
    if data["root"] not in refs_on_board:
        raise InputError(path, f"{where}.root", "no part of that reference on the board", data["root"])
    lists, seen = {}, {data["root"]: "root"}
    for role in (f.name for f in LAYOUT.fields if f.name != "root"):
        listed = expand_refs(data[role], f"{where}.{role}", path) if data[role].strip() else []
        for ref in listed:
            if ref in seen:
                raise InputError(path, f"{where}.{role}", f"{ref} is the {seen[ref]} already", data[role])
            seen[ref] = role
        lists[role] = [r for r in listed if r in refs_on_board]
    return LayoutRoles(data["root"], **lists)


def _facing(geom: PartGeom, opening: str, outward_deg: float) -> tuple[float, float]:
    """Orientation that turns a connector's opening towards OUTWARD_DEG, and how far its opening
    end (courtyard less its 0.5 mm margin) reaches from the origin."""
    x0, y0, x1, y1 = geom.courtyard
    reach = {"+y": y1, "-y": -y0, "+x": x1, "-x": -x0}[opening] - 0.5
    return (outward_deg - OPENING_ANGLE_DEG[opening]) % 360.0, reach


def plan_board(variant: str, pcb: dict, geoms: dict[str, PartGeom], openings: dict[str, str],
               modules: dict[str, float] | None = None, origin=(20.0, 20.0), params_path=None) -> BoardPlan:
    """OPENINGS: connector ref -> the local side its plug goes in ("+y", "-y", ...), from the specs.
    MODULES: a stacked module's ref (the host) -> how far its own connector (USB) reaches beyond
    the footprint's origin on its opening side, from its spec: that face goes on the board edge.
    PARAMS_PATH: the file PCB came from, named in errors."""
    roles = layout_roles(pcb, geoms, params_path)
    planners = {"rect": _plan_rect, "round": _plan_round}
    if variant not in planners:
        raise ValueError(f"unknown board variant {variant!r}")
    outline, fixed = planners[variant](pcb, roles, geoms, openings, modules or {}, origin)
    return BoardPlan(outline, fixed, roles.root)


def _plan_rect(pcb, roles: LayoutRoles, geoms, openings, modules, origin) -> tuple[Outline, dict[str, Placed]]:
    ox, oy = origin
    w, h, inset = pcb["rect"]["width_mm"], pcb["rect"]["height_mm"], pcb["mounting_hole_inset_mm"]
    outline = Outline("rect", x_mm=ox, y_mm=oy, width_mm=w, height_mm=h, corner_radius_mm=pcb["rect"]["corner_radius_mm"])
    fixed: dict[str, Placed] = {}
    # The edge connectors along the bottom edge, openings flush with it.
    edge = roles.edge_connectors
    usable0, usable1 = ox + 16.0, ox + w - 16.0
    pitch = (usable1 - usable0) / max(len(edge) - 1, 1)
    for i, ref in enumerate(edge):
        angle, reach = _facing(geoms[ref], openings[ref], -90.0)
        fixed[ref] = Placed(round(usable0 + i * pitch, 3), round(oy + h - reach, 3), angle)
    for ref in roles.side_connectors:  # on the left edge
        angle, reach = _facing(geoms[ref], openings[ref], 180.0)
        fixed[ref] = Placed(round(ox + reach, 3), round(oy + 26.0, 3), angle)
    for ref, (x, y) in zip(roles.mounting_holes, ((ox + inset, oy + inset), (ox + w - inset, oy + inset),
                                                  (ox + inset, oy + h - inset), (ox + w - inset, oy + h - inset))):
        fixed[ref] = Placed(x, y, 0.0)
    # The host module top right, its USB end facing the right edge.
    for ref, reach in sorted(modules.items()):
        angle, _ = _facing(geoms[ref], openings[ref], 0.0)
        fixed[ref] = Placed(round(ox + w - reach, 3), round(oy + 10.0, 3), angle)
    fixed[roles.root] = Placed(round(ox + 48.0, 3), round(oy + 48.0, 3), 0.0)
    return outline, fixed


def _plan_round(pcb, roles: LayoutRoles, geoms, openings, modules, origin) -> tuple[Outline, dict[str, Placed]]:
    r, inset = pcb["round"]["diameter_mm"] / 2, pcb["mounting_hole_inset_mm"]
    cx, cy = origin[0] + r, origin[1] + r
    outline = Outline("circle", cx_mm=cx, cy_mm=cy, radius_mm=r)
    fixed: dict[str, Placed] = {}
    # The edge connectors evenly round the rim from the top, openings out: positions from the same
    # circle placement the CLI and the plugin use.
    edge = roles.edge_connectors
    if edge:
        _, reach = _facing(geoms[edge[0]], openings[edge[0]], 0.0)
        for pose in circle_poses(edge, (cx, cy), r - reach, start_angle_deg=90.0, orient="radial", order="given"):
            angle, _ = _facing(geoms[pose.ref], openings[pose.ref], pose.angle_deg)
            fixed[pose.ref] = Placed(round(pose.x_mm, 4), round(pose.y_mm, 4), angle)
    for ref in roles.side_connectors:  # at 0 degrees (between two of six edge connectors)
        angle, reach = _facing(geoms[ref], openings[ref], 0.0)
        (pose,) = circle_poses([ref], (cx, cy), r - reach, start_angle_deg=0.0, orient="radial")
        fixed[ref] = Placed(round(pose.x_mm, 4), round(pose.y_mm, 4), angle)
    for ref, a in zip(roles.mounting_holes, (60.0, 120.0, 240.0, 300.0)):  # in four of the other gaps
        hr = r - inset - 1.5
        fixed[ref] = Placed(round(cx + hr * math.cos(math.radians(a)), 4), round(cy - hr * math.sin(math.radians(a)), 4), 0.0)
    # The host module runs from the left edge (180 degrees: between two of six edge connectors)
    # towards the centre, stacked above the board: USB end at the edge, its two rows either side of
    # the centre line.
    for ref, reach in sorted(modules.items()):
        angle, _ = _facing(geoms[ref], openings[ref], 180.0)
        x0, _, x1, _ = geoms[ref].courtyard  # across the module: turned onto the board's y
        fixed[ref] = Placed(round(cx - r + reach, 3), round(cy + (x0 + x1) / 2 * math.sin(math.radians(angle)), 3), angle)
    fixed[roles.root] = Placed(round(cx + 6.0, 3), round(cy, 3), 0.0)
    return outline, fixed
