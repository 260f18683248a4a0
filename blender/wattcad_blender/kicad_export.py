"""The board's GLB for Blender, made by kicad-cli: the one export both `wattcad render` and the
Blender add-on use. No bpy here, and nothing of wattcad: the add-on runs in a user's Blender."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .glb_merge import GlbError, merge_primitives

# Every layer Blender dresses (pads, mask, silkscreen, copper), in the board's own axes (mm, KiCad
# origin) so the enclosure's STLs, made in the same axes, line up without a transform.
GLB_FLAGS = ["--subst-models", "--force", "--include-tracks", "--include-pads", "--include-zones",
             "--include-silkscreen", "--include-soldermask", "--user-origin", "0x0mm"]


class ExportError(Exception):
    pass


class KicadCliMissing(ExportError):
    pass


class KicadCliFailed(ExportError):
    """kicad-cli ran and failed, crashed or timed out (wattcad: exit 4, not bad input)."""


@dataclass
class GlbExport:
    path: Path
    missing_models: list[str] = field(default_factory=list)  # 3D models left out, each with why


# What kicad-cli says when it leaves a 3D model out (and exits 2 having written the GLB without it).
_MODEL_COMPLAINTS = (re.compile(r"^Could not add 3D model for (?P<ref>\S+?)\.?$"),
                     re.compile(r"^File not found: (?P<file>.+)$"),
                     re.compile(r"^readVRML\(\) failed on filename '(?P<file>.+)'\.?$"),
                     re.compile(r"^No model for filename '(?P<file>.+)'\.?$"))


def find_kicad_cli() -> str:
    """The rule of wattcad.kicad.kicad_cli.kicad_cli_path (wattcad is not importable in a user's
    Blender): WATTCAD_KICAD_CLI when set (a path, or a command name on PATH), else PATH."""
    named = os.environ.get("WATTCAD_KICAD_CLI")
    if named:
        found = shutil.which(named)
        if found is None:
            raise KicadCliMissing(f"WATTCAD_KICAD_CLI={named!r} is not an executable file "
                                  f"(unset it to use kicad-cli on PATH)")
        return found
    found = shutil.which("kicad-cli")
    if found is None:
        raise KicadCliMissing("kicad-cli (KiCad 9 or 10) not found on PATH; install KiCad or set WATTCAD_KICAD_CLI")
    return found


def export_glb(board: Path, out: Path, models_dir: Path | None = None, timeout_s: float = 600,
               process_options: dict | None = None) -> GlbExport:
    """`board` (.kicad_pcb) to `out` (.glb) with its 3D bodies; `models_dir` stands in for
    KiCad's 3D-model folder variable when the board's models live beside its project. A 3D model that is missing
    or unreadable is left out, as KiCad's 3D viewer does, and listed; any other failure raises.
    `process_options`: more subprocess arguments (wattcad's: kicad-cli dies with its caller)."""
    board, out = Path(board), Path(out)
    if not board.is_file():
        raise ExportError(f"{board}: no such board file")
    # Footprints from KiCad 9's library name ${KICAD9_3DMODEL_DIR}, KiCad 10's ${KICAD10_3DMODEL_DIR}.
    defines = [a for v in (9, 10) for a in ("--define-var", f"KICAD{v}_3DMODEL_DIR={models_dir}")] if models_dir else []
    tmp = out.with_name(f".{out.name}.part.glb")
    command = [find_kicad_cli(), "pcb", "export", "glb", *defines, *GLB_FLAGS, "-o", str(tmp), str(board)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, **(process_options or {}))
    except subprocess.TimeoutExpired:
        tmp.unlink(missing_ok=True)
        raise KicadCliFailed(f"{board}: kicad-cli pcb export glb timed out after {timeout_s:g} s") from None
    missing = _missing_models(proc.stdout + "\n" + proc.stderr)
    # A negative code is a signal: a crash, even when a GLB was written and models were reported missing.
    if proc.returncode < 0 or not tmp.is_file() or (proc.returncode != 0 and not missing):
        tmp.unlink(missing_ok=True)
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        ending = f"exit {proc.returncode}" if proc.returncode >= 0 else _signal_name(-proc.returncode)
        raise KicadCliFailed(f"{board}: kicad-cli pcb export glb failed ({ending}): {' '.join(detail[-3:])}")
    try:  # one primitive per material: Blender imports a big board in seconds, not hours
        merge_primitives(tmp)
    except (GlbError, KeyError, IndexError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{board}: kicad-cli wrote a GLB wattcad cannot read: {exc}") from None
    os.replace(tmp, out)
    return GlbExport(out, missing)


def _signal_name(number: int) -> str:
    import signal

    try:
        return f"killed by {signal.Signals(number).name}"
    except ValueError:
        return f"killed by signal {number}"


def _missing_models(output: str) -> list[str]:
    """The 3D models kicad-cli's output says it left out, one line each, in the order it said so."""
    found: list[str] = []
    ref = ""
    for line in (ln.strip() for ln in output.splitlines()):
        for pattern in _MODEL_COMPLAINTS:
            m = pattern.match(line)
            if not m:
                continue
            if "ref" in pattern.groupindex:
                ref = m["ref"]
            else:
                note = f"{ref}: {m['file']} not found" if pattern.pattern.startswith("^File") else \
                    f"{m['file']} unreadable"
                if not any(m["file"] in f for f in found):
                    found.append(note)
                ref = ""
            break
    return found
