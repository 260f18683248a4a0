"""pcbnew action plugin "Verify footprints": runs wattcad's verifier on the open board."""
from __future__ import annotations

from pathlib import Path

import pcbnew

from wattcad.fileio import write_atomic
from wattcad.kicad.board_checks import report_text, verify_board


class VerifyFootprintsPlugin(pcbnew.ActionPlugin):
    def defaults(self):
        self.name = "Verify footprints (wattcad)"
        self.category = "wattcad"
        self.description = "Check every footprint against its package spec, its own name and IPC-7351B rules"
        self.show_toolbar_button = True

    def get_board(self):
        """The board to act on; one place a test can hand a board loaded with pcbnew.LoadBoard."""
        return pcbnew.GetBoard()

    def Run(self):
        board = self.get_board()
        reports = verify_board(board)
        text = report_text(reports)
        self.last_reports, self.last_text = reports, text
        board_file = board.GetFileName()
        if board_file:
            self.report_path = write_atomic(Path(board_file).with_suffix(".footprints.txt"), text)
        self.show(text)

    def show(self, text: str) -> None:
        show_text("wattcad: footprint verification", text)


def show_text(title: str, text: str) -> None:
    """In KiCad, a dialog with the text; headless (tests, kicad-cli), print it."""
    try:
        import wx

        if wx.GetApp() is not None:
            dlg = wx.Dialog(None, title=title, size=(1000, 600), style=wx.DEFAULT_DIALOG_STYLE | wx.RESIZE_BORDER)
            box = wx.TextCtrl(dlg, value=text, style=wx.TE_MULTILINE | wx.TE_READONLY | wx.HSCROLL)
            box.SetFont(wx.Font(9, wx.FONTFAMILY_TELETYPE, wx.FONTSTYLE_NORMAL, wx.FONTWEIGHT_NORMAL))
            dlg.ShowModal()
            dlg.Destroy()
            return
    except ImportError:
        pass
    print(text)
