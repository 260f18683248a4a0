"""`wattcad build`: the whole project into build/, as steps that each know what they read. A step
whose inputs (data, the board, wattcad's code, its options) hash the same as when it last ran, and
whose files are all still there, is skipped (wattcad/core/cache.py); so a re-run with nothing changed
does almost nothing and a changed parameter re-runs only what depends on it. Steps whose inputs
are ready run side by side in worker processes, as many as the machine has cores (`--jobs`).
Ends with a summary table and build/index.html."""
from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wattcad import __version__
from wattcad.core.cache import BuildCache, StepRecord, content_hash
from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK, WattcadError
from wattcad.core.fileio import write_atomic


def _package_dir(name: str) -> Path:
    """Where a wattcad package's files are, in a checkout or an installed wheel alike (found, not
    imported: importing wattcad.kicad would not cost much, wattcad.blender's add-on might)."""
    import importlib.util

    return Path(importlib.util.find_spec(name).submodule_search_locations[0]).resolve()


# wattcad's own Python files (the code hash); the root package is flat, its subpackages sit inside
# it in a wheel and beside it in a checkout.
CODE_DIRS = {name: _package_dir(name) for name in ("wattcad", "wattcad.core", "wattcad.footprints", "wattcad.kicad", "wattcad.enclosure",
                                                   "wattcad.freecad", "wattcad.blender")}
SPECS = [CODE_DIRS["wattcad.footprints"] / "specs", CODE_DIRS["wattcad.footprints"] / "ipc7351b.yaml"]
KICAD_DATA = CODE_DIRS["wattcad.kicad"] / "data"
ENCLOSURE_PARAMS = CODE_DIRS["wattcad.enclosure"] / "params.yaml"
VARIANTS = ("rect", "round")

# (view, enclosure style, size in px, Cycles samples) per board variant: the final pictures
# (`--final`, the README's). A default build draws previews of the same views (preview_renders).
RENDERS = {"rect": [("iso", "cutaway", (1280, 960), 32), ("top", "open", (1200, 900), 16),
                    ("front", "translucent", (960, 540), 16), ("exploded", "", (1280, 960), 24)],
           "round": [("iso", "cutaway", (1280, 960), 32), ("top", "open", (1200, 900), 16)]}
TURNTABLE = {"rect": ((480, 360), 8, 12)}  # size, samples, frames
# Previews: half the size each way, few samples, fast denoising; chosen so that a picture costs no
# more than `kicad-cli pcb render --quality high` of the same size (benchmarks/render.py).
PREVIEW_SCALE, PREVIEW_SAMPLES = 0.5, 4


def renders(variant: str, final: bool) -> tuple[list, tuple | None]:
    """The stills and the turntable of a board at the quality asked for."""
    return at_quality(RENDERS[variant], TURNTABLE.get(variant), final)


def at_quality(stills: list, turn: tuple | None, final: bool) -> tuple[list, tuple | None]:
    """Final pictures as they are; previews smaller, with fewer samples."""
    if final:
        return stills, turn

    def small(size):
        return (max(16, round(size[0] * PREVIEW_SCALE)), max(16, round(size[1] * PREVIEW_SCALE)))

    stills = [(view, style, small(size), min(samples, PREVIEW_SAMPLES)) for view, style, size, samples in stills]
    return stills, (turn and (small(turn[0]), min(turn[1], PREVIEW_SAMPLES), turn[2]))


@dataclass
class Outcome:
    outputs: list[Path]
    status: str = "pass"  # pass | fail | made | blocked (not for the fab: not an error of the build)
    detail: str = ""
    notes: list[str] = field(default_factory=list)  # what happened, for the console only


@dataclass
class Step:
    name: str
    title: str
    inputs: Callable[[], list]
    run: Callable[[], Outcome]
    options: dict = field(default_factory=dict)
    after: tuple[str, ...] = ()  # the steps whose outputs this one reads
    # The step brings its own inputs up to date (the board step updates the source board): its key is
    # taken after it ran. Any other step's is taken before, so an input edited meanwhile re-runs it.
    updates_inputs: bool = False


def code_hash() -> str:
    """wattcad's own code: its Python files only (kicad/ also holds the boards, which the build
    updates: they are inputs of their own steps, not code)."""
    named = sorted((f"{name}/{f.relative_to(d).as_posix()}", f) for name, d in CODE_DIRS.items() if d.is_dir()
                   for f in (d.glob("*.py") if name == "wattcad" else d.rglob("*.py")) if "__pycache__" not in f.parts)
    return content_hash([f for _, f in named], {"version": __version__, "files": [n for n, _ in named]})


def _say(text: str) -> None:
    print(f"[wattcad] {text}", flush=True)


class BasePipeline:
    """What every build shares: the cache key of a step and its record. A pipeline has `config`
    (its own arguments, with "kind": a worker makes it again from them), `out`, `name`, `cache`,
    `code`, `source` (section → source board) and `project_dir(section)`."""

    kind = ""
    out: Path
    cache: BuildCache
    code: str

    def section_title(self, section: str) -> str:
        return section

    def key(self, step: Step) -> str:
        return content_hash(step.inputs(), {"code": self.code, **step.options})

    def record(self, step: Step, outcome: Outcome, seconds: float, key: str | None = None) -> StepRecord:
        """KEY: the inputs' hash before the run; a step that updates its own inputs (the board) is
        hashed again after it, so the next run finds them as this one left them."""
        record = StepRecord(step.name, self.key(step) if step.updates_inputs or key is None else key,
                            sorted(str(Path(o).resolve().relative_to(self.out)) for o in outcome.outputs if o is not None),
                            outcome.status, outcome.detail, round(seconds, 1))
        self.cache.save(record)
        return record


class Pipeline(BasePipeline):
    """The ADE7816 board: its sources generated from data (footprints, schematic), two board
    variants updated from the schematic, then what any project gets (checks, fab, enclosure, renders)."""

    kind = "ade7816"

    def __init__(self, out: Path, boards_dir: Path | None, force: bool, render: bool, freecad: bool = True,
                 enclosure_params: Path | None = None, final: bool = False):
        from wattcad.kicad.params import load_board_params
        from wattcad.kicad.pcb_project import BOARDS_DIR, board_file_name

        # This pipeline's own arguments, for a worker process to make it again (run_in_worker).
        self.config = {"kind": self.kind, "out": str(out), "boards_dir": str(boards_dir) if boards_dir else None, "force": force,
                       "render": render, "freecad": freecad,
                       "enclosure_params": str(enclosure_params) if enclosure_params else None, "final": final}
        self.out = Path(out).resolve()
        self.boards_dir = Path(boards_dir or BOARDS_DIR).resolve()
        self.params = load_board_params()
        self.name = self.params.name
        self.cache = BuildCache(self.out, enabled=not force)
        self.code = code_hash()
        self.render, self.freecad, self.final = render, freecad, final
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
                                  KICAD_DATA / "board.yaml", *SPECS], lambda v=v: self.run_board(v), after=("schematic",),
                     updates_inputs=True),
                Step(f"check-{v}", f"{v} board: ERC, DRC, fab readiness, footprints, mating, analog budget (wattcad check)",
                     lambda v=v: [*self.source_files(v), sch / f"{self.name}.kicad_sch", KICAD_DATA / "board.yaml", *SPECS],
                     lambda v=v: self.run_check(v), after=(f"board-{v}",)),
                Step(f"fab-{v}", f"{v} board: positions, BOM, interactive BOM; gerbers + drill zip once routed and DRC-clean",
                     lambda v=v: [*self.source_files(v), sch / f"{self.name}-bom.csv", KICAD_DATA / "board.yaml", *SPECS],
                     lambda v=v: self.run_fab(v),
                     after=(f"board-{v}",)),
                # After the board step, which may update the source board it reads (parts added).
                Step(f"enclosure-{v}", f"{v} board: enclosure (CadQuery{', FreeCAD' if self.with_freecad(v) else ''}) and fit check",
                     lambda v=v: [self.source[v], self.enclosure_params, *SPECS], lambda v=v: self.run_enclosure(v),
                     {"freecad": self.with_freecad(v)}, after=(f"board-{v}",)),
            ]
            if self.render:
                enc = self.project_dir(v) / "enclosure"
                steps.append(Step(f"render-{v}", f"{v} board: Blender renders",
                                  lambda v=v, enc=enc: [self.source[v], self.project_dir(v) / f"{self.name}-board.glb",
                                                        *(enc / f for f in ("base.stl", "lid.stl", "fit.json", "boardmodel.json"))],
                                  lambda v=v: self.run_render(v), {"renders": renders(v, self.final)},
                                  after=(f"board-{v}", f"enclosure-{v}")))
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
            # Named as the build made it (relative to the output), or as KiCad installed it.
            shown = path.relative_to(self.out) if path.is_relative_to(self.out) else path
            reports.append(verify_footprint(fp, spec, subject=str(shown)))
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
        return Outcome([b.board, *b.renders, b.project_dir / f"{self.name}-drc.json"], "pass" if b.drc.clean else "fail",
                       f"{len(b.drc.errors)} DRC errors, {len(b.drc.parity)} parity issues, {b.drc.unconnected} unrouted",
                       [f"{b.source.name}: {b.change.summary()}"])

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
        from wattcad.check import Project
        from wattcad.kicad.drc import run_drc
        from wattcad.kicad.fab import write_fab_outputs

        # The fab step decides on its own DRC: it may run without the check step (cached, say).
        blockers = run_drc(self.board(variant), self.params.pcb["rules"]).fab_blockers
        blockers += physical_blockers(Project(self.project_dir(variant), self.name))
        fab = write_fab_outputs(self.board(variant), self.project_dir(variant) / "fab",
                                self.schematic_dir / f"{self.name}-bom.csv", gerbers=not blockers)
        return fab_outcome(fab, blockers)

    def run_enclosure(self, variant: str) -> Outcome:
        from wattcad.enclosure_job import build_enclosure

        e = build_enclosure(self.source[variant], self.project_dir(variant) / "enclosure", self.enclosure_params,
                            freecad=self.with_freecad(variant))
        return Outcome(e.files, "pass" if e.fit["fits"] else "fail",
                       f"{'fits' if e.fit['fits'] else 'DOES NOT FIT'}, clearance {e.fit['min_clearance_mm']} mm")

    def run_render(self, variant: str) -> Outcome:
        glb = self.project_dir(variant) / f"{self.name}-board.glb"  # the board step's export, every layer
        return render_step(self.board(variant), self.project_dir(variant) / "renders", variant,
                           *renders(variant, self.final), self.final, self.project_dir(variant) / "enclosure", glb)

    def section_title(self, section: str) -> str:
        return "Rectangular board" if section == "rect" else "Round board"


def physical_blockers(project) -> list[str]:
    """A footprint that does not fit its part, a module that does not plug in: a board with one is
    not for the fab whatever DRC says (DRC checks copper against rules, not against the parts)."""
    from wattcad.check import check_footprints

    return [f"{r.group} check fails for {r.name}" for r in check_footprints(project) if r.status == "fail"]


def fab_outcome(fab, blockers: list[str]) -> Outcome:
    """The fab step's result: gerbers only for a board nothing blocks; the rest for review either way."""
    from wattcad.kicad.fab import IBOM_MISSING

    made = [fab.positions, fab.ibom, fab.bom, fab.gerber_zip]
    review = ", ".join(n for n, f in (("positions", fab.positions), ("BOM", fab.bom), ("iBOM", fab.ibom)) if f)
    notes = [] if fab.ibom else [IBOM_MISSING]
    if blockers:
        return Outcome(made, "blocked", f"NOT FOR THE FAB: {', '.join(blockers)}; no gerbers written ({review} for review)",
                       notes)
    return Outcome(made, "made", f"{len(fab.gerber_files)} gerber/drill files zipped, {review}", notes)


def render_step(board: Path, out_dir: Path, prefix: str, stills: list, turn: tuple | None, final: bool,
                enclosure: Path | None, glb: Path | None = None) -> Outcome:
    """The pictures of one board, in one Blender process, as out_dir/PREFIX-VIEW.png."""
    from wattcad.render_job import Picture, render_pictures

    preview = not final
    pictures = [Picture(out_dir / f"{prefix}-{view}.png", view, size, samples, style, preview=preview)
                for view, style, size, samples in stills]
    if turn:
        size, samples, frames = turn
        pictures.append(Picture(out_dir / f"{prefix}-turntable.png", "iso", size, samples, "cutaway", frames, preview))
    if out_dir.is_dir():  # a preview build after a final one (or back) leaves no stale frames
        for old in out_dir.glob(f"{prefix}-*"):
            old.unlink()
    results = render_pictures(board, pictures, enclosure, glb=glb)
    images = [i for r in results for i in (r.images if r.gif is None else [r.gif])]
    return Outcome(images, "made", f"{len(images)} pictures ({'final' if final else 'preview'}, one Blender)")


def make_pipeline(config: dict) -> BasePipeline:
    """A pipeline from its config (a worker's copy of the parent's)."""
    args = dict(config)
    kind = args.pop("kind")
    if kind == Pipeline.kind:
        return Pipeline(**args)
    from wattcad.project_build import ProjectPipeline

    return ProjectPipeline(**args)


def run_in_worker(config: dict, step_name: str) -> tuple[Outcome | None, float, str | None, int]:
    """One step in a worker process: the same pipeline made again from its config. A failure comes
    back as text and an exit code (an exception of the worker may not cross the process boundary)."""
    started = time.perf_counter()
    try:
        pipeline = make_pipeline(config)
        step = next(s for s in pipeline.steps() if s.name == step_name)
        return step.run(), time.perf_counter() - started, None, 0
    except WattcadError as exc:
        return None, time.perf_counter() - started, str(exc), exc.exit_code
    except BaseException:  # noqa: BLE001 - reported whole in the parent, which stops the build
        return None, time.perf_counter() - started, traceback.format_exc(), -1


class StepFailed(WattcadError):
    """A step raised in a worker: its message, with the exit code it would have had in one process."""

    def __init__(self, step: str, message: str, exit_code: int):
        super().__init__(f"{step}: {message}")
        self.exit_code = exit_code if exit_code > 0 else 1


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Runner:
    """Runs the steps in order of their `after`, up to `jobs` at once, each when its inputs are
    ready; cached steps are decided here, in the parent, as soon as what they read is made."""

    def __init__(self, pipeline: BasePipeline, steps: list[Step], jobs: int):
        self.pipeline, self.steps, self.jobs = pipeline, steps, max(1, jobs)
        self.number = {s.name: i for i, s in enumerate(steps, 1)}
        self.records: dict[str, StepRecord] = {}
        self.keys: dict[str, str] = {}  # each step's inputs hashed when it was found not cached

    def say(self, step: Step, text: str) -> None:
        _say(f"[{self.number[step.name]:2d}/{len(self.steps)}] {step.title}: {text}")

    def ready(self, step: Step) -> bool:
        return all(a in self.records for a in step.after if a in self.number)

    def cached(self, step: Step) -> StepRecord | None:
        """The step's record when its inputs are as they were; else None, the key kept for its record."""
        self.keys[step.name] = self.pipeline.key(step)
        record = self.pipeline.cache.fresh(step.name, self.keys[step.name])
        if record is not None:
            record.cached = True
            self.records[step.name] = record
            self.say(step, "up to date")
        return record

    def finish(self, step: Step, outcome: Outcome, seconds: float) -> None:
        for note in outcome.notes:
            _say(f"        {note}")
        record = self.pipeline.record(step, outcome, seconds, self.keys.get(step.name))
        self.records[step.name] = record
        self.say(step, f"{outcome.status} in {record.seconds} s: {outcome.detail}")

    def run(self) -> list[StepRecord]:
        if self.jobs == 1:
            for step in self.steps:
                if self.cached(step) is None:
                    self.say(step, "...")
                    started = time.perf_counter()
                    self.finish(step, step.run(), time.perf_counter() - started)
        else:
            self._run_parallel()
        return [self.records[s.name] for s in self.steps]

    def _run_parallel(self) -> None:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        waiting, running = list(self.steps), {}
        # spawn: each worker starts clean (pcbnew, OCCT and Blender's exporter are not fork-safe)
        with ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            while waiting or running:
                ready = [s for s in waiting if self.ready(s)]
                while ready:  # a cached step may make the next one ready at once
                    for step in ready:
                        waiting.remove(step)
                        if self.cached(step) is None:
                            self.say(step, "started")
                            running[pool.submit(run_in_worker, self.pipeline.config, step.name)] = step
                    ready = [s for s in waiting if self.ready(s)]
                if not running:
                    if waiting:  # a step waiting on one that never finishes
                        raise WattcadError(f"build steps cannot start: {[s.name for s in waiting]}")
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    step = running.pop(future)
                    outcome, seconds, error, code = future.result()
                    if error is not None:
                        for f in running:
                            f.cancel()
                        raise StepFailed(step.name, error, code)
                    self.finish(step, outcome, seconds)


def build(out: Path, boards_dir: Path | None = None, force: bool = False, render: bool = True, freecad: bool = True,
          enclosure_params: Path | None = None, jobs: int | None = None, final: bool = False) -> int:
    """The ADE7816 build (its sources generated); `build_project` is any KiCad project's."""
    return run_pipeline(Pipeline(out, boards_dir, force, render, freecad, enclosure_params, final), jobs)


def run_pipeline(pipeline: BasePipeline, jobs: int | None = None) -> int:
    started = time.perf_counter()
    steps = pipeline.steps()
    records = Runner(pipeline, steps, jobs or default_jobs()).run()
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


def write_index(pipeline: BasePipeline, records: list[StepRecord]) -> Path:
    from wattcad.build_index import index_html

    return write_atomic(pipeline.out / "index.html", index_html(pipeline, records))
