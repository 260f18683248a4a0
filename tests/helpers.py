"""Shared test helpers: build real KiCad boards with pcbnew."""
from __future__ import annotations

from pathlib import Path


def board_with_footprints(path: Path, parts: list[tuple[str, str, Path, str]]) -> Path:
    """Save a board holding (reference, value, library folder, footprint name) parts, via pcbnew."""
    import pcbnew

    board = pcbnew.BOARD()
    for i, (ref, value, lib, name) in enumerate(parts):
        fp = pcbnew.FootprintLoad(str(lib), name)
        assert fp is not None, f"{lib}/{name} did not load"
        fp.SetReference(ref)
        fp.SetValue(value)
        fp.SetPosition(pcbnew.VECTOR2I(pcbnew.FromMM(20 + 15 * i), pcbnew.FromMM(20)))
        board.Add(fp)
    pcbnew.SaveBoard(str(path), board)
    return path
