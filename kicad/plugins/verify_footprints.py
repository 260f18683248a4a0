"""pcbnew action plugin "Verify footprints": runs wattcad's verifier on the open board."""
from __future__ import annotations

from pathlib import Path

from wattcad.core.fileio import write_atomic
from wattcad.kicad.board_checks import report_text, verify_board
from wattcad.kicad.plugins.base import WattcadPlugin, show_text


class VerifyFootprintsPlugin(WattcadPlugin):
    label = "Verify footprints"
    help = "Check every footprint against its package spec, its own name and IPC-7351B rules"
    icon = "verify_footprints"

    def Run(self):
        board = self.get_board()
        reports = verify_board(board)
        text = report_text(reports)
        self.last_reports, self.last_text = reports, text
        board_file = board.GetFileName()
        if board_file:
            self.report_path = write_atomic(Path(board_file).with_suffix(".footprints.txt"), text)
        show_text("wattcad: footprint verification", text)

