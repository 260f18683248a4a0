"""Benchmark: `wattcad route` on KiCad's demo boards with every track removed,
each in its own process with a time limit. Prints, per demo, what was routed, what is left and
what KiCad's DRC says; docs/figures.md's counts (Routing) come from here.
Run: .venv/bin/python benchmarks/route_demos.py [SECONDS]"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from route import bare_copy

DEMOS = Path("/usr/share/kicad/demos")
NAMES = ("ecc83", "pic_programmer", "test_pads_inside_pads", "complex_hierarchy", "flat_hierarchy", "stickhub", "interf_u")


def main() -> None:
    limit_s = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    with tempfile.TemporaryDirectory() as tmp:
        for name in NAMES:
            board = sorted((DEMOS / name).glob("*.kicad_pcb"))[0]
            bare = bare_copy(board, Path(tmp) / name)
            try:
                run = subprocess.run([sys.executable, "-m", "wattcad", "route", str(bare),
                                      "--out", str(bare.with_name("routed.kicad_pcb"))],
                                     capture_output=True, text=True, timeout=limit_s)
            except subprocess.TimeoutExpired:
                print(f"{name}: not finished in {limit_s:.0f} s")
                continue
            lines = [ln for ln in run.stdout.splitlines() if ln.strip()]
            left = sum("not routed" in ln for ln in lines)
            teardrops = sum("not routed" in ln and "Teardrop" in ln for ln in lines)
            print(f"{name}: exit {run.returncode}; {lines[0] if lines else run.stderr.strip()[-300:]}; "
                  f"{left} not routed ({teardrops} of them name a teardrop)")


if __name__ == "__main__":
    main()
