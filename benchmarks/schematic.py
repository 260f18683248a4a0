"""Benchmark: the whole schematic step (SKiDL circuit, netlist, schematic, kicad-skip layout,
ERC, footprint verification, PDF/SVG/BOM export), and the SKiDL part alone.
Run: .venv/bin/python benchmarks/schematic.py"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wattcad.ade7816.params import BOARD_PARAMS, PARTS_CATALOGUE
from wattcad.ade7816.schematic import generate_project


def main(runs: int = 3) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   platform.processor())
    kicad = subprocess.run(["kicad-cli", "version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, KiCad {kicad}")
    whole, skidl_only = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            generate_project(Path(tmp) / "proj")
            whole.append(time.perf_counter() - t)
            work = Path(tmp) / "skidl"
            work.mkdir()
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "wattcad.ade7816.skidl_run", str(work), str(BOARD_PARAMS), str(PARTS_CATALOGUE)],
                           check=True, capture_output=True, cwd=work)
            skidl_only.append(time.perf_counter() - t)
    print(f"schematic + netlist + ERC + exports: best {min(whole):.2f} s, median {sorted(whole)[len(whole) // 2]:.2f} s")
    print(f"  of which SKiDL (circuit, netlist, labels-mode schematic): best {min(skidl_only):.2f} s")


if __name__ == "__main__":
    main()
