"""Writes the small KiCad 4 and 5 boards (and a KiCad 5 project) the corpus tests read. They are
written here, in the old formats, from the package figures below; run again to regenerate:
    python tests/data/old_kicad/make_boards.py
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADERS = {
    4: "(kicad_pcb (version 4) (host pcbnew 4.0.7-e2-6376~61~ubuntu18.04.1)",
    5: "(kicad_pcb (version 20171130) (host pcbnew 5.1.9-73d0e3b20d~88~ubuntu20.04.1)",
}
LAYERS = """  (layers
    (0 F.Cu signal)
    (31 B.Cu signal)
    (34 B.Paste user)
    (35 F.Paste user)
    (36 B.SilkS user)
    (37 F.SilkS user)
    (38 B.Mask user)
    (39 F.Mask user)
    (44 Edge.Cuts user)
    (46 B.CrtYd user)
    (47 F.CrtYd user)
    (48 B.Fab user)
    (49 F.Fab user)
  )"""


def qfn40(ref, value, name, x, y, body_mm, pitch_mm, pad_centre_mm, pad_length_mm, pad_width_mm, ep_mm, tstamp):
    """A 40-pin QFN module: 10 pads a side, pin 1 at the top of the left side, counter-clockwise."""
    half = body_mm / 2
    court = half + 0.5
    lines = [f"  (module {name} (layer F.Cu) (tedit 5A02FF57) (tstamp {tstamp})",
             f"    (at {x} {y})",
             "    (attr smd)",
             f"    (fp_text reference {ref} (at 0 {-court - 0.8:.2f}) (layer F.SilkS)",
             "      (effects (font (size 1 1) (thickness 0.15))))",
             f"    (fp_text value {value} (at 0 {court + 0.8:.2f}) (layer F.Fab)",
             "      (effects (font (size 1 1) (thickness 0.15))))"]
    for (x0, y0), (x1, y1) in (((-half, -half), (half, -half)), ((half, -half), (half, half)),
                               ((half, half), (-half, half)), ((-half, half), (-half, -half))):
        lines.append(f"    (fp_line (start {x0} {y0}) (end {x1} {y1}) (layer F.Fab) (width 0.1))")
    for (x0, y0), (x1, y1) in (((-court, -court), (court, -court)), ((court, -court), (court, court)),
                               ((court, court), (-court, court)), ((-court, court), (-court, -court))):
        lines.append(f"    (fp_line (start {x0} {y0}) (end {x1} {y1}) (layer F.CrtYd) (width 0.05))")
    first = -4.5 * pitch_mm
    number = 1
    for side in ("left", "bottom", "right", "top"):
        for k in range(10):
            along = first + k * pitch_mm
            if side == "left":
                at, size = (-pad_centre_mm, along), (pad_length_mm, pad_width_mm)
            elif side == "bottom":
                at, size = (along, pad_centre_mm), (pad_width_mm, pad_length_mm)
            elif side == "right":
                at, size = (pad_centre_mm, -along), (pad_length_mm, pad_width_mm)
            else:
                at, size = (-along, -pad_centre_mm), (pad_width_mm, pad_length_mm)
            lines.append(f"    (pad {number} smd rect (at {at[0]:g} {at[1]:g}) (size {size[0]:g} {size[1]:g}) "
                         "(layers F.Cu F.Paste F.Mask))")
            number += 1
    lines.append(f"    (pad 41 smd rect (at 0 0) (size {ep_mm:g} {ep_mm:g}) (layers F.Cu F.Mask))")
    lines.append("  )")
    return lines


def resistor_0603(ref, value, x, y, tstamp):
    return [f"  (module Resistor_SMD:R_0603_1608Metric (layer F.Cu) (tedit 5B301BBD) (tstamp {tstamp})",
            f"    (at {x} {y})",
            "    (attr smd)",
            f"    (fp_text reference {ref} (at 0 -1.43) (layer F.SilkS) (effects (font (size 1 1) (thickness 0.15))))",
            f"    (fp_text value {value} (at 0 1.43) (layer F.Fab) (effects (font (size 1 1) (thickness 0.15))))",
            "    (fp_line (start -1.48 -0.73) (end 1.48 -0.73) (layer F.CrtYd) (width 0.05))",
            "    (fp_line (start 1.48 -0.73) (end 1.48 0.73) (layer F.CrtYd) (width 0.05))",
            "    (fp_line (start 1.48 0.73) (end -1.48 0.73) (layer F.CrtYd) (width 0.05))",
            "    (fp_line (start -1.48 0.73) (end -1.48 -0.73) (layer F.CrtYd) (width 0.05))",
            "    (pad 1 smd roundrect (at -0.7875 0) (size 0.875 0.95) (layers F.Cu F.Paste F.Mask) (roundrect_rratio 0.25))",
            "    (pad 2 smd roundrect (at 0.7875 0) (size 0.875 0.95) (layers F.Cu F.Paste F.Mask) (roundrect_rratio 0.25))",
            "  )"]


def board(version, modules):
    out = [HEADERS[version], "", "  (general (thickness 1.6))", "", "  (page A4)", LAYERS, "", '  (net 0 "")', ""]
    for m in modules:
        out += m
    for (x0, y0), (x1, y1) in (((80, 80), (120, 80)), ((120, 80), (120, 120)), ((120, 120), (80, 120)),
                               ((80, 120), (80, 80))):
        out.append(f"  (gr_line (start {x0} {y0}) (end {x1} {y1}) (layer Edge.Cuts) (width 0.05))")
    out.append("")
    out.append(")")
    return "\n".join(out) + "\n"


# The past mistake: a 5 x 5 mm, 0.4 mm pitch QFN-40 (pads as KiCad 5's library drew them) under
# the 6 x 6 mm, 0.5 mm pitch ADE7816.
WRONG = dict(body_mm=5.0, pitch_mm=0.4, pad_centre_mm=2.4375, pad_length_mm=0.775, pad_width_mm=0.2, ep_mm=3.6)
RIGHT = dict(body_mm=6.0, pitch_mm=0.5, pad_centre_mm=2.9375, pad_length_mm=0.825, pad_width_mm=0.25, ep_mm=4.6)
BOARDS = {
    "kicad5-qfn5x5.kicad_pcb": board(5, [
        qfn40("U1", "ADE7816ACPZ", "Package_DFN_QFN:QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm", 100, 100, **WRONG,
              tstamp="5E0A0001"),
        resistor_0603("R1", "1k", 108, 100, "5E0A0002")]),
    "kicad5-qfn6x6.kicad_pcb": board(5, [
        qfn40("U1", "ADE7816ACPZ", "Package_DFN_QFN:QFN-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm", 100, 100, **RIGHT,
              tstamp="5E0A0001"),
        resistor_0603("R1", "1k", 108, 100, "5E0A0002")]),
    # KiCad 4: an orderable suffix on the value and the old library's footprint name.
    "kicad4-qfn5x5.kicad_pcb": board(4, [
        qfn40("U1", "ADE7816ACPZ-RL", "Housings_DFN_QFN:QFN-40-1EP_5x5mm_Pitch0.4mm", 100, 100, **WRONG,
              tstamp="58A00001")]),
    # An IPC-7351 name, and a value that says nothing: the name alone gives pitch and body.
    "kicad5-ipc-name.kicad_pcb": board(5, [
        qfn40("U2", "ENERGY_METER", "SnapEDA:QFN50P600X600X80-41N", 100, 100, **WRONG, tstamp="5E0B0001")]),
}


PRO = """update=22/11/2020 10:00:00
version=1
last_client=kicad
[general]
version=1
RootSch=
BoardNm=
[pcbnew]
version=1
LastNetListRead=
[eeschema]
version=1
LibDir=
"""


def legacy_symbol(lib_id, ref, value, footprint, x, y, stamp, extra=()):
    lines = ["$Comp", f"L {lib_id} {ref}", f"U 1 1 {stamp}", f"P {x} {y}",
             f'F 0 "{ref}" H {x} {y - 150} 50  0000 C CNN',
             f'F 1 "{value}" H {x} {y + 150} 50  0000 C CNN',
             f'F 2 "{footprint}" H {x} {y} 50  0001 C CNN',
             f'F 3 "" H {x} {y} 50  0001 C CNN']
    for n, (name, content) in enumerate(extra, start=4):
        lines.append(f'F {n} "{content}" H {x} {y} 50  0001 C CNN "{name}"')
    lines += [f"\t1    {x} {y}", "\t1    0    0    -1  ", "$EndComp"]
    return lines


def legacy_schematic() -> str:
    head = ["EESchema Schematic File Version 4", "EELAYER 30 0", "EELAYER END", "$Descr A4 11693 8268",
            "encoding utf-8", "Sheet 1 1", 'Title "ADE7816 on a 5 x 5 mm footprint (KiCad 5)"', 'Date ""', 'Rev ""',
            'Comp ""'] + [f'Comment{n} ""' for n in range(1, 5)] + ["$EndDescr"]
    body = legacy_symbol("wattcad:ADE7816", "U1", "ADE7816ACPZ", "Package_DFN_QFN:QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm",
                         5000, 3500, "5E0A0001", extra=[("MPN", "ADE7816ACPZ-RL")])
    body += legacy_symbol("Device:R", "R1", "1k", "Resistor_SMD:R_0603_1608Metric", 6500, 3500, "5E0A0002")
    body += legacy_symbol("power:GND", "#PWR01", "GND", "", 6500, 4000, "5E0A0003")
    return "\n".join(head + body + ["$EndSCHEMATC"]) + "\n"


def main() -> None:
    for name, text in BOARDS.items():
        (HERE / name).write_text(text)
    project = HERE / "kicad5-project"
    project.mkdir(exist_ok=True)
    (project / "ade7816-k5.kicad_pcb").write_text(BOARDS["kicad5-qfn5x5.kicad_pcb"])
    (project / "ade7816-k5.pro").write_text(PRO)
    (project / "ade7816-k5.sch").write_text(legacy_schematic())


if __name__ == "__main__":
    main()
