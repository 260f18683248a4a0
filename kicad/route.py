"""`wattcad route`: the board's unrouted connections routed by wattcad's own grid router
(wattcad/core/router.py), through pcbnew (thin adapter).

What is unrouted comes from KiCad itself: kicad-cli's DRC lists every missing connection between
two items. Pads, tracks and vias already on the board are kept and routed around; widths and
clearances come from the board's net classes and the clearance rules of its .kicad_dru; a net
with a zone reaches it with a via. The result is checked with kicad-cli DRC before anything is
written over the board: a route that leaves DRC errors goes to --out only."""
from __future__ import annotations

import fnmatch
import json
import math
import secrets
import shutil
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.dru import class_clearances
from wattcad.core.errors import InputError, MissingToolError
from wattcad.core.processes import tool_kwargs
from wattcad.core.router import Connection, Copper, NetClass, Problem, RouteResult, Terminal, diff_pairs, pair_shares, route

from .board_io import edge_strokes, load_board, read_outline, save_board
from .drc import violation_text
from .pcbnew_compat import pcbnew
from .route_rules import (
    MASK_MARGIN_MM,
    area_rule_keepouts,
    copper_shapes,
    design_rules,
    item_polygon,
    mask_reach_mm,
    rule_area_keepouts,
    zone_rings,
)
from .route_zones import (
    FILL_TRIAL_S,
    feed_thermals,
    fill_zones,
    kicad_drc,
    refill_and_check,
    ring_area,
    spoke_corridors,
    stitch_zones,
    tent,
    unrouted_count,
    zone_fill_finishes,
    zones_filled,
)

MAX_PASSES = 4
THERMAL_RING_MM = 1.0  # the zone's thermal gap (0.5 mm) and the start of its spokes
ROUTE_WIDTH_CAP_MM = 0.2  # the neck-down width: the widest track that leaves a 0.5 mm pitch pin (see below)


@dataclass
class RouteReport:
    board: Path
    written: Path | None
    connections: int
    routed: int
    failed: list[str]
    tracks: int
    vias: int
    track_length_mm: float
    drc_errors: list[str]
    unconnected_after: int
    seconds: float = 0.0
    in_editor: bool = False  # the plugin's: the tracks went into the open board, nothing was written
    pairs: dict = field(default_factory=dict)  # (P net, N net) -> share of their track side by side
    notes: list[str] = field(default_factory=list)  # how the board was read (an outline that is not closed)
    necks: dict[str, float] = field(default_factory=dict)  # net -> mm of its tracks necked below its class's width

    @property
    def complete(self) -> bool:
        return not self.failed and not self.drc_errors and self.unconnected_after == 0

    def summary(self) -> str:
        lines = [f"{self.board.name}: {self.routed} of {self.connections} connections routed, {self.tracks} tracks "
                 f"({self.track_length_mm:.0f} mm), {self.vias} vias; after: {self.unconnected_after} unrouted, "
                 f"{len(self.drc_errors)} DRC errors" + ("; added to the open board (not saved)" if self.in_editor else
                                                  f"; written to {self.written}" if self.written else "; NOT written")]
        if self.pairs:
            lines.append("  pairs side by side (within 1 mm): " + ", ".join(
                f"{p.lstrip('/')}/{n.lstrip('/')} {share:.0%}" for (p, n), share in sorted(self.pairs.items())))
        lines += [f"  note: {n}" for n in self.notes]
        if self.necks:
            lines.append(f"  necked down below the class width ({len(self.necks)} nets, mm of track): " + ", ".join(
                f"{net} {mm:.1f} mm" for net, mm in sorted(self.necks.items())[:20]) + (" ..." if len(self.necks) > 20 else ""))
        lines += [f"  not routed: {f}" for f in self.failed[:40]]
        lines += [f"  DRC: {e}" for e in self.drc_errors[:40]]
        return "\n".join(lines)


def _net_classes(board, board_file: Path, names: list[str], ds) -> tuple[dict[int, NetClass], dict]:
    """Each net's class (width, neck-down, clearance, via), from the project file's classes, and
    the classes as declared there."""
    to_mm, index = pcbnew.ToMM, {n: i for i, n in enumerate(names)}
    # The net classes' sizes from the project file (pcbnew's Python hands NETCLASS back unwrapped).
    pro = board_file.with_suffix(".kicad_pro")
    if not pro.is_file():
        raise InputError(pro, None, "the project file is missing: its net classes give the widths and clearances")
    declared = {c["name"]: c for c in json.loads(pro.read_text(encoding="utf-8")).get("net_settings", {}).get("classes", [])}
    if "Default" not in declared:
        raise InputError(pro, "net_settings.classes", "no Default net class")
    classes = {}
    for name in names:
        cls_name = str(board.FindNet(name).GetNetClassName()).split(",")[0]
        c = declared.get(cls_name, declared["Default"])
        fallback = declared["Default"]
        size = {k: float(c.get(k) or fallback[k]) for k in ("track_width", "clearance", "via_diameter", "via_drill")}
        # The class's width where it fits; near its pads a track necks down where a pin's pitch asks:
        # power nets end on 0.5 mm pitch pins, which a 0.4 mm track cannot leave; 0.2 mm leaves the
        # margin to an analog neighbour (0.25 mm clearance). Never below the board's own minimum
        # (KiCad's pic_programmer demo asks for 0.25 mm: narrower tracks were 199 DRC errors there).
        width = max(size["track_width"], to_mm(ds.m_TrackMinWidth))
        neck = max(min(width, ROUTE_WIDTH_CAP_MM), to_mm(ds.m_TrackMinWidth))
        classes[index[name]] = NetClass(cls_name, width, size["clearance"], size["via_diameter"], size["via_drill"],
                                        neck_mm=neck if neck < width else None)
    return classes, declared


def _fixed_copper(board, index: dict, classes: dict, ds, keepouts: list):
    """The copper already on the board (pads, tracks, vias) as the router sees it, with each item's
    extra keep-away (its mask opening, its own clearance), the unplated holes, and the through-hole
    pads of nets (for their thermal rings). KEEPOUTS gets the copper drawn as shapes and the rule
    areas. Returns copper, items (KiCad uuid -> index into copper), holes, thermals, extra keep-away."""
    to_mm = pcbnew.ToMM
    copper, items, holes, thermals = [], {}, [], []  # items: KiCad uuid -> index into copper
    mask_extra, min_clearance = {}, min((c.clearance_mm for c in classes.values()), default=0.0)
    for fp in sorted(board.GetFootprints(), key=lambda f: f.GetReference()):
        for pad in fp.Pads():
            net = index.get(pad.GetNetname(), -1)
            layers = tuple(i for i, layer in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)) if pad.IsOnLayer(layer))
            # A pad's own clearance (its local override, or its footprint's: a mounting hole that asks
            # 1.65 mm) where it is more than the classes'.
            own = to_mm(pad.GetOwnClearance(pcbnew.F_Cu if pad.IsOnLayer(pcbnew.F_Cu) else pcbnew.B_Cu))
            if pad.GetAttribute() == pcbnew.PAD_ATTRIB_NPTH:
                holes.append(((to_mm(pad.GetPosition().x), to_mm(pad.GetPosition().y)), to_mm(pad.GetDrillSize().x) / 2,
                              own))
                continue
            if not layers:
                continue
            poly = item_polygon(pad, pcbnew.F_Cu if 0 in layers else pcbnew.B_Cu)
            if not poly:
                continue
            items[pad.m_Uuid.AsString()] = len(copper)
            reach = max(mask_reach_mm(pad, layers, ds), own) - min_clearance
            if reach > 0:
                mask_extra[len(copper)] = reach + MASK_MARGIN_MM
            copper.append(Copper(net, layers, polygon=poly))
            if len(layers) == 2 and net >= 0:
                xs, ys = [p[0] for p in poly], [p[1] for p in poly]
                thermals.append((_centre(poly), max(max(xs) - min(xs), max(ys) - min(ys)) / 2, net))
    keepouts += copper_shapes(board, index, classes, ds) + rule_area_keepouts(board, frozenset(classes))
    for t in board.GetTracks():
        net = index.get(t.GetNetname(), -1)
        items[t.m_Uuid.AsString()] = len(copper)
        if t.GetClass() == "PCB_VIA":
            if not (t.IsTented(pcbnew.F_Mask) and t.IsTented(pcbnew.B_Mask)):  # bared: its opening is kept clear too
                reach = to_mm(ds.m_SolderMaskExpansion) + to_mm(ds.m_SolderMaskToCopperClearance) - min_clearance
                if reach > 0:
                    mask_extra[len(copper)] = reach + MASK_MARGIN_MM
            copper.append(Copper(net, (0, 1), centre=(to_mm(t.GetPosition().x), to_mm(t.GetPosition().y)),
                                 radius_mm=to_mm(t.GetWidth(pcbnew.F_Cu)) / 2))
        else:
            layer = 0 if t.GetLayer() == pcbnew.F_Cu else 1
            copper.append(Copper(net, (layer,), segment=((to_mm(t.GetStart().x), to_mm(t.GetStart().y)),
                                                         (to_mm(t.GetEnd().x), to_mm(t.GetEnd().y))),
                                 width_mm=to_mm(t.GetWidth())))
    return copper, items, holes, thermals, mask_extra


def _zones(board, index: dict) -> tuple[dict, dict]:
    """Each zone net's outlines by layer, and its zone as the router reaches it (layer, outlines)."""
    # A net's zone: on the layer where its zones cover most (a ground plane poured on both sides
    # is reached on the larger); a via joins a pad on the other layer to it.
    by_layer: dict[tuple[int, int], list] = {}
    for z in board.Zones():
        if z.GetIsRuleArea() or z.GetNetname() not in index:
            continue
        for layer, cu in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)):
            if z.IsOnLayer(cu):
                by_layer.setdefault((index[z.GetNetname()], layer), []).extend(zone_rings(z))
    zones = {}
    for (net, layer), rings in sorted(by_layer.items()):
        if net not in zones or sum(map(ring_area, rings)) > sum(map(ring_area, zones[net][1])):
            zones[net] = (layer, rings)
    return by_layer, zones


def _connections(board, board_file: Path, copper: list[Copper], items: dict, zones: dict, names: list[str],
                 nets_pattern: str | None, trust_fill: bool) -> tuple[list[Connection], list[str], int]:
    """The connections to make, from KiCad's list of what is unrouted (see build_problem): the
    connections, what could not be made one (named), and how many KiCad listed."""
    connections, seen = [], set()
    unrouted = kicad_drc(board_file).get("unconnected_items", [])
    skipped = []
    zone_ids = {z.m_Uuid.AsString() for z in board.Zones()}
    pads_by_net: dict[int, list[int]] = {}
    for i, c in enumerate(copper):
        if c.polygon and c.net >= 0:
            pads_by_net.setdefault(c.net, []).append(i)
    board.BuildConnectivity()
    for item in unrouted:
        ends = [items.get(it.get("uuid", "")) for it in item["items"]]
        if len(ends) == 2 and ends.count(None) == 1 and item["items"][ends.index(None)].get("uuid") in zone_ids:
            # A pad (track, via) and an island of its zone's fill that do not meet. A pad inside its
            # zone on the other layer drops a via into it; otherwise it is wired to the nearest pad
            # of the net KiCad does not count as joined to it.
            end = ends[0] if ends[0] is not None else ends[1]
            net = copper[end].net
            if net in zones and zones[net][0] not in copper[end].layers and _in_zone(copper[end], zones[net][1]):
                if end not in seen and (not nets_pattern or fnmatch.fnmatchcase(names[net], nets_pattern)):
                    seen.add(end)
                    connections.append(Connection(net, Terminal(end, _anchor(copper, end)), None))
                continue
            ends = [end, _nearest_apart(board, copper, items, end)]
        if None in ends or len(ends) != 2:
            skipped.append(" / ".join(it["description"] for it in item["items"]) + ": not a pad, track or via here")
            continue
        a, b = (_pad_under(copper, pads_by_net, end) for end in ends)
        net = copper[a].net
        if net < 0 or (nets_pattern and not fnmatch.fnmatchcase(names[net], nets_pattern)):
            continue
        if net in zones:
            # A zone net: a pad inside its own zone (away from the zone's edge) joins it with a via; a
            # pad elsewhere (a DGND pad among the analog parts) is wired to its partner instead.
            layer, rings = zones[net]
            inside = [_in_zone(copper[end], rings) for end in (a, b)]
            for end, ok in zip((a, b), inside):
                if ok and layer not in copper[end].layers and end not in seen:
                    seen.add(end)
                    connections.append(Connection(net, Terminal(end, _anchor(copper, end)), None))
            if all(inside) and trust_fill:
                continue
        connections.append(Connection(net, Terminal(a, _anchor(copper, a)), Terminal(b, _anchor(copper, b))))
    return connections, skipped, len(unrouted)


NO_EDGE_MARGIN_MM = 2.0  # round the parts, where Edge.Cuts has nothing on it


def _outline(board, board_file: Path) -> tuple[list, list, str]:
    """The board's outline as read_outline reads it; a board with nothing on Edge.Cuts (KiCad's DRC
    lets it be, FreeRouting routes it) is routed within its parts' bounding box, NO_EDGE_MARGIN_MM
    out, with a note, not refused: a route always ends with a board."""
    try:
        return read_outline(board, board_file)
    except InputError:
        footprints = list(board.GetFootprints())
        if not footprints:
            raise
        box = footprints[0].GetBoundingBox(False)
        for fp in footprints[1:]:
            box.Merge(fp.GetBoundingBox(False))
        m = NO_EDGE_MARGIN_MM
        x0, y0, x1, y1 = (pcbnew.ToMM(v) for v in (box.GetLeft(), box.GetTop(), box.GetRight(), box.GetBottom()))
        return [(x0 - m, y0 - m), (x1 + m, y0 - m), (x1 + m, y1 + m), (x0 - m, y1 + m)], [], (
            f"nothing is drawn on Edge.Cuts: the parts' bounding box, {m:g} mm out, stands for the board")


def build_problem(board, board_file: Path, nets_pattern: str | None = None, trust_fill: bool = True,
                  corridors: list | None = None, thermal_ring_mm: float = THERMAL_RING_MM) -> tuple[Problem, dict]:
    """The routing problem of a loaded board and its saved file (for KiCad's list of what is unrouted).
    TRUST_FILL: two pads inside their net's zone, on its layer, are left to the zone's fill (the first
    pass, zones unfilled); after a fill KiCad still lists such a pair when the fill did not join them,
    and they are wired. CORRIDORS: thermal spokes to keep free (spoke_corridors)."""
    to_mm = pcbnew.ToMM
    outline, cutouts, outline_note = _outline(board, board_file)
    box = board.GetBoardEdgesBoundingBox()
    xs, ys = [x for x, _ in outline], [y for _, y in outline]
    bbox = (to_mm(box.GetLeft()), to_mm(box.GetTop()), to_mm(box.GetRight()), to_mm(box.GetBottom())) \
        if box.GetWidth() > 0 and box.GetHeight() > 0 else (min(xs), min(ys), max(xs), max(ys))
    names = sorted(str(n) for n in board.GetNetsByName().keys() if str(n))
    index = {n: i for i, n in enumerate(names)}
    ds = board.GetDesignSettings()
    classes, declared = _net_classes(board, board_file, names, ds)
    rules = design_rules(board_file.with_suffix(".kicad_dru"))
    keepouts, rule_notes = area_rule_keepouts(board, rules, names, classes)
    between = {}
    for cls, clearance in class_clearances(rules).items():
        for other in {c.name for c in classes.values()} | {""}:
            if other != cls:
                between[(cls, other)] = between[(other, cls)] = clearance
    copper, items, holes, thermals, mask_extra = _fixed_copper(board, index, classes, ds, keepouts)
    by_layer, zones = _zones(board, index)
    # Keep other nets' tracks off the ring round a zone net's through-hole pad on the zone's layer,
    # where the zone's thermal spokes run: a track there leaves the pad on an island of the fill.
    for centre, radius, net in thermals:  # through-hole pads: on every layer its zones are on
        layers = tuple(layer for layer in (0, 1) if (net, layer) in by_layer)
        if layers and thermal_ring_mm > 0:
            copper.append(Copper(net, layers, centre=centre, radius_mm=radius + thermal_ring_mm))
    for name, layer, rectangle in corridors or ():  # a spoke: copper of its net to other nets' tracks
        if name in index:
            copper.append(Copper(index[name], (layer,), polygon=rectangle))
    connections, skipped, listed = _connections(board, board_file, copper, items, zones, names, nets_pattern, trust_fill)
    escapes = _escapes(board, copper, items, connections)
    problem = Problem(bbox=bbox,
                      outline=outline, edge_clearance_mm=to_mm(ds.m_CopperEdgeClearance), nets=names, classes=classes,
                      copper=copper, connections=connections, zones=zones, clearance_between=between, holes=holes,
                      hole_clearance_mm=to_mm(ds.m_HoleClearance) if ds.m_HoleClearance > 0 else 0.25,
                      keepouts=keepouts, escapes=escapes, pairs=diff_pairs(names), copper_extra_mm=mask_extra,
                      cutouts=cutouts, edge_segments=edge_strokes(board), no_net_clearance_mm=float(declared["Default"]["clearance"]))
    return problem, {"skipped": skipped, "unrouted": listed, "notes": [n for n in [outline_note] + rule_notes if n]}


FINE_PITCH_MM = 0.65  # pads closer than this to a neighbour get an escape stub
ESCAPE_BEYOND_MM = 0.6  # how far past the pad's end the stub reaches


def _escapes(board, copper, items, connections) -> dict:
    """Fine-pitch SMD pads with a connection to make and no track on them yet: outward along the
    pad's long axis (away from its footprint's centre), to ESCAPE_BEYOND_MM past its end."""
    ends = {}
    for t in board.GetTracks():
        if t.GetClass() != "PCB_VIA":
            for p in (t.GetStart(), t.GetEnd()):
                ends.setdefault(t.GetNetname(), []).append((pcbnew.ToMM(p.x), pcbnew.ToMM(p.y)))
    wanted = {c.a.copper for c in connections} | {c.b.copper for c in connections if c.b is not None}
    escapes = {}
    for fp in board.GetFootprints():
        pads = [p for p in fp.Pads() if p.GetAttribute() == pcbnew.PAD_ATTRIB_SMD]
        centres = [(pcbnew.ToMM(p.GetPosition().x), pcbnew.ToMM(p.GetPosition().y)) for p in pads]
        fx, fy = pcbnew.ToMM(fp.GetPosition().x), pcbnew.ToMM(fp.GetPosition().y)
        for pad, (px, py) in zip(pads, centres):
            index = items.get(pad.m_Uuid.AsString())
            if index not in wanted:
                continue
            if not any(0 < abs(px - qx) + abs(py - qy) and max(abs(px - qx), abs(py - qy)) < FINE_PITCH_MM
                       for qx, qy in centres):
                continue
            poly = copper[index].polygon
            xs, ys = [p[0] for p in poly], [p[1] for p in poly]
            if any(min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys) for x, y in ends.get(pad.GetNetname(), ())):
                continue  # already has a track
            w, h = max(xs) - min(xs), max(ys) - min(ys)
            if w >= h:
                direction, half = (1.0 if px >= fx else -1.0, 0.0), w / 2
            else:
                direction, half = (0.0, 1.0 if py >= fy else -1.0), h / 2
            escapes[index] = (direction, half + ESCAPE_BEYOND_MM)
    return escapes


def _in_zone(pad: Copper, rings, inset_mm: float = 1.5) -> bool:
    """The pad's centre lies inside one of the zone's outlines, INSET_MM from its edge."""
    import numpy as np

    from wattcad.core.router import _inside, _segment_distance

    if not pad.polygon:
        return False  # a track or via: wired to its partner
    cx, cy = _centre(pad.polygon)
    px, py = np.array([cx]), np.array([cy])
    for ring in rings:
        if _inside(px, py, ring)[0] and min(_segment_distance(px, py, p, q)[0] for p, q in zip(ring, ring[1:] + ring[:1])) >= inset_mm:
            return True
    return False


def _pad_under(copper: list[Copper], pads_by_net: dict, end: int) -> int:
    """END, or the pad of its net its track ends on: KiCad names a pad or the track laid on it by
    turns in its list of what is unrouted, and a route that starts from either must be the same."""
    import numpy as np

    from wattcad.core.router import _inside

    c = copper[end]
    if c.segment is None:
        return end
    for point in c.segment:
        for i in pads_by_net.get(c.net, ()):
            if _inside(np.array([point[0]]), np.array([point[1]]), copper[i].polygon)[0]:
                return i
    return end


def _nearest_apart(board, copper: list[Copper], items: dict, end: int) -> int | None:
    """The pad of END's net nearest to it that KiCad's connectivity does not join to it (the board's
    connectivity built), or None."""
    by_index = {i: uuid for uuid, i in items.items()}
    found = {str(i.m_Uuid.AsString()): i for i in board.GetPads()}  # pads: a via of the pad's own cluster is not told apart
    item = found.get(by_index.get(end, "")) or next((t for t in board.GetTracks() if t.m_Uuid.AsString() == by_index.get(end)), None)
    if item is None:
        return None
    joined = {p.m_Uuid.AsString() for p in board.GetConnectivity().GetConnectedPads(item)} | {by_index[end]}
    here = _anchor(copper, end)
    apart = [i for uuid, i in items.items() if uuid in found and uuid not in joined and copper[i].net == copper[end].net]
    return min(apart, key=lambda i: (math.dist(here, _anchor(copper, i)), i), default=None)


def _centre(polygon) -> tuple[float, float]:
    """The centre of a polygon's bounding box (a pad's centre: pads here are symmetric)."""
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    # To the nanometre KiCad stores: a pad's centre and the end of a track laid on it are the same
    # point however KiCad's list of what is unrouted names the pair (59.4775 against 59.477500000000006).
    return round((min(xs) + max(xs)) / 2, 6), round((min(ys) + max(ys)) / 2, 6)


def _anchor(copper, index: int):
    """Where a connection starts or ends on an item: a pad's centre, a via's centre, a track's end."""
    c = copper[index]
    if c.centre is not None:
        return c.centre
    if c.segment is not None:
        return c.segment[0]
    return _centre(c.polygon)


def board_tracks(board) -> dict[str, list[tuple[int, tuple[float, float], tuple[float, float]]]]:
    """The board's tracks (not vias) by net name: layer (0 top, 1 bottom), start, end in mm."""
    out: dict[str, list] = {}
    for t in board.GetTracks():
        if t.GetClass() == "PCB_TRACK":
            out.setdefault(t.GetNetname(), []).append((0 if t.GetLayer() == pcbnew.F_Cu else 1,
                                                       (pcbnew.ToMM(t.GetStart().x), pcbnew.ToMM(t.GetStart().y)),
                                                       (pcbnew.ToMM(t.GetEnd().x), pcbnew.ToMM(t.GetEnd().y))))
    return out


def apply_routes(board, problem: Problem, result: RouteResult) -> None:
    from_mm = pcbnew.FromMM
    # One via per spot and net: two connections that join the same zone from the same pad may
    # choose the same spot.
    via_at = {(t.GetNetname(), t.GetPosition().x, t.GetPosition().y) for t in board.GetTracks() if t.GetClass() == "PCB_VIA"}
    for r in result.routes:
        net = board.FindNet(problem.nets[r.net])
        for layer, a, b, width in r.tracks:
            t = pcbnew.PCB_TRACK(board)
            t.SetStart(pcbnew.VECTOR2I(from_mm(a[0]), from_mm(a[1])))
            t.SetEnd(pcbnew.VECTOR2I(from_mm(b[0]), from_mm(b[1])))
            t.SetWidth(from_mm(width))
            t.SetLayer(pcbnew.F_Cu if layer == 0 else pcbnew.B_Cu)
            t.SetNet(net)
            board.Add(t)
        for centre, dia, drill in r.vias:
            spot = (problem.nets[r.net], from_mm(centre[0]), from_mm(centre[1]))
            if spot in via_at:
                continue
            via_at.add(spot)
            v = pcbnew.PCB_VIA(board)
            v.SetPosition(pcbnew.VECTOR2I(from_mm(centre[0]), from_mm(centre[1])))
            v.SetWidth(from_mm(dia))
            v.SetDrill(from_mm(drill))
            v.SetNet(net)
            tent(v)
            board.Add(v)


ATTEMPTS = 2  # whole routings from the user's board, the nets left unrouted by one first in the next


def _route_passes(board, scratch: Path, nets, pitch_mm: float, first_nets: tuple[str, ...],
                  deadline: float | None = None, say=None, guard_thermals: bool = True,
                  share: float | None = None) -> dict:
    """Passes of the router over BOARD until KiCad lists nothing more it can route (or DEADLINE,
    time.monotonic(), has passed: the searches stop before it, and before SHARE, this attempt's
    part of the time); the board is saved to SCRATCH after each. Returns what was done
    and what KiCad's DRC says of the result. GUARD_THERMALS: other nets keep off the rings round
    zone nets' through-hole pins and off the spokes the fill makes (spoke_corridors)."""
    done = {"routed": 0, "tracks": 0, "vias": 0, "length": 0.0, "connections": 0, "failed": [], "finish_s": 0.0, "necks": {}}
    search_deadline = deadline
    begun = time.monotonic()
    # What is unrouted on the board as the user has it, its zones filled as KiCad fills them: nothing,
    # and nothing is done (a routed board is left as it is).
    fill_zones(board)
    done["before"] = unrouted_count(board)
    if not done["before"]:
        pcbnew.SaveBoard(str(scratch), board)
        drc = kicad_drc(scratch)
        done.update(errors=[violation_text(v) for v in drc.get("violations", []) if v.get("severity") == "error"],
                    unconnected=drc.get("unconnected_items", []), unrouted=0)
        return done
    # KiCad's first list of what is unrouted is taken with the zones unfilled: a file's fills may be
    # stale (a stripped board keeps the fill of its old tracks), and the result must not depend on
    # them. Pads the fill will join are left to it (trust_fill), and the next pass sees what it did.
    for zone in board.Zones():
        zone.UnFill()
    pcbnew.SaveBoard(str(scratch), board)
    corridors = spoke_corridors(board) if guard_thermals else []
    for n in range(MAX_PASSES):
        if n and search_deadline is not None and time.monotonic() > search_deadline:
            break
        started = time.monotonic()
        problem, extra = build_problem(board, scratch, nets, trust_fill=n == 0, corridors=corridors,
                                       thermal_ring_mm=THERMAL_RING_MM if guard_thermals else 0.0)
        if n == 0 and deadline is not None:
            # Finishing a pass (fill, save, KiCad's DRC, the repairs) takes about what reading the
            # board did, twice over: the searches stop that much before the limit, so the board
            # is written near it, not long after.
            # Yet never less than a third of the time the attempt has: on a loaded machine reading
            # the board is slow, and stopping at once would leave nothing routed.
            done["finish_s"] = 2.0 * (time.monotonic() - started)
            end = min(share if share is not None else deadline, deadline - done["finish_s"])
            search_deadline = max(end, begun + ((share or deadline) - begun) / 3)
        done["failed"] = list(extra["skipped"])
        done["notes"] = extra["notes"]
        if not problem.connections:
            break
        result = route(problem, pitch_mm, first_nets=first_nets, deadline=search_deadline)
        done["connections"] = max(done["connections"], len(problem.connections) + done["routed"])
        apply_routes(board, problem, result)
        fill_zones(board)
        pcbnew.SaveBoard(str(scratch), board)
        done["routed"] += result.routed
        done["tracks"] += sum(len(r.tracks) for r in result.routes)
        done["vias"] += result.via_count
        done["length"] += result.track_length_mm
        for net, mm in result.necks(problem).items():
            done["necks"][problem.nets[net]] = done["necks"].get(problem.nets[net], 0.0) + mm
        done["failed"] = [f"{problem.nets[c.net]}: {why}" for c, why in result.failed] + extra["skipped"]
        if say:
            say(f"pass {n + 1}: {done['routed']} of {done['connections']} connections routed")
        if not result.routed:
            break
    drc = kicad_drc(scratch)
    stitched = stitch_zones(board, drc)
    if stitched:
        drc = refill_and_check(board, scratch)
        done["vias"] += stitched
    if any(v.get("type") == "starved_thermal" for v in drc.get("violations", [])):
        drc, spokes = feed_thermals(board, scratch, drc)
        done["tracks"] += spokes
    done["errors"] = [violation_text(v) for v in drc.get("violations", []) if v.get("severity") == "error"]
    done["unconnected"] = drc.get("unconnected_items", [])
    done["unrouted"] = unrouted_count(board)
    if not done["unrouted"]:
        done["failed"] = []  # what a pass could not route, the repairs after it joined
    return done


def route_board(board_file: str | Path, out: str | Path | None = None, nets: str | None = None,
                pitch_mm: float = 0.125, keep_existing: bool = True, write_improvement: bool = False,
                backup: bool = True, time_limit_s: float | None = None, beside: bool = False, say=None) -> RouteReport:
    """Route BOARD_FILE's unrouted connections. Written over the board (after a .bak) only when the
    result is complete and DRC-clean (WRITE_IMPROVEMENT: or DRC-clean with fewer unrouted than
    before), else to OUT if given, else (BESIDE) next to it as NAME-routed.kicad_pcb; OUT always
    gets the result. TIME_LIMIT_S: no new search starts after it, and the best board found so far
    is the result (finishing it — zones, KiCad's DRC, the save — takes a few seconds more).
    KEEP_EXISTING False: the board's unlocked tracks and vias are removed first. BACKUP: a .bak of
    what is written over first. SAY: a callable that takes progress lines."""
    started = time.perf_counter()
    deadline = time.monotonic() + time_limit_s if time_limit_s else None
    board_file = Path(board_file).resolve()
    best, first_nets = None, ()
    trial_s = min(FILL_TRIAL_S[1], max(FILL_TRIAL_S[0], (time_limit_s or 4 * FILL_TRIAL_S[1]) / 4))
    fills = zone_fill_finishes(board_file, trial_s)
    if not fills and say:
        say(f"KiCad's zone filler did not finish on {board_file.name} in {trial_s:g} s: routing with its zones unfilled")
    with tempfile.TemporaryDirectory(prefix="wattcad-route-") as tmp, zones_filled(fills):
        for attempt in range(ATTEMPTS):
            if best is not None and deadline is not None and \
                    time.monotonic() + 2 * best[1]["finish_s"] > deadline:
                break  # no time left for another attempt to route anything and finish
            # The new tracks' and vias' ids from a seed fixed by the board's content: KiCad's list of
            # what is still unrouted names items by them and picks among equals by them, so random
            # ids made the next pass (and the board) differ from run to run; a seed of its own for
            # each board keeps a board wattcad routed before from getting the same ids again.
            pcbnew.KIID.SeedGenerator((zlib.crc32(board_file.read_bytes()) + attempt) & 0xFFFFFFFF)
            board = load_board(board_file)
            if not keep_existing:
                for t in list(board.GetTracks()):
                    if not t.IsLocked():
                        board.Delete(t)  # Delete: a removed item left to Python breaks SWIG's later lookups
            scratch = Path(tmp) / str(attempt) / board_file.name
            scratch.parent.mkdir()
            for suffix in (".kicad_pro", ".kicad_dru"):
                if board_file.with_suffix(suffix).is_file():
                    shutil.copy2(board_file.with_suffix(suffix), scratch.with_suffix(suffix))
            pcbnew.SaveBoard(str(scratch), board)
            # An attempt that leaves some unrouted may have to give up time to the next; the last
            # one drops the guards round thermal reliefs, which can close the only way a track had
            # (a starved thermal is a quick fix by hand, an unrouted connection is not).
            share = None if deadline is None else time.monotonic() + (deadline - time.monotonic()) / (ATTEMPTS - attempt)
            done = _route_passes(board, scratch, nets, pitch_mm, first_nets, deadline, say,
                                 guard_thermals=attempt < ATTEMPTS - 1, share=share)
            done["board"] = board
            score = (done["unrouted"], len(done["errors"]), done["length"])
            if best is None or score < best[0]:
                best = (score, done)
            if say:
                say(f"attempt {attempt + 1}: {done['unrouted']} unrouted, {len(done['errors'])} DRC errors; "
                    f"best so far {best[1]['unrouted']} unrouted, {len(best[1]['errors'])} DRC errors")
            if score[0] == 0 or not done.get("before"):
                break  # complete, or nothing was unrouted to begin with (what is wrong is not routing's)
            # Again from the user's board, the nets KiCad still lists as unrouted routed first.
            left = sorted({it["description"].split("[", 1)[1].split("]", 1)[0]
                           for item in done["unconnected"] for it in item["items"] if "[" in it["description"]})
            first_nets = first_nets + tuple(n for n in left if n not in first_nets)
        pcbnew.KIID.SeedGenerator(secrets.randbits(32))  # ids random again for whatever the process makes next
        done = best[1]
        report = RouteReport(board_file, None, done["connections"], done["routed"], done["failed"], done["tracks"],
                             done["vias"], done["length"], done["errors"], done["unrouted"])
        report.pairs = pair_shares(board_tracks(done["board"]))
        report.notes = done.get("notes", []) + ([] if fills else [
            f"KiCad's zone filler did not finish on this board in {trial_s:g} s (two zones of different nets "
            "overlapping at one priority can cause it): its zones are left unfilled; fix them and fill in KiCad (B)"])
        report.necks = {net: round(mm, 2) for net, mm in sorted(done["necks"].items())}
        better = write_improvement and not report.drc_errors and report.unconnected_after < done.get("before", 0)
        if out is None and beside and not (report.complete or better):
            out = board_file.with_name(f"{board_file.stem}-routed.kicad_pcb")  # never over the user's board
        if done.get("before") or out is not None:  # nothing was unrouted: the user's board is left as it is
            report = _write(board_file, done["board"], out, report, better, backup)
    report.seconds = round(time.perf_counter() - started, 1)
    return report


def _write(board_file: Path, board, out, report: RouteReport, better: bool = False, backup: bool = True) -> RouteReport:
    """The routed board to OUT, or over BOARD_FILE (after a .bak) when the result is complete (or
    BETTER than what was there)."""
    target = Path(out).resolve() if out else (board_file if report.complete or better else None)
    if target is not None:
        save_board(board, target, backup=backup and target.exists())
        if target != board_file:
            for suffix in (".kicad_pro", ".kicad_dru"):
                src = board_file.with_suffix(suffix)
                if src.is_file() and not target.with_suffix(suffix).exists():
                    shutil.copy2(src, target.with_suffix(suffix))
        report.written = target
    return report


def freeroute_board(board_file: str | Path, jar: str | Path, out: str | Path | None = None,
                    timeout_s: float = 1800) -> RouteReport:
    """Route with FreeRouting (for users who have it and java): the board to Specctra DSN through
    pcbnew, FreeRouting on one thread (its multithreaded mode is known to leave clearance
    violations), the session back through pcbnew; then the same DRC and write rules as route_board."""
    import subprocess

    started = time.perf_counter()
    board_file, jar = Path(board_file).resolve(), Path(jar)
    if not jar.is_file():
        raise MissingToolError(f"--freerouting: no FreeRouting JAR at {jar}")
    java = shutil.which("java")
    if java is None:
        raise MissingToolError("--freerouting: java is not on PATH (FreeRouting needs a Java runtime)")
    board = load_board(board_file)
    with tempfile.TemporaryDirectory(prefix="wattcad-freeroute-") as tmp:
        dsn, ses = Path(tmp) / "board.dsn", Path(tmp) / "board.ses"
        if not pcbnew.ExportSpecctraDSN(board, str(dsn)):
            raise InputError(board_file, None, "pcbnew could not export the board as Specctra DSN")
        run = subprocess.run([java, "-jar", str(jar), "-de", str(dsn), "-do", str(ses), "-mt", "1"],
                             capture_output=True, text=True, timeout=timeout_s, **tool_kwargs())
        if run.returncode != 0 or not ses.is_file():
            raise InputError(jar, None, f"FreeRouting failed (exit {run.returncode}): {run.stderr.strip()[-400:]}")
        if not pcbnew.ImportSpecctraSES(board, str(ses)):
            raise InputError(ses, None, "pcbnew could not import FreeRouting's session file")
        fill_zones(board)
        scratch = Path(tmp) / board_file.name
        for suffix in (".kicad_pro", ".kicad_dru"):
            if board_file.with_suffix(suffix).is_file():
                shutil.copy2(board_file.with_suffix(suffix), scratch.with_suffix(suffix))
        pcbnew.SaveBoard(str(scratch), board)
        drc = kicad_drc(scratch)
    tracks = [t for t in board.GetTracks() if t.GetClass() != "PCB_VIA"]
    report = _write(board_file, board, out, RouteReport(
        board_file, None, 0, 0, [], len(tracks), sum(1 for t in board.GetTracks() if t.GetClass() == "PCB_VIA"),
        sum(pcbnew.ToMM(t.GetLength()) for t in tracks),
        [violation_text(v) for v in drc.get("violations", []) if v.get("severity") == "error"],
        len(drc.get("unconnected_items", []))))
    report.seconds = round(time.perf_counter() - started, 1)
    return report
