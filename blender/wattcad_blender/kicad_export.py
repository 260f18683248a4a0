"""The board's GLB for Blender, made by kicad-cli: the one export both `wattcad render` and the
Blender add-on use. No bpy here, and nothing of wattcad: the add-on runs in a user's Blender."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# Every layer Blender dresses (pads, mask, silkscreen, copper), in the board's own axes (mm, KiCad
# origin) so the enclosure's STLs, made in the same axes, line up without a transform.
GLB_FLAGS = ["--subst-models", "--force", "--include-tracks", "--include-pads", "--include-zones",
             "--include-silkscreen", "--include-soldermask", "--user-origin", "0x0mm"]


class ExportError(Exception):
    pass


def find_kicad_cli() -> str:
    found = os.environ.get("WATTCAD_KICAD_CLI") or shutil.which("kicad-cli")
    if not found:
        raise ExportError("kicad-cli not found on PATH (KiCad 9); set WATTCAD_KICAD_CLI to its path")
    return found


def export_glb(board: Path, out: Path, models_dir: Path | None = None, timeout_s: float = 600) -> Path:
    """`board` (.kicad_pcb) to `out` (.glb) with its 3D bodies; `models_dir` stands in for
    KICAD9_3DMODEL_DIR when the board's models live beside its project."""
    board, out = Path(board), Path(out)
    if not board.is_file():
        raise ExportError(f"{board}: no such board file")
    defines = ["--define-var", f"KICAD9_3DMODEL_DIR={models_dir}"] if models_dir else []
    tmp = out.with_name(f".{out.name}.part.glb")
    proc = subprocess.run([find_kicad_cli(), "pcb", "export", "glb", *defines, *GLB_FLAGS, "-o", str(tmp), str(board)],
                          capture_output=True, text=True, timeout=timeout_s)
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise ExportError(f"{board}: kicad-cli pcb export glb failed (exit {proc.returncode}): {' '.join(detail[-3:])}")
    os.replace(tmp, out)
    return out
