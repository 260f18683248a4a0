"""`wattcad place circle BOARD`: footprints on a circle (the CLI of the pcbnew plugin's function)."""
from __future__ import annotations

from pathlib import Path

from wattcad.core.errors import EXIT_OK


def cmd_place_circle(args) -> int:
    from wattcad.core.placement import expand_refs, parse_point
    from wattcad.kicad.board_io import load_board, save_board
    from wattcad.kicad.place_circle import place_on_circle

    refs = expand_refs(args.refs)
    centre = parse_point(args.center, "--center")
    board = load_board(args.board)
    result = place_on_circle(board, refs, centre, args.radius, args.start_angle, args.step, args.arc,
                             args.orient, args.order, force=args.force, rotation_offset_deg=args.rotation_offset)
    out = Path(args.out) if args.out else Path(args.board)
    if result.moved:
        save_board(board, out, backup=True)
    for line in result.messages():
        print(line)
    if result.moved:
        print(f"wrote {out}" + (f" (previous version in {out.name}.bak)" if out.with_name(out.name + '.bak').exists() else ""))
    return EXIT_OK


def add(sub) -> None:
    place = sub.add_parser("place", help="place footprints on a board")
    psub = place.add_subparsers(dest="place_command", required=True)
    pc = psub.add_parser("circle", help="place footprints on a circle",
                         description="Angles in degrees counter-clockwise from +X, lengths in millimetres. "
                                     "Writes BOARD in place (backup in BOARD.bak) unless --out.")
    pc.add_argument("board", metavar="BOARD")
    pc.add_argument("--refs", required=True, help="J1-J6, or J1,J3,J5")
    pc.add_argument("--center", required=True, metavar="X,Y")
    pc.add_argument("--radius", required=True, type=float, metavar="R")
    pc.add_argument("--start-angle", type=float, default=0.0, metavar="A")
    steps = pc.add_mutually_exclusive_group()
    steps.add_argument("--step", type=float, metavar="A", help="angle between parts")
    steps.add_argument("--arc", type=float, metavar="A", help="spread the parts over this arc")
    pc.add_argument("--orient", choices=["radial", "tangent", "keep"], default="radial")
    pc.add_argument("--order", choices=["ref", "given"], default="ref")
    pc.add_argument("--rotation-offset", type=float, default=0.0, metavar="A",
                    help="degrees added to radial/tangent orientations (a part that opens at its -y side: radial, -90)")
    pc.add_argument("--force", action="store_true", help="move locked footprints too")
    pc.add_argument("--out", metavar="FILE", help="write here instead of BOARD")
    pc.set_defaults(func=cmd_place_circle)
