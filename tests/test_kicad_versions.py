"""KiCad 9 and 10 at run time: a file newer than the installed KiCad is refused before anything runs
(exit 3, both versions named, nothing written); KiCad 10's new parity entries are warnings, never
a fab blocker; every report says which KiCad ran it. The files are KiCad 10's own (tests/data/kicad10:
KiCad's ecc83 demo upgraded by KiCad 10.0.6, and KiCad 10's DRC report on the ADE7816 rect board)."""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from wattcad.cli import main
from wattcad.kicad.versions import BOARD_FORMATS, SCHEMATIC_FORMATS, file_format, release_of, too_new

DATA = Path(__file__).parent / "data"
KICAD10 = DATA / "kicad10" / "ecc83-pp"
KICAD9_BOARD = Path(__file__).parents[1] / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb"


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _installed_major() -> int:
    from wattcad.kicad.versions import installed_major

    return installed_major()


def test_file_formats_name_the_release_that_wrote_them():
    assert file_format(KICAD10 / "ecc83-pp.kicad_pcb") == 20260206
    assert file_format(KICAD10 / "ecc83-pp.kicad_sch") == 20260306
    assert file_format(KICAD9_BOARD) == BOARD_FORMATS[9]
    assert release_of(20260206, BOARD_FORMATS) == "KiCad 10"
    assert release_of(20241229, BOARD_FORMATS) == "KiCad 9"
    assert release_of(20171130, BOARD_FORMATS) == "KiCad 5"
    assert release_of(20250114, SCHEMATIC_FORMATS) == "KiCad 9"
    assert release_of(20270101, BOARD_FORMATS) == "a KiCad newer than 10"


def test_a_kicad10_file_is_too_new_for_kicad9_and_not_for_10_or_later():
    board, sch = KICAD10 / "ecc83-pp.kicad_pcb", KICAD10 / "ecc83-pp.kicad_sch"
    assert too_new(board, 9) == "ecc83-pp.kicad_pcb: saved by KiCad 10 (board format 20260206)"
    assert too_new(sch, 9) == "ecc83-pp.kicad_sch: saved by KiCad 10 (schematic format 20260306)"
    assert too_new(board, 10) == "" and too_new(sch, 10) == ""
    assert too_new(board, 11) == ""  # a release newer than the table reads what the table knows
    assert too_new(KICAD9_BOARD, 9) == "" and too_new(KICAD9_BOARD, 10) == ""
    assert too_new(KICAD10 / "ecc83-pp.kicad_pro", 9) == ""  # JSON project files carry no format


def test_kicad10_field_mismatches_are_warnings_and_the_rest_of_parity_still_blocks():
    from wattcad.kicad.drc import DrcResult, split_parity

    report = json.loads((DATA / "kicad10" / "ade7816-rect-drc-kicad10.json").read_text())
    assert report["kicad_version"].startswith("10.")
    blocking, warnings = split_parity(report["schematic_parity"])
    assert blocking == [] and len(warnings) == 70
    assert all(w.startswith("[footprint_symbol_field_mismatch] Field '") for w in warnings)
    result = DrcResult(KICAD9_BOARD, parity=blocking, parity_warnings=warnings)
    assert result.fab_blockers == []
    # A missing footprint or a changed net (KiCad 9's and 10's own types) still blocks the gerbers.
    missing = {"type": "missing_footprint", "description": "Missing footprint R9", "items": [], "severity": "error"}
    net = {"type": "net_conflict", "description": "Pad net (GND) doesn't match net given by schematic (AGND)",
           "items": [{"description": "Pad 1 of R1"}], "severity": "error"}
    blocking, warnings = split_parity(report["schematic_parity"] + [missing, net])
    assert len(blocking) == 2 and len(warnings) == 70
    assert DrcResult(KICAD9_BOARD, parity=blocking).fab_blockers == ["2 schematic parity issues"]


def _kicad10_project(tmp_path: Path) -> Path:
    project = tmp_path / "ecc83-pp"
    shutil.copytree(KICAD10, project)
    return project


@pytest.mark.kicad
def test_on_kicad9_a_kicad10_project_is_refused_with_exit_3_before_anything_is_written(tmp_path):
    if _installed_major() >= 10:
        pytest.skip(f"this KiCad ({_installed_major()}) reads KiCad 10 files: the refusal is for KiCad 9 machines")
    from wattcad.kicad.versions import installed_kicad

    project = _kicad10_project(tmp_path)
    before = sorted(p.name for p in project.iterdir())
    for command in (["check", str(project), "--out", str(tmp_path / "check-out")],
                    ["build", str(project), "--out", str(tmp_path / "build-out"), "--no-render"]):
        code, printed, said = _run(command)
        assert code == 3, (command, printed, said)
        assert ("ecc83-pp.kicad_pcb: saved by KiCad 10 (board format 20260206); ecc83-pp.kicad_sch: saved by KiCad 10 "
                f"(schematic format 20260306); this machine has KiCad {installed_kicad()}, which cannot read them") in said
        assert "install KiCad 10" in said
    assert not (tmp_path / "check-out").exists() and not (tmp_path / "build-out").exists()
    assert sorted(p.name for p in project.iterdir()) == before


@pytest.mark.kicad
def test_on_kicad9_a_kicad10_board_is_refused_by_pcbnew_commands_and_verified_by_wattcads_reader(tmp_path):
    if _installed_major() >= 10:
        pytest.skip(f"this KiCad ({_installed_major()}) reads KiCad 10 files")
    project = _kicad10_project(tmp_path)
    board = project / "ecc83-pp.kicad_pcb"
    original = board.read_bytes()
    code, printed, said = _run(["place", "circle", str(board), "--refs", "R1,R2,R3", "--center", "100,100", "--radius", "10"])
    assert code == 3 and "saved by KiCad 10 (board format 20260206)" in said, (printed, said)
    assert board.read_bytes() == original and not board.with_name(board.name + ".bak").exists()
    code, printed, said = _run(["footprint", "verify", str(board)])
    assert code == 0, (printed, said)
    assert re.search(r"saved by KiCad 10 \(board format 20260206\); this machine has KiCad 9\.\S+, which cannot read "
                     r"it: read with wattcad's own reader", printed), printed
    assert re.search(r"^\d+ pass", printed, re.M)


def _on_kicad10_project(tmp_path: Path, command: str, *options: str) -> tuple[int, str, str]:
    """`wattcad COMMAND` on a copy of the KiCad 10 project, out to TMP_PATH/out; skipped below KiCad 10."""
    if _installed_major() < 10:
        pytest.skip(f"KiCad {_installed_major()} cannot read KiCad 10 files (the KiCad 10 lane runs this)")
    return _run([command, str(_kicad10_project(tmp_path)), "--out", str(tmp_path / "out"), *options])


@pytest.mark.kicad
def test_under_kicad10_its_own_project_is_checked_and_the_report_names_kicad(tmp_path):
    """Under KiCad 10 (the lane; on KiCad 9 the project is refused, above): ERC, DRC and parity run."""
    code, printed, said = _on_kicad10_project(tmp_path, "check", "--no-enclosure")
    assert code in (0, 1), (printed, said)
    report = json.loads((tmp_path / "out" / "wattcad-check.json").read_text())
    assert report["kicad"].startswith("10.")
    groups = {r["group"] for r in report["checks"]}
    assert {"erc", "drc", "footprints"} <= groups, groups
    assert not any("failed" in r["message"] and "kicad-cli" in r["message"] for r in report["checks"]), report
    assert printed.splitlines()[0].endswith(f"(KiCad {report['kicad']})")


@pytest.mark.kicad
def test_under_kicad10_its_own_project_builds_without_renders(tmp_path):
    code, printed, said = _on_kicad10_project(tmp_path, "build", "--no-render")
    report = json.loads((tmp_path / "out" / "ecc83-pp" / "wattcad-check.json").read_text())
    assert code == (0 if report["passed"] else 1), (printed, said)
    assert report["kicad"].startswith("10.") and re.search(r"^check\s+(PASS|FAIL)", printed, re.M), printed


@pytest.mark.kicad
def test_the_ade7816_builds_clean_under_the_installed_kicad(tmp_path):
    """The example, rect and round, under this KiCad (9 here, 10 in the KiCad 10 lane): 0 DRC errors
    and not one parity entry of any kind, KiCad 10's field warnings included."""
    example = Path(__file__).parents[1] / "examples" / "ade7816"
    if _installed_major() < 10:
        pytest.skip("KiCad 9 builds the example in test_build.py; this is the KiCad 10 lane's build of it")
    # (no FreeCAD in the KiCad 10 lane: the example asks for its document, which the KiCad 9 suite checks)
    code, printed, said = _run(["build", str(example), "--out", str(tmp_path / "out"), "--no-render", "--no-freecad"])
    assert code == 0, (printed[-3000:], said[-3000:])
    for name in ("wattcad-ade7816", "wattcad-ade7816-round"):
        drc = json.loads((tmp_path / "out" / name / "wattcad-ade7816-drc.json").read_text())
        assert drc["errors"] == [] and drc["schematic_parity"] == [] and drc["schematic_parity_warnings"] == [], drc
        assert drc["clean"] and drc["unconnected_items"] == 0
        check = json.loads((tmp_path / "out" / name / "wattcad-check.json").read_text())
        assert check["passed"] and check["kicad"].startswith("10."), name


@pytest.mark.kicad
def test_the_check_reports_name_the_kicad_that_ran_them(tmp_path):
    from wattcad.kicad.versions import installed_kicad

    demo = Path("/usr/share/kicad/demos/stickhub")
    project = tmp_path / "StickHub"
    shutil.copytree(demo, project)
    code, printed, said = _run(["check", str(project), "--out", str(tmp_path), "--no-enclosure"])
    assert code in (0, 1), said
    version = installed_kicad()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert json.loads((tmp_path / "wattcad-check.json").read_text())["kicad"] == version
    junit = (tmp_path / "wattcad-check.xml").read_text()
    assert f'<property name="kicad" value="{version}" />' in junit
    assert f"(KiCad {version})" in printed.splitlines()[0]


def test_kicad_10s_netlist_pin_names_lose_the_number_it_appends(tmp_path):
    """KiCad 10's netlist names a pin "~{RESET}_4" where KiCad 9 wrote "~{RESET}": the checks that
    find the ADE7816's pins by name (reset, analog, phase) read both as the pin's name."""
    from wattcad.kicad.netlist import parse_netlist

    net = tmp_path / "k.net"
    net.write_text('(export (version "E") (components (comp (ref "U1") (value "ADE7816")))'
                   ' (nets (net (code "1") (name "~{RESET}")'
                   ' (node (ref "U1") (pin "4") (pinfunction "~{RESET}_4") (pintype "input"))'
                   ' (node (ref "U1") (pin "7") (pinfunction "IAP") (pintype "input")))))')
    names = parse_netlist(net).pin_names
    assert names[("U1", "4")] == "~{RESET}" and names[("U1", "7")] == "IAP"
