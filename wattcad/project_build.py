"""`wattcad build PROJECT`: any KiCad project — its checks, fabrication outputs (gerbers only for a
board DRC lets through), an enclosure with its fit check, Blender renders and index.html, as the
ADE7816 build makes them, configured by the project's optional wattcad.yaml. The project's own
files are read, never written: everything goes to the output folder."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from wattcad.build import RENDERS, SPECS, BasePipeline, Outcome, Step, at_quality, code_hash, fab_outcome, physical_blockers, render_step
from wattcad.core.cache import BuildCache
from wattcad.core.errors import InputError
from wattcad.core.fileio import mirror_folder, read_yaml_mapping, write_atomic
from wattcad.core.project_config import CONFIG_NAME, ProjectConfig, load_project_config

# What the steps read of a project, in any of its folders (sheets, project libraries, 3D models):
# KiCad 6+ and KiCad 4/5 files, library tables, the models the renders and STEP exports load.
PROJECT_SUFFIXES = {".kicad_pro", ".kicad_pcb", ".kicad_sch", ".kicad_dru", ".kicad_sym", ".kicad_mod", ".pro", ".sch",
                    ".lib", ".step", ".stp", ".wrl", ".wrz"}
PROJECT_NAMES = {"fp-lib-table", "sym-lib-table", CONFIG_NAME}
# Each view as the ADE7816 build draws it (style, final size, final samples).
VIEW_STYLES = {view: (style, size, samples) for view, style, size, samples in RENDERS["rect"]}
SECTION = "board"


def project_target(project: Path) -> tuple[Path, Path, ProjectConfig]:
    """(the folder, the path to give find_project, its wattcad.yaml) for PROJECT: a folder or a
    .kicad_pro (a .kicad_pro named on the command line wins over wattcad.yaml's `project`)."""
    path = Path(project).resolve()
    folder = path.parent if path.is_file() else path
    settings = load_project_config(folder)
    return folder, (folder / settings.project if settings.project and not path.is_file() else path), settings


class ProjectPipeline(BasePipeline):
    kind = "project"

    def __init__(self, out: Path, project: str, force: bool = False, render: bool = True, freecad: bool | None = None,
                 enclosure_params: str | None = None, final: bool = False):
        from wattcad.check import find_project

        self.config = {"kind": self.kind, "out": str(out), "project": str(project), "force": force, "render": render,
                       "freecad": freecad, "enclosure_params": str(enclosure_params) if enclosure_params else None,
                       "final": final}
        folder, target, self.settings = project_target(Path(project))
        if self.settings.generate:
            raise InputError(self.settings.path, "generate", "this project is generated: build it with "
                                                            "`wattcad build` on its folder (the ADE7816 pipeline)",
                             self.settings.generate)
        self.project = find_project(target)
        self.name = self.project.name
        if not self.project.board.is_file():
            raise InputError(self.project.board, None, "the project has no board (.kicad_pcb) to build")
        self.out = Path(out).resolve()
        self.cache = BuildCache(self.out, enabled=not force)
        self.code = code_hash()
        self.final = final
        self.outputs = [o for o in self.settings.outputs if render or o != "render"]
        self.freecad = self.settings.freecad if freecad is None else freecad and self.settings.freecad
        self.enclosure_params = Path(enclosure_params).resolve() if enclosure_params else None
        self.source = {SECTION: self.project.board}

    def project_dir(self, section: str = SECTION) -> Path:
        return self.out / self.name

    def section_title(self, section: str) -> str:
        return f"{self.name} ({self.project.board.name})"

    def project_files(self) -> list[Path]:
        """Every file of the project a step may read; not the build's own output (which may sit
        inside the project), hidden folders or KiCad's backups."""
        found = []
        for f in self.project.dir.rglob("*"):
            rel = f.relative_to(self.project.dir).parts
            if (f.suffix in PROJECT_SUFFIXES or f.name in PROJECT_NAMES) and f.is_file() \
                    and not f.is_relative_to(self.out) and not any(p.startswith(".") or p.endswith("-backups") for p in rel):
                found.append(f)
        return sorted(found)

    def steps(self) -> list[Step]:
        files = self.project_files
        extra = [self.enclosure_params] if self.enclosure_params else []
        enclosure = "enclosure" in self.outputs
        made = {
            "check": Step("check", "ERC, DRC with parity, fab readiness, footprints (wattcad check)", files,
                          self.run_check),
            "fab": Step("fab", "positions, interactive BOM; gerbers + drill zip once routed, DRC-clean and every "
                               "footprint fits its part", lambda: [*files(), *SPECS], self.run_fab),
            "enclosure": Step("enclosure", f"enclosure (CadQuery{', FreeCAD' if self.freecad else ''}) and fit check",
                              lambda: [*files(), *extra], self.run_enclosure,
                              {"freecad": self.freecad, "enclosure": self.settings.enclosure}),
            "render": Step("render", "Blender renders", lambda: [*files(), *self.enclosure_files(enclosure)],
                           self.run_render, {"renders": self.renders(), "enclosure": enclosure},
                           after=("enclosure",) if enclosure else ()),
        }
        if not self.outputs:
            raise InputError(self.settings.path, "outputs", "leaves nothing to build (render is off: --no-render)",
                             list(self.settings.outputs))
        return [made[o] for o in self.outputs]

    def enclosure_files(self, enclosure: bool) -> list[Path]:
        folder = self.project_dir() / "enclosure"
        return [folder / f for f in ("base.stl", "lid.stl", "fit.json", "boardmodel.json")] if enclosure else []

    def renders(self) -> tuple[list, tuple | None]:
        stills = [(view, *VIEW_STYLES[view]) for view in self.settings.views]
        return at_quality(stills, None, self.final)

    # --- the steps ----------------------------------------------------------------------------
    def run_check(self) -> Outcome:
        from wattcad.check import run_checks, write_reports

        # Unrouted is work in progress here, as in the ADE7816 build: the fab step refuses it.
        project, results = run_checks(self.project.dir / f"{self.name}{self._pro_suffix()}", enclosure=False,
                                      allow_unrouted=True, timings=False)
        files = write_reports(project, results, self.project_dir())
        failed = [r for r in results if r.status == "fail"]
        detail = f"{sum(r.status == 'pass' for r in results)} of {len(results)} checks pass"
        if failed:
            detail += f": {', '.join(r.name for r in failed[:3])} fail{'s' if len(failed) == 1 else ''}"
        return Outcome(files, "fail" if failed else "pass", detail)

    def _pro_suffix(self) -> str:
        return ".pro" if self.project.legacy else ".kicad_pro"

    def run_fab(self) -> Outcome:
        from wattcad.check import old_format, upgraded_copy
        from wattcad.kicad.drc import run_drc
        from wattcad.kicad.fab import write_fab_outputs

        with tempfile.TemporaryDirectory(prefix="wattcad-fab-") as tmp:
            # One copy is checked and fabricated (a board saved meanwhile waits for the next build); a
            # board an older KiCad saved is made for the fab from a copy KiCad 9 has read.
            project = upgraded_copy(self.project, Path(tmp)) if old_format(self.project) else snapshot(self.project, Path(tmp), self.out)
            # Parity needs a schematic KiCad 9 reads whole (as the check step decides): a legacy one gets DRC alone.
            blockers = run_drc(project.board, None, parity=not self.project.legacy_gap).fab_blockers
            blockers += physical_blockers(project)
            fab = write_fab_outputs(project.board, self.project_dir() / "fab", gerbers=not blockers)
        return fab_outcome(fab, blockers)

    def run_enclosure(self) -> Outcome:
        from wattcad.enclosure.params import load_params
        from wattcad.enclosure_job import build_enclosure

        params = None
        if self.enclosure_params:
            load_params(self.enclosure_params)  # a bad value is named in the user's own file, not the merged one
        if self.settings.enclosure or self.enclosure_params:
            # wattcad.yaml's values, then --enclosure-params over them: one file the enclosure reads.
            merged = {**self.settings.enclosure,
                      **(read_yaml_mapping(self.enclosure_params, "enclosure parameters") if self.enclosure_params else {})}
            import yaml

            params = write_atomic(self.project_dir() / "enclosure-params.yaml", yaml.safe_dump(merged, sort_keys=True))
        e = build_enclosure(self.project.board, self.project_dir() / "enclosure", params, freecad=self.freecad)
        return Outcome([*e.files, params], "pass" if e.fit["fits"] else "fail",
                       f"{'fits' if e.fit['fits'] else 'DOES NOT FIT'}, clearance {e.fit['min_clearance_mm']} mm")

    def run_render(self) -> Outcome:
        enclosure = self.project_dir() / "enclosure" if "enclosure" in self.outputs else None
        return render_step(self.project.board, self.project_dir() / "renders", SECTION, *self.renders(), self.final,
                           enclosure)


def snapshot(project, scratch: Path, out: Path):
    """The project in SCRATCH, the board among the files copied as they are (parity and ${KIPRJMOD}
    paths still resolve through the linked folders); not OUT."""
    from wattcad.check import Project

    mirror_folder(project.dir, scratch, leave_out=out)
    return Project(scratch, project.name)


def copy_example(name: str, dest: Path) -> Path:
    """The sources of a generated example (the ADE7816: wattcad.yaml and its boards) copied out of
    the package into DEST, a new folder, so `wattcad build DEST` updates the user's copy."""
    import shutil

    from wattcad.build import CODE_DIRS
    from wattcad.core.project_config import GENERATORS

    if name not in GENERATORS:
        raise InputError(None, "example", f"unknown example; one of {', '.join(GENERATORS)}", name)
    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(dest, None, "exists and is not an empty folder: name a new or empty folder")
    source = CODE_DIRS["wattcad.kicad"]
    files = [source / "wattcad.yaml"] + sorted(b for b in (source / "boards").iterdir()
                                                if b.suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"))
    # Whole or not at all: written into a scratch folder beside DEST, then moved in file by file
    # (DEST itself may be the shell's current folder, so it is filled, never replaced).
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".wattcad-example-", dir=dest) as tmp:
        work = Path(tmp)
        (work / "boards").mkdir()
        for f in files:
            shutil.copy2(f, work / f.relative_to(source))
        (dest / "boards").mkdir()
        for f in files:
            os.replace(work / f.relative_to(source), dest / f.relative_to(source))
    return dest


def installed_read_only(folder: Path) -> bool:
    """A folder inside an installed package (site-packages): not a place for a build to write."""
    return any(part in ("site-packages", "dist-packages") for part in Path(folder).resolve().parts)


def build_project(project: Path, out: Path, force: bool = False, render: bool = True, freecad: bool | None = None,
                  enclosure_params: Path | None = None, jobs: int | None = None, final: bool = False) -> int:
    from wattcad.build import run_pipeline

    return run_pipeline(ProjectPipeline(out, str(project), force, render, freecad, enclosure_params, final), jobs)
