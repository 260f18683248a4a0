"""Survey: `wattcad enclosure` on every board of a folder (the PCBench corpus): each board, upgraded by
KiCad into a scratch folder, gets an enclosure built around it with its fit check (no pictures), two
boards at a time. Prints the boards that got an enclosure, that fit, that were refused (and why),
and the time. Run: .venv/bin/python benchmarks/enclosure_corpus.py FOLDER [--jobs N]"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def one(board: str) -> tuple[str, str, str, float]:
    """(board, made | refused | failed, what, seconds)."""
    from wattcad.core.errors import WattcadError
    from wattcad.enclosure_job import build_enclosure
    from wattcad.kicad.board_io import current_format_copy

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wattcad-enc-") as scratch:
        try:
            copy, _ = current_format_copy(Path(board), Path(scratch))
            fit = build_enclosure(copy, Path(scratch) / "enclosure", views=False).fit
        except WattcadError as exc:
            return Path(board).name, "refused", str(exc).split(": ", 1)[-1], time.perf_counter() - started
        except Exception as exc:  # noqa: BLE001 - a survey names every failure and goes on
            return Path(board).name, "failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - started
    return Path(board).name, "made", "fits" if fit["fits"] else f"does not fit: {fit['collisions'][:1]}", \
        time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    boards = sorted(str(b) for b in args.folder.glob("*.kicad_pcb"))
    if not boards:
        sys.exit(f"{args.folder}: no .kicad_pcb files")
    started = time.perf_counter()
    results = []
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for i, result in enumerate(pool.imap(one, boards, chunksize=1), 1):
            results.append(result)
            print(f"[{i}/{len(boards)}] {result[0]}: {result[1]} {result[2][:80]} ({result[3]:.0f} s)", file=sys.stderr, flush=True)
    kinds = Counter(r[1] for r in results)
    fits = sum(r[1] == "made" and r[2] == "fits" for r in results)
    print(f"{len(boards)} boards in {time.perf_counter() - started:.0f} s ({args.jobs} at a time): {kinds['made']} got an "
          f"enclosure ({fits} fit), {kinds['refused']} refused, {kinds['failed']} failed")
    for name, kind, what, seconds in results:
        if kind != "made" or what != "fits":
            print(f"  {kind}: {name}: {what[:200]} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
