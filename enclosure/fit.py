"""Fit check: the assembled board inside the enclosure, measured on the real solids (OCCT):
interference volume per part, the smallest clearance, and how far each cut-out's axis is from its
connector's axis."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import cadquery as cq
from OCP.BRepExtrema import BRepExtrema_DistShapeShape

from wattcad.core.boardmodel import to_3d

INTERFERENCE_TOL_MM3 = 1e-3
COAXIAL_TOL_MM = 0.1
TOUCH_MM = 1e-6  # closer than this, a part may overlap a shell: measured by a boolean


@dataclass
class FitResult:
    interference_mm3: float = 0.0
    collisions: list[dict] = field(default_factory=list)  # {"part", "with", "volume_mm3"}
    min_clearance_mm: float = math.inf  # between a part and the enclosure (the board sits on its standoffs)
    min_clearance_between: tuple[str, str] = ("", "")
    cutouts: list[dict] = field(default_factory=list)  # {"ref", "axis_offset_mm"}
    clearance_by_shell: dict[str, float] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return self.interference_mm3 <= INTERFERENCE_TOL_MM3 and all(c["axis_offset_mm"] <= COAXIAL_TOL_MM for c in self.cutouts)

    def to_json(self) -> dict:
        return {"fits": self.fits, "interference_mm3": round(self.interference_mm3, 4), "collisions": self.collisions,
                "min_clearance_mm": round(self.min_clearance_mm, 4), "min_clearance_between": list(self.min_clearance_between),
                "clearance_by_shell_mm": {k: round(v, 4) for k, v in sorted(self.clearance_by_shell.items())},
                "cutouts": self.cutouts, "tolerances": {"interference_mm3": INTERFERENCE_TOL_MM3, "coaxial_mm": COAXIAL_TOL_MM}}


def _distance(a: cq.Shape, b: cq.Shape) -> float:
    d = BRepExtrema_DistShapeShape(a.wrapped, b.wrapped)
    d.Perform()
    return d.Value() if d.IsDone() else math.inf


def _box_of(solid: cq.Shape) -> cq.Solid:
    bb = solid.BoundingBox()
    return cq.Solid.makeBox(max(bb.xlen, 1e-3), max(bb.ylen, 1e-3), max(bb.zlen, 1e-3), cq.Vector(bb.xmin, bb.ymin, bb.zmin))


def fit_check(parts: dict[str, cq.Shape], enclosure: dict[str, cq.Shape], plan, cutout_solids: dict[str, cq.Shape],
              base_without_cutouts: cq.Shape | None = None) -> FitResult:
    result = FitResult()
    # A part's real shape (a 3D model of thousands of faces) costs seconds to measure against a shell;
    # its bounding box, which holds it, is cheap and never nearer. So: every part's box first, then the
    # real shape only where its box touches the shell or could be nearer than the nearest part yet.
    pairs = []
    for name, solid in sorted(parts.items()):
        for shell_name, shell in sorted(enclosure.items()):
            bb_a, bb_b = solid.BoundingBox(), shell.BoundingBox()
            if (bb_a.xmax < bb_b.xmin or bb_b.xmax < bb_a.xmin or bb_a.ymax < bb_b.ymin or bb_b.ymax < bb_a.ymin
                    or bb_a.zmax < bb_b.zmin or bb_b.zmax < bb_a.zmin):
                continue
            pairs.append((_distance(_box_of(solid), shell), name, shell_name))
    nearest: dict[str, float] = {}  # the nearest real gap found yet, per shell
    for lower, name, shell_name in sorted(pairs):
        if lower > TOUCH_MM and (name == "board" or lower >= nearest.get(shell_name, math.inf)):
            continue  # clear of this shell, and not nearer than a part already measured
        solid, shell = parts[name], enclosure[shell_name]
        # OCCT's distance between solids is 0 when one reaches into the other (inside counts):
        # only then is the boolean, the slow part, needed for the volume.
        gap = _distance(solid, shell)
        volume = 0.0
        if gap <= TOUCH_MM:
            common = solid.intersect(shell)
            volume = common.Volume() if common is not None else 0.0
        if volume > INTERFERENCE_TOL_MM3:
            result.collisions.append({"part": name, "with": shell_name, "volume_mm3": round(volume, 4)})
            result.interference_mm3 += volume
        elif name != "board":  # the board rests on its standoffs: contact by design
            nearest[shell_name] = min(nearest.get(shell_name, math.inf), gap)
            result.clearance_by_shell[shell_name] = nearest[shell_name]
            if gap < result.min_clearance_mm:
                result.min_clearance_mm, result.min_clearance_between = gap, (name, shell_name)
    result.collisions.sort(key=lambda c: (c["part"], c["with"]))
    # Coaxiality: the material the cut-out removed from the wall is centred on the cut-out's own
    # axis; measure that centre against the connector's axis line.
    if base_without_cutouts is not None:
        for c in (c for c in plan.cutouts if c.for_plug):
            removed = base_without_cutouts.intersect(cutout_solids[c.ref])
            if removed is None or removed.Volume() < 1e-6:
                result.cutouts.append({"ref": c.ref, "axis_offset_mm": math.inf, "note": "the cut-out misses the wall"})
                continue
            centre = cq.Shape.centerOfMass(removed)
            px, py = to_3d(c.point)
            dx, dy = c.direction[0], -c.direction[1]
            vx, vy, vz = centre.x - px, centre.y - py, centre.z - c.z_mm
            along = vx * dx + vy * dy
            offset = math.sqrt(max(vx * vx + vy * vy + vz * vz - along * along, 0.0))
            result.cutouts.append({"ref": c.ref, "axis_offset_mm": round(offset, 4), "width_mm": round(c.width_mm, 3),
                                   "height_mm": round(c.height_mm, 3), "shape": "round" if c.round else "rect"})
    return result
