"""`wattcad route BOARD`: wattcad's grid router (or FreeRouting) on a board's unrouted connections."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK, InputError


def cmd_route(args) -> int:
    from wattcad.kicad.route import freeroute_board, route_board

    out = Path(args.out) if args.out else None
    if args.freerouting:
        report = freeroute_board(Path(args.board), Path(args.freerouting), out)
    else:
        if args.time_limit <= 0:
            raise InputError(None, "--time-limit", "must be a positive number of seconds", args.time_limit)
        report = route_board(Path(args.board), out, args.nets, args.pitch, keep_existing=args.keep_existing,
                             time_limit_s=args.time_limit, beside=True,
                             say=lambda line: print(f"[route] {line}", file=sys.stderr, flush=True))
    print(report.summary())
    print(f"routed in {report.seconds} s")
    return EXIT_OK if report.complete else EXIT_MISMATCH


def add(sub) -> None:
    ro = sub.add_parser("route", help="route a board's unrouted connections with wattcad's own grid router",
                        description="Routes what KiCad reports unrouted (two layers, 45-degree tracks, vias, rip-up "
                                    "and retry), with the widths and clearances of the board's net classes (a track "
                                    "necks down to 0.2 mm only where its class width does not fit, and the report "
                                    "says where), its keep-out rule areas and its .kicad_dru rules (class clearances, "
                                    "and areas some nets keep out of: (constraint disallow track) with "
                                    "A.intersectsArea('NAME')); a net with a zone joins it by a via, and thermal "
                                    "spokes are kept free; fine-pitch pins get a straight escape first. Tracks already "
                                    "there are kept. The result is checked with kicad-cli DRC: written over BOARD "
                                    "(after a .bak) only when every connection is routed and DRC is clean; --out "
                                    "always gets it. Exit 0 when complete and clean, 1 when not, 4 when a tool "
                                    "(kicad-cli, Blender, FreeCAD) fails or crashes. Not complete and no --out: the best board "
                                    "found goes beside BOARD as NAME-routed.kicad_pcb, with what is left unrouted listed.")
    ro.add_argument("board", metavar="BOARD.kicad_pcb")
    ro.add_argument("--out", metavar="FILE", help="write the routed board here (whatever the result)")
    ro.add_argument("--nets", metavar="PATTERN", help="route only nets matching this pattern (fnmatch: '/I?P')")
    ro.add_argument("--time-limit", type=float, default=120.0, metavar="SECONDS",
                    help="no new search starts after this (default 120 s); the best board found so far is written "
                         "(finishing it takes a few seconds more). Progress goes to stderr")
    ro.add_argument("--pitch", type=float, default=0.125, metavar="MM", help="routing grid pitch (default 0.125 mm)")
    ro.add_argument("--keep-existing", action=argparse.BooleanOptionalAction, default=True,
                    help="keep the tracks and vias already on the board (default); --no-keep-existing removes "
                         "the unlocked ones first")
    ro.add_argument("--freerouting", metavar="JAR", help="route with FreeRouting (java -jar JAR, one thread) through "
                                                         "Specctra DSN/SES instead; exit 3 when the JAR or java is missing")
    ro.set_defaults(func=cmd_route)
