"""Build the enclosure as a parametric FreeCAD document, driven by a Spreadsheet.

Runs in FreeCAD's own Python: as a macro inside FreeCAD, or headless with the system Python 3.11
(`python3 build_fcstd.py JOB.json`), exactly as wattcad does. Only the standard library, FreeCAD
and wattcad's BoardModel contract (one stdlib-only file, loaded by its path: see
`boardmodel_module`) are imported here; the job file (written by `wattcad enclosure --freecad`)
carries the board model, the parameters and the derived plan. Exit 2: a bad job file, named.

Editing a cell of the `Params` sheet (wall, floor, lid, clearance, standoff_h, standoff_d, pilot,
headroom) and recomputing changes the model, the board assembly riding on the standoffs."""
from __future__ import annotations

import importlib.util
import json
import os
import sys

FREECAD_LIB = "/usr/lib/freecad-python3/lib"
if FREECAD_LIB not in sys.path:
    sys.path.append(FREECAD_LIB)

import FreeCAD  # noqa: E402
import Part  # noqa: E402

PARAMS = ("wall", "floor", "lid", "clearance", "standoff_h", "standoff_d", "pilot", "headroom")
CONTRACT_ENV = "WATTCAD_BOARDMODEL_PY"  # the contract file wattcad's runner (enclosure/freecad_job.py) names
_HERE = os.path.dirname(os.path.abspath(__file__))
# Where the contract lies beside this script when FreeCAD runs it as a macro: a checkout, an installed wattcad.
CONTRACT_BESIDE = (os.path.join(_HERE, "..", "wattcad", "core", "boardmodel_contract.py"),
                   os.path.join(_HERE, "..", "core", "boardmodel_contract.py"))


def boardmodel_module():
    """The BoardModel contract (wattcad/core/boardmodel_contract.py, stdlib only), loaded from its
    file under its own name: putting its folder on sys.path would also expose the core's other
    modules as top-level names in FreeCAD."""
    name = "wattcad_boardmodel"
    if name in sys.modules:
        return sys.modules[name]
    named = os.environ.get(CONTRACT_ENV)
    path = named or next((p for p in CONTRACT_BESIDE if os.path.isfile(p)), None)
    if not path or not os.path.isfile(path):
        raise SystemExit(f"build_fcstd: the BoardModel contract (boardmodel.py) is not at {path or ' or '.join(CONTRACT_BESIDE)}; "
                         f"set {CONTRACT_ENV}")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve the module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def to_3d(p):
    return boardmodel_module().to_3d(p)


def _polygon_face(points, z=0.0):
    pts = [FreeCAD.Vector(*to_3d(p), z) for p in points]
    return Part.Face(Part.makePolygon(pts + [pts[0]]))


def build(job: dict, job_path: str = "") -> dict:
    # Validated before any FreeCAD object exists: a bad model is named (file, field), not half-built.
    model = boardmodel_module().BoardModel.from_dict(job.get("boardmodel"), job_path, "boardmodel")
    params, plan = job["params"], job["plan"]
    doc = FreeCAD.newDocument("wattcad_enclosure")

    sheet = doc.addObject("Spreadsheet::Sheet", "Params")
    sheet.set("A1", "parameter")
    sheet.set("B1", "mm")
    values = {"wall": params["wall_mm"], "floor": params["floor_mm"], "lid": params["lid_mm"],
              "clearance": params["clearance_mm"], "standoff_h": params["standoff_height_mm"],
              "standoff_d": params["standoff_diameter_mm"], "pilot": params["screw_pilot_mm"],
              "headroom": params["headroom_mm"], "board_t": model.thickness_mm,
              "above": plan["tallest_above_board_mm"]}
    for row, (name, value) in enumerate(values.items(), start=2):
        sheet.set(f"A{row}", name)
        sheet.set(f"B{row}", str(value))
        sheet.setAlias(f"B{row}", name)
    doc.recompute()
    inner_top = "Params.floor + Params.standoff_h + Params.board_t + Params.above + Params.headroom"

    outline = doc.addObject("Part::Feature", "BoardOutline")
    if plan["kind"] == "circle":
        cx, cy = to_3d(plan["centre"])
        outline.Shape = Part.Face(Part.Wire(Part.makeCircle(plan["radius_mm"], FreeCAD.Vector(cx, cy, 0))))
    else:
        outline.Shape = _polygon_face(model.outline)
    outline.Visibility = False

    def offset(name, expr):
        o = doc.addObject("Part::Offset2D", name)
        o.Source = outline
        o.Join = "Arc"
        o.setExpression("Value", expr)
        o.Visibility = False
        return o

    def extrude(name, base, length_expr, z_expr=None):
        e = doc.addObject("Part::Extrusion", name)
        e.Base = base
        e.DirMode = "Custom"
        e.Dir = FreeCAD.Vector(0, 0, 1)
        e.Solid = True
        e.setExpression("LengthFwd", length_expr)
        if z_expr:
            e.setExpression(".Placement.Base.z", z_expr)
        e.Visibility = False
        return e

    outer_face = offset("OuterProfile", "Params.clearance + Params.wall")
    inner_face = offset("InnerProfile", "Params.clearance")
    shell = extrude("Shell", outer_face, inner_top)
    pocket = extrude("Pocket", inner_face, inner_top, "Params.floor")
    base = doc.addObject("Part::Cut", "BaseBody")
    base.Base, base.Tool = shell, pocket
    base.Visibility = False

    # A standoff at every mounting hole, and its screw pilot (cut later, with the cut-outs).
    tools, holes = [], []
    for i, h in enumerate(plan["standoffs"]):
        x, y = to_3d((h["x_mm"], h["y_mm"]))
        post = doc.addObject("Part::Cylinder", f"Standoff{i + 1}")
        if h["diameter_mm"] < params["standoff_diameter_mm"]:
            post.Radius = h["diameter_mm"] / 2  # slimmed beside a part under the board
        else:
            post.setExpression("Radius", "Params.standoff_d / 2")
        post.setExpression("Height", "Params.standoff_h")
        post.Placement.Base = FreeCAD.Vector(x, y, 0)
        post.setExpression(".Placement.Base.z", "Params.floor")
        post.Visibility = False
        tools.append(post)
        pilot = doc.addObject("Part::Cylinder", f"Pilot{i + 1}")
        pilot.setExpression("Radius", "Params.pilot / 2")
        pilot.setExpression("Height", "Params.standoff_h + Params.floor")
        pilot.Placement.Base = FreeCAD.Vector(x, y, 0.8)
        pilot.Visibility = False
        holes.append(pilot)
    fused = doc.addObject("Part::MultiFuse", "BaseWithStandoffs")
    fused.Shapes = [base] + tools
    fused.Visibility = False

    for c in plan["cutouts"]:
        if c.get("outline"):  # an overhanging part's box, cut whole (it rides with the board)
            cut = doc.addObject("Part::Extrusion", f"Cutout_{c['ref']}")
            face = doc.addObject("Part::Feature", f"CutoutFace_{c['ref']}")
            face.Shape = _polygon_face(c["outline"])
            face.Visibility = False
            cut.Base = face
            cut.DirMode = "Custom"
            cut.Dir = FreeCAD.Vector(0, 0, 1)
            cut.Solid = True
            cut.LengthFwd = c["height_mm"]
            rise = c["z_mm"] - c["height_mm"] / 2 - plan["board_top_mm"]
            cut.setExpression(".Placement.Base.z", f"Params.floor + Params.standoff_h + Params.board_t + {rise}")
            cut.Visibility = False
            holes.append(cut)
            continue
        px, py = to_3d(c["point"])
        dx, dy = c["direction"][0], -c["direction"][1]
        start = FreeCAD.Vector(px - 2 * dx, py - 2 * dy, 0)
        rot = FreeCAD.Rotation(FreeCAD.Vector(0, 0, 1), FreeCAD.Vector(dx, dy, 0))
        if c["round"]:
            cut = doc.addObject("Part::Cylinder", f"Cutout_{c['ref']}")
            cut.Radius = max(c["width_mm"], c["height_mm"]) / 2
            cut.setExpression("Height", "2 + Params.clearance + Params.wall + 8")
        else:
            cut = doc.addObject("Part::Box", f"Cutout_{c['ref']}")
            cut.Width, cut.Height = c["width_mm"], c["height_mm"]  # across, up (in the rotated frame)
            cut.setExpression("Length", "2 + Params.clearance + Params.wall + 8")
            rot = FreeCAD.Rotation(FreeCAD.Vector(1, 0, 0), FreeCAD.Vector(dx, dy, 0))
            start = start - rot.multVec(FreeCAD.Vector(0, c["width_mm"] / 2, c["height_mm"] / 2))
        cut.Placement = FreeCAD.Placement(start, rot)
        # The axis rides with the board: floor + standoff + board + the connector's own height above it.
        rise = c["z_mm"] - plan["board_top_mm"]
        if c["round"]:
            cut.setExpression(".Placement.Base.z", f"Params.floor + Params.standoff_h + Params.board_t + {rise}")
        else:
            cut.setExpression(".Placement.Base.z", f"Params.floor + Params.standoff_h + Params.board_t + {rise} - {c['height_mm'] / 2}")
        cut.Visibility = False
        holes.append(cut)
    cutters = doc.addObject("Part::MultiFuse", "Cutters")
    cutters.Shapes = holes
    cutters.Visibility = False
    final = doc.addObject("Part::Cut", "Base")
    final.Base, final.Tool = fused, cutters

    lid = extrude("Lid", outer_face, "Params.lid", inner_top)
    lid.Visibility = True

    assembly = doc.addObject("Part::Feature", "BoardAssembly")
    shape = Part.Shape()
    shape.read(job["assembly_step"])
    assembly.Shape = shape
    # The assembly was made with the board at the plan's height; it follows the standoffs.
    assembly.setExpression(".Placement.Base.z", f"Params.floor + Params.standoff_h - {plan['board_bottom_mm']}")
    doc.recompute()
    doc.saveAs(job["out"])
    return fit(doc)


def _box_gap(a, b) -> float:
    """The distance between two bounding boxes: never more than between what they hold."""
    dx = max(a.XMin - b.XMax, b.XMin - a.XMax, 0.0)
    dy = max(a.YMin - b.YMax, b.YMin - a.YMax, 0.0)
    dz = max(a.ZMin - b.ZMax, b.ZMin - a.ZMax, 0.0)
    return (dx * dx + dy * dy + dz * dz) ** 0.5


def clearance(solids, shell) -> float:
    """The smallest distance from the parts to a shell's faces: part against face, nearest boxes
    first, stopping at the first pair whose boxes are farther apart than the best distance found.
    The parts are known clear of the shell's material (the interference check), so the distance
    to its faces is the clearance. OCCT's distToShape of the whole compound took 17 s a shell on the
    rect board (FreeCAD 0.20); this takes a few exact distances, 0.2 s."""
    faces = shell.Faces
    boxes = [f.BoundBox for f in faces]
    pairs = sorted((_box_gap(s.BoundBox, b), i, j) for i, s in enumerate(solids) for j, b in enumerate(boxes))
    best = float("inf")
    for gap, i, j in pairs:
        if gap >= best:
            break
        best = min(best, solids[i].distToShape(faces[j])[0])
    return best


def fit(doc) -> dict:
    """FreeCAD's own fit check: interference volume and smallest distance, board assembly against
    base and lid."""
    assembly = doc.getObject("BoardAssembly").Shape
    shells = {"base": doc.getObject("Base").Shape, "lid": doc.getObject("Lid").Shape}
    interference, by_shell = 0.0, {}
    # The assembly's first solid is the board, which rests on the standoffs by design: the
    # clearance is measured from the parts.
    parts = assembly.Solids[1:]
    for name, shell in shells.items():
        common = assembly.common(shell)
        if common.Volume > 1e-3:
            interference += common.Volume
            by_shell[name] = 0.0
        elif parts:
            by_shell[name] = round(clearance(parts, shell), 4)
    return {"interference_mm3": round(interference, 4), "clearance_by_shell_mm": by_shell,
            "base_volume_mm3": round(shells["base"].Volume, 3), "lid_volume_mm3": round(shells["lid"].Volume, 3),
            "base_bbox_mm": [round(v, 3) for v in (shells["base"].BoundBox.XLength, shells["base"].BoundBox.YLength,
                                                   shells["base"].BoundBox.ZLength)]}


def edit(path: str, cell: str, value: float, out: str) -> dict:
    """Open a saved document, change one parameter, recompute, save: what a person does in FreeCAD."""
    doc = FreeCAD.openDocument(path)
    sheet = doc.getObject("Params")
    sheet.set(sheet.getCellFromAlias(cell) or cell, str(value))
    doc.recompute()
    doc.saveAs(out)
    return fit(doc)


def _as_macro() -> None:
    """Run from FreeCAD's Macro menu: ask for the job file `wattcad enclosure --freecad` wrote."""
    from PySide import QtGui

    path, _ = QtGui.QFileDialog.getOpenFileName(None, "wattcad: enclosure job", os.getcwd(), "freecad-job.json (*.json)")
    if not path:
        return
    _run_job(path)
    FreeCAD.openDocument(os.path.join(os.path.dirname(path), "enclosure.FCStd"))


def _run_job(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        job_data = json.load(fh)
    here = os.path.dirname(os.path.abspath(path))
    for key in ("assembly_step", "out"):
        job_data[key] = os.path.join(here, job_data[key])
    return build(job_data, path)


if __name__ == "__main__":
    if getattr(FreeCAD, "GuiUp", False):
        _as_macro()
    elif len(sys.argv) == 3 and sys.argv[1] == "--fit":
        document = FreeCAD.openDocument(sys.argv[2])
        document.recompute()
        print(json.dumps(fit(document)))
    elif len(sys.argv) >= 2 and sys.argv[1] == "--edit":
        print(json.dumps(edit(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])))
    elif len(sys.argv) == 2:
        try:
            print(json.dumps(_run_job(sys.argv[1])))
        except boardmodel_module().BoardModelError as exc:
            print(f"build_fcstd: {exc}", file=sys.stderr)
            sys.exit(2)
    else:
        print(__doc__)
        sys.exit(2)
