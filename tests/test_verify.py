import json
import shutil

import pytest

from wattcad.cli import main
from wattcad.footprints.generate import write_library
from wattcad.footprints.spec import builtin_specs, find_spec
from wattcad.footprints.verify import verify_paths

from .helpers import board_with_footprints

WRONG_5X5 = [
    "Package_DFN_QFN.pretty/QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm.kicad_mod",
    "Package_DFN_QFN.pretty/QFN-40-1EP_5x5mm_P0.4mm_EP3.8x3.8mm.kicad_mod",
    "Package_DFN_QFN.pretty/VQFN-40-1EP_5x5mm_P0.4mm_EP3.5x3.5mm.kicad_mod",
    "Package_DFN_QFN.pretty/TQFN-40-1EP_5x5mm_P0.4mm_EP3.5x3.5mm.kicad_mod",
    "Package_DFN_QFN.pretty/UQFN-40-1EP_5x5mm_P0.4mm_EP3.8x3.8mm.kicad_mod",
]
RIGHT_6X6 = [
    "Package_CSP.pretty/LFCSP-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm.kicad_mod",
    "Package_CSP.pretty/LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm.kicad_mod",
    "Package_CSP.pretty/LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm_ThermalVias.kicad_mod",
    "Package_DFN_QFN.pretty/QFN-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm.kicad_mod",
]


def _all_5x5_40pin(stock):
    found = sorted(stock.glob("*.pretty/*-40-1EP_5x5mm_*.kicad_mod"))
    assert len(found) >= 5
    return found


@pytest.mark.kicad
def test_every_5x5_40_pin_footprint_fails_for_the_ade7816(stock):
    for path in _all_5x5_40pin(stock):
        (report,) = verify_paths([path], find_spec("ade7816"))
        assert report.status == "fail", path.name
        text = report.summary()
        if "P0.4mm" in path.name:
            assert "has pitch 0.40 mm, package needs 0.50 mm" in text
        assert "pad rows" in text and "package needs 5.89 mm" in text


@pytest.mark.kicad
@pytest.mark.parametrize("rel", RIGHT_6X6)
def test_stock_6x6_footprints_pass(stock, rel):
    (report,) = verify_paths([stock / rel], find_spec("ade7816"))
    assert report.status == "pass", report.summary()
    assert "pad-row span" in report.checks and "exposed pad clearance" in report.checks


@pytest.mark.kicad
def test_smaller_exposed_pad_is_only_a_warning_because_it_is_unconfirmed(stock):
    (report,) = verify_paths([stock / "Package_CSP.pretty/LFCSP-40-1EP_6x6mm_P0.5mm_EP3.9x3.9mm.kicad_mod"], find_spec("ade7816"))
    assert report.status == "warn"
    assert "unconfirmed" in report.summary()


@pytest.mark.kicad
def test_board_with_a_5x5_ade7816_fails_with_a_readable_message(tmp_path, stock, capsys):
    board = board_with_footprints(tmp_path / "bad.kicad_pcb", [
        ("U1", "ADE7816", stock / "Package_DFN_QFN.pretty", "QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm"),
        ("R1", "1k", stock / "Resistor_SMD.pretty", "R_0603_1608Metric"),
        ("J1", "SJ1-3533NG", stock / "Connector_Audio.pretty", "Jack_3.5mm_CUI_SJ1-3533NG_Horizontal"),
    ])
    out_json = tmp_path / "report.json"
    assert main(["footprint", "verify", str(board), "--json", str(out_json)]) == 1
    out = capsys.readouterr().out
    assert ("U1 (ADE7816, LFCSP-40 6x6 mm): footprint QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm has pitch 0.40 mm, "
            "package needs 0.50 mm; pad rows 4.88 mm apart, package needs 5.89 mm") in out
    data = json.loads(out_json.read_text())
    by_ref = {r["reference"]: r for r in data["reports"]}
    assert by_ref["U1"]["status"] == "fail"
    assert by_ref["R1"]["status"] == "pass" and by_ref["R1"]["spec"] == "chip-0603"
    assert by_ref["J1"]["status"] == "pass" and by_ref["J1"]["spec"] == "jack-3.5mm-sj1-3533ng"


@pytest.mark.kicad
def test_board_with_the_right_footprint_passes(tmp_path, stock):
    board = board_with_footprints(tmp_path / "good.kicad_pcb", [
        ("U1", "ADE7816", stock / "Package_CSP.pretty", "LFCSP-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm")])
    assert main(["footprint", "verify", str(board)]) == 0


def test_generated_library_passes_with_package_name_ade7816(tmp_path):
    write_library(list(builtin_specs()), tmp_path)
    lfcsp = next((tmp_path / "wattcad.pretty").glob("LFCSP-40*.kicad_mod"))
    assert main(["footprint", "verify", str(lfcsp), "--package", "ade7816"]) == 0
    assert main(["footprint", "verify", str(tmp_path / "wattcad.pretty")]) == 0


def test_corrupt_truncated_and_foreign_files_are_reported_while_the_rest_is_checked(tmp_path, capsys):
    write_library(list(builtin_specs()), tmp_path)
    lib = tmp_path / "wattcad.pretty"
    good = next(lib.glob("LFCSP-40*.kicad_mod"))
    (lib / "truncated.kicad_mod").write_text(good.read_text()[:500])
    (lib / "foreign.kicad_mod").write_text('(kicad_sch (version 20231120))')
    (lib / "binary.kicad_mod").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    code = main(["footprint", "verify", str(lib), "--json", str(tmp_path / "r.json")])
    out = capsys.readouterr().out
    assert code == 2
    assert "truncated.kicad_mod: corrupt or truncated footprint file" in out
    assert "foreign.kicad_mod: not a KiCad footprint" in out
    assert "binary.kicad_mod: cannot read footprint file" in out
    data = json.loads((tmp_path / "r.json").read_text())
    assert sum(r["status"] == "pass" for r in data["reports"]) == 4  # the real ones were still checked
    assert main(["footprint", "verify", str(tmp_path / "nope.kicad_mod")]) == 2


def test_a_footprint_whose_name_lies_is_caught(tmp_path):
    write_library([find_spec("ade7816")], tmp_path)
    src = next((tmp_path / "wattcad.pretty").glob("LFCSP-40*.kicad_mod"))
    liar = tmp_path / "QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm.kicad_mod"
    shutil.copy(src, liar)
    text = liar.read_text().replace("LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm", liar.stem)
    liar.write_text(text)
    (report,) = verify_paths([liar])
    assert report.status == "fail"
    assert "name says pitch 0.4 mm, pads are 0.500 mm apart" in report.summary()
    assert "name says EP 3.6x3.6 mm" in report.summary()


def test_overlapping_pads_and_ep_clearance_are_always_checked(tmp_path):
    write_library([find_spec("ade7816")], tmp_path)
    src = next((tmp_path / "wattcad.pretty").glob("LFCSP-40*.kicad_mod"))
    # Grow the exposed pad to 5.2 mm: 0.07 mm from the leads, below the 0.2 mm rule.
    (tmp_path / "bad").mkdir()
    bad = tmp_path / "bad" / src.name
    bad.write_text(src.read_text().replace("(size 4.65 4.65)", "(size 5.2 5.2)"))
    (report,) = verify_paths([bad])
    assert report.status == "fail"
    assert "from the exposed pad, needs at least 0.20 mm" in report.summary()
    # Grow the EP further so it overlaps the lead pads.
    bad.write_text(src.read_text().replace("(size 4.65 4.65)", "(size 5.6 5.6)"))
    (report,) = verify_paths([bad])
    assert "overlap" in report.summary()


@pytest.mark.kicad
def test_one_land_under_two_numbers_is_not_an_overlap(stock):
    """USB-C receptacles put A1 and B12 (both ground) on one land: a shared pad, not two pads
    overlapping; a land moved half its width onto its neighbour still is."""
    from wattcad.footprints.model import read_kicad_mod
    from wattcad.footprints.verify import verify_footprint

    fp = read_kicad_mod(stock / "Connector_USB.pretty/USB_C_Receptacle_Amphenol_12401948E412A.kicad_mod")
    assert not [f for f in verify_footprint(fp).findings if f.check == "no overlapping pads"]
    b12 = next(p for p in fp.pads if p.number == "B12")
    b12.x_mm += b12.w_mm / 2
    found = [f.message for f in verify_footprint(fp).findings if f.check == "no overlapping pads"]
    assert found and "A1/B12" in found[0]
