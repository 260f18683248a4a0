"""Ctrl-C and SIGTERM stop a real build at once (exit 130 / 143), the steps that finished stay
cached, the steps still queued never run, and no process of the build is left — its workers, the
tools they started, multiprocessing's helpers — also after SIGKILL of the build itself."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEMO = Path("/usr/share/kicad/demos/stickhub")


def _session_processes(sid: int) -> list[str]:
    """'pid command' of every live process in session SID (the build started one of its own)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120]
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found.append(f"{entry.name} {cmd}")
    return found


def _gone(sid: int, within_s: float) -> list[str]:
    deadline = time.monotonic() + within_s
    while (left := _session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


class Build:
    """`wattcad build` of a copy of StickHub (check, fab, enclosure, render) in a session of its own,
    as a terminal runs a command: its output read line by line."""

    def __init__(self, tmp: Path, jobs: int = 2, *extra: str):
        self.project = tmp / "StickHub"
        if not self.project.exists():
            shutil.copytree(DEMO, self.project)
        (self.project / "wattcad.yaml").write_text("outputs: [check, fab, enclosure, render]\n")
        self.out = tmp / "out"
        self.log = tmp / f"build-{time.monotonic_ns()}.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "wattcad", "build", str(self.project), "--out", str(self.out),
                                      "--jobs", str(jobs), *extra], stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, needle: str, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while needle not in self.text():
            assert self.proc.poll() is None, f"the build ended before {needle!r}:\n{self.text()}"
            assert time.monotonic() < deadline, f"no {needle!r} within {timeout_s} s:\n{self.text()}"
            time.sleep(0.1)

    def records(self) -> set[str]:
        return {p.stem for p in (self.out / ".wattcad-cache").glob("*.json")}


def _interrupt_mid_build(tmp_path, signum: int) -> tuple[Build, int, float]:
    """(the build, its exit code, seconds from the signal to its end)."""
    build = Build(tmp_path)
    # check has finished and enclosure (CadQuery, ~30 s) took its worker; render waits for it.
    build.wait_for("[ 3/4] enclosure (CadQuery, FreeCAD when asked) and fit check: started")
    assert "checks pass" in build.text()  # a step starts only in a free worker
    time.sleep(1)
    sent = time.monotonic()
    os.killpg(build.proc.pid, signum)
    code = build.proc.wait(timeout=60)
    return build, code, time.monotonic() - sent


@pytest.mark.kicad
@pytest.mark.parametrize("signum,exit_code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_build_keeps_what_finished_and_leaves_no_process(tmp_path, signum, exit_code):
    build, code, seconds = _interrupt_mid_build(tmp_path, signum)
    printed = build.text()
    assert code == exit_code, printed
    name = signal.Signals(signum).name
    assert f"interrupted ({name}): stopped " in printed and "enclosure" in printed.split("interrupted")[1], printed
    assert "not started: render" in printed, printed  # the queued step never ran
    assert "Traceback" not in printed, printed
    assert not _gone(build.proc.pid, 5), "processes left after the build stopped"
    records = build.records()
    assert "check" in records and "enclosure" not in records and "render" not in records, records
    print(f"{name}: the build stopped {seconds:.2f} s after the signal")
    if signum == signal.SIGINT:
        # The next build takes up where this one stopped: check cached, the enclosure made whole.
        again = Build(tmp_path, 2, "--no-render")
        assert again.proc.wait(timeout=300) == 0, again.text()
        assert "ERC, DRC with parity, fab readiness, footprints, mating and the registered checks (wattcad check): up to date" \
            in again.text(), again.text()
        assert (again.out / "StickHub" / "enclosure" / "fit.json").is_file()


@pytest.mark.kicad
def test_a_build_killed_with_sigkill_leaves_no_worker_or_tool_behind(tmp_path):
    build = Build(tmp_path)
    build.wait_for("positions, interactive BOM")  # the check and fab steps (kicad-cli) started
    assert len(_session_processes(build.proc.pid)) >= 3  # the build, its workers, multiprocessing's tracker
    os.kill(build.proc.pid, signal.SIGKILL)  # the build alone: nothing of it can clean up
    build.proc.wait(timeout=10)
    left = _gone(build.proc.pid, 10)
    assert not left, f"outlived the build: {left}"


@pytest.mark.kicad
def test_ctrl_c_stops_a_command_that_runs_in_one_process(tmp_path):
    """`wattcad check` runs kicad-cli in its own process: Ctrl-C ends both, exit 130."""
    project = tmp_path / "StickHub"
    shutil.copytree(DEMO, project)
    log = tmp_path / "check.log"
    proc = subprocess.Popen([sys.executable, "-m", "wattcad", "check", str(project), "--out", str(tmp_path / "r")],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any("kicad-cli" in p for p in _session_processes(proc.pid)):  # wait until a tool is running
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=30) == 130, log.read_text()
    assert "interrupted by SIGINT" in log.read_text()
    assert not _gone(proc.pid, 5)
    assert not list(tmp_path.glob("r/wattcad-check.*"))  # no report of a check that did not finish
