"""The `wattcad` command. Host modules (pcbnew, cadquery, bpy, FreeCAD) are imported lazily inside
the commands that need them, so `--help` works on any machine."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from pathlib import Path

from wattcad import __version__
from wattcad.core.errors import EXIT_BAD_INPUT, EXIT_MISMATCH, EXIT_OK, InputError, WattcadError
from wattcad.core.fileio import write_atomic


def _reports_json(reports) -> str:
    return json.dumps({"tool": "wattcad footprint verify", "version": __version__,
                       "reports": [r.to_json() for r in reports]}, indent=2, sort_keys=True) + "\n"


def _exit_for(reports) -> int:
    if any(r.status == "error" for r in reports):
        return EXIT_BAD_INPUT
    if any(r.status == "fail" for r in reports):
        return EXIT_MISMATCH
    return EXIT_OK


def cmd_footprint_verify(args) -> int:
    from wattcad.check import host_board_reader
    from wattcad.footprints.spec import find_spec
    from wattcad.footprints.verify import format_table, silent, verify_paths

    spec = find_spec(args.package) if args.package else None
    with tempfile.TemporaryDirectory(prefix="wattcad-verify-") as scratch:
        reports = verify_paths(args.paths, spec, board_reader=host_board_reader(Path(scratch)))
    print(format_table(reports))
    problems = [r for r in reports if r.status in ("fail", "error", "warn")]
    if problems:
        print()
        for r in problems:
            print(("ERROR " if r.status == "error" else "") + r.summary())
    if args.json:
        write_atomic(args.json, _reports_json(reports))
    code = _exit_for(reports)
    if code == EXIT_OK and args.strict and silent(reports):
        return EXIT_MISMATCH
    return code


def cmd_footprint_sweep(args) -> int:
    from wattcad.footprints.sweep import DEFAULT_LIBDIR, sweep
    from wattcad.footprints.verify import format_table

    libdir = Path(args.libdir) if args.libdir else DEFAULT_LIBDIR
    if not libdir.is_dir():
        print(f"wattcad: {libdir}: no such KiCad footprint library folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    reports = sweep(libdir, jobs=args.jobs, every_footprint=args.all)
    bad = [r for r in reports if r.status in ("fail", "error")]
    if args.verbose:
        print(format_table(reports))
    named = [r for r in reports if r.name_findings]
    ruled = [r for r in reports if r.rule_findings]
    unreadable = [r for r in reports if r.status == "error"]
    for title, group, pick in (("Geometry disagrees with the name", named, lambda r: r.name_findings),
                               ("Rules broken whatever the name says", ruled, lambda r: r.rule_findings)):
        if group:
            print(f"{title} ({len(group)}):")
            for r in group:
                print(f"  {Path(r.subject).parent.name}/{r.footprint}: " + "; ".join(dict.fromkeys(f.message for f in pick(r))))
            print()
    for r in unreadable:
        print("ERROR " + r.summary())
    print(f"swept {len(reports)} {'' if args.all else 'no-lead '}footprints in {libdir}: "
          f"{sum(r.status == 'pass' for r in reports)} pass, {sum(r.status == 'warn' for r in reports)} warn, "
          f"{len(named)} disagree with their name, {len(ruled)} break a rule, {len(unreadable)} unreadable")
    if args.json:
        write_atomic(args.json, _reports_json(reports))
    return EXIT_MISMATCH if bad and args.strict else EXIT_OK


def cmd_footprint_generate(args) -> int:
    from wattcad.footprints.generate import GenerateOptions, write_library
    from wattcad.footprints.landpattern import Density
    from wattcad.footprints.spec import builtin_specs, find_spec

    specs = [find_spec(s) for s in args.specs] if args.specs else list(builtin_specs())
    options = GenerateOptions(density=Density(args.density), thermal_vias=args.thermal_vias)
    for path in write_library(specs, args.out, options):
        print(path)
    return EXIT_OK


def cmd_footprint_print(args) -> int:
    from wattcad.footprints.library import resolve
    from wattcad.footprints.printout import PrintItem, render

    items = [PrintItem(*resolve(ref)) for ref in args.footprints]
    print(render(items, args.out, paper=args.paper))
    return EXIT_OK


def cmd_schematic(args) -> int:
    from wattcad.kicad.params import BOARD_PARAMS, PARTS_CATALOGUE, load_board_params
    from wattcad.kicad.schematic import generate_project

    params_path = Path(args.params) if args.params else BOARD_PARAMS
    out = Path(args.out) if args.out else Path("build") / load_board_params(params_path).name
    result = generate_project(out, params_path, Path(args.parts) if args.parts else PARTS_CATALOGUE)
    erc = result.erc
    print(f"ERC: {erc['violations']} violations, {len(erc['waived_warnings'])} waived; every library found")
    for path in (result.schematic, result.netlist, result.project, result.bom, result.pdf):
        print(path)
    return EXIT_OK


def cmd_board(args) -> int:
    from wattcad.kicad.params import BOARD_PARAMS, load_board_params
    from wattcad.kicad.pcb_project import BOARDS_DIR, build_boards
    from wattcad.kicad.schematic import generate_project

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


def cmd_route(args) -> int:
    from wattcad.kicad.route import freeroute_board, route_board

    out = Path(args.out) if args.out else None
    if args.freerouting:
        report = freeroute_board(Path(args.board), Path(args.freerouting), out)
    else:
        report = route_board(Path(args.board), out, args.nets, args.pitch, keep_existing=args.keep_existing)
    print(report.summary())
    print(f"routed in {report.seconds} s")
    return EXIT_OK if report.complete else EXIT_MISMATCH


def cmd_build(args) -> int:
    from wattcad.build import build
    from wattcad.project_build import build_project, project_target

    params = Path(args.enclosure_params) if args.enclosure_params else None
    boards_dir = Path(args.boards_dir) if args.boards_dir else None
    if args.project is not None:
        folder, _, settings = project_target(Path(args.project))
        if not settings.generate:
            if boards_dir is not None:
                raise InputError(None, "--boards-dir", "only for a generated project (wattcad.yaml: generate)", args.boards_dir)
            return build_project(Path(args.project), Path(args.out), args.force, not args.no_render,
                                 False if args.no_freecad else None, params, args.jobs, args.final)
        # A generated project (the ADE7816): its boards are the folder's, unless named.
        boards_dir = boards_dir or folder / settings.boards
        if not settings.freecad:
            args.no_freecad = True
    from wattcad.kicad.pcb_project import BOARDS_DIR
    from wattcad.project_build import installed_read_only

    if installed_read_only(boards_dir or BOARDS_DIR):
        raise InputError(boards_dir or BOARDS_DIR, "--boards-dir", "the boards a build updates are inside the installed "
                         "package: copy them out with `wattcad example ade7816 DIR` and run `wattcad build DIR`")
    return build(Path(args.out), boards_dir, force=args.force, render=not args.no_render, freecad=not args.no_freecad,
                 enclosure_params=params, jobs=args.jobs, final=args.final)


def cmd_example(args) -> int:
    from wattcad.project_build import copy_example

    dest = copy_example(args.name, Path(args.dest))
    print(f"{dest}: the {args.name} sources; build them with `wattcad build {dest}`")
    return EXIT_OK


def cmd_check(args) -> int:
    from wattcad.check import exit_code, run_checks, summary_text, write_reports

    project, results = run_checks(Path(args.project), enclosure=not args.no_enclosure, strict=args.strict,
                                  allow_unrouted=args.allow_unrouted)
    print(summary_text(project, results))
    for path in write_reports(project, results, Path(args.out)):
        print(path)
    return exit_code(results)


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


def cmd_plugin_install(args) -> int:
    dest = Path(args.dest) if args.dest else None
    if args.blender:
        from wattcad.blender_addon import install_blender_addon, zip_blender_addon

        print(zip_blender_addon(Path(args.zip)) if args.zip else install_blender_addon(dest))
        return EXIT_OK
    if args.kicad_pcm:
        if not args.zip:
            raise InputError(None, "--kicad-pcm", "give the package file to write: --zip FILE.zip")
        from wattcad.kicad.pcm import build_pcm_zip

        print(build_pcm_zip(Path(args.zip)))
        return EXIT_OK
    if args.zip:
        raise InputError(None, "--zip", "only with --blender or --kicad-pcm", args.zip)
    from wattcad.kicad.install import install_plugins

    for path in install_plugins(dest):
        print(path)
    return EXIT_OK


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--jobs {text!r}: a whole number of at least 1")
    return n


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
    for note in info.get("missing_models", []):
        print(f"warning: 3D model left out (KiCad could not load it): {note}")
    if result.gif:
        print(result.gif)
    print(f"render: {info['view']} {info['width_px']}x{info['height_px']}, {info['samples']} samples on {info['device']} "
          f"(Blender {info['blender']}) in {info['seconds']} s")
    return EXIT_OK


def _add_build(sub) -> None:
    b = sub.add_parser("build", help="build a KiCad project (or the ADE7816) into build/, re-running only what changed",
                       description="PROJECT (a folder with a .kicad_pro, or the .kicad_pro): its checks, fabrication "
                                   "outputs (gerbers only when routed, DRC-clean and every footprint fits its part), an "
                                   "enclosure with its fit check, "
                                   "Blender renders and OUT/index.html, configured by PROJECT/wattcad.yaml (outputs, "
                                   "enclosure, views, freecad); the project's files are only read. Without PROJECT, or "
                                   "on a folder whose wattcad.yaml says `generate: ade7816` (kicad/ here): the ADE7816 "
                                   "build, which first generates footprints, 1:1 prints, the schematic and both boards. "
                                   "Steps whose inputs are unchanged are skipped. Exit 1 when a check fails, 2 on bad "
                                   "input, 3 when a tool is missing, 4 when a tool (kicad-cli, Blender, FreeCAD) fails "
                                   "or crashes.")
    b.add_argument("project", nargs="?", metavar="PROJECT", help="KiCad project folder or .kicad_pro (default: the ADE7816)")
    b.add_argument("--out", default="build", help="output folder (default: build)")
    b.add_argument("--boards-dir", metavar="DIR", help="generated projects: folder of the source boards, updated in place "
                                                       "(default: the project's boards/, or wattcad's own)")
    b.add_argument("--force", action="store_true", help="re-run every step, whatever the cache says")
    b.add_argument("--jobs", "-j", type=_jobs, metavar="N", help="steps run side by side (default: the machine's cores; 1: one by one)")
    b.add_argument("--no-render", action="store_true", help="skip the Blender renders")
    b.add_argument("--final", action="store_true",
                   help="final-quality renders (full size, more samples: minutes); default: quick previews")
    b.add_argument("--no-freecad", action="store_true", help="skip the FreeCAD document")
    b.add_argument("--enclosure-params", metavar="FILE", help="enclosure parameters overriding enclosure/params.yaml")
    b.set_defaults(func=cmd_build)


def _add_example(sub) -> None:
    ex = sub.add_parser("example", help="copy an example project's sources (the ADE7816) into a new folder",
                        description="Writes DEST/wattcad.yaml and DEST/boards/ (the committed boards); "
                                    "`wattcad build DEST` then generates, checks and renders it, updating DEST/boards.")
    ex.add_argument("name", choices=["ade7816"])
    ex.add_argument("dest", metavar="DEST")
    ex.set_defaults(func=cmd_example)


def _add_check(sub) -> None:
    ck = sub.add_parser("check", help="ERC, DRC with parity, fabrication readiness, footprints, mating parts, analog "
                                      "budget and enclosure fit of a KiCad 9 project",
                        description="Checks any KiCad 9 project (a folder with one .kicad_pro, or the .kicad_pro): ERC, "
                                    "DRC with schematic parity, fabrication readiness (no unrouted connections, no DRC "
                                    "errors), every footprint that has a package spec, modules against the pin map of "
                                    "what plugs in (the Feather), the ADE7816 inputs' worst-case peaks against full "
                                    "scale, and the fit of wattcad's enclosure around the board. Writes wattcad-check.xml "
                                    "(JUnit), .json and "
                                    ".txt. Exit 1 when a check fails, 2 on bad input, 3 when KiCad is missing, "
                                    "4 when a tool (kicad-cli, Blender, FreeCAD) fails or crashes.")
    ck.add_argument("project", nargs="?", default=".", metavar="PROJECT_DIR")
    ck.add_argument("--out", default=".", metavar="DIR", help="where the reports go (default: the current folder)")
    ck.add_argument("--no-enclosure", action="store_true", help="skip the enclosure fit check")
    ck.add_argument("--strict", action="store_true", help="ERC warnings fail too")
    ck.add_argument("--allow-unrouted", action="store_true",
                    help="a board with unrouted connections (and no DRC errors) is work in progress: reported as "
                         "not ready for fabrication, skipped in JUnit, not a failure")
    ck.set_defaults(func=cmd_check)


def _add_schematic(sub) -> None:
    sc = sub.add_parser("schematic", help="generate the ADE7816 circuit: symbol, netlist, ERC-clean KiCad 9 schematic, BOM")
    sc.add_argument("--params", metavar="FILE", help="board parameters (default: kicad/data/board.yaml)")
    sc.add_argument("--parts", metavar="FILE", help="parts catalogue (default: kicad/data/parts.yaml)")
    sc.add_argument("--out", metavar="DIR", help="project folder (default: build/<board name>)")
    sc.set_defaults(func=cmd_schematic)


def _add_board(sub) -> None:
    bd = sub.add_parser("board", help="build or update the boards from the schematic: placement, zones, rules, DRC, renders",
                        description="The source boards live in kicad/boards/ and keep a person's edits: parts they "
                                    "moved, tracks, zones. The build adds new parts, removes dropped ones, updates "
                                    "values and footprints, backs the board up (.bak) and writes it atomically.")
    bd.add_argument("--variant", choices=["rect", "round", "both"], default="both")
    bd.add_argument("--params", metavar="FILE", help="board parameters (default: kicad/data/board.yaml)")
    bd.add_argument("--boards-dir", metavar="DIR", help="folder of the source boards (default: kicad/boards)")
    bd.add_argument("--build-dir", metavar="DIR", default="build", help="build folder (default: build)")
    bd.add_argument("--no-render", action="store_true", help="skip the PNG renders")
    bd.set_defaults(func=cmd_board)


def _add_enclosure(sub) -> None:
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


def _add_footprint(sub) -> None:
    fp = sub.add_parser("footprint", help="generate, verify, sweep and print footprints")
    fsub = fp.add_subparsers(dest="footprint_command", required=True)

    v = fsub.add_parser("verify", help="check footprints against their package spec and their own name",
                        description="PATH is a .kicad_mod, a .pretty folder or a .kicad_pcb (every footprint on "
                                    "the board, each matched to its part's spec). Exit 0: all match; 1: a mismatch; "
                                    "2: bad input.")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.add_argument("--package", metavar="SPEC", help="spec file or known spec name (e.g. ade7816)")
    v.add_argument("--json", metavar="FILE", help="write the report as JSON")
    v.add_argument("--strict", action="store_true",
                   help="exit 1 when nothing was matched to a spec, or a part with 8 or more pads was not")
    v.set_defaults(func=cmd_footprint_verify)

    s = fsub.add_parser("sweep", help="check every QFN/DFN/LFCSP/SON footprint of a KiCad library against its name")
    s.add_argument("libdir", nargs="?", help="footprint library folder (default: KiCad 9's installed library)")
    s.add_argument("--json", metavar="FILE")
    s.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    s.add_argument("--strict", action="store_true", help="exit 1 when any footprint is inconsistent")
    s.add_argument("--all", action="store_true", help="every footprint of the library (general rules, and its name "
                                                       "where it states dimensions), not only the no-lead ones")
    s.add_argument("-v", "--verbose", action="store_true", help="print the whole table")
    s.set_defaults(func=cmd_footprint_sweep)

    g = fsub.add_parser("generate", help="generate IPC-7351B land patterns into a KiCad library")
    g.add_argument("specs", nargs="*", metavar="SPEC", help="spec names or files (default: all that can be generated)")
    g.add_argument("--out", default="build/footprints", help="folder for wattcad.pretty and fp-lib-table")
    g.add_argument("--density", choices=["least", "nominal", "most"], default="nominal")
    g.add_argument("--thermal-vias", action="store_true", help="add thermal vias to exposed pads")
    g.set_defaults(func=cmd_footprint_generate)

    pr = fsub.add_parser("print", help="print footprints at exactly 1:1 (PDF or SVG) with a 50 mm ruler")
    pr.add_argument("footprints", nargs="+", metavar="NAME|PATH",
                    help="a spec name (ade7816), a Library:Footprint of the KiCad library, or a .kicad_mod")
    pr.add_argument("--out", required=True, metavar="FILE.pdf|FILE.svg")
    pr.add_argument("--paper", choices=["A4", "Letter"], default="A4")
    pr.set_defaults(func=cmd_footprint_print)


def _add_place(sub) -> None:
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


def _add_render(sub) -> None:
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
    rn.add_argument("--preview", action="store_true", help="quicker: fast denoising and 3 light bounces (a build's previews)")
    rn.add_argument("--turntable", type=int, default=0, metavar="FRAMES", help="render FRAMES turns and a GIF")
    rn.add_argument("--out", required=True, metavar="FILE.png")
    rn.set_defaults(func=cmd_render)


def _add_route(sub) -> None:
    ro = sub.add_parser("route", help="route a board's unrouted connections with wattcad's own grid router",
                        description="Routes what KiCad reports unrouted (two layers, 45-degree tracks, vias, rip-up "
                                    "and retry), with the widths and clearances of the board's net classes and its "
                                    ".kicad_dru rules (class clearances, and areas some nets keep out of: "
                                    "(constraint disallow track) with A.intersectsArea('NAME')); a net with a zone "
                                    "joins it by a via; fine-pitch pins get a straight escape first. Tracks already "
                                    "there are kept. The result is checked with kicad-cli DRC: written over BOARD "
                                    "(after a .bak) only when every connection is routed and DRC is clean; --out "
                                    "always gets it. Exit 0 when complete and clean, 1 when not, 4 when a tool "
                                    "(kicad-cli, Blender, FreeCAD) fails or crashes.")
    ro.add_argument("board", metavar="BOARD.kicad_pcb")
    ro.add_argument("--out", metavar="FILE", help="write the routed board here (whatever the result)")
    ro.add_argument("--nets", metavar="PATTERN", help="route only nets matching this pattern (fnmatch: '/I?P')")
    ro.add_argument("--pitch", type=float, default=0.125, metavar="MM", help="routing grid pitch (default 0.125 mm)")
    ro.add_argument("--keep-existing", action=argparse.BooleanOptionalAction, default=True,
                    help="keep the tracks and vias already on the board (default); --no-keep-existing removes "
                         "the unlocked ones first")
    ro.add_argument("--freerouting", metavar="JAR", help="route with FreeRouting (java -jar JAR, one thread) through "
                                                         "Specctra DSN/SES instead; exit 3 when the JAR or java is missing")
    ro.set_defaults(func=cmd_route)


def _add_plugin(sub) -> None:
    pl = sub.add_parser("plugin", help="KiCad action plugins and the Blender add-on")
    plsub = pl.add_subparsers(dest="plugin_command", required=True)
    pi = plsub.add_parser("install", help="install the pcbnew action plugins into KiCad 9's plugin folder")
    pi.add_argument("--dest", help="plugin folder (default: ~/.local/share/kicad/9.0/scripting/plugins, "
                                   "with --blender ~/.config/blender/5.0/scripts/addons)")
    target = pi.add_mutually_exclusive_group()
    target.add_argument("--blender", action="store_true", help="install the Blender add-on (File › Import › KiCad board) instead")
    target.add_argument("--kicad-pcm", action="store_true",
                        help="with --zip: write the pcbnew plugins as a KiCad Plugin and Content Manager package, for "
                             "Tools › Plugin and Content Manager › Install from File (it finds wattcad via "
                             "import, $WATTCAD_PYTHON, or the `wattcad` command's interpreter on PATH or ~/.local/bin)")
    pi.add_argument("--zip", metavar="FILE.zip", help="with --blender: write the add-on as a zip for Install from Disk; "
                                                      "with --kicad-pcm: write the PCM package")
    pi.set_defaults(func=cmd_plugin_install)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wattcad", description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--version", action="version", version=f"wattcad {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    _add_build(sub)
    _add_example(sub)
    _add_check(sub)
    _add_schematic(sub)
    _add_board(sub)
    _add_enclosure(sub)
    _add_footprint(sub)
    _add_place(sub)
    _add_render(sub)
    _add_route(sub)
    _add_plugin(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    if argv is None and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `wattcad ... | head` ends quietly
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except WattcadError as exc:
        print(f"wattcad: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
