"""What a board asks of a route, read through pcbnew for wattcad's router: its rule areas and
.kicad_dru rules as keep-outs, copper drawn as shapes and solder-mask windows kept clear, a pad's
mask opening as extra keep-away."""
from __future__ import annotations

from pathlib import Path

from wattcad.core.dru import area_rules, parse_rules
from wattcad.core.router import Keepout, NetClass

from .pcbnew_compat import pcbnew


def item_polygon(item, layer, grow_mm: float = 0.0) -> tuple:
    polys = pcbnew.SHAPE_POLY_SET()
    item.TransformShapeToPolygon(polys, layer, pcbnew.FromMM(grow_mm), pcbnew.FromMM(0.005), pcbnew.ERROR_OUTSIDE)
    if polys.OutlineCount() == 0:
        return ()
    ring = polys.Outline(0)
    return tuple((pcbnew.ToMM(ring.CPoint(i).x), pcbnew.ToMM(ring.CPoint(i).y)) for i in range(ring.PointCount()))


def zone_rings(zone) -> list[list[tuple[float, float]]]:
    """A zone's (or rule area's) outlines, in millimetres."""
    outline = zone.Outline()
    return [[(pcbnew.ToMM(r.CPoint(i).x), pcbnew.ToMM(r.CPoint(i).y)) for i in range(r.PointCount())]
            for r in (outline.Outline(o) for o in range(outline.OutlineCount()))]


def design_rules(dru: Path) -> list:
    return parse_rules(dru.read_text(encoding="utf-8"), dru) if dru.is_file() else []


def area_rule_keepouts(board, rules, names: list[str], classes: dict[int, NetClass]) -> tuple[list[Keepout], list[str]]:
    """The .kicad_dru rules that keep some nets out of a named area (a zone or rule area of the
    board), as keepouts; a rule naming an area the board lacks is reported."""
    areas: dict[str, list] = {}  # name -> (layers, outline) of each zone or rule area of that name
    for z in board.Zones():
        layers = tuple(i for i, layer in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)) if z.IsOnLayer(layer))
        areas.setdefault(str(z.GetZoneName()), []).extend((layers, tuple(ring)) for ring in zone_rings(z))
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


def mask_reach_mm(pad, layers: tuple[int, ...], ds) -> float:
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


def rule_area_keepouts(board, every: frozenset) -> list[Keepout]:
    """KiCad's keep-out rule areas, the board's and its footprints' (a connector's "no tracks"
    zone): the tracks and/or vias they forbid, for every net, on each copper layer they are on."""
    keepouts = []
    areas = list(board.Zones()) + [z for fp in sorted(board.GetFootprints(), key=lambda f: f.GetReference()) for z in fp.Zones()]
    for z in areas:
        if not z.GetIsRuleArea() or not (z.GetDoNotAllowTracks() or z.GetDoNotAllowVias()):
            continue
        rings = tuple(tuple(ring) for ring in zone_rings(z))
        for i, layer in enumerate((pcbnew.F_Cu, pcbnew.B_Cu)):
            if z.IsOnLayer(layer) and rings:
                keepouts.append(Keepout(f"rule area {z.GetZoneName() or ''}".strip(), rings, (i,), every,
                                        tracks=z.GetDoNotAllowTracks(), vias=z.GetDoNotAllowVias()))
    return keepouts


def copper_shapes(board, index: dict, classes: dict, ds) -> list[Keepout]:
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
                poly = item_polygon(item, layer, grow_mm) if item.GetClass() == "PCB_SHAPE" else _box(item, grow_mm)
                if poly:
                    keepouts.append(Keepout("copper shape", (poly,), (i,), every - own, tracks=True, vias=True))
                    if own:
                        keepouts.append(Keepout("copper shape", (poly,), (i,), own, tracks=False, vias=True))
            # A solder-mask opening drawn as a shape (a connector's or a QFN's window): a track of any
            # other net bared in it bridges to the pads it bares (KiCad's solder_mask_bridge); the
            # footprint's own nets reach their pads through it, and no via is drilled in it.
            for i, mask in enumerate((pcbnew.F_Mask, pcbnew.B_Mask)):
                if item.GetClass() == "PCB_SHAPE" and item.IsOnLayer(mask):
                    poly = item_polygon(item, mask, pcbnew.ToMM(ds.m_SolderMaskToCopperClearance) + MASK_MARGIN_MM)
                    if poly:
                        keepouts.append(Keepout("mask opening", (poly,), (i,), every - own, tracks=True, vias=True))
                        if own:
                            keepouts.append(Keepout("mask opening", (poly,), (i,), own, tracks=False, vias=True))
    return keepouts
