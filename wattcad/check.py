"""`wattcad check [PROJECT_DIR]`: ERC, DRC with schematic parity, footprint verification and the
enclosure fit of a KiCad 9 project (wattcad's or anyone's), as JUnit XML, JSON and a readable
summary. The same function runs from the CLI, from the build and from the pcbnew plugin."""
from __future__ import annotations

import json
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wattcad import __version__
from wattcad.errors import EXIT_MISMATCH, EXIT_OK, InputError
from wattcad.fileio import write_atomic


@dataclass
class CheckResult:
    group: str  # erc | drc | footprints | enclosure
    name: str
    status: str  # pass | fail | skip
    message: str = ""
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Project:
    dir: Path
    name: str

    @property
    def schematic(self) -> Path:
        return self.dir / f"{self.name}.kicad_sch"

    @property
    def board(self) -> Path:
        return self.dir / f"{self.name}.kicad_pcb"


def find_project(path: Path) -> Project:
    """A folder with one .kicad_pro (or a .kicad_pro / .kicad_pcb file given directly)."""
    path = Path(path)
    if path.is_file() and path.suffix in (".kicad_pro", ".kicad_pcb", ".kicad_sch"):
        return Project(path.parent, path.stem)
    if not path.is_dir():
        raise InputError(path, None, "no such project folder")
    pros = sorted(path.glob("*.kicad_pro"))
    if len(pros) != 1:
        found = ", ".join(p.name for p in pros) or "none"
        raise InputError(path, "*.kicad_pro", f"expected one KiCad project file, found {found}; name the .kicad_pro")
    return Project(path, pros[0].stem)


def _timed(fn) -> list[CheckResult]:
    """Run one group of checks; each result carries the group's time (JUnit wants one per case)."""
    started = time.perf_counter()
    results = fn()
    for r in results:
        r.seconds = round(time.perf_counter() - started, 2)
    return results


def check_erc(project: Project, strict: bool = False) -> list[CheckResult]:
    from wattcad.kicad.schematic import run_erc

    if not project.schematic.is_file():
        return [CheckResult("erc", "ERC", "skip", f"{project.schematic.name} not found")]
    erc = run_erc(project.dir, project.name, [])
    failing = erc["errors"] + erc["library_issues"] + (erc["unwaived_warnings"] if strict else [])
    message = (f"{len(erc['errors'])} errors, {len(erc['unwaived_warnings'])} warnings, "
               f"{len(erc['library_issues'])} library issues")
    return [CheckResult("erc", "ERC", "fail" if failing else "pass", message,
                        erc["errors"] + erc["library_issues"] + erc["unwaived_warnings"])]


def check_drc(project: Project, rules: dict | None) -> list[CheckResult]:
    from wattcad.kicad.drc import run_drc

    if not project.board.is_file():
        return [CheckResult("drc", "DRC", "skip", f"{project.board.name} not found")]
    drc = run_drc(project.board, rules)
    return [CheckResult("drc", "DRC with schematic parity", "pass" if drc.clean else "fail", drc.summary(),
                        drc.setup_problems + drc.errors + drc.parity + drc.courtyard_overlaps)]


def check_footprints(project: Project) -> list[CheckResult]:
    """One result per footprint: checked against its package spec where there is one; the others
    are skipped, by name."""
    from wattcad.footprints.verify import verify_paths

    if not project.board.is_file():
        return [CheckResult("footprints", "footprints", "skip", f"{project.board.name} not found")]
    results = []
    for r in verify_paths([project.board]):
        label = f"{r.reference} {r.footprint}".strip() or r.subject
        if r.status in ("fail", "error"):
            status = "fail"
        elif r.status == "unchecked":
            status = "skip"  # no package spec and no dimensions in its name
        else:
            status = "pass"
        results.append(CheckResult("footprints", label, status, r.summary(),
                                   [f"[{f.check}] {f.message}" for f in r.findings]))
    return results


def check_enclosure(project: Project) -> list[CheckResult]:
    from wattcad.enclosure_job import build_enclosure

    if not project.board.is_file():
        return [CheckResult("enclosure", "enclosure fit", "skip", f"{project.board.name} not found")]
    with tempfile.TemporaryDirectory(prefix="wattcad-check-") as tmp:
        try:
            fit = build_enclosure(project.board, Path(tmp) / "enclosure", views=False).fit
        except InputError as exc:  # no outline, say: no enclosure can be built around it
            return [CheckResult("enclosure", "enclosure fit", "fail", str(exc))]
    collisions = [f"{c['part']} collides with the {c['with']}: {c['volume_mm3']} mm3" for c in fit["collisions"]]
    message = (f"interference {fit['interference_mm3']} mm3, smallest clearance {fit['min_clearance_mm']} mm "
               f"({' / '.join(fit['min_clearance_between'])})")
    return [CheckResult("enclosure", "enclosure fit", "pass" if fit["fits"] else "fail", message, collisions)]


def run_checks(path: Path, enclosure: bool = True, strict: bool = False) -> tuple[Project, list[CheckResult]]:
    project = find_project(path)
    rules = _wattcad_rules(project)
    results = _timed(lambda: check_erc(project, strict))
    results += _timed(lambda: check_drc(project, rules))
    results += _timed(lambda: check_footprints(project))
    if enclosure:
        results += _timed(lambda: check_enclosure(project))
    return project, results


def _wattcad_rules(project: Project) -> dict | None:
    """wattcad's own fab rules for its own boards; a user's project is checked against its own."""
    from wattcad.kicad.params import load_board_params

    params = load_board_params()
    return params.pcb["rules"] if project.name.startswith(params.name) else None


def exit_code(results: list[CheckResult]) -> int:
    return EXIT_MISMATCH if any(r.status == "fail" for r in results) else EXIT_OK


def summary_text(project: Project, results: list[CheckResult]) -> str:
    """One line per check; a group of many (the footprints) as one line of counts plus the ones
    that did not pass."""
    lines = [f"wattcad check {project.dir / project.name}"]
    for group in dict.fromkeys(r.group for r in results):
        members = [r for r in results if r.group == group]
        if len(members) > 3:
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
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "skip")}
    lines.append(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return "\n".join(lines)


def to_json(project: Project, results: list[CheckResult]) -> str:
    return json.dumps({"tool": "wattcad check", "version": __version__, "project": str(project.dir / project.name),
                       "passed": exit_code(results) == EXIT_OK, "checks": [asdict(r) for r in results]},
                      indent=2, sort_keys=True) + "\n"


def to_junit(project: Project, results: list[CheckResult]) -> str:
    suites = ET.Element("testsuites", name="wattcad check")
    for group in dict.fromkeys(r.group for r in results):
        members = [r for r in results if r.group == group]
        suite = ET.SubElement(suites, "testsuite", name=f"wattcad.{group}", tests=str(len(members)),
                              failures=str(sum(r.status == "fail" for r in members)),
                              skipped=str(sum(r.status == "skip" for r in members)),
                              time=f"{max((r.seconds for r in members), default=0):.2f}")
        for r in members:
            case = ET.SubElement(suite, "testcase", classname=f"{project.name}.{group}", name=r.name, time=f"{r.seconds:.2f}")
            if r.status == "fail":
                ET.SubElement(case, "failure", message=r.message).text = "\n".join(r.details) or r.message
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=r.message)
            else:
                ET.SubElement(case, "system-out").text = r.message
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_reports(project: Project, results: list[CheckResult], out_dir: Path) -> list[Path]:
    return [write_atomic(Path(out_dir) / "wattcad-check.xml", to_junit(project, results)),
            write_atomic(Path(out_dir) / "wattcad-check.json", to_json(project, results)),
            write_atomic(Path(out_dir) / "wattcad-check.txt", summary_text(project, results) + "\n")]
