"""`wattcad check [PROJECT]`: every check of a KiCad project, as JUnit, JSON and text."""
from __future__ import annotations

from pathlib import Path


def cmd_check(args) -> int:
    from wattcad.checks import exit_code, run_checks, summary_text, write_reports

    project, results = run_checks(Path(args.project), enclosure=not args.no_enclosure, strict=args.strict,
                                  allow_unrouted=args.allow_unrouted)
    print(summary_text(project, results))
    for path in write_reports(project, results, Path(args.out)):
        print(path)
    return exit_code(results)


def add(sub) -> None:
    ck = sub.add_parser("check", help="ERC, DRC with parity, fabrication readiness, footprints, mating parts, registered "
                                      "checks and enclosure fit of a KiCad project",
                        description="Checks any KiCad project (a folder with one .kicad_pro, or the .kicad_pro; KiCad 4/5 "
                                    "and older boards through an upgraded copy): ERC, DRC with schematic parity, "
                                    "fabrication readiness (no unrouted connections, no DRC errors), every footprint that "
                                    "has a package spec, modules against the pin map of what plugs in (the Feather), the "
                                    "checks installed packages register (the example's analog budget), and the fit of "
                                    "wattcad's enclosure around the board. Writes wattcad-check.xml (JUnit), .json and "
                                    ".txt. Exit 1 when a check fails, 2 on bad input, 3 when KiCad is missing, 4 when a "
                                    "tool (kicad-cli, Blender, FreeCAD) fails or crashes, 130 on Ctrl-C, 143 on SIGTERM.")
    ck.add_argument("project", nargs="?", default=".", metavar="PROJECT_DIR")
    ck.add_argument("--out", default=".", metavar="DIR", help="where the reports go (default: the current folder)")
    ck.add_argument("--no-enclosure", action="store_true", help="skip the enclosure fit check")
    ck.add_argument("--strict", action="store_true", help="ERC warnings fail too")
    ck.add_argument("--allow-unrouted", action="store_true",
                    help="a board with unrouted connections (and no DRC errors) is work in progress: reported as "
                         "not ready for fabrication, skipped in JUnit, not a failure")
    ck.set_defaults(func=cmd_check)
