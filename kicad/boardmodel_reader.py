"""Read any KiCad 9 .kicad_pcb into a BoardModel, through pcbnew (thin adapter)."""
from __future__ import annotations

from pathlib import Path

import pcbnew

from wattcad.core.boardmodel import BoardModel, Body, Hole
from wattcad.core.errors import InputError
from wattcad.footprints.module import module_geometry
from wattcad.footprints.spec import spec_for_part

from .board_io import load_board
from .pcbnew_footprints import footprint_from_pcbnew

DEFAULT_HEIGHT_MM = {"smd": 1.0, "through_hole": 8.0}


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
        if spec is not None and "module" in spec.options:
            model.bodies += module_bodies(fp, spec)
            continue
        model.bodies.append(Body(
            ref=ref, value=fp.GetValue(), footprint=f"{fp.GetFPID().GetLibNickname()}:{fp.GetFPID().GetLibItemName()}",
            x_mm=round(to_mm(pos.x), 4), y_mm=round(to_mm(pos.y), 4), rotation_deg=round(fp.GetOrientation().AsDegrees(), 4),
            side="bottom" if fp.IsFlipped() else "top", box_min_mm=(round(box[0], 4), round(box[1], 4)),
            box_max_mm=(round(box[2], 4), round(box[3], 4)), height_mm=body_height(spec, tht),
            package=spec.name if spec else "", opening=(spec.options.get("opening", "") if spec else "")))
    return model


def module_bodies(fp, spec) -> list[Body]:
    """A module stacked on its footprint (a spec with a `module` option, e.g. a Feather): the headers
    it stands on, its board with parts (role "module", named by the footprint's value) and its USB
    connector, all from its spec, in the footprint's frame (pin 1 at the origin of the spec's frame)."""
    geo = module_geometry(spec)
    pad1 = next((p for p in fp.Pads() if p.GetNumber() == spec.pins[0].number), None)
    shift = (0.0, 0.0)
    if pad1 is not None:  # the footprint's origin may not be pin 1
        rel = pad1.GetFPRelativePosition()
        shift = (pcbnew.ToMM(rel.x) - spec.pins[0].x_mm, pcbnew.ToMM(rel.y) - spec.pins[0].y_mm)
    pos = fp.GetPosition()
    footprint = f"{fp.GetFPID().GetLibNickname()}:{fp.GetFPID().GetLibItemName()}"
    side = "bottom" if fp.IsFlipped() else "top"

    def body(ref: str, value: str, box, height: float, stand: float = 0.0, opening: str = "", name: str = "",
             role: str = "") -> Body:
        x0, y0, x1, y1 = box
        return Body(ref=ref, value=value, footprint=name, x_mm=round(pcbnew.ToMM(pos.x), 4), y_mm=round(pcbnew.ToMM(pos.y), 4),
                    rotation_deg=round(fp.GetOrientation().AsDegrees(), 4), side=side,
                    box_min_mm=(round(x0 + shift[0], 4), round(y0 + shift[1], 4)),
                    box_max_mm=(round(x1 + shift[0], 4), round(y1 + shift[1], 4)), height_mm=height, package=spec.name,
                    opening=opening, stands_off_mm=stand, role=role)

    ref = fp.GetReference()
    bodies = [body(f"{ref}-H{i}", "female header", row, geo.header_height_mm) for i, row in enumerate(geo.header_rows, 1)]
    bodies.append(body(ref, fp.GetValue(), geo.board, geo.pcb_mm + geo.parts_mm, geo.header_height_mm, name=footprint,
                       role="module"))
    bodies.append(body(f"{ref}-USB", "USB", geo.usb, geo.usb_height_mm, geo.header_height_mm + geo.pcb_mm, geo.opening))
    return bodies
