"""Boards and projects of older KiCads (4 and 5, written by tests/data/old_kicad/make_boards.py in
those formats): read the way KiCad reads them, matched by real part names, never a silent pass."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wattcad.cli import main
from wattcad.core.legacy_schematic import read_parts
from wattcad.footprints.names import parse_name
from wattcad.footprints.spec import spec_for_part

DATA = Path(__file__).resolve().parent / "data" / "old_kicad"


def _verify(capsys, *args) -> tuple[int, str]:
    code = main(["footprint", "verify", *map(str, args)])
    return code, capsys.readouterr().out


def test_the_test_boards_are_what_their_writer_writes(tmp_path):
    """The committed old-format files are the generator's output, so they can be regenerated."""
    copy = tmp_path / "old_kicad"
    shutil.copytree(DATA, copy)
    subprocess.run([sys.executable, str(copy / "make_boards.py")], check=True)
    for f in sorted(DATA.rglob("*")):
        if f.is_file() and f.suffix != ".py":
            assert (copy / f.relative_to(DATA)).read_bytes() == f.read_bytes(), f.name


def test_names_of_real_boards_give_their_dimensions():
    ipc = parse_name("QFN50P600X600X80-41N")
    assert (ipc.pitch_mm, ipc.body_x_mm, ipc.body_y_mm, ipc.pins, ipc.exposed_pads) == (0.5, 6.0, 6.0, 40, 1)
    dfn = parse_name("DFN50P300X300X100-11N")
    assert (dfn.pins, dfn.exposed_pads) == (10, 1)
    old = parse_name("QFN-40-1EP_6x6mm_Pitch0.5mm")  # KiCad 4's library
    assert (old.pitch_mm, old.body_x_mm, old.pins) == (0.5, 6.0, 40)
    assert parse_name("SOIC127P600X175-8N") is None  # a lead span, not a body: not read as one


def test_parts_match_by_part_number_fields_and_package():
    assert spec_for_part("ADE7816ACPZ-RL").name == "lfcsp-40-6x6"
    assert spec_for_part("U", "", {"MPN": "ADE7816ACPZ-RL7"}).name == "lfcsp-40-6x6"
    assert spec_for_part("U", "", {"Manufacturer_Part_Number": "ade7816acpz"}).name == "lfcsp-40-6x6"
    assert spec_for_part("U", "", {"Package": "LFCSP-40"}).name == "lfcsp-40-6x6"
    assert spec_for_part("U", "MyLib:U40", {"MPN": "STM32F103"}) is None


def test_legacy_schematic_parts_are_read_with_their_fields():
    parts = read_parts(DATA / "kicad5-project" / "ade7816-k5.sch")
    assert [p.reference for p in parts] == ["U1", "R1"]  # the power symbol is not a part
    assert parts[0].value == "ADE7816ACPZ"
    assert parts[0].footprint.endswith("QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm")
    assert parts[0].fields == {"MPN": "ADE7816ACPZ-RL"}


@pytest.mark.kicad
@pytest.mark.parametrize("board, release", [("kicad5-qfn5x5.kicad_pcb", "KiCad 5"), ("kicad4-qfn5x5.kicad_pcb", "KiCad 4")])
def test_old_board_with_the_5x5_mistake_fails_naming_u1(capsys, board, release):
    before = (DATA / board).read_bytes()
    code, out = _verify(capsys, DATA / board)
    assert code == 1, out
    u1 = next(line for line in out.splitlines() if line.startswith("FAIL") and " U1 " in line)
    assert "lfcsp-40-6x6" in u1 and "pitch 0.40 mm, package needs 0.50 mm" in u1
    assert "5.00x5.00 mm, package body is 6.00x6.00 mm" in out
    assert f"upgraded from the {release} format" in out
    assert (DATA / board).read_bytes() == before  # read through a scratch copy


@pytest.mark.kicad
def test_old_board_with_the_right_footprint_passes(capsys):
    code, out = _verify(capsys, DATA / "kicad5-qfn6x6.kicad_pcb")
    assert code == 0, out
    assert any(line.startswith("PASS") and " U1 " in line and "lfcsp-40-6x6" in line for line in out.splitlines()), out


@pytest.mark.kicad
def test_an_ipc_7351_name_alone_catches_the_wrong_pitch(capsys):
    code, out = _verify(capsys, DATA / "kicad5-ipc-name.kicad_pcb")
    assert code == 1
    assert "U2" in out and "name says pitch 0.5 mm, pads are 0.400 mm apart" in out


@pytest.mark.kicad
def test_an_unmatched_ic_is_named_never_a_silent_pass(tmp_path, capsys):
    board = tmp_path / "mystery.kicad_pcb"
    text = (DATA / "kicad5-qfn6x6.kicad_pcb").read_text()
    board.write_text(text.replace("ADE7816ACPZ", "MYSTERY").replace("QFN-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm", "MyLib_U40"))
    code, out = _verify(capsys, board)
    assert code == 0
    assert "warning: U1 (MYSTERY, MyLib_U40, 41 pads) not checked" in out
    code, out = _verify(capsys, "--strict", board)
    assert code == 1
    # The user's map says what it is: then it is checked, and passes.
    (tmp_path / "wattcad-parts.yaml").write_text("parts:\n  MYST*: ade7816\n")
    code, out = _verify(capsys, "--strict", board)
    assert code == 0, out
    assert any(line.startswith("PASS") and " U1 " in line and "lfcsp-40-6x6" in line for line in out.splitlines())
    (tmp_path / "wattcad-parts.yaml").write_text("parts:\n  U1: qfn-99\n")
    code, out = _verify(capsys, board)
    assert code == 2
    assert "wattcad-parts.yaml" in out and "parts.U1" in out and "qfn-99" in out


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


@pytest.mark.kicad
def test_check_a_kicad5_project_on_an_upgraded_copy(tmp_path, capsys):
    project = tmp_path / "kicad5-project"
    shutil.copytree(DATA / "kicad5-project", project)
    before = _tree_digest(project)
    code = main(["check", str(project), "--no-enclosure", "--out", str(tmp_path / "reports")])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "KiCad 4/5 project (ade7816-k5.sch, legacy schematic)" in out
    assert "saved by KiCad 5 (format 20171130)" in out
    fail = [line for line in out.splitlines() if line.strip().startswith("FAIL")]
    assert any("U1" in line and "pitch 0.40 mm, package needs 0.50 mm" in line for line in fail), out
    # kicad-cli drops the legacy symbols it has no library for: ERC says so instead of passing empty.
    assert "loaded 0 of the 2 parts of the legacy schematic" in out
    assert _tree_digest(project) == before  # nothing written, nothing changed
