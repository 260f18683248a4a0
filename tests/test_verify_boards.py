"""The verifier on boards people made and built (tests/data/pcbench, with their licences): what
they get right is no error; each class of real defect injected into their footprints is one, named
on the part; board context (nets) decides whether overlapping lands are a short."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from wattcad.footprints.model import read_kicad_mod
from wattcad.footprints.spec import find_spec, match_spec
from wattcad.footprints.verify import SEVERITY, board_footprints, verify_footprint, verify_paths

BOARDS = REPO / "tests" / "data" / "pcbench"
UEXT = BOARDS / "uext-esp32_UEXT_ESP32.kicad_pcb"
FEATHER_BOARD = BOARDS / "cat-trainer_feather32u4_mma8452_pcb.kicad_pcb"


def _reports(board: Path):
    return {r.reference: r for r in verify_paths([board])}


def _part(board: Path, ref: str):
    return next(fp for fp in board_footprints(board) if fp.reference == ref)


def test_boards_people_built_have_no_error_and_their_notes_are_warnings():
    for board in (UEXT, FEATHER_BOARD):
        reports = _reports(board)
        assert not [r.summary() for r in reports.values() if r.status in ("fail", "error")], board.name
    sot = _reports(UEXT)["Q1"]
    assert sot.spec_name == "sot-23" and sot.status == "warn"
    assert [f.check for f in sot.findings if f.check.startswith("pin positions")] == ["pin positions within land"]
    assert "every pin still on its land" in sot.summary()
    feather = _reports(FEATHER_BOARD)["U2"]
    assert feather.spec_name == "module-adafruit-feather" and feather.status == "warn"
    assert any(f.check == "pad numbering" for f in feather.findings), feather.summary()
    assert any(f.check == "pads inside courtyard" and f.severity == "warning"
               for r in _reports(UEXT).values() for f in r.findings)


def test_each_matched_part_says_what_matched_it():
    sot = _reports(UEXT)["Q1"]
    assert sot.matched_by.startswith("footprint name") and "(matched by footprint name" in sot.summary()


def test_a_sot23_land_moved_off_its_pin_is_an_error_named_on_the_part():
    fp = copy.deepcopy(_part(UEXT, "Q1"))
    pad3 = next(p for p in fp.pads if p.number == "3")
    pad3.y_mm += 1.5  # off the pin, along the package's side
    report = verify_footprint(fp, find_spec("sot-23"))
    assert report.status == "fail" and report.reference == "Q1"
    assert "not on their lands" in report.summary() and "pin positions" in [f.check for f in report.findings]


@pytest.mark.parametrize("nets, error", [(("GND", "GND"), False), (("GND", "+3V3"), True), (("GND", ""), False)])
def test_overlapping_lands_on_a_board_are_a_short_only_between_two_nets(nets, error):
    fp = copy.deepcopy(_part(UEXT, "Q1"))
    pads = {p.number: p for p in fp.pads}
    pads["2"].x_mm, pads["2"].y_mm = pads["1"].x_mm + 0.2, pads["1"].y_mm
    pads["1"].net, pads["2"].net = nets
    found = {f.check: f for f in verify_footprint(fp).findings}
    assert ("no overlapping pads" in found) is error
    if error:
        message = found["no overlapping pads"].message
        assert "GND" in message and "+3V3" in message and "a short" in message and found["no overlapping pads"].severity == "error"
    else:
        assert found["pads overlap, one net"].severity == "warning"


def test_in_a_library_overlapping_pads_are_an_error_unless_a_net_tie_joins_them(stock):
    fp = read_kicad_mod(stock / "Package_TO_SOT_SMD.pretty" / "SOT-23.kicad_mod")
    pads = {p.number: p for p in fp.pads}
    pads["2"].x_mm, pads["2"].y_mm = pads["1"].x_mm + 0.2, pads["1"].y_mm
    assert "no overlapping pads" in [f.check for f in verify_footprint(fp).findings if f.severity == "error"]
    fp.net_tie_groups = [{"1", "2"}]
    assert "no overlapping pads" not in [f.check for f in verify_footprint(fp).findings]


def test_a_drill_offset_moves_the_copper_not_the_hole():
    """KiCad 5's large-pad pin strips: 3 mm lands on a 2.54 mm row pitch, each shifted away from its
    neighbour by a drill offset; their copper does not touch (KiCad's DRC agrees)."""
    from wattcad.footprints import sexpr
    from wattcad.footprints.model import footprint_from_node

    node = sexpr.parse('(footprint "strip" (layer "F.Cu") (fp_text reference "J5" (at 0 0) (layer "F.SilkS"))'
                       ' (pad "7" thru_hole oval (at 0 1.27) (size 1.6 3) (drill 1 (offset 0 0.65)) (layers "*.Cu") (net 1 "+3V3"))'
                       ' (pad "8" thru_hole oval (at 0 -1.27) (size 1.6 3) (drill 1 (offset 0 -0.65)) (layers "*.Cu") (net 2 "SSR0")))')
    fp = footprint_from_node(node)
    assert [(p.x_mm, p.y_mm) for p in fp.pads] == [(0, 1.27), (0, -1.27)]  # the holes, where the pins are
    assert not [f for f in verify_footprint(fp).findings if "overlap" in f.check]
    for p in fp.pads:
        p.offset_x_mm = p.offset_y_mm = 0.0
    assert "no overlapping pads" in [f.check for f in verify_footprint(fp).findings]


def test_a_value_never_outweighs_a_footprint_name_of_another_package():
    assert match_spec("16.384MHz", "Crystal:Crystal_SMD_2520-4Pin_2.5x2.0mm")[0] is None
    spec, why = match_spec("16.384MHz", "Crystal:Crystal_SMD_3225-4Pin_3.2x2.5mm")
    assert spec.name == "crystal-3225" and why.startswith("footprint name")
    spec, why = match_spec("ADE7816", "MyLib:QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm")
    assert spec.name == "lfcsp-40-6x6" and why.startswith("value")  # the seed's mistake stays caught
    assert all("mhz" not in p.lower() or "-" in p for s in [find_spec("crystal-3225")] for p in s.parts)


def test_the_docs_severity_table_is_the_code_s():
    text = (REPO / "docs" / "verification.md").read_text(encoding="utf-8")
    rows = dict((m[1], m[2]) for m in re.finditer(r"^\| ([^|]+?) \| (error|warning) \| .+ \|$", text, re.M))
    assert rows == {check: severity for check, (severity, _) in SEVERITY.items()}
