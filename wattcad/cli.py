"""The `wattcad` command: gathers the commands (wattcad/commands/, one module each, and those of the
packages that generate example projects) and maps errors and signals to exit codes."""
from __future__ import annotations

import argparse
import importlib
import signal
import sys

from wattcad import __version__
from wattcad.core.errors import Interrupted, WattcadError
from wattcad.core.processes import interrupts_raise


def parser() -> argparse.ArgumentParser:
    from wattcad.commands import COMMANDS
    from wattcad.pipeline.config import GENERATORS

    p = argparse.ArgumentParser(prog="wattcad", description="KiCad projects checked, fabricated, enclosed and rendered; "
                                                            "footprints verified against their packages")
    p.add_argument("--version", action="version", version=f"wattcad {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"wattcad.commands.{name}").add(sub)
    for package in GENERATORS.values():
        try:
            commands = importlib.import_module(f"{package}.commands")
        except ModuleNotFoundError:
            continue
        commands.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    if argv is None and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `wattcad ... | head` ends quietly
    args = parser().parse_args(argv)
    try:
        with interrupts_raise():
            return args.func(args)
    except WattcadError as exc:
        print(f"wattcad: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Interrupted as exc:
        print(f"wattcad: {exc}; stopped", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
