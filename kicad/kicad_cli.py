"""The one way wattcad runs kicad-cli: found the same way everywhere (WATTCAD_KICAD_CLI, else PATH),
and a failure said the same way everywhere — what was being done, the command, how it ended and
what kicad-cli said last. Missing: MissingToolError (exit 3); ran and failed: ToolFailedError (exit 4).
(blender/wattcad_blender/kicad_export.py keeps its own copy of the lookup: it runs inside Blender.)"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Container, Sequence

from wattcad.core.errors import MissingToolError, ToolFailedError, exit_text
from wattcad.core.processes import tool_kwargs

ENV_VAR = "WATTCAD_KICAD_CLI"
# kicad-cli's own exit code (CLI::EXIT_CODES::ERR_INVALID_INPUT_FILE) for a file it could not load:
# a caller that reports bad input itself lets it through with ok_codes=(0, INVALID_INPUT).
INVALID_INPUT = 3
_TAIL_LINES = 5


def kicad_cli_path() -> str:
    """WATTCAD_KICAD_CLI when set (a path, or a command name on PATH), else `kicad-cli` on PATH."""
    named = os.environ.get(ENV_VAR)
    if named:
        # shutil.which checks a path given with a folder as it is (a file, executable), and
        # looks a bare name up on PATH.
        found = shutil.which(named)
        if found is None:
            raise MissingToolError(f"{ENV_VAR}={named!r} is not an executable file (unset it to use kicad-cli on PATH)")
        return found
    found = shutil.which("kicad-cli")
    if found is None:
        raise MissingToolError("kicad-cli (KiCad 9 or 10) not found on PATH; install KiCad or set WATTCAD_KICAD_CLI")
    return found


def _tail(text: str | bytes | None) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return " | ".join(lines[-_TAIL_LINES:])


def run_kicad_cli(args: Sequence[str], what: str, *, cwd=None, env: dict | None = None, timeout_s: float | None = None,
                  ok_codes: Container[int] = (0,)) -> subprocess.CompletedProcess:
    """kicad-cli ARGS (text output captured); WHAT says what it was doing, for the error. A return
    code outside OK_CODES, a signal or the timeout raises ToolFailedError."""
    command = [kicad_cli_path(), *map(str, args)]
    shown = shlex.join(command)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout_s, **tool_kwargs())
    except FileNotFoundError:  # vanished between the lookup and the start
        raise MissingToolError(f"{command[0]} not found: install KiCad or set {ENV_VAR}") from None
    except PermissionError as exc:
        raise MissingToolError(f"{command[0]} cannot be run ({exc.strerror}): install KiCad or set {ENV_VAR}") from None
    except subprocess.TimeoutExpired as exc:
        said = _tail(exc.stderr) or _tail(exc.stdout)
        raise ToolFailedError(f"{what}: `{shown}` timed out after {timeout_s:g} s and was stopped"
                              + (f"; it said: {said}" if said else "")) from None
    if proc.returncode < 0 or proc.returncode not in ok_codes:
        said = _tail(proc.stderr) or _tail(proc.stdout)
        raise ToolFailedError(f"{what}: `{shown}` failed ({exit_text(proc.returncode)})"
                              + (f"; it said: {said}" if said else "; it said nothing"))
    return proc
