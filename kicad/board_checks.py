"""Footprint verification of a pcbnew BOARD in memory: the core both the CLI and the action plugin call."""
from __future__ import annotations

from pathlib import Path

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


VIA_IN_PAD_NOTE = ("VIA IN PAD: the vias below sit inside solder-paste openings. Fill and cap them (IPC-4761 "
                   "type VII) or at least plug them, so solder paste is not drawn down the barrels at reflow.")


def vias_in_paste(board: Path) -> list[str]:
    """The vias inside a pad's solder-paste opening, one line a pad: what the fab must fill and cap
    (an exposed pad's thermal vias, a via a router dropped into a pad). Sorted, so the note diffs."""
    from wattcad.kicad.pcbnew_compat import pcbnew

    b = pcbnew.LoadBoard(str(board))
    vias = [t for t in b.GetTracks() if t.Type() == pcbnew.PCB_VIA_T]
    found: dict[str, list[str]] = {}
    for fp in b.GetFootprints():
        origin = fp.GetPosition()
        for pad in fp.Pads():
            layers = [layer for layer in (pcbnew.F_Paste, pcbnew.B_Paste) if pad.IsOnLayer(layer)]
            if not layers:
                continue
            shape = pad.GetEffectiveShape(layers[0])
            hits = [v for v in vias if shape.Collide(v.GetPosition(), v.GetDrillValue() // 2)]  # the hole: solder goes there
            if not hits:
                continue
            copper = next((q for q in fp.Pads() if q.GetNumber() and pad.GetNumber() == "" and
                           q.HitTest(pad.GetPosition())), pad)  # a paste window belongs to the pad under it
            key = f"{fp.GetReference()} pad {copper.GetNumber() or '(paste)'}"
            for via in hits:
                at = via.GetPosition() - origin
                found.setdefault(key, []).append(f"({pcbnew.ToMM(at.x):+.2f}, {pcbnew.ToMM(at.y):+.2f}) mm drill "
                                                 f"{pcbnew.ToMM(via.GetDrillValue()):.2f}")
    return [f"{key}: {len(set(at))} via(s) at {', '.join(sorted(set(at)))} from the footprint's origin"
            for key, at in sorted(found.items())]


def via_in_pad_notes(board: Path) -> list[str]:
    """The fab note for BOARD's vias in paste openings (fab-notes.txt in the gerber zip); none: []."""
    found = vias_in_paste(board)
    return [VIA_IN_PAD_NOTE, "", *found] if found else []
