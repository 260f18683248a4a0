"""DRC with schematic parity, and the fabrication gate (routed, DRC-clean)."""
from __future__ import annotations

from wattcad.checks.project import Project
from wattcad.checks.registry import DEFAULT, Check, Context, register_check
from wattcad.checks.result import CheckResult


def check_drc(project: Project, context: Context = DEFAULT) -> list[CheckResult]:
    """DRC with parity, and the fabrication gate: a board with unrouted connections or DRC errors is
    not for the fab (`allow_unrouted` lets work in progress through, reported as skipped)."""
    from wattcad.kicad.drc import run_drc

    rules, allow_unrouted = context.rules, context.allow_unrouted
    if not project.board.is_file():
        return [CheckResult("drc", "DRC", "skip", f"{project.board.name} not found")]
    # Parity needs a schematic KiCad reads whole: a legacy one, or none (a lone board), gets DRC alone.
    drc = run_drc(project.board, rules, parity=project.parity)
    name = "DRC with schematic parity" if project.parity else \
        f"DRC (no schematic parity: {'no schematic, a lone board' if project.lone_board else 'legacy schematic'})"
    results = [CheckResult("drc", name, "pass" if drc.clean else "fail", drc.summary(),
                           drc.setup_problems + drc.errors + drc.parity + drc.courtyard_overlaps + drc.notes,
                           warnings=drc.parity_warnings)]
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


register_check(Check("drc", check_drc, 20))
