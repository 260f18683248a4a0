"""`wattcad ade7816 schematic|board`: the example's own commands, mounted by the generic CLI under
the generator's name (every package of the `wattcad.generators` group may have an `add_commands`)."""
from __future__ import annotations

from pathlib import Path

from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK


def cmd_schematic(args) -> int:
    from wattcad.ade7816.params import BOARD_PARAMS, PARTS_CATALOGUE, load_board_params
    from wattcad.ade7816.schematic import generate_project

    params_path = Path(args.params) if args.params else BOARD_PARAMS
    out = Path(args.out) if args.out else Path("build") / load_board_params(params_path).name
    result = generate_project(out, params_path, Path(args.parts) if args.parts else PARTS_CATALOGUE)
    erc = result.erc
    print(f"ERC: {erc['violations']} violations, {len(erc['waived_warnings'])} waived; every library found")
    for path in (result.schematic, result.netlist, result.project, result.bom, result.pdf):
        print(path)
    return EXIT_OK


def cmd_board(args) -> int:
    from wattcad.ade7816.params import BOARD_PARAMS, load_board_params
    from wattcad.ade7816.pcb_project import BOARDS_DIR, build_boards
    from wattcad.ade7816.schematic import generate_project

    params_path = Path(args.params) if args.params else BOARD_PARAMS
    params = load_board_params(params_path)
    build_root = Path(args.build_dir)
    schematic_dir = build_root / params.name
    if not (schematic_dir / f"{params.name}.kicad_sch").exists() or args.params:
        generate_project(schematic_dir, params_path)
    variants = ("rect", "round") if args.variant == "both" else (args.variant,)
    results = build_boards(params, schematic_dir.resolve(), build_root.resolve(),
                           Path(args.boards_dir) if args.boards_dir else BOARDS_DIR, variants, render=not args.no_render)
    for r in results:
        print(f"{r.source}: {r.change.summary()}")
        print(f"  {r.drc.summary()}")
        for problem in r.drc.errors[:10] + r.drc.parity[:10] + r.drc.setup_problems:
            print(f"  ! {problem}")
        for png in r.renders:
            print(f"  {png}")
    return EXIT_OK if all(r.drc.clean for r in results) else EXIT_MISMATCH


def _add_schematic(sub) -> None:
    sc = sub.add_parser("schematic", help="generate the ADE7816 circuit: symbol, netlist, ERC-clean KiCad 9 schematic, BOM")
    sc.add_argument("--params", metavar="FILE", help="board parameters (default: examples/ade7816/data/board.yaml)")
    sc.add_argument("--parts", metavar="FILE", help="parts catalogue (default: examples/ade7816/data/parts.yaml)")
    sc.add_argument("--out", metavar="DIR", help="project folder (default: build/<board name>)")
    sc.set_defaults(func=cmd_schematic)


def _add_board(sub) -> None:
    bd = sub.add_parser("board", help="build or update the boards from the schematic: placement, zones, rules, DRC, renders",
                        description="The source boards live in examples/ade7816/boards/ and keep a person's edits: parts they "
                                    "moved, tracks, zones. The build adds new parts, removes dropped ones, updates "
                                    "values and footprints, backs the board up (.bak) and writes it atomically.")
    bd.add_argument("--variant", choices=["rect", "round", "both"], default="both")
    bd.add_argument("--params", metavar="FILE", help="board parameters (default: examples/ade7816/data/board.yaml)")
    bd.add_argument("--boards-dir", metavar="DIR", help="folder of the source boards (default: examples/ade7816/boards)")
    bd.add_argument("--build-dir", metavar="DIR", default="build", help="build folder (default: build)")
    bd.add_argument("--no-render", action="store_true", help="skip the PNG renders")
    bd.set_defaults(func=cmd_board)


def add_commands(sub) -> None:
    ade = sub.add_parser("ade7816", help="the ADE7816 example's own steps: its generated schematic and boards")
    asub = ade.add_subparsers(dest="ade7816_command", required=True)
    _add_schematic(asub)
    _add_board(asub)
