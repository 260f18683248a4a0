"""Footprint verification of a pcbnew BOARD in memory: the core both the CLI and the action plugin call."""
from __future__ import annotations

from wattcad.core.placement import natural_key
from wattcad.footprints.spec import spec_for_part
from wattcad.footprints.verify import Report, format_table, verify_footprint

from .pcbnew_footprints import board_footprints


def verify_board(board) -> list[Report]:
    source = board.GetFileName() or "(unsaved board)"
    reports = []
    for fp in sorted(board_footprints(board), key=lambda f: natural_key(f.reference)):
        subject = source if source.endswith(".kicad_pcb") else source + ".kicad_pcb"
        reports.append(verify_footprint(fp, spec_for_part(fp.value, fp.name), subject=subject))
    return reports


def report_text(reports: list[Report]) -> str:
    lines = [format_table(reports), ""]
    lines += [r.summary() for r in reports if r.status in ("fail", "warn", "error")]
    return "\n".join(lines).rstrip() + "\n"
