"""Measurement: how closely each ADE7816 input's P and N tracks run together on the routed boards
(the router draws a pair's second track beside the first: wattcad/router.py, PAIR_FACTOR). For each
pair, the share of the P net's track length lying within COUPLED_MM (centre to centre, same layer)
of an N track, and the other way round.
Run: .venv/bin/python benchmarks/pairs.py"""
from __future__ import annotations

import math
from pathlib import Path

import pcbnew

REPO = Path(__file__).resolve().parents[1]
PAIRS = (("/IAP", "/IAN"), ("/IBP", "/IBN"), ("/ICP", "/ICN"), ("/VP", "/VN"))
COUPLED_MM = 1.0  # two 0.2 mm tracks at 0.25 mm analog clearance sit 0.45 mm apart; 1 mm is loose
STEP_MM = 0.05


def _segments(board, net: str) -> list[tuple[int, tuple, tuple]]:
    out = []
    for t in board.GetTracks():
        if t.GetClass() == "PCB_TRACK" and t.GetNetname() == net:
            out.append((t.GetLayer(), (pcbnew.ToMM(t.GetStart().x), pcbnew.ToMM(t.GetStart().y)),
                        (pcbnew.ToMM(t.GetEnd().x), pcbnew.ToMM(t.GetEnd().y))))
    return out


def _distance(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def coupled(ours, theirs) -> tuple[float, float]:
    """(total length, length within COUPLED_MM of THEIRS on the same layer), millimetres."""
    total = near = 0.0
    for layer, a, b in ours:
        length = math.dist(a, b)
        steps = max(1, int(length / STEP_MM))
        for k in range(steps):
            f = (k + 0.5) / steps
            p = (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
            if any(lay == layer and _distance(p, c, d) <= COUPLED_MM for lay, c, d in theirs):
                near += length / steps
        total += length
    return total, near


def main() -> None:
    for name in ("wattcad-ade7816", "wattcad-ade7816-round"):
        board = pcbnew.LoadBoard(str(REPO / "kicad" / "boards" / f"{name}.kicad_pcb"))
        print(f"{name}: P/N tracks within {COUPLED_MM} mm of each other")
        for p, n in PAIRS:
            sp, sn = _segments(board, p), _segments(board, n)
            tp, np_ = coupled(sp, sn)
            tn, nn = coupled(sn, sp)
            share = (np_ + nn) / (tp + tn) if tp + tn else 0.0
            print(f"  {p[1:]}/{n[1:]}: {tp:.1f} mm and {tn:.1f} mm of track, {share:.0%} side by side")


if __name__ == "__main__":
    main()
