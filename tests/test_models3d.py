"""Every part of a board drawn, wherever the board is: its own 3D model where it resolves as KiCad
resolves it, else wattcad's body from its package spec, else a box (kicad/models3d.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wattcad.footprints import sexpr
from wattcad.kicad import models3d

REPO = Path(__file__).resolve().parents[1]
BOARD = REPO / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb"
OLD = REPO / "tests" / "data" / "old_kicad" / "kicad5-qfn6x6.kicad_pcb"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("WATTCAD_CACHE", str(folder))
    return folder


def _refs(shapes, drawn):
    return sorted(s.ref for s in shapes if s.drawn == drawn)


def test_the_committed_board_is_drawn_whole_without_kicads_library(cache, monkeypatch):
    monkeypatch.setattr(models3d, "kicad_library_dir", lambda: None)  # as on a machine without kicad-packages3d
    shapes = models3d.resolve_shapes(BOARD, draw=False)
    by_ref = {s.ref: s for s in shapes}
    # The Feather, the six jacks, the barrel jack and the crystal name KiCad's library: drawn from their specs.
    for ref in ("A1", "J1", "J6", "J7", "Y1"):
        assert by_ref[ref].drawn == "body" and by_ref[ref].not_found, ref
    # Holes, the solder jumpers, the net tie: no body.
    assert _refs(shapes, "none") == ["H1", "H2", "H3", "H4", "JP1", "JP2", "NT1"]
    assert _refs(shapes, "box") == [] and _refs(shapes, "model") == []
    assert models3d.summary_line(shapes) == f"parts drawn: {len(shapes) - 7} as wattcad's body from its spec"


def test_a_model_beside_the_board_wins_and_keeps_its_transform(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(models3d, "kicad_library_dir", lambda: None)
    board = tmp_path / "b.kicad_pcb"
    shutil.copy(BOARD, board)
    # The build's convention: a 3dmodels folder beside the board stands in for KiCad's library.
    jack = tmp_path / "3dmodels" / "Connector_Audio.3dshapes" / "Jack_3.5mm_CUI_SJ1-3533NG_Horizontal.step"
    jack.parent.mkdir(parents=True)
    jack.write_text("ISO-10303-21;")
    shapes = {s.ref: s for s in models3d.resolve_shapes(board, draw=False)}
    assert shapes["J1"].drawn == "model" and shapes["J1"].files == [str(jack)] and not shapes["J1"].not_found
    assert shapes["A1"].drawn == "body"
    # The environment's variable comes before the library and the folder beside the board.
    other = tmp_path / "lib"
    (other / jack.parent.name).mkdir(parents=True)
    (other / jack.parent.name / jack.name).write_text("ISO-10303-21;")
    monkeypatch.setenv("KICAD9_3DMODEL_DIR", str(other))
    shapes = {s.ref: s for s in models3d.resolve_shapes(board, draw=False)}
    assert shapes["J1"].files == [str(other / jack.parent.name / jack.name)]


def test_kicad5_models_in_inches_and_a_footprint_without_a_spec_gets_a_named_box(cache, tmp_path):
    text = OLD.read_text()
    model = '    (model "${KISYS3DMOD}/x.wrl" (at (xyz 0.1 0 0.5)) (scale (xyz 1 1 1)) (rotate (xyz 0 0 90)))\n'
    text = text.replace("    (pad 41 ", model + "    (pad 41 ", 1)
    # R1 loses what tells its package (footprint name and value): no spec, so a box at the SMD default.
    text = text.replace("Resistor_SMD:R_0603_1608Metric", "Mine:Odd")
    board = tmp_path / "old.kicad_pcb"
    board.write_text(text)
    root = models3d.read_board(board)
    node = next(n for n in sexpr.children(root, "module") if "QFN" in str(n[1]))
    (ref,) = models3d.model_refs(node)
    assert ref.offset_mm == pytest.approx((2.54, 0.0, 12.7)) and ref.rotation_deg == (0.0, 0.0, 90.0)
    shapes = {s.ref: s for s in models3d.resolve_shapes(board, draw=True)}
    assert shapes["U1"].drawn == "body" and shapes["U1"].not_found == ["${KISYS3DMOD}/x.wrl"]
    assert shapes["R1"].drawn == "box" and "1 mm high (SMD default: no package spec)" in shapes["R1"].note
    for s in shapes.values():
        assert all(Path(f).is_file() for f in s.files)


def test_bodies_are_drawn_once_and_the_shaped_copy_names_them(cache, tmp_path):
    import cadquery as cq

    out = tmp_path / "shaped.kicad_pcb"
    shapes = models3d.write_shaped_board(BOARD, out)
    drawn = sorted(cache.rglob("*.step"))
    assert {p.name for p in drawn} == {"Adafruit_Feather.step", "Jack_3.5mm_CUI_SJ1-3533NG_Horizontal.step",
                                       "BarrelJack_CUI_PJ-102AH_Horizontal.step", "Crystal_SMD_3225-4Pin_3.2x2.5mm.step",
                                       "Chip_0603_1608Metric.step", "Chip_0805_2012Metric.step",
                                       "LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm.step"}
    stamps = {p: p.stat().st_mtime_ns for p in drawn}
    key = models3d.shapes_key(shapes)
    again = models3d.write_shaped_board(BOARD, tmp_path / "again.kicad_pcb")
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*.step")} == stamps  # nothing drawn twice
    assert models3d.shapes_key(again) == key == models3d.shapes_key(models3d.resolve_shapes(BOARD, draw=False))
    # The copy names every part's file by its absolute path, and only those.
    root = models3d.read_board(out)
    named = [str(m[1]) for n in sexpr.children(root, "footprint") for m in sexpr.children(n, "model")]
    assert len(named) == sum(len(s.files) for s in shapes) and all(Path(p).is_file() for p in named)
    assert cq.importers.importStep(named[0]).val().isValid()


@pytest.mark.kicad
def test_the_shaped_copy_reads_in_pcbnew_with_its_parts_where_they_were(cache, tmp_path):
    import pcbnew

    out = tmp_path / "shaped.kicad_pcb"
    models3d.write_shaped_board(BOARD, out)
    before, after = pcbnew.LoadBoard(str(BOARD)), pcbnew.LoadBoard(str(out))
    pose = {f.GetReference(): (f.GetPosition().x, f.GetPosition().y, f.IsFlipped()) for f in before.GetFootprints()}
    assert {f.GetReference(): (f.GetPosition().x, f.GetPosition().y, f.IsFlipped()) for f in after.GetFootprints()} == pose
    assert len(after.GetTracks()) == len(before.GetTracks())
    models = {f.GetReference(): [m.m_Filename for m in f.Models()] for f in after.GetFootprints()}
    assert models["A1"][0].endswith("Adafruit_Feather.step") and Path(models["A1"][0]).is_absolute()


@pytest.mark.parametrize("name, height", [
    ("R_Axial_DIN0207_L6.3mm_D2.5mm_P10.16mm_Horizontal", 2.5),
    ("CP_Axial_L18.0mm_D6.5mm_P25.00mm_Horizontal", 6.5),
    ("CP_Radial_D8.0mm_P3.50mm", None),  # a standing can: its diameter is not its height
    ("Potentiometer_Bourns_3296W_Vertical_H10.0mm", 10.0),
    ("DIP-8_W7.62mm", None)])
def test_a_box_takes_its_height_from_kicads_footprint_name(name, height):
    assert models3d.height_from_name(name) == height
    expected = height if height else models3d.DEFAULT_HEIGHT_MM["through_hole"]
    assert models3d.body_height(None, True, name) == expected
    assert models3d.body_height(None, True, name) != models3d.body_height(None, False, name) or height


def test_a_kicad10_board_is_read_and_every_part_named(cache):
    """KiCad 10's file (tests/data/kicad10, its licence beside it), read as text: no KiCad 10 needed."""
    board = REPO / "tests" / "data" / "kicad10" / "ecc83-pp" / "ecc83-pp.kicad_pcb"
    shapes = [s for s in models3d.resolve_shapes(board, draw=False) if s.drawn != "none"]  # holes aside
    assert len(shapes) == 11 and {s.drawn for s in shapes} <= {"model", "box"}
    # Every part KiCad's library would draw is still drawn: as a box, its model path named.
    for s in shapes:
        assert s.files and (s.drawn == "model" or s.not_found)


def test_the_projects_own_variable_comes_first_as_in_kicad(cache, tmp_path, monkeypatch):
    """KiCad resolves a project's text variables before the environment (the build's projects point
    KICAD9_3DMODEL_DIR at their own 3dmodels/ this way): so does the resolver."""
    import json

    board = tmp_path / "b.kicad_pcb"
    shutil.copy(BOARD, board)
    mine, env = tmp_path / "mine", tmp_path / "env"
    for root in (mine, env):
        (root / "Module.3dshapes").mkdir(parents=True)
        (root / "Module.3dshapes" / "Adafruit_Feather.step").write_text("ISO-10303-21;")
    monkeypatch.setenv("KICAD9_3DMODEL_DIR", str(env))
    assert {s.ref: s for s in models3d.resolve_shapes(board, draw=False)}["A1"].files == \
        [str(env / "Module.3dshapes" / "Adafruit_Feather.step")]
    board.with_suffix(".kicad_pro").write_text(json.dumps({"text_variables": {"KICAD9_3DMODEL_DIR": "${KIPRJMOD}/mine"}}))
    assert {s.ref: s for s in models3d.resolve_shapes(board, draw=False)}["A1"].files == \
        [str(mine / "Module.3dshapes" / "Adafruit_Feather.step")]


def test_a_shaped_copy_keeps_kicads_line_limit():
    """An embedded file's data (vme-wren carries megabytes of it) is written one atom a line: KiCad's
    reader refuses a line over 1,000,000 characters. Short lists stay on one line, as before."""
    data = ["data", *[sexpr.Quoted("QUJD" * 25)] * 2000]
    text = sexpr.dump(["kicad_pcb", ["embedded_files", ["file", ["name", sexpr.Quoted("x.png")], data]], ["at", "1", "2"]])
    assert max(len(line) for line in text.splitlines()) < 200 and "\t\t(at 1 2)" not in text and "(at 1 2)" in text
    assert sexpr.parse(text) == ["kicad_pcb", ["embedded_files", ["file", ["name", "x.png"], data]], ["at", "1", "2"]]


def test_a_part_drawn_as_a_line_still_gets_a_body(cache, tmp_path):
    """A footprint whose fab drawing is one line (KiCad's video demo has such parts) gets a sliver of
    a box, not a CAD error."""
    from wattcad.enclosure.bodies import write_body_step
    from wattcad.footprints.model import Footprint, Graphic

    fp = Footprint(name="Line", graphics=[Graphic(kind="line", layer="F.Fab", points=[(0.0, 0.0), (3.0, 0.0)], width_mm=0.1)])
    made = write_body_step(fp, 1.0, tmp_path / "line.step")
    import cadquery as cq

    bb = cq.importers.importStep(str(made)).val().BoundingBox()
    assert bb.xlen == pytest.approx(3.0) and bb.ylen == pytest.approx(0.05) and bb.zlen == pytest.approx(1.0)
