"""Loading and saving boards through pcbnew: clear errors, a backup before any write, atomic writes."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from wattcad.core.errors import InputError, MissingToolError

from .pcbnew_compat import board_outlines, pcbnew
from .versions import BOARD_FORMATS, release_of, too_new


def load_board(path: str | Path) -> pcbnew.BOARD:
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "board file not found")
    head = path.read_text(encoding="utf-8", errors="replace")[:200].lstrip()
    if not head.startswith("(kicad_pcb"):
        raise InputError(path, None, "not a KiCad board (no top-level 'kicad_pcb')")
    newer = too_new(path, kicad_major())
    if newer:  # the missing tool is the KiCad that saved it (exit 3), not a broken file
        raise MissingToolError(f"{newer}; this machine's pcbnew is KiCad {kicad_version()}, which cannot read it")
    # KiCad's own parser decides what it accepts (some boards KiCad ships carry stray trailing
    # expressions); a file it cannot read, truncated say, comes back as an error or as None.
    try:
        board = pcbnew.LoadBoard(str(path))
    except Exception as exc:  # pcbnew raises its own IO_ERROR types
        raise InputError(path, None, f"KiCad could not load the board: {exc}") from None
    if board is None:
        raise InputError(path, None, "KiCad could not load the board (corrupt or truncated?)")
    return board


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def save_board(board: pcbnew.BOARD, path: str | Path, backup: bool = True) -> Path:
    """Write the board to PATH atomically; an existing PATH is first copied to PATH.bak."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if backup and path.exists():
        shutil.copy2(path, backup_path(path))
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", dir=path.parent))
    try:
        tmp = tmp_dir / path.name
        if not pcbnew.SaveBoard(str(tmp), board):
            raise InputError(path, None, "KiCad could not save the board")
        # SaveBoard also writes the project file (design rules, net classes) beside the board.
        for suffix in (".kicad_pro", ".kicad_prl"):
            written = tmp.with_suffix(suffix)
            if written.exists():
                os.replace(written, path.with_suffix(suffix))
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return path


def board_format(path: Path) -> tuple[int | None, str]:
    """The board's format version and the KiCad release that wrote it when that is older than KiCad
    9 ('' for KiCad 9's and newer formats, which KiCad 9 and 10 check as they are)."""
    head = Path(path).read_text(encoding="utf-8", errors="replace")[:400]
    m = re.search(r"\(version\s+(\d+)\)", head)
    if not m:
        return None, ""
    version = int(m.group(1))
    return version, release_of(version, BOARD_FORMATS) if version <= BOARD_FORMATS[8] else ""


def kicad_version() -> str:
    """This KiCad's release, e.g. 9.0.8."""
    return pcbnew.Version().split("-")[0]


def kicad_major() -> int:
    """This pcbnew's major release (9, 10)."""
    return int(kicad_version().split(".")[0])


def current_format_copy(path: str | Path, scratch_dir: Path) -> tuple[Path, str]:
    """The board as this KiCad writes it, in SCRATCH_DIR (the user's file is never touched), and a
    note saying so when it was upgraded from an older format ('' when it was current)."""
    path = Path(path)
    version, release = board_format(path) if path.is_file() else (None, "")
    board = load_board(path)
    copy = Path(scratch_dir) / path.name
    if not pcbnew.SaveBoard(str(copy), board):
        raise InputError(path, None, "KiCad could not write an upgraded copy of the board")
    note = (f"read through KiCad {kicad_version()}: a scratch copy upgraded from the {release} "
            f"format (version {version})") if release else ""
    return copy, note


def read_outline(board, path: Path) -> tuple[list, list, str]:
    """(outline, cutouts, note) as KiCad reads Edge.Cuts: its closed outline (arcs, circles, polygons,
    curves, footprints' edges); where there is none, the bounding box of the edge drawings, as KiCad's
    3D viewer falls back to it, and a note saying so. The one outline reader of every command."""
    to_mm = pcbnew.ToMM
    polys = pcbnew.SHAPE_POLY_SET()
    if board_outlines(board, polys) and polys.OutlineCount():
        largest = max(range(polys.OutlineCount()), key=lambda i: abs(polys.Outline(i).Area()))
        ring = polys.Outline(largest)
        outline = [(round(to_mm(ring.CPoint(i).x), 4), round(to_mm(ring.CPoint(i).y), 4)) for i in range(ring.PointCount())]
        cutouts = [[(round(to_mm(h.CPoint(i).x), 4), round(to_mm(h.CPoint(i).y), 4)) for i in range(h.PointCount())]
                   for h in (polys.Hole(largest, k) for k in range(polys.HoleCount(largest)))]
        return outline, cutouts, ""
    box = board.GetBoardEdgesBoundingBox()
    if box.GetWidth() <= 0 or box.GetHeight() <= 0:
        raise InputError(path, "Edge.Cuts", "the board has no outline: nothing is drawn on Edge.Cuts")
    x0, y0, x1, y1 = (round(to_mm(v), 4) for v in (box.GetLeft(), box.GetTop(), box.GetRight(), box.GetBottom()))
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], [], (
        "Edge.Cuts is not one closed outline: its bounding box stands for the board, as in KiCad's 3D viewer")


def edge_strokes(board) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Every Edge.Cuts and Margin drawing (the board's and its footprints') as straight segments in mm,
    arcs and circles as KiCad approximates them: what KiCad's copper_edge_clearance measures to
    (it counts the Margin layer as an edge too: 106 errors on Hornbill-ESP32 before it was read),
    closed outline or not. Sorted, so a board reads the same every time."""
    to_mm = pcbnew.ToMM
    edges = (pcbnew.Edge_Cuts, pcbnew.Margin)
    shapes = [d for d in board.GetDrawings() if d.GetLayer() in edges and d.GetClass() == "PCB_SHAPE"]
    for fp in board.GetFootprints():
        shapes += [d for d in fp.GraphicalItems() if d.GetLayer() in edges and d.GetClass() == "PCB_SHAPE"]
    segments = set()
    for shape in shapes:
        if shape.GetShape() == pcbnew.SHAPE_T_SEGMENT:
            a, b = shape.GetStart(), shape.GetEnd()
            segments.add(((round(to_mm(a.x), 4), round(to_mm(a.y), 4)), (round(to_mm(b.x), 4), round(to_mm(b.y), 4))))
            continue
        polys = pcbnew.SHAPE_POLY_SET()  # the stroke's outline: its sides stand for the line, within half its width
        shape.TransformShapeToPolygon(polys, shape.GetLayer(), 0, pcbnew.FromMM(0.005), pcbnew.ERROR_INSIDE)
        for o in range(polys.OutlineCount()):
            rings = [polys.Outline(o)] + [polys.Hole(o, h) for h in range(polys.HoleCount(o))]
            for ring in rings:
                pts = [(round(to_mm(ring.CPoint(i).x), 4), round(to_mm(ring.CPoint(i).y), 4)) for i in range(ring.PointCount())]
                segments.update(zip(pts, pts[1:] + pts[:1]))
    return sorted(segments)
