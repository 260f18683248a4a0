"""Render a KiCad board (and its wattcad enclosure) with Blender's Cycles, in your own Blender:

    blender -b --python-exit-code 2 -P blender/render.py -- BOARD.kicad_pcb --view iso --out board.png
    blender -b -P blender/render.py -- --help

or with bpy as a Python module: `python blender/render.py -- ...`. The code is the package beside
this file (wattcad_blender), which is also the File › Import › KiCad board add-on."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wattcad_blender.render_cli import main, script_args  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(script_args()))
