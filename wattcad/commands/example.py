"""`wattcad example NAME DEST`: a generated example project's sources copied out to build and edit."""
from __future__ import annotations

from pathlib import Path

from wattcad.core.errors import EXIT_OK


def cmd_example(args) -> int:
    from wattcad.pipeline.project import generator_module

    dest = generator_module(args.name).copy_example(Path(args.dest))
    print(f"{dest}: the {args.name} sources; build them with `wattcad build {dest}`")
    return EXIT_OK


def add(sub) -> None:
    from wattcad.pipeline.config import GENERATORS

    ex = sub.add_parser("example", help=f"copy an example project's sources ({', '.join(GENERATORS)}) into a new folder",
                        description="Writes DEST/wattcad.yaml and DEST/boards/ (the committed boards); "
                                    "`wattcad build DEST` then generates, checks and renders it, updating DEST/boards.")
    ex.add_argument("name", choices=list(GENERATORS))
    ex.add_argument("dest", metavar="DEST")
    ex.set_defaults(func=cmd_example)
