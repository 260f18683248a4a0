"""Benchmark: `wattcad route` from bare boards: KiCad's ecc83 demo with its tracks removed, and both
ADE7816 reference boards as examples/ade7816/boards holds them. Prints the time, what was routed, the track
length, the vias and what KiCad's DRC says afterwards.
Run: .venv/bin/python benchmarks/route.py"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from wattcad.kicad.route import route_board

REPO = Path(__file__).resolve().parents[1]
STRIP = ("import sys\nfrom wattcad.kicad.pcbnew_compat import pcbnew\n"
         "b = pcbnew.LoadBoard(sys.argv[1])\nfor t in list(b.GetTracks()):\n    b.Remove(t)\n"
         "pcbnew.SaveBoard(sys.argv[2], b)\n")


def bare_copy(board: Path, into: Path) -> Path:
    """A copy of BOARD (and its project and rules files) with every track and via removed."""
    into.mkdir(parents=True, exist_ok=True)
    for suffix in (".kicad_pro", ".kicad_dru"):
        if board.with_suffix(suffix).is_file():
            shutil.copy2(board.with_suffix(suffix), into / board.with_suffix(suffix).name)
    out = into / board.name
    subprocess.run([sys.executable, "-c", STRIP, str(board), str(out)], check=True, capture_output=True, timeout=300)
    return out


def main() -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   platform.processor())
    kicad = subprocess.run(["kicad-cli", "version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, KiCad {kicad}")
    boards = [Path("/usr/share/kicad/demos/ecc83/ecc83-pp.kicad_pcb"),
              REPO / "examples/ade7816/boards/wattcad-ade7816.kicad_pcb", REPO / "examples/ade7816/boards/wattcad-ade7816-round.kicad_pcb"]
    with tempfile.TemporaryDirectory() as tmp:
        for i, board in enumerate(boards):
            bare = bare_copy(board, Path(tmp) / str(i))
            report = route_board(bare, out=Path(tmp) / str(i) / f"routed-{board.name}")
            print(f"{board.name}: {report.seconds} s; {report.routed} of {report.connections} connections, "
                  f"{report.track_length_mm:.0f} mm of track, {report.vias} vias; after: {report.unconnected_after} "
                  f"unrouted, {len(report.drc_errors)} DRC errors")


if __name__ == "__main__":
    main()
