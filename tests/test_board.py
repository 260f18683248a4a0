"""The boards in pcbnew: DRC and parity clean, placement as designed, a person's edits kept."""
import math
import re
import shutil

import pytest
import yaml

from wattcad.ade7816.params import BOARD_PARAMS, PARTS_CATALOGUE, load_board_params
from wattcad.ade7816.pcb_project import BOARDS_DIR, board_file_name, build_boards
from wattcad.ade7816.schematic import generate_project
from wattcad.kicad.drc import check_setup, run_drc

pytestmark = pytest.mark.kicad
NAME = "wattcad-ade7816"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    params = load_board_params()
    generate_project(root / NAME)
    results = build_boards(params, root / NAME, root, boards_dir=root / "boards", render=False)
    return {r.variant: r for r in results}


def _board(path):
    import pcbnew

    return pcbnew.LoadBoard(str(path))


def _fp(board, ref):
    return board.FindFootprintByReference(ref)


def _mm(p):
    import pcbnew

    return pcbnew.ToMM(p.x), pcbnew.ToMM(p.y)


def _pad(board, ref, number):
    return next(p for p in _fp(board, ref).Pads() if p.GetNumber() == number)


@pytest.mark.parametrize("variant", ["rect", "round"])
def test_drc_and_parity_are_clean(built, variant):
    drc = built[variant].drc
    assert drc.errors == [] and drc.parity == [] and drc.setup_problems == []
    # Not even KiCad 10's field warnings: the footprints carry their symbols' Datasheet and Description.
    assert drc.parity_warnings == []
    assert drc.courtyard_overlaps == []
    assert drc.unconnected > 50  # routing is left to the person: counted, reported, not hidden
    assert drc.clean


def test_design_rules_and_custom_rules_are_really_applied(built, tmp_path):
    import pcbnew

    src = built["rect"].project_dir
    work = tmp_path / "p"
    shutil.copytree(src, work)
    board_path = work / f"{NAME}.kicad_pcb"
    board = _board(board_path)
    # A 0.10 mm track: the fab rule (0.15 mm, from the project file) must flag it.
    a = _pad(board, "R1101", "1")
    track = pcbnew.PCB_TRACK(board)
    track.SetStart(a.GetPosition())
    track.SetEnd(a.GetPosition() + pcbnew.VECTOR2I(pcbnew.FromMM(0), pcbnew.FromMM(-2)))
    track.SetWidth(pcbnew.FromMM(0.10))
    track.SetLayer(pcbnew.F_Cu)
    track.SetNet(a.GetNet())
    board.Add(track)
    # An analog track 0.22 mm from a DGND track: only the custom rule (0.25 mm) objects.
    ana = [n for name, n in board.GetNetsByName().items() if str(name) == "/CT_A_TIP"][0]
    dgnd = [n for name, n in board.GetNetsByName().items() if str(name) == "/DGND"][0]
    for net, y in ((ana, 0.0), (dgnd, 0.42)):
        t = pcbnew.PCB_TRACK(board)
        # in the empty right half, below the Feather headers
        t.SetStart(pcbnew.VECTOR2I(pcbnew.FromMM(100), pcbnew.FromMM(70 + y)))
        t.SetEnd(pcbnew.VECTOR2I(pcbnew.FromMM(110), pcbnew.FromMM(70 + y)))
        t.SetWidth(pcbnew.FromMM(0.2))
        t.SetLayer(pcbnew.F_Cu)
        t.SetNet(net)
        board.Add(t)
    pcbnew.SaveBoard(str(board_path), board, True)  # keep our project file as it is
    rules = load_board_params().pcb["rules"]
    drc = run_drc(board_path, rules)
    text = "\n".join(drc.errors)
    assert "[track_width]" in text and "0.1500 mm" in text
    assert "wattcad: analog clearance" in text
    # And the check notices a missing project file or a broken rules file.
    broken = board_path.with_suffix(".kicad_dru")
    broken.write_text(broken.read_text() + "\n(rule \"oops\" (constraint clearance (min 0.3mm))")
    assert any("broken" in p for p in check_setup(board_path, rules))
    # A board without its project file is checked with what it carries, and says so: a note, not a
    # silent default (a lone board, as most shared boards are).
    board_path.with_suffix(".kicad_dru").write_text(broken.read_text().rsplit("\n(rule \"oops\"", 1)[0])
    board_path.with_suffix(".kicad_pro").unlink()
    assert not check_setup(board_path, rules)
    assert any("no .kicad_pro beside the board" in n and "KiCad's defaults" in n for n in run_drc(board_path, rules).notes)


@pytest.mark.parametrize("variant", ["rect", "round"])
def test_routing_rules_are_drawn_on_the_board_and_kicad_enforces_them(built, tmp_path, variant):
    """The build draws the rule areas (the crystal's, the analog parts') and writes the rules that
    keep nets out of them; the routed board obeys them, and KiCad's DRC flags a track that does not."""
    import pcbnew

    assert not any("wattcad:" in e for e in built[variant].drc.errors)
    work = tmp_path / "p"
    shutil.copytree(built[variant].project_dir, work)
    board_path = work / f"{NAME}.kicad_pcb"
    board = _board(board_path)
    areas = {}
    for z in board.Zones():
        areas.setdefault(str(z.GetZoneName()), []).append(z.GetBoundingBox().Centre())
    assert len(areas["wattcad-crystal"]) == 1 and len(areas["wattcad-analog"]) >= 20 and "DGND" in areas
    nets = {str(name): n for name, n in board.GetNetsByName().items()}
    for net, where in (("/~{SS}", areas["wattcad-analog"][0]), ("/MISO", areas["wattcad-crystal"][0]),
                       ("/CT_A_TIP", areas["DGND"][0])):
        t = pcbnew.PCB_TRACK(board)
        t.SetStart(where - pcbnew.VECTOR2I(pcbnew.FromMM(0.2), 0))
        t.SetEnd(where + pcbnew.VECTOR2I(pcbnew.FromMM(0.2), 0))
        t.SetWidth(pcbnew.FromMM(0.2))
        t.SetLayer(pcbnew.F_Cu)
        t.SetNet(nets[net])
        board.Add(t)
    pcbnew.SaveBoard(str(board_path), board, True)
    text = "\n".join(run_drc(board_path, load_board_params().pcb["rules"]).errors)
    for rule in ("digital tracks off the analog area", "nothing but the clock between the crystal and the chip",
                 "analog tracks off the digital plane"):
        assert f"wattcad: {rule}" in text, rule


def test_rect_jacks_on_the_bottom_edge_facing_out(built):
    board = _board(built["rect"].board)
    pcb = load_board_params().pcb
    bottom = 20.0 + pcb["rect"]["height_mm"]
    xs = []
    for i in range(1, 7):
        fp = _fp(board, f"J{i}")
        x, y = _mm(fp.GetPosition())
        xs.append(x)
        # SJ1-3533NG opens at its local -y; turned 180 degrees it opens downwards, nose at the edge.
        assert fp.GetOrientation().AsDegrees() % 360 == pytest.approx(180, abs=0.01)
        nose = y + 5.2
        assert nose == pytest.approx(bottom, abs=0.01)
    assert xs == sorted(xs)


@pytest.mark.parametrize("variant", ["rect", "round"])
def test_a_real_feather_plugs_in(built, variant):
    """The Feather's pin map (its specification, as data) against A1's pads on the board, in board
    coordinates: the 12-pin row opposite pins 5-16, 0.8 in across; the USB end on the board edge."""
    from wattcad.footprints.module import module_geometry
    from wattcad.footprints.spec import find_spec

    board = _board(built[variant].board)
    spec = find_spec("feather")
    pads = {str(n): _mm(_pad(board, "A1", str(n)).GetPosition()) for n in range(1, 29)}
    # The board frame of the Feather: origin at pad 1, y along the 16-pin row.
    (x1, y1), (x16, y16) = pads["1"], pads["16"]
    length = math.hypot(x16 - x1, y16 - y1)
    assert length == pytest.approx(15 * 2.54, abs=0.01)
    uy = ((x16 - x1) / length, (y16 - y1) / length)
    for pin in spec.pins:
        # The spec's +x, turned with its +y: a rotation keeps the frame's handedness (a mirrored,
        # bottom-side Feather would not plug in).
        ux = (uy[1], -uy[0])
        want = (x1 + pin.x_mm * ux[0] + pin.y_mm * uy[0], y1 + pin.x_mm * ux[1] + pin.y_mm * uy[1])
        got = pads[pin.number]
        assert math.hypot(got[0] - want[0], got[1] - want[1]) < 0.01, (pin.number, got, want)
    # Pad 28 (VBAT) across from pad 5 (A0), 20.32 mm away.
    assert math.dist(pads["28"], pads["5"]) == pytest.approx(20.32, abs=0.01)
    # The USB end of the Feather is the pad-1 end; its face sits on the board edge.
    geo = module_geometry(spec)
    across = (geo.usb[0] + geo.usb[2]) / 2
    ux = (uy[1], -uy[0])
    face = (x1 + across * ux[0] - geo.opening_reach_mm * uy[0], y1 + across * ux[1] - geo.opening_reach_mm * uy[1])
    pcb = load_board_params().pcb
    if variant == "rect":
        assert face[0] == pytest.approx(20.0 + pcb["rect"]["width_mm"], abs=0.01)
    else:
        r = pcb["round"]["diameter_mm"] / 2
        assert math.dist(face, (20 + r, 20 + r)) == pytest.approx(r, abs=0.01)


def test_round_board_has_the_jacks_on_a_circle_sixty_degrees_apart(built):
    board = _board(built["round"].board)
    u1 = _fp(board, "U1")
    r = load_board_params().pcb["round"]["diameter_mm"] / 2
    cx, cy = 20 + r, 20 + r
    angles, radii = [], []
    for i in range(1, 7):
        fp = _fp(board, f"J{i}")
        x, y = _mm(fp.GetPosition())
        a = math.degrees(math.atan2(-(y - cy), x - cx))
        angles.append(a % 360)
        radii.append(math.hypot(x - cx, y - cy))
        # opening (local -y, at 90 degrees) turned to point away from the centre
        assert (fp.GetOrientation().AsDegrees() - (a - 90)) % 360 == pytest.approx(0, abs=0.01) or \
            (fp.GetOrientation().AsDegrees() - (a - 90)) % 360 == pytest.approx(360, abs=0.01)
    assert max(radii) - min(radii) < 1e-3
    steps = sorted((b - a) % 360 for a, b in zip(angles, angles[1:] + angles[:1]))
    assert steps == pytest.approx([60] * 6, abs=0.01)
    ux, uy = _mm(u1.GetPosition())
    assert math.hypot(ux - cx, uy - cy) < 10.0


@pytest.mark.parametrize("variant", ["rect", "round"])
def test_crystal_and_filter_parts_sit_by_their_pins(built, variant):
    board = _board(built[variant].board)
    for y_pin, u_pin in (("1", "27"), ("3", "28")):
        ypos, upos = _mm(_pad(board, "Y1", y_pin).GetPosition()), _mm(_pad(board, "U1", u_pin).GetPosition())
        assert math.dist(ypos, upos) <= load_board_params().pcb["placement"]["crystal_max_mm"], (y_pin, u_pin)
    # Every capacitor on a U1 supply pin (decoupling) sits within 8 mm of it, every other one on a U1
    # net (the inputs' anti-alias filters) within 9 mm: a row of ten filter parts along a side is
    # 20 mm long, fanned out in the side's wedge so no track crosses another pin's part.
    u1 = _fp(board, "U1")
    pins = {}
    for p in u1.Pads():
        if p.GetNetname() not in ("/AGND", "/DGND", ""):
            pins.setdefault(p.GetNetname(), []).append(_mm(p.GetPosition()))
    checked = 0
    for fp in board.GetFootprints():
        if not fp.GetReference().startswith("C"):
            continue
        for pad in fp.Pads():
            if pad.GetNetname() in pins:
                nearest = min(math.dist(_mm(pad.GetPosition()), pin) for pin in pins[pad.GetNetname()])
                supply = pad.GetNetname() in ("+3V3", "/AVDD", "/DVDD", "/REFIN_OUT")
                assert nearest <= (8.0 if supply else 9.0), fp.GetReference()
                checked += 1
    assert checked >= 20


def test_hand_edits_survive_a_rebuild(built, tmp_path):
    """A person moves a part, routes a track, draws a zone; then the schematic changes (channel F
    depopulated, resistors moved to 0805). The rebuild keeps the edits and follows the changes."""
    import pcbnew

    boards = tmp_path / "boards"  # the committed boards: routed, as a person's board would be
    shutil.copytree(BOARDS_DIR, boards, ignore=shutil.ignore_patterns("*.bak", "*-bak"))
    source = boards / board_file_name(NAME, "rect")
    board = _board(source)
    r3 = _fp(board, "R103")
    r3.SetPosition(pcbnew.VECTOR2I(pcbnew.FromMM(35.0), pcbnew.FromMM(60.0)))
    r3.SetLocked(True)
    a, b = _pad(board, "R1101", "1"), _pad(board, "R1102", "1")
    track = pcbnew.PCB_TRACK(board)
    track.SetStart(a.GetPosition())
    track.SetEnd(b.GetPosition())
    track.SetWidth(pcbnew.FromMM(0.3))
    track.SetLayer(pcbnew.F_Cu)
    track.SetNet(a.GetNet())
    board.Add(track)
    zone = pcbnew.ZONE(board)
    zone.SetLayer(pcbnew.F_Cu)
    zone.SetNet(a.GetNet())
    zone.SetZoneName("my zone")
    outline = zone.Outline()
    outline.NewOutline()
    for x, y in ((25, 25), (32, 25), (32, 32), (25, 32)):
        outline.Append(pcbnew.FromMM(x), pcbnew.FromMM(y))
    board.Add(zone)
    pcbnew.SaveBoard(str(source), board, True)
    edited = source.read_bytes()

    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["channels"]["F"]["populated"] = False
    data["channels"]["D"]["burden_ohm"] = 1000  # a changed value
    params_path = tmp_path / "board.yaml"
    params_path.write_text(yaml.safe_dump(data))
    parts = yaml.safe_load(PARTS_CATALOGUE.read_text())
    parts["resistors"]["package"] = "chip-0805"
    parts_path = tmp_path / "parts.yaml"
    parts_path.write_text(yaml.safe_dump(parts))
    root = tmp_path / "build"
    generate_project(root / NAME, params_path, parts_path)
    (result,) = build_boards(load_board_params(params_path), root / NAME, root, boards_dir=boards,
                             variants=("rect",), render=False)

    assert source.with_name(source.name + ".bak").read_bytes() == edited  # backed up before the write
    after = _board(source)
    r3 = _fp(after, "R103")
    assert _mm(r3.GetPosition()) == pytest.approx((35.0, 60.0), abs=1e-6) and r3.IsLocked()
    assert str(r3.GetFPID().GetLibItemName()) == "Chip_0805_2012Metric"
    assert "R103: footprint wattcad:Chip_0603_1608Metric -> wattcad:Chip_0805_2012Metric" in result.change.updated
    assert _fp(after, "J6") is None and sorted(result.change.removed) == ["J6", "R601"]  # jack and burden
    widths = sorted(round(pcbnew.ToMM(t.GetWidth()), 3) for t in after.GetTracks())
    assert 0.3 in widths
    assert "my zone" in [z.GetZoneName() for z in after.Zones()]
    assert "R401: value 3.83 -> 1k" in result.change.updated and _fp(after, "R401").GetValue() == "1k"
    assert result.drc.parity == [] and result.drc.courtyard_overlaps == []
    # The circuit changed: what that left unrouted was routed again, and the summary says so.
    assert "re-routed what the change left unrouted" in result.change.summary()

    # Channel F back: its jack and burden come back as new parts, placed clear of everything.
    data["channels"]["F"]["populated"] = True
    params_path.write_text(yaml.safe_dump(data))
    generate_project(root / NAME, params_path, parts_path)
    (again,) = build_boards(load_board_params(params_path), root / NAME, root, boards_dir=boards,
                            variants=("rect",), render=False)
    assert set(again.change.added) == {"J6", "R601"} and again.change.removed == []
    assert _mm(_fp(_board(source), "R103").GetPosition()) == pytest.approx((35.0, 60.0), abs=1e-6)
    assert again.drc.parity == [] and again.drc.courtyard_overlaps == []
    # What DRC finds is the person's own track and the routed tracks the larger 0805 pads now reach:
    # reported (the board step fails), never hidden, theirs to fix.
    stray = [e for e in again.drc.errors if "Track [+3V3]" not in e and not re.search(r"Pad \d+ \[[^\]]*\] of R\d+", e)]
    assert again.drc.errors and not again.drc.clean and stray == []


def test_renders_show_the_board(built, tmp_path):
    from PIL import Image

    from wattcad.ade7816.pcb_project import _render

    top, iso = _render(built["round"].board, tmp_path, "round")
    image = Image.open(top).convert("RGB")
    w, h = image.size
    # Solder-mask green fills the middle of a top view of the round board; the corners are background.
    def green(px):
        r, g, b = px
        return g > r + 10 and g > b
    centre = [image.getpixel((w // 2 + dx, h // 2 + dy)) for dx in range(-200, 201, 40) for dy in range(-200, 201, 40)]
    assert sum(green(p) for p in centre) / len(centre) > 0.6
    corners = [image.getpixel((x, y)) for x in (5, w - 6) for y in (5, h - 6)]
    assert not any(green(p) for p in corners)
    assert Image.open(iso).size[0] > 1000  # kicad-cli trims a few pixels off the 1200 x 900 asked for


def test_the_readme_place_circle_example_reproduces_the_round_board(built, tmp_path):
    from wattcad.cli import main

    src = built["round"].source
    out = tmp_path / "moved.kicad_pcb"
    assert main(["place", "circle", str(src), "--refs", "J1-J6", "--center", "85,85", "--radius", "59.8",
                 "--start-angle", "90", "--orient", "radial", "--rotation-offset", "-90", "--order", "given",
                 "--out", str(out)]) == 0
    before, after = _board(src), _board(out)
    for i in range(1, 7):
        a, b = _fp(before, f"J{i}"), _fp(after, f"J{i}")
        assert _mm(a.GetPosition()) == pytest.approx(_mm(b.GetPosition()), abs=1e-3)
        assert (a.GetOrientation().AsDegrees() - b.GetOrientation().AsDegrees()) % 360 == pytest.approx(0, abs=0.01) or \
            (a.GetOrientation().AsDegrees() - b.GetOrientation().AsDegrees()) % 360 == pytest.approx(360, abs=0.01)


def test_board_exports_carry_the_3d_bodies(built, tmp_path):
    import cadquery as cq

    from wattcad.ade7816.pcb_project import export_3d, write_3d_models

    project = built["rect"].project_dir
    models = write_3d_models(built["rect"].board, project)
    assert any(p.name == "LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm.step" for p in models)
    assert any(p.parent.name == "Connector_Audio.3dshapes" for p in models)
    step, glb = export_3d(built["rect"].board, project, "check")
    shape = cq.importers.importStep(str(step)).val()
    solids = shape.Solids()
    assert len(solids) > 60  # the board and a body for each part
    bb = shape.BoundingBox()
    assert bb.zlen > 6.0  # the jacks (6.1 mm) stand on it
    assert glb.read_bytes()[:4] == b"glTF"


def test_an_update_that_changes_nothing_leaves_the_board_as_it_was():
    """KiCad's refill of the round board flips one vertex of a fill between two states: a board
    that differs only in its fills is the same board (else every build saw a new one)."""
    from wattcad.ade7816.board import _without_fills

    text = (BOARDS_DIR / board_file_name(NAME, "round")).read_bytes()
    head, _, tail = text.partition(b"(filled_polygon")
    vertex = re.search(rb"\(xy [\d.]+ [\d.]+\) ", tail).group(0)
    refilled = head + b"(filled_polygon" + tail.replace(vertex, b"", 1)  # one vertex fewer in a fill
    assert refilled != text and _without_fills(refilled) == _without_fills(text)
    assert b"filled_polygon" not in _without_fills(text) and b"(footprint" in _without_fills(text)
    moved = text.replace(b"(at ", b"(at 1", 1)  # anything else that changes is a change
    assert _without_fills(moved) != _without_fills(text)
