"""The boards of the project: the source boards kept in the repository (examples/ade7816/boards/), brought up
to date from the schematic, then copied into build/ beside the schematic for DRC, parity and
pictures. The source board is what a person opens in KiCad; the build never deletes it."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wattcad.core.errors import WattcadError
from wattcad.core.fileio import write_atomic
from wattcad.core.processes import tool_kwargs
from wattcad.core.reproducible import normalise_glb, normalise_step
from wattcad.kicad.drc import DrcResult, run_drc
from wattcad.kicad.kicad_cli import run_kicad_cli
from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist
from wattcad.kicad.route import route_board
from wattcad.kicad.versions import MODEL_DIR_VARIABLE, model_dir_defines

from .board import BoardChange, build_or_update_board
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


MODELS_DIR = "3dmodels"  # beside the project: stands in for KiCad's 3D-model folder (any release's variable)


def write_3d_models(board: Path, project_dir: Path) -> list[Path]:
    """A STEP body for every footprint on the board (stock ones under 3dmodels/<Lib>.3dshapes,
    wattcad's own under wattcad.3dshapes), where the footprints' model paths look for them."""
    from wattcad.enclosure.bodies import write_body_step
    from wattcad.footprints.spec import spec_for_part
    from wattcad.footprints.verify import board_footprints
    from wattcad.kicad.boardmodel_reader import body_height

    written, seen = [], set()
    for fp in board_footprints(board):
        key = f"{fp.library}:{fp.name}"
        if key in seen or not fp.model_path:
            continue
        seen.add(key)
        spec = spec_for_part(fp.value, fp.name)
        tht = any(p.kind == "thru_hole" for p in fp.pads)
        height = body_height(spec, tht, fp.name)
        if fp.value == "MountingHole" or fp.layer_bbox(".Fab") is None:
            continue
        path = MODEL_DIR_VARIABLE.sub(str(project_dir / MODELS_DIR), fp.model_path).replace("${KIPRJMOD}", str(project_dir))
        made = write_body_step(fp, height, Path(path), spec)  # the spec's shape where it has one, else a box
        if made is not None:
            normalise_step(made)
            written.append(made)
    return written


def models_from_project(project_file: Path) -> None:
    """Point KiCad's 3D-model variables at the project's own 3dmodels/ (project text variables, which
    KiCad resolves before the environment): KiCad's 3D viewer then shows the bodies write_3d_models
    drew, not nothing where KiCad's 3D library is not installed."""
    data = json.loads(project_file.read_text(encoding="utf-8"))
    variables = data.setdefault("text_variables", {})
    for major in (9, 10):
        variables[f"KICAD{major}_3DMODEL_DIR"] = f"${{KIPRJMOD}}/{MODELS_DIR}"
    write_atomic(project_file, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _kicad_vars(project_dir: Path) -> list[str]:
    return model_dir_defines(project_dir / MODELS_DIR)


def export_3d(board: Path, project_dir: Path, stem: str) -> list[Path]:
    """The board with its bodies as STEP (for CAD) and GLB with every layer (the one Blender reads)."""
    from wattcad.render_job import export_board_glb

    step = project_dir / f"{stem}.step"
    proc = run_kicad_cli(["pcb", "export", "step", *_kicad_vars(project_dir), "--subst-models", "--force",
                          "-o", str(step), str(board)], f"exporting the STEP of {board.name}", timeout_s=600)
    if not step.exists():
        raise DrcFailed(f"kicad-cli pcb export step failed for {board.name}: {proc.stderr.strip()[-400:]}")
    normalise_step(step)
    glb = export_board_glb(board, project_dir / f"{stem}.glb", project_dir / MODELS_DIR, failed=DrcFailed).path
    normalise_glb(glb)
    return [step, glb]


def _render(board: Path, out_dir: Path, stem: str) -> list[Path]:
    # "basic" quality: the raytraced "high" one differs from run to run, and outputs must not.
    views = {"top": ["--side", "top"], "iso": ["--rotate", "-50,0,35", "--zoom", "0.9"]}
    made = []
    for view, args in views.items():
        png = out_dir / f"{stem}-{view}.png"
        proc = run_kicad_cli(["pcb", "render", *_kicad_vars(out_dir), "-o", str(png), "--width", "1200",
                              "--height", "900", "--background", "opaque", "--quality", "basic", *args, str(board)],
                             f"rendering the {view} view of {board.name}", timeout_s=600)
        if not png.exists():
            raise DrcFailed(f"kicad-cli pcb render failed for {board.name}: {proc.stderr.strip()}")
        made.append(png)
    return made


def copper_pictures(board: Path, out_dir: Path, stem: str, dpi: int = 200) -> list[Path]:
    """The top and bottom copper with the outline (both as seen from the top), cropped to the board:
    the routing at a glance. kicad-cli plots each layer to PDF, poppler rasterises it."""
    from PIL import Image, ImageOps

    made = []
    with tempfile.TemporaryDirectory(prefix="wattcad-copper-") as tmp:
        for layer, side in (("F.Cu", "top"), ("B.Cu", "bottom")):
            pdf, stem_png = Path(tmp) / f"{side}.pdf", Path(tmp) / side
            run_kicad_cli(["pcb", "export", "pdf", *_kicad_vars(out_dir), "--layers", f"{layer},Edge.Cuts",
                           "--mode-single", "-o", str(pdf), str(board)], f"plotting {layer} of {board.name} to PDF",
                          timeout_s=300)
            cmd = ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(stem_png)]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **tool_kwargs())
            if proc.returncode != 0:
                raise DrcFailed(f"{cmd[0]} failed on {board.name} ({layer}): {proc.stderr.strip()[-300:]}")
            image = Image.open(stem_png.with_suffix(".png")).convert("RGB")
            box = ImageOps.invert(image.convert("L")).getbbox()
            if box:
                margin = dpi // 10
                image = image.crop((max(box[0] - margin, 0), max(box[1] - margin, 0), min(box[2] + margin, image.width),
                                    min(box[3] + margin, image.height)))
            png = out_dir / f"{stem}-copper-{side}.png"
            image.save(png, optimize=True)
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
        change = build_or_update_board(source, netlist, variant, params.pcb, schematic_dir, params.path)
        if change.circuit_changed:
            # The tracks stay; what the change left unrouted is routed, and kept when it is better.
            routed = route_board(source, write_improvement=True, backup=False)  # the update made the .bak
            change.rerouted = (f"re-routed what the change left unrouted: {routed.routed} connections made, "
                               f"{routed.unconnected_after} still unrouted" +
                               ("" if routed.written else f", not kept ({len(routed.drc_errors)} DRC errors)"))
        project_dir = schematic_dir if variant == "rect" else build_root / f"{name}-{variant}"
        if project_dir != schematic_dir:
            # The same schematic beside every board: parity needs the schematic of the board's name.
            # Not the first board's own outputs (its board files, fab, enclosure, renders, check
            # reports): a step of this board that fails or is skipped must not leave the other's.
            # Copied over, not wiped first: this board's enclosure may be built meanwhile (build runs
            # steps side by side).
            shutil.copytree(schematic_dir, project_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
                f"{name}.kicad_pcb", f"{name}-board*", f"{name}-drc.json", "fab", "enclosure", "renders",
                "wattcad-check.*", "3dmodels"))
        board = project_dir / f"{name}.kicad_pcb"
        for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
            shutil.copy2(source.with_suffix(suffix), board.with_suffix(suffix))
        drc = run_drc(board, params.pcb["rules"])
        write_atomic(project_dir / f"{name}-drc.json", json.dumps(drc.to_json(), indent=2, sort_keys=True) + "\n")
        write_3d_models(board, project_dir)
        models_from_project(board.with_suffix(".kicad_pro"))
        renders = copper_pictures(board, project_dir, f"{name}-board") + \
            ((_render(board, project_dir, f"{name}-board") + export_3d(board, project_dir, f"{name}-board")) if render else [])
        results.append(BoardResult(variant, source, project_dir, board, change, drc, renders))
    return results
