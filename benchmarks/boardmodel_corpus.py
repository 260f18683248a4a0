"""Survey: what the enclosure would be built around, on a folder of real boards (the PCBench corpus):
each board read into a BoardModel as `wattcad enclosure` reads it; prints the boards refused (and
why), those whose outline was not one closed outline (its bounding box stands for it), and the
footprints with pads that got a body, from their pads, or none by kind. A fit is only as good as its
bodies: no footprint with pads is left without a body or a named exemption.
Run: .venv/bin/python benchmarks/boardmodel_corpus.py FOLDER"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from wattcad.core.errors import WattcadError
from wattcad.kicad.board_io import current_format_copy
from wattcad.kicad.boardmodel_reader import read_board_model_report


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if folder is None or not folder.is_dir():
        sys.exit(__doc__)
    started = time.perf_counter()
    boards = sorted(folder.glob("*.kicad_pcb"))
    refused, boxed, totals = [], [], [0, 0, 0]
    for board in boards:
        with tempfile.TemporaryDirectory(prefix="wattcad-model-") as scratch:
            try:
                copy, _ = current_format_copy(board, Path(scratch))
                model, notes = read_board_model_report(copy)
            except WattcadError as exc:
                refused.append(f"{board.name}: {exc}")
                continue
        if any("bounding box stands for" in n for n in notes):
            boxed.append(board.name)
        m = re.search(r"bodies for (\d+) of the (\d+) footprints with pads(?: \((\d+) from their pads)?", notes[-1])
        totals[0] += int(m[1])
        totals[1] += int(m[2])
        totals[2] += int(m[3] or 0)
    print(f"{len(boards)} boards in {time.perf_counter() - started:.0f} s: {len(refused)} refused, {len(boxed)} read by the "
          f"bounding box of Edge.Cuts; footprints with pads: {totals[1]}, with a body: {totals[0]} ({totals[2]} from their "
          f"pads), exempt by kind: {totals[1] - totals[0]}")
    for line in refused:
        print(f"  refused: {line}")
    for name in boxed:
        print(f"  outline by its bounding box: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
