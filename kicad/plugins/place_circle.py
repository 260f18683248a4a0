"""pcbnew action plugin "Place on circle": the selected footprints onto a circle, as one undo step
(KiCad records an action plugin's changes as a single undo entry)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from wattcad.core.placement import ORIENTS
from wattcad.kicad.place_circle import place_on_circle
from wattcad.kicad.plugins.base import WattcadPlugin

from ..pcbnew_compat import pcbnew


@dataclass
class CircleOptions:
    centre_mm: tuple[float, float]
    radius_mm: float
    start_angle_deg: float = 0.0
    step_deg: float | None = None
    orient: str = "radial"


class PlaceOnCirclePlugin(WattcadPlugin):
    label = "Place on circle"
    help = "Place the selected footprints on a circle: centre, radius, start angle, step, orientation"
    icon = "place_circle"

    @staticmethod
    def suggested(footprints) -> CircleOptions:
        """Centre on the selection's centroid, radius its mean distance from it."""
        pts = [(pcbnew.ToMM(f.GetPosition().x), pcbnew.ToMM(f.GetPosition().y)) for f in footprints]
        cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        r = sum(math.hypot(x - cx, y - cy) for x, y in pts) / len(pts)
        return CircleOptions((round(cx, 3), round(cy, 3)), round(r, 3) if r > 0 else 10.0)

    def get_options(self, suggested: CircleOptions) -> CircleOptions | None:
        """Ask with a dialog; None when cancelled. Tests hand options in by replacing this."""
        import wx

        dlg = wx.Dialog(None, title="Place on circle")
        grid = wx.FlexGridSizer(0, 2, 6, 6)
        fields = {}
        for key, label, value in (("cx", "Centre X (mm)", suggested.centre_mm[0]), ("cy", "Centre Y (mm)", suggested.centre_mm[1]),
                                  ("r", "Radius (mm)", suggested.radius_mm), ("start", "Start angle (deg, CCW from +X)", 0.0),
                                  ("step", "Step (deg, empty: full circle)", "")):
            grid.Add(wx.StaticText(dlg, label=label))
            fields[key] = wx.TextCtrl(dlg, value=str(value))
            grid.Add(fields[key])
        grid.Add(wx.StaticText(dlg, label="Orientation"))
        orient = wx.Choice(dlg, choices=list(ORIENTS))
        orient.SetSelection(0)
        grid.Add(orient)
        box = wx.BoxSizer(wx.VERTICAL)
        box.Add(grid, 0, wx.ALL, 10)
        box.Add(dlg.CreateButtonSizer(wx.OK | wx.CANCEL), 0, wx.ALL | wx.EXPAND, 10)
        dlg.SetSizerAndFit(box)
        try:
            if dlg.ShowModal() != wx.ID_OK:
                return None
            step = fields["step"].GetValue().strip()
            return CircleOptions((float(fields["cx"].GetValue()), float(fields["cy"].GetValue())), float(fields["r"].GetValue()),
                                 float(fields["start"].GetValue()), float(step) if step else None, ORIENTS[orient.GetSelection()])
        finally:
            dlg.Destroy()

    def Run(self):
        board = self.get_board()
        selected = [fp for fp in board.GetFootprints() if fp.IsSelected()]
        if not selected:
            self.message("Select the footprints to place first.")
            return
        options = self.get_options(self.suggested(selected))
        if options is None:
            return
        refs = [fp.GetReference() for fp in selected]
        self.last_result = place_on_circle(board, refs, options.centre_mm, options.radius_mm, options.start_angle_deg,
                                           options.step_deg, None, options.orient, "ref", force=False)
        pcbnew.Refresh() if hasattr(pcbnew, "Refresh") and pcbnew.GetBoard() is not None else None
        self.message("\n".join(self.last_result.messages()))

    def message(self, text: str) -> None:
        self.last_message = text
        try:
            import wx

            if wx.GetApp() is not None:
                wx.MessageBox(text, "Place on circle")
                return
        except ImportError:
            pass
        print(text)
