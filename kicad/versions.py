"""Which KiCad saved a file, which KiCad is installed, and whether the one can read the other —
asked before anything runs, so a KiCad 10 project on a KiCad 9 machine is refused (exit 3, the
KiCad that reads it is the missing tool) instead of failing half-way as a broken file."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from wattcad.core.errors import MissingToolError

# The newest file format each release writes (KiCad's SEXPR_BOARD_FILE_VERSION and
# SEXPR_SCHEMATIC_FILE_VERSION of each release branch); a release reads every format up to its own.
BOARD_FORMATS = {4: 19999999, 5: 20171130, 6: 20211014, 7: 20221018, 8: 20240108, 9: 20241229, 10: 20260206}
SCHEMATIC_FORMATS = {6: 20211123, 7: 20230121, 8: 20231120, 9: 20250114, 10: 20260306}
_VERSION = re.compile(r"\(version\s+(\d+)\)")
_HEADS = {".kicad_pcb": ("kicad_pcb", "board", BOARD_FORMATS), ".kicad_sch": ("kicad_sch", "schematic", SCHEMATIC_FORMATS)}


def file_format(path: Path) -> int | None:
    """The `(version N)` in the head of a KiCad s-expression file (None: none there, or unreadable)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = f.read(400)
    except OSError:
        return None
    m = _VERSION.search(head)
    return int(m.group(1)) if m else None


def release_of(fmt: int, formats: dict[int, int]) -> str:
    """'KiCad 10' for a format KiCad 10 writes; 'a KiCad newer than 10' past the newest known."""
    for major, last in sorted(formats.items()):
        if fmt <= last:
            return f"KiCad {major}"
    return f"a KiCad newer than {max(formats)}"


@lru_cache(maxsize=4)
def _installed(cli: str) -> str:
    from wattcad.core.errors import ToolFailedError

    from .kicad_cli import run_kicad_cli

    try:
        said = run_kicad_cli(["version"], "asking kicad-cli its version", timeout_s=60).stdout.strip()
    except ToolFailedError:
        return ""  # a kicad-cli that cannot say its version fails on the real work too, and says so there
    return said.split("-")[0] if re.match(r"\d+\.\d+", said) else ""


def installed_kicad() -> str:
    """The installed KiCad's release ('9.0.8', '10.0.6'), as its kicad-cli says ('' when it cannot say)."""
    from .kicad_cli import kicad_cli_path

    return _installed(kicad_cli_path())


def kicad_release() -> str:
    """installed_kicad() for reports and cache keys: '' when kicad-cli is missing or cannot say."""
    try:
        return installed_kicad()
    except MissingToolError:
        return ""


def installed_major() -> int | None:
    """The installed KiCad's major release (None when kicad-cli cannot say)."""
    version = installed_kicad()
    return int(version.split(".")[0]) if version else None


def too_new(path: Path, major: int) -> str:
    """Why KiCad MAJOR cannot read PATH ('' when it can, or when PATH is no board or schematic)."""
    kind = _HEADS.get(Path(path).suffix)
    fmt = file_format(path) if kind else None
    if fmt is None:
        return ""
    _, what, formats = kind
    # A release newer than the table reads everything the table knows.
    if major not in formats and major > max(formats):
        return ""
    readable = formats.get(major, 0)
    if fmt <= readable:
        return ""
    return f"{Path(path).name}: saved by {release_of(fmt, formats)} ({what} format {fmt})"


def require_readable(paths, doing: str = "") -> None:
    """Raise MissingToolError (exit 3) naming every file the installed KiCad cannot read."""
    paths = [Path(p) for p in paths if Path(p).suffix in _HEADS and Path(p).is_file()]
    if not paths:
        return
    major = installed_major()
    if major is None:  # kicad-cli cannot say what it is: the step that runs it reports that
        return
    newer = [reason for p in paths if (reason := too_new(p, major))]
    if newer:
        needed = max(re.findall(r"saved by (a KiCad newer than \d+|KiCad \d+)", "; ".join(newer)), key=len)
        raise MissingToolError("; ".join(newer) + f"; this machine has KiCad {installed_kicad()}, which cannot read "
                               + ("it" if len(newer) == 1 else "them") + (f" ({doing})" if doing else "")
                               + f"; install {needed}, or set WATTCAD_KICAD_CLI to its kicad-cli")


def project_files(project_dir: Path) -> list[Path]:
    """A project's boards and schematics (sub-sheets too), for require_readable."""
    project_dir = Path(project_dir)
    return sorted(project_dir.glob("*.kicad_pcb")) + sorted(project_dir.glob("*.kicad_sch"))


def model_dir_defines(models_dir: Path) -> list[str]:
    """kicad-cli options pointing every release's 3D-model variable at MODELS_DIR: footprints from
    KiCad 9's library name ${KICAD9_3DMODEL_DIR}, KiCad 10's ${KICAD10_3DMODEL_DIR}."""
    return [arg for major in (6, 7, 8, 9, 10) for arg in ("--define-var", f"KICAD{major}_3DMODEL_DIR={models_dir}")]


MODEL_DIR_VARIABLE = re.compile(r"\$\{KICAD\d*_3DMODEL_DIR\}")
