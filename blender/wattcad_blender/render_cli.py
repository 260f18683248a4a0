"""The render command run in Blender's Python: render a KiCad board (and its wattcad enclosure) with Blender's Cycles.

In your own Blender:   blender -b --python-exit-code 2 -P blender/render.py -- BOARD.kicad_pcb --out board.png
With bpy as a module:  python blender/render.py -- --glb board.glb --enclosure build/x/enclosure --view exploded --out x.png
`wattcad render` runs this script in wattcad's Blender environment. Writes the PNG(s) and, beside
them, a JSON file with the camera and where the board lands in the picture.
Exit codes: 0 made, 2 bad input (names the file), 3 a tool (kicad-cli) missing or failing."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from . import finish, views
from .kicad_export import ExportError, export_glb

EXIT_BAD_INPUT, EXIT_MISSING_TOOL = 2, 3


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 1280x960") from None
    if not (16 <= w <= 16384 and 16 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"--size {text!r}: each side must be 16..16384 pixels")
    return w, h


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="blender -b -P blender/render.py --", description=__doc__.splitlines()[0])
    p.add_argument("board", nargs="?", type=Path, help="a .kicad_pcb (exported with kicad-cli), or use --glb")
    p.add_argument("--glb", type=Path, help="a GLB already exported by kicad-cli (with pads, mask, silkscreen)")
    p.add_argument("--enclosure", type=Path, help="a wattcad enclosure folder (base.stl, lid.stl, fit.json)")
    p.add_argument("--enclosure-style", choices=finish.ENCLOSURE_STYLES, default="")
    p.add_argument("--view", choices=views.VIEWS, default="iso")
    p.add_argument("--size", type=parse_size, default=(1280, 960), help="WIDTHxHEIGHT in pixels")
    p.add_argument("--samples", type=int, default=32, help="Cycles samples per pixel (denoised)")
    p.add_argument("--turntable", type=int, default=0, metavar="FRAMES", help="render FRAMES turns instead of one still")
    p.add_argument("--preview", action="store_true", help="quicker: 3 light bounces")
    p.add_argument("--thickness-mm", type=float, default=1.6)
    p.add_argument("--out", type=Path, help="the PNG to write")
    p.add_argument("--info", type=Path, help="where to write the JSON (default: beside --out)")
    p.add_argument("--batch", type=Path, metavar="JOBS.json",
                   help="render several pictures of the board, the board imported once: a JSON list of "
                        '{"out", "view", "size": [w, h], "samples", "enclosure_style", "turntable", "info"}')
    return p


def _check_out(out: Path) -> str | None:
    if out.suffix.lower() != ".png":
        return f"render: --out {out}: must end in .png"
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        return f"render: --out {out}: folder {out.parent} does not exist or is not writable"
    return None


def _jobs(args) -> list[dict]:
    """The pictures asked for: one from the options, or the list of a --batch file."""
    if args.batch is None:
        if args.out is None:
            raise ValueError("--out FILE.png (or --batch JOBS.json) is required")
        return [{"out": str(args.out), "view": args.view, "size": list(args.size), "samples": args.samples,
                 "enclosure_style": args.enclosure_style, "turntable": args.turntable, "preview": args.preview,
                 "info": str(args.info) if args.info else None}]
    try:
        jobs = json.loads(args.batch.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"--batch {args.batch}: cannot read it: {exc}") from None
    if not isinstance(jobs, list) or not jobs or not all(isinstance(j, dict) and "out" in j for j in jobs):
        raise ValueError(f"--batch {args.batch}: expected a non-empty list of objects, each with an \"out\"")
    for j in jobs:
        if j.get("view", "iso") not in views.VIEWS:
            raise ValueError(f"--batch {args.batch}: view {j['view']!r}: one of {', '.join(views.VIEWS)}")
        if int(j.get("samples", 32)) < 1:
            raise ValueError(f"--batch {args.batch}: samples {j['samples']}: must be at least 1")
    return jobs


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        asked = _jobs(args)
    except ValueError as exc:
        print(f"render: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.samples < 1:
        print(f"render: --samples {args.samples}: must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    if (args.board is None) == (args.glb is None):
        print("render: give a .kicad_pcb or --glb, not both and not neither", file=sys.stderr)
        return EXIT_BAD_INPUT
    for j in asked:
        j["out"] = Path(j["out"]).resolve()
        problem = _check_out(j["out"])
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_BAD_INPUT
    from . import scene  # bpy from here on

    with tempfile.TemporaryDirectory() as tmp:
        try:
            glb = args.glb
            if glb is None:
                models = args.board.parent / "3dmodels"
                exported = export_glb(args.board, Path(tmp) / "board.glb", models if models.is_dir() else None)
                glb = exported.path
                for note in exported.missing_models:
                    print(f"render: warning: 3D model left out: {note}", file=sys.stderr)
            jobs = [scene.RenderJob(glb=glb, out=j["out"], view=j.get("view", "iso"), width_px=int(j.get("size", (1280, 960))[0]),
                                    height_px=int(j.get("size", (1280, 960))[1]), samples=int(j.get("samples", 32)),
                                    enclosure_dir=args.enclosure, enclosure_style=j.get("enclosure_style") or "",
                                    turntable_frames=int(j.get("turntable") or 0), thickness_mm=args.thickness_mm,
                                    preview=bool(j.get("preview")))
                    for j in asked]
            infos = scene.run_batch(jobs)
        except ExportError as exc:
            print(f"render: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT if "no such board" in str(exc) else EXIT_MISSING_TOOL
        except scene.SceneError as exc:
            print(f"render: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    for j, info in zip(asked, infos):
        info_path = Path(j["info"]) if j.get("info") else j["out"].with_suffix(".json")
        tmp_info = info_path.with_name(f".{info_path.name}.part")
        tmp_info.write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
        os.replace(tmp_info, info_path)
        print(f"render: wrote {j['out'].name} ({info['view']}, {info['width_px']}x{info['height_px']}, "
              f"{info['samples']} samples, {info['device']}) in {info['seconds']} s")
    return 0


def script_args() -> list[str]:
    """The arguments after `--` (Blender keeps its own before it), or all of them."""
    return sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
