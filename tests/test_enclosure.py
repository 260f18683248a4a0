"""The enclosure: parameters and plan in plain Python, solids in real CadQuery/OCCT, boards read
with the real pcbnew."""
import json
import math
from pathlib import Path

import cadquery as cq
import pytest
import yaml

from wattcad.cli import main
from wattcad.core.boardmodel import BoardModel, BoardModelError, Body, Hole
from wattcad.core.errors import InputError
from wattcad.enclosure.cad import board_solid, body_solids, enclosure_solids
from wattcad.enclosure.params import DEFAULTS, load_params
from wattcad.enclosure.plan import make_plan

REPO = Path(__file__).resolve().parents[1]


def small_board(**changes) -> BoardModel:
    outline = [(0.0, 0.0), (60.0, 0.0), (60.0, 40.0), (0.0, 40.0)]
    jack = Body(ref="J1", value="SJ1-3533NG", footprint="x", x_mm=30.0, y_mm=40.0 - 5.2, rotation_deg=180.0, side="top",
                box_min_mm=(-4.0, -5.2), box_max_mm=(4.2, 12.8), height_mm=6.1, opening="-y")
    chip = Body(ref="U1", value="ADE7816", footprint="x", x_mm=20.0, y_mm=15.0, rotation_deg=0.0, side="top",
                box_min_mm=(-3.0, -3.0), box_max_mm=(3.0, 3.0), height_mm=0.8)
    model = BoardModel(name="small", thickness_mm=1.6, outline=outline,
                       holes=[Hole(4.0, 4.0, 3.2, ref="H1"), Hole(56.0, 4.0, 3.2, ref="H2")], bodies=[jack, chip])
    for key, value in changes.items():
        setattr(model, key, value)
    return model


def test_board_model_round_trips_and_refuses_other_versions(tmp_path):
    model = small_board()
    again = BoardModel.from_json(model.to_json())
    assert again == model
    data = json.loads(model.to_json())
    data["version"] = 99
    with pytest.raises(BoardModelError, match="version"):
        BoardModel.from_json(json.dumps(data), "m.json")
    jack = model.body("J1")
    point, direction = jack.opening_axis()
    assert point == pytest.approx((30.0 - 0.1, 40.0), abs=1e-9) and direction == pytest.approx((0.0, 1.0), abs=1e-9)


@pytest.mark.parametrize("value, field", [({"wall_mm": -1}, "wall_mm"), ({"vents": "yes"}, "vents"),
                                          ({"screw_pilot_mm": 7}, "screw_pilot_mm"), ({"wall_mm": 40}, "wall_mm"),
                                          ({"lid_colour": "red"}, "lid_colour")])
def test_bad_parameters_name_the_parameter(tmp_path, value, field):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(value))
    with pytest.raises(InputError) as info:
        load_params(path)
    assert field in str(info.value) and str(path) in str(info.value)


def test_plan_heights_cutouts_and_impossible_standoffs(tmp_path):
    p = load_params()
    plan = make_plan(small_board(), p)
    assert plan.kind == "polygon"
    assert plan.board_bottom_mm == pytest.approx(p.floor_mm + p.standoff_height_mm)
    assert plan.inner_top_mm == pytest.approx(plan.board_top_mm + 6.1 + p.headroom_mm)
    (cut,) = plan.cutouts
    assert cut.ref == "J1" and cut.round and cut.z_mm == pytest.approx(plan.board_top_mm + 6.1 / 2)
    too_big = tmp_path / "p.yaml"
    too_big.write_text(yaml.safe_dump({"standoff_diameter_mm": 9.0}))
    # Holes 4 mm from the edge: 9 mm posts would hang off the board, so they slim to stay on it.
    slim = make_plan(small_board(), load_params(too_big))
    assert [s.diameter_mm for s in slim.standoffs] == [pytest.approx(8.0)] * 2
    assert any("H1" in n and "the board's edge" in n for n in slim.notes), slim.notes
    # A hole off the outline holds no post: the enclosure is built without it, and says so.
    off = make_plan(small_board(holes=[Hole(80.0, 4.0, 3.2, ref="H9")]), p)
    assert not off.standoffs and any("no standoff at H9" in n and "off the board" in n for n in off.notes), off.notes


def test_the_plan_adapts_to_parts_under_and_over_the_edge():
    """Standoffs grow for the deepest part under the board, slim down (or give way) beside one,
    and a part that overhangs the outline gets its own hole in the wall; each change is said."""
    p = load_params()
    deep = Body(ref="C9", value="470u", footprint="x", x_mm=30.0, y_mm=20.0, rotation_deg=0.0, side="bottom",
                box_min_mm=(-4.0, -4.0), box_max_mm=(4.0, 4.0), height_mm=7.5)
    plan = make_plan(small_board(bodies=small_board().bodies + [deep]), p)
    assert plan.board_bottom_mm - plan.floor_top_mm == pytest.approx(7.5 + 1.0)
    assert any("C9" in n and "standoff_height_mm 5" in n for n in plan.notes), plan.notes
    # A part under the board 3 mm from H1's centre: that post is slimmed to clear it by half a millimetre.
    beside = Body(ref="R9", value="1k", footprint="x", x_mm=4.0 + 3.0 + 0.5, y_mm=4.0, rotation_deg=0.0, side="bottom",
                  box_min_mm=(-0.5, -0.5), box_max_mm=(0.5, 0.5), height_mm=0.5)
    plan = make_plan(small_board(bodies=small_board().bodies + [beside]), p)
    post = next(s for s in plan.standoffs if s.ref == "H1")
    assert post.diameter_mm == pytest.approx(2 * (3.0 - 0.5)) and post.diameter_mm < p.standoff_diameter_mm
    assert next(s for s in plan.standoffs if s.ref == "H2").diameter_mm == p.standoff_diameter_mm
    under = Body(ref="R8", value="1k", footprint="x", x_mm=5.0, y_mm=4.0, rotation_deg=0.0, side="bottom",
                 box_min_mm=(-0.5, -0.5), box_max_mm=(0.5, 0.5), height_mm=0.5)
    plan = make_plan(small_board(bodies=small_board().bodies + [under]), p)
    assert [s.ref for s in plan.standoffs] == ["H2"] and any("no standoff at H1" in n for n in plan.notes)
    # A terminal block hanging 4 mm over the right edge: a rectangular hole at its height, straight out.
    block = Body(ref="J9", value="TB", footprint="x", x_mm=60.0, y_mm=20.0, rotation_deg=0.0, side="top",
                 box_min_mm=(-6.0, -5.0), box_max_mm=(4.0, 5.0), height_mm=9.0)
    plan = make_plan(small_board(bodies=small_board().bodies + [block]), p)
    cut = next(c for c in plan.cutouts if c.ref == "J9")
    assert not cut.for_plug and cut.direction == pytest.approx((1.0, 0.0))
    assert cut.point == pytest.approx((60.0, 20.0))
    assert cut.width_mm == pytest.approx(10.0 + 2 * p.cutout_margin_mm)
    assert cut.z_mm == pytest.approx(plan.board_top_mm + 4.5)


def test_solids_are_valid_and_the_board_fits():
    from wattcad.enclosure.cad import cutout_solid
    from wattcad.enclosure.fit import fit_check

    model, p = small_board(), load_params()
    plan = make_plan(model, p)
    parts = {"board": board_solid(model, plan), **body_solids(model, plan)}
    shells = enclosure_solids(model, plan, p)
    uncut = shells.pop("base_uncut")
    for solid in list(parts.values()) + list(shells.values()):
        assert solid.isValid() and solid.Volume() > 0
    assert parts["board"].Volume() == pytest.approx(60 * 40 * 1.6 - 2 * math.pi * 1.6 ** 2 * 1.6, rel=1e-3)
    assert shells["base"].intersect(shells["lid"]).Volume() < 1e-6
    fit = fit_check(parts, shells, plan, {c.ref: cutout_solid(c, p) for c in plan.cutouts}, uncut)
    assert fit.fits and fit.interference_mm3 == 0
    assert 0 < fit.min_clearance_mm < 10
    assert fit.cutouts[0]["axis_offset_mm"] <= 0.1
    # A part taller than the lid allows is found, and named.
    low = load_params()
    object.__setattr__(low, "inner_height_mm", 8.0)
    plan = make_plan(model, low)
    shells = enclosure_solids(model, plan, low)
    uncut = shells.pop("base_uncut")
    fit = fit_check({"board": board_solid(model, plan), **body_solids(model, plan)}, shells, plan,
                    {c.ref: cutout_solid(c, low) for c in plan.cutouts}, uncut)
    assert not fit.fits and any(c["part"] == "J1" and c["with"] == "lid" for c in fit.collisions)


@pytest.mark.kicad
@pytest.mark.parametrize("board, round_", [("examples/ade7816/boards/wattcad-ade7816.kicad_pcb", False),
                                           ("examples/ade7816/boards/wattcad-ade7816-round.kicad_pcb", True)])
def test_the_ade7816_boards_fit_their_enclosures(tmp_path, board, round_):
    out = tmp_path / "enc"
    assert main(["enclosure", board, "--out", str(out)]) == 0
    fit = json.loads((out / "fit.json").read_text())
    assert fit["fits"] and fit["interference_mm3"] == 0 and fit["min_clearance_mm"] > 0.2
    refs = {c["ref"] for c in fit["cutouts"]}
    assert {"J1", "J2", "J3", "J4", "J5", "J6", "J7", "A1-USB"} <= refs
    assert all(c["axis_offset_mm"] <= 0.1 for c in fit["cutouts"])
    base = cq.importers.importStep(str(out / "base.step")).val()
    lid = cq.importers.importStep(str(out / "lid.step")).val()
    assert base.isValid() and lid.isValid()
    bb = base.BoundingBox()
    if round_:
        assert bb.xlen == pytest.approx(bb.ylen, abs=1.0)  # a round board gets a round enclosure (ears aside)
    model = json.loads((out / "boardmodel.json").read_text())
    assert model["schema"] == "wattcad.core.boardmodel" and len(model["holes"]) == 4
    # The fit measured the real bodies: every part is wattcad's body from its spec, named beside the model.
    drawn = {b["ref"]: (b["drawn"], b["shape"]) for b in model["bodies"]}
    assert drawn["A1"] == ("body", "shapes/Adafruit_Feather.step") and drawn["J1"][0] == drawn["Y1"][0] == "body"
    assert all((out / shape).is_file() for _, shape in drawn.values() if shape)
    assert fit["parts_drawn"]["body"] and not fit["parts_drawn"]["model"]
    # Each 3.5 mm jack's barrel gets a round hole on its own axis, its diameter and the margin across.
    for ref in ("J1", "J2", "J3", "J4", "J5", "J6"):
        (cut,) = [c for c in fit["cutouts"] if c["ref"] == ref]
        assert cut["shape"] == "round" and cut["width_mm"] == pytest.approx(6.0 + 2 * 0.6)
    from PIL import Image

    image = Image.open(out / "enclosure-iso.png").convert("L")
    dark = sum(1 for v in image.get_flattened_data() if v < 200) / (image.width * image.height)
    assert 0.05 < dark < 0.9


@pytest.mark.kicad
def test_defaults_file_is_complete():
    data = yaml.safe_load(DEFAULTS.read_text())
    assert load_params().wall_mm == data["wall_mm"]


@pytest.mark.kicad
@pytest.mark.freecad
def test_freecad_document_is_parametric_and_agrees_with_cadquery(tmp_path):
    from wattcad.enclosure.freecad_job import run_freecad

    out = tmp_path / "enc"
    assert main(["enclosure", "examples/ade7816/boards/wattcad-ade7816.kicad_pcb", "--out", str(out), "--freecad", "--no-views"]) == 0
    agree = json.loads((out / "fit-freecad.json").read_text())
    assert agree["agree"] and agree["freecad"]["interference_mm3"] == 0
    # The job names the shapes stored beside it, never the machine's cache: it is the same file wherever it is built.
    job = json.loads((out / "freecad-job.json").read_text())
    shapes = {b["shape"] for b in job["boardmodel"]["bodies"] if b["shape"]}
    assert shapes and all(s.startswith("shapes/") and (out / s).is_file() for s in shapes), shapes
    before = agree["freecad"]["base_bbox_mm"]
    edited = tmp_path / "edited.FCStd"
    # A person edits the wall cell from 2 to 3 mm and recomputes: the base grows 1 mm on each side.
    after = run_freecad(["--edit", str(out / "enclosure.FCStd"), "wall", "3.0", str(edited)])
    assert after["base_bbox_mm"][0] == pytest.approx(before[0] + 2.0, abs=1e-3)
    assert after["base_bbox_mm"][1] == pytest.approx(before[1] + 2.0, abs=1e-3)
    assert after["base_volume_mm3"] > agree["freecad"]["base_volume_mm3"]
    # Saved and reopened, the change is still there; taller standoffs lift the board with them.
    reopened = run_freecad(["--fit", str(edited)])
    assert reopened["base_bbox_mm"] == pytest.approx(after["base_bbox_mm"], abs=1e-3)
    lifted = run_freecad(["--edit", str(edited), "standoff_h", "8.0", str(tmp_path / "lifted.FCStd")])
    assert lifted["base_bbox_mm"][2] == pytest.approx(after["base_bbox_mm"][2] + 3.0, abs=1e-3)
    assert lifted["interference_mm3"] == 0


def test_din_rail_option_adds_the_channel_under_the_floor(tmp_path):
    model = small_board()
    plain = load_params()
    rail_file = tmp_path / "p.yaml"
    rail_file.write_text(yaml.safe_dump({"din_rail": True}))
    rail = load_params(rail_file)
    base_plain = enclosure_solids(model, make_plan(model, plain), plain)["base"]
    base_rail = enclosure_solids(model, make_plan(model, rail), rail)["base"]
    assert base_rail.isValid()
    assert base_rail.BoundingBox().zmin == pytest.approx(-4.0, abs=1e-6) and base_plain.BoundingBox().zmin == pytest.approx(0.0, abs=1e-6)
    assert base_rail.Volume() == pytest.approx(base_plain.Volume() + 2 * 40 * 2 * 4, rel=1e-3)


@pytest.mark.kicad
def test_every_footprint_with_pads_gets_a_body_or_an_exemption_and_an_open_outline_is_read_as_kicad_does(tmp_path):
    """A board people made (KiCad 5): each footprint with pads is a body (its fab outline, courtyard
    or pads) or named exempt by kind; with one Edge.Cuts line gone the outline is not closed, and the
    bounding box of the edge drawings stands for it, as in KiCad's 3D viewer, with a note."""
    import re

    from tests.conftest import REPO
    from wattcad.kicad.boardmodel_reader import read_board_model_report

    board = REPO / "tests" / "data" / "pcbench" / "uext-esp32_UEXT_ESP32.kicad_pcb"
    model, notes = read_board_model_report(board)
    m = re.search(r"bodies for (\d+) of the (\d+) footprints with pads", notes[-1])
    exempt = sum(int(n) for n in re.findall(r"(\d+) (?:mounting hole|fiducial|net tie|test point|solder jumper|logo)", notes[-1]))
    assert int(m[1]) + exempt == int(m[2]) and int(m[1]) >= 8, notes
    assert len({b.ref for b in model.bodies}) >= int(m[1]) - 1
    assert not any("bounding box stands for" in n for n in notes)
    opened = tmp_path / board.name
    opened.write_text(board.read_text().replace("  (gr_line (start 139.5 81) (end 139.5 105) (layer Edge.Cuts) (width 0.15))\n", ""))
    model, notes = read_board_model_report(opened)
    assert any("not one closed outline" in n for n in notes)
    x0, y0, x1, y1 = model.bbox()
    assert (x0, y0, x1, y1) == pytest.approx((139.5, 81, 166, 105), abs=0.2)


def _moved(board, ref: str, along_mm: float, tmp_path):
    """BOARD with REF moved ALONG_MM out of the face its plug enters (towards the wall)."""
    import pcbnew

    from wattcad.kicad.boardmodel_reader import read_board_model

    _, direction = read_board_model(board).body(ref).opening_axis()
    length = math.hypot(*direction)
    b = pcbnew.LoadBoard(str(board))
    fp = b.FindFootprintByReference(ref)
    fp.Move(pcbnew.VECTOR2I(pcbnew.FromMM(direction[0] / length * along_mm), pcbnew.FromMM(direction[1] / length * along_mm)))
    out = tmp_path / f"moved-{ref}.kicad_pcb"
    b.Save(str(out))
    return out


@pytest.mark.kicad
@pytest.mark.parametrize("ref, reach_mm", [("J1", 4.0), ("J7", 0.0)])
def test_a_jack_pushed_1_mm_into_the_wall_is_named(tmp_path, ref, reach_mm):
    """Moved out until its body stands 1 mm into the wall (past the clearance, and for the 3.5 mm jack
    its 4 mm nose), a jack collides with the base and is named: its hole is round, for its barrel
    only. The box the fit used before cut the body's whole cross-section and hid it. REACH_MM: how
    far the barrel reaches in front of the body."""
    from wattcad.enclosure_job import build_enclosure

    board = _moved(REPO / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb", ref, reach_mm + 1.0 + 1.0, tmp_path)
    fit = build_enclosure(board, tmp_path / "enc", views=False).fit
    assert not fit["fits"]
    (hit,) = [c for c in fit["collisions"] if c["part"] == ref]
    assert hit["with"] == "base" and hit["volume_mm3"] > 10
    assert "clearance_mm" in hit["would_fit"]


TINY_BOARD = '''(kicad_pcb (version 20241229) (generator "test") (general (thickness 1.6))
	(layers (0 "F.Cu" signal) (2 "B.Cu" signal) (25 "Edge.Cuts" user) (5 "F.SilkS" user) (7 "B.SilkS" user))
	(gr_rect (start 0 0) (end 40 30) (stroke (width 0.1) (type default)) (fill no) (layer "Edge.Cuts"))
	(footprint "Test:X" (layer "{cu}") (at 20 15 30)
		(property "Reference" "U1" (at 0 0 0) (layer "{silk}"))
		(pad "1" smd rect (at 0 0 30) (size 1 1) (layers "{cu}"))
		(model "{model}" (offset (xyz 1 0.5 0.2)) (scale (xyz 1 1 1)) (rotate (xyz 0 0 90))))
)'''


@pytest.mark.kicad
@pytest.mark.parametrize("side", ["top", "bottom"])
def test_a_model_is_posed_for_the_fit_as_kicad_poses_it(tmp_path, side):
    """An asymmetric STEP with KiCad's offset and rotation, on a footprint turned 30 degrees, on
    either side: the fit's solid lands where kicad-cli's own STEP export puts it (z within KiCad's
    copper and mask, 0.1 mm)."""
    import subprocess
    from types import SimpleNamespace

    from wattcad.enclosure.cad import posed_shape

    model = tmp_path / "body.step"
    cq.exporters.export(cq.Workplane().add(cq.Solid.makeBox(1, 2, 3, cq.Vector(0.5, 0.25, 0))), str(model))
    board = tmp_path / f"{side}.kicad_pcb"
    cu, silk = ("F.Cu", "F.SilkS") if side == "top" else ("B.Cu", "B.SilkS")
    board.write_text(TINY_BOARD.format(cu=cu, silk=silk, model=model))
    step = tmp_path / f"{side}.step"
    subprocess.run(["kicad-cli", "pcb", "export", "step", "--subst-models", "--force", "--user-origin", "0x0mm",
                    "-o", str(step), str(board)], capture_output=True, check=True, timeout=300)
    (kicad,) = [s for v in cq.importers.importStep(str(step)).vals() for s in v.Solids() if abs(s.Volume() - 6.0) < 1e-3]
    body = Body(ref="U1", value="", footprint="", x_mm=20, y_mm=15, rotation_deg=30, side=side, box_min_mm=(0, 0),
                box_max_mm=(1, 1), height_mm=1, shape=str(model), shape_offset_mm=(1, 0.5, 0.2), shape_rotation_deg=(0, 0, 90))
    ours = posed_shape(body, SimpleNamespace(board_top_mm=1.6, board_bottom_mm=0.0)).BoundingBox()
    theirs = kicad.BoundingBox()
    for axis, tol in (("x", 0.01), ("y", 0.01), ("z", 0.1)):
        assert getattr(ours, f"{axis}min") == pytest.approx(getattr(theirs, f"{axis}min"), abs=tol), axis
        assert getattr(ours, f"{axis}max") == pytest.approx(getattr(theirs, f"{axis}max"), abs=tol), axis
