"""Survey: every board of KiCad's demos (/usr/share/kicad/demos) through `footprint verify`, `check
--no-enclosure --allow-unrouted`, `enclosure --no-views` and `render --view top`; prints each exit
code and the counts per command (docs/figures.md's "On boards wattcad did not make" table).
Run: .venv/bin/python benchmarks/demos.py [OUT_DIR]   (takes about half an hour on 2 cores)"""
from __future__ import annotations

import collections
import subprocess
import sys
import tempfile
from pathlib import Path

DEMOS = Path("/usr/share/kicad/demos")
WATTCAD = Path(sys.executable).with_name("wattcad")


def commands(board: Path, out: Path) -> dict[str, list[str]]:
    return {"verify": ["footprint", "verify", str(board)],
            "check": ["check", str(board), "--no-enclosure", "--allow-unrouted", "--out", str(out)],
            "enclosure": ["enclosure", str(board), "--no-views", "--out", str(out / "enclosure")],
            "render": ["render", str(board), "--view", "top", "--size", "200x150", "--samples", "1",
                       "--out", str(out / "top.png")]}


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="wattcad-demos-"))
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for board in sorted(DEMOS.rglob("*.kicad_pcb")):
        out = root / board.stem
        out.mkdir(parents=True, exist_ok=True)
        codes = []
        for name, args in commands(board, out).items():
            try:
                proc = subprocess.run([str(WATTCAD), *args], capture_output=True, text=True, timeout=1200)
                code = proc.returncode
                (out / f"{name}.log").write_text(proc.stdout + proc.stderr)
            except subprocess.TimeoutExpired:
                code = "timeout"
            counts[name][code] += 1
            codes.append(str(code))
        print(f"{board.stem:32s} " + "  ".join(f"{n} {c}" for n, c in zip(("verify", "check", "enclosure", "render"), codes)),
              flush=True)
    for name, counter in counts.items():
        print(f"{name}: " + ", ".join(f"exit {c}: {n}" for c, n in sorted(counter.items(), key=str)))
    print(f"logs in {root}")


if __name__ == "__main__":
    main()
