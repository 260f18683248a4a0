"""Benchmark: building the boards from the netlist (both variants: placement, zones, save, DRC)
and placing 1000 footprints on a circle (the pure math and the pcbnew call the CLI makes).
Run: .venv/bin/python benchmarks/board.py"""
from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from wattcad.ade7816.board import build_or_update_board
from wattcad.ade7816.params import load_board_params
from wattcad.ade7816.schematic import generate_project
from wattcad.core.placement import circle_poses
from wattcad.kicad.drc import run_drc
from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist
from wattcad.kicad.pcbnew_compat import pcbnew
from wattcad.kicad.place_circle import place_on_circle


def main() -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   platform.processor())
    kicad = subprocess.run(["kicad-cli", "version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, KiCad {kicad}")
    params = load_board_params()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = generate_project(tmp / params.name)
        netlist = parse_netlist(export_kicad_netlist(project.schematic, tmp / "k.net"))
        for variant in ("rect", "round"):
            source = tmp / "boards" / f"{variant}.kicad_pcb"
            source.parent.mkdir(exist_ok=True)
            t = time.perf_counter()
            build_or_update_board(source, netlist, variant, params.pcb, project.out_dir)
            created = time.perf_counter() - t
            t = time.perf_counter()
            build_or_update_board(source, netlist, variant, params.pcb, project.out_dir)
            updated = time.perf_counter() - t
            board = project.out_dir / f"{params.name}.kicad_pcb"
            for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
                board.with_suffix(suffix).write_bytes(source.with_suffix(suffix).read_bytes())
            t = time.perf_counter()
            run_drc(board, params.pcb["rules"])
            drc = time.perf_counter() - t
            print(f"{variant} board, {len(netlist.components)} parts: new {created:.2f} s, update {updated:.2f} s, "
                  f"DRC with parity {drc:.2f} s")
        refs = [f"R{i}" for i in range(1, 1001)]
        t = time.perf_counter()
        circle_poses(refs, (100.0, 100.0), 80.0)
        math_s = time.perf_counter() - t
        board = pcbnew.BOARD()
        lib = Path("/usr/share/kicad/footprints/Resistor_SMD.pretty")
        template = pcbnew.FootprintLoad(str(lib), "R_0603_1608Metric")
        for ref in refs:
            fp = pcbnew.FOOTPRINT(template)
            fp.SetReference(ref)
            board.Add(fp)
        t = time.perf_counter()
        place_on_circle(board, refs, (100.0, 100.0), 80.0)
        place_s = time.perf_counter() - t
        print(f"1000 footprints on a circle: math {math_s * 1000:.1f} ms, on a pcbnew board {place_s * 1000:.1f} ms")


if __name__ == "__main__":
    main()
