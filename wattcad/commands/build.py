"""`wattcad build [PROJECT]`: a KiCad project checked, fabricated, enclosed and rendered into OUT,
re-running only what changed (wattcad.pipeline)."""
from __future__ import annotations

import argparse
from pathlib import Path


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--jobs {text!r}: a whole number of at least 1")
    return n


def cmd_build(args) -> int:
    from wattcad.pipeline.project import build

    return build(Path(args.project) if args.project else None, Path(args.out), args.force, not args.no_render,
                 False if args.no_freecad else None, Path(args.enclosure_params) if args.enclosure_params else None,
                 args.jobs, args.final, boards_dir=Path(args.boards_dir) if args.boards_dir else None)


def add(sub) -> None:
    from wattcad.pipeline.config import GENERATORS
    from wattcad.pipeline.outputs import load_outputs

    outputs = "; ".join(f"{name}: {o.title}" for name, o in load_outputs().items())
    b = sub.add_parser("build", help="build a KiCad project into build/, re-running only what changed",
                       description="PROJECT (a folder with a .kicad_pro, or the .kicad_pro; default: the current folder) "
                                   f"into OUT, one step per output ({outputs}); gerbers only when routed, DRC-clean, "
                                   "the board is its schematic and every footprint fits its part. Configured by "
                                   "PROJECT/wattcad.yaml (outputs, enclosure, views, freecad); the project's files are "
                                   "only read. A folder whose wattcad.yaml says `generate: NAME` "
                                   f"({', '.join(GENERATORS) or 'none installed'}) is generated first (footprints, "
                                   "schematic, boards): see `wattcad example`. Steps whose inputs are unchanged are "
                                   "skipped. Exit 1 when a check fails, 2 on bad input, 3 when a tool is missing, 4 when "
                                   "a tool (kicad-cli, Blender, FreeCAD) fails or crashes, 130 on Ctrl-C, 143 on SIGTERM.")
    b.add_argument("project", nargs="?", metavar="PROJECT", help="KiCad project folder or .kicad_pro (default: .)")
    b.add_argument("--out", default="build", help="output folder (default: build)")
    b.add_argument("--boards-dir", metavar="DIR", help="generated projects: folder of the source boards, updated in place "
                                                       "(default: the project's boards/)")
    b.add_argument("--force", action="store_true", help="re-run every step, whatever the cache says")
    b.add_argument("--jobs", "-j", type=_jobs, metavar="N", help="steps run side by side (default: the machine's cores; 1: one by one)")
    b.add_argument("--no-render", action="store_true", help="skip the Blender renders")
    b.add_argument("--final", action="store_true",
                   help="final-quality renders (full size, more samples: minutes); default: quick previews")
    b.add_argument("--no-freecad", action="store_true", help="skip the FreeCAD document")
    b.add_argument("--enclosure-params", metavar="FILE", help="enclosure parameters overriding enclosure/params.yaml")
    b.set_defaults(func=cmd_build)
