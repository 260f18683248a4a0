"""Thin pcbnew adapter: pcbnew FOOTPRINTs into wattcad's Footprint model (mm, local coordinates),
so the verifier runs on a board open in KiCad exactly as on files."""
from __future__ import annotations

import math

from wattcad.footprints.model import Footprint, Graphic, Pad

from .pcbnew_compat import pcbnew

_PAD_KIND = {pcbnew.PAD_ATTRIB_SMD: "smd", pcbnew.PAD_ATTRIB_PTH: "thru_hole",
             pcbnew.PAD_ATTRIB_NPTH: "np_thru_hole", pcbnew.PAD_ATTRIB_CONN: "connect"}
_PAD_SHAPE = {pcbnew.PAD_SHAPE_RECT: "rect", pcbnew.PAD_SHAPE_ROUNDRECT: "roundrect",
              pcbnew.PAD_SHAPE_CIRCLE: "circle", pcbnew.PAD_SHAPE_OVAL: "oval"}


def _mm(v: int) -> float:
    return pcbnew.ToMM(v)


# pcbnew's display names differ from the names KiCad files use; the model speaks the file names.
_FILE_LAYER_NAMES = {"Courtyard": "CrtYd", "Silkscreen": "SilkS", "Adhesive": "Adhes"}


def _layer(layer_id: int) -> str:
    side, _, kind = pcbnew.BOARD.GetStandardLayerName(layer_id).partition(".")
    return f"{side}.{_FILE_LAYER_NAMES.get(kind, kind)}" if kind else side


def _shape_offset(pad):
    """The copper's offset from the hole (KiCad 9 keeps one per layer of the padstack; earlier, one)."""
    try:
        return pad.GetOffset(pcbnew.F_Cu)
    except TypeError:
        return pad.GetOffset()


def footprint_from_pcbnew(fp: pcbnew.FOOTPRINT, source: str = "") -> Footprint:
    flipped = fp.IsFlipped()
    fp_angle = fp.GetOrientation().AsDegrees()
    out = Footprint(name=str(fp.GetFPID().GetLibItemName()), library=str(fp.GetFPID().GetLibNickname()),
                    reference=fp.GetReference(), value=fp.GetValue(), source=source,
                    layer="B.Cu" if flipped else "F.Cu")
    for pad in fp.Pads():
        pos = pad.GetFPRelativePosition()
        size = pad.GetSize()
        drill = pad.GetDrillSize()
        layers = tuple(_layer(layer) for layer in pad.GetLayerSet().Seq())
        if flipped:  # mirror back so pin order reads as on the top side
            layers = tuple(name.replace("B.", "F.", 1) if name.startswith("B.") else name for name in layers)
        y = _mm(pos.y)
        rot = pad.GetFPRelativeOrientation().AsDegrees()
        offset = _shape_offset(pad)
        out.pads.append(Pad(
            number=pad.GetNumber(), kind=_PAD_KIND.get(pad.GetAttribute(), "smd"),
            shape=_PAD_SHAPE.get(pad.GetShape(), "custom"),
            x_mm=_mm(pos.x), y_mm=-y if flipped else y, rotation_deg=(-rot if flipped else rot) % 360,
            w_mm=_mm(size.x), h_mm=_mm(size.y), layers=layers,
            drill_mm=min(_mm(drill.x), _mm(drill.y)) if drill.x > 0 else None, net=pad.GetNetname(),
            offset_x_mm=_mm(offset.x), offset_y_mm=-_mm(offset.y) if flipped else _mm(offset.y)))
    # Graphics only matter for their extent (courtyard, fab body): their points, in local axes.
    origin = fp.GetPosition()
    a = math.radians(-fp_angle)  # board -> local undoes the footprint's rotation
    c, s_ = math.cos(a), math.sin(a)
    for item in fp.GraphicalItems():
        if not isinstance(item, pcbnew.PCB_SHAPE):
            continue
        name = _layer(item.GetLayer())
        if flipped:
            name = name.replace("B.", "F.", 1)
        local = []
        for pt in _shape_points(item):
            dx, dy = _mm(pt.x - origin.x), _mm(pt.y - origin.y)
            x, y = dx * c + dy * s_, -dx * s_ + dy * c
            local.append((x, -y if flipped else y))
        if local:
            out.graphics.append(Graphic("poly", name, local, _mm(item.GetWidth())))
    return out


def board_footprints(board: pcbnew.BOARD) -> list[Footprint]:
    source = board.GetFileName() or "(unsaved board)"
    return [footprint_from_pcbnew(fp, source) for fp in board.GetFootprints()]


def _shape_points(item: pcbnew.PCB_SHAPE) -> list:
    shape = item.GetShape()
    if shape == pcbnew.SHAPE_T_RECT:
        return list(item.GetRectCorners())
    if shape == pcbnew.SHAPE_T_POLY:
        outline = item.GetPolyShape().Outline(0)
        return [outline.CPoint(i) for i in range(outline.PointCount())]
    if shape == pcbnew.SHAPE_T_CIRCLE:
        ctr, r = item.GetCenter(), item.GetRadius()
        return [pcbnew.VECTOR2I(ctr.x + dx, ctr.y + dy) for dx, dy in ((-r, 0), (r, 0), (0, -r), (0, r))]
    if shape == pcbnew.SHAPE_T_ARC:
        return [item.GetStart(), item.GetArcMid(), item.GetEnd()]
    return [item.GetStart(), item.GetEnd()]
