"""Benchmark: the one-command build and check, and the same fabrication outputs made by KiBot.
- clean build (`wattcad build --force`: previews, FreeCAD, steps side by side on every core) into a
  scratch folder, with each step's time (steps overlap: their sum is more than the wall time);
- the same clean build one step at a time (`--jobs 1`), and with final-quality renders (`--final`);
- no-op rebuild (nothing changed: every step found up to date);
- the preview renders beside `kicad-cli pcb render --quality high` (benchmarks/render.py);
- `wattcad check` of the rectangular project (ERC, DRC, footprints, enclosure fit);
- gerbers + drill zip + positions of one board: wattcad (kicad-cli) beside KiBot 1.9.1 (PyPI),
  which this script installs into .venv-kibot (with --no-compile, as KiBot asks) on first use.
Run: .venv/bin/python benchmarks/build.py [--quick] (--quick: the default clean build, no-op and renders only)"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KIBOT_VENV = REPO / ".venv-kibot"
KIBOT_PINS = ["kibot==1.9.1", "lxml==6.1.3"]
KIBOT_CONFIG = """kibot:
  version: 1
outputs:
  - {name: gerbers, type: gerber, dir: gerbers,
     layers: [F.Cu, B.Cu, F.Paste, B.Paste, F.SilkS, B.SilkS, F.Mask, B.Mask, Edge.Cuts]}
  - {name: drill, type: excellon, dir: gerbers}
  - {name: position, type: position, dir: pos, options: {format: CSV, units: millimeters}}
  - {name: gerber_zip, type: compress, dir: ., options: {files: [{from_output: gerbers}, {from_output: drill}]}}
"""


def timed(cmd: list[str], **kw) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t


def kibot() -> Path:
    """KiBot in its own venv: it imports wx and pcbnew (linked from Debian's KiCad)."""
    exe = KIBOT_VENV / "bin" / "kibot"
    if not exe.exists():
        subprocess.run(["/usr/bin/python3", "-m", "venv", str(KIBOT_VENV)], check=True)
        subprocess.run([str(KIBOT_VENV / "bin" / "pip"), "install", "-q", "--no-compile", *KIBOT_PINS], check=True)
        links = KIBOT_VENV / "kicad-link"
        links.mkdir(exist_ok=True)
        for name in ("pcbnew.py", "wx", *(p.name for p in Path("/usr/lib/python3/dist-packages").glob("_pcbnew*.so"))):
            (links / name).symlink_to(Path("/usr/lib/python3/dist-packages") / name)
        purelib = subprocess.run([str(KIBOT_VENV / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        Path(purelib, "kicad-link.pth").write_text(f"{links}\n")
    return exe


def steps(build_dir: Path) -> list[tuple[str, float, str]]:
    """(step, seconds, result) of the last run, from the build's own records."""
    rows = []
    for record in sorted((build_dir / ".wattcad-cache").glob("*.json")):
        data = json.loads(record.read_text())
        rows.append((data["step"], data["seconds"], data["status"]))
    return rows


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import render as render_bench

    quick = "--quick" in sys.argv
    print(f"machine: {render_bench.machine()}")
    wattcad = str(Path(sys.executable).with_name("wattcad"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        boards = tmp / "boards"
        shutil.copytree(REPO / "examples" / "ade7816" / "boards", boards, ignore=shutil.ignore_patterns("*.bak"))
        build = [wattcad, "build", str(REPO / "examples" / "ade7816"), "--out", str(tmp / "build"), "--boards-dir", str(boards)]
        clean = timed(build + ["--force"])
        print(f"{'clean build (previews, FreeCAD, side by side)':44s} {clean:8.1f} s")
        for step, seconds, status in steps(tmp / "build"):
            print(f"    {step:40s} {seconds:8.1f} s  {status}")
        print(f"{'no-op rebuild':44s} {timed(build):8.1f} s")
        if not quick:
            print(f"{'clean build, one step at a time (--jobs 1)':44s} {timed(build + ['--force', '--jobs', '1']):8.1f} s")
            print(f"{'clean build with final renders (--final)':44s} {timed(build + ['--force', '--final']):8.1f} s")
            for step, seconds, status in steps(tmp / "build"):
                if step.startswith("render"):
                    print(f"    {step + ' (final)':40s} {seconds:8.1f} s  {status}")
        with tempfile.TemporaryDirectory() as rtmp:
            ratios = [r for v in render_bench.VARIANTS for r in render_bench.bench(v, Path(rtmp), final=False)]
        print(f"{'preview render / kicad-cli high, largest':44s} {max(ratios):8.2f}")
        if quick:
            return
        project = tmp / "build" / "wattcad-ade7816"
        print(f"{'wattcad check (ERC, DRC, footprints, fit)':44s} {timed([wattcad, 'check', str(project), '--out', str(tmp)]):8.1f} s")
        print(f"{'wattcad check --no-enclosure':44s} "
              f"{timed([wattcad, 'check', str(project), '--no-enclosure', '--out', str(tmp)]):8.1f} s")
        board = project / "wattcad-ade7816.kicad_pcb"
        code = ("import sys; from pathlib import Path; from wattcad.kicad.fab import write_fab_outputs; "
                "write_fab_outputs(Path(sys.argv[1]), Path(sys.argv[2]))")
        seconds = timed([sys.executable, '-c', code, str(board), str(tmp / 'fab')])
        print(f"{'wattcad fab: gerbers+drill zip, pos, iBOM':44s} {seconds:8.1f} s")
        (tmp / "fab.kibot.yaml").write_text(KIBOT_CONFIG)
        seconds = timed([str(kibot()), "-c", str(tmp / "fab.kibot.yaml"), "-b", str(board), "-d", str(tmp / "kibot")])
        print(f"{'KiBot 1.9.1: gerbers+drill zip, pos':44s} {seconds:8.1f} s")


if __name__ == "__main__":
    main()
