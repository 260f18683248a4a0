"""Every footprint against its package spec; a module against the pin map of what plugs in (mating)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from wattcad.checks.project import Project
from wattcad.checks.registry import DEFAULT, Check, Context, register_check
from wattcad.checks.result import CheckResult


def host_board_reader(scratch_dir: Path):
    """KiCad's own board reader when KiCad is installed (anything KiCad opens, wattcad reads, old
    formats upgraded in SCRATCH_DIR), else None: the pure reader. A board already in this KiCad's
    format is read as it is (None: no copy) unless `force` (the pure parse refused it): loading and
    saving a 70 MB board through pcbnew took 50 s of a 76 s verify."""
    try:
        from wattcad.kicad.board_io import board_format, current_format_copy, kicad_major, kicad_version
        from wattcad.kicad.versions import too_new
    except ImportError:
        return None

    def read(path: Path, force: bool = False):
        # A board newer than this KiCad: wattcad's own reader reads it, and the report says so.
        newer = too_new(path, kicad_major()) if Path(path).is_file() else ""
        if newer:
            return None, (f"{newer}; this machine has KiCad {kicad_version()}, which cannot read it: "
                          f"read with wattcad's own reader")
        version, release = board_format(path) if Path(path).is_file() else (None, "")
        if not force and version is not None and not release:
            return None, ""
        return current_format_copy(path, scratch_dir)

    return read


def check_footprints(project: Project, context: Context = DEFAULT) -> list[CheckResult]:
    """One result per footprint: checked against its package spec where there is one; the others
    are skipped, by name. A part whose spec says what mates with it (a module's pin map) is reported
    in the `mating` group: it is the check that a Feather plugs in."""
    from wattcad.footprints.spec import find_spec
    from wattcad.footprints.verify import UNMATCHED_WHY, unmatched_ics, verify_paths

    strict = context.strict
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
        warnings = [f"[{f.check}] {r.reference or r.footprint}: {f.message}" for f in r.findings if f.severity == "warning"]
        spec = find_spec(r.spec_name) if r.spec_name else None
        if spec is not None and "mates" in spec.options:
            message = (f"{r.reference}: every pad within {spec.position_tolerance_mm:g} mm of the pin map of the "
                       f"{spec.options['mates']}" if status == "pass" else f"{r.reference} does not mate: {r.summary()}")
            results.append(CheckResult("mating", f"{r.reference} {r.footprint} mates with {spec.title}", status, message,
                                       details, warnings=warnings))
        else:
            message = r.summary() if r not in unmatched else (
                f"{r.reference} ({r.value or 'no value'}, {r.footprint}, {r.pads} pads): {UNMATCHED_WHY}")
            results.append(CheckResult("footprints", label, status, message, details, warnings=warnings))
    if reports and not any(r.matched for r in reports):
        results.append(CheckResult("footprints", "parts matched", "fail" if strict else "skip",
                                   "no part on the board matched a package spec or a footprint name with dimensions"))
    return results


register_check(Check("footprints", check_footprints, 30))
