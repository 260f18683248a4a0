"""The checks `wattcad check` runs, one registry: each check is a module that registers a Check (the
built-in ones under wattcad/checks/, others through the `wattcad.checks` entry point group), and may
register the design rules a project's DRC is held to."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points


@dataclass(frozen=True)
class Check:
    group: str  # names its results' group (erc, drc, footprints, ...)
    run: Callable  # run(project, context) -> list[CheckResult]
    order: int  # where its results stand in the reports
    optional: bool = False  # run only when asked (the enclosure fit: --no-enclosure)
    whole: bool = False  # the summary shows every result, not counts (a table people read whole)


@dataclass(frozen=True)
class Context:
    rules: dict | None  # fab rules the board's design rules must meet (None: the board's own)
    strict: bool = False
    allow_unrouted: bool = False


DEFAULT = Context(None)  # a check called on its own: the board's own rules, not strict
CHECKS: dict[str, Check] = {}
RULES: list[Callable] = []  # rules(project) -> dict of fab rules, or None when not its project
BUILTIN = ("erc", "drc", "footprints", "enclosure")


def register_check(check: Check) -> Check:
    CHECKS[check.group] = check
    return check


def register_rules(provider: Callable) -> Callable:
    if provider not in RULES:
        RULES.append(provider)
    return provider


_declared: list[str] = []  # the modules imported for the registry, once a process (entry points scan metadata)


def load_checks() -> list[Check]:
    """Every check, in report order: the built-in ones, then those installed packages declare."""
    if not _declared:
        _declared.extend([f"wattcad.checks.{name}" for name in BUILTIN] + [ep.value for ep in entry_points(group="wattcad.checks")])
        for module in _declared:
            importlib.import_module(module)
    return sorted(CHECKS.values(), key=lambda c: (c.order, c.group))


def project_rules(project) -> dict | None:
    """The fab rules a registered package holds PROJECT to (its own boards), else None."""
    load_checks()
    for provider in RULES:
        rules = provider(project)
        if rules is not None:
            return rules
    return None
