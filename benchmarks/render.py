"""Benchmark: Blender renders of the rectangular board (preview 960x540 at 8 samples, final
1280x960 at 32, with and without the enclosure), beside `kicad-cli pcb render` of the same board at
the same sizes (basic and high quality). Run: .venv/bin/python benchmarks/render.py"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from wattcad.enclosure_job import build_enclosure
from wattcad.kicad.pcb_project import write_3d_models
from wattcad.render_job import render

SOURCE = Path(__file__).resolve().parents[1] / "kicad" / "boards" / "wattcad-ade7816.kicad_pcb"


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    kicad = subprocess.run(["kicad-cli", "version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, KiCad {kicad}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        board = tmp / SOURCE.name
        for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
            shutil.copy2(SOURCE.with_suffix(suffix), board.with_suffix(suffix))
        write_3d_models(board, tmp)
        enclosure = build_enclosure(board, tmp / "enclosure", views=False).out_dir
        print(f"{'what':52s} {'seconds':>8s}")
        for label, size, samples in (("preview", (960, 540), 8), ("final", (1280, 960), 32)):
            for encl in (None, enclosure):
                what = f"Blender {label} {size[0]}x{size[1]} {samples} spp, {'with' if encl else 'no'} enclosure"
                seconds = timed(lambda: render(board, tmp / "b.png", encl, "iso", size, samples, "cutaway" if encl else ""))
                print(f"{what:52s} {seconds:8.1f}")
            for quality in ("basic", "high"):
                cmd = ["kicad-cli", "pcb", "render", "--define-var", f"KICAD9_3DMODEL_DIR={tmp / '3dmodels'}",
                       "-o", str(tmp / "k.png"), "--width", str(size[0]), "--height", str(size[1]), "--quality", quality,
                       "--rotate", "-50,0,35", str(board)]
                seconds = timed(lambda: subprocess.run(cmd, capture_output=True, check=True))
                print(f"{'kicad-cli pcb render ' + quality + f' {size[0]}x{size[1]}':52s} {seconds:8.1f}")


if __name__ == "__main__":
    main()
