"""`wattcad enclosure BOARD`: a CadQuery enclosure around a KiCad board, with a fit check."""
from __future__ import annotations

from pathlib import Path


def cmd_enclosure(args) -> int:
    from wattcad.enclosure_job import build_enclosure

    result = build_enclosure(Path(args.board), Path(args.out), Path(args.params) if args.params else None,
                             freecad=args.freecad, views=not args.no_views)
    fit = result.fit
    print(f"fit: {'fits' if fit['fits'] else 'DOES NOT FIT'}; interference {fit['interference_mm3']} mm3; "
          f"smallest clearance {fit['min_clearance_mm']} mm ({' / '.join(fit['min_clearance_between'])})")
    for c in fit["collisions"]:
        print(f"  ! {c['part']} collides with the {c['with']}: {c['volume_mm3']} mm3; would fit with {c['would_fit']}")
    for c in fit["cutouts"]:
        print(f"  cut-out {c['ref']}: axis {c['axis_offset_mm']} mm from the connector's")
    for note in fit.get("notes", []):
        print(f"  note: {note}")
    for path in result.files:
        print(path)
    return result.exit_code


def add(sub) -> None:
    en = sub.add_parser("enclosure", help="a CadQuery enclosure around a KiCad board, with a fit check",
                        description="Writes base and lid (STEP, STL), the board assembly (STEP), boardmodel.json, "
                                    "fit.json and pictures; the FreeCAD document with --freecad. Exit 1 when the "
                                    "board does not fit, 2 on bad input, 4 when a tool (kicad-cli, Blender, FreeCAD) "
                                    "fails or crashes.")
    en.add_argument("board", metavar="BOARD.kicad_pcb")
    en.add_argument("--params", metavar="FILE", help="enclosure parameters overriding enclosure/params.yaml")
    en.add_argument("--freecad", action="store_true", help="also build the parametric FreeCAD document")
    en.add_argument("--out", required=True, metavar="DIR")
    en.add_argument("--no-views", action="store_true", help="skip the pictures")
    en.set_defaults(func=cmd_enclosure)
