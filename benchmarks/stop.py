"""Benchmark: how long a build takes to stop. A `wattcad build` of KiCad's StickHub demo (check, fab,
enclosure, two jobs) in a session of its own, sent SIGINT (as a terminal's Ctrl-C) or SIGTERM once
the enclosure step runs; the time from the signal to the build's exit, and to the last process of its
session gone (workers, kicad-cli, multiprocessing's helpers). Goal: 3 s. Three runs of each signal.
Run: .venv/bin/python benchmarks/stop.py"""
from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEMO = Path("/usr/share/kicad/demos/stickhub")
STARTED = "enclosure (CadQuery, FreeCAD when asked) and fit check: started"


def session_alive(sid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                return True
    return False


def one_stop(work: Path, signum: int) -> tuple[float, float]:
    project = work / "StickHub"
    if not project.exists():
        shutil.copytree(DEMO, project)
        (project / "wattcad.yaml").write_text("outputs: [check, fab, enclosure]\n")
    log = work / "build.log"
    proc = subprocess.Popen([sys.executable, "-m", "wattcad", "build", str(project), "--out", str(work / "out"), "--force",
                             "--jobs", "2"], stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    while STARTED not in log.read_text():
        if proc.poll() is not None:
            sys.exit(f"the build ended before its enclosure step:\n{log.read_text()[-2000:]}")
        time.sleep(0.05)
    time.sleep(1.0)
    sent = time.perf_counter()
    os.killpg(proc.pid, signum)
    proc.wait(timeout=60)
    exited = time.perf_counter() - sent
    while session_alive(proc.pid):
        time.sleep(0.01)
    return exited, time.perf_counter() - sent


def main() -> int:
    if not DEMO.is_dir():
        sys.exit(f"{DEMO}: KiCad's demos are not installed (`make` installs kicad-demos)")
    with tempfile.TemporaryDirectory(prefix="wattcad-stop-") as tmp:
        for signum in (signal.SIGINT, signal.SIGTERM):
            runs = [one_stop(Path(tmp), signum) for _ in range(3)]
            for label, values in (("exit", [r[0] for r in runs]), ("no process left", [r[1] for r in runs])):
                print(f"{signal.Signals(signum).name:7s} {label:16s} min {min(values):.2f} s, median "
                      f"{statistics.median(values):.2f} s, max {max(values):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
