"""wattcad's grid router: pure cases checked by geometry, and KiCad's own ecc83 demo with its tracks
removed, routed back to zero unrouted connections and a clean DRC in the real KiCad."""
import json
import math
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from wattcad.cli import main
from wattcad.core.dru import area_rules, class_clearances, parse_rules
from wattcad.core.router import Connection, Copper, Keepout, NetClass, Problem, Terminal, copper_distance, route

ECC83 = Path("/usr/share/kicad/demos/ecc83")
CLS = NetClass("Default", 0.25, 0.2, 0.6, 0.3)


def _square(cx, cy, half):
    return ((cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half))


def _problem(wall: bool = True, zone: bool = False) -> Problem:
    """Two pads of net 0 either side of a wall of net 1 that leaves a gap at its top."""
    copper = [Copper(0, (0,), polygon=_square(2, 5, 0.5)), Copper(0, (0,), polygon=_square(12, 5, 0.5))]
    if wall:
        copper.append(Copper(1, (0, 1), polygon=((6.5, 2.0), (7.5, 2.0), (7.5, 10.0), (6.5, 10.0))))
    outline = [(0.0, 0.0), (14.0, 0.0), (14.0, 10.0), (0.0, 10.0)]
    conns = [Connection(0, Terminal(0, (2.0, 5.0)), Terminal(1, (12.0, 5.0)))]
    zones = {}
    if zone:
        copper.append(Copper(2, (0,), polygon=_square(4, 8.5, 0.4)))
        conns.append(Connection(2, Terminal(len(copper) - 1, (4.0, 8.5)), None))
        zones[2] = (1, [[(8.5, 0.5), (13.5, 0.5), (13.5, 9.5), (8.5, 9.5)]])
    return Problem(bbox=(0, 0, 14, 10), outline=outline, edge_clearance_mm=0.3, nets=["A", "B", "GND"],
                   classes={0: CLS, 1: CLS, 2: CLS}, copper=copper, connections=conns, zones=zones)


def _clearance(problem, result) -> float:
    """The smallest gap between a new track and other nets' copper, sampled along every track."""
    gap = math.inf
    for r in result.routes:
        for layer, a, b, width in r.tracks:
            t = np.linspace(0, 1, max(int(math.dist(a, b) / 0.01), 2))
            xs, ys = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            for c in problem.copper:
                if c.net != r.net and layer in c.layers:
                    gap = min(gap, float(copper_distance(xs, ys, c).min()) - width / 2)
    return gap


def test_a_route_goes_round_an_obstacle_with_its_clearance():
    problem = _problem()
    result = route(problem)
    assert not result.failed and len(result.routes) == 1
    assert _clearance(problem, result) >= CLS.clearance_mm - 1e-6
    (r,) = result.routes
    # It starts and ends on the pads' centres (joined to the grid inside the pads), and runs at 45
    # or 90 degrees in between.
    assert r.tracks[0][1] == (2.0, 5.0) and r.tracks[-1][2] == (12.0, 5.0)
    pads = problem.copper[:2]
    for _, a, b, _ in r.tracks:
        if any(copper_distance(np.array([a[0], b[0]]), np.array([a[1], b[1]]), p).max() == 0 for p in pads):
            continue
        angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) % 45
        assert min(angle, 45 - angle) < 1e-6
    # Longer than the straight line: the wall is in the way.
    assert result.track_length_mm > 10.5


def test_a_pads_solder_mask_opening_keeps_other_nets_tracks_farther_off():
    """The wall's mask opening reaches 0.5 mm past its copper (0.3 more than the clearance): another
    net's track keeps out of it, as KiCad's solder_mask_bridge check asks."""
    plain = _problem()
    masked = _problem()
    masked.copper_extra_mm = {2: 0.3}
    near, far = route(plain), route(masked)
    assert not near.failed and not far.failed
    assert _clearance(plain, near) < CLS.clearance_mm + 0.3 - 1e-6  # the plain route hugs the wall
    assert _clearance(masked, far) >= CLS.clearance_mm + 0.3 - 1e-6


def test_the_same_problem_routes_the_same_way():
    a, b = route(_problem()), route(_problem())
    assert [r.tracks for r in a.routes] == [r.tracks for r in b.routes] and a.via_count == b.via_count


def test_a_closed_wall_is_crossed_on_the_other_layer():
    problem = _problem()
    wall = problem.copper[2]
    problem.copper[2] = Copper(1, (0,), polygon=((6.5, 0.0), (7.5, 0.0), (7.5, 10.0), (6.5, 10.0)))
    assert wall.layers == (0, 1)
    result = route(problem)
    assert not result.failed and result.via_count == 2
    assert {layer for r in result.routes for layer, *_ in r.tracks} == {0, 1}


def test_a_zone_net_drops_a_via_inside_its_zone():
    problem = _problem(wall=False, zone=True)
    result = route(problem)
    assert not result.failed
    gnd = next(r for r in result.routes if r.net == 2)
    (x, y), _, _ = gnd.vias[-1]
    assert 8.5 + 0.3 + 0.3 <= x <= 13.5 - 0.6 and 0.5 + 0.6 <= y <= 9.5 - 0.6


def test_past_its_deadline_the_router_returns_what_it_has_and_names_the_rest():
    from wattcad.core.router import TIME_LIMIT

    problem = _problem()
    late = route(problem, deadline=time.monotonic() - 1.0)  # a limit already passed: no search starts
    assert late.routes == [] and [why for _, why in late.failed] == [TIME_LIMIT]
    in_time = route(problem, deadline=time.monotonic() + 60.0)
    assert not in_time.failed and len(in_time.routes) == 1


def test_no_way_through_is_reported_not_forced():
    problem = _problem()
    problem.copper[2] = Copper(1, (0, 1), polygon=((6.5, 0.0), (7.5, 0.0), (7.5, 10.0), (6.5, 10.0)))
    result = route(problem)
    assert result.routes == [] and len(result.failed) == 1


def _track_points(result, net=None):
    for r in result.routes:
        if net is None or r.net == net:
            for layer, a, b, width in r.tracks:
                t = np.linspace(0, 1, max(int(math.dist(a, b) / 0.01), 2))
                yield layer, a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), width


def test_a_keepout_turns_the_nets_it_names_and_no_other():
    """An area across the straight way (the wall's gap closed to net 0 only): net 0 goes round by
    the other layer, and no track of it touches the area."""
    area = ((6.0, 0.0), (8.0, 0.0), (8.0, 2.5), (6.0, 2.5))
    problem = _problem()
    problem.keepouts = [Keepout("no A on top", (area,), (0,), frozenset({0}))]
    result = route(problem)
    assert not result.failed
    area_copper = Copper(-1, (0,), polygon=area)
    for layer, xs, ys, width in _track_points(result):
        if layer == 0:
            assert float(copper_distance(xs, ys, area_copper).min()) >= width / 2 - 1e-6
    assert result.via_count >= 2  # the way round is on the bottom layer
    # The same area for another net changes nothing for net 0.
    problem.keepouts = [Keepout("no B", (area,), (0,), frozenset({1}))]
    assert route(problem).via_count == 0


def test_fine_pitch_pins_get_straight_escapes_before_anything_is_routed():
    """A row of 0.5 mm pitch pads: each escaping pad gets a straight stub outward, and the
    connection starts from its end."""
    copper, conns = [], []
    for n in range(4):
        x = 5.0 + 0.5 * n
        copper.append(Copper(n, (0,), polygon=((x - 0.125, 4.6), (x + 0.125, 4.6), (x + 0.125, 5.4), (x - 0.125, 5.4))))
    for n in range(4):  # a target pad far below each pin, in the reverse order: the routes must cross
        copper.append(Copper(n, (0,), polygon=_square(2.0 + 2.5 * (3 - n), 9.0, 0.4)))
        conns.append(Connection(n, Terminal(n, (5.0 + 0.5 * n, 5.0)), Terminal(4 + n, (2.0 + 2.5 * (3 - n), 9.0))))
    problem = Problem(bbox=(0, 0, 14, 10), outline=[(0.0, 0.0), (14.0, 0.0), (14.0, 10.0), (0.0, 10.0)],
                      edge_clearance_mm=0.3, nets=["A", "B", "C", "D"], classes={n: NetClass("D", 0.2, 0.2, 0.6, 0.3) for n in range(4)},
                      copper=copper, connections=conns, escapes={n: ((0.0, 1.0), 0.4 + 0.6) for n in range(4)})
    result = route(problem)
    assert not result.failed and result.routed == 4
    stubs = [r for r in result.routes if len(r.tracks) == 1 and r.tracks[0][1][0] == r.tracks[0][2][0]]
    assert len(stubs) >= 4
    for n in range(4):
        (stub,) = [r for r in stubs if r.net == n][:1]
        _, a, b, _ = stub.tracks[0]
        assert b[1] - a[1] == pytest.approx(1.0, abs=0.13)  # straight down, 0.6 mm past the pad's end
    assert _clearance(problem, result) >= 0.2 - 1e-6


def test_a_connection_reaches_its_own_partner_not_another_island_of_the_net():
    """Three pads of one net: A-B routed, then C-D where D's net-mate island A-B lies nearer C. The
    route from C must end on D (its partner), not on the A-B copper."""
    pads = [_square(2, 2, 0.4), _square(12, 2, 0.4), _square(2, 8, 0.4), _square(12, 8, 0.4)]
    copper = [Copper(0, (0,), polygon=p) for p in pads]
    conns = [Connection(0, Terminal(0, (2.0, 2.0)), Terminal(1, (12.0, 2.0))),
             Connection(0, Terminal(2, (2.0, 8.0)), Terminal(3, (12.0, 8.0)))]
    problem = Problem(bbox=(0, 0, 14, 10), outline=[(0.0, 0.0), (14.0, 0.0), (14.0, 10.0), (0.0, 10.0)],
                      edge_clearance_mm=0.3, nets=["A"], classes={0: CLS}, copper=copper, connections=conns)
    result = route(problem)
    ends = {p for r in result.routes for _, a, b, _ in r.tracks for p in (a, b)}
    assert (12.0, 8.0) in ends and (12.0, 2.0) in ends


def test_a_pad_off_the_board_is_reported_not_a_crash():
    """KiCad's multichannel_mixer-unrouted demo has parts still beside the outline: their
    connections are named as failed, the rest routes."""
    problem = _problem(wall=False)
    problem.copper.append(Copper(0, (0,), polygon=_square(30, 5, 0.5)))
    problem.connections.append(Connection(0, Terminal(len(problem.copper) - 1, (30.0, 5.0)), Terminal(1, (12.0, 5.0))))
    result = route(problem)
    assert result.routed == 1 and [why for _, why in result.failed] == ["an end lies outside the board outline"]


def test_design_rules_the_router_honours_are_read_and_the_rest_left_to_kicad():
    rules = parse_rules("""(version 1)
# a comment
(rule "analog" (condition "A.NetClass == 'Analog' && B.NetClass != 'Analog'") (constraint clearance (min 0.3mm)))
(rule "xtal" (condition "A.NetName != '/CLKIN' && A.NetClass != 'Power' && A.intersectsArea('x')")
  (constraint disallow track via))
(rule "plane" (layer B.Cu) (condition "A.NetName != '/DGND' && A.intersectsArea('DGND')") (constraint disallow track))
(rule "or: KiCad's" (condition "A.NetClass == 'D' || A.intersectsArea('y')") (constraint disallow track))
""")
    assert class_clearances(rules) == {"Analog": 0.3}
    xtal, plane = area_rules(rules)
    assert (xtal.area, xtal.tracks, xtal.vias, xtal.layer) == ("x", True, True, None)
    assert xtal.applies("/MOSI", "Default") and not xtal.applies("/CLKIN", "Default") and not xtal.applies("+3V3", "Power")
    assert (plane.layer, plane.vias) == ("B.Cu", False) and plane.applies("/AGND", "Power") and not plane.applies("/DGND", "Power")


def _bare_ecc83(tmp_path) -> Path:
    """KiCad's ecc83 demo board with every track removed (surgery in a process of its own)."""
    import sys

    board = tmp_path / "ecc83-pp.kicad_pcb"
    shutil.copy2(ECC83 / "ecc83-pp.kicad_pro", tmp_path / "ecc83-pp.kicad_pro")
    strip = ("import sys\nfrom wattcad.kicad.pcbnew_compat import pcbnew\n"
             "b = pcbnew.LoadBoard(sys.argv[1])\nfor t in list(b.GetTracks()):\n    b.Remove(t)\n"
             "pcbnew.SaveBoard(sys.argv[2], b)\n")
    subprocess.run([sys.executable, "-c", strip, str(ECC83 / "ecc83-pp.kicad_pcb"), str(board)], check=True,
                   capture_output=True, timeout=120)
    return board


@pytest.mark.kicad
def test_kicads_ecc83_demo_routes_back_clean(tmp_path, capsys):
    """KiCad's ecc83 demo with every track removed: routed by `wattcad route`, then checked by KiCad."""
    board = _bare_ecc83(tmp_path)
    before = board.read_bytes()
    # Only one net: the rest stays unrouted, so the board goes beside the user's, never over it (exit 1).
    assert main(["route", str(board), "--nets", "/Net-(U1-G)"]) == 1
    beside = board.with_name("ecc83-pp-routed.kicad_pcb")
    said = capsys.readouterr()
    assert board.read_bytes() == before and f"written to {beside}" in said.out and beside.is_file(), said
    assert "[route] attempt 1:" in said.err  # progress, on stderr
    # Everything: complete and clean, written in place after a backup.
    assert main(["route", str(board)]) == 0
    out = capsys.readouterr().out
    assert "0 unrouted, 0 DRC errors" in out
    assert board.with_name(board.name + ".bak").read_bytes() == before
    drc = tmp_path / "drc.json"
    subprocess.run(["kicad-cli", "pcb", "drc", "--format", "json", "-o", str(drc), str(board)], check=True,
                   capture_output=True, timeout=300)
    data = json.loads(drc.read_text())
    assert data["unconnected_items"] == [] and [v for v in data["violations"] if v["severity"] == "error"] == []
    # A routed board has nothing left to route: routing again changes nothing.
    routed = board.read_bytes()
    assert main(["route", str(board)]) == 0
    assert board.read_bytes() == routed


@pytest.mark.kicad
def test_at_its_time_limit_route_writes_the_best_board_beside_the_users_and_lists_what_is_left(tmp_path, capsys):
    board = _bare_ecc83(tmp_path)
    before = board.read_bytes()
    assert main(["route", str(board), "--time-limit", "0.001"]) == 1
    said = capsys.readouterr()
    beside = board.with_name("ecc83-pp-routed.kicad_pcb")
    assert board.read_bytes() == before and beside.is_file(), said.out
    assert "not tried: the time limit was reached" in said.out and "[route] attempt 1:" in said.err
    # What the report says is unrouted is what KiCad finds on the written board.
    unrouted = int(re.search(r"after: (\d+) unrouted", said.out).group(1))
    drc = tmp_path / "drc.json"
    subprocess.run(["kicad-cli", "pcb", "drc", "--format", "json", "-o", str(drc), str(beside)], check=True,
                   capture_output=True, timeout=300)
    report = json.loads(drc.read_text())
    assert len(report["unconnected_items"]) == unrouted > 0
    assert main(["route", str(board), "--time-limit", "0"]) == 2
    assert "--time-limit: must be a positive number of seconds" in capsys.readouterr().err


@pytest.mark.kicad
def test_kicads_pic_programmer_demo_routes_back_clean(tmp_path, capsys):
    """KiCad's pic_programmer demo, tracks removed: its own 0.25 mm minimum track width and the text
    etched in its top copper are kept (they were 199 track-width errors and 4 shorts)."""
    import sys

    demo = Path("/usr/share/kicad/demos/pic_programmer")
    shutil.copy2(demo / "pic_programmer.kicad_pro", tmp_path / "pic_programmer.kicad_pro")
    board = tmp_path / "pic_programmer.kicad_pcb"
    strip = ("import sys\nfrom wattcad.kicad.pcbnew_compat import pcbnew\n"
             "b = pcbnew.LoadBoard(sys.argv[1])\nfor t in list(b.GetTracks()):\n    b.Delete(t)\n"
             "pcbnew.SaveBoard(sys.argv[2], b)\n")
    subprocess.run([sys.executable, "-c", strip, str(demo / "pic_programmer.kicad_pcb"), str(board)], check=True,
                   capture_output=True, timeout=120)
    assert main(["route", str(board)]) == 0
    assert "86 of 86 connections routed" in capsys.readouterr().out
    drc = tmp_path / "drc.json"
    subprocess.run(["kicad-cli", "pcb", "drc", "--format", "json", "-o", str(drc), str(board)], check=True,
                   capture_output=True, timeout=300)
    data = json.loads(drc.read_text())
    assert data["unconnected_items"] == [] and [v for v in data["violations"] if v["severity"] == "error"] == []


@pytest.mark.kicad
def test_the_rect_board_routes_complete_from_bare(tmp_path, capsys):
    """The ADE7816 board of examples/ade7816/boards with every track and via removed: `wattcad route` makes
    every connection, and KiCad's DRC (with the board's own rules) finds no error; it routes exactly
    as the committed board was routed (every track and via the same), whatever the process's hash seed
    (KiCad's list of what is unrouted named a pad or the track on it by turns: 59.4775 against
    59.477500000000006 mm was a different route)."""
    import sys

    import pcbnew

    source = Path(__file__).resolve().parents[1] / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb"
    for suffix in (".kicad_pro", ".kicad_dru"):
        shutil.copy2(source.with_suffix(suffix), tmp_path / source.with_suffix(suffix).name)
    board = tmp_path / source.name
    strip = ("import sys\nfrom wattcad.kicad.pcbnew_compat import pcbnew\n"
             "b = pcbnew.LoadBoard(sys.argv[1])\nfor t in list(b.GetTracks()):\n    b.Delete(t)\n"
             "pcbnew.SaveBoard(sys.argv[2], b)\n")
    subprocess.run([sys.executable, "-c", strip, str(source), str(board)], check=True, capture_output=True, timeout=120)
    # A limit no run here comes near: a search cut short by it is the one thing that depends on the
    # machine's speed (the time split between attempts), and the test holds the exact tracks.
    assert main(["route", str(board), "--time-limit", "900"]) == 0
    out = capsys.readouterr().out
    assert "0 unrouted, 0 DRC errors" in out
    # The four differential inputs, each with at least a third of its track beside its partner
    # (routed one by one, channel B's had none).
    line = next(line for line in out.splitlines() if "pairs side by side" in line)
    shares = dict(re.findall(r"(\w+/\w+) (\d+)%", line))
    assert set(shares) == {"IAP/IAN", "IBP/IBN", "ICP/ICN", "VP/VN"} and min(map(int, shares.values())) >= 30, line
    drc = tmp_path / "drc.json"
    subprocess.run(["kicad-cli", "pcb", "drc", "--format", "json", "-o", str(drc), str(board)], check=True,
                   capture_output=True, timeout=300)
    data = json.loads(drc.read_text())
    assert data["unconnected_items"] == [] and [v for v in data["violations"] if v["severity"] == "error"] == []
    def copper(path):
        return sorted((t.GetClass(), t.GetNetname(), t.GetLayer(), t.GetStart().x, t.GetStart().y, t.GetEnd().x,
                       t.GetEnd().y) for t in pcbnew.LoadBoard(str(path)).GetTracks())

    assert copper(board) == copper(source)  # deterministic: routed again, the committed board's tracks


@pytest.mark.kicad
def test_route_plugin_routes_the_open_board_not_the_file(tmp_path):
    import pcbnew

    from wattcad.kicad.plugins.route import RoutePlugin

    board_file = _bare_ecc83(tmp_path)
    before = board_file.read_bytes()
    board = pcbnew.LoadBoard(str(board_file))
    plugin = RoutePlugin()
    plugin.defaults()
    plugin.get_board = lambda: board
    plugin.Run()
    assert plugin.last_report.complete and plugin.last_report.tracks > 20
    assert "added to the open board (not saved)" in plugin.last_report.summary()
    assert len(list(board.GetTracks())) == plugin.last_report.tracks + plugin.last_report.vias  # in the editor
    assert board_file.read_bytes() == before  # the file is the user's to save


@pytest.mark.kicad
def test_copper_shapes_keep_other_nets_off_and_vias_out(tmp_path):
    """The AGND/DGND net tie is copper drawn as a shape: every other net keeps its tracks and vias
    off it, its own two nets may run onto it but drill no via there (KiCad's hole clearance)."""
    from wattcad.kicad.board_io import load_board
    from wattcad.kicad.route import build_problem

    source = Path(__file__).resolve().parents[1] / "examples" / "ade7816" / "boards"
    for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
        shutil.copy(source / f"wattcad-ade7816{suffix}", tmp_path / f"board{suffix}")
    problem, _ = build_problem(load_board(tmp_path / "board.kicad_pcb"), tmp_path / "board.kicad_pcb")
    shapes = [k for k in problem.keepouts if k.name == "copper shape"]
    agnd, dgnd = problem.nets.index("/AGND"), problem.nets.index("/DGND")
    tie = [k for k in shapes if k.tracks and agnd not in k.nets and dgnd not in k.nets]
    assert tie and all(len(k.nets) == len(problem.classes) - 2 for k in tie)
    assert any(k.vias and not k.tracks and k.nets == frozenset({agnd, dgnd}) for k in shapes)
    # The solder jumpers' bridges are copper shapes too, each barring all but its own nets.
    assert len(shapes) > len(tie)
    # Grown by the clearance: the net tie's copper is a few millimetres across, its keep-out more.
    xs = [x for k in tie for poly in k.polygons for x, _ in poly]
    assert 1.0 < max(xs) - min(xs) < 8.0


def _pair_problem(pairs: dict) -> Problem:
    """P from (1, 2) to (13, 2); N from (1, 4) to (13, 4), 2 mm away: a pair apart."""
    copper = [Copper(n, (0,), polygon=_square(x, y, 0.4)) for n, x, y in ((0, 1, 2), (0, 13, 2), (1, 1, 4), (1, 13, 4))]
    conns = [Connection(0, Terminal(0, (1.0, 2.0)), Terminal(1, (13.0, 2.0))),
             Connection(1, Terminal(2, (1.0, 4.0)), Terminal(3, (13.0, 4.0)))]
    return Problem(bbox=(0, 0, 14, 8), outline=[(0.0, 0.0), (14.0, 0.0), (14.0, 8.0), (0.0, 8.0)], edge_clearance_mm=0.3,
                   nets=["/SIGP", "/SIGN"], classes={0: CLS, 1: CLS}, copper=copper, connections=conns, pairs=pairs)


def _beside(result, net: int, partner: int, within_mm: float) -> float:
    """The share of NET's track length within WITHIN_MM (centre to centre) of PARTNER's tracks."""
    theirs = [Copper(partner, (layer,), segment=(a, b), width_mm=0.0)
              for r in result.routes if r.net == partner for layer, a, b, _ in r.tracks]
    total = near = 0.0
    for r in result.routes:
        for _layer, a, b, _ in r.tracks if r.net == net else ():
            t = np.linspace(0, 1, max(int(math.dist(a, b) / 0.05), 2))
            xs, ys = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            d = np.min([copper_distance(xs, ys, c) for c in theirs], axis=0)
            total += math.dist(a, b)
            near += math.dist(a, b) * float((d <= within_mm).mean())
    return near / total


def test_a_pairs_second_track_runs_beside_the_first():
    from wattcad.core.router import diff_pairs, side_by_side

    assert side_by_side([(0, (0.0, 0.0), (10.0, 0.0))], [(0, (0.0, 0.5), (10.0, 0.5))]) == pytest.approx((10.0, 10.0))
    assert side_by_side([(0, (0.0, 0.0), (10.0, 0.0))], [(1, (0.0, 0.5), (10.0, 0.5))]) == (10.0, 0.0)  # other layer
    # from x = 5 - sqrt(1 - 0.5²) on, within 1 mm of the partner that starts at x = 5
    assert side_by_side([(0, (0.0, 0.0), (10.0, 0.0))], [(0, (5.0, 0.5), (20.0, 0.5))])[1] == pytest.approx(5.0 + math.sqrt(0.75), abs=0.06)

    assert diff_pairs(["/SIGP", "/SIGN", "/IN", "+3V3", "D+", "D-"]) == {0: 1, 1: 0, 4: 5, 5: 4}
    apart = route(_pair_problem({}))
    paired = route(_pair_problem(diff_pairs(["/SIGP", "/SIGN"])))
    assert not apart.failed and not paired.failed
    assert _beside(apart, 1, 0, 1.0) == 0.0  # alone, N runs straight, 2 mm from P
    assert _beside(paired, 1, 0, 1.0) >= 0.6  # as a pair, most of it within 1 mm of P
    assert _clearance(_pair_problem({}), paired) >= CLS.clearance_mm - 1e-6


def _gap_problem(gap_mm: float = 0.7, **extra) -> Problem:
    """A power net (0.8 mm class, necking to 0.2 mm) from (2, 5) to (18, 5) through a wall of another
    net on both layers with one gap GAP_MM high at y = 5: too narrow for the class, wide enough for
    its neck-down."""
    power = NetClass("Power", 0.8, 0.2, 0.8, 0.4, neck_mm=0.2)
    half = gap_mm / 2
    copper = [Copper(0, (0,), polygon=_square(2, 5, 0.6)), Copper(0, (0,), polygon=_square(18, 5, 0.6)),
              Copper(1, (0, 1), polygon=((9.5, 0.5), (10.5, 0.5), (10.5, 5 - half), (9.5, 5 - half))),
              Copper(1, (0, 1), polygon=((9.5, 5 + half), (10.5, 5 + half), (10.5, 9.5), (9.5, 9.5)))]
    return Problem(bbox=(0, 0, 20, 10), outline=[(0.0, 0.0), (20.0, 0.0), (20.0, 10.0), (0.0, 10.0)],
                   edge_clearance_mm=0.3, nets=["+5V", "SIG"], classes={0: power, 1: CLS}, copper=copper,
                   connections=[Connection(0, Terminal(0, (2.0, 5.0)), Terminal(1, (18.0, 5.0)))], **extra)


def test_a_class_width_is_kept_where_it_fits_and_necked_down_only_through_the_gap():
    problem = _gap_problem()
    result = route(problem)
    assert not result.failed
    widths = {}
    for r in result.routes:
        for _, a, b, w in r.tracks:
            widths[w] = widths.get(w, 0.0) + math.dist(a, b)
    assert set(widths) == {0.8, 0.2}, widths
    # Necked through the 1 mm wall and a little either side (the wide track's clearance), no more.
    assert 1.0 <= widths[0.2] <= 3.0 and widths[0.8] >= 12.0, widths
    assert result.necks(problem) == {0: pytest.approx(widths[0.2])}
    assert _clearance(problem, result) >= 0.2 - 1e-6
    # With a gap the class width fits through, nothing necks down.
    wide = _gap_problem(gap_mm=1.4)
    assert route(wide).necks(wide) == {}


def test_edge_cuts_inside_the_board_are_kept_clear_of():
    """A slot drawn on Edge.Cuts across the middle (a stroke, not part of the outline) and a cutout:
    the track goes round both, its copper the edge clearance away from them."""
    slot = [((10.0, 2.0), (10.0, 9.5))]
    cutout = [(14.0, 0.5), (15.0, 0.5), (15.0, 7.0), (14.0, 7.0)]
    problem = _gap_problem(gap_mm=1.4, edge_segments=slot, cutouts=[cutout])
    problem.copper = problem.copper[:2]  # no wall: only the edges are in the way
    result = route(problem)
    assert not result.failed
    edges = [Copper(-1, (0, 1), segment=s, width_mm=0.0) for s in slot] + [Copper(-1, (0, 1), polygon=tuple(cutout))]
    for r in result.routes:
        for _, a, b, w in r.tracks:
            t = np.linspace(0, 1, max(int(math.dist(a, b) / 0.01), 2))
            xs, ys = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            assert min(float(copper_distance(xs, ys, e).min()) for e in edges) - w / 2 >= 0.3 - 1e-6


def test_a_track_wider_than_its_via_keeps_its_clearance_from_what_is_already_there():
    """A 1 mm power track reaches farther from its centre than its 0.6 mm via: the cells it may not
    cross round another net's copper are as far out as the track needs (they were cut at the via's
    reach, and a power track ran 0.017 mm from a stub on wavegen)."""
    power = NetClass("power", 1.016, 0.1524, 0.6, 0.3)
    stub = Copper(0, (0,), segment=((5.0, 2.0), (5.0, 3.0)), width_mm=0.2)
    problem = Problem(bbox=(0, 0, 10, 6), outline=[(0.0, 0.0), (10.0, 0.0), (10.0, 6.0), (0.0, 6.0)], edge_clearance_mm=0.3,
                      nets=["A", "P"], classes={0: CLS, 1: power}, copper=[stub], connections=[])
    from wattcad.core.router import OPEN, Grid

    grid = Grid(problem, 0.125)
    k = grid.class_of[1]
    i, j = grid.cell((5.0, 3.625))  # 0.525 mm from the stub's copper: inside the 0.665 mm the track needs
    assert grid.maps[k, 0, 0, i, j] != OPEN
    i, j = grid.cell((5.0, 3.875))  # 0.775 mm: outside it
    assert grid.maps[k, 0, 0, i, j] == OPEN


def test_a_keepout_polygons_mask_is_copper_distance_cell_for_cell_and_fast_on_thousands_of_edges():
    """The keep-out mask (inside the polygon, or nearer its edge than the reach) as copper_distance
    gives it, on random polygons and on vertices on the grid; and a copper artwork of 4000 edges (a
    corpus postcard's, whose route never ended: every cell was measured against every edge)."""
    import random

    import numpy as np

    from wattcad.core import router as core

    Copper, _extent, _polygon_mask, copper_distance = core.Copper, core._extent, core._polygon_mask, core.copper_distance

    class Grid:  # the router's grid's cells, without a board to make them from
        x0, y0, fine, nx, ny = -1.0, -2.0, 0.0625, 400, 380
        _window = core.Grid._window

    g = Grid()
    rng = random.Random(7)
    for trial in range(25):
        n = rng.choice([3, 4, 7, 25, 200])
        cx, cy = rng.uniform(2, 20), rng.uniform(2, 18)
        poly = [(cx + rng.uniform(0.5, 6) * math.cos(2 * math.pi * k / n), cy + rng.uniform(0.5, 6) * math.sin(2 * math.pi * k / n))
                for k in range(n)]
        if trial % 5 == 0:
            poly = [(round(x / g.fine) * g.fine + g.x0, round(y / g.fine) * g.fine + g.y0) for x, y in poly]
        reach = rng.choice([0.11, 0.31, 0.5])
        area = Copper(-1, (0,), polygon=poly)
        i0, i1, j0, j1 = g._window(_extent(area), reach)
        jj, ii = np.meshgrid(np.arange(j0, j1), np.arange(i0, i1))
        want = np.zeros((g.ny, g.nx), bool)
        want[i0:i1, j0:j1] = copper_distance(g.x0 + jj * g.fine, g.y0 + ii * g.fine, area) < reach
        got = np.zeros((g.ny, g.nx), bool)
        _polygon_mask(g, poly, reach, got)
        assert (got == want).all() and want.any(), trial
    n = 4000
    art = [(10 + 8 * math.cos(2 * math.pi * k / n) * (1 + 0.1 * math.sin(40 * math.pi * k / n)), 10 + 8 * math.sin(2 * math.pi * k / n))
           for k in range(n)]
    big = np.zeros((g.ny, g.nx), bool)
    _polygon_mask(g, art, 0.3, big)  # (its time: benchmarks, not here)
    assert big[int((10 - g.y0) / g.fine), int((10 - g.x0) / g.fine)] and not big[5, 5]
