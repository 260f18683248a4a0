"""Mutation benchmark: each class of footprint defect the verifier must call an error, injected into
the footprints of real boards that match a package (a spec, or a name with dimensions), one at a
time, and counted caught (an error finding on that part) or missed:
- pitch: the lands of a fine-pitch part (0.65 mm or less) spread 30 % (0.5 mm -> 0.65 mm); on a
  coarse pitch (a SOT-23's 0.95 mm) a 30 % spread leaves the leads half on their lands, which solders;
- row shift: the row holding the highest-numbered lead moved one pitch along itself;
- overlap: pad 2 moved onto pad 1, the two on different nets;
- off terminals: every land moved 1 mm further out from the part's centre than its own length;
- 5x5 under 6x6: KiCad's QFN-40 5 x 5 mm footprint placed for an ADE7816 (the mistake wattcad
  comes from), read from KiCad's own library.
Run: .venv/bin/python benchmarks/verify_mutations.py FOLDER (a folder of .kicad_pcb, e.g. the corpus)"""
from __future__ import annotations

import copy
import math
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from wattcad.checks.footprints import host_board_reader
from wattcad.footprints.model import read_kicad_mod
from wattcad.footprints.spec import find_spec, match_spec
from wattcad.footprints.verify import board_footprints, verify_footprint

STOCK_5X5 = Path("/usr/share/kicad/footprints/Package_DFN_QFN.pretty/QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm.kicad_mod")


def _lands(fp):
    return [p for p in fp.pads if p.number and p.is_copper]


def _centre(pads):
    return statistics.fmean(p.x_mm for p in pads), statistics.fmean(p.y_mm for p in pads)


def _pitch(pads) -> float:
    return min(math.hypot(a.x_mm - b.x_mm, a.y_mm - b.y_mm) for a in pads for b in pads if a is not b)


def spread(fp) -> bool:
    pads = _lands(fp)
    if len(pads) < 3 or _pitch(pads) > 0.65 + 1e-6:
        return False
    cx, cy = _centre(pads)
    for p in pads:
        p.x_mm, p.y_mm = cx + (p.x_mm - cx) * 1.3, cy + (p.y_mm - cy) * 1.3
    return True


def _leads(fp):
    """The lands of the part's leads: numbered once each (an exposed pad's vias share its number) and
    not the largest land (the exposed pad)."""
    pads = _lands(fp)
    count = Counter(p.number for p in pads)
    biggest = max(p.w_mm * p.h_mm for p in pads)
    return [p for p in pads if count[p.number] == 1 and p.w_mm * p.h_mm < biggest - 1e-6] or pads


def shift_row(fp) -> bool:
    leads = _leads(fp)
    if len(leads) < 3:
        return False
    last = max(leads, key=lambda p: (len(p.number), p.number))
    by_x = [p for p in leads if abs(p.x_mm - last.x_mm) < 0.05]
    by_y = [p for p in leads if abs(p.y_mm - last.y_mm) < 0.05]
    row = by_x if len(by_x) >= len(by_y) else by_y
    if len(row) == 1:  # a row of one (a SOT-23's pin 3) runs as the other rows do
        others = [p for p in leads if p is not last]
        along_y = statistics.pstdev(p.y_mm for p in others) > statistics.pstdev(p.x_mm for p in others)
    else:
        along_y = row is by_x
    step = _pitch(leads)
    for p in row:
        if along_y:
            p.y_mm += step
        else:
            p.x_mm += step
    return True


def overlap(fp) -> bool:
    pads = {p.number: p for p in _lands(fp)}
    if "1" not in pads or "2" not in pads:
        return False
    pads["2"].x_mm, pads["2"].y_mm = pads["1"].x_mm + 0.1, pads["1"].y_mm
    pads["1"].net, pads["2"].net = "NET_A", "NET_B"
    return True


def off_terminals(fp) -> bool:
    pads = _lands(fp)
    cx, cy = _centre(pads)
    for p in pads:
        dx, dy = p.x_mm - cx, p.y_mm - cy
        d = math.hypot(dx, dy) or 1.0
        push = 1.0 + max(p.w_mm, p.h_mm)
        p.x_mm, p.y_mm = p.x_mm + dx / d * push, p.y_mm + dy / d * push
    return True


MUTATIONS = {"pitch": spread, "row shift": shift_row, "overlap": overlap, "off terminals": off_terminals}


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if folder is None or not folder.is_dir():
        sys.exit(__doc__)
    started = time.perf_counter()
    tried, caught, missed = Counter(), Counter(), []
    for board in sorted(folder.glob("*.kicad_pcb")):
        with tempfile.TemporaryDirectory(prefix="wattcad-mutate-") as scratch:
            copy_path, _ = host_board_reader(Path(scratch))(board, force=True)
            fps = board_footprints(board, copy_path)
        for fp in fps:
            spec, _ = match_spec(fp.value, fp.name, fp.fields)
            clean = verify_footprint(fp, spec)
            if not clean.matched or clean.status == "fail":
                continue
            for name, mutate in MUTATIONS.items():
                bad = copy.deepcopy(fp)
                if not mutate(bad):
                    continue
                tried[name] += 1
                if verify_footprint(bad, spec).status == "fail":
                    caught[name] += 1
                else:
                    missed.append(f"{name}: {board.name} {fp.reference} {fp.name}")
        if STOCK_5X5.is_file():  # the mistake wattcad comes from, as a part of this board
            seed = read_kicad_mod(STOCK_5X5)
            seed.reference, seed.value = "U999", "ADE7816"
            spec, _ = match_spec(seed.value, seed.name, seed.fields)
            tried["5x5 under 6x6"] += 1
            report = verify_footprint(seed, spec or find_spec("ade7816"))
            if report.status == "fail" and report.reference == "U999":
                caught["5x5 under 6x6"] += 1
            else:
                missed.append(f"5x5 under 6x6: {board.name}")
    print(f"{sum(tried.values())} injected defects in {time.perf_counter() - started:.0f} s:")
    for name in [*MUTATIONS, "5x5 under 6x6"]:
        share = caught[name] / tried[name] if tried[name] else 0.0
        print(f"  {name:14s} caught {caught[name]} of {tried[name]} ({share:.0%})")
    for line in missed[:40]:
        print(f"  missed: {line}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
