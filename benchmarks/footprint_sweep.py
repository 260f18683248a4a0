"""Benchmark: the whole-library sweep (every QFN/DFN/LFCSP/SON footprint of KiCad 9 checked against
its name; then every footprint, `--all`), with 1 worker and with all cores, plus generation of the
project library.
Run: .venv/bin/python benchmarks/footprint_sweep.py   (or `make bench`)"""
from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time

from wattcad.footprints.generate import write_library
from wattcad.footprints.spec import builtin_specs
from wattcad.footprints.sweep import DEFAULT_LIBDIR, all_files, no_lead_files, sweep


def timed(fn, repeat=3):
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t)
    return min(runs), statistics.median(runs), result


def main() -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   platform.processor())
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    n = len(no_lead_files(DEFAULT_LIBDIR))
    for jobs in (1, os.cpu_count() or 1):
        best, median, reports = timed(lambda: sweep(DEFAULT_LIBDIR, jobs=jobs))  # noqa: B023 - called at once
        print(f"sweep, {jobs} worker(s): {n} footprints in {best:.2f} s (median {median:.2f} s), "
              f"{best / n * 1000:.2f} ms per footprint; {sum(r.status in ('fail', 'error') for r in reports)} inconsistent")
    every = len(all_files(DEFAULT_LIBDIR))
    for jobs in (1, os.cpu_count() or 1):
        best, median, reports = timed(lambda: sweep(DEFAULT_LIBDIR, jobs=jobs, every_footprint=True), repeat=1)  # noqa: B023
        print(f"sweep --all, {jobs} worker(s): {every} footprints in {best:.1f} s, {best / every * 1000:.2f} ms per "
              f"footprint; {sum(r.status in ('fail', 'error') for r in reports)} failing")
    with tempfile.TemporaryDirectory() as tmp:
        best, median, files = timed(lambda: write_library(list(builtin_specs()), tmp))
        print(f"generate project library: {len(files) - 1} footprints in {best * 1000:.1f} ms (median {median * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
