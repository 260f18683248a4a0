"""Processes that stop when they should: a child that dies with the process that started it (Linux's
PR_SET_PDEATHSIG, so a build killed with SIGKILL leaves no worker or tool behind), and signals that
raise Interrupted in the main thread (a handler, since tools such as pcbnew's import may leave
SIGINT ignored). Pure: the standard library only."""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading

from wattcad.core.errors import Interrupted

_PR_SET_PDEATHSIG = 1


def _prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # resolved here, not between fork and exec (see die_with_parent)


def die_with_parent(parent_pid: int) -> None:
    """This process is sent SIGKILL when its parent PARENT_PID dies (no-op off Linux); if that parent
    is already gone (the request came too late), it exits now. Safe as a subprocess `preexec_fn`: it
    only calls the libc function resolved at import."""
    if _PRCTL is None:
        return
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def tool_kwargs() -> dict:
    """subprocess arguments for a host tool (kicad-cli, Blender, FreeCAD): it dies with whoever
    started it, a build worker included."""
    if _PRCTL is None:
        return {}
    parent = os.getpid()
    return {"preexec_fn": lambda: die_with_parent(parent)}


@contextlib.contextmanager
def interrupts_raise():
    """SIGINT and SIGTERM raise Interrupted while inside (the main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
