"""`wattcad footprint generate|verify|sweep|print`: land patterns from package specs, checked against them."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from wattcad import __version__
from wattcad.core.errors import EXIT_BAD_INPUT, EXIT_MISMATCH, EXIT_OK
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
    from wattcad.checks.footprints import host_board_reader
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


def add(sub) -> None:
    fp = sub.add_parser("footprint", help="generate, verify, sweep and print footprints")
    fsub = fp.add_subparsers(dest="footprint_command", required=True)

    v = fsub.add_parser("verify", help="check footprints against their package spec and their own name",
                        description="PATH is a .kicad_mod, a .pretty folder or a .kicad_pcb (every footprint on "
                                    "the board, each matched to its part's spec). Exit 0: all match; 1: a mismatch; "
                                    "2: bad input.")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.add_argument("--package", metavar="SPEC", help="spec file or known spec name (e.g. lfcsp-40-6x6)")
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
                    help="a spec name (lfcsp-40-6x6), a Library:Footprint of the KiCad library, or a .kicad_mod")
    pr.add_argument("--out", required=True, metavar="FILE.pdf|FILE.svg")
    pr.add_argument("--paper", choices=["A4", "Letter"], default="A4")
    pr.set_defaults(func=cmd_footprint_print)
