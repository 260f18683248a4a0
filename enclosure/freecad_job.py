"""Hand the enclosure to FreeCAD: write the job file and run wattcad's FreeCAD script with the
system Python (FreeCAD 0.20's own interpreter), as a person would run the macro."""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict
from pathlib import Path

from wattcad.core.boardmodel import CONTRACT_FILE
from wattcad.core.errors import InputError, MissingToolError, ToolFailedError, exit_text
from wattcad.core.processes import tool_kwargs

SCRIPT = Path(__file__).resolve().parents[1] / "freecad" / "build_fcstd.py"
FREECAD_PYTHON = "/usr/bin/python3"
FREECAD_LIB = Path("/usr/lib/freecad-python3/lib")


class FreeCadFailed(ToolFailedError):
    """FreeCAD ran and failed or crashed on a job wattcad wrote: FreeCAD's failure (exit 4), not the input's."""


def freecad_available() -> str | None:
    if not FREECAD_LIB.joinpath("FreeCAD.so").exists():
        return f"FreeCAD not found in {FREECAD_LIB} (Debian freecad-python3: run make)"
    return None


def run_freecad(args: list[str], timeout: int = 600) -> dict:
    missing = freecad_available()
    if missing:
        raise MissingToolError(missing)
    # FreeCAD reads the board model with the very contract file this wattcad imports.
    env = {**os.environ, "WATTCAD_BOARDMODEL_PY": str(CONTRACT_FILE)}
    try:
        proc = subprocess.run([FREECAD_PYTHON, str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, env=env,
                              **tool_kwargs(),
                              check=False)
    except subprocess.TimeoutExpired:
        raise FreeCadFailed(f"FreeCAD failed: no result after {timeout} s") from None
    said = [ln for ln in proc.stderr.splitlines() if ln.startswith("build_fcstd: ")]
    if proc.returncode == 2 and said:  # a bad job file: build_fcstd's message names the file and the field
        raise InputError(None, None, said[-1].removeprefix("build_fcstd: "))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        crash = f" ({exit_text(proc.returncode)})" if proc.returncode < 0 else ""
        raise FreeCadFailed(f"FreeCAD failed{crash}: {(proc.stderr or proc.stdout).strip()[-800:]}")
    return json.loads(lines[-1])


def build_freecad(work: Path, model, params, report: dict, plan) -> list[Path]:
    from wattcad.enclosure.plan import body_top

    tallest = max([body_top(b, plan.board_top_mm) for b in model.bodies if b.side == "top"], default=plan.board_top_mm)
    job = {
        "boardmodel": json.loads(model.to_json()),
        # The standoffs as the plan made them (grown for parts under the board, slimmed beside them).
        "params": {**{k: v for k, v in asdict(params).items() if k != "source"},
                   "standoff_height_mm": round(plan.board_bottom_mm - plan.floor_top_mm, 4)},
        "plan": {"kind": plan.kind, "centre": list(plan.centre), "radius_mm": plan.radius_mm,
                 "board_bottom_mm": plan.board_bottom_mm, "board_top_mm": plan.board_top_mm,
                 "tallest_above_board_mm": tallest - plan.board_top_mm,
                 "standoffs": [{"ref": s.ref, "x_mm": s.x_mm, "y_mm": s.y_mm, "diameter_mm": s.diameter_mm}
                               for s in plan.standoffs],
                 "cutouts": [{"ref": c.ref, "point": list(c.point), "direction": list(c.direction), "z_mm": c.z_mm,
                              "width_mm": c.width_mm, "height_mm": c.height_mm, "round": c.round,
                              "outline": [list(q) for q in c.outline]} for c in plan.cutouts]},
        # Relative to the job file, so the job file is the same wherever the build runs.
        "assembly_step": "board-assembly.step",
        "out": "enclosure.FCStd",
    }
    job_path = work / "freecad-job.json"
    job_path.write_text(json.dumps(job, indent=1, sort_keys=True), encoding="utf-8")
    fc_fit = run_freecad([str(job_path)])
    # The FreeCAD lid is a plain plate (no lip, ears or vents): the base is where both model the
    # same solid, and where their fit checks must agree.
    cq_base = report["clearance_by_shell_mm"].get("base")
    fc_base = fc_fit["clearance_by_shell_mm"].get("base")
    agree = {"freecad": fc_fit, "cadquery": {"interference_mm3": report["interference_mm3"],
                                             "clearance_by_shell_mm": report["clearance_by_shell_mm"]},
             "agree": (report["interference_mm3"] <= 1e-3) == (fc_fit["interference_mm3"] <= 1e-3)
             and cq_base is not None and fc_base is not None and abs(cq_base - fc_base) <= 0.05}
    (work / "fit-freecad.json").write_text(json.dumps(agree, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [work / "enclosure.FCStd", job_path, work / "fit-freecad.json"]
