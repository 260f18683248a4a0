"""Benchmark: one `wattcad render` as a user types it, beside `kicad-cli pcb render --quality high` of
the same board at the same size, with the same 3D models, in the same run.

- cold: the first render after a clean build (an empty wattcad cache: the bodies drawn, the GLB
  exported, Blender started);
- warm: the same command again (the GLB from the cache: Blender only);
- kicad-cli: given the board with every model path made absolute (what the GLB was made from).
- Cycles' floor: Blender's default cube at the same size and samples (no denoising), the least any
  Cycles picture costs on this machine.
Each is run ROUNDS times, interleaved, and the median is compared. With --denoise the Blender
environment also renders the picture with OIDN's high-quality network and accurate prefilter (the
reference), the same with another seed (the noise), and wattcad's settings, and prints each one's
time and difference from the reference (what scene.configure_render's choice rests on).
Run: .venv/bin/python benchmarks/render_single.py [--size 960x540] [--rounds 3] [--denoise]"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOARD = REPO / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb"
WATTCAD = Path(sys.executable).with_name("wattcad")

DENOISE_CHECK = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import numpy as np
import bpy
from wattcad_blender import scene, views
glb, w, h, out = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
job = scene.RenderJob(glb=glb, out=out / "x.png", width_px=w, height_px=h)
asm = scene.build_scene(job, scene.load_board(glb, 1.6))
lo, hi = scene.bounds(scene.visible_meshes(asm))
scene.place_camera(views.frame(views.corners(lo, hi), "iso", w, h))
# (name, OIDN network, prefilter, seed): the first is the reference; "seed 1" is the same settings
# with other noise, the difference any setting must stay well under to be the same picture.
variants = [("reference", "HIGH", "ACCURATE", 0), ("seed 1", "HIGH", "ACCURATE", 1), ("fast network", "FAST", "ACCURATE", 0),
            ("wattcad's default", None, None, 0)]
pictures = {}
for name, quality, prefilter, seed in variants:
    scene.configure_render(w, h, 32, seed=seed)
    cycles = bpy.context.scene.cycles
    cycles.denoising_quality = quality or cycles.denoising_quality
    cycles.denoising_prefilter = prefilter or cycles.denoising_prefilter
    started = time.perf_counter()
    scene.render_still(out / "d.png")
    seconds = time.perf_counter() - started
    image = bpy.data.images.load(str(out / "d.png"))
    pictures[name] = np.array(image.pixels[:]).reshape(h, w, 4)[..., :3] * 255
    bpy.data.images.remove(image)
    diff = np.abs(pictures["reference"] - pictures[name])
    psnr = 10 * np.log10(255 ** 2 / max((diff ** 2).mean(), 1e-12))
    print(f"denoise {name} ({cycles.denoising_quality}, prefilter {cycles.denoising_prefilter}, seed {seed}): "
          f"{seconds:.1f} s; against the reference {psnr:.1f} dB PSNR, 99 % of pixels within {np.percentile(diff, 99):.0f}/255")
"""

CUBE = r"""
import sys
import bpy
bpy.ops.wm.read_factory_settings(use_empty=False)
scene = bpy.context.scene
scene.render.engine, scene.cycles.device, scene.cycles.samples, scene.cycles.use_denoising = "CYCLES", "CPU", 32, False
scene.render.resolution_x, scene.render.resolution_y, scene.render.filepath = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
bpy.ops.render.render(write_still=True)
"""


def machine() -> str:
    import platform

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    kicad = subprocess.run(["kicad-cli", "version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores, {cpu}, KiCad {kicad}"


def timed(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}): {proc.stderr[-800:]}")
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="960x540")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--denoise", action="store_true")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    from wattcad.kicad.models3d import write_shaped_board

    print(f"machine: {machine()}")
    rows: dict[str, list[float]] = {"cold": [], "warm": [], "kicad-cli high": [], "cycles floor (default cube)": []}
    from wattcad.render_job import find_blender

    blender = find_blender()
    with tempfile.TemporaryDirectory(prefix="wattcad-bench-render-") as tmp:
        tmp = Path(tmp)
        for n in range(args.rounds):
            env = {**os.environ, "WATTCAD_CACHE": str(tmp / f"cache-{n}")}  # empty: a clean build's first render
            render = [str(WATTCAD), "render", str(BOARD), "--view", "iso", "--size", args.size, "--out", str(tmp / "w.png")]
            rows["cold"].append(timed(render, env))
            rows["warm"].append(timed(render, env))
            shaped = tmp / f"shaped-{n}" / BOARD.name
            os.environ["WATTCAD_CACHE"] = env["WATTCAD_CACHE"]
            write_shaped_board(BOARD, shaped)  # the same models, by absolute path
            rows["kicad-cli high"].append(timed(
                ["kicad-cli", "pcb", "render", "--quality", "high", "--width", str(width), "--height", str(height),
                 "--perspective", "--rotate", "-45,0,35", "-o", str(tmp / "k.png"), str(shaped)], env))
            rows["cycles floor (default cube)"].append(timed([blender[0], "-c", CUBE, str(width), str(height), str(tmp / "cube.png")], env))
            print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in rows.items()), flush=True)
        median = {k: statistics.median(v) for k, v in rows.items()}
        kicad = median["kicad-cli high"]
        print(f"median of {args.rounds} at {args.size}: cold {median['cold']:.1f} s ({median['cold'] / kicad:.2f}x), "
              f"warm {median['warm']:.1f} s ({median['warm'] / kicad:.2f}x), kicad-cli high {kicad:.1f} s, "
              f"Cycles' floor (the default cube, 32 samples) {median['cycles floor (default cube)']:.1f} s")
        out = REPO / "build" / "bench" / "render_single.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"machine": machine(), "size": args.size, "seconds": rows, "median": median}, indent=1) + "\n")
        if args.denoise:
            from wattcad.render_job import cached_glb

            glb = cached_glb(BOARD).path
            said = subprocess.run([blender[0], "-c", DENOISE_CHECK, str(REPO / "blender"), str(glb), str(width), str(height),
                                   str(tmp)], check=True, capture_output=True, text=True).stdout
            print("\n".join(line for line in said.splitlines() if line.startswith("denoise")))


if __name__ == "__main__":
    main()
