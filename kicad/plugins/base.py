"""What wattcad's pcbnew action plugins share: their menu entry, the one place they get the board
from (a test hands them a board loaded with pcbnew.LoadBoard), and showing a text result."""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

from wattcad.core.fileio import mirror_folder

from ..pcbnew_compat import pcbnew

ICONS_DIR = Path(__file__).resolve().parent / "icons"  # drawn by make_icons.py


class WattcadPlugin(pcbnew.ActionPlugin):
    label = ""  # the menu entry, before " (wattcad)"
    help = ""
    icon = ""  # icons/<icon>.png and <icon>_dark.png: the module's name
    icon_dir = ICONS_DIR  # register_all(icon_dir=...) points the PCM install at its own copy

    def defaults(self):
        self.name = f"{self.label} (wattcad)"
        self.category = "wattcad"
        self.description = self.help
        self.show_toolbar_button = True
        # Absolute paths: KiCad loads them as they are; a missing file gives its generic puzzle piece.
        self.icon_file_name = str(Path(self.icon_dir) / f"{self.icon}.png")
        self.dark_icon_file_name = str(Path(self.icon_dir) / f"{self.icon}_dark.png")

    def get_board(self):
        """The board to act on; one place a test can hand a board loaded with pcbnew.LoadBoard."""
        return pcbnew.GetBoard()


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


@contextmanager
def scratch_project(board):
    """The board as it is in the editor, saved into a scratch copy of its project (the project's
    files copied, its folders linked, so ${KIPRJMOD} paths still resolve): unsaved edits count and
    the user's file is not touched. Yields the scratch board file."""
    board_file = Path(board.GetFileName())
    if not board_file.name:
        raise ValueError("the board has never been saved: save it in a KiCad project first")
    with tempfile.TemporaryDirectory(prefix="wattcad-") as tmp:
        scratch = Path(tmp)
        mirror_folder(board_file.parent, scratch,
                      lambda f: f.suffix not in (".kicad_pcb", ".bak") and not f.name.endswith("-bak"))
        pcbnew.SaveBoard(str(scratch / board_file.name), board)
        yield scratch / board_file.name
