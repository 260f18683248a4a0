"""`wattcad enclosure`: a board file in, the enclosure (STEP, STL), the board model, the fit report
and pictures out. Joins the pcbnew reader (kicad/) to the CadQuery enclosure (enclosure/)."""
from __future__ import annotations

import json
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK
from wattcad.core.fileio import write_atomic


@dataclass
class EnclosureResult:
    out_dir: Path
    fit: dict
    files: list[Path]

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.fit["fits"] else EXIT_MISMATCH


def params_label(source: str) -> str:
    """The parameters' file as the report names it: wattcad's defaults by name, not by where wattcad
    is installed; a user's file by its name."""
    from wattcad.enclosure.params import DEFAULTS

    return "wattcad defaults" if Path(source) == DEFAULTS else Path(source).name


def build_enclosure(board: Path, out_dir: Path, params_path: Path | None = None, freecad: bool = False,
                    views: bool = True) -> EnclosureResult:
    import cadquery as cq

    from wattcad.enclosure.cad import board_solid, body_solids, cutout_solid, enclosure_solids
    from wattcad.enclosure.fit import fit_check
    from wattcad.enclosure.params import load_params
    from wattcad.enclosure.plan import make_plan
    from wattcad.kicad.boardmodel_reader import read_board_model_report

    model, model_notes = read_board_model_report(board, shapes=True)
    params = load_params(params_path)
    plan = make_plan(model, params)
    parts = {"board": board_solid(model, plan), **body_solids(model, plan)}
    shells = enclosure_solids(model, plan, params)
    uncut = shells.pop("base_uncut")
    cutouts = {c.ref: cutout_solid(c, params) for c in plan.cutouts}
    fit = fit_check(parts, shells, plan, cutouts, uncut)
    for collision in fit.collisions:
        collision["would_fit"] = _would_fit(parts[collision["part"]].BoundingBox(), collision["with"], model, plan, params)
    report = {"board": board.name, "enclosure_params": params_label(params.source), **fit.to_json(),
              "inner_height_mm": round(plan.inner_top_mm - plan.floor_top_mm, 3), "kind": plan.kind,
              "board_bottom_mm": round(plan.board_bottom_mm, 3),
              "standoffs": [s.ref for s in plan.standoffs], "notes": [*model_notes, *plan.notes],
              "parts_drawn": _drawn(model)}

    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        files = []
        for name, solid in shells.items():
            for ext in ("step", "stl"):
                path = work / f"{name}.{ext}"
                cq.exporters.export(cq.Workplane().add(solid), str(path), tolerance=0.05, angularTolerance=0.2)
                files.append(path)
        assembly = cq.Compound.makeCompound(list(parts.values()))
        cq.exporters.export(cq.Workplane().add(assembly), str(work / "board-assembly.step"))
        files.append(work / "board-assembly.step")
        from wattcad.core.boardmodel_contract import store_shapes

        # The model names its shapes beside it (shapes/), so the folder travels whole, and the
        # FreeCAD job holds the same model: no cache path, the same files wherever it is built.
        stored = store_shapes(model, work)
        write_atomic(work / "boardmodel.json", stored.to_json())
        write_atomic(work / "fit.json", json.dumps(report, indent=2, sort_keys=True) + "\n")
        files += [work / "boardmodel.json", work / "fit.json"]
        if views:
            files += _views(parts, shells, plan, work, model)
        if freecad:
            from wattcad.enclosure.freecad_job import build_freecad

            files += build_freecad(work, stored, params, report, plan)
        from wattcad.core.reproducible import normalise_fcstd, normalise_step

        for step in work.glob("*.step"):
            normalise_step(step)
        for fcstd in work.glob("*.FCStd"):
            normalise_fcstd(fcstd)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        work.rename(out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return EnclosureResult(out_dir, report, [out_dir / f.relative_to(work) for f in files])


def _drawn(model) -> dict[str, list[str]]:
    """The parts the fit measured by how each is drawn (its 3D model, wattcad's body, its box)."""
    out: dict[str, list[str]] = {"model": [], "body": [], "box": []}
    for b in sorted(model.bodies, key=lambda b: b.ref):
        out[b.drawn if b.shape else "box"].append(b.ref)
    return out


def _would_fit(box, shell: str, model, plan, params) -> str:
    """The parameter value that would make room for a part (its 3D box) caught in SHELL."""
    from wattcad.core.boardmodel import to_3d
    from wattcad.enclosure.plan import distance_to_polygon, point_in_polygon

    if shell == "lid" or box.zmax > plan.inner_top_mm - 1e-6:
        lip = f"; or lid_lip_mm: 0 (the lid's lip reaches {params.lid_lip_mm:g} mm down)" if params.lid_lip_mm else ""
        return f"inner_height_mm: {math.ceil(box.zmax - plan.floor_top_mm + params.headroom_mm):g}{lip}"
    # Out past the outline, towards the wall: how far the part reaches beyond the board's edge.
    outline = [to_3d(p) for p in model.outline]
    corners = [(x, y) for x in (box.xmin, box.xmax) for y in (box.ymin, box.ymax)]
    reach = max((distance_to_polygon(c, outline) for c in corners if not point_in_polygon(c, outline)), default=0.0)
    if reach > 0:
        return f"clearance_mm: {math.ceil((reach + params.cutout_margin_mm) * 10) / 10:g} (it reaches {reach:.1f} mm past the board's edge)"
    if box.zmin < plan.board_bottom_mm:
        return f"standoff_height_mm: {math.ceil(plan.board_bottom_mm - box.zmin + 1.0):g} more"
    return "standoff_diameter_mm or the lid's lip: the part stands where a standoff or the lip is"


def _views(parts, shells, plan, work: Path, model) -> list[Path]:
    import cadquery as cq

    from wattcad.enclosure.views import render

    def colour(name: str) -> str:
        if name == "board":
            return "board"
        body = next((b for b in model.bodies if b.ref == name), None)
        if body is not None and body.role == "module":
            return "module"
        return "connector" if body is not None and body.opening else "part"

    lift = 25.0
    lid_up = shells["lid"].translate(cq.Vector(0, 0, lift))
    items = [(shells["base"], "base", 0.55)] + [(s, colour(n), 1.0) for n, s in parts.items()] + [(lid_up, "lid", 0.35)]
    iso = render(items, work / "enclosure-iso.png", 28, -60, f"{model.name}: base, board and lid lifted {lift:.0f} mm")
    top = render([(shells["base"], "base", 1.0)] + [(s, colour(n), 1.0) for n, s in parts.items()],
                 work / "enclosure-top.png", 89, -90, f"{model.name}: in its base, from above")
    return [iso, top]
