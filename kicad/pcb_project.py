"""The boards of the project: the source boards kept in the repository (kicad/boards/), brought up
to date from the schematic, then copied into build/ beside the schematic for DRC, parity and
pictures. The source board is what a person opens in KiCad; the build never deletes it."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wattcad.errors import WattcadError
from wattcad.fileio import write_atomic

from .board import BoardChange, build_or_update_board
from .drc import DrcResult, run_drc
from .netlist import export_kicad_netlist, parse_netlist
from .params import BoardParams

BOARDS_DIR = Path(__file__).resolve().parent / "boards"
VARIANTS = ("rect", "round")


class DrcFailed(WattcadError):
    exit_code = 1


@dataclass
class BoardResult:
    variant: str
    source: Path
    project_dir: Path
    board: Path
    change: BoardChange
    drc: DrcResult
    renders: list[Path]


def board_file_name(name: str, variant: str) -> str:
    return f"{name}.kicad_pcb" if variant == "rect" else f"{name}-round.kicad_pcb"


def _render(board: Path, out_dir: Path, stem: str) -> list[Path]:
    # "basic" quality: the raytraced "high" one differs from run to run, and outputs must not.
    views = {"top": ["--side", "top"], "iso": ["--rotate", "-50,0,35", "--zoom", "0.9"]}
    made = []
    for view, args in views.items():
        png = out_dir / f"{stem}-{view}.png"
        proc = subprocess.run(["kicad-cli", "pcb", "render", "-o", str(png), "--width", "1200", "--height", "900",
                               "--background", "opaque", "--quality", "basic", *args, str(board)],
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not png.exists():
            raise DrcFailed(f"kicad-cli pcb render failed for {board.name}: {proc.stderr.strip()}")
        made.append(png)
    return made


def build_boards(params: BoardParams, schematic_dir: Path, build_root: Path, boards_dir: Path = BOARDS_DIR,
                 variants: tuple[str, ...] = VARIANTS, render: bool = True) -> list[BoardResult]:
    name = params.name
    with tempfile.TemporaryDirectory() as tmp:
        netlist = parse_netlist(export_kicad_netlist(schematic_dir / f"{name}.kicad_sch", Path(tmp) / f"{name}.net"))
    results = []
    for variant in variants:
        source = boards_dir / board_file_name(name, variant)
        change = build_or_update_board(source, netlist, variant, params.pcb, schematic_dir)
        project_dir = schematic_dir if variant == "rect" else build_root / f"{name}-{variant}"
        if project_dir != schematic_dir:
            # The same schematic beside every board: parity needs the schematic of the board's name.
            if project_dir.exists():
                shutil.rmtree(project_dir)
            shutil.copytree(schematic_dir, project_dir, ignore=shutil.ignore_patterns(f"{name}.kicad_pcb", f"{name}-*.png",
                                                                                          f"{name}-drc.json"))
        board = project_dir / f"{name}.kicad_pcb"
        for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
            shutil.copy2(source.with_suffix(suffix), board.with_suffix(suffix))
        drc = run_drc(board, params.pcb["rules"])
        write_atomic(project_dir / f"{name}-drc.json", json.dumps(drc.to_json(), indent=2, sort_keys=True) + "\n")
        renders = _render(board, project_dir, f"{name}-board") if render else []
        results.append(BoardResult(variant, source, project_dir, board, change, drc, renders))
    return results
