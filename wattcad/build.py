"""`wattcad build`: the whole project into build/, as steps that each know what they read. A step
whose inputs (data, the board, wattcad's code, its options) hash the same as when it last ran, and
whose files are all still there, is skipped (wattcad/cache.py); so a re-run with nothing changed
does almost nothing and a changed parameter re-runs only what depends on it. Ends with a summary
table and build/index.html."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from wattcad import __version__
from wattcad.cache import BuildCache, StepRecord, content_hash
from wattcad.errors import EXIT_MISMATCH, EXIT_OK
from wattcad.fileio import write_atomic

REPO = Path(__file__).resolve().parents[1]
CODE_DIRS = [REPO / d for d in ("wattcad", "footprints", "kicad", "enclosure", "freecad", "blender")]
SPECS = [REPO / "footprints" / "specs", REPO / "footprints" / "ipc7351b.yaml"]
KICAD_DATA = REPO / "kicad" / "data"
ENCLOSURE_PARAMS = REPO / "enclosure" / "params.yaml"
VARIANTS = ("rect", "round")

# (view, enclosure style, size in px, Cycles samples) per board variant.
RENDERS = {"rect": [("iso", "cutaway", (1280, 960), 32), ("top", "open", (1200, 900), 16),
                    ("front", "translucent", (960, 540), 16), ("exploded", "", (1280, 960), 24)],
           "round": [("iso", "cutaway", (1280, 960), 32)]}
TURNTABLE = {"rect": ((480, 360), 8, 12)}  # size, samples, frames


@dataclass
class Outcome:
    outputs: list[Path]
    status: str = "pass"  # pass | fail | made | blocked (not for the fab: not an error of the build)
    detail: str = ""


@dataclass
class Step:
    name: str
    title: str
    inputs: Callable[[], list]
    run: Callable[[], Outcome]
    options: dict = field(default_factory=dict)


def code_hash() -> str:
    return content_hash([d for d in CODE_DIRS if d.is_dir()], {"version": __version__})


def _say(text: str) -> None:
    print(f"[wattcad] {text}", flush=True)


class Pipeline:
    def __init__(self, out: Path, boards_dir: Path | None, force: bool, render: bool, freecad: bool = True,
                 enclosure_params: Path | None = None):
        from wattcad.kicad.params import load_board_params
        from wattcad.kicad.pcb_project import BOARDS_DIR, board_file_name

        self.out = Path(out).resolve()
        self.boards_dir = Path(boards_dir or BOARDS_DIR).resolve()
        self.params = load_board_params()
        self.name = self.params.name
        self.cache = BuildCache(self.out, enabled=not force)
        self.code = code_hash()
        self.render, self.freecad = render, freecad
        self.enclosure_params = Path(enclosure_params or ENCLOSURE_PARAMS).resolve()
        self.source = {v: self.boards_dir / board_file_name(self.name, v) for v in VARIANTS}

    # --- where things are -------------------------------------------------------------------
    @property
    def schematic_dir(self) -> Path:
        return self.out / self.name

    def project_dir(self, variant: str) -> Path:
        return self.schematic_dir if variant == "rect" else self.out / f"{self.name}-{variant}"

    def board(self, variant: str) -> Path:
        return self.project_dir(variant) / f"{self.name}.kicad_pcb"

    def source_files(self, variant: str) -> list[Path]:
        return [self.source[variant].with_suffix(s) for s in (".kicad_pcb", ".kicad_pro", ".kicad_dru")]

    # --- the steps ----------------------------------------------------------------------------
    def steps(self) -> list[Step]:
        sch = self.schematic_dir
        steps = [
            Step("footprints", "footprint library, verification and 1:1 print", lambda: SPECS, self.run_footprints),
            Step("schematic", "schematic (SKiDL), ERC, netlist, BOM, PDF", lambda: [KICAD_DATA, *SPECS], self.run_schematic),
        ]
        for v in VARIANTS:
            steps += [
                Step(f"board-{v}", f"{v} board: update from the schematic, DRC with parity, 3D export",
                     lambda v=v: [sch / f"{self.name}.kicad_sch", sch / f"{self.name}.net", *self.source_files(v),
                                  KICAD_DATA / "board.yaml", *SPECS], lambda v=v: self.run_board(v)),
                Step(f"check-{v}", f"{v} board: ERC, DRC, fab readiness, footprints, mating, analog budget (wattcad check)",
                     lambda v=v: [*self.source_files(v), sch / f"{self.name}.kicad_sch", KICAD_DATA / "board.yaml", *SPECS], lambda v=v: self.run_check(v)),
                Step(f"fab-{v}", f"{v} board: positions, BOM, interactive BOM; gerbers + drill zip once routed and DRC-clean",
                     lambda v=v: [*self.source_files(v), sch / f"{self.name}-bom.csv"], lambda v=v: self.run_fab(v)),
                Step(f"enclosure-{v}", f"{v} board: enclosure (CadQuery{', FreeCAD' if self.with_freecad(v) else ''}) and fit check",
                     lambda v=v: [self.source[v], self.enclosure_params, *SPECS], lambda v=v: self.run_enclosure(v),
                     {"freecad": self.with_freecad(v)}),
            ]
            if self.render:
                enc = self.project_dir(v) / "enclosure"
                steps.append(Step(f"render-{v}", f"{v} board: Blender renders",
                                  lambda v=v, enc=enc: [self.source[v], self.project_dir(v) / f"{self.name}-board.glb",
                                                        *(enc / f for f in ("base.stl", "lid.stl", "fit.json", "boardmodel.json"))],
                                  lambda v=v: self.run_render(v), {"renders": RENDERS[v], "turntable": TURNTABLE.get(v)}))
        return steps

    def with_freecad(self, variant: str) -> bool:
        return self.freecad and variant == "rect"  # one parametric FreeCAD document: 46 s here

    def run_footprints(self) -> Outcome:
        from wattcad.footprints.generate import footprint_name, write_library
        from wattcad.footprints.library import board_part_specs, stock_footprint_path
        from wattcad.footprints.model import read_kicad_mod
        from wattcad.footprints.printout import PrintItem, render
        from wattcad.footprints.verify import format_table, verify_footprint

        specs = board_part_specs()
        lib_files = write_library(specs, self.out / "footprints")
        generated = {read_kicad_mod(p).name: p for p in lib_files if p.suffix == ".kicad_mod"}
        reports, items = [], []
        for spec in specs:
            path = generated[footprint_name(spec)] if spec.footprint in ("", "generated") else stock_footprint_path(spec.footprint)
            fp = read_kicad_mod(path)
            reports.append(verify_footprint(fp, spec, subject=str(path)))
            items.append(PrintItem(fp, spec))
        table = format_table(reports)
        outputs = [write_atomic(self.out / "reports" / "footprints.txt", table + "\n"),
                   write_atomic(self.out / "reports" / "footprints.json",
                                json.dumps({"tool": "wattcad build", "version": __version__,
                                            "reports": [r.to_json() for r in reports]}, indent=2, sort_keys=True) + "\n"),
                   render(items, self.out / "prints" / "board-footprints-1to1.pdf"),
                   render(items, self.out / "prints" / "board-footprints-1to1.svg"), self.out / "footprints"]
        failed = [r for r in reports if r.status in ("fail", "error")]
        return Outcome(outputs, "fail" if failed else "pass",
                       f"{len(generated)} footprints generated, {len(reports)} packages verified, {len(failed)} failing")

    def run_schematic(self) -> Outcome:
        from wattcad.kicad.schematic import generate_project

        p = generate_project(self.schematic_dir)
        return Outcome([p.schematic, p.netlist, p.bom, p.pdf, p.project], "pass",
                       f"ERC {p.erc['violations']} violations; {p.bom.name}, {p.pdf.name}")

    def run_board(self, variant: str) -> Outcome:
        from wattcad.kicad.pcb_project import build_boards

        (b,) = build_boards(self.params, self.schematic_dir, self.out, self.boards_dir, (variant,))
        _say(f"        {b.source.name}: {b.change.summary()}")  # what happened, not what was made: console only
        return Outcome([b.board, *b.renders, b.project_dir / f"{self.name}-drc.json"], "pass" if b.drc.clean else "fail",
                       f"{len(b.drc.errors)} DRC errors, {len(b.drc.parity)} parity issues, {b.drc.unconnected} unrouted")

    def run_check(self, variant: str) -> Outcome:
        from wattcad.check import Project, project_checks, write_reports

        project = Project(self.project_dir(variant), self.name)
        # An unrouted board is work in progress here: the check says so, and the fab step refuses it.
        results = project_checks(project, self.params.pcb["rules"], self.params, allow_unrouted=True, timings=False)
        files = write_reports(project, results, project.dir)
        failed = [r for r in results if r.status == "fail"]
        fab = next((r for r in results if r.group == "fabrication"), None)
        detail = f"{sum(r.status == 'pass' for r in results)} of {len(results)} checks pass"
        if failed:
            detail += f": {failed[0].name} fails"
        if fab is not None and fab.status != "pass":
            detail += f"; {fab.message.split(';')[0]}"
        return Outcome(files, "fail" if failed else "pass", detail)

    def run_fab(self, variant: str) -> Outcome:
        from wattcad.kicad.drc import run_drc
        from wattcad.kicad.fab import write_fab_outputs

        # The fab step decides on its own DRC: it may run without the check step (cached, say).
        blockers = run_drc(self.board(variant), self.params.pcb["rules"]).fab_blockers
        fab = write_fab_outputs(self.board(variant), self.project_dir(variant) / "fab",
                                self.schematic_dir / f"{self.name}-bom.csv", gerbers=not blockers)
        made = [fab.positions, fab.ibom] + ([fab.gerber_zip] if fab.gerber_zip else [])
        if blockers:
            return Outcome(made, "blocked", f"NOT FOR THE FAB: {', '.join(blockers)}; no gerbers written "
                                            f"(positions, BOM and iBOM for review)")
        return Outcome(made, "made", f"{len(fab.gerber_files)} gerber/drill files zipped, positions, iBOM")

    def run_enclosure(self, variant: str) -> Outcome:
        from wattcad.enclosure_job import build_enclosure

        e = build_enclosure(self.source[variant], self.project_dir(variant) / "enclosure", self.enclosure_params,
                            freecad=self.with_freecad(variant))
        return Outcome(e.files, "pass" if e.fit["fits"] else "fail",
                       f"{'fits' if e.fit['fits'] else 'DOES NOT FIT'}, clearance {e.fit['min_clearance_mm']} mm")

    def run_render(self, variant: str) -> Outcome:
        from wattcad.render_job import render

        out_dir, enclosure = self.project_dir(variant) / "renders", self.project_dir(variant) / "enclosure"
        glb = self.project_dir(variant) / f"{self.name}-board.glb"  # the board step's export, every layer
        images = []
        for view, style, size, samples in RENDERS[variant]:
            images += render(self.board(variant), out_dir / f"{variant}-{view}.png", enclosure, view, size, samples, style,
                             glb=glb).images
        if variant in TURNTABLE:
            size, samples, frames = TURNTABLE[variant]
            turn = render(self.board(variant), out_dir / f"{variant}-turntable.png", enclosure, "iso", size, samples,
                          "cutaway", frames, glb=glb)
            images.append(turn.gif)
        return Outcome(images, "made", f"{len(images)} pictures")

    # --- running ------------------------------------------------------------------------------
    def run_step(self, step: Step, index: int, total: int) -> StepRecord:
        options = {"code": self.code, **step.options}
        key = content_hash(step.inputs(), options)
        cached = self.cache.fresh(step.name, key)
        if cached is not None:
            _say(f"[{index:2d}/{total}] {step.title}: up to date")
            cached.cached = True
            return cached
        _say(f"[{index:2d}/{total}] {step.title} ...")
        started = time.perf_counter()
        outcome = step.run()
        seconds = round(time.perf_counter() - started, 1)
        # Hashed again after the run: a step may bring its own input up to date (the board), and the
        # next run must find it as this run left it.
        record = StepRecord(step.name, content_hash(step.inputs(), options),
                            sorted(str(Path(o).resolve().relative_to(self.out)) for o in outcome.outputs if o is not None),
                            outcome.status, outcome.detail, seconds)
        self.cache.save(record)
        _say(f"        {outcome.status} in {seconds} s: {outcome.detail}")
        return record


def build(out: Path, boards_dir: Path | None = None, force: bool = False, render: bool = True, freecad: bool = True,
          enclosure_params: Path | None = None) -> int:
    started = time.perf_counter()
    pipeline = Pipeline(out, boards_dir, force, render, freecad, enclosure_params)
    steps = pipeline.steps()
    records = [pipeline.run_step(s, i, len(steps)) for i, s in enumerate(steps, 1)]
    index = write_index(pipeline, records)
    print(summary_table(records))
    print(f"\n[wattcad] built in {time.perf_counter() - started:.1f} s into {pipeline.out}/ — open {index}")
    for r in records:
        if r.status == "blocked":
            print(f"[wattcad] {r.step}: {r.detail}")
    return EXIT_MISMATCH if any(r.status == "fail" for r in records) else EXIT_OK


def summary_table(records: list[StepRecord]) -> str:
    width = max(len(r.step) for r in records)
    lines = ["", f"{'step':{width}s}  {'result':7s}  {'time':>8s}  what"]
    for r in records:
        when = "cached" if r.cached else f"{r.seconds:.1f} s"
        lines.append(f"{r.step:{width}s}  {r.status.upper():7s}  {when:>8s}  {r.detail}")
    return "\n".join(lines)


def write_index(pipeline: Pipeline, records: list[StepRecord]) -> Path:
    from wattcad.build_index import index_html

    return write_atomic(pipeline.out / "index.html", index_html(pipeline, records))
