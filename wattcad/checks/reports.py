"""The check's reports: JUnit XML (for CI), JSON (for machines) and a summary (for people)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path

from wattcad import __version__
from wattcad.checks.project import Project
from wattcad.checks.registry import CHECKS
from wattcad.checks.result import CheckResult, exit_code, warning_counts
from wattcad.core.errors import EXIT_OK
from wattcad.core.fileio import write_atomic


def kicad_release() -> str:
    """The KiCad the checks ran on ('9.0.8', '10.0.6'), or why there is none."""
    from wattcad.kicad.versions import kicad_release as installed

    return installed() or "unknown (kicad-cli missing, or it did not say its version)"


def summary_text(project: Project, results: list[CheckResult]) -> str:
    """One line per check; a group of many (the footprints) as one line of counts plus the ones
    that did not pass."""
    lines = [f"wattcad check {project.dir / project.name} (KiCad {kicad_release()})"]
    whole = {c.group for c in CHECKS.values() if c.whole}  # a table people read whole (the analog budget)
    for group in dict.fromkeys(r.group for r in results):
        members = [r for r in results if r.group == group]
        if len(members) > 3 and group not in whole:
            counts = ", ".join(f"{sum(r.status == s for r in members)} {s}" for s in ("pass", "fail", "skip"))
            worst = "FAIL" if any(r.status == "fail" for r in members) else "PASS"
            lines.append(f"  {worst:5s} {group:10s} {len(members)} checked: {counts}")
            shown = [r for r in members if r.status != "pass"]
        else:
            shown = members
        for r in shown:
            lines.append(f"  {r.status.upper():5s} {group:10s} {r.name}: {r.message}")
            if r.status == "fail":
                lines += [f"          - {d}" for d in r.details[:20]]
        kinds = warning_counts(members)
        if kinds:
            lines.append(f"  WARN  {group:10s} {sum(kinds.values())} warnings, none blocks the fab: "
                         + ", ".join(f"{kind} {n}" for kind, n in kinds.items()))
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "skip")}
    lines.append(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return "\n".join(lines)


def to_json(project: Project, results: list[CheckResult]) -> str:
    return json.dumps({"tool": "wattcad check", "version": __version__, "kicad": kicad_release(),
                       "project": str(project.dir / project.name),
                       "passed": exit_code(results) == EXIT_OK, "checks": [asdict(r) for r in results]},
                      indent=2, sort_keys=True) + "\n"


def to_junit(project: Project, results: list[CheckResult]) -> str:
    suites = ET.Element("testsuites", name="wattcad check")
    kicad = kicad_release()
    for group in dict.fromkeys(r.group for r in results):
        members = [r for r in results if r.group == group]
        suite = ET.SubElement(suites, "testsuite", name=f"wattcad.{group}", tests=str(len(members)),
                              failures=str(sum(r.status == "fail" for r in members)),
                              skipped=str(sum(r.status == "skip" for r in members)),
                              time=f"{max((r.seconds for r in members), default=0):.2f}")
        props = ET.SubElement(suite, "properties")  # what ran it (JUnit's place for it is the suite)
        ET.SubElement(props, "property", name="kicad", value=kicad)
        ET.SubElement(props, "property", name="wattcad", value=__version__)
        for r in members:
            case = ET.SubElement(suite, "testcase", classname=f"{project.name}.{group}", name=r.name, time=f"{r.seconds:.2f}")
            if r.status == "fail":
                ET.SubElement(case, "failure", message=r.message).text = "\n".join(r.details) or r.message
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=r.message)
            else:
                ET.SubElement(case, "system-out").text = "\n".join([r.message, *(f"warning: {w}" for w in r.warnings)])
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_reports(project: Project, results: list[CheckResult], out_dir: Path) -> list[Path]:
    """The three reports into OUT_DIR; a project inside it is named relative to it (a build's
    reports do not depend on where the build ran)."""
    if project.dir.resolve().is_relative_to(Path(out_dir).resolve()):
        project = Project(project.dir.resolve().relative_to(Path(out_dir).resolve()), project.name)
    return [write_atomic(Path(out_dir) / "wattcad-check.xml", to_junit(project, results)),
            write_atomic(Path(out_dir) / "wattcad-check.json", to_json(project, results)),
            write_atomic(Path(out_dir) / "wattcad-check.txt", summary_text(project, results) + "\n")]
