"""pcbnew as KiCad 9 and KiCad 10 give it: every wattcad module imports pcbnew from here, so the two
releases' differences live in one place (docs/kicad-versions.md lists them).

- KiCad 10's SWIG wrappers (Debian's 10.0.6 on Python 3.14) walk a board's tracks, drawings and
  footprints with `iterator().next()`, a method its SwigPyIterator no longer has (only `__next__`):
  `board.GetTracks()` raises AttributeError. The missing name is given back, nothing else changes.
- FOOTPRINT.GetFieldByName (KiCad 9) is FOOTPRINT.GetField(name) in KiCad 10.
- ZONE.SetDoNotAllowCopperPour (KiCad 9) is ZONE.SetDoNotAllowZoneFills in KiCad 10.
- BOARD.GetBoardPolygonOutlines takes a new second argument in KiCad 10 (infer an outline from the
  board's extent when Edge.Cuts holds none), which KiCad 9 always did."""
from __future__ import annotations

import inspect

import pcbnew

if hasattr(pcbnew, "SwigPyIterator") and not hasattr(pcbnew.SwigPyIterator, "next"):
    pcbnew.SwigPyIterator.next = pcbnew.SwigPyIterator.__next__

_OUTLINE_TAKES_INFER = "aInferOutlineIfNecessary" in inspect.signature(pcbnew.BOARD.GetBoardPolygonOutlines).parameters


def footprint_field(footprint, name: str):
    """The footprint's field NAME (None when it has none)."""
    if hasattr(footprint, "GetFieldByName"):
        return footprint.GetFieldByName(name)
    return footprint.GetField(name) if footprint.HasField(name) else None


def set_zone_fills_allowed(zone, allowed: bool) -> None:
    """A rule area's "no zone fills" flag, off when ALLOWED."""
    setter = getattr(zone, "SetDoNotAllowZoneFills", None) or zone.SetDoNotAllowCopperPour
    setter(not allowed)


def board_outlines(board, polys) -> bool:
    """Fill POLYS with the board's outlines, as KiCad 9 does (inferred from the extent when Edge.Cuts is empty)."""
    if _OUTLINE_TAKES_INFER:
        return board.GetBoardPolygonOutlines(polys, True)
    return board.GetBoardPolygonOutlines(polys)


__all__ = ["board_outlines", "footprint_field", "pcbnew", "set_zone_fills_allowed"]
