"""Measurement: how closely each ADE7816 input's P and N tracks run together on the routed boards
(the router draws a pair's second track beside the first: wattcad/core/router.py, PAIR_FACTOR). For each
differential pair (KiCad's naming: /IAP and /IAN), the share of the pair's track length that lies
within COUPLED_MM (centre to centre, same layer) of the other net's track; `wattcad route` prints
the same figures after routing.
Run: .venv/bin/python benchmarks/pairs.py"""
from __future__ import annotations

from pathlib import Path

from wattcad.core.router import pair_shares
from wattcad.kicad.pcbnew_compat import pcbnew
from wattcad.kicad.route import board_tracks

REPO = Path(__file__).resolve().parents[1]
COUPLED_MM = 1.0  # two 0.2 mm tracks at 0.25 mm analog clearance sit 0.45 mm apart; 1 mm is loose


def main() -> None:
    for name in ("wattcad-ade7816", "wattcad-ade7816-round"):
        board = pcbnew.LoadBoard(str(REPO / "examples" / "ade7816" / "boards" / f"{name}.kicad_pcb"))
        tracks = board_tracks(board)
        print(f"{name}: P/N tracks within {COUPLED_MM} mm of each other")
        for (p, n), share in sorted(pair_shares(tracks, COUPLED_MM).items()):
            length = sum(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for net in (p, n) for _, a, b in tracks[net])
            print(f"  {p.lstrip('/')}/{n.lstrip('/')}: {length:.1f} mm of track, {share:.0%} side by side")


if __name__ == "__main__":
    main()
