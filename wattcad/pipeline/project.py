"""`wattcad build PROJECT`: any KiCad project — its checks, fabrication outputs, an enclosure with its
fit check, Blender renders and index.html, configured by the project's optional wattcad.yaml. The
project's own files are read, never written: everything goes to the output folder. A project whose
wattcad.yaml says `generate:` is built by its generator's pipeline (GENERATORS)."""
from __future__ import annotations

import importlib
from pathlib import Path

from wattcad.core.cache import BuildCache
from wattcad.core.errors import InputError
from wattcad.pipeline.base import BasePipeline, register_pipeline
from wattcad.pipeline.config import CONFIG_NAME, GENERATORS, ProjectConfig, load_project_config
from wattcad.pipeline.engine import Section, code_hash
from wattcad.pipeline.outputs import default_outputs
from wattcad.pipeline.run import run_pipeline

# What the steps read of a project, in any of its folders (sheets, project libraries, 3D models):
# KiCad 6+ and KiCad 4/5 files, library tables, the models the renders and STEP exports load.
PROJECT_SUFFIXES = {".kicad_pro", ".kicad_pcb", ".kicad_sch", ".kicad_dru", ".kicad_sym", ".kicad_mod", ".pro", ".sch",
                    ".lib", ".step", ".stp", ".wrl", ".wrz"}
PROJECT_NAMES = {"fp-lib-table", "sym-lib-table", CONFIG_NAME}


def project_target(project: Path) -> tuple[Path, Path, ProjectConfig]:
    """(the folder, the path to give find_project, its wattcad.yaml) for PROJECT: a folder or a
    .kicad_pro (a .kicad_pro named on the command line wins over wattcad.yaml's `project`)."""
    path = Path(project).resolve()
    folder = path.parent if path.is_file() else path
    settings = load_project_config(folder)
    return folder, (folder / settings.project if settings.project and not path.is_file() else path), settings


def project_files(folder: Path, out: Path) -> list[Path]:
    """Every file of the project in FOLDER a step may read; not the build's own output OUT (which may
    sit inside the project), hidden folders or KiCad's backups."""
    found = []
    for f in folder.rglob("*"):
        rel = f.relative_to(folder).parts
        if (f.suffix in PROJECT_SUFFIXES or f.name in PROJECT_NAMES) and f.is_file() \
                and not f.is_relative_to(out) and not any(p.startswith(".") or p.endswith("-backups") for p in rel):
            found.append(f)
    return sorted(found)


@register_pipeline
class ProjectPipeline(BasePipeline):
    kind = "project"

    def __init__(self, out: Path, project: str, force: bool = False, render: bool = True, freecad: bool | None = None,
                 enclosure_params: str | None = None, final: bool = False):
        from wattcad.checks import find_project

        self.config = self.base_config(out=out, project=project, force=force, render=render, freecad=freecad,
                                       enclosure_params=enclosure_params, final=final)
        folder, target, self.settings = project_target(Path(project))
        if self.settings.generate:
            raise InputError(self.settings.path, "generate", "this project is generated: build it with "
                                                            "`wattcad build` on its folder", self.settings.generate)
        self.project = find_project(target)
        self.name = self.project.name
        if not self.project.board.is_file():
            raise InputError(self.project.board, None, "the project has no board (.kicad_pcb) to build")
        # Before any step runs or anything is written: a project newer than this KiCad is refused (exit 3).
        from wattcad.kicad.versions import project_files as kicad_files
        from wattcad.kicad.versions import require_readable

        require_readable(kicad_files(self.project.dir), "wattcad build")
        self.out = Path(out).resolve()
        self.cache = BuildCache(self.out, enabled=not force)
        self.code = code_hash()
        self.final = final
        asked = self.settings.outputs or default_outputs()
        self.outputs = tuple(o for o in asked if render or o != "render")
        if not self.outputs:
            raise InputError(self.settings.path, "outputs", "leaves nothing to build (render is off: --no-render)", list(asked))
        self.freecad = self.settings.freecad if freecad is None else freecad and self.settings.freecad
        self.enclosure_params = Path(enclosure_params).resolve() if enclosure_params else None

    def sections(self) -> list[Section]:
        return [Section("", f"{self.name} ({self.project.board.name})", self.project.file, self.out / self.name,
                        self.project.board,
                        lambda: project_files(self.project.dir, self.out), self.outputs, freecad=self.freecad,
                        enclosure_params=self.enclosure_params, enclosure_overrides=self.settings.enclosure,
                        views=self.settings.views)]


def installed_read_only(folder: Path) -> bool:
    """A folder inside an installed package (site-packages): not a place for a build to write."""
    return any(part in ("site-packages", "dist-packages") for part in Path(folder).resolve().parts)


def generator_module(name: str):
    """The package of a generated project's pipeline (`build(folder, settings, ...)`, `copy_example`)."""
    return importlib.import_module(GENERATORS[name])


def build(project: Path | None, out: Path, force: bool = False, render: bool = True, freecad: bool | None = None,
          enclosure_params: Path | None = None, jobs: int | None = None, final: bool = False, **generator_options) -> int:
    """`wattcad build [PROJECT]`: the project in PROJECT (default: the current folder), by its
    generator's pipeline when its wattcad.yaml names one."""
    folder, _, settings = project_target(Path(project or "."))
    if settings.generate:
        return generator_module(settings.generate).build(folder, settings, out, force=force, render=render,
                                                         freecad=freecad, enclosure_params=enclosure_params, jobs=jobs,
                                                         final=final, **generator_options)
    for option, value in generator_options.items():
        if value is not None:
            raise InputError(None, f"--{option.replace('_', '-')}", "only for a generated project (wattcad.yaml: generate)",
                             str(value))
    pipeline = ProjectPipeline(out, str(project or "."), force, render, freecad, enclosure_params, final)
    return run_pipeline(pipeline, jobs)
