"""The check output: `wattcad check`'s checks of the section's project (ERC, DRC with parity, fab
readiness, footprints, mating, and the checks other packages register), reported as JUnit, JSON and text."""
from __future__ import annotations

from wattcad.pipeline.engine import Outcome
from wattcad.pipeline.outputs import Output, register


def run(pipeline, section) -> Outcome:
    from wattcad.checks import run_checks, write_reports

    # Unrouted is work in progress in a build: the check says so, and the fab step refuses it.
    project, results = run_checks(section.project_file, enclosure=False, allow_unrouted=True, timings=False)
    files = write_reports(project, results, section.dir)
    failed = [r for r in results if r.status == "fail"]
    detail = f"{sum(r.status == 'pass' for r in results)} of {len(results)} checks pass"
    if failed:
        detail += f": {', '.join(r.name for r in failed[:3])} fail{'s' if len(failed) == 1 else ''}"
    warnings = sum(len(r.warnings) for r in results)
    if warnings:
        detail += f"; {warnings} warning{'s' if warnings != 1 else ''} (see wattcad-check.txt)"
    fab = next((r for r in results if r.group == "fabrication"), None)
    if fab is not None and fab.status != "pass":
        detail += f"; {fab.message.split(';')[0]}"
    return Outcome(files, "fail" if failed else "pass", detail)


register(Output("check", "ERC, DRC with parity, fab readiness, footprints, mating and the registered checks (wattcad check)",
                run, files=(("wattcad-check.xml", "checks: JUnit XML"), ("wattcad-check.txt", "checks: summary"))))
