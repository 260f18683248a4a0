"""`wattcad check [PROJECT_DIR]`: ERC, DRC with schematic parity, fabrication readiness (routed,
DRC-clean), footprint verification, mating parts (a module's pin map), the analog budget and the
enclosure fit of a KiCad 9 project (wattcad's or anyone's), as JUnit XML, JSON and a readable
summary. One function (`project_checks`) runs them for the CLI, the build and the pcbnew plugin."""
from __future__ import annotations

import json
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from wattcad import __version__
from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK, InputError
from wattcad.core.fileio import write_atomic


@dataclass
class CheckResult:
    group: str  # erc | drc | fabrication | footprints | mating | analog | enclosure
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
        """The KiCad 6+ schematic, or a KiCad 4/5 project's legacy .sch when that is all there is."""
        current, legacy = self.dir / f"{self.name}.kicad_sch", self.dir / f"{self.name}.sch"
        return legacy if not current.is_file() and legacy.is_file() else current

    @property
    def legacy(self) -> bool:
        return self.schematic.suffix == ".sch"

    @cached_property
    def legacy_gap(self) -> str:
        """Why KiCad's checks of this legacy schematic would be hollow ('' when they are not, or
        when the schematic is not legacy); ERC and DRC both ask, kicad-cli is run once."""
        return legacy_parts_missing(self) if self.legacy else ""

    @property
    def board(self) -> Path:
        return self.dir / f"{self.name}.kicad_pcb"


def find_project(path: Path) -> Project:
    """A folder with one .kicad_pro (or a .kicad_pro / .kicad_pcb file given directly)."""
    path = Path(path)
    if path.is_file() and path.suffix in (".kicad_pro", ".kicad_pcb", ".kicad_sch", ".pro", ".sch"):
        return Project(path.parent, path.stem)
    if not path.is_dir():
        raise InputError(path, None, "no such project folder")
    # KiCad 6+ projects, else KiCad 4/5 ones (.pro): those are checked on an upgraded copy.
    pros = sorted(path.glob("*.kicad_pro")) or sorted(path.glob("*.pro"))
    if len(pros) != 1:
        found = ", ".join(p.name for p in pros) or "none"
        raise InputError(path, "*.kicad_pro", f"expected one KiCad project file (.kicad_pro, or a KiCad 4/5 .pro), "
                                              f"found {found}; name the project file")
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
    if project.legacy_gap:
        return [CheckResult("erc", "ERC", "skip", project.legacy_gap)]
    erc = run_erc(project.dir, project.name, [], schematic=project.schematic)
    failing = erc["errors"] + erc["library_issues"] + (erc["unwaived_warnings"] if strict else [])
    message = (f"{len(erc['errors'])} errors, {len(erc['unwaived_warnings'])} warnings, "
               f"{len(erc['library_issues'])} library issues")
    return [CheckResult("erc", "ERC", "fail" if failing else "pass", message,
                        erc["errors"] + erc["library_issues"] + erc["unwaived_warnings"])]


def legacy_parts_missing(project: Project) -> str:
    """Why KiCad's checks of a legacy schematic would be hollow ('' when they are not): kicad-cli
    9 loads a KiCad 4/5 .sch but drops each symbol whose library it cannot find."""
    from wattcad.core.legacy_schematic import read_parts
    from wattcad.kicad.board_io import kicad_version
    from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist

    parts = read_parts(project.schematic)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = parse_netlist(export_kicad_netlist(project.schematic, Path(tmp) / "legacy.net")).components
    if len(loaded) >= len(parts):
        return ""
    return (f"KiCad {kicad_version()} loaded {len(loaded)} of the {len(parts)} parts of the legacy schematic "
            f"{project.schematic.name} (it drops symbols whose libraries it cannot find); open the project in KiCad 9 "
            f"and save it to check it")


def check_drc(project: Project, rules: dict | None, allow_unrouted: bool = False) -> list[CheckResult]:
    """DRC with parity, and the fabrication gate: a board with unrouted connections or DRC errors is
    not for the fab (`allow_unrouted` lets work in progress through, reported as skipped)."""
    from wattcad.kicad.drc import run_drc

    if not project.board.is_file():
        return [CheckResult("drc", "DRC", "skip", f"{project.board.name} not found")]
    # Parity needs a schematic KiCad 9 reads whole: a legacy one gets DRC alone, and says so.
    parity = not project.legacy_gap
    drc = run_drc(project.board, rules, parity=parity)
    name = "DRC with schematic parity" if parity else "DRC (no schematic parity: legacy schematic)"
    results = [CheckResult("drc", name, "pass" if drc.clean else "fail", drc.summary(),
                           drc.setup_problems + drc.errors + drc.parity + drc.courtyard_overlaps)]
    blockers = drc.fab_blockers
    if not blockers:
        results.append(CheckResult("fabrication", "ready for fabrication", "pass", "routed and DRC-clean"))
    elif allow_unrouted and not drc.errors and not drc.setup_problems:
        results.append(CheckResult("fabrication", "ready for fabrication", "skip",
                                   f"NOT READY: {', '.join(blockers)}; allowed as work in progress (--allow-unrouted)"))
    else:
        results.append(CheckResult("fabrication", "ready for fabrication", "fail",
                                   f"NOT READY: {', '.join(blockers)}; route the board (or pass --allow-unrouted while "
                                   f"it is work in progress)", blockers))
    return results


def host_board_reader(scratch_dir: Path):
    """KiCad's own board reader when KiCad is installed (anything KiCad opens, wattcad reads, old
    formats upgraded in SCRATCH_DIR), else None: the pure reader. A board already in this KiCad's
    format is read as it is (None: no copy) unless `force` (the pure parse refused it): loading and
    saving a 70 MB board through pcbnew took 50 s of a 76 s verify."""
    try:
        from wattcad.kicad.board_io import board_format, current_format_copy
    except ImportError:
        return None

    def read(path: Path, force: bool = False):
        version, release = board_format(path) if Path(path).is_file() else (None, "")
        if not force and version is not None and not release:
            return None, ""
        return current_format_copy(path, scratch_dir)

    return read


def check_footprints(project: Project, strict: bool = False) -> list[CheckResult]:
    """One result per footprint: checked against its package spec where there is one; the others
    are skipped, by name. A part whose spec says what mates with it (a module's pin map) is reported
    in the `mating` group: it is the check that a Feather plugs in."""
    from wattcad.footprints.spec import find_spec
    from wattcad.footprints.verify import UNMATCHED_WHY, unmatched_ics, verify_paths

    if not project.board.is_file():
        return [CheckResult("footprints", "footprints", "skip", f"{project.board.name} not found")]
    results = []
    with tempfile.TemporaryDirectory(prefix="wattcad-check-") as scratch:
        reports = verify_paths([project.board], board_reader=host_board_reader(Path(scratch)))
    unmatched = unmatched_ics(reports)
    for r in reports:
        label = f"{r.reference} {r.footprint}".strip() or r.subject
        if r.status in ("fail", "error"):
            status = "fail"
        elif r.status == "unchecked":
            status = "skip"  # no package spec and no dimensions in its name
        else:
            status = "pass"
        if r in unmatched:
            status = "fail" if strict else "skip"
        details = [f"[{f.check}] {f.message}" for f in r.findings]
        spec = find_spec(r.spec_name) if r.spec_name else None
        if spec is not None and "mates" in spec.options:
            message = (f"{r.reference}: every pad within {spec.position_tolerance_mm:g} mm of the pin map of the "
                       f"{spec.options['mates']}" if status == "pass" else f"{r.reference} does not mate: {r.summary()}")
            results.append(CheckResult("mating", f"{r.reference} {r.footprint} mates with {spec.title}", status, message,
                                       details))
        else:
            message = r.summary() if r not in unmatched else (
                f"{r.reference} ({r.value or 'no value'}, {r.footprint}, {r.pads} pads): {UNMATCHED_WHY}")
            results.append(CheckResult("footprints", label, status, message, details))
    if reports and not any(r.matched for r in reports):
        results.append(CheckResult("footprints", "parts matched", "fail" if strict else "skip",
                                   "no part on the board matched a package spec or a footprint name with dimensions"))
    return results


def check_analog(project: Project, params=None) -> list[CheckResult]:
    """Every ADC input's worst-case peak as a share of full scale, from the schematic's own resistor
    values (KiCad's netlist of it, so a hand edit counts) and the board parameters' worst-case
    sources. Runs where the schematic has the chip of wattcad's pin table; the sources come from
    wattcad's board parameters (kicad/data/board.yaml) for its own boards."""
    from wattcad.core.analog import Excitation, Resistor, input_budgets, parse_ohm
    from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist
    from wattcad.kicad.symbol import load_pin_table

    if not project.schematic.is_file() or project.legacy:
        return []
    table = load_pin_table()
    with tempfile.TemporaryDirectory(prefix="wattcad-analog-") as tmp:
        netlist = parse_netlist(export_kicad_netlist(project.schematic, Path(tmp) / "analog.net"))
    chips = sorted(r for r, c in netlist.components.items() if c.value.upper().startswith(table.part.upper()))
    if not chips:
        return []
    chip = chips[0]
    if params is None:
        return [CheckResult("analog", f"{chip} analog budget", "skip",
                            "no analog source parameters for this project (wattcad's own: kicad/data/board.yaml)")]
    pin_net = netlist.pin_net()
    net_of = {netlist.pin_names.get(node, ""): net for node, net in pin_net.items() if node[0] == chip}
    inputs = {name: (net_of.get(p), net_of.get(n)) for name, (p, n) in table.adc_inputs.items()}
    grounds = {net_of[n] for n in table.ac_ground_pins if n in net_of}
    connectors = ((params.ct_connector, "current", params.ct.worst_peak_a, "CT"),
                  (params.adapter_connector, "voltage", params.adapter.worst_peak_v, "AC adapter"))
    resistors, sources, unread = [], [], []
    for ref, comp in sorted(netlist.components.items()):
        pins = {pin: net for (r, pin), net in pin_net.items() if r == ref}
        if ref.rstrip("0123456789") == "R" and len(pins) == 2 and "dnp" not in comp.properties:
            ohm = parse_ohm(comp.value)
            if ohm is None:
                unread.append(f"{ref} value {comp.value!r} is not a resistance")
            else:
                (_, net_a), (_, net_b) = sorted(pins.items())
                resistors.append(Resistor(ref, ohm, net_a, net_b))
        for connector, kind, peak, what in connectors:
            if comp.value == connector["value"] and connector["signal_pin"] in pins and connector["return_pin"] in pins:
                sources.append(Excitation(f"{ref} ({what})", kind, peak, pins[connector["signal_pin"]],
                                          pins[connector["return_pin"]]))
    results = []
    for b in input_budgets(resistors, grounds, sources, inputs, table.adc_inputs, params.full_scale_v_peak):
        over = b.fraction > params.headroom + 1e-9
        message = (f"{'-'.join(b.pins)}: worst case {b.peak_v * 1000:.0f} mV peak = {b.fraction:.0%} of full scale "
                   f"({params.full_scale_v_peak * 1000:.0f} mV), limit {params.headroom:.0%}; "
                   + (f"driven by {', '.join(b.driven_by)}" if b.driven_by else "no source (input unused)"))
        results.append(CheckResult("analog", f"{chip} input {b.name}", "fail" if over else "pass", message,
                                   [f"input {b.name} over its headroom: {message}"] if over else []))
    if unread:
        results.append(CheckResult("analog", f"{chip} resistor values", "fail", "; ".join(unread), unread))
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


def project_checks(project: Project, rules: dict | None = None, params=None, enclosure: bool = False,
                   strict: bool = False, allow_unrouted: bool = False, timings: bool = True) -> list[CheckResult]:
    """Every check of a project, in the order they are reported: the CLI, the build's check step and
    the pcbnew plugin all come here. `timings` False: reports without times, which then depend on
    the project alone (the build's reports are reproducible)."""
    timed = _timed if timings else (lambda fn: fn())
    results = timed(lambda: check_erc(project, strict))
    results += timed(lambda: check_drc(project, rules, allow_unrouted))
    results += timed(lambda: check_footprints(project, strict))
    results += timed(lambda: check_analog(project, params))
    if enclosure:
        results += timed(lambda: check_enclosure(project))
    return results


def run_checks(path: Path, enclosure: bool = True, strict: bool = False, allow_unrouted: bool = False,
               timings: bool = True) -> tuple[Project, list[CheckResult]]:
    """The checks of the project at PATH; a project of an older KiCad is checked on a copy KiCad
    9 has upgraded, in a scratch folder, and the report says so first."""
    project = find_project(path)
    rules, params = wattcad_settings(project)
    old = old_format(project)
    if not old:
        return project, project_checks(project, rules, params, enclosure, strict, allow_unrouted, timings)
    with tempfile.TemporaryDirectory(prefix="wattcad-upgrade-") as tmp:
        scratch = upgraded_copy(project, Path(tmp))
        results = [CheckResult("input", "read through KiCad 9", "pass",
                               f"{old}: checked on a copy upgraded in a scratch folder; {project.dir} is untouched")]
        results += project_checks(scratch, rules, params, enclosure, strict, allow_unrouted, timings)
    return project, results


# Project files copied to the scratch folder as they are (KiCad reads them in place).
_PROJECT_FILES = ("*.pro", "*.kicad_pro", "*.sch", "*.kicad_sch", "*.lib", "*.dcm", "*.kicad_sym", "*.kicad_dru",
                  "sym-lib-table", "fp-lib-table")


def old_format(project: Project) -> str:
    """What is old about the project ('' if nothing): a KiCad 4/5 project, a board an older KiCad saved."""
    from wattcad.kicad.board_io import board_format

    old = []
    if project.legacy:
        old.append(f"KiCad 4/5 project ({project.schematic.name}, legacy schematic)")
    if project.board.is_file():
        version, release = board_format(project.board)
        if release:
            old.append(f"board {project.board.name} saved by {release} (format {version})")
    return "; ".join(old)


def upgraded_copy(project: Project, scratch: Path) -> Project:
    """The project's files in SCRATCH, its board saved by this KiCad."""
    import shutil

    from wattcad.kicad.board_io import current_format_copy

    for pattern in _PROJECT_FILES:
        for f in sorted(project.dir.glob(pattern)):
            shutil.copy2(f, scratch / f.name)
    if project.board.is_file():
        current_format_copy(project.board, scratch)
    return Project(scratch, project.name)


def wattcad_settings(project: Project):
    """wattcad's own fab rules and analog parameters for its own boards; a user's project is checked
    against its own rules, with no analog parameters."""
    from wattcad.kicad.params import load_board_params

    params = load_board_params()
    return (params.pcb["rules"], params) if project.name.startswith(params.name) else (None, None)


def exit_code(results: list[CheckResult]) -> int:
    return EXIT_MISMATCH if any(r.status == "fail" for r in results) else EXIT_OK


def summary_text(project: Project, results: list[CheckResult]) -> str:
    """One line per check; a group of many (the footprints) as one line of counts plus the ones
    that did not pass."""
    lines = [f"wattcad check {project.dir / project.name}"]
    for group in dict.fromkeys(r.group for r in results):
        members = [r for r in results if r.group == group]
        if len(members) > 3 and group != "analog":  # the analog budget is a table people read whole
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
    """The three reports into OUT_DIR; a project inside it is named relative to it (a build's
    reports do not depend on where the build ran)."""
    if project.dir.resolve().is_relative_to(Path(out_dir).resolve()):
        project = Project(project.dir.resolve().relative_to(Path(out_dir).resolve()), project.name)
    return [write_atomic(Path(out_dir) / "wattcad-check.xml", to_junit(project, results)),
            write_atomic(Path(out_dir) / "wattcad-check.json", to_json(project, results)),
            write_atomic(Path(out_dir) / "wattcad-check.txt", summary_text(project, results) + "\n")]
