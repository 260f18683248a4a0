"""Errors every front end maps to the same exit codes."""
from __future__ import annotations

import signal

EXIT_OK = 0
EXIT_MISMATCH = 1  # a check ran and found a problem
EXIT_BAD_INPUT = 2  # the input itself is wrong: file, field, value
EXIT_MISSING_TOOL = 3  # a host application or system tool is missing
EXIT_TOOL_FAILED = 4  # a host tool ran and failed or crashed


class WattcadError(Exception):
    exit_code = EXIT_BAD_INPUT


class InputError(WattcadError):
    """Bad input, named precisely: file, field and value."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, path, field: str | None, message: str, value=None):
        self.path = str(path) if path is not None else None
        self.field = field
        self.value = value
        parts = [p for p in (self.path, field) if p]
        where = ": ".join(parts)
        shown = f" (value: {value!r})" if value is not None else ""
        super().__init__(f"{where}: {message}{shown}" if where else f"{message}{shown}")


class MissingToolError(WattcadError):
    exit_code = EXIT_MISSING_TOOL


class ToolFailedError(WattcadError):
    """A host tool (kicad-cli, Blender, FreeCAD) ran and failed, crashed or timed out: neither the
    input's fault nor a check's finding."""

    exit_code = EXIT_TOOL_FAILED


class Interrupted(BaseException):
    """The build or command was stopped by a signal (Ctrl-C's SIGINT, SIGTERM). A BaseException, as
    KeyboardInterrupt is, so no `except Exception` on the way swallows it; exit 128 + the signal."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"interrupted by {self.signal_name}")


def exit_text(returncode: int) -> str:
    """How a child process ended, for a message: 'exit 7', or 'killed by SIGSEGV' (POSIX gives a
    signal's death as a negative return code, which says less than the signal's name)."""
    if returncode >= 0:
        return f"exit {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"
