"""Benchmark: the build's Blender pictures beside `kicad-cli pcb render --quality high` of the same
board at the same size, in one run. For each board: the build's pictures rendered as the build
renders them (one Blender process, the board imported once, from the board step's GLB), each
picture's own seconds (scene and Cycles, as Blender reports it) plus an equal share of what the
process spends outside the pictures (start, board import, GIF); then kicad-cli at each size.
The ratio is Blender's cost of a picture over kicad-cli's; a turntable frame is compared with a
kicad-cli render at the frame's size.
Run: .venv/bin/python benchmarks/render.py [--final]"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wattcad.ade7816.pcb_project import BOARDS_DIR, board_file_name, write_3d_models
from wattcad.ade7816.pipeline import TURNTABLE, VARIANTS, VIEWS
from wattcad.blender.kicad_export import export_glb
from wattcad.enclosure_job import build_enclosure
from wattcad.kicad.versions import model_dir_defines
from wattcad.pipeline.outputs.render import pictures_of
from wattcad.render_job import Picture, render_pictures

NAME = "wattcad-ade7816"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   platform.processor())
    kicad = subprocess.run(["kicad-cli", "version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, KiCad {kicad}"


def kicad_cli_high(board: Path, models: Path, size: tuple[int, int], out: Path) -> float:
    cmd = ["kicad-cli", "pcb", "render", *model_dir_defines(models), "-o", str(out),
           "--width", str(size[0]), "--height", str(size[1]), "--quality", "high", "--rotate", "-50,0,35", str(board)]
    started = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - started


def board_pictures(variant: str, out_dir: Path, final: bool) -> list[Picture]:
    stills, turn = pictures_of(VIEWS[variant], TURNTABLE.get(variant), final)
    pictures = [Picture(out_dir / f"{variant}-{view}.png", view, size, samples, style, preview=not final)
                for view, style, size, samples in stills]
    if turn:
        size, samples, frames = turn
        pictures.append(Picture(out_dir / f"{variant}-turntable.png", "iso", size, samples, "cutaway", frames, not final))
    return pictures


def bench(variant: str, tmp: Path, final: bool) -> list[float]:
    """Prints one row a picture; returns the ratios."""
    source = BOARDS_DIR / board_file_name(NAME, variant)
    board = tmp / variant / f"{NAME}.kicad_pcb"
    board.parent.mkdir(parents=True)
    for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
        shutil.copy2(source.with_suffix(suffix), board.with_suffix(suffix))
    write_3d_models(board, board.parent)
    models = board.parent / "3dmodels"
    glb = export_glb(board, board.parent / f"{NAME}-board.glb", models).path  # the board step's export
    enclosure = build_enclosure(board, board.parent / "enclosure", views=False).out_dir
    pictures = board_pictures(variant, board.parent / "renders", final)
    started = time.perf_counter()
    results = render_pictures(board, pictures, enclosure, glb=glb)
    wall = time.perf_counter() - started
    count = sum(max(p.turntable_frames, 1) for p in pictures)
    own = [r.info["seconds"] - (r.info["board_import_seconds"] if i == 0 else 0.0) for i, r in enumerate(results)]
    share = (wall - sum(own)) / count  # process start, board import, GIF: spread over every picture
    print(f"{variant}: {len(pictures)} pictures, {count} images, one Blender process {wall:.1f} s "
          f"(outside the pictures {wall - sum(own):.1f} s, board import {results[0].info['board_import_seconds']:.1f} s)")
    ratios = []
    for pic, seconds in zip(pictures, own):
        frames = max(pic.turntable_frames, 1)
        blender = seconds / frames + share
        kicad = kicad_cli_high(board, models, pic.size, tmp / "k.png")
        ratios.append(blender / kicad)
        what = f"{pic.view}{' turntable frame' if pic.turntable_frames else ''} {pic.size[0]}x{pic.size[1]} {pic.samples} spp"
        print(f"  {what:40s} Blender {blender:6.2f} s   kicad-cli high {kicad:6.2f} s   ratio {blender / kicad:4.2f}")
    return ratios


def main() -> None:
    final = "--final" in sys.argv
    print(f"machine: {machine()}")
    views = ", ".join(f"{v}: {len(VIEWS[v])} stills" for v in VARIANTS)
    print(f"quality: {'final' if final else 'preview (the default build)'}; views {views}")
    with tempfile.TemporaryDirectory() as tmp:
        ratios = [r for v in VARIANTS for r in bench(v, Path(tmp), final)]
    print(f"largest ratio Blender / kicad-cli high: {max(ratios):.2f}")


if __name__ == "__main__":
    main()
