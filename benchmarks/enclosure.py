"""Benchmark: enclosure build + fit check (CadQuery/OCCT) for both boards, and the FreeCAD
document with its own fit check. Run: .venv/bin/python benchmarks/enclosure.py"""
from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

from wattcad.enclosure_job import build_enclosure

BOARDS = ("examples/ade7816/boards/wattcad-ade7816.kicad_pcb", "examples/ade7816/boards/wattcad-ade7816-round.kicad_pcb")


def main() -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   platform.processor())
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        for board in BOARDS:
            t = time.perf_counter()
            result = build_enclosure(Path(board), Path(tmp) / "cq", views=False)
            cq_s = time.perf_counter() - t
            t = time.perf_counter()
            build_enclosure(Path(board), Path(tmp) / "fc", freecad=True, views=False)
            fc_s = time.perf_counter() - t
            print(f"{Path(board).name}: CadQuery enclosure + fit {cq_s:.1f} s ({len(result.fit['cutouts'])} cut-outs); "
                  f"with the FreeCAD document {fc_s:.1f} s")


if __name__ == "__main__":
    main()
