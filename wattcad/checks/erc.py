"""ERC through kicad-cli (a legacy schematic KiCad cannot read whole is skipped, and says why)."""
from __future__ import annotations

from wattcad.checks.project import Project
from wattcad.checks.registry import DEFAULT, Check, Context, register_check
from wattcad.checks.result import CheckResult


def check_erc(project: Project, context: Context = DEFAULT) -> list[CheckResult]:
    from wattcad.kicad.erc import run_erc

    strict = context.strict
    if project.lone_board:
        return [CheckResult("erc", "ERC", "skip", f"no schematic beside {project.board.name} (a lone board): ERC and "
                                                  f"schematic parity skipped")]
    if project.legacy_gap:
        return [CheckResult("erc", "ERC", "skip", project.legacy_gap)]
    erc = run_erc(project.dir, project.name, [], schematic=project.schematic)
    failing = erc["errors"] + erc["library_issues"] + (erc["unwaived_warnings"] if strict else [])
    message = (f"{len(erc['errors'])} errors, {len(erc['unwaived_warnings'])} warnings, "
               f"{len(erc['library_issues'])} library issues")
    return [CheckResult("erc", "ERC", "fail" if failing else "pass", message,
                        erc["errors"] + erc["library_issues"] + erc["unwaived_warnings"])]


register_check(Check("erc", check_erc, 10))
