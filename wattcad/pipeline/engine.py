"""The build engine's parts every other module of wattcad.pipeline builds on: a step (what it reads,
what it runs), its outcome, a section (a board of a project and where its outputs go), wattcad's
code hash and the summary table. The steps that make a project's outputs (wattcad.pipeline.outputs)
are written once and made per section. A step whose inputs (the project's
files, wattcad's code, its options) hash the same as when it last ran, and whose files are all still
there, is skipped (wattcad/core/cache.py)."""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from wattcad import __version__
from wattcad.core.cache import StepRecord, content_hash


def package_dir(name: str) -> Path:
    """Where a wattcad package's files are, in a checkout or an installed wheel alike (found, not
    imported: importing wattcad.blender's add-on might cost)."""
    return Path(importlib.util.find_spec(name).submodule_search_locations[0]).resolve()


# wattcad's own Python files (the code hash): every package it installs (the root package is flat, its
# subpackages sit inside it in a wheel and beside it in a checkout), and the packages other
# distributions plug in (generators, outputs, checks): their code makes outputs too.
CODE_PACKAGES = ("wattcad", "wattcad.core", "wattcad.pipeline", "wattcad.checks", "wattcad.commands", "wattcad.footprints",
                 "wattcad.kicad", "wattcad.enclosure", "wattcad.freecad", "wattcad.blender")
PLUGIN_GROUPS = ("wattcad.generators", "wattcad.outputs", "wattcad.checks")


def _plugin_packages() -> list[str]:
    """The packages the entry point groups name: a generator is one; an output or a check is a module
    of one (wattcad.ade7816.checks -> wattcad.ade7816). Found, not imported."""
    names = set()
    for group in PLUGIN_GROUPS:
        for ep in entry_points(group=group):
            name = ep.value.split(":")[0]
            names.add(name if group == "wattcad.generators" else name.rpartition(".")[0])
    return sorted(n for n in names if n and n not in CODE_PACKAGES)


CODE_DIRS = {name: package_dir(name) for name in (*CODE_PACKAGES, *_plugin_packages())}
SPECS = [CODE_DIRS["wattcad.footprints"] / "specs", CODE_DIRS["wattcad.footprints"] / "ipc7351b.yaml"]


def code_hash() -> str:
    """wattcad's own code: its Python files only (a generated example's boards sit beside its code
    and are updated by its build: they are inputs of their own steps, not code), and the KiCad that
    runs the steps (a KiCad 9 to 10 upgrade checks everything again)."""
    def files(name: str, folder: Path):
        found = folder.glob("*.py") if name == "wattcad" else folder.rglob("*.py")
        return (f for f in found if "__pycache__" not in f.parts)

    named = sorted((f"{name}/{f.relative_to(d).as_posix()}", f) for name, d in CODE_DIRS.items() if d.is_dir()
                   for f in files(name, d))
    from wattcad.kicad.versions import kicad_release

    return content_hash([f for _, f in named], {"version": __version__, "kicad": kicad_release(),
                                                "files": [n for n, _ in named]})


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


@dataclass
class Section:
    """One board of a project and where its outputs go: what the output steps (check, fab, enclosure,
    render) are made for. A project has one; a generated one may have several (board variants)."""

    key: str  # names the section's steps (check-rect) and pictures (rect-iso.png); "" for a lone section
    title: str  # the index page's heading
    project_file: Path  # the .kicad_pro (or KiCad 4/5 .pro) checked and fabricated
    dir: Path  # where this section's outputs go
    board: Path  # the board fabricated and rendered
    inputs: Callable[[], list[Path]]  # what any of its steps reads of the project
    outputs: tuple[str, ...]  # the outputs to make, in order
    enclosure_board: Path | None = None  # the board the enclosure is built around (default: board)
    after: tuple[str, ...] = ()  # steps every output of the section waits for (a generated board)
    rules: dict | None = None  # fab rules the DRC holds the board to (None: the project's own)
    bom: Path | None = None  # a BOM with MPNs for the fab step (None: KiCad's from the board)
    glb: Path | None = None  # a GLB the render may reuse (None: exported from the board)
    freecad: bool = False
    enclosure_params: Path | None = None  # a parameters file over wattcad's defaults
    enclosure_overrides: dict = field(default_factory=dict)  # wattcad.yaml's, under enclosure_params
    views: tuple[str, ...] = ("iso", "top")
    turntable: tuple | None = None  # (size, samples, frames)
    label: str = ""  # before a step's title on the console ("rect board: ")

    def step_name(self, output: str) -> str:
        return f"{output}-{self.key}" if self.key else output

    @property
    def picture_prefix(self) -> str:
        return self.key or "board"


def say(text: str) -> None:
    print(f"[wattcad] {text}", flush=True)


def summary_table(records: list[StepRecord]) -> str:
    width = max(len(r.step) for r in records)
    lines = ["", f"{'step':{width}s}  {'result':7s}  {'time':>8s}  what"]
    for r in records:
        when = "cached" if r.cached else f"{r.seconds:.1f} s"
        lines.append(f"{r.step:{width}s}  {r.status.upper():7s}  {when:>8s}  {r.detail}")
    return "\n".join(lines)
