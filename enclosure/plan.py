"""The enclosure's layout, derived from a BoardModel and the parameters (pure): heights, the shape
of the outline, standoffs, connector cut-outs with their axes, screw ears."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from wattcad.core.boardmodel import BoardModel, Body

from .params import EnclosureParams


@dataclass(frozen=True)
class Cutout:
    ref: str
    point: tuple[float, float]  # board axes: where the connector's face is
    direction: tuple[float, float]  # outward, unit
    z_mm: float  # axis height
    width_mm: float
    height_mm: float
    round: bool
    for_plug: bool = True  # a connector's opening (held coaxial with it); else room for a part that overhangs
    outline: tuple[tuple[float, float], ...] = ()  # an overhanging part's box, grown: cut out whole (corners too)


@dataclass(frozen=True)
class Standoff:
    ref: str
    x_mm: float
    y_mm: float
    diameter_mm: float


@dataclass
class EnclosurePlan:
    kind: str  # circle | polygon
    centre: tuple[float, float]
    radius_mm: float  # circle boards
    floor_top_mm: float
    board_bottom_mm: float
    board_top_mm: float
    inner_top_mm: float  # underside of the lid
    standoffs: list[Standoff] = field(default_factory=list)
    cutouts: list[Cutout] = field(default_factory=list)
    ears: list[tuple[float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # where the plan departs from the parameters, and why


def _circle_fit(points) -> tuple[tuple[float, float], float, float]:
    """Centre, mean radius and radius spread, over the vertices and the edges' midpoints (a
    rounded rectangle's vertices crowd in its corners and alone could pass for a circle)."""
    points = list(points) + [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in zip(points, points[1:] + points[:1])]
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    radii = [math.hypot(p[0] - cx, p[1] - cy) for p in points]
    return (cx, cy), sum(radii) / len(radii), max(radii) - min(radii)


def point_in_polygon(pt, poly) -> bool:
    x, y = pt
    inside = False
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def distance_to_polygon(pt, poly) -> float:
    return math.dist(pt, nearest_on_polygon(pt, poly))


def body_top(body: Body, board_top: float) -> float:
    return board_top + body.stands_off_mm + body.height_mm


def make_plan(model: BoardModel, p: EnclosureParams) -> EnclosurePlan:
    centre, radius, spread = _circle_fit(model.outline)
    kind = "circle" if spread < 0.05 * max(radius, 1) and len(model.outline) > 16 else "polygon"
    floor_top = p.floor_mm
    # The standoffs grow to clear the tallest part under the board.
    standoff, notes = p.standoff_height_mm, []
    below = [b for b in model.bodies if b.side == "bottom"]
    if below:
        deepest = max(below, key=lambda b: (b.stands_off_mm + b.height_mm, b.ref))
        need = round(deepest.stands_off_mm + deepest.height_mm + UNDER_BOARD_CLEARANCE_MM, 2)
        if need > standoff:
            notes.append(f"standoffs {need:g} mm instead of standoff_height_mm {standoff:g}: {deepest.ref} under the "
                         f"board is {deepest.stands_off_mm + deepest.height_mm:.2f} mm deep")
            standoff = need
    board_bottom = floor_top + standoff
    board_top = board_bottom + model.thickness_mm
    tallest = max([body_top(b, board_top) for b in model.bodies if b.side == "top"], default=board_top)
    inner_top = floor_top + p.inner_height_mm if p.inner_height_mm is not None else tallest + p.headroom_mm
    if p.inner_height_mm is None and p.lid_lip_mm > 0 and inner_top < board_top + p.lid_lip_mm + LIP_ABOVE_BOARD_MM:
        # A flat board (no tall parts): the lid's lip, not the parts, sets how high the lid sits.
        notes.append(f"lid raised to clear its {p.lid_lip_mm:g} mm lip above the board (the parts need less)")
        inner_top = board_top + p.lid_lip_mm + LIP_ABOVE_BOARD_MM
    plan = EnclosurePlan(kind, centre, radius, floor_top, board_bottom, board_top, inner_top, notes=notes)
    for hole in model.holes:
        if not point_in_polygon((hole.x_mm, hole.y_mm), model.outline):
            # A hole outside the outline (a second board of a panel, a mounting tab cut away): no post
            # can hold the board there; the enclosure is built without it, and says so.
            notes.append(f"no standoff at {hole.ref or 'a hole'}: the hole at ({hole.x_mm:g}, {hole.y_mm:g}) is off the board")
            continue
        # A post slims down to stay on the board and clear the parts under it beside its hole
        # (never below the screw's pilot plus a wall); one that cannot is left out, and said.
        diameter = p.standoff_diameter_mm
        near = [(distance_to_polygon((hole.x_mm, hole.y_mm), b.corners()), b.ref) for b in below]
        near = [(0.0 if point_in_polygon((hole.x_mm, hole.y_mm), b.corners()) else d, ref)
                for (d, ref), b in zip(near, below)]
        edge = distance_to_polygon((hole.x_mm, hole.y_mm), model.outline)
        closest = min(near + [(edge + UNDER_BOARD_CLEARANCE_MM / 2, "the board's edge")], default=(math.inf, ""))
        room = 2 * (closest[0] - UNDER_BOARD_CLEARANCE_MM / 2)
        if room < diameter:
            least = p.screw_pilot_mm + 2 * MIN_POST_WALL_MM
            if room < least:
                plan.notes.append(f"no standoff at {hole.ref}: {closest[1]} leaves a "
                                  f"{max(room, 0):.1f} mm post, less than the {least:.1f} mm a screw needs")
                continue
            plan.notes.append(f"standoff at {hole.ref} {room:.1f} mm wide instead of standoff_diameter_mm "
                              f"{diameter:g}: {closest[1]} is beside it")
            diameter = round(room, 2)
        plan.standoffs.append(Standoff(hole.ref, hole.x_mm, hole.y_mm, diameter))
    plan.cutouts = _cutouts(model, p, board_top, board_bottom)
    # Screw ears outside the wall: the corners of a polygon's bounding box, or at 45 degrees on a circle.
    out = p.clearance_mm + p.wall_mm + p.ear_diameter_mm / 2 - p.wall_mm / 2
    if kind == "circle":
        r = radius + out
        plan.ears = [(centre[0] + r * math.cos(math.radians(a)), centre[1] - r * math.sin(math.radians(a)))
                     for a in (45, 135, 225, 315)]
    else:
        xs, ys = [q[0] for q in model.outline], [q[1] for q in model.outline]
        d = out / math.sqrt(2)
        plan.ears = [(min(xs) - d, min(ys) - d), (max(xs) + d, min(ys) - d), (max(xs) + d, max(ys) + d), (min(xs) - d, max(ys) + d)]
    return plan


def _cutouts(model: BoardModel, p: EnclosureParams, board_top: float, board_bottom: float) -> list[Cutout]:
    """The wall's holes: one for each connector's plug, and room for any part that reaches through."""
    cutouts = []
    for body in sorted(model.bodies, key=lambda b: b.ref):
        axis = body.opening_axis()
        # Only connectors whose face reaches the edge get a hole for the plug in the wall (one with a
        # round barrel however far out: its body, behind the barrel, must clear the wall)...
        if axis is not None and (distance_to_polygon(axis[0], model.outline) <= 3.0 or (
                body.plug_diameter_mm > 0 and not point_in_polygon(axis[0], model.outline))):
            point, direction = axis
            if body.plug_diameter_mm > 0:  # a round barrel: a round hole on its own axis
                d = body.plug_diameter_mm + 2 * p.cutout_margin_mm
                z = board_top + body.stands_off_mm + body.plug_z_mm
                cutouts.append(Cutout(body.ref, body.to_board(*body.plug_at_mm), direction, z, d, d, True))
                continue
            (x0, y0), (x1, y1) = body.box_min_mm, body.box_max_mm
            across = (y1 - y0) if body.opening in ("+x", "-x") else (x1 - x0)
            w = across + 2 * p.cutout_margin_mm
            h = body.height_mm + 2 * p.cutout_margin_mm
            z = board_top + body.stands_off_mm + body.height_mm / 2
            cutouts.append(Cutout(body.ref, point, direction, z, w, h, abs(w - h) < 2.5))
            continue
        # ...and any other part that reaches through where the wall stands gets its box cut out of it.
        reach = p.clearance_mm
        corners = body.corners()
        if all(point_in_polygon(c, model.outline) and distance_to_polygon(c, model.outline) > reach for c in corners):
            continue
        cutouts.append(_overhang_cutout(body, model.outline, board_top, board_bottom, p))
    return cutouts


UNDER_BOARD_CLEARANCE_MM = 1.0  # between the deepest part under the board and the floor (and a post)
MIN_POST_WALL_MM = 0.8  # plastic round a standoff's screw pilot
LIP_ABOVE_BOARD_MM = 0.5  # between the lid's lip and the board


def nearest_on_polygon(pt, poly) -> tuple[float, float]:
    best, where = math.inf, poly[0]
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((pt[0] - x0) * dx + (pt[1] - y0) * dy) / (dx * dx + dy * dy or 1)))
        q = (x0 + t * dx, y0 + t * dy)
        d = math.hypot(pt[0] - q[0], pt[1] - q[1])
        if d < best:
            best, where = d, q
    return where


def _overhang_cutout(body: Body, outline, board_top: float, board_bottom: float, p: EnclosureParams) -> Cutout:
    """A rectangular hole where BODY crosses the wall: across its box, at its height (above the board
    for a top part, below for a bottom one), straight out of the nearest edge."""
    corners = body.corners()
    cx, cy = sum(c[0] for c in corners) / 4, sum(c[1] for c in corners) / 4
    edge = nearest_on_polygon((cx, cy), outline)
    dx, dy = edge[0] - cx, edge[1] - cy
    if not point_in_polygon((cx, cy), outline):
        dx, dy = -dx, -dy
    length = math.hypot(dx, dy)
    if length < 1e-9:  # centred on the edge: straight out from the board's middle
        xs, ys = [q[0] for q in outline], [q[1] for q in outline]
        dx, dy = cx - sum(xs) / len(xs), cy - sum(ys) / len(ys)
        length = math.hypot(dx, dy) or 1.0
    direction = (dx / length, dy / length)
    across = max(c[0] * -direction[1] + c[1] * direction[0] for c in corners) - \
        min(c[0] * -direction[1] + c[1] * direction[0] for c in corners)
    depth = body.stands_off_mm + body.height_mm
    z = board_top + depth / 2 if body.side == "top" else board_bottom - depth / 2
    m = p.cutout_margin_mm
    (x0, y0), (x1, y1) = body.box_min_mm, body.box_max_mm
    grown = tuple(body.to_board(x, y) for x, y in ((x0 - m, y0 - m), (x1 + m, y0 - m), (x1 + m, y1 + m), (x0 - m, y1 + m)))
    return Cutout(body.ref, edge, direction, z, across + 2 * m, depth + 2 * m, False, for_plug=False, outline=grown)


def edge_bodies(model: BoardModel, p: EnclosureParams) -> list[str]:
    """Parts that reach into the gap between the board's edge and the wall (connectors, an
    overhanging Feather): the lid's lip stops short of them."""
    refs = []
    for body in model.bodies:
        for corner in body.corners():
            if not point_in_polygon(corner, model.outline) or distance_to_polygon(corner, model.outline) < p.clearance_mm + 0.5:
                refs.append(body.ref)
                break
    return refs
