"""`wattcad check [PROJECT]`: every registered check of a KiCad project (wattcad's or anyone's) —
ERC, DRC with schematic parity and the fabrication gate, footprints and mating parts, the checks
installed packages register, the enclosure fit — as JUnit XML, JSON and a readable summary. One
function (`project_checks`) runs them for the CLI, the build's check step and the pcbnew plugin."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from wattcad.checks.project import Project, find_project, old_format, upgraded_copy
from wattcad.checks.registry import Context, load_checks, project_rules
from wattcad.checks.reports import kicad_release, summary_text, to_json, to_junit, write_reports
from wattcad.checks.result import CheckResult, exit_code

__all__ = ["CheckResult", "Project", "exit_code", "find_project", "old_format", "project_checks", "run_checks",
           "summary_text", "to_json", "to_junit", "upgraded_copy", "write_reports"]


def project_checks(project: Project, rules: dict | None = None, enclosure: bool = False, strict: bool = False,
                   allow_unrouted: bool = False, timings: bool = True) -> list[CheckResult]:
    """Every check of PROJECT, in report order (RULES: the fab rules its DRC is held to; default: a
    registered package's, for its own boards). `timings` False: reports without times, which then
    depend on the project alone (the build's reports are reproducible)."""
    context = Context(rules if rules is not None else project_rules(project), strict, allow_unrouted)
    results = []
    for check in load_checks():
        if check.optional and not enclosure:
            continue
        started = time.perf_counter()
        found = check.run(project, context)
        for r in found:  # each result carries its group's time (JUnit wants one per case)
            r.seconds = round(time.perf_counter() - started, 2) if timings else 0.0
        results += found
    return results


def run_checks(path: Path, enclosure: bool = True, strict: bool = False, allow_unrouted: bool = False,
               timings: bool = True) -> tuple[Project, list[CheckResult]]:
    """The checks of the project at PATH; a project of an older KiCad is checked on a copy KiCad
    has upgraded, in a scratch folder, and the report says so first."""
    from wattcad.kicad.versions import project_files, require_readable

    project = find_project(path)
    require_readable(project_files(project.dir), "wattcad check")
    rules = project_rules(project)
    old = old_format(project)
    if not old:
        return project, project_checks(project, rules, enclosure, strict, allow_unrouted, timings)
    with tempfile.TemporaryDirectory(prefix="wattcad-upgrade-") as tmp:
        scratch = upgraded_copy(project, Path(tmp))
        lone = ("; no project file: DRC holds the board to the rules its file carries and KiCad's defaults for the rest"
                if project.file == project.board else "")
        results = [CheckResult("input", f"read through KiCad {kicad_release()}", "pass",
                               f"{old}: checked on a copy upgraded in a scratch folder; {project.dir} is untouched{lone}")]
        results += project_checks(scratch, rules, enclosure, strict, allow_unrouted, timings)
    return project, results
