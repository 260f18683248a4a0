"""Deterministic board placement (pure: no pcbnew). Millimetres, KiCad board axes (+y down),
orientations in degrees counter-clockwise as seen on screen.

Fixed parts (connectors, holes, the IC) come from the board's plan; every other part is placed
next to what it connects to: each part in turn, nearest to the pads it shares a small net with,
pushed out from the part it hangs on, oriented so its connecting pad faces that pad, then moved to
the nearest spot (spiral search) where its courtyard touches no other courtyard and stays inside
the outline."""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from wattcad.core.placement import natural_key

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PartGeom:
    ref: str
    courtyard: Box  # local, unrotated
    pads: dict[str, tuple[float, float]]  # pin -> local centre


@dataclass(frozen=True)
class Placed:
    x_mm: float
    y_mm: float
    angle_deg: float


@dataclass
class Outline:
    kind: str  # rect | circle
    x_mm: float = 0.0
    y_mm: float = 0.0
    width_mm: float = 0.0
    height_mm: float = 0.0
    corner_radius_mm: float = 0.0
    cx_mm: float = 0.0
    cy_mm: float = 0.0
    radius_mm: float = 0.0

    def contains(self, box: Box, margin_mm: float) -> bool:
        x0, y0, x1, y1 = box
        if self.kind == "rect":
            return (x0 >= self.x_mm + margin_mm and y0 >= self.y_mm + margin_mm and
                    x1 <= self.x_mm + self.width_mm - margin_mm and y1 <= self.y_mm + self.height_mm - margin_mm)
        r = self.radius_mm - margin_mm
        return all(math.hypot(x - self.cx_mm, y - self.cy_mm) <= r for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))

    @property
    def centre(self) -> tuple[float, float]:
        if self.kind == "rect":
            return self.x_mm + self.width_mm / 2, self.y_mm + self.height_mm / 2
        return self.cx_mm, self.cy_mm


def rotate(x: float, y: float, angle_deg: float) -> tuple[float, float]:
    """KiCad's rotation: counter-clockwise on screen with +y down."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    return x * c + y * s, -x * s + y * c


def placed_box(geom: PartGeom, pose: Placed, inflate_mm: float = 0.0) -> Box:
    x0, y0, x1, y1 = geom.courtyard
    pts = [rotate(x, y, pose.angle_deg) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    xs, ys = [pose.x_mm + p[0] for p in pts], [pose.y_mm + p[1] for p in pts]
    return min(xs) - inflate_mm, min(ys) - inflate_mm, max(xs) + inflate_mm, max(ys) + inflate_mm


def pad_position(geom: PartGeom, pose: Placed, pin: str) -> tuple[float, float]:
    px, py = rotate(*geom.pads[pin], pose.angle_deg)
    return pose.x_mm + px, pose.y_mm + py


def boxes_overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass
class LayoutResult:
    poses: dict[str, Placed] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)


def layout(parts: dict[str, PartGeom], pin_net: dict[tuple[str, str], str], outline: Outline,
           fixed: dict[str, Placed], root: str, big_net_size: int = 8, clearance_mm: float = 0.25,
           edge_margin_mm: float = 1.0, grid_mm: float = 0.25, search_radius_mm: float = 45.0,
           priority: tuple[str, ...] = ("Y", "C"), root_keepout_mm: float = 0.0) -> LayoutResult:
    """Place every part of PARTS that FIXED does not; ROOT (the IC) anchors the order."""
    result = LayoutResult(poses=dict(fixed))
    net_members: dict[str, list[tuple[str, str]]] = {}
    for (ref, pin), net in pin_net.items():
        if ref in parts:
            net_members.setdefault(net, []).append((ref, pin))
    small = {n for n, m in net_members.items() if len(m) <= big_net_size}
    neighbours: dict[str, set[str]] = {ref: set() for ref in parts}
    for net in sorted(small):
        refs = {r for r, _ in net_members[net]}
        for r in refs:
            neighbours[r] |= refs - {r}
    # Breadth-first from the root over small nets; parts tied only to big nets (ground, supply) last.
    order: list[str] = []
    seen = set(fixed) | {root}
    queue = deque(sorted(fixed, key=lambda r: (r != root, r)))
    def rank(r: str):
        # Within a layer: crystals first (they must hug their pins), then capacitors (decoupling and
        # filters beside their pins), then the rest.
        prefix = "".join(ch for ch in r if ch.isalpha())
        return (priority.index(prefix) if prefix in priority else len(priority), natural_key(r))

    while queue:
        ref = queue.popleft()
        for n in sorted(neighbours.get(ref, ()), key=rank):
            if n not in seen:
                seen.add(n)
                order.append(n)
                queue.append(n)
    order += sorted((r for r in parts if r not in seen), key=natural_key)
    # Decoupling capacitors (only on big nets, one of them a supply pin of the root IC) would come
    # last by the walk above, when the room by their pins is taken: they go right after the crystal.
    root_nets = {net for (ref, _), net in pin_net.items() if ref == root and net not in small}
    def decoupling(r: str) -> bool:
        nets = {net for (ref, _), net in pin_net.items() if ref == r}
        return r.startswith(priority[-1]) and bool(nets) and not nets & small and bool(nets & root_nets) and len(nets) > 1
    first = [r for r in order if r.startswith(priority[0])]
    order = first + [r for r in order if decoupling(r) and r not in first] + \
        [r for r in order if not decoupling(r) and r not in first]
    # The parts on the root's pins (but the crystal) get slots in rows along the side of their pin,
    # in the order of the pins: a part beside its neighbour's pin would make two tracks cross.
    slots = {}
    if root in result.poses:
        # A crystal's load capacitors hang on the crystal, not in a row along the chip.
        crystal_nets = {net for (ref, _), net in pin_net.items() if ref in first}
        by_crystal = {ref for (ref, _), net in pin_net.items() if net in crystal_nets & small}
        on_pins = _root_pins(root, parts, pin_net, small,
                             [r for r in order if r not in first and r not in fixed and r not in by_crystal], decoupling)
        slots = _fan_slots(root, parts, result.poses, on_pins, clearance_mm, root_keepout_mm,
                           lambda r: r.startswith(priority[-1]))
        order = first + sorted(slots, key=lambda r: slots[r][2]) + [r for r in order if r not in first and r not in slots]

    boxes = {ref: placed_box(parts[ref], pose, clearance_mm / 2 + (root_keepout_mm if ref == root else 0.0))
             for ref, pose in result.poses.items() if ref in parts}
    for ref in order:
        geom = parts[ref]
        if ref in slots:
            desired, angle, _ = slots[ref]
        else:
            desired, angle = _desired(ref, geom, parts, result.poses, pin_net, net_members, small, outline, root)
        pose = _find_free(geom, desired, angle, boxes, outline, clearance_mm, edge_margin_mm, grid_mm, search_radius_mm)
        if pose is None:
            result.unplaced.append(ref)
            continue
        result.poses[ref] = pose
        boxes[ref] = placed_box(geom, pose, clearance_mm / 2)
    return result


def _root_pins(root, parts, pin_net, small, refs, decoupling) -> dict[str, tuple[str, str]]:
    """For each of REFS on a pin of the root: (its own pad, the root's pin) of the first root pin
    (in pin order) it shares a small net with; a decoupling capacitor takes its net's root pins in
    turn, so two capacitors of one supply sit at its two pins."""
    root_pins = sorted(parts[root].pads, key=natural_key)
    pins_of: dict[str, list[str]] = {}
    for pin in root_pins:
        pins_of.setdefault(pin_net.get((root, pin)), []).append(pin)
    taken: dict[str, int] = {}
    out = {}
    for ref in refs:
        # Net -> its own pad (the lowest-numbered one where a part has two pads on a net).
        own = {pin_net.get((ref, pin)): pin for pin in sorted(parts[ref].pads, key=natural_key, reverse=True)}
        shared = [(root_pins.index(pins_of[net][0]), net) for net in own if net in pins_of and net in small]
        if shared:
            net = min(shared)[1]
            out[ref] = (own[net], pins_of[net][0])
        elif decoupling(ref):
            net = next(net for net in sorted(own, key=str) if net in pins_of)
            n = taken.get(net, 0)
            taken[net] = n + 1
            out[ref] = (own[net], pins_of[net][n % len(pins_of[net])])
    return out


CORNER_ROOM_MM = 1.0  # how far past the chip's corner the first row of parts may reach


class _RowPart(NamedTuple):
    """A part in a fan-out row; sorted, the row follows the pins along the side."""
    u: float  # where its root pin lies along the side (mm from the chip's centre)
    pin_key: tuple
    ref_key: tuple
    ref: str
    angle: float
    along: list[float]  # its box's extent along the side, from its pose
    across: list[float]  # and away from the chip


def _fan_slots(root, parts, poses, on_pins, gap_mm, keepout_mm, inner_row):
    """A desired spot and angle per part of ON_PINS (ref -> (own pad, root pin)), and its place in
    the placing order: rows along each side of the root, INNER_ROW parts next to the chip and the
    rest behind them, each row in the order of the pins it serves, packed gap to gap and centred on
    those pins."""
    geom, pose = parts[root], poses[root]
    cx, cy = pose.x_mm, pose.y_mm
    root_box = placed_box(geom, pose)
    rows: dict[tuple, list] = {}
    for ref, (own, pin) in on_pins.items():
        px, py = pad_position(geom, pose, pin)
        dx, dy = px - cx, py - cy
        normal = (1.0 if dx >= 0 else -1.0, 0.0) if abs(dx) >= abs(dy) else (0.0, 1.0 if dy >= 0 else -1.0)
        tangent = (-normal[1], normal[0])
        angle = _facing_angle(parts[ref], own, normal)
        box = placed_box(parts[ref], Placed(0.0, 0.0, angle))
        corners = [(box[0], box[1]), (box[2], box[3])]
        along = sorted(x * tangent[0] + y * tangent[1] for x, y in corners)
        across = sorted(x * normal[0] + y * normal[1] for x, y in corners)
        u = dx * tangent[0] + dy * tangent[1]
        row = 0 if inner_row(ref) else 1
        rows.setdefault((normal, row), []).append(_RowPart(u, natural_key(pin), natural_key(ref), ref, angle, along, across))
    # How far each side's first row starts from the chip's centre.
    edge = {}
    for normal, _ in rows:
        xs = [root_box[0] - cx, root_box[2] - cx]
        ys = [root_box[1] - cy, root_box[3] - cy]
        edge[normal] = max(x * normal[0] for x in xs) if normal[0] else max(y * normal[1] for y in ys)
    # One row per tier and side, in pin order, packed gap to gap and centred on its pins. A row
    # longer than the chip's side goes out until it fits the side's 45-degree wedge round the chip
    # (with CORNER_ROOM_MM past the corner): so no row meets a neighbouring side's, and every pin's
    # track fans out to its part without passing another pin's part. (Rows dealt into interleaved
    # staggered sub-rows, as before, sat closer but sent the outer parts' tracks between the inner
    # parts' pads, where a filter's own ground pad blocked its way on: on both boards one input
    # could not be routed.)
    half_side = {}
    chip_edge = dict(edge)
    for normal in edge:
        span = (root_box[2] - root_box[0]) if normal[1] else (root_box[3] - root_box[1])
        half_side[normal] = span / 2 + keepout_mm + gap_mm + CORNER_ROOM_MM
    packed: dict[tuple, list] = {}
    for (normal, tier), members in rows.items():
        members.sort()
        at, previous = [], None
        for it in members:
            u, along = it.u, it.along
            centre = u + (along[0] + along[1]) / 2
            if previous is not None:
                step = (previous[1] - previous[0]) / 2 + gap_mm + (along[1] - along[0]) / 2
                centre = max(centre, at[-1] + (previous[0] + previous[1]) / 2 + step)
            at.append(centre - (along[0] + along[1]) / 2)
            previous = along
        shift = sum(it.u for it in members) / len(members) - sum(at) / len(at)
        packed[(normal, tier)] = [(item, t + shift) for item, t in zip(members, at)]
    slots = {}
    for normal, tier in sorted(packed, key=lambda k: (k[1], k[0])):
        placed = packed[(normal, tier)]
        inner = edge[normal] + (keepout_mm if tier == 0 else 0.0) + gap_mm
        reach = max(max(abs(t + it.along[0]), abs(t + it.along[1])) for it, t in placed)
        inner = max(inner, chip_edge[normal] + reach - half_side[normal])
        centre_n = inner - min(it.across[0] for it, _ in placed)
        tangent = (-normal[1], normal[0])
        for it, t in placed:
            x = cx + normal[0] * centre_n + tangent[0] * t
            y = cy + normal[1] * centre_n + tangent[1] * t
            slots[it.ref] = ((x, y), it.angle, (tier, len(slots)))
        edge[normal] = centre_n + max(it.across[1] for it, _ in placed)
    return slots


def _facing_angle(geom: PartGeom, pin: str, outward: tuple[float, float]) -> float:
    """The orientation (multiple of 90 degrees) that points PIN's pad back against OUTWARD."""
    own = geom.pads.get(pin, (0.0, 0.0))
    if abs(own[0]) < 1e-6 and abs(own[1]) < 1e-6:
        return 0.0
    own_dir = math.degrees(math.atan2(-own[1], own[0]))  # local pad direction, CCW from +x
    want = math.degrees(math.atan2(outward[1], -outward[0]))  # towards the anchor, CCW on screen
    return round((want - own_dir) / 90.0) * 90.0 % 360.0


def _desired(ref, geom, parts, poses, pin_net, net_members, small, outline, root) -> tuple[tuple[float, float], float]:
    """Where a part wants to be: beside the placed pads it shares a small net with (a big net's
    pads on the root count when there is nothing else), its own connecting pad facing them."""
    anchors = []  # (own pin, anchor point, anchor part)
    for pin in sorted(geom.pads, key=natural_key):
        net = pin_net.get((ref, pin))
        if net is None:
            continue
        for other, other_pin in net_members.get(net, ()):
            if other != ref and other in poses and other_pin in parts[other].pads and net in small:
                anchors.append((pin, pad_position(parts[other], poses[other], other_pin), other))
    if not anchors:
        # Only big nets (supply, ground): hang on the root IC's pin of that net when it has one
        # (decoupling next to its supply pin), else on any placed pad of it.
        for pin in sorted(geom.pads, key=natural_key):
            net = pin_net.get((ref, pin))
            members = [(o, op) for o, op in net_members.get(net, ()) if o != ref and o in poses and op in parts[o].pads]
            members.sort(key=lambda m: (m[0] != root, natural_key(m[0]), natural_key(m[1])))
            if members:
                other, other_pin = members[0]
                anchors.append((pin, pad_position(parts[other], poses[other], other_pin), other))
                break
    if not anchors:
        return outline.centre, 0.0
    # The root IC's pads first: a part that touches the IC belongs beside that pin.
    anchors.sort(key=lambda a: a[2] != root)
    pin, (ax, ay), parent = anchors[0]
    parent_pose = poses[parent]
    dx, dy = ax - parent_pose.x_mm, ay - parent_pose.y_mm
    # Push outward from the parent's centre, along the dominant axis of the anchor's offset.
    if abs(dx) >= abs(dy):
        direction = (1.0 if dx >= 0 else -1.0, 0.0)
    else:
        direction = (0.0, 1.0 if dy >= 0 else -1.0)
    angle = _facing_angle(geom, pin, direction)
    half = max(abs(geom.courtyard[2] - geom.courtyard[0]), abs(geom.courtyard[3] - geom.courtyard[1])) / 2
    gap = half + 0.8
    return (ax + direction[0] * gap, ay + direction[1] * gap), angle


def _find_free(geom, desired, angle, boxes, outline, clearance_mm, edge_margin_mm, grid_mm, radius_mm) -> Placed | None:
    dx0 = round(desired[0] / grid_mm) * grid_mm
    dy0 = round(desired[1] / grid_mm) * grid_mm
    for ring in range(int(radius_mm / grid_mm) + 1):
        candidates = _ring(ring)
        for i, j in candidates:
            for a in (angle, (angle + 180.0) % 360.0, (angle + 90.0) % 360.0, (angle + 270.0) % 360.0):
                pose = Placed(round(dx0 + i * grid_mm, 6), round(dy0 + j * grid_mm, 6), a)
                box = placed_box(geom, pose, clearance_mm / 2)
                if not outline.contains(box, edge_margin_mm):
                    continue
                if any(boxes_overlap(box, other) for other in boxes.values()):
                    continue
                return pose
            # only try other orientations when the preferred one fails at this spot
    return None


def _ring(n: int) -> list[tuple[int, int]]:
    """Grid points at Chebyshev distance n, nearest (Euclidean) first, ties in a fixed order."""
    if n == 0:
        return [(0, 0)]
    pts = [(i, j) for i in range(-n, n + 1) for j in (-n, n)] + [(i, j) for i in (-n, n) for j in range(-n + 1, n)]
    return sorted(set(pts), key=lambda p: (p[0] * p[0] + p[1] * p[1], p[1], p[0]))
