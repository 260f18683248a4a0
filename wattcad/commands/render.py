"""`wattcad render BOARD`: the board (and its enclosure) drawn by Blender's Cycles."""
from __future__ import annotations

from pathlib import Path

from wattcad.core.errors import EXIT_OK


def _size(text: str) -> tuple[int, int]:
    from wattcad.blender.render_cli import parse_size

    return parse_size(text)


def cmd_render(args) -> int:
    from wattcad.render_job import render

    result = render(Path(args.board), Path(args.out), Path(args.enclosure) if args.enclosure else None, args.view,
                    args.size, args.samples, args.enclosure_style, args.turntable, preview=args.preview)
    info = result.info
    for image in result.images:
        print(image)
    unresolved = info.get("models_not_found", [])
    print(info["parts_drawn"] + (f" ({len(unresolved)} footprints' own 3D models not found: drawn from their specs or as "
                                 "boxes; listed in the picture's .json)" if unresolved else ""))
    for note in info.get("missing_models", []):
        print(f"warning: 3D model left out (KiCad could not load it): {note}")
    if result.gif:
        print(result.gif)
    print(f"render: {info['view']} {info['width_px']}x{info['height_px']}, {info['samples']} samples on {info['device']} "
          f"(Blender {info['blender']}) in {info['seconds']} s")
    return EXIT_OK


def add(sub) -> None:
    rn = sub.add_parser("render", help="render the board (and its enclosure) with Blender's Cycles",
                        description="Exports the board's GLB with kicad-cli and renders it in Blender (wattcad's own "
                                    "bpy environment, or WATTCAD_BLENDER). Writes FILE.png (turntable: FILE-000.png... "
                                    "and FILE.gif). Exit 2 on bad input, 3 when Blender or kicad-cli is missing, "
                                    "4 when a tool (kicad-cli, Blender, FreeCAD) fails or crashes.")
    rn.add_argument("board", metavar="BOARD.kicad_pcb")
    rn.add_argument("--enclosure", metavar="DIR", help="a `wattcad enclosure` output folder to render around the board")
    from wattcad.blender.finish import ENCLOSURE_STYLES as STYLES
    from wattcad.blender.views import VIEWS

    rn.add_argument("--enclosure-style", choices=STYLES, default="",
                    help="default: translucent, solid when exploded")
    rn.add_argument("--view", choices=VIEWS, default="iso",
                    help="iso: hero perspective; top/front: orthographic, true to scale; exploded: lid and board lifted")
    rn.add_argument("--size", type=_size, default=(1280, 960), metavar="WxH", help="pixels (default 1280x960)")
    rn.add_argument("--samples", type=int, default=32, help="Cycles samples per pixel, denoised (default 32)")
    rn.add_argument("--preview", action="store_true", help="quicker: 3 light bounces (a build's previews)")
    rn.add_argument("--turntable", type=int, default=0, metavar="FRAMES", help="render FRAMES turns and a GIF")
    rn.add_argument("--out", required=True, metavar="FILE.png")
    rn.set_defaults(func=cmd_render)
