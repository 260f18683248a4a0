"""KiCad IPC-API action "Check board (wattcad)": `wattcad check` on the board open in pcbnew.

KiCad runs this file in the virtualenv it makes for the plugin (requirements.txt: kicad-python,
the `kipy` client), with KICAD_API_SOCKET and KICAD_API_TOKEN set. That environment does not hold
wattcad (not on a package index, and heavy): the check runs in the wattcad installation this
machine has, found as the SWIG plugins find it (wattcad_locator.py: $WATTCAD_PYTHON, the `wattcad`
command on PATH or in ~/.local/bin), as a subprocess, so its Python need not be the plugin's.
The board is checked as saved on disk; the reports (wattcad-check.json/.xml/.txt) go beside it and
the summary goes to stderr, which KiCad shows in its Messages dialog (the status bar's warning icon).
Only the standard library and kipy here."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wattcad_locator import first_usable  # noqa: E402

CHECK_TIMEOUT_S = 1800


def open_board_path() -> Path:
    """The file of the board open in pcbnew, through the IPC API."""
    from kipy import KiCad

    board = KiCad().get_board()
    return Path(board.document.project.path) / board.name


def wattcad_python() -> str:
    """An interpreter with wattcad installed, of any Python version (wattcad runs as a subprocess);
    ImportError saying how to install it otherwise."""
    return first_usable(same_python=False)[0]


def check_board_file(board: Path) -> tuple[int, str]:
    """`wattcad check` on BOARD, its reports beside it: (exit code, what it printed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    proc = subprocess.run([wattcad_python(), "-m", "wattcad", "check", str(board), "--out", str(board.parent),
                           "--no-enclosure"], capture_output=True, text=True, timeout=CHECK_TIMEOUT_S, env=env)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def main() -> int:
    try:
        board = open_board_path()
        code, said = check_board_file(board)
    except ImportError as exc:  # no wattcad (or no kipy) to run: say how to install it, exit 3 as wattcad does
        print(f"wattcad: {exc}", file=sys.stderr)
        return 3
    print(f"checked {board} as saved on disk (exit {code}):\n{said}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
