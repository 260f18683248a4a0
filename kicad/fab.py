"""Fabrication outputs of a board through kicad-cli and InteractiveHtmlBom: gerbers and drill
files zipped for the fab, pick-and-place positions, the BOM and the interactive HTML BOM. Dates
that the tools stamp in are fixed so an unchanged board gives the same bytes."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wattcad.core.errors import MissingToolError, WattcadError
from wattcad.core.fileio import write_atomic
from wattcad.core.processes import tool_kwargs
from wattcad.core.reproducible import FIXED_STAMP, zip_bytes

from .kicad_cli import run_kicad_cli

# The layers a two-layer board house asks for.
FAB_LAYERS = "F.Cu,B.Cu,F.Paste,B.Paste,F.Silkscreen,B.Silkscreen,F.Mask,B.Mask,Edge.Cuts"
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}([+-]\d{2}:?\d{2})?")


# InteractiveHtmlBom declares wxPython, which has no Linux wheel: it cannot be a dependency of the
# wattcad package, so an installed wattcad may not have it (`make` installs it).
IBOM_MISSING = ("no interactive BOM: InteractiveHtmlBom is not installed "
                "(pip install --no-deps InteractiveHtmlBom==2.12.0 in wattcad's environment)")


def ibom_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("InteractiveHtmlBom") is not None


class FabFailed(WattcadError):
    exit_code = 1


@dataclass
class FabOutputs:
    gerber_zip: Path | None
    positions: Path
    ibom: Path | None  # None: InteractiveHtmlBom is not installed (see IBOM_MISSING)
    bom: Path | None
    gerber_files: list[str]


def _run(cmd: list[str], what: str, env: dict | None = None) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, **tool_kwargs())
    except FileNotFoundError:
        raise MissingToolError(f"{cmd[0]} not found: run `make` to install it") from None
    if proc.returncode != 0:
        detail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        raise FabFailed(f"{what} failed (exit {proc.returncode}): {detail}")


def _fix_dates(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    path.write_text(_STAMP.sub(FIXED_STAMP, text), encoding="utf-8", errors="surrogateescape")


def write_fab_outputs(board: Path, out_dir: Path, bom: Path | None = None, gerbers: bool = True,
                      notes: list[str] = ()) -> FabOutputs:
    """Everything a board house and an assembler need, into `out_dir` (replaced as a whole).
    `gerbers` False: a board not ready for the fab gets positions, BOM and iBOM for review, and
    no gerber zip that could be sent by mistake."""
    board = Path(board)
    stem = board.stem
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        zip_path, files = None, []
        if gerbers:
            zip_path, files = _gerber_zip(board, work, list(notes))
        positions = work / f"{stem}-pos.csv"
        run_kicad_cli(["pcb", "export", "pos", "--format", "csv", "--units", "mm", "--side", "both",
                       "--exclude-dnp", "-o", str(positions), str(board)], f"exporting the positions of {board.name}",
                      timeout_s=600)
        ibom = _ibom(board, work) if ibom_available() else None
        bom_copy = None
        if bom is not None and Path(bom).is_file():
            bom_copy = work / Path(bom).name
            shutil.copy2(bom, bom_copy)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return FabOutputs(out_dir / zip_path.name if zip_path else None, out_dir / positions.name,
                      out_dir / ibom.name if ibom else None, out_dir / bom_copy.name if bom_copy else None, files)


def _ibom(board: Path, work: Path) -> Path:
    # iBOM dates the page by the board's title block, or else by the file's mtime: give it a copy
    # with a fixed mtime so an unchanged board gives the same page.
    dated = work / "ibom-input" / board.name
    dated.parent.mkdir()
    for suffix in (".kicad_pcb", ".kicad_pro"):
        if board.with_suffix(suffix).is_file():
            shutil.copy2(board.with_suffix(suffix), dated.with_suffix(suffix))
    fixed = datetime.fromisoformat(FIXED_STAMP).replace(tzinfo=UTC).timestamp()
    os.utime(dated, (fixed, fixed))
    env = {**os.environ, "INTERACTIVE_HTML_BOM_NO_DISPLAY": "1"}  # no wxPython, no display
    _run([sys.executable, "-m", "InteractiveHtmlBom.generate_interactive_bom", "--no-browser", "--dest-dir", str(work),
          "--name-format", f"{board.stem}-ibom", "--include-tracks", "--include-nets", str(dated)],
         "InteractiveHtmlBom", env=env)
    shutil.rmtree(dated.parent)
    return work / f"{board.stem}-ibom.html"


def _gerber_zip(board: Path, work: Path, notes: list[str]) -> tuple[Path, list[str]]:
    """Gerbers and drill files of the fab layers, dates fixed, zipped with fixed dates and sorted names,
    with NOTES as fab-notes.txt: what the fab must do that the gerbers cannot say (vias in pads)."""
    gerbers = work / "gerbers"
    run_kicad_cli(["pcb", "export", "gerbers", "--layers", FAB_LAYERS, "-o", f"{gerbers}/", str(board)],
                  f"exporting the gerbers of {board.name}", timeout_s=600)
    run_kicad_cli(["pcb", "export", "drill", "--format", "excellon", "--excellon-separate-th", "--generate-map",
                   "--map-format", "gerberx2", "-o", f"{gerbers}/", str(board)], f"exporting the drill files of {board.name}",
                  timeout_s=600)
    if notes:
        (gerbers / "fab-notes.txt").write_text("\n".join(notes) + "\n")
    files = sorted(p for p in gerbers.iterdir() if p.is_file())
    for f in files:
        _fix_dates(f)
    zip_path = work / f"{board.stem}-gerbers.zip"
    write_atomic(zip_path, zip_bytes({f.name: f.read_bytes() for f in files}))
    shutil.rmtree(gerbers)
    return zip_path, [f.name for f in files]
