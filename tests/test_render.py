"""The Blender render: camera math and finishes in plain pytest; real renders through real Blender
(bpy 5.0.1) checked by their pixels; the add-on registered and run in Blender."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from wattcad.blender import finish, views
from wattcad.blender.render_cli import parse_size
from wattcad.cli import main

SOURCE_BOARD = REPO / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb"
BOX = [(0.02, -0.11, 0.0), (0.14, -0.02, 0.0), (0.02, -0.02, 0.013), (0.14, -0.11, 0.013)]


@pytest.mark.parametrize("view", views.VIEWS)
@pytest.mark.parametrize("size", [(1280, 960), (960, 540), (400, 800)])
def test_every_view_frames_the_whole_subject(view, size):
    box = views.corners(*_bounds(BOX))
    cam = views.frame(box, view, *size)
    pts = [views.project(cam, p, *size) for p in box]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    assert min(xs) >= 0 and max(xs) <= size[0] and min(ys) >= 0 and max(ys) <= size[1]
    # ...and fills it: the subject spans most of the limiting side.
    assert max((max(xs) - min(xs)) / size[0], (max(ys) - min(ys)) / size[1]) > 0.8


def _bounds(points):
    return tuple(min(p[i] for p in points) for i in range(3)), tuple(max(p[i] for p in points) for i in range(3))


def test_orthographic_views_are_true_to_scale():
    cam = views.frame(BOX, "top", 1200, 900, margin=1.0)
    assert cam.orthographic
    # 120 mm across 1200 px at margin 1: 0.1 mm per pixel, and the board's corners on the edges.
    assert cam.units_per_pixel(1200, 900) == pytest.approx(0.0001)
    assert views.project(cam, (0.02, -0.02, 0.0), 1200, 900) == pytest.approx((0.0, 0.0), abs=1e-6)
    with pytest.raises(ValueError):
        views.frame(BOX, "iso", 1200, 900).units_per_pixel(1200, 900)


def test_turntable_keeps_one_distance_and_goes_round():
    cams = views.turntable_frame(BOX, 8, 640, 480)
    distances = [math.dist(c.location, c.target) for c in cams]
    assert max(distances) - min(distances) < 1e-9
    headings = [math.degrees(math.atan2(c.location[1] - c.target[1], c.location[0] - c.target[0])) % 360 for c in cams]
    steps = [(b - a) % 360 for a, b in zip(headings, headings[1:])]
    assert steps == pytest.approx([45.0] * 7)


def test_bad_views_sizes_and_frames_are_refused():
    with pytest.raises(ValueError, match="unknown view"):
        views.frame(BOX, "side", 100, 100)
    with pytest.raises(ValueError, match="positive"):
        views.frame(BOX, "iso", 0, 100)
    with pytest.raises(ValueError, match="at least one"):
        views.turntable_frame(BOX, 0, 100, 100)
    import argparse

    for bad in ("12x", "axb", "8x8", "20000x100"):
        with pytest.raises(argparse.ArgumentTypeError, match="--size"):
            parse_size(bad)
    assert parse_size("960X540") == (960, 540)


def test_exploded_view_lifts_the_lid_above_the_board():
    e = views.explode(enclosure_height=0.03, board_top=0.006)
    assert e.board_lift > 0.03 - 0.006  # the board clears the base's rim
    assert e.lid_lift > e.board_lift + 0.02


def test_kicad_layers_and_parts_get_their_finishes():
    # The materials kicad-cli 9.0.8 writes into a GLB (base colour, metallic) and the z extent (m)
    # of the meshes they dress, as measured on this project's board.
    t = 0.0016
    assert finish.classify_board_mesh((0.7, 0.61, 0.0), 1.0, 0.00158, t) == "pads"
    assert finish.classify_board_mesh((0.5, 0.5, 0.5), 1.0, 0.00159, t) == "copper"
    assert finish.classify_board_mesh((1.0, 1.0, 1.0), 0.0, 0.0, t) == "silkscreen"
    assert finish.classify_board_mesh((0.08, 0.2, 0.14), 0.0, 0.0, t) == "mask"
    assert finish.classify_board_mesh((0.3, 0.3, 0.3), 0.0, 0.00151, t) == "substrate"
    assert finish.classify_board_mesh((0.05, 0.05, 0.05), 0.0, 0.0, t) == "mask"  # a black board's mask
    # kicad-cli's board body mesh, whatever colour the stackup gives its core (tiny_tapeout: tan).
    assert finish.classify_board_mesh((0.43, 0.45, 0.29), 0.0, 0.00156, t, "tinytapeout-demo_PCB") == "substrate"
    assert finish.part_finish("J1", "Jack_3.5mm_CUI_SJ1-3533NG_Horizontal").metallic == 1.0
    assert finish.part_finish("J8", "PinHeader_1x16_P2.54mm_Vertical") is finish.BLACK_PLASTIC
    assert finish.part_finish("C101", "Capacitor_SMD:C_0603") is finish.CERAMIC
    assert finish.part_finish("Y1", "Crystal_SMD_3225-4Pin_3.2x2.5mm") is finish.TIN_CAN
    # A stacked host module by its BoardModel role, whatever its name; not by a name.
    assert finish.part_finish("A1", "Module:Adafruit_Feather Adafruit_Feather_HUZZAH32_ESP32", "module") is finish.MODULE
    assert finish.part_finish("U7", "Module:RaspberryPi_Pico", "module") is finish.MODULE
    assert finish.part_finish("A1", "Module:Adafruit_Feather Adafruit_Feather_HUZZAH32_ESP32") is not finish.MODULE
    assert finish.srgb_to_linear(1.0) == pytest.approx(1.0) and finish.srgb_to_linear(0.5) == pytest.approx(0.214, abs=1e-3)
    # The board's own meshes by kicad-cli's names; a part's coloured meshes by the colours wattcad's
    # bodies carry (its can metal, its board green, its headers black), as Blender reads them (linear).
    assert finish.is_board_mesh("wattcad-ade7816_soldermask.001") and finish.is_board_mesh("x_PCB")
    assert not finish.is_board_mesh("Adafruit_Feather") and not finish.is_board_mesh("Chip_0603_1608Metric")
    from wattcad.enclosure.bodies import COLOURS

    for colour, want in (("metal", finish.NICKEL), ("pcb", finish.MODULE_PCB), ("black", finish.BLACK_PLASTIC),
                         ("white", finish.WHITE_PLASTIC), ("gold", finish.ENIG)):
        assert finish.body_finish(tuple(finish.srgb_to_linear(c) for c in COLOURS[colour])) is want, colour


def test_addon_zip_is_reproducible_and_installable(tmp_path):
    a = main(["plugin", "install", "--blender", "--zip", str(tmp_path / "a.zip")])
    b = main(["plugin", "install", "--blender", "--zip", str(tmp_path / "b.zip")])
    assert a == b == 0 and (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    names = zipfile.ZipFile(tmp_path / "a.zip").namelist()
    assert "wattcad_blender/__init__.py" in names and "wattcad_blender/scene.py" in names
    assert "bl_info" in zipfile.ZipFile(tmp_path / "a.zip").read("wattcad_blender/__init__.py").decode()


def test_one_version_everywhere():
    """wattcad's version is written once (wattcad/__init__.py); the package metadata reads it and
    the Blender add-on's bl_info, a literal Blender parses without importing, must agree with it."""
    import ast
    from importlib.metadata import version

    from wattcad import __version__

    assert version("wattcad") == __version__
    tree = ast.parse((REPO / "blender" / "wattcad_blender" / "__init__.py").read_text())
    bl_info = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                   and any(getattr(t, "id", "") == "bl_info" for t in n.targets))
    assert bl_info["version"] == tuple(int(x) for x in __version__.split("."))


# --- real renders ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The committed board with its 3D bodies and its enclosure, in a scratch project folder."""
    from wattcad.ade7816.pcb_project import write_3d_models
    from wattcad.enclosure_job import build_enclosure

    root = tmp_path_factory.mktemp("render")
    board = root / SOURCE_BOARD.name
    for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
        shutil.copy2(SOURCE_BOARD.with_suffix(suffix), board.with_suffix(suffix))
    write_3d_models(board, root)
    build_enclosure(board, root / "enclosure", views=False)
    return board


def _rgb(path: Path):
    from PIL import Image

    return Image.open(path).convert("RGB")


def _is_mask_green(px) -> bool:
    r, g, b = px
    return g > r + 12 and g > b + 4


def _green_fraction(image, box) -> float:
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    pixels = [image.getpixel((x, y)) for x in range(max(x0, 0), min(x1, image.width), 2)
              for y in range(max(y0, 0), min(y1, image.height), 2)]
    return sum(map(_is_mask_green, pixels)) / max(len(pixels), 1)


@pytest.mark.kicad
@pytest.mark.blender
def test_top_view_is_true_to_scale_and_the_board_is_green_where_it_should_be(project, tmp_path):
    out = tmp_path / "top.png"
    assert main(["render", str(project), "--view", "top", "--size", "400x300", "--samples", "6", "--out", str(out)]) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    image = _rgb(out)
    assert image.size == (400, 300)
    corners = info["frames"][0]["board_corners_px"]
    x0, x1 = min(c[0] for c in corners), max(c[0] for c in corners)
    y0, y1 = min(c[1] for c in corners), max(c[1] for c in corners)
    # 120 x 90 mm at the reported scale.
    assert (x1 - x0) * info["mm_per_px"] == pytest.approx(120.0, abs=0.5)
    assert (y1 - y0) * info["mm_per_px"] == pytest.approx(90.0, abs=0.5)
    # Mask green fills the board's band between the ADE7816 and the jacks; the frame around it is not green.
    assert _green_fraction(image, (x0 + 10, y0 + 10, x0 + 60, y1 - 80)) > 0.8
    assert _green_fraction(image, (0, 0, image.width, y0 - 2)) < 0.05
    # The board's edges are where the camera says: the green columns start within 3 px of them.
    row = int((y0 + y1) / 2 - 20)
    green_cols = [x for x in range(image.width) if _is_mask_green(image.getpixel((x, row)))]
    assert abs(green_cols[0] - x0) <= 3 and abs(green_cols[-1] - x1) <= 3


ASSEMBLY_VIEWS = [("iso", "cutaway"), ("exploded", ""), ("front", "translucent")]


@pytest.fixture(scope="module")
def batch(project, tmp_path_factory):
    """The assembly views, a turntable and a top view, all in one Blender process (as the build
    renders a board's pictures): {name: RenderResult}."""
    from wattcad.render_job import Picture, render_pictures

    out = tmp_path_factory.mktemp("batch")
    pictures = {f"{v}-{s}": Picture(out / f"{v}.png", v, (320, 240), 6, s) for v, s in ASSEMBLY_VIEWS}
    pictures["turn"] = Picture(out / "turn.png", "iso", (160, 120), 2, turntable_frames=3)
    pictures["top"] = Picture(out / "top.png", "top", (400, 300), 6)  # no enclosure style: as the CLI's
    results = render_pictures(project, list(pictures.values()), project.parent / "enclosure")
    return dict(zip(pictures, results))


@pytest.mark.kicad
@pytest.mark.blender
@pytest.mark.parametrize("view, style", ASSEMBLY_VIEWS)
def test_assembly_views_show_the_board_in_its_enclosure(batch, view, style):
    result = batch[f"{view}-{style}"]
    info = result.info
    assert info["enclosure"] == ["base", "lid"] and info["view"] == view
    image = _rgb(result.images[0])
    from PIL import ImageStat

    assert max(ImageStat.Stat(image).stddev) > 6  # not a blank frame (an empty one is under 1)
    if view != "front":  # the front elevation sees the board edge-on
        assert _green_fraction(image, (0, 0, image.width, image.height)) > 0.03


@pytest.mark.kicad
@pytest.mark.blender
def test_turntable_writes_frames_and_a_gif(batch):
    result = batch["turn"]
    frames = result.images
    assert [f.name for f in frames] == ["turn-000.png", "turn-001.png", "turn-002.png"]
    from PIL import Image

    gif = Image.open(result.gif)
    assert gif.n_frames == 3 and result.gif.name == "turn.gif"
    assert _rgb(frames[0]).tobytes() != _rgb(frames[1]).tobytes()


@pytest.mark.kicad
@pytest.mark.blender
def test_one_process_for_many_pictures_draws_each_as_alone(batch, project, tmp_path):
    """The board is imported once for the batch; each picture's scene is undone before the next
    (an enclosure style, a lifted lid, a cutter left behind would show): the batch's last picture,
    after the enclosure views, is the picture the command draws on its own."""
    from PIL import ImageChops

    infos = [r.info for r in batch.values()]
    assert len({i["board_import_seconds"] for i in infos}) == 1  # one import, reported by every picture
    alone = tmp_path / "top.png"
    assert main(["render", str(project), "--enclosure", str(project.parent / "enclosure"), "--view", "top",
                 "--size", "400x300", "--samples", "6", "--out", str(alone)]) == 0
    one, other = _rgb(alone), _rgb(batch["top"].images[0])
    diff = ImageChops.difference(one, other).convert("L").point(lambda v: 255 if v > 24 else 0)
    assert diff.histogram()[255] / (one.width * one.height) < 0.002
    assert json.loads(alone.with_suffix(".json").read_text())["frames"] == batch["top"].info["frames"]


@pytest.mark.kicad
@pytest.mark.blender
def test_bad_render_input_is_named(tmp_path, capsys):
    from tests.helpers import board_with_footprints

    no_outline = board_with_footprints(tmp_path / "no-outline.kicad_pcb",
                                       [("R1", "1k", Path("/usr/share/kicad/footprints/Resistor_SMD.pretty"), "R_0603_1608Metric")])
    assert main(["render", str(no_outline), "--out", str(tmp_path / "x.png")]) == 2
    assert "Edge.Cuts" in capsys.readouterr().err and not (tmp_path / "x.png").exists()
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["render", str(SOURCE_BOARD), "--out", str(blocker / "x.png")]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["render", str(SOURCE_BOARD), "--out", str(tmp_path / "x.jpg")]) == 2
    assert main(["render", str(SOURCE_BOARD), "--enclosure", str(tmp_path), "--out", str(tmp_path / "x.png")]) == 2
    assert "fit.json" in capsys.readouterr().err
    # The script a user runs in their own Blender names a missing export.
    from wattcad.render_job import find_blender

    python = find_blender()[0]
    proc = subprocess.run([python, str(REPO / "blender" / "render.py"), "--", "--glb", str(tmp_path / "gone.glb"),
                           "--out", str(tmp_path / "x.png")], capture_output=True, text=True)
    assert proc.returncode == 2 and "gone.glb: no such board export" in proc.stderr


ADDON_CHECK = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import bpy
import wattcad_blender
wattcad_blender.register()
menu = [f.__name__ for f in bpy.types.TOPBAR_MT_file_import._dyn_ui_initialize()]
result = bpy.ops.import_scene.wattcad_kicad(filepath=sys.argv[2])
mats = {s.material.name for o in bpy.data.objects if o.type == "MESH" for s in o.material_slots if s.material}
refs = {o.name for o in bpy.data.objects if o.type == "MESH"}
print("RESULT" + json.dumps({"menu": menu, "result": sorted(result), "materials": sorted(mats),
                             "has_u1": "U1" in refs, "meshes": len(refs)}))
"""


@pytest.mark.kicad
@pytest.mark.blender
def test_blender_addon_imports_a_kicad_board(project, tmp_path):
    from wattcad.render_job import find_blender

    assert main(["plugin", "install", "--blender", "--dest", str(tmp_path / "addons")]) == 0
    script = tmp_path / "check_addon.py"
    script.write_text(ADDON_CHECK)
    proc = subprocess.run([find_blender()[0], str(script), str(tmp_path / "addons"), str(project)],
                          capture_output=True, text=True, timeout=600)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    got = json.loads(line[len("RESULT"):])
    assert "_menu" in got["menu"] and got["result"] == ["FINISHED"]
    assert {"wattcad solder mask", "wattcad ENIG gold", "wattcad silkscreen", "wattcad nickel"} <= set(got["materials"])
    assert got["has_u1"] and got["meshes"] > 60


@pytest.mark.kicad
@pytest.mark.blender
def test_missing_and_unreadable_models_are_left_out_and_listed(tmp_path, capsys):
    """A model that is not found is stood in for (U1 by wattcad's body from its spec), and said; one
    KiCad cannot read is left out, as KiCad's 3D viewer does, a warning names it, and the .json beside
    the picture lists both; exit 0."""
    board = tmp_path / "models.kicad_pcb"
    text = (Path(__file__).parent / "data" / "old_kicad" / "kicad5-qfn6x6.kicad_pcb").read_text()
    gone, broken = tmp_path / "gone.wrl", tmp_path / "broken.wrl"
    broken.write_text("#VRML V2.0 utf8\nShape { geometry IndexedFaceSet { coord Coordinate { point [ 0 0 0, 1 x")
    model = "    (model {} (at (xyz 0 0 0)) (scale (xyz 1 1 1)) (rotate (xyz 0 0 0)))\n"
    text = text.replace("    (pad 41 ", model.format(gone) + "    (pad 41 ", 1)  # U1
    text = text.replace("    (pad 1 smd roundrect", model.format(broken) + "    (pad 1 smd roundrect", 1)  # R1
    board.write_text(text)
    out = tmp_path / "models.png"
    assert main(["render", str(board), "--view", "top", "--size", "160x120", "--samples", "2", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"{broken} unreadable" in said and "1 footprints' own 3D models not found" in said
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["missing_models"] == [f"{broken} unreadable"]
    assert info["models_not_found"] == [f"U1: {gone}"]
    assert info["parts"] == {"model": ["R1"], "body": ["U1"], "box": []}
    assert _green_fraction(_rgb(out), (0, 0, 160, 120)) > 0.4
