"""Zones and thermal reliefs round a route, through pcbnew: where the fill puts its spokes (kept
free), what KiCad counts unrouted, two-layer pours stitched, starved thermals fed, vias tented."""
from __future__ import annotations

import math
import re
from pathlib import Path

from wattcad.core.errors import InputError

from .drc import drc_report
from .pcbnew_compat import pcbnew


def kicad_drc(board_file: Path) -> dict:
    data, complaint = drc_report(board_file, "--severity-error")
    if data is None:
        raise InputError(board_file, None, f"kicad-cli DRC failed: {complaint}")
    return data


# KiCad's zone filler can run without end on a board (two overlapping zones of different nets at one
# priority, on a KiCad 4 board of the corpus): wattcad tries it in a process of its own first, and
# a board whose fill does not finish in time is routed with its zones left as they are.
FILL_TRIAL_S = (15.0, 60.0)  # at least, at most; a quarter of the route's time limit between
_FILL = {"enabled": True}


def fill_zones(board) -> None:
    """BOARD's zones filled as KiCad fills them, unless the board's fill was found not to finish."""
    if _FILL["enabled"]:
        pcbnew.ZONE_FILLER(board).Fill(board.Zones())


def zone_fill_finishes(board_file: Path, timeout_s: float) -> bool:
    """Whether KiCad fills BOARD_FILE's zones within TIMEOUT_S, tried in a child process (its
    filler cannot be stopped in this one). A board without zones: True at once."""
    import subprocess
    import sys

    text = Path(board_file).read_text(encoding="utf-8", errors="replace")
    if "(zone" not in text:
        return True
    code = "import sys, pcbnew; b = pcbnew.LoadBoard(sys.argv[1]); pcbnew.ZONE_FILLER(b).Fill(b.Zones())"
    try:
        subprocess.run([sys.executable, "-c", code, str(board_file)], capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return False
    return True


class zones_filled:
    """Within it, the router fills zones (fill_zones) only if FILLS is true."""

    def __init__(self, fills: bool):
        self.fills = fills

    def __enter__(self):
        self.before, _FILL["enabled"] = _FILL["enabled"], self.fills
        return self

    def __exit__(self, *exc):
        _FILL["enabled"] = self.before
        return False


def refill_and_check(board, scratch: Path) -> dict:
    """BOARD's zones filled as KiCad fills them, saved to SCRATCH, and KiCad's DRC of it."""
    fill_zones(board)
    pcbnew.SaveBoard(str(scratch), board)
    return kicad_drc(scratch)


def spoke_corridors(board) -> list[tuple[str, int, tuple]]:
    """Where the zone filler puts thermal spokes on the board as it is (its zones filled here): for
    each pad of a zone's net on the zone's layer, up to the zone's minimum spoke count of them, as
    (net, layer, rectangle in mm) from the pad's edge across the relief's gap. Kept free of other
    nets' tracks, they leave the pad its spokes (KiCad's starved_thermal)."""
    fill_zones(board)
    need = max(getattr(board.GetDesignSettings(), "m_MinResolvedSpokes", 2), 1)
    corridors = []
    for zone in sorted(board.Zones(), key=lambda z: (z.GetNetname(), z.m_Uuid.AsString())):
        if zone.GetIsRuleArea() or not zone.GetNetname():
            continue
        gap, width = zone.GetThermalReliefGap(), zone.GetThermalReliefSpokeWidth()
        for layer, cu in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)):
            if not zone.IsOnLayer(cu):
                continue
            fill = zone.GetFilledPolysList(cu)
            for pad in board.GetPads():
                if pad.GetNetCode() != zone.GetNetCode() or not pad.IsOnLayer(cu) or \
                        not zone.GetBoundingBox().Intersects(pad.GetBoundingBox()):
                    continue
                box, c = pad.GetBoundingBox(), pad.GetPosition()
                found = 0
                for dx, dy in SPOKE_DIRECTIONS:
                    half = abs(dx) * box.GetWidth() / 2 + abs(dy) * box.GetHeight() / 2
                    across = pcbnew.VECTOR2I(int(c.x + dx * (half + gap / 2)), int(c.y + dy * (half + gap / 2)))
                    if found >= need or not fill.Collide(across):
                        continue
                    found += 1
                    # Past the gap, room for the fill the spoke lands on (a track just beyond the
                    # gap left NeoWall's LED pads a spoke with nothing to join).
                    near, far, side = half - width / 2, half + gap + width + SPOKE_LANDING, width / 2
                    corners = [(near, -side), (far, -side), (far, side), (near, side)]
                    corridors.append((pad.GetNetname(), layer, tuple(
                        (pcbnew.ToMM(int(c.x + dx * a - dy * b)), pcbnew.ToMM(int(c.y + dy * a + dx * b))) for a, b in corners)))
    return corridors



def ring_area(ring) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]))) / 2


def unrouted_count(board) -> int:
    """The connections KiCad counts unrouted on BOARD as it is in memory (zones as last filled): its
    ratsnest, not the DRC report, which lists at most 499 (LeeChee_1800 has 1141 before routing)."""
    board.BuildConnectivity()
    return int(board.GetConnectivity().GetUnconnectedCount(False))


def tent(via) -> None:
    """Close the solder mask over a via wattcad adds, on both sides, whatever the board's default
    (a KiCad 4/5 board that leaves vias open bares them, and a track of another net passing within
    the opening is a solder_mask_bridge)."""
    if hasattr(via, "SetFrontTentingMode"):
        via.SetFrontTentingMode(pcbnew.TENTING_MODE_TENTED)
        via.SetBackTentingMode(pcbnew.TENTING_MODE_TENTED)

STITCH_STEP_MM = 0.5


def stitch_zones(board, drc: dict) -> int:
    """A net's zones on the two layers that KiCad lists as not joined: each island of their fills
    that no via or through-hole pad of the net joins to the other layer's fill gets a via, where
    both fills reach round it. The fill keeps every other net's clearance, so a via inside both,
    by its radius, keeps it too. Returns the vias added."""
    nets = set()
    for item in drc.get("unconnected_items", []):
        names = [re.match(r"Zone \[(.*)\]", it["description"]) for it in item["items"]]
        if all(names) and names[0].group(1) == names[1].group(1):
            nets.add(names[0].group(1))
    ds = board.GetDesignSettings()
    diameter, drill = ds.GetCurrentViaSize() or pcbnew.FromMM(0.8), ds.GetCurrentViaDrill() or pcbnew.FromMM(0.4)
    step, r = pcbnew.FromMM(STITCH_STEP_MM), diameter // 2 + pcbnew.FromMM(0.05)
    ring = [(math.cos(a * math.pi / 4), math.sin(a * math.pi / 4)) for a in range(8)]
    added = 0
    for name in sorted(nets):
        net = board.FindNet(name)
        fills = [[z.GetFilledPolysList(cu) for z in board.Zones() if not z.GetIsRuleArea() and z.GetNetname() == name
                  and z.IsOnLayer(cu)] for cu in (pcbnew.F_Cu, pcbnew.B_Cu)]
        if not all(fills):
            continue  # zones on one layer only: joining their islands takes a track
        joins = [t.GetPosition() for t in board.GetTracks() if t.GetClass() == "PCB_VIA" and t.GetNetname() == name] + \
                [p.GetPosition() for p in board.GetPads() if p.GetNetname() == name and p.GetAttribute() == pcbnew.PAD_ATTRIB_PTH]

        def in_fill(points, layer_fills, outline=None):
            return any(all(f.Collide(p) for p in points) for f in layer_fills) and \
                (outline is None or all(outline.PointInside(p) for p in points))

        for side, other in ((0, 1), (1, 0)):
            for fill in fills[side]:
                for o in range(fill.OutlineCount()):
                    island = fill.Outline(o)
                    if any(island.PointInside(p) and fill.Collide(p) and in_fill([p], fills[other]) for p in joins):
                        continue
                    box = island.BBox()
                    def disc(x, y):
                        return [pcbnew.VECTOR2I(x, y)] + [pcbnew.VECTOR2I(int(x + dx * r), int(y + dy * r)) for dx, dy in ring]

                    spot = next((pcbnew.VECTOR2I(x, y) for y in range(box.GetTop(), box.GetBottom(), step)
                                 for x in range(box.GetLeft(), box.GetRight(), step)
                                 if in_fill(disc(x, y), [fill], island) and in_fill(disc(x, y), fills[other])), None)
                    if spot is None:
                        continue
                    v = pcbnew.PCB_VIA(board)
                    v.SetPosition(spot)
                    v.SetWidth(diameter)
                    v.SetDrill(drill)
                    v.SetNet(net)
                    tent(v)
                    board.Add(v)
                    joins.append(spot)
                    added += 1
    return added

SPOKE_LANDING = pcbnew.FromMM(0.5)  # fill kept past a spoke's end for it to land on

SPOKE_TRIES = 8  # spoke lengths tried, half a spoke width apart

SPOKE_DIRECTIONS = ((1, 0), (0, 1), (-1, 0), (0, -1), (0.7071, 0.7071), (-0.7071, 0.7071), (-0.7071, -0.7071), (0.7071, -0.7071))


def feed_thermals(board, scratch: Path, drc: dict) -> dict:
    """Pads whose thermal relief KiCad's DRC calls starved (fewer spokes than the zone asks: other
    copper, the board edge or a route took their place) get spokes of their own: short tracks of the
    net from the pad's centre into the zone's fill, which KiCad counts as spokes. A spoke is kept only
    if the board's DRC adds no error with it. Returns the DRC of the result."""
    pads = {p.m_Uuid.AsString(): p for p in board.GetPads()}
    layers = {"F.Cu": pcbnew.F_Cu, "B.Cu": pcbnew.B_Cu}
    added = []
    for v in drc.get("violations", []):
        if v.get("type") != "starved_thermal":
            continue
        ids = [it.get("uuid") for it in v["items"]]
        pad = next((pads[i] for i in ids if i in pads), None)
        layer = next((layers[name] for name in layers if f"layer {name}" in v.get("description", "")), None)
        zone = next((z for z in board.Zones() if not z.GetIsRuleArea() and pad is not None and z.GetNetCode() == pad.GetNetCode()
                     and layer is not None and z.IsOnLayer(layer) and z.GetFilledPolysList(layer).Collide(pad.GetPosition())),
                    None) if pad is not None else None
        if pad is None or layer is None or zone is None:
            continue
        fill = zone.GetFilledPolysList(layer)
        width = zone.GetThermalReliefSpokeWidth() or pcbnew.FromMM(0.3)
        box = pad.GetBoundingBox()
        centre = pad.GetPosition()
        for dx, dy in SPOKE_DIRECTIONS:
            # From just past the relief's gap outward, the first spot where the spoke's end lies in
            # the fill with room either side (the fill may run on only a little way past the gap).
            half = abs(dx) * box.GetWidth() / 2 + abs(dy) * box.GetHeight() / 2
            gap = zone.GetThermalReliefGap()
            across = pcbnew.VECTOR2I(int(centre.x + dx * (half + gap / 2)), int(centre.y + dy * (half + gap / 2)))
            if fill.Collide(across):
                continue  # the fill's own spoke is there: a track over it would be counted, not add one
            end = None
            for step in range(SPOKE_TRIES):
                reach = half + gap + width * (1 + step) / 2
                tip = pcbnew.VECTOR2I(int(centre.x + dx * reach), int(centre.y + dy * reach))
                sides = [pcbnew.VECTOR2I(int(tip.x - dy * width / 2), int(tip.y + dx * width / 2)),
                         pcbnew.VECTOR2I(int(tip.x + dy * width / 2), int(tip.y - dx * width / 2))]
                if all(fill.Collide(p) for p in [tip, *sides]):
                    end = tip
                    break
            if end is None:
                continue
            t = pcbnew.PCB_TRACK(board)
            t.SetStart(centre)
            t.SetEnd(end)
            t.SetWidth(min(width, pad.GetBoundingBox().GetWidth(), pad.GetBoundingBox().GetHeight()))
            t.SetLayer(layer)
            t.SetNet(pad.GetNet())
            board.Add(t)
            added.append(t)
    if not added:
        return drc, 0
    after = refill_and_check(board, scratch)
    spoke_ids = {t.m_Uuid.AsString() for t in added}
    bad = {it.get("uuid") for v in after.get("violations", []) if v.get("severity") == "error" and v.get("type") != "starved_thermal"
           for it in v["items"]} & spoke_ids
    if bad:  # a spoke too near other copper: it goes, the rest stay
        for t in added:
            if t.m_Uuid.AsString() in bad:
                board.Delete(t)
        after = refill_and_check(board, scratch)
    return after, len(added) - len(bad)
