"""pcbnew action plugin "Check board (wattcad)": the checks of `wattcad check` (ERC, DRC with parity,
fabrication readiness, footprints, mating parts, the registered checks) on the open board, reports written
beside the board."""
from __future__ import annotations

from pathlib import Path

from wattcad.checks import Project, project_checks, summary_text, write_reports
from wattcad.kicad.plugins.base import WattcadPlugin, scratch_project, show_text


def check_open_board(board, enclosure: bool = False):
    """Check `board` as it is in memory: saved into a scratch copy of its project (the project's
    files copied, its folders linked, so ${KIPRJMOD} paths still resolve)."""
    board_file = Path(board.GetFileName())
    with scratch_project(board) as scratch_file:
        project = Project(scratch_file.parent, board_file.stem)
        results = project_checks(project, enclosure=enclosure)
    real = Project(board_file.parent, board_file.stem)
    return real, results, write_reports(real, results, board_file.parent)


class CheckBoardPlugin(WattcadPlugin):
    label = "Check board"
    help = "ERC, DRC with parity, fabrication readiness, footprints, mating parts and the registered checks, as `wattcad check`"
    icon = "check_board"

    def Run(self):
        project, self.last_results, self.report_paths = check_open_board(self.get_board())
        self.last_text = summary_text(project, self.last_results)
        show_text("wattcad: board checks", self.last_text)
