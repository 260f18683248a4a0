import json
import shutil

import pytest

from wattcad.cli import main
from wattcad.footprints.sweep import no_lead_files, sweep


@pytest.mark.kicad
def test_sweep_of_the_installed_library(stock, tmp_path, capsys):
    out = tmp_path / "sweep.json"
    assert main(["footprint", "sweep", str(stock), "--json", str(out)]) == 0
    reports = json.loads(out.read_text())["reports"]
    assert len(reports) >= 600
    by_name = {r["footprint"]: r for r in reports}
    assert by_name["LFCSP-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm"]["status"] == "pass"
    assert by_name["QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm"]["status"] == "pass"  # right for its own name
    out = capsys.readouterr().out
    assert "swept" in out
    # The findings the README reports, with their evidence.
    assert "UDFN-9_1.0x3.8mm_P0.5mm: name says pitch 0.5 mm, pads are 0.800 mm apart" in out
    named = {r["footprint"] for r in reports if any(f["check"].startswith("name") for f in r["findings"] if f["severity"] == "error")}
    assert {"UDFN-9_1.0x3.8mm_P0.5mm", "VSON-10-1EP_3x3mm_P0.5mm_EP1.65x2.4mm"} <= named
    # Notes, not errors: an exposed pad 0.11 mm from pad 1 (copper can be kept that far apart; the
    # house rule is 0.2 mm), a name that gives the body's axes the other way round.
    warned = {(r["footprint"], f["check"]): f["message"] for r in reports for f in r["findings"] if f["severity"] == "warning"}
    assert "pad 1 is 0.11 mm from the exposed pad" in warned["LFCSP-16-1EP_3x3mm_P0.5mm_EP1.854x1.854mm", "exposed pad clearance"]
    assert "turned a quarter" in warned["USON-10_2.5x1.0mm_P0.5mm", "name: body axes"]


@pytest.mark.kicad
def test_sweep_finds_a_planted_inconsistency(stock, tmp_path):
    lib = tmp_path / "Mine.pretty"
    lib.mkdir()
    src = stock / "Package_DFN_QFN.pretty/QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm.kicad_mod"
    shutil.copy(src, lib / "QFN-40-1EP_6x6mm_P0.5mm_EP3.6x3.6mm.kicad_mod")
    shutil.copy(src, lib / src.name)
    assert [p.name for p in no_lead_files(tmp_path)] == sorted(p.name for p in lib.iterdir())
    reports = {r.footprint: r for r in sweep(tmp_path, jobs=1)}
    assert reports["QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm"].status == "pass"
    liar = reports["QFN-40-1EP_6x6mm_P0.5mm_EP3.6x3.6mm"]  # KiCad names a library footprint by its file
    assert liar.status == "fail"
    assert "name says pitch 0.5 mm, pads are 0.400 mm apart" in liar.summary()
    assert main(["footprint", "sweep", str(tmp_path / "missing")]) == 2
