"""3D bodies for KiCad, the GLB and the renders (kicad-packages3d is 4.7 GB, so wattcad draws its own):
for a part whose package spec describes its shape (the Feather, the 3.5 mm jack, the barrel jack,
the 3225 crystal), that shape from the spec's dimensions, in colour; for any other footprint a box
from its fab outline and its package's height. KiCad's model space has +y up, the footprint's +y
down: every solid here is built in the footprint's frame and turned round y at the end."""
from __future__ import annotations

from pathlib import Path

import cadquery as cq

from wattcad.footprints.model import Footprint

# The colours KiCad's own models use for these materials (RGB 0-1).
COLOURS = {"pcb": (0.08, 0.33, 0.14), "metal": (0.6, 0.6, 0.63), "black": (0.08, 0.08, 0.08),
           "white": (0.9, 0.9, 0.88), "ceramic": (0.85, 0.8, 0.7), "gold": (0.85, 0.68, 0.2)}


def _box(x0: float, y0: float, x1: float, y1: float, z0: float, z1: float) -> cq.Solid:
    """A box given in the footprint's frame (y down), made in KiCad's model frame (y up)."""
    return cq.Solid.makeBox(x1 - x0, y1 - y0, z1 - z0, cq.Vector(x0, -y1, z0))


def _cylinder_y(cx: float, y_from: float, y_to: float, cz: float, diameter: float) -> cq.Solid:
    """A cylinder along the footprint's y axis (a jack's barrel), from Y_FROM to Y_TO."""
    lo, hi = min(y_from, y_to), max(y_from, y_to)
    return cq.Solid.makeCylinder(diameter / 2, hi - lo, cq.Vector(cx, -hi, cz), cq.Vector(0, 1, 0))


def footprint_box(fp: Footprint) -> tuple[float, float, float, float] | None:
    """The part's outline: its fab drawing, else its courtyard, else its pads' extent."""
    box = fp.layer_bbox(".Fab") or fp.layer_bbox(".CrtYd")
    if box is None and fp.pads:
        pads = [p.bbox() for p in fp.pads]
        box = (min(b[0] for b in pads), min(b[1] for b in pads), max(b[2] for b in pads), max(b[3] for b in pads))
    return box


MIN_BODY_MM = 0.05  # a part drawn as a line or a point (one pad, a bare fab line) still gets a sliver


def at_least_a_sliver(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """The box, widened about its centre to MIN_BODY_MM where it is narrower."""
    if x1 - x0 < MIN_BODY_MM:
        x0, x1 = (x0 + x1 - MIN_BODY_MM) / 2, (x0 + x1 + MIN_BODY_MM) / 2
    if y1 - y0 < MIN_BODY_MM:
        y0, y1 = (y0 + y1 - MIN_BODY_MM) / 2, (y0 + y1 + MIN_BODY_MM) / 2
    return x0, y0, x1, y1


def footprint_body(fp: Footprint, height_mm: float) -> cq.Solid | None:
    box = footprint_box(fp)
    if box is None or height_mm <= 0:
        return None
    x0, y0, x1, y1 = at_least_a_sliver(*box)
    return _box(x0, y0, x1, y1, 0.0, height_mm)


# --- parts a spec describes --------------------------------------------------------------------
def feather_body(spec) -> cq.Assembly:
    """The Adafruit Feather on its female headers: the headers, its rounded PCB with its holes, the
    ESP32 module (PCB, shield can, bare antenna end), the micro-USB receptacle, the reset button and
    the battery jack; all from the spec's `options.module` (sources there)."""
    from wattcad.footprints.module import module_geometry

    geo = module_geometry(spec)
    detail = spec.options["module"]["body"]
    z_pcb = geo.stand_off_mm
    z_top = z_pcb + geo.pcb_mm
    parts = cq.Assembly(name=spec.name)
    for i, (x0, y0, x1, y1) in enumerate(geo.header_rows, 1):
        parts.add(_box(x0, y0, x1, y1, 0.0, geo.header_height_mm), name=f"female_header_{i}", color=cq.Color(*COLOURS["black"]))
        parts.add(_box(x0, y0, x1, y1, geo.header_height_mm, z_pcb), name=f"male_header_{i}", color=cq.Color(*COLOURS["black"]))
    x0, y0, x1, y1 = geo.board
    pcb = (cq.Workplane("XY").workplane(offset=z_pcb).center((x0 + x1) / 2, -(y0 + y1) / 2)
           .rect(x1 - x0, y1 - y0).extrude(geo.pcb_mm).edges("|Z").fillet(detail["corner_radius_mm"]))
    for hole in detail["holes"]:
        pcb = pcb.cut(cq.Workplane("XY").workplane(offset=z_pcb - 1).center(hole["x"], -hole["y"])
                      .circle(hole["d"] / 2).extrude(geo.pcb_mm + 2))
    parts.add(pcb, name="pcb", color=cq.Color(*COLOURS["pcb"]))
    module = detail["esp32_module"]
    mx0, my0, mx1, my1 = module["box"]
    parts.add(_box(mx0, my0, mx1, my1, z_top, z_top + module["pcb_mm"]), name="esp32_module_pcb",
              color=cq.Color(*COLOURS["pcb"]))
    inset = detail["shield_inset_mm"]
    antenna_start = my1 - detail["antenna_mm"]  # the antenna end is the module's far (+y) end
    parts.add(_box(mx0 + inset, my0 + inset, mx1 - inset, antenna_start - inset, z_top + module["pcb_mm"],
                   z_top + module["height_mm"]), name="esp32_shield_can", color=cq.Color(*COLOURS["metal"]))
    ux0, uy0, ux1, uy1 = geo.usb
    parts.add(_box(ux0, uy0, ux1, uy1, z_top, z_top + geo.usb_height_mm), name="usb", color=cq.Color(*COLOURS["metal"]))
    button = detail["reset_button"]
    bx0, by0, bx1, by1 = button["box"]
    parts.add(_box(bx0, by0, bx1, by1, z_top, z_top + button["height_mm"]), name="reset_button",
              color=cq.Color(*COLOURS["metal"]))
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    parts.add(cq.Solid.makeCylinder(0.8, button["actuator_mm"], cq.Vector(cx, -cy, z_top + button["height_mm"])),
              name="reset_actuator", color=cq.Color(*COLOURS["black"]))
    jack = detail["battery_jack"]
    jx0, jy0, jx1, jy1 = jack["box"]
    parts.add(_box(jx0, jy0, jx1, jy1, z_top, z_top + jack["height_mm"]), name="battery_jack",
              color=cq.Color(*COLOURS["white"]))
    return parts


def jack_body(fp: Footprint, spec) -> cq.Assembly | None:
    """A horizontal jack from its fab outline and `options.barrel` (module.barrel_geometry): the body
    box, a barrel (a tube out of the face the plug enters) where it has one, the bore the plug goes
    into, and a centre pin where it has one."""
    from wattcad.footprints.module import barrel_geometry

    box = fp.layer_bbox(".Fab")
    b = barrel_geometry(box, spec) if box is not None else None
    if b is None:
        return None
    x0, y0, x1, y1 = b.body
    body = _box(x0, y0, x1, y1, 0.0, spec.dim("height").nom)
    if b.bore_depth_mm:
        body = body.cut(_cylinder_y(b.x_mm, b.face_y - b.out, b.face_y - b.out * b.bore_depth_mm, b.axis_mm, b.bore_mm))
    parts = cq.Assembly(name=spec.name)
    parts.add(body, name="body", color=cq.Color(*COLOURS["black"]))
    if b.tip_y != b.face_y:
        tube = _cylinder_y(b.x_mm, b.face_y, b.tip_y, b.axis_mm, b.diameter_mm).cut(
            _cylinder_y(b.x_mm, b.face_y - b.out, b.tip_y + b.out, b.axis_mm, b.bore_mm))
        parts.add(tube, name="barrel", color=cq.Color(*COLOURS["black"]))
    if b.pin_mm and b.bore_depth_mm:
        parts.add(_cylinder_y(b.x_mm, b.face_y - b.out * 0.5, b.face_y - b.out * b.bore_depth_mm, b.axis_mm, b.pin_mm),
                  name="centre_pin", color=cq.Color(*COLOURS["gold"]))
    return parts


def crystal_body(fp: Footprint, spec) -> cq.Assembly | None:
    """A ceramic SMD crystal: the ceramic base and its metal lid (`options.lid`)."""
    lid = spec.options.get("lid")
    if not lid:
        return None
    w, d, h = spec.dim("body_x").nom, spec.dim("body_y").nom, spec.dim("height").max
    parts = cq.Assembly(name=spec.name)
    parts.add(_box(-w / 2, -d / 2, w / 2, d / 2, 0.0, h - lid["thickness_mm"]), name="base",
              color=cq.Color(*COLOURS["ceramic"]))
    inset = lid["inset_mm"]
    parts.add(_box(-w / 2 + inset, -d / 2 + inset, w / 2 - inset, d / 2 - inset, h - lid["thickness_mm"], h),
              name="lid", color=cq.Color(*COLOURS["metal"]))
    return parts


def spec_body(fp: Footprint, spec) -> cq.Assembly | None:
    """The body a spec describes for FP, or None (a box then stands for it)."""
    if spec is None:
        return None
    if spec.options.get("module", {}).get("body"):
        return feather_body(spec)
    if spec.options.get("barrel"):
        return jack_body(fp, spec)
    if spec.options.get("lid"):
        return crystal_body(fp, spec)
    return None


def write_body_step(fp: Footprint, height_mm: float, path: Path, spec=None) -> Path | None:
    """FP's body as a STEP file at PATH: the spec's shape where it has one (in colour), else a box."""
    shaped = spec_body(fp, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    if shaped is not None:
        shaped.export(str(path), "STEP")
        return path
    solid = footprint_body(fp, height_mm)
    if solid is None:
        return None
    cq.exporters.export(cq.Workplane().add(solid), str(path))
    return path


def solid_bbox(path: Path) -> tuple[float, ...]:
    """A STEP file's bounding box (xmin, ymin, zmin, xmax, ymax, zmax), in KiCad's model frame."""
    shape = cq.importers.importStep(str(path))
    bb = shape.val().BoundingBox() if len(shape.vals()) == 1 else cq.Compound.makeCompound(shape.vals()).BoundingBox()
    return tuple(round(v, 4) for v in (bb.xmin, bb.ymin, bb.zmin, bb.xmax, bb.ymax, bb.zmax))

