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
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.dru import area_rules, class_clearances, parse_rules
from wattcad.core.errors import InputError, MissingToolError
from wattcad.core.processes import tool_kwargs
from wattcad.core.router import Connection, Copper, Keepout, NetClass, Problem, RouteResult, Terminal, diff_pairs, pair_shares, route

from .board_io import load_board, read_outline, save_board
from .drc import drc_report, violation_text
from .pcbnew_compat import pcbnew

MAX_PASSES = 4
THERMAL_RING_MM = 1.0  # the zone's thermal gap (0.5 mm) and the start of its spokes
ROUTE_WIDTH_CAP_MM = 0.2  # the widest track that leaves a 0.5 mm pitch pin (see below)


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
        lines += [f"  not routed: {f}" for f in self.failed[:40]]
        lines += [f"  DRC: {e}" for e in self.drc_errors[:40]]
        return "\n".join(lines)


def _drc(board_file: Path) -> dict:
    data, complaint = drc_report(board_file, "--severity-error")
    if data is None:
        raise InputError(board_file, None, f"kicad-cli DRC failed: {complaint}")
    return data


def _polygon(item, layer, grow_mm: float = 0.0) -> tuple:
    polys = pcbnew.SHAPE_POLY_SET()
    item.TransformShapeToPolygon(polys, layer, pcbnew.FromMM(grow_mm), pcbnew.FromMM(0.005), pcbnew.ERROR_OUTSIDE)
    if polys.OutlineCount() == 0:
        return ()
    ring = polys.Outline(0)
    return tuple((pcbnew.ToMM(ring.CPoint(i).x), pcbnew.ToMM(ring.CPoint(i).y)) for i in range(ring.PointCount()))


def _zone_rings(zone) -> list[list[tuple[float, float]]]:
    """A zone's (or rule area's) outlines, in millimetres."""
    outline = zone.Outline()
    return [[(pcbnew.ToMM(r.CPoint(i).x), pcbnew.ToMM(r.CPoint(i).y)) for i in range(r.PointCount())]
            for r in (outline.Outline(o) for o in range(outline.OutlineCount()))]


def _design_rules(dru: Path) -> list:
    return parse_rules(dru.read_text(encoding="utf-8"), dru) if dru.is_file() else []


def _keepouts(board, rules, names: list[str], classes: dict[int, NetClass]) -> tuple[list[Keepout], list[str]]:
    """The .kicad_dru rules that keep some nets out of a named area (a zone or rule area of the
    board), as keepouts; a rule naming an area the board lacks is reported."""
    areas: dict[str, list] = {}  # name -> (layers, outline) of each zone or rule area of that name
    for z in board.Zones():
        layers = tuple(i for i, layer in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)) if z.IsOnLayer(layer))
        areas.setdefault(str(z.GetZoneName()), []).extend((layers, tuple(ring)) for ring in _zone_rings(z))
    keepouts, notes = [], []
    for rule in area_rules(rules):
        if rule.area not in areas:
            notes.append(f"rule {rule.name!r}: the board has no area named {rule.area!r}; not honoured")
            continue
        nets = frozenset(n for n, name in enumerate(names) if n in classes and rule.applies(name, classes[n].name))
        ruled = {"F.Cu": (0,), "B.Cu": (1,)}.get(rule.layer or "", (0, 1))
        # KiCad's intersectsArea() sees an item only on the layers it shares with the area.
        for layer in ruled:
            polygons = tuple(poly for layers, poly in areas[rule.area] if layer in layers)
            if polygons:
                keepouts.append(Keepout(rule.name, polygons, (layer,), nets, rule.tracks, rule.vias))
    return keepouts, notes


MASK_MARGIN_MM = 0.01  # past a mask opening's edge, so a track beside it is not bared


def _mask_reach_mm(pad, layers: tuple[int, ...], ds) -> float:
    """How far past its copper a pad's solder-mask opening reaches, plus the board's mask-to-copper
    clearance: KiCad's solder_mask_bridge flags another net's track inside it (0 with no opening)."""
    reach = 0.0
    for i in layers:
        copper_layer, mask_layer = ((pcbnew.F_Cu, pcbnew.F_Mask), (pcbnew.B_Cu, pcbnew.B_Mask))[i]
        if pad.IsOnLayer(mask_layer):
            reach = max(reach, pcbnew.ToMM(pad.GetSolderMaskExpansion(copper_layer)) + pcbnew.ToMM(ds.m_SolderMaskToCopperClearance))
    return reach


def _box(item, grow_mm: float) -> tuple:
    """An item's bounding box grown by GROW_MM, as a polygon in millimetres."""
    box = item.GetBoundingBox()
    x0, y0 = pcbnew.ToMM(box.GetLeft()) - grow_mm, pcbnew.ToMM(box.GetTop()) - grow_mm
    x1, y1 = pcbnew.ToMM(box.GetRight()) + grow_mm, pcbnew.ToMM(box.GetBottom()) + grow_mm
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _copper_shapes(board, index: dict, classes: dict, ds) -> list[Keepout]:
    """Copper drawn as shapes or text (a net tie's bridge, a logo, a footprint's copper graphics) as areas
    no other net's track or via may touch, grown by the clearance; the nets of the footprint's own
    pads may run onto it (a net tie joins them there) but drill no via into it."""
    grow_mm = max([c.clearance_mm for c in classes.values()] + [pcbnew.ToMM(ds.m_HoleClearance)])
    every = frozenset(classes)
    owners = [(fp.GraphicalItems(), frozenset(index[p.GetNetname()] for p in fp.Pads() if p.GetNetname() in index))
              for fp in sorted(board.GetFootprints(), key=lambda f: f.GetReference())]
    owners.append((board.GetDrawings(), frozenset()))
    keepouts = []
    for items, own in owners:
        for item in items:
            if item.GetClass() not in ("PCB_SHAPE", "PCB_TEXT", "PCB_TEXTBOX"):
                continue
            for i, layer in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)):
                if not item.IsOnLayer(layer):
                    continue
                # Text on copper (a label etched in the top layer, as on KiCad's pic_programmer demo)
                # is kept clear by its box: its glyphs are many outlines.
                poly = _polygon(item, layer, grow_mm) if item.GetClass() == "PCB_SHAPE" else _box(item, grow_mm)
                if poly:
                    keepouts.append(Keepout("copper shape", (poly,), (i,), every - own, tracks=True, vias=True))
                    if own:
                        keepouts.append(Keepout("copper shape", (poly,), (i,), own, tracks=False, vias=True))
    return keepouts


def build_problem(board, board_file: Path, nets_pattern: str | None = None) -> tuple[Problem, dict]:
    """The routing problem of a loaded board and its saved file (for KiCad's list of what is unrouted)."""
    to_mm = pcbnew.ToMM
    box = board.GetBoardEdgesBoundingBox()
    outline, _, outline_note = read_outline(board, board_file)
    names = sorted(str(n) for n in board.GetNetsByName().keys() if str(n))
    index = {n: i for i, n in enumerate(names)}
    ds = board.GetDesignSettings()
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
        # Power nets end on 0.5 mm pitch pins: a 0.4 mm track cannot leave them; 0.25 mm leaves no margin
        # to an analog neighbour (0.25 mm clearance), 0.2 mm does. Never below the board's own minimum
        # (KiCad's pic_programmer demo asks for 0.25 mm: capped tracks were 199 DRC errors there).
        width = max(min(size["track_width"], ROUTE_WIDTH_CAP_MM), to_mm(ds.m_TrackMinWidth))
        classes[index[name]] = NetClass(cls_name, width, size["clearance"], size["via_diameter"], size["via_drill"])
    rules = _design_rules(board_file.with_suffix(".kicad_dru"))
    keepouts, rule_notes = _keepouts(board, rules, names, classes)
    between = {}
    for cls, clearance in class_clearances(rules).items():
        for other in {c.name for c in classes.values()} | {""}:
            if other != cls:
                between[(cls, other)] = between[(other, cls)] = clearance
    copper, items, holes, thermals = [], {}, [], []  # items: KiCad uuid -> index into copper
    mask_extra, min_clearance = {}, min((c.clearance_mm for c in classes.values()), default=0.0)
    for fp in sorted(board.GetFootprints(), key=lambda f: f.GetReference()):
        for pad in fp.Pads():
            net = index.get(pad.GetNetname(), -1)
            layers = tuple(i for i, layer in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)) if pad.IsOnLayer(layer))
            if pad.GetAttribute() == pcbnew.PAD_ATTRIB_NPTH:
                holes.append(((to_mm(pad.GetPosition().x), to_mm(pad.GetPosition().y)), to_mm(pad.GetDrillSize().x) / 2))
                continue
            if not layers:
                continue
            poly = _polygon(pad, pcbnew.F_Cu if 0 in layers else pcbnew.B_Cu)
            if not poly:
                continue
            items[pad.m_Uuid.AsString()] = len(copper)
            reach = _mask_reach_mm(pad, layers, ds) - min_clearance
            if reach > 0:
                mask_extra[len(copper)] = reach + MASK_MARGIN_MM
            copper.append(Copper(net, layers, polygon=poly))
            if len(layers) == 2 and net >= 0:
                xs, ys = [p[0] for p in poly], [p[1] for p in poly]
                thermals.append((_centre(poly), max(max(xs) - min(xs), max(ys) - min(ys)) / 2, net))
    keepouts += _copper_shapes(board, index, classes, ds)
    for t in board.GetTracks():
        net = index.get(t.GetNetname(), -1)
        items[t.m_Uuid.AsString()] = len(copper)
        if t.GetClass() == "PCB_VIA":
            copper.append(Copper(net, (0, 1), centre=(to_mm(t.GetPosition().x), to_mm(t.GetPosition().y)),
                                 radius_mm=to_mm(t.GetWidth(pcbnew.F_Cu)) / 2))
        else:
            layer = 0 if t.GetLayer() == pcbnew.F_Cu else 1
            copper.append(Copper(net, (layer,), segment=((to_mm(t.GetStart().x), to_mm(t.GetStart().y)),
                                                         (to_mm(t.GetEnd().x), to_mm(t.GetEnd().y))),
                                 width_mm=to_mm(t.GetWidth())))
    zones = {}
    for z in board.Zones():
        if z.GetIsRuleArea() or z.GetNetname() not in index:
            continue
        layer = 0 if z.GetLayer() == pcbnew.F_Cu else 1
        zones.setdefault(index[z.GetNetname()], (layer, []))[1].extend(_zone_rings(z))
    # Keep other nets' tracks off the ring round a zone net's through-hole pad on the zone's layer,
    # where the zone's thermal spokes run: a track there leaves the pad on an island of the fill.
    for centre, radius, net in thermals:  # through-hole pads: on every layer, the zone's too
        if net in zones:
            copper.append(Copper(net, (zones[net][0],), centre=centre, radius_mm=radius + THERMAL_RING_MM))
    connections, seen = [], set()
    unrouted = _drc(board_file).get("unconnected_items", [])
    skipped = []
    for item in unrouted:
        ends = [items.get(it.get("uuid", "")) for it in item["items"]]
        if None in ends or len(ends) != 2:
            skipped.append(" / ".join(it["description"] for it in item["items"]) + ": not a pad, track or via here")
            continue
        a, b = ends
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
            if all(inside):
                continue
        connections.append(Connection(net, Terminal(a, _anchor(copper, a)), Terminal(b, _anchor(copper, b))))
    escapes = _escapes(board, copper, items, connections)
    problem = Problem(bbox=(to_mm(box.GetLeft()), to_mm(box.GetTop()), to_mm(box.GetRight()), to_mm(box.GetBottom())),
                      outline=outline, edge_clearance_mm=to_mm(ds.m_CopperEdgeClearance), nets=names, classes=classes,
                      copper=copper, connections=connections, zones=zones, clearance_between=between, holes=holes,
                      hole_clearance_mm=to_mm(ds.m_HoleClearance) if ds.m_HoleClearance > 0 else 0.25,
                      keepouts=keepouts, escapes=escapes, pairs=diff_pairs(names), copper_extra_mm=mask_extra)
    return problem, {"skipped": skipped + rule_notes, "unrouted": len(unrouted), "note": outline_note}


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


def _centre(polygon) -> tuple[float, float]:
    """The centre of a polygon's bounding box (a pad's centre: pads here are symmetric)."""
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


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
            board.Add(v)


ATTEMPTS = 2  # whole routings from the user's board, the nets left unrouted by one first in the next


def _route_passes(board, scratch: Path, nets, pitch_mm: float, first_nets: tuple[str, ...],
                  deadline: float | None = None, say=None) -> dict:
    """Passes of the router over BOARD until KiCad lists nothing more it can route (or DEADLINE,
    time.monotonic(), has passed); the board is saved to SCRATCH after each. Returns what was done
    and what KiCad's DRC says of the result."""
    done = {"routed": 0, "tracks": 0, "vias": 0, "length": 0.0, "connections": 0, "failed": []}
    for n in range(MAX_PASSES):
        if n and deadline is not None and time.monotonic() > deadline:
            break
        problem, extra = build_problem(board, scratch, nets)
        done["failed"] = list(extra["skipped"])
        done["notes"] = [extra["note"]] if extra["note"] else []
        if n == 0:
            done["before"] = extra["unrouted"]
        if not problem.connections:
            break
        result = route(problem, pitch_mm, first_nets=first_nets, deadline=deadline)
        done["connections"] = max(done["connections"], len(problem.connections) + done["routed"])
        apply_routes(board, problem, result)
        pcbnew.ZONE_FILLER(board).Fill(board.Zones())
        pcbnew.SaveBoard(str(scratch), board)
        done["routed"] += result.routed
        done["tracks"] += sum(len(r.tracks) for r in result.routes)
        done["vias"] += result.via_count
        done["length"] += result.track_length_mm
        done["failed"] = [f"{problem.nets[c.net]}: {why}" for c, why in result.failed] + extra["skipped"]
        if say:
            say(f"pass {n + 1}: {done['routed']} of {done['connections']} connections routed")
        if not result.routed:
            break
    drc = _drc(scratch)
    done["errors"] = [violation_text(v) for v in drc.get("violations", []) if v.get("severity") == "error"]
    done["unconnected"] = drc.get("unconnected_items", [])
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
    with tempfile.TemporaryDirectory(prefix="wattcad-route-") as tmp:
        for attempt in range(ATTEMPTS):
            if best is not None and deadline is not None and time.monotonic() > deadline:
                break
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
            done = _route_passes(board, scratch, nets, pitch_mm, first_nets, deadline, say)
            done["board"] = board
            score = (len(done["unconnected"]) + len(done["errors"]), done["length"])
            if best is None or score < best[0]:
                best = (score, done)
            if say:
                say(f"attempt {attempt + 1}: {len(done['unconnected'])} unrouted, {len(done['errors'])} DRC errors; "
                    f"best so far {len(best[1]['unconnected'])} unrouted, {len(best[1]['errors'])} DRC errors")
            if score[0] == 0 or not done.get("before"):
                break  # complete, or nothing was unrouted to begin with (what is wrong is not routing's)
            # Again from the user's board, the nets KiCad still lists as unrouted routed first.
            left = sorted({it["description"].split("[", 1)[1].split("]", 1)[0]
                           for item in done["unconnected"] for it in item["items"] if "[" in it["description"]})
            first_nets = first_nets + tuple(n for n in left if n not in first_nets)
        done = best[1]
        report = RouteReport(board_file, None, done["connections"], done["routed"], done["failed"], done["tracks"],
                             done["vias"], done["length"], done["errors"], len(done["unconnected"]))
        report.pairs = pair_shares(board_tracks(done["board"]))
        report.notes = done.get("notes", [])
        better = write_improvement and not report.drc_errors and report.unconnected_after < done.get("before", 0)
        if out is None and beside and not (report.complete or better):
            out = board_file.with_name(f"{board_file.stem}-routed.kicad_pcb")  # never over the user's board
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
        pcbnew.ZONE_FILLER(board).Fill(board.Zones())
        scratch = Path(tmp) / board_file.name
        for suffix in (".kicad_pro", ".kicad_dru"):
            if board_file.with_suffix(suffix).is_file():
                shutil.copy2(board_file.with_suffix(suffix), scratch.with_suffix(suffix))
        pcbnew.SaveBoard(str(scratch), board)
        drc = _drc(scratch)
    tracks = [t for t in board.GetTracks() if t.GetClass() != "PCB_VIA"]
    report = _write(board_file, board, out, RouteReport(
        board_file, None, 0, 0, [], len(tracks), sum(1 for t in board.GetTracks() if t.GetClass() == "PCB_VIA"),
        sum(pcbnew.ToMM(t.GetLength()) for t in tracks),
        [violation_text(v) for v in drc.get("violations", []) if v.get("severity") == "error"],
        len(drc.get("unconnected_items", []))))
    report.seconds = round(time.perf_counter() - started, 1)
    return report
