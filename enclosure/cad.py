"""CadQuery solids: the board assembly (board, part bodies, the stacked Feather) and the enclosure
(base and lid) around it. 3D axes: x as on the board, y = -board y, z up; the floor's underside
is at z = 0."""
from __future__ import annotations

from pathlib import Path

import cadquery as cq

from wattcad.core.boardmodel import BoardModel, Body, to_3d
from wattcad.core.boardmodel_contract import shape_path

from .bodies import MIN_BODY_MM, at_least_a_sliver
from .params import EnclosureParams
from .plan import EnclosurePlan, edge_bodies


def _profile(points, z: float) -> cq.Workplane:
    pts = [to_3d(p) for p in points]
    return cq.Workplane("XY", origin=(0, 0, z)).polyline(pts).close()


def board_solid(model: BoardModel, plan: EnclosurePlan) -> cq.Solid:
    solid = _profile(model.outline, plan.board_bottom_mm).extrude(model.thickness_mm).val()
    for ring in model.cutouts:
        solid = solid.cut(_profile(ring, plan.board_bottom_mm - 1).extrude(model.thickness_mm + 2).val())
    for hole in model.holes:
        x, y = to_3d((hole.x_mm, hole.y_mm))
        solid = solid.cut(cq.Solid.makeCylinder(hole.diameter_mm / 2, model.thickness_mm + 2,
                                                cq.Vector(x, y, plan.board_bottom_mm - 1)))
    return solid


_STEPS: dict[str, cq.Shape] = {}  # a STEP file read once per process (the same chip body stands for a hundred parts)


def _step_shape(path: Path) -> cq.Shape:
    key = str(path)
    if key not in _STEPS:
        shapes = cq.importers.importStep(key).vals()
        _STEPS[key] = shapes[0] if len(shapes) == 1 else cq.Compound.makeCompound(shapes)
    return _STEPS[key]


def posed_shape(b: Body, plan: EnclosurePlan, model_file=None) -> cq.Shape:
    """B's STEP placed as KiCad places it: scaled, turned by the model's rotation (KiCad applies
    -x, then -y, then -z), moved by the model's offset, in the footprint's frame (model y up);
    then flipped under the board for a bottom part, turned by the footprint's rotation and moved
    to the footprint, its base on the board's face (`Body.to_board`, in 3D)."""
    shape = _step_shape(shape_path(b, model_file))
    if b.shape_scale != (1.0, 1.0, 1.0):
        m = cq.Matrix([[b.shape_scale[0], 0, 0, 0], [0, b.shape_scale[1], 0, 0], [0, 0, b.shape_scale[2], 0]])
        shape = shape.transformGeometry(m)
    origin = cq.Vector(0, 0, 0)
    for axis, angle in zip(((1, 0, 0), (0, 1, 0), (0, 0, 1)), b.shape_rotation_deg):
        if angle:
            shape = shape.rotate(origin, cq.Vector(*axis), -angle)
    shape = shape.translate(cq.Vector(*b.shape_offset_mm))
    if b.side == "bottom":
        shape = shape.rotate(origin, cq.Vector(1, 0, 0), 180)
        z0 = plan.board_bottom_mm - b.stands_off_mm
    else:
        z0 = plan.board_top_mm
    x, y = to_3d((b.x_mm, b.y_mm))
    return shape.rotate(origin, cq.Vector(0, 0, 1), b.rotation_deg).translate(cq.Vector(x, y, z0))


def body_solids(model: BoardModel, plan: EnclosurePlan, model_file=None) -> dict[str, cq.Shape]:
    """Every part as the fit sees it: its STEP where it has one (`Body.shape`), else its box, posed as
    on the board (bottom-side parts hang under it). MODEL_FILE: where relative shapes are found from."""
    out = {}
    for b in model.bodies:
        if b.shape:
            out[b.ref] = posed_shape(b, plan, model_file)
            continue
        x0, y0, x1, y1 = at_least_a_sliver(*b.box_min_mm, *b.box_max_mm)
        if b.side == "top":
            z0 = plan.board_top_mm + b.stands_off_mm
        else:
            z0 = plan.board_bottom_mm - b.stands_off_mm - b.height_mm
        corners = [to_3d(b.to_board(x, y)) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        solid = cq.Workplane("XY", origin=(0, 0, z0)).polyline(corners).close().extrude(max(b.height_mm, MIN_BODY_MM)).val()
        out[b.ref] = solid
    return out


def _outer_profiles(model: BoardModel, plan: EnclosurePlan, p: EnclosureParams, z: float):
    """(inner, outer) outlines as CadQuery wires at height z."""
    if plan.kind == "circle":
        c = to_3d(plan.centre)
        inner = cq.Workplane("XY", origin=(0, 0, z)).center(*c).circle(plan.radius_mm + p.clearance_mm)
        outer = cq.Workplane("XY", origin=(0, 0, z)).center(*c).circle(plan.radius_mm + p.clearance_mm + p.wall_mm)
        return inner, outer
    base = _profile(model.outline, z)
    wire = base.wires().val()
    inner = cq.Workplane("XY", origin=(0, 0, z)).add(wire.offset2D(p.clearance_mm, "arc")[0]).toPending()
    outer = cq.Workplane("XY", origin=(0, 0, z)).add(wire.offset2D(p.clearance_mm + p.wall_mm, "arc")[0]).toPending()
    return inner, outer


def _prism(model, plan, p, z0: float, height: float, which: str, grow: float = 0.0) -> cq.Solid:
    if plan.kind == "circle":
        c = to_3d(plan.centre)
        r = plan.radius_mm + p.clearance_mm + (p.wall_mm if which == "outer" else 0.0) + grow
        return cq.Solid.makeCylinder(r, height, cq.Vector(c[0], c[1], z0))
    wire = _profile(model.outline, z0).wires().val()
    offset = p.clearance_mm + (p.wall_mm if which == "outer" else 0.0) + grow
    return cq.Workplane("XY", origin=(0, 0, z0)).add(wire.offset2D(offset, "arc")[0]).toPending().extrude(height).val()


def cutout_solid(c, p: EnclosureParams) -> cq.Solid:
    """The hole for one connector: its cross-section swept along the connector's own axis, from
    2 mm inside its face to well past the wall."""
    if c.outline:  # an overhanging part: its whole box, through whatever wall it crosses
        return cq.Workplane("XY", origin=(0, 0, c.z_mm - c.height_mm / 2)).polyline(
            [to_3d(q) for q in c.outline]).close().extrude(c.height_mm).val()
    px, py = to_3d(c.point)
    dx, dy = c.direction[0], -c.direction[1]
    start = cq.Vector(px - 2 * dx, py - 2 * dy, c.z_mm)
    length = 2 + p.clearance_mm + p.wall_mm + 8
    axis = cq.Vector(dx, dy, 0)
    if c.round:
        return cq.Solid.makeCylinder(max(c.width_mm, c.height_mm) / 2, length, start, axis)
    # A rectangle across the axis: x along the axis, local y across it in the board plane, z up.
    plane = cq.Plane(origin=start, xDir=cq.Vector(-dy, dx, 0), normal=axis)
    return cq.Workplane(plane).rect(c.width_mm, c.height_mm).extrude(length).val()


def enclosure_solids(model: BoardModel, plan: EnclosurePlan, p: EnclosureParams) -> dict[str, cq.Solid]:
    """Base (and the base before its cut-outs, for the coaxiality check) and lid."""
    bodies = body_solids(model, plan)
    keep_clear = [bodies[r] for r in edge_bodies(model, p)]
    top = plan.inner_top_mm
    base = _prism(model, plan, p, 0.0, top, "outer").cut(_prism(model, plan, p, plan.floor_top_mm, top, "inner"))
    # Screw ears at the top of the wall (and matching ones on the lid).
    ear_h = min(6.0, top)
    for ex, ey in plan.ears:
        x, y = to_3d((ex, ey))
        ear = cq.Solid.makeCylinder(p.ear_diameter_mm / 2, ear_h, cq.Vector(x, y, top - ear_h))
        base = base.fuse(ear).cut(cq.Solid.makeCylinder(p.screw_pilot_mm / 2, ear_h + 1, cq.Vector(x, y, top - ear_h)))
    base = base.cut(_prism(model, plan, p, plan.floor_top_mm, top, "inner"))  # the ears stay outside the wall
    # Standoffs with screw pilots, from the floor up to the board.
    for s in plan.standoffs:
        x, y = to_3d((s.x_mm, s.y_mm))
        post = cq.Solid.makeCylinder(s.diameter_mm / 2, plan.board_bottom_mm - plan.floor_top_mm + 0.01,
                                     cq.Vector(x, y, plan.floor_top_mm - 0.01))
        base = base.fuse(post)
        base = base.cut(cq.Solid.makeCylinder(p.screw_pilot_mm / 2, plan.board_bottom_mm, cq.Vector(x, y, 0.8)))
    uncut = base
    for c in plan.cutouts:
        base = base.cut(cutout_solid(c, p))
    if p.din_rail:
        base = base.fuse(_din_rail(model, plan))
    lid = _prism(model, plan, p, top, p.lid_mm, "outer")
    if p.lid_lip_mm > 0:
        lip = _prism(model, plan, p, top - p.lid_lip_mm, p.lid_lip_mm, "inner", grow=-0.2)
        lip = lip.cut(_prism(model, plan, p, top - p.lid_lip_mm - 1, p.lid_lip_mm + 2, "inner", grow=-0.2 - p.lid_lip_wall_mm))
        for solid in keep_clear:
            bb = solid.BoundingBox()
            gap = p.cutout_margin_mm
            lip = lip.cut(cq.Solid.makeBox(bb.xlen + 2 * gap, bb.ylen + 2 * gap, bb.zlen + 2 * gap,
                                           cq.Vector(bb.xmin - gap, bb.ymin - gap, bb.zmin - gap)))
        lid = lid.fuse(lip)
    for ex, ey in plan.ears:
        x, y = to_3d((ex, ey))
        lid = lid.fuse(cq.Solid.makeCylinder(p.ear_diameter_mm / 2, p.lid_mm, cq.Vector(x, y, top)))
        lid = lid.cut(cq.Solid.makeCylinder(p.screw_clearance_mm / 2, p.lid_mm + 2, cq.Vector(x, y, top - 1)))
    if p.vents:
        lid = lid.cut(_vents(model, plan, p))
    return {"base": base.clean(), "lid": lid.clean(), "base_uncut": uncut}


def _vents(model, plan, p) -> cq.Solid:
    """Slots over the middle of the lid, away from the ears."""
    c = to_3d(plan.centre)
    slots = None
    for i in range(-3, 4):
        slot = cq.Workplane("XY", origin=(c[0], c[1] + i * 5.0, plan.inner_top_mm - 1)).slot2D(30.0, 2.0).extrude(p.lid_mm + 2).val()
        slots = slot if slots is None else slots.fuse(slot)
    return slots


def _din_rail(model, plan) -> cq.Solid:
    """A channel for a 35 mm top-hat rail under the floor: two hooks 35.2 mm apart."""
    c = to_3d(plan.centre)
    length = 40.0
    rails = None
    for side in (-1, 1):
        hook = cq.Solid.makeBox(length, 2.0, 4.0, cq.Vector(c[0] - length / 2, c[1] + side * (35.2 / 2 + 1.0) - 1.0, -4.0))
        rails = hook if rails is None else rails.fuse(hook)
    return rails
