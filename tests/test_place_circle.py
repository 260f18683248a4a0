"""Circular placement with the real pcbnew: CLI and action plugin, the same core."""
import math

import pytest

from wattcad.cli import main

from .helpers import board_with_footprints

pytestmark = pytest.mark.kicad


@pytest.fixture
def board(tmp_path, stock):
    jacks = [(f"J{i}", "SJ1-3533NG", stock / "Connector_Audio.pretty", "Jack_3.5mm_CUI_SJ1-3533NG_Horizontal") for i in (1, 2, 10, 3, 4, 5)]
    return board_with_footprints(tmp_path / "b.kicad_pcb", jacks + [
        ("U1", "ADE7816", stock / "Package_CSP.pretty", "LFCSP-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm"),
        ("R1", "1k", stock / "Resistor_SMD.pretty", "R_0603_1608Metric"),
    ])


def _poses(path):
    import pcbnew

    b = pcbnew.LoadBoard(str(path))
    return {fp.GetReference(): (pcbnew.ToMM(fp.GetPosition().x), pcbnew.ToMM(fp.GetPosition().y),
                                fp.GetOrientation().AsDegrees(), fp.IsFlipped(), fp.IsLocked()) for fp in b.GetFootprints()}


def test_cli_places_in_natural_order_within_a_micron(board, capsys):
    assert main(["place", "circle", str(board), "--refs", "J1-J5,J10", "--center", "100,80", "--radius", "30",
                 "--start-angle", "90"]) == 0
    poses = _poses(board)
    order = ["J1", "J2", "J3", "J4", "J5", "J10"]  # natural order: J10 last
    for i, ref in enumerate(order):
        a = 90 + 60 * i
        x, y, angle, _, _ = poses[ref]
        assert x == pytest.approx(100 + 30 * math.cos(math.radians(a)), abs=1e-3)
        assert y == pytest.approx(80 - 30 * math.sin(math.radians(a)), abs=1e-3)
        assert (angle - a + 180) % 360 - 180 == pytest.approx(0, abs=0.01)
    assert board.with_name(board.name + ".bak").exists()
    assert "placed 6 part(s)" in capsys.readouterr().out


def test_single_part_back_side_and_tangent(board, tmp_path):
    import pcbnew

    b = pcbnew.LoadBoard(str(board))
    r1 = b.FindFootprintByReference("R1")
    r1.Flip(r1.GetPosition(), pcbnew.FLIP_DIRECTION_TOP_BOTTOM)
    pcbnew.SaveBoard(str(board), b)
    out = tmp_path / "out.kicad_pcb"
    assert main(["place", "circle", str(board), "--refs", "R1", "--center", "50,50", "--radius", "5",
                 "--start-angle", "45", "--orient", "tangent", "--out", str(out)]) == 0
    x, y, angle, flipped, _ = _poses(out)["R1"]
    assert flipped
    assert (x, y) == pytest.approx((50 + 5 * math.cos(math.radians(45)), 50 - 5 * math.sin(math.radians(45))), abs=1e-3)
    assert (angle - 135 + 180) % 360 - 180 == pytest.approx(0, abs=0.01)


def test_locked_parts_are_skipped_unless_forced(board, capsys):
    import pcbnew

    b = pcbnew.LoadBoard(str(board))
    b.FindFootprintByReference("J2").SetLocked(True)
    pcbnew.SaveBoard(str(board), b)
    before = _poses(board)["J2"]
    assert main(["place", "circle", str(board), "--refs", "J1-J3", "--center", "0,0", "--radius", "20"]) == 0
    assert "skipped locked part(s) J2" in capsys.readouterr().out
    assert _poses(board)["J2"][:2] == pytest.approx(before[:2], abs=1e-6)
    assert main(["place", "circle", str(board), "--refs", "J1-J3", "--center", "0,0", "--radius", "20", "--force"]) == 0
    assert math.hypot(*_poses(board)["J2"][:2]) == pytest.approx(20, abs=1e-3)


def test_unknown_refs_leave_the_board_untouched(board, capsys):
    before = board.read_bytes()
    assert main(["place", "circle", str(board), "--refs", "J1-J7", "--center", "0,0", "--radius", "20"]) == 2
    assert "J6, J7" in capsys.readouterr().err
    assert board.read_bytes() == before
    assert not board.with_name(board.name + ".bak").exists()
    assert main(["place", "circle", str(board), "--refs", "J1", "--center", "0,0", "--radius", "-1"]) == 2
    assert board.read_bytes() == before


def test_plugin_places_the_selection(board):
    import pcbnew

    from wattcad.kicad.plugins.place_circle import CircleOptions, PlaceOnCirclePlugin

    b = pcbnew.LoadBoard(str(board))
    for ref in ("J3", "J4", "J5"):
        b.FindFootprintByReference(ref).SetSelected()
    plugin = PlaceOnCirclePlugin()
    plugin.defaults()
    assert plugin.name == "Place on circle (wattcad)"
    plugin.get_board = lambda: b
    seen = {}

    def options(suggested):
        seen["suggested"] = suggested
        return CircleOptions((10.0, 20.0), 15.0, start_angle_deg=0.0, step_deg=120.0, orient="radial")

    plugin.get_options = options
    plugin.Run()
    assert seen["suggested"].radius_mm > 0
    got = {fp.GetReference(): fp for fp in b.GetFootprints()}
    for i, ref in enumerate(("J3", "J4", "J5")):
        a = math.radians(120 * i)
        assert pcbnew.ToMM(got[ref].GetPosition().x) == pytest.approx(10 + 15 * math.cos(a), abs=1e-3)
        assert pcbnew.ToMM(got[ref].GetPosition().y) == pytest.approx(20 - 15 * math.sin(a), abs=1e-3)
    assert "placed 3 part(s)" in plugin.last_message
