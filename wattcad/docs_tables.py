"""The parameter tables of docs/parameters.md, generated from the declarations the loaders check
against (wattcad.core.param_schema), so the docs cannot drift from what is checked:

    python -m wattcad.docs_tables --doc docs/parameters.md [--check]

It lives outside wattcad.core because it imports the rooms' schemas (enclosure, kicad), and the
core imports nothing above it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from wattcad.ade7816.params import BOARD_SCHEMA
from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK, InputError
from wattcad.core.fileio import write_atomic
from wattcad.core.param_schema import markdown_table
from wattcad.enclosure.params import enclosure_schema

BEGIN, END = "<!-- parameters:begin -->", "<!-- parameters:end -->"
DOC = Path("docs") / "parameters.md"


def parameters_region() -> str:
    """The generated tables: the enclosure's parameters, then the ADE7816 board's."""
    enclosure = ("Enclosure parameters (`wattcad enclosure --params FILE`, `wattcad build --enclosure-params FILE`, "
                 "`enclosure:` in `wattcad.yaml`); the defaults are `enclosure/params.yaml`'s:")
    board = "Board parameters (`examples/ade7816/data/board.yaml`, `wattcad ade7816 schematic --params FILE`):"
    return "\n".join(["## Enclosure", "", enclosure, "", markdown_table(enclosure_schema()), "",
                      "## The ADE7816 board", "", board, "", markdown_table(BOARD_SCHEMA)])


def replace_region(text: str, region: str, where=DOC) -> str:
    """TEXT with what lies between the BEGIN and END markers replaced by REGION."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise InputError(where, None, f"no {BEGIN} ... {END} region to write the parameter tables into")
    return f"{text[:start + len(BEGIN)]}\n{region}\n{text[end:]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wattcad.docs_tables", description=__doc__.split("\n\n")[0])
    ap.add_argument("--doc", metavar="FILE", default=str(DOC),
                    help=f"the Markdown file whose parameter region to rewrite (default: {DOC})")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when the region is out of date")
    args = ap.parse_args(argv)
    path = Path(args.doc)
    text = path.read_text(encoding="utf-8")
    new = replace_region(text, parameters_region(), path)
    if args.check or new == text:
        print(f"{path}: parameter tables {'up to date' if new == text else 'out of date'}")
        return EXIT_OK if new == text else EXIT_MISMATCH
    write_atomic(path, new)
    print(f"{path}: parameter tables rewritten")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
