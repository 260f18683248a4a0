"""Read any KiCad 9 .kicad_pcb into a BoardModel, through pcbnew (thin adapter)."""
from __future__ import annotations

from pathlib import Path

import pcbnew

from wattcad.boardmodel import Body, BoardModel, Hole
from wattcad.errors import InputError
from wattcad.footprints.spec import spec_for_part

from .board_io import load_board
from .pcbnew_footprints import footprint_from_pcbnew

DEFAULT_HEIGHT_MM = {"smd": 1.0, "through_hole": 8.0}
FEATHER = {"length_mm": 50.8, "width_mm": 22.86, "pcb_mm": 1.6, "parts_mm": 3.2, "header_mm": 8.5,
           "usb": (7.5, 9.0, 3.2), "usb_overhang_mm": 1.0}


def body_height(spec, through_hole: bool) -> float:
    """A part's height: its package spec's maximum, else a default for SMD or through-hole parts."""
    if spec is not None and spec.has("height"):
        return spec.dim("height").max
    return DEFAULT_HEIGHT_MM["through_hole" if through_hole else "smd"]


def read_board_model(path: str | Path) -> BoardModel:
    path = Path(path)
    board = load_board(path)
    polys = pcbnew.SHAPE_POLY_SET()
    if not board.GetBoardPolygonOutlines(polys) or polys.OutlineCount() == 0:
        raise InputError(path, "Edge.Cuts", "the board has no closed outline")
    largest = max(range(polys.OutlineCount()), key=lambda i: abs(polys.Outline(i).Area()))
    ring = polys.Outline(largest)
    to_mm = pcbnew.ToMM
    outline = [(round(to_mm(ring.CPoint(i).x), 4), round(to_mm(ring.CPoint(i).y), 4)) for i in range(ring.PointCount())]
    cutouts = []
    for h in range(polys.HoleCount(largest)):
        hole = polys.Hole(largest, h)
        cutouts.append([(round(to_mm(hole.CPoint(i).x), 4), round(to_mm(hole.CPoint(i).y), 4)) for i in range(hole.PointCount())])
    model = BoardModel(name=path.stem, thickness_mm=to_mm(board.GetDesignSettings().GetBoardThickness()),
                       outline=outline, cutouts=cutouts, source=str(path))
    header_refs = []
    for fp in sorted(board.GetFootprints(), key=lambda f: f.GetReference()):
        ref = fp.GetReference()
        for pad in fp.Pads():
            drill = pad.GetDrillSize()
            if drill.x >= pcbnew.FromMM(2.5):
                pos = pad.GetPosition()
                model.holes.append(Hole(round(to_mm(pos.x), 4), round(to_mm(pos.y), 4), round(to_mm(drill.x), 4),
                                        pad.GetAttribute() == pcbnew.PAD_ATTRIB_PTH, ref))
        ours = footprint_from_pcbnew(fp)
        box = ours.layer_bbox(".Fab") or ours.layer_bbox(".CrtYd")
        if box is None or fp.GetValue() in ("MountingHole",):
            continue  # net ties, jumpers and holes have no body
        spec = spec_for_part(fp.GetValue(), str(fp.GetFPID().GetLibItemName()))
        tht = any(p.GetAttribute() == pcbnew.PAD_ATTRIB_PTH for p in fp.Pads())
        pos = fp.GetPosition()
        model.bodies.append(Body(
            ref=ref, value=fp.GetValue(), footprint=f"{fp.GetFPID().GetLibNickname()}:{fp.GetFPID().GetLibItemName()}",
            x_mm=round(to_mm(pos.x), 4), y_mm=round(to_mm(pos.y), 4), rotation_deg=round(fp.GetOrientation().AsDegrees(), 4),
            side="bottom" if fp.IsFlipped() else "top", box_min_mm=(round(box[0], 4), round(box[1], 4)),
            box_max_mm=(round(box[2], 4), round(box[3], 4)), height_mm=body_height(spec, tht),
            package=spec.name if spec else "", opening=(spec.options.get("opening", "") if spec else "")))
        if spec is not None and spec.name.startswith("header-") and "feather" in " ".join(spec.aliases):
            header_refs.append(ref)
    if len(header_refs) == 2:
        model.bodies += feather_bodies(model, header_refs)
    return model


def feather_bodies(model: BoardModel, header_refs: list[str]) -> list[Body]:
    """The ESP32 Feather stacked on its two headers: its board with parts, and its USB connector at
    the end where the headers' pin 1 sit (the Feather's own layout)."""
    pts = [c for ref in header_refs for c in model.body(ref).corners()]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    horizontal = (max(xs) - min(xs)) >= (max(ys) - min(ys))
    length, width = FEATHER["length_mm"], FEATHER["width_mm"]
    pin1 = model.body(header_refs[0])
    first = pin1.to_board(0.0, 0.0)
    rotation = 0.0 if horizontal else 90.0
    # USB end: towards pin 1 of the headers.
    towards_pin1 = (first[0] < cx) if horizontal else (first[1] > cy)
    usb_w, usb_l, usb_h = FEATHER["usb"]
    stand = FEATHER["header_mm"]
    board_body = Body(ref="FEATHER", value="ESP32 Feather", footprint="", x_mm=round(cx, 4), y_mm=round(cy, 4),
                      rotation_deg=rotation, side="top", box_min_mm=(-length / 2, -width / 2), box_max_mm=(length / 2, width / 2),
                      height_mm=FEATHER["pcb_mm"] + FEATHER["parts_mm"], package="feather", stands_off_mm=stand)
    end = -length / 2 if towards_pin1 else length / 2
    sign = -1 if towards_pin1 else 1
    usb_x0 = end - sign * (usb_l - FEATHER["usb_overhang_mm"])
    usb_x1 = end + sign * FEATHER["usb_overhang_mm"]
    usb = Body(ref="FEATHER_USB", value="USB", footprint="", x_mm=round(cx, 4), y_mm=round(cy, 4), rotation_deg=rotation,
               side="top", box_min_mm=(min(usb_x0, usb_x1), -usb_w / 2), box_max_mm=(max(usb_x0, usb_x1), usb_w / 2),
               height_mm=usb_h, package="usb", opening="-x" if towards_pin1 else "+x",
               stands_off_mm=stand + FEATHER["pcb_mm"])
    return [board_body, usb]
