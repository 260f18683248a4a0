"""3D bodies for KiCad: a STEP box per footprint, from its fab outline and its package's height,
for the parts whose stock 3D models are not installed (kicad-packages3d is 4.7 GB). KiCad's model
space has +y up, the footprint's +y down, so the box's y is turned around."""
from __future__ import annotations

from pathlib import Path

import cadquery as cq

from wattcad.footprints.model import Footprint


def footprint_body(fp: Footprint, height_mm: float) -> cq.Solid | None:
    box = fp.layer_bbox(".Fab") or fp.layer_bbox(".CrtYd")
    if box is None or height_mm <= 0:
        return None
    x0, y0, x1, y1 = box
    return cq.Solid.makeBox(x1 - x0, y1 - y0, height_mm, cq.Vector(x0, -y1, 0.0))


def write_body_step(fp: Footprint, height_mm: float, path: Path) -> Path | None:
    solid = footprint_body(fp, height_mm)
    if solid is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    cq.exporters.export(cq.Workplane().add(solid), str(path))
    return path
