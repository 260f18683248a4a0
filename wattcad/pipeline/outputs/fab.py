"""The fab output: positions, BOM and interactive BOM for review, and the gerber + drill zip only for
a board that is routed, DRC-clean, its schematic (parity) and whose footprints fit their parts."""
from __future__ import annotations

import tempfile
from pathlib import Path

from wattcad.pipeline.engine import Outcome
from wattcad.pipeline.outputs import Output, register


def physical_blockers(project) -> list[str]:
    """A footprint that does not fit its part, a module that does not plug in: a board with one is
    not for the fab whatever DRC says (DRC checks copper against rules, not against the parts)."""
    from wattcad.checks.footprints import check_footprints

    return [f"{r.group} check fails for {r.name}" for r in check_footprints(project) if r.status == "fail"]


def fab_outcome(fab, blockers: list[str]) -> Outcome:
    """The fab step's result: gerbers only for a board nothing blocks; the rest for review either way."""
    from wattcad.kicad.fab import IBOM_MISSING

    made = [fab.positions, fab.ibom, fab.bom, fab.gerber_zip]
    review = ", ".join(n for n, f in (("positions", fab.positions), ("BOM", fab.bom), ("iBOM", fab.ibom)) if f)
    notes = [] if fab.ibom else [IBOM_MISSING]
    if blockers:
        return Outcome(made, "blocked", f"NOT FOR THE FAB: {', '.join(blockers)}; no gerbers written ({review} for review)",
                       notes)
    return Outcome(made, "made", f"{len(fab.gerber_files)} gerber/drill files zipped, {review}", notes)


def snapshot(project, scratch: Path, out: Path):
    """The project in SCRATCH, the board among the files copied as they are (parity and ${KIPRJMOD}
    paths still resolve through the linked folders); not OUT."""
    from wattcad.checks import Project
    from wattcad.core.fileio import mirror_folder

    mirror_folder(project.dir, scratch, leave_out=out)
    return Project(scratch, project.name)


def run(pipeline, section) -> Outcome:
    from wattcad.checks import find_project, old_format, upgraded_copy
    from wattcad.kicad.board_checks import via_in_pad_notes
    from wattcad.kicad.drc import run_drc
    from wattcad.kicad.fab import write_fab_outputs

    source = find_project(section.project_file)
    with tempfile.TemporaryDirectory(prefix="wattcad-fab-") as tmp:
        # One copy is checked and fabricated (a board saved meanwhile waits for the next build); a board
        # an older KiCad saved is made from a copy KiCad 9 has read; a project the build made is read in place.
        if old_format(source):
            project = upgraded_copy(source, Path(tmp))
        elif source.dir.resolve().is_relative_to(pipeline.out):
            project = source
        else:
            project = snapshot(source, Path(tmp), pipeline.out)
        # Parity needs a schematic KiCad 9 reads whole (as the check step decides): a legacy one gets DRC alone.
        blockers = run_drc(project.board, section.rules, parity=source.parity).fab_blockers
        blockers += physical_blockers(project)
        notes = via_in_pad_notes(project.board)
        fab = write_fab_outputs(project.board, section.dir / "fab", section.bom, gerbers=not blockers, notes=notes)
    outcome = fab_outcome(fab, blockers)
    if notes and fab.gerber_zip:
        outcome.notes.append(f"fab-notes.txt in the gerber zip: {len(notes) - 2} pads with vias in their paste "
                             "openings, to be filled and capped")
    return outcome


register(Output("fab", "positions, interactive BOM; gerbers + drill zip once routed, DRC-clean and every footprint "
                       "fits its part", run,
                files=(("fab/{name}-gerbers.zip", "gerbers + drill (zip, for the fab)"),
                       ("fab/{name}-pos.csv", "pick-and-place positions"), ("fab/{name}-bom.csv", "BOM (CSV, with MPNs)"),
                       ("fab/{name}-ibom.html", "interactive HTML BOM"))))
