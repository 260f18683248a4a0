"""pcbnew action plugin "Route (wattcad)": `wattcad route` on the board open in the editor. The board
as it is (unsaved edits too) is routed in a scratch copy of its project; the new tracks and vias
come back into the open board, where KiCad's undo and DRC see them like any others."""
from __future__ import annotations

from wattcad.kicad.plugins.base import WattcadPlugin, scratch_project, show_text
from wattcad.kicad.route import route_board

from ..pcbnew_compat import pcbnew


def route_open_board(board):
    """Route BOARD (in memory); returns the report. Adds the new tracks and vias to BOARD."""
    before = {t.m_Uuid.AsString() for t in board.GetTracks()}
    with scratch_project(board) as scratch_file:
        routed_file = scratch_file.with_name("routed-" + scratch_file.name)
        report = route_board(scratch_file, out=routed_file)
        routed = pcbnew.LoadBoard(str(routed_file))
        for t in routed.GetTracks():
            if t.m_Uuid.AsString() in before:
                continue
            net = board.FindNet(t.GetNetname())
            if t.GetClass() == "PCB_VIA":
                new = pcbnew.PCB_VIA(board)
                new.SetPosition(t.GetPosition())
                new.SetWidth(t.GetWidth(pcbnew.F_Cu))
                new.SetDrill(t.GetDrillValue())
            else:
                new = pcbnew.PCB_TRACK(board)
                new.SetStart(t.GetStart())
                new.SetEnd(t.GetEnd())
                new.SetWidth(t.GetWidth())
                new.SetLayer(t.GetLayer())
            new.SetNet(net)
            board.Add(new)
    pcbnew.ZONE_FILLER(board).Fill(board.Zones())
    report.written, report.in_editor = None, True  # the tracks are in the editor, unsaved
    return report


class RoutePlugin(WattcadPlugin):
    label = "Route"
    help = "Route the unrouted connections with wattcad's grid router (as `wattcad route`)"
    icon = "route"

    def Run(self):
        self.last_report = route_open_board(self.get_board())
        pcbnew.Refresh()
        show_text("wattcad: route", self.last_report.summary())
