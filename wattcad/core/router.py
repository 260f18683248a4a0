"""A grid router for two-layer boards (pure: no KiCad; the pcbnew adapter is kicad/route.py).

The board is sampled on a fine grid (half the routing pitch). For every net class the router keeps,
per copper layer, which fine cells a track centre of that class may cross: a cell within
(half the track width + the clearance to that copper) of another net's copper is closed to it.
Tracks run between routing nodes (every second fine cell) straight or at 45 degrees; a move is
allowed when its start, middle and end fine cells are open, so the copper between samples stays
within a quarter pitch of what was checked (the tolerance the checks below leave). Vias join the
layers where a via's pad fits. A net with a zone on a layer reaches it with a via inside the zone.

Deterministic: no randomness, connections in a fixed order, ties broken by node index.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from wattcad.core.router_search import DI, DJ, astar

Point = tuple[float, float]
# Kept beyond every clearance: a track between two checked cells passes a pad's corner up to a few
# micrometres nearer than either cell (0.1475 mm against 0.15 on esp32-ethernet before this).
HALO_MARGIN_MM = 0.005
LAYERS = ("F.Cu", "B.Cu")
OPEN = -1  # a fine cell no other net's copper is near
SHUT = -2  # near the copper of two nets, or of the board edge: no net may pass


@dataclass(frozen=True)
class NetClass:
    name: str
    track_mm: float
    clearance_mm: float
    via_diameter_mm: float
    via_drill_mm: float
    # The narrower width a track of the class necks down to where its full width does not fit (between
    # a fine-pitch part's pins, through a crowded gap), at NECK_COST a millimetre; None: it never does.
    neck_mm: float | None = None


NECK = "~neck"  # the grid's name for a class at its neck-down width
NECK_COST = 3.0  # what a millimetre necked down costs against one at the class's width


@dataclass(frozen=True)
class Copper:
    """Fixed copper: a pad (polygon), a track (segment with width) or a via (circle)."""

    net: int  # index into Problem.nets; -1 for no net
    layers: tuple[int, ...]  # 0 F.Cu, 1 B.Cu
    polygon: tuple[Point, ...] = ()
    segment: tuple[Point, Point] | None = None
    width_mm: float = 0.0
    centre: Point | None = None
    radius_mm: float = 0.0


@dataclass(frozen=True)
class Terminal:
    copper: int  # index into Problem.copper: the pad to start from or reach
    point: Point  # its anchor (pad centre)


@dataclass(frozen=True)
class Connection:
    net: int
    a: Terminal
    b: Terminal | None  # None: reach the net's zone with a via


@dataclass(frozen=True)
class Keepout:
    """An area the tracks (and/or vias) of some nets must not touch: a design rule of the board
    ("no digital track in the analog area"), honoured while routing and checked by KiCad after."""

    name: str
    polygons: tuple[tuple[Point, ...], ...]
    layers: tuple[int, ...]
    nets: frozenset[int]  # the nets it applies to
    tracks: bool = True
    vias: bool = False


@dataclass
class Problem:
    bbox: tuple[float, float, float, float]
    outline: list[Point]  # the board edge
    edge_clearance_mm: float
    nets: list[str]
    classes: dict[int, NetClass]  # net -> its class
    copper: list[Copper]
    connections: list[Connection]
    zones: dict[int, tuple[int, list[list[Point]]]] = field(default_factory=dict)  # net -> (layer, polygons)
    clearance_between: dict[tuple[str, str], float] = field(default_factory=dict)  # (class, class) -> more than both
    holes: list[tuple] = field(default_factory=list)  # unplated holes: centre, radius[, their own clearance]
    hole_clearance_mm: float = 0.25
    keepouts: list[Keepout] = field(default_factory=list)
    # Fine-pitch pads' escape directions: copper index -> (unit vector outward, length to reach from
    # the pad's centre). Their stubs are laid first, so no other net's track closes a pin in.
    escapes: dict[int, tuple[Point, float]] = field(default_factory=dict)
    # Differential pairs: net -> its partner. A pair's second net is drawn to run beside the first.
    pairs: dict[int, int] = field(default_factory=dict)
    # Copper index -> how much farther than the clearance other nets keep from it: a pad whose
    # solder-mask opening reaches past the clearance (a track there would be bared and bridged).
    copper_extra_mm: dict[int, float] = field(default_factory=dict)
    # Edge.Cuts beyond the outline: cutouts (polygons inside the outline, no copper in them) and
    # every other edge stroke (a slot, an outline KiCad could not close) as segments KiCad's
    # copper_edge_clearance measures to.
    cutouts: list[list[Point]] = field(default_factory=list)
    # Copper of no net (a mounting pad, an unused pin) keeps KiCad's Default class's clearance.
    no_net_clearance_mm: float = 0.0
    edge_segments: list[tuple[Point, Point]] = field(default_factory=list)


@dataclass
class Route:
    net: int
    tracks: list[tuple[int, Point, Point, float]] = field(default_factory=list)  # layer, start, end, width
    vias: list[tuple[Point, float, float]] = field(default_factory=list)  # centre, diameter, drill


@dataclass
class RouteResult:
    routes: list[Route]
    failed: list[tuple[Connection, str]]
    routed: int = 0  # connections made (the routes also hold the fan-out stubs)

    def necks(self, problem: Problem) -> dict[int, float]:
        """Per net, the length (mm) of its tracks necked down below its class's width."""
        out: dict[int, float] = {}
        for r in self.routes:
            full = problem.classes[r.net].track_mm
            for _, a, b, width in r.tracks:
                if width < full - 1e-9:
                    out[r.net] = out.get(r.net, 0.0) + math.dist(a, b)
        return out

    @property
    def track_length_mm(self) -> float:
        return sum(math.dist(a, b) for r in self.routes for _, a, b, _ in r.tracks)

    @property
    def via_count(self) -> int:
        return sum(len(r.vias) for r in self.routes)


# ------------------------------------------------------------------------------------ geometry
def _inside(px: np.ndarray, py: np.ndarray, polygon) -> np.ndarray:
    """Even-odd test of many points against one polygon."""
    inside = np.zeros(px.shape, dtype=bool)
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xcross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < xcross)
    return inside


def _segment_distance(px, py, a: Point, b: Point) -> np.ndarray:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return np.hypot(px - ax, py - ay)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))


def copper_distance(px, py, c: Copper) -> np.ndarray:
    """Distance from points to the copper's edge (0 inside it)."""
    if c.segment is not None:
        return np.maximum(_segment_distance(px, py, *c.segment) - c.width_mm / 2, 0.0)
    if c.centre is not None:
        return np.maximum(np.hypot(px - c.centre[0], py - c.centre[1]) - c.radius_mm, 0.0)
    poly = c.polygon
    d = np.full(px.shape, np.inf)
    for i in range(len(poly)):
        d = np.minimum(d, _segment_distance(px, py, poly[i], poly[(i + 1) % len(poly)]))
    return np.where(_inside(px, py, poly), 0.0, d)


def _polygon_mask(g, poly, reach_mm: float, mask: np.ndarray) -> None:
    """MASK (the grid's fine cells) set where a cell is inside POLY or nearer its edge than REACH_MM:
    copper_distance(...) < REACH_MM, cell for cell, without measuring every cell against every edge
    (a copper logo of thousands of edges took minutes). Inside: the even-odd rule a row at a time
    (the same crossings _inside counts); near: each edge against the cells of its own window."""
    area = Copper(-1, (0,), polygon=poly)
    i0, i1, j0, j1 = g._window(_extent(area), reach_mm)
    if i0 >= i1 or j0 >= j1:
        return
    xs = np.array([p[0] for p in poly], dtype=float)
    ys = np.array([p[1] for p in poly], dtype=float)
    x2, y2 = np.roll(xs, -1), np.roll(ys, -1)
    px = g.x0 + np.arange(j0, j1) * g.fine
    for i in range(i0, i1):
        py = g.y0 + i * g.fine
        crosses = (ys > py) != (y2 > py)
        if not crosses.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            xcross = np.sort((xs + (py - ys) * (x2 - xs) / (y2 - ys))[crosses])
        beyond = len(xcross) - np.searchsorted(xcross, px, side="right")  # crossings with px < xcross
        mask[i, j0:j1] |= (beyond % 2).astype(bool)
    for k in range(len(poly)):
        a, b = poly[k], poly[(k + 1) % len(poly)]
        e0, e1, f0, f1 = g._window((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])), reach_mm)
        e0, e1, f0, f1 = max(e0, i0), min(e1, i1), max(f0, j0), min(f1, j1)
        if e0 >= e1 or f0 >= f1:
            continue
        jj, ii = np.meshgrid(np.arange(f0, f1), np.arange(e0, e1))
        mask[e0:e1, f0:f1] |= _segment_distance(g.x0 + jj * g.fine, g.y0 + ii * g.fine, a, b) < reach_mm


def _extent(c: Copper) -> tuple[float, float, float, float]:
    if c.segment is not None:
        (x1, y1), (x2, y2) = c.segment
        h = c.width_mm / 2
        return min(x1, x2) - h, min(y1, y2) - h, max(x1, x2) + h, max(y1, y2) + h
    if c.centre is not None:
        return c.centre[0] - c.radius_mm, c.centre[1] - c.radius_mm, c.centre[0] + c.radius_mm, c.centre[1] + c.radius_mm
    xs, ys = [p[0] for p in c.polygon], [p[1] for p in c.polygon]
    return min(xs), min(ys), max(xs), max(ys)


_EDGE_CACHE: dict = {}


def _edge_distance(outline, cutouts, segments, x0, y0, fine, nx, ny, reach_mm):
    """Inside the board (the outline less its cutouts), and the distance to the nearest edge, of
    every fine cell, exact within REACH_MM of an edge (inf beyond: only nearer matters). Kept for
    the next pass over the same board: the edges do not change."""
    key = (outline, cutouts, segments, x0, y0, fine, nx, ny, reach_mm)
    if key not in _EDGE_CACHE:
        jj, ii = np.meshgrid(np.arange(nx), np.arange(ny))
        px, py = x0 + jj * fine, y0 + ii * fine
        inside = _inside(px, py, outline)
        edges = list(zip(outline, outline[1:] + outline[:1])) + list(segments)
        for cutout in cutouts:
            inside &= ~_inside(px, py, cutout)
            edges += list(zip(cutout, cutout[1:] + cutout[:1]))
        d = np.full(px.shape, np.inf)
        for a, b in edges:
            # Only the cells near the segment: an arc drawn as hundreds of segments stays cheap.
            i0, i1 = max(int((min(a[1], b[1]) - reach_mm - y0) / fine), 0), min(int((max(a[1], b[1]) + reach_mm - y0) / fine) + 2, ny)
            j0, j1 = max(int((min(a[0], b[0]) - reach_mm - x0) / fine), 0), min(int((max(a[0], b[0]) + reach_mm - x0) / fine) + 2, nx)
            if i0 < i1 and j0 < j1:
                window = d[i0:i1, j0:j1]
                np.minimum(window, _segment_distance(px[i0:i1, j0:j1], py[i0:i1, j0:j1], a, b), out=window)
        _EDGE_CACHE.clear()
        _EDGE_CACHE[key] = (inside, d)
    return _EDGE_CACHE[key]


# ------------------------------------------------------------------------------------ the grid
class Grid:
    """Per net class and layer, the fine cells a track centre may cross (OPEN, a net's own, SHUT)."""

    def __init__(self, problem: Problem, pitch_mm: float):
        self.problem = problem
        self.pitch = pitch_mm
        self.fine = pitch_mm / 2
        x0, y0, x1, y1 = problem.bbox
        self.x0 = math.floor(x0 / pitch_mm) * pitch_mm
        self.y0 = math.floor(y0 / pitch_mm) * pitch_mm
        self.nx = int(math.ceil((x1 - self.x0) / self.fine)) + 1
        self.ny = int(math.ceil((y1 - self.y0) / self.fine)) + 1
        # Each class, and beside it the class at its neck-down width (a class of its own here, with
        # its own map of where its narrower track fits).
        self.class_by_name = {c.name: c for c in problem.classes.values()}
        for c in problem.classes.values():
            if c.neck_mm is not None and c.neck_mm < c.track_mm - 1e-9:
                self.class_by_name[c.name + NECK] = replace(c, name=c.name + NECK, track_mm=c.neck_mm, neck_mm=None)
        self.class_names = sorted(self.class_by_name)
        self.class_of = {net: self.class_names.index(c.name) for net, c in problem.classes.items()}
        self.neck_of = {net: self.class_names.index(c.name + NECK) if c.name + NECK in self.class_by_name else self.class_of[net]
                        for net, c in problem.classes.items()}
        # maps[k, 0]: where a track centre of class k may pass; maps[k, 1]: where a via centre may stand.
        self.maps = np.full((len(self.class_names), 2, 2, self.ny, self.nx), OPEN, dtype=np.int16)
        self._edge()
        for index, c in enumerate(problem.copper):
            self.add(c, extra_mm=problem.copper_extra_mm.get(index, 0.0))
        for centre, radius, *own in problem.holes:  # own: the hole's own clearance, where it asks more
            self.add(Copper(-1, (0, 1), centre=centre, radius_mm=radius), extra_mm=max([problem.hole_clearance_mm] + own),
                     shut=True)
        self.base = self.maps.copy()  # the fixed copper alone: what rip-up may route through

    def restore(self, coppers: list[Copper]) -> None:
        """Back to the fixed copper, plus COPPERS (the routes that stay)."""
        self.maps[...] = self.base
        for c in coppers:
            self.add(c)

    def xy(self, i: int, j: int) -> Point:
        return self.x0 + j * self.fine, self.y0 + i * self.fine

    def cell(self, p: Point) -> tuple[int, int]:
        return int(round((p[1] - self.y0) / self.fine)), int(round((p[0] - self.x0) / self.fine))

    def halo_mm(self, k: int, net: int, via: bool = False) -> float:
        """How far a track centre (or via centre) of class k keeps from copper of NET: half its width
        (the via's radius) + the clearance."""
        mine = self.class_by_name[self.class_names[k]]
        name = mine.name.removesuffix(NECK)
        other = self.problem.classes.get(net)
        clearance = max(mine.clearance_mm, self.problem.no_net_clearance_mm if other is None else other.clearance_mm)
        if other is not None:
            clearance = max(clearance, self.problem.clearance_between.get((name, other.name), 0.0))
        else:
            clearance = max(clearance, self.problem.clearance_between.get((name, ""), 0.0))
        return (mine.via_diameter_mm if via else mine.track_mm) / 2 + clearance + HALO_MARGIN_MM

    def _window(self, box, reach):
        i0 = max(int((box[1] - reach - self.y0) / self.fine) - 1, 0)
        i1 = min(int((box[3] + reach - self.y0) / self.fine) + 2, self.ny)
        j0 = max(int((box[0] - reach - self.x0) / self.fine) - 1, 0)
        j1 = min(int((box[2] + reach - self.x0) / self.fine) + 2, self.nx)
        return i0, i1, j0, j1

    def add(self, c: Copper, extra_mm: float = 0.0, shut: bool = False) -> None:
        # The widest keep-away of any class, track or via (a 1 mm power track reaches farther than its via).
        reach = max(self.halo_mm(k, c.net, via) for k in range(len(self.class_names)) for via in (False, True)) + extra_mm
        i0, i1, j0, j1 = self._window(_extent(c), reach)
        if i0 >= i1 or j0 >= j1:
            return
        jj, ii = np.meshgrid(np.arange(j0, j1), np.arange(i0, i1))
        px, py = self.x0 + jj * self.fine, self.y0 + ii * self.fine
        dist = copper_distance(px, py, c)
        for k in range(len(self.class_names)):
            for kind in (0, 1):
                near = dist < self.halo_mm(k, -1 if shut else c.net, kind == 1) + extra_mm - 1e-9
                for layer in c.layers:
                    view = self.maps[k, kind, layer, i0:i1, j0:j1]
                    if shut or c.net < 0:
                        view[near] = SHUT
                    else:
                        view[near & (view == OPEN)] = c.net
                        view[near & (view != c.net) & (view != OPEN)] = SHUT

    def _edge(self) -> None:
        """Cells closer to the board edge than half a track + the edge clearance, or outside it."""
        p = self.problem
        inside, d = _edge_distance(tuple(p.outline), tuple(tuple(c) for c in p.cutouts), tuple(p.edge_segments),
                                   self.x0, self.y0, self.fine, self.nx, self.ny,
                                   max([c.via_diameter_mm for c in p.classes.values()] + [1.0]) / 2 + p.edge_clearance_mm + self.pitch)
        for k, name in enumerate(self.class_names):
            cls = self.class_by_name[name]
            for kind, size in ((0, cls.track_mm), (1, cls.via_diameter_mm)):
                bad = ~inside | (d < size / 2 + self.problem.edge_clearance_mm)
                for layer in (0, 1):
                    self.maps[k, kind, layer][bad] = SHUT


# ------------------------------------------------------------------------------------ search
LAYER_COST = (1.0, 2.5)  # prefer the top: the bottom carries the ground zones
VIA_COST_MM = 2.0
BEND_COST_MM = 0.1
RIP_COST_MM = 3.0  # crossing another net's route in the rip-up search
MAX_RIPS_PER_CONNECTION = 8
ROUNDS = 3  # whole routing rounds, the failed connections first in each next one
MAX_ROUNDS = 20  # rounds go on past ROUNDS while they help, up to this many
STALE_ROUNDS = 4  # ... and stop after this many in a row with no fewer failures
TIME_LIMIT = "not tried: the time limit was reached"
SEARCH_MARGIN_MM = 10.0
PAIR_FACTOR = 0.5  # the cost of a millimetre beside a pair's partner
PAIR_BAND = 3  # fine cells beyond the partner's keep-away that count as beside it
ZONE_SEARCH_MM = 12.0  # how far a zone net's pad looks for a spot for its via
WIDE_MARGIN_MM = 40.0  # how far a connection that found no way near its ends may stray


class Router:
    def __init__(self, problem: Problem, pitch_mm: float = 0.125, max_expansions: int = 3_000_000,
                 search_margin_mm: float = SEARCH_MARGIN_MM):
        self.problem = problem
        self.search_margin_mm = search_margin_mm
        self.shuffle = 0  # a round's number: the order of the connections shuffled by it (0: shortest first)
        self.grid = Grid(problem, pitch_mm)
        self.max_expansions = max_expansions
        # What each connection starts from and aims at: the island of copper its pad is joined to
        # so far (pads, stubs and routes, as nodes), kept by union-find over copper indices.
        self._parent: dict[int, int] = {}
        self._island_nodes: dict[int, set[tuple[int, int, int]]] = {}
        self._zone_masks: dict[tuple[int, int], np.ndarray] = {}
        self._pad_cache: dict[int, frozenset] = {}
        self._keepout_masks: dict[tuple[int, int, int], np.ndarray] = {}
        stubs = {c: self._stub(c, *e) for c, e in sorted(problem.escapes.items())}
        self.stubs: dict[int, tuple[Route, frozenset]] = {c: (s[0], frozenset(s[1])) for c, s in stubs.items() if s}
        for stub, _ in self.stubs.values():
            for c in route_copper(stub):
                self.grid.add(c)
        self.grid.base = self.grid.maps.copy()  # the stubs are fixed: rip-up never moves them

    # A node is (layer, i, j) on the fine grid with i, j even.
    def _pad_nodes(self, copper_index: int) -> frozenset[tuple[int, int, int]]:
        """Routing nodes inside a pad (a track may end anywhere on its own pad)."""
        if copper_index in self._pad_cache:
            return self._pad_cache[copper_index]
        g = self.grid
        c = self.problem.copper[copper_index]
        box = _extent(c)
        i0, i1, j0, j1 = g._window(box, 0.0)
        i0 += i0 % 2
        j0 += j0 % 2
        ii, jj = np.meshgrid(np.arange(i0, i1, 2), np.arange(j0, j1, 2), indexing="ij")
        inside = copper_distance(g.x0 + jj * g.fine, g.y0 + ii * g.fine, c) <= 1e-9
        cells = [(int(i), int(j)) for i, j in zip(ii[inside], jj[inside])]
        # Only the nodes a track of the pad's net may stand on: a node near the pad's edge would
        # put the track's side closer than the clearance to the neighbouring pad.
        k = g.neck_of.get(c.net, 0)  # a track may leave the pad necked down
        ci, cj = g.cell(c.centre or ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
        centre = (2 * round(ci / 2), 2 * round(cj / 2))  # the node nearest the centre
        nodes = set()
        for layer in c.layers:
            free = g.base[k, 0, layer]
            mine = [(i, j) for i, j in cells if free[i, j] in (OPEN, c.net)]
            nodes |= {(layer, i, j) for i, j in (mine or [centre])}
        nodes = frozenset(nodes)
        self._pad_cache[copper_index] = nodes
        return nodes

    def _stub(self, copper_index: int, direction: Point, length_mm: float):
        """A straight track from the pad's node nearest its centre outward (on the pad's layer),
        as long as the fixed copper leaves room, up to LENGTH_MM; None if there is no room."""
        g, c = self.grid, self.problem.copper[copper_index]
        if c.net < 0 or c.net not in self.problem.classes:
            return None
        k, layer = g.neck_of[c.net], c.layers[0]
        ci, cj = g.cell(_centre_of(c))
        i, j = 2 * round(ci / 2), 2 * round(cj / 2)
        di, dj = int(round(direction[1])), int(round(direction[0]))
        free = self.grid.maps[k, 0, layer].copy()
        for index, keepout in enumerate(self.problem.keepouts):
            if c.net in keepout.nets and keepout.tracks and layer in keepout.layers:
                free[self._keepout_mask(index, k, 0)] = SHUT
        path = [(layer, i, j)]
        for _ in range(int(length_mm / g.pitch)):
            ni, nj = path[-1][1] + 2 * di, path[-1][2] + 2 * dj
            if not (0 <= ni < g.ny and 0 <= nj < g.nx) or free[ni, nj] not in (OPEN, c.net) or \
                    free[ni - di, nj - dj] not in (OPEN, c.net):
                break
            path.append((layer, ni, nj))
        if len(path) < 2:
            return None
        width = g.class_by_name[g.class_names[k]].track_mm
        return Route(c.net, [(layer, g.xy(i, j), g.xy(path[-1][1], path[-1][2]), width)]), path

    def _copper_index(self, c: Copper) -> int:
        """The index of fixed copper C in the problem (for its extra keep-away)."""
        if not hasattr(self, "_index_of"):
            self._index_of = {id(x): i for i, x in enumerate(self.problem.copper)}
        return self._index_of.get(id(c), -1)

    def _stub_nodes(self, copper_index: int) -> frozenset:
        """The nodes of the pad's escape stub (none if it has none)."""
        return self.stubs[copper_index][1] if copper_index in self.stubs else frozenset()

    def _find(self, copper_index: int) -> int:
        if copper_index not in self._parent:
            self._parent[copper_index] = copper_index
            self._island_nodes[copper_index] = set(self._pad_nodes(copper_index)) | \
                set(self._stub_nodes(copper_index))
        root = copper_index
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[copper_index] != root:
            self._parent[copper_index], copper_index = root, self._parent[copper_index]
        return root

    def _terminals(self, net: int) -> list[Terminal]:
        """The pads the net's connections start from or reach."""
        return [t for c in self.problem.connections if c.net == net for t in (c.a, c.b) if t is not None]

    def _net_roots(self, net: int) -> set[int]:
        """The islands (union-find roots) of the net's terminals as routed so far."""
        return {self._find(t.copper) for t in self._terminals(net)}

    def _any_island(self, conn: Connection):
        """CONN made another way: its source joined to the nearest copper of its net on another
        island. KiCad's ratsnest picks the shortest pairs (two ground pins with two signal pins
        between them), not the ones that can be routed; any pair that joins two islands of the net
        does the same work. Returns the connection actually made and its path, or (CONN, None)."""
        if conn.b is None:
            return conn, None
        for source, other in ((conn.a, conn.b), (conn.b, conn.a)):
            flipped = Connection(conn.net, source, other)
            path = self.search(flipped, any_island=True)
            if path:
                end = path[-1]
                reached = next((t for t in self._terminals(conn.net) if self._find(t.copper) != self._find(source.copper)
                                and end in self._island_nodes[self._find(t.copper)]), None)
                if reached is not None:
                    return Connection(conn.net, source, reached), path
        return conn, None

    def _join(self, conn: Connection, path) -> None:
        """CONN's route joins its two islands (or grows its pad's island towards the zone)."""
        ra = self._find(conn.a.copper)
        if conn.b is not None:
            rb = self._find(conn.b.copper)
            if ra != rb:
                if len(self._island_nodes[ra]) < len(self._island_nodes[rb]):
                    ra, rb = rb, ra
                self._parent[rb] = ra
                self._island_nodes[ra] |= self._island_nodes.pop(rb)
        self._island_nodes[ra].update(path)

    def _keepout_mask(self, index: int, k: int, kind: int) -> np.ndarray:
        """Fine cells where a track (kind 0) or via (kind 1) centre of class k would touch keepout INDEX."""
        key = (index, k, kind)
        if key not in self._keepout_masks:
            g = self.grid
            cls = g.class_by_name[g.class_names[k]]
            half = (cls.via_diameter_mm if kind else cls.track_mm) / 2
            mask = np.zeros((g.ny, g.nx), dtype=bool)
            for poly in self.problem.keepouts[index].polygons:
                _polygon_mask(g, poly, half + 0.01, mask)
            self._keepout_masks[key] = mask
        return self._keepout_masks[key]

    def _zone_mask(self, net: int, k: int) -> np.ndarray:
        """Fine cells inside the net's zone far enough from its edge for a via to join the fill."""
        if (net, k) not in self._zone_masks:
            g = self.grid
            cls = g.class_by_name[g.class_names[k]]
            inset = cls.via_diameter_mm / 2 + cls.clearance_mm + 0.3  # the fill keeps off its own edge
            jj, ii = np.meshgrid(np.arange(g.nx), np.arange(g.ny))
            px, py = g.x0 + jj * g.fine, g.y0 + ii * g.fine
            mask = np.zeros(px.shape, dtype=bool)
            for poly in self.problem.zones[net][1]:
                inside = _inside(px, py, poly)
                d = np.full(px.shape, np.inf)
                for a, b in zip(poly, poly[1:] + poly[:1]):
                    d = np.minimum(d, _segment_distance(px, py, a, b))
                mask |= inside & (d >= inset)
            self._zone_masks[(net, k)] = mask
        return self._zone_masks[(net, k)]

    def search(self, conn: Connection, soft: bool = False, any_island: bool = False, wide: bool = False):
        """A* from the source pad to the target pad (or the net's routed copper), or to a via spot
        inside the net's zone: the path of nodes, or None. `soft`: other nets' routes may be crossed
        at a price (the rip-up pass then moves them). `any_island`: any copper of the net not yet
        joined to the source will do (see _any_island). `wide`: the search may stray WIDE_MARGIN_MM
        from its ends, not SEARCH_MARGIN_MM (a connection that found no way near them)."""
        g, net = self.grid, conn.net
        k = g.class_of[net]
        own = self._pad_nodes(conn.a.copper) | self._stub_nodes(conn.a.copper)
        starts = self._island_nodes[self._find(conn.a.copper)]
        if conn.b is not None:
            if self._find(conn.b.copper) == self._find(conn.a.copper):
                return []  # joined already, through the net's other routes
            goals = self._island_nodes[self._find(conn.b.copper)]
            if any_island:
                mine = self._find(conn.a.copper)
                goals = set().union(*(self._island_nodes[r] for r in self._net_roots(net) if r != mine))
            goal_cells = sorted({(i, j) for _, i, j in goals})
            margin = WIDE_MARGIN_MM if wide else self.search_margin_mm
        else:
            goals, goal_cells = set(), []
            margin = ZONE_SEARCH_MM
        if len(goal_cells) > 3:  # a routed tree: aim at its parts nearest the source
            si, sj = g.cell(conn.a.point)
            goal_cells = sorted(goal_cells, key=lambda c: ((c[0] - si) ** 2 + (c[1] - sj) ** 2, c))[:3]
        # The search stays within a margin around its ends: a connection that needs a longer detour
        # is not worth the time (rip-up moves what is in its way instead).
        cells = [(i, j) for _, i, j in own] + goal_cells
        reach = int(margin / g.fine)
        lo_i = max(min(c[0] for c in cells) - reach, 0)
        lo_j = max(min(c[1] for c in cells) - reach, 0)
        lo_i, lo_j = lo_i - lo_i % 2, lo_j - lo_j % 2  # node (a, b) is fine cell (lo_i + 2a, lo_j + 2b)
        rows = (min(max(c[0] for c in cells) + reach, g.ny - 1) - lo_i) // 2 + 1
        cols = (min(max(c[1] for c in cells) + reach, g.nx - 1) - lo_j) // 2 + 1
        fine = (slice(lo_i, lo_i + 2 * rows - 1), slice(lo_j, lo_j + 2 * cols - 1))
        nodes = (slice(lo_i, lo_i + 2 * rows - 1, 2), slice(lo_j, lo_j + 2 * cols - 1, 2))

        def allowed(maps, kind, window):
            v = maps[k, kind][(slice(None),) + window]
            return (v == OPEN) | (v == net)

        def allowed_class(maps, kc, window):
            v = maps[kc, 0][(slice(None),) + window]
            return (v == OPEN) | (v == net)

        track = allowed(g.maps, 0, fine)
        vias = allowed(g.base if soft else g.maps, 1, nodes).all(axis=0)
        soft_track = allowed(g.base, 0, fine) if soft else track
        kn = g.neck_of[net]
        necked = None
        if kn != k:  # where the class's width does not fit, a necked-down track may pass, at a price
            necked = allowed_class(g.maps, kn, fine) & ~track
            track = track | necked
            soft_track = soft_track | allowed_class(g.base, kn, fine) if soft else track
        for index, keepout in enumerate(self.problem.keepouts):
            if net not in keepout.nets:
                continue
            if keepout.tracks:
                barred = self._keepout_mask(index, k, 0)[fine]
                for layer in keepout.layers:
                    track[layer] &= ~barred
                    if soft:
                        soft_track[layer] &= ~barred
            if keepout.vias:
                vias &= ~self._keepout_mask(index, k, 1)[nodes]
        zone_layer = self.problem.zones[net][0] if conn.b is None else -1
        zone = self._zone_mask(net, k)[nodes] if conn.b is None else np.zeros((rows, cols), dtype=bool)
        goal = np.zeros((2, rows, cols), dtype=bool)
        for layer, i, j in goals:
            a, b = (i - lo_i) // 2, (j - lo_j) // 2
            if 0 <= a < rows and 0 <= b < cols:
                goal[layer, a, b] = True
        goal_nodes = np.array([((i - lo_i) // 2, (j - lo_j) // 2) for i, j in goal_cells], dtype=np.int64).reshape(-1, 2)
        start_nodes = np.array(sorted((layer, (i - lo_i) // 2, (j - lo_j) // 2) for layer, i, j in starts
                                      if 0 <= (i - lo_i) // 2 < rows and 0 <= (j - lo_j) // 2 < cols),
                               dtype=np.int64).reshape(-1, 3)
        attract = np.ones((2, rows, cols))
        partner = self.problem.pairs.get(net)
        if partner is not None and not soft:
            # Nodes just outside the partner's copper (as near as the clearance lets this net's
            # track run) cost PAIR_FACTOR of their length: the track follows its partner.
            held = g.maps[k, 0][(slice(None),) + fine] == partner
            beside = held.copy()
            for s in range(1, PAIR_BAND + 1):  # shifted within the window (no wrap round its edges)
                beside[:, s:, :] |= held[:, :-s, :]
                beside[:, :-s, :] |= held[:, s:, :]
                beside[:, :, s:] |= held[:, :, :-s]
                beside[:, :, :-s] |= held[:, :, s:]
            beside &= ~held
            attract[beside[:, ::2, ::2]] = PAIR_FACTOR
        if necked is not None:
            attract[necked[:, ::2, ::2]] *= NECK_COST
        h_scale = float(min(attract.min(), 1.0))
        path = astar(track, soft_track, vias, zone, goal, goal_nodes, start_nodes, soft, zone_layer, g.pitch,
                     np.array(LAYER_COST), VIA_COST_MM, BEND_COST_MM, RIP_COST_MM, self.max_expansions, DI, DJ,
                     attract, h_scale)
        if len(path) == 0:
            return None
        return [(int(layer), lo_i + 2 * int(a), lo_j + 2 * int(b)) for layer, a, b in path]

    @staticmethod
    def _unwind(parent, state) -> list[tuple[int, int, int]]:
        path = []
        while state is not None:
            path.append(state[0])
            state = parent[state]
        return path[::-1]

    def commit(self, conn: Connection, path: list[tuple[int, int, int]]) -> Route:
        """The path as tracks and vias (collinear steps of one width merged), added to the grid as
        copper. A step runs at the class's width where that fits (its start, middle and end cells
        open to the class), else at its neck-down width."""
        g, net = self.grid, conn.net
        cls = self.problem.classes[net]
        k, kn = g.class_of[net], g.neck_of[net]
        full_w, neck_w = cls.track_mm, g.class_by_name[g.class_names[kn]].track_mm
        route = Route(net)
        if not path:  # its ends were joined already
            self._join(conn, path)
            return route

        def fits(layer, i, j) -> bool:
            return 0 <= i < g.ny and 0 <= j < g.nx and g.maps[k, 0, layer, i, j] in (OPEN, net)

        pts = [(layer, g.xy(i, j)) for layer, i, j in path]
        # (layer, width, points) runs: a new run at each via and each change of width.
        runs: list[tuple[int, float, list[Point]]] = []
        for n in range(1, len(path)):
            (la, ia, ja), (lb, ib, jb) = path[n - 1], path[n]
            if la != lb:
                route.vias.append((pts[n][1], cls.via_diameter_mm, cls.via_drill_mm))
                continue
            width = full_w if kn == k or (fits(la, ia, ja) and fits(la, (ia + ib) // 2, (ja + jb) // 2) and fits(la, ib, jb)) else neck_w
            if runs and runs[-1][0] == la and runs[-1][1] == width and runs[-1][2][-1] == pts[n - 1][1]:
                runs[-1][2].append(pts[n][1])
            else:
                runs.append((la, width, [pts[n - 1][1], pts[n][1]]))
        segments: list[tuple[int, Point, Point, float]] = []
        for layer, width, points in runs:
            simplified = _simplify(points)
            segments += [(layer, a, b, width) for a, b in zip(simplified, simplified[1:])]

        def anchor_width(layer, node, point) -> float:
            """The class's width if it fits all along from the node to the pad's centre (sampled a
            fine cell apart: a pad's neighbour can come nearest midway), else the neck-down's."""
            a, b = g.xy(node[1], node[2]), point
            steps = max(int(math.dist(a, b) / 0.01) + 1, 1)
            t = np.linspace(0.0, 1.0, steps + 1)
            xs, ys = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            near = [(c, float(copper_distance(xs, ys, c).min())) for c in self.problem.copper
                    if c.net != net and layer in c.layers and _extent(c)[0] < box[2] + 2 and _extent(c)[2] > box[0] - 2
                    and _extent(c)[1] < box[3] + 2 and _extent(c)[3] > box[1] - 2]
            for kc, width in ((k, full_w), (kn, neck_w)):
                if all(d >= g.halo_mm(kc, c.net) + self.problem.copper_extra_mm.get(self._copper_index(c), 0.0)
                       for c, d in near):
                    return width
            return None  # the node lies on the pad already: no joint to its centre

        # A pad's anchor joined to the first (last) node inside it: the pad is convex, so the joint
        # stays on its copper. A track or via reached is joined where the node lies on it.
        first_layer, first_xy = pts[0]
        if self.problem.copper[conn.a.copper].polygon and path[0] in self._pad_nodes(conn.a.copper) \
                and math.dist(first_xy, conn.a.point) > 1e-6:
            width = anchor_width(first_layer, path[0], conn.a.point)
            if width is not None:
                segments.insert(0, (first_layer, conn.a.point, first_xy, width))
        if conn.b is not None:
            last_layer, last_xy = pts[-1]
            if self.problem.copper[conn.b.copper].polygon and path[-1] in self._pad_nodes(conn.b.copper) \
                    and math.dist(last_xy, conn.b.point) > 1e-6:
                width = anchor_width(last_layer, path[-1], conn.b.point)
                if width is not None:
                    segments.append((last_layer, last_xy, conn.b.point, width))
        else:
            route.vias.append((pts[-1][1], cls.via_diameter_mm, cls.via_drill_mm))
        for layer, a, b, width in segments:
            if math.dist(a, b) > 1e-9:
                route.tracks.append((layer, a, b, width))
        for c in route_copper(route):
            g.add(c)
        self._join(conn, path)
        return route

    def run(self, first: tuple[Connection, ...] = (), deadline: float | None = None) -> RouteResult:
        """Every connection, FIRST ones first, then shortest first; then the ones that found no way,
        each through the routes in its way, which are ripped up and routed again after it. Past
        DEADLINE (time.monotonic()) no search starts: what is routed is the result, the rest is
        listed as not routed for the time limit."""
        def out_of_time() -> bool:
            return deadline is not None and time.monotonic() > deadline

        order = list(first) + sorted((c for c in self.problem.connections if c not in first),
                                     key=lambda c: (c.b is None, math.dist(c.a.point, c.b.point) if c.b else 0.0,
                                                    c.net, c.a.point))
        if self.shuffle:  # a later round: the connections not failed before in another (seeded) order
            rest = order[len(first):]
            np.random.default_rng(self.shuffle).shuffle(rest)
            order = order[:len(first)] + rest
        done: dict[Connection, tuple[Route, list]] = {}  # connection -> its route and nodes
        failed, lost = [], []
        x0, y0, x1, y1 = self.problem.bbox
        off_board = [c for c in order if any(not (x0 <= t.point[0] <= x1 and y0 <= t.point[1] <= y1)
                                             for t in (c.a, c.b) if t is not None)]
        lost += [(c, "an end lies outside the board outline") for c in off_board]
        order = [c for c in order if c not in off_board]
        for conn in order:
            if out_of_time():
                lost.append((conn, TIME_LIMIT))
                continue
            path = self.search(conn)
            if path is None:
                failed.append(conn)
            else:
                done[conn] = (self.commit(conn, path), path)
        rips: dict[Connection, int] = {}
        queue = list(failed)
        while queue:
            conn = queue.pop(0)
            if out_of_time():
                lost += [(c, TIME_LIMIT) for c in [conn, *queue] if c not in done]
                break
            path = self.search(conn) or self.search(conn, wide=True)
            if path is None:
                made, path = self._any_island(conn)
                if path is not None:
                    done[made] = (self.commit(made, path), path)
                    if made not in order:
                        order.append(made)
                    continue
            if path is None and rips.get(conn, 0) < MAX_RIPS_PER_CONNECTION:
                soft = self.search(conn, soft=True)
                victims = self._in_the_way(soft, conn, done) if soft else []
                if victims:
                    for v in victims:
                        del done[v]
                        rips[v] = rips.get(v, 0) + 1
                    rips[conn] = rips.get(conn, 0) + 1
                    self._rebuild(done)
                    path = self.search(conn)
                    queue.extend(victims)
            if path is None:
                lost.append((conn, "no path, even after ripping up the routes in its way"))
                continue
            done[conn] = (self.commit(conn, path), path)
        # A stub whose pad no route reached would dangle: it goes.
        reached = {end for c in done for end in (c.a.copper, c.b.copper if c.b else None)}
        stubs = [stub for pad, (stub, _) in self.stubs.items() if pad in reached]
        routes = stubs + [done[c][0] for c in order if c in done]
        return RouteResult(routes, lost, len(done))

    def _in_the_way(self, path, conn: Connection, done) -> list[Connection]:
        """The routed connections of other nets whose copper is too near PATH."""
        g = self.grid
        xs = np.array([g.xy(i, j)[0] for _, i, j in path])
        ys = np.array([g.xy(i, j)[1] for _, i, j in path])
        layers = np.array([layer for layer, _, _ in path])
        k = g.class_of[conn.net]
        victims = []
        for other, (route, _) in done.items():
            if other.net == conn.net:
                continue
            reach = max(g.halo_mm(k, other.net, True), g.halo_mm(k, other.net))
            for c in route_copper(route):
                on = np.isin(layers, c.layers)
                if on.any() and (copper_distance(xs[on], ys[on], c) < reach).any():
                    victims.append(other)
                    break
        return victims

    def _rebuild(self, done) -> None:
        self.grid.restore([c for route, _ in done.values() for c in route_copper(route)])
        self._parent, self._island_nodes = {}, {}
        for conn, (_, path) in done.items():
            self._join(conn, path)


def diff_pairs(names: list[str]) -> dict[int, int]:
    """Differential pairs by KiCad's naming: NAME+ / NAME- and NAMEP / NAMEN (so /IAP and /IAN)."""
    index = {name: n for n, name in enumerate(names)}
    pairs = {}
    for name, n in index.items():
        for pos, neg in (("+", "-"), ("P", "N")):
            if name.endswith(pos) and name[:-1] + neg in index:
                pairs[n], pairs[index[name[:-1] + neg]] = index[name[:-1] + neg], n
    return pairs


Track = tuple[int, Point, Point]  # layer, start, end


def side_by_side(ours: list[Track], theirs: list[Track], within_mm: float = 1.0, step_mm: float = 0.05) -> tuple[float, float]:
    """(length of OURS, the part of it within WITHIN_MM, centre to centre, of a track of THEIRS on
    the same layer), in millimetres: how much of a pair's track runs beside its partner."""
    total = near = 0.0
    for layer, a, b in ours:
        length = math.dist(a, b)
        total += length
        same = [Copper(0, (layer,), segment=(c, d)) for lay, c, d in theirs if lay == layer]
        if not same or length == 0.0:
            continue
        steps = max(1, int(length / step_mm))
        t = (np.arange(steps) + 0.5) / steps
        xs, ys = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        d = np.min([copper_distance(xs, ys, c) for c in same], axis=0)
        near += length * float((d <= within_mm).mean())
    return total, near


def pair_shares(tracks: dict[str, list[Track]], within_mm: float = 1.0) -> dict[tuple[str, str], float]:
    """Each differential pair of TRACKS' nets (by diff_pairs): the share of the pair's track length
    that runs within WITHIN_MM of the other net's track."""
    names = sorted(tracks)
    shares = {}
    for n, m in sorted(diff_pairs(names).items()):
        if n < m:
            p, q = names[n], names[m]
            tp, np_ = side_by_side(tracks[p], tracks[q], within_mm)
            tq, nq = side_by_side(tracks[q], tracks[p], within_mm)
            pos, neg = (p, q) if p.endswith(("P", "+")) else (q, p)
            shares[(pos, neg)] = (np_ + nq) / (tp + tq) if tp + tq else 0.0
    return shares


def _centre_of(c: Copper) -> Point:
    x0, y0, x1, y1 = _extent(c)
    return c.centre or ((x0 + x1) / 2, (y0 + y1) / 2)


def route_copper(route: Route) -> list[Copper]:
    return [Copper(route.net, (layer,), segment=(a, b), width_mm=w) for layer, a, b, w in route.tracks] + \
           [Copper(route.net, (0, 1), centre=c, radius_mm=d / 2) for c, d, _ in route.vias]


def _simplify(points: list[Point]) -> list[Point]:
    """Drop the points in the middle of straight runs."""
    out = [points[0]]
    for p, q in zip(points[1:], points[2:]):
        a = out[-1]
        if abs((p[0] - a[0]) * (q[1] - p[1]) - (p[1] - a[1]) * (q[0] - p[0])) > 1e-9:
            out.append(p)
    if len(points) > 1:
        out.append(points[-1])
    return out


def route(problem: Problem, pitch_mm: float = 0.125, rounds: int = ROUNDS, first_nets: tuple[str, ...] = (),
          deadline: float | None = None, more_rounds: bool = True) -> RouteResult:
    """Route the problem, the connections of FIRST_NETS first; while connections fail, route it
    again from scratch with them first too (a connection that lost out to the ones routed before it
    often finds its way when it goes first). The result with the fewest failures (then the
    shortest) is kept. MORE_ROUNDS: past ROUNDS, rounds go on while they bring fewer failures
    (STALE_ROUNDS in a row without, or MAX_ROUNDS in all, end it), the rest of the order shuffled
    by the round's number: a fixed seed, so the same problem routes the same way. Past DEADLINE
    (time.monotonic()) no new round starts and the round under way stops searching: the best result
    so far is returned, never nothing."""
    best = None
    first = tuple(c for name in first_nets for c in problem.connections if problem.nets[c.net] == name)
    n = stale = 0
    while n < rounds or (more_rounds and best.failed and stale < STALE_ROUNDS and n < MAX_ROUNDS):
        if best is not None and deadline is not None and time.monotonic() > deadline:
            break
        router = Router(problem, pitch_mm)
        if n >= rounds:
            router.shuffle = n
        result = router.run(first, deadline)
        stale = 0 if best is None or len(result.failed) < len(best.failed) else stale + 1
        if best is None or (len(result.failed), result.track_length_mm) < (len(best.failed), best.track_length_mm):
            best = result
        if not result.failed:
            break
        first = first + tuple(c for c, _ in result.failed if c not in first)
        n += 1
    return best
