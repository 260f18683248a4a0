"""`wattcad route` on boards people made (tests/data/pcbench, see its README), graded as the route
benchmark grades (benchmarks/route_corpus.py): KiCad's ratsnest for what is unrouted, KiCad's DRC
for the errors the routing added to those of the stripped board with its zones filled."""
import sys
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "pcbench"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.mark.kicad
def test_unrouted_is_counted_past_the_499_kicads_drc_report_lists(tmp_path):
    """KiCad's DRC report stops listing unconnected items at 499 (LeeChee_1800 has 1141 before
    routing): the router and the benchmark count KiCad's ratsnest instead."""
    from wattcad.kicad.drc import drc_report
    from wattcad.kicad.pcbnew_compat import pcbnew
    from wattcad.kicad.route import unrouted_count

    board = pcbnew.BOARD()
    for n in range(300):  # 300 nets of three unjoined vias: 600 connections to make
        net = pcbnew.NETINFO_ITEM(board, f"N{n}")
        board.Add(net)
        for k in range(3):
            via = pcbnew.PCB_VIA(board)
            via.SetPosition(pcbnew.VECTOR2I(pcbnew.FromMM(5 + 2 * k), pcbnew.FromMM(5 + 2 * n)))
            via.SetWidth(pcbnew.FromMM(0.6))
            via.SetDrill(pcbnew.FromMM(0.3))
            via.SetNet(net)
            board.Add(via)
    path = tmp_path / "many.kicad_pcb"
    pcbnew.SaveBoard(str(path), board)
    data, complaint = drc_report(path, "--severity-error")
    assert data is not None, complaint
    assert len(data["unconnected_items"]) < 600  # KiCad's cap, the reason for counting otherwise
    assert unrouted_count(pcbnew.LoadBoard(str(path))) == 600


@pytest.mark.kicad
def test_spisolator_routes_back_complete_adding_no_drc_error(tmp_path):
    """A KiCad 4 board with no project file. Its ground is poured on both layers; stripped, the two fills share no via, and KiCad lists
    the zones as unjoined: the router stitches them. Its edge pins' thermals are starved on the bare
    board already (the board's own), and routing adds none."""
    from route_corpus import drc, strip

    from wattcad.kicad.route import route_board

    bare, baseline = tmp_path / "spisolator.kicad_pcb", tmp_path / "filled" / "spisolator.kicad_pcb"
    baseline.parent.mkdir()
    strip(DATA / "spisolator_spisolator.kicad_pcb", bare, baseline)
    before, to_route = drc(baseline)
    assert to_route > 20
    bare.with_suffix(".kicad_pro").unlink()  # a lone board, as published: it routes with the rules its file carries
    report = route_board(bare, out=tmp_path / "routed.kicad_pcb", time_limit_s=120, backup=False)
    after, unrouted = drc(report.written)
    assert unrouted == 0 and report.unconnected_after == 0, report.summary()
    assert after - before == Counter(), report.summary()
    assert before["starved_thermal"] == 4  # the board's own, not ours


@pytest.mark.kicad
def test_a_keepout_rule_area_is_kept_out_of(tmp_path):
    """KiCad's ecc83 demo, tracks removed, with a keep-out rule area (no tracks, no vias, both
    layers) laid over the middle of the longest track the router drew without it: routed again,
    every connection is made round it and KiCad finds nothing in it (items_not_allowed)."""
    import math
    import subprocess
    import sys

    from wattcad.kicad.drc import drc_report
    from wattcad.kicad.pcbnew_compat import pcbnew
    from wattcad.kicad.route import route_board

    sys.path.insert(0, str(Path(__file__).parent))
    from test_router import _bare_ecc83

    first = route_board(_bare_ecc83(tmp_path), out=tmp_path / "first.kicad_pcb", time_limit_s=120, backup=False)
    assert first.complete
    tracks = [t for t in pcbnew.LoadBoard(str(first.written)).GetTracks() if t.GetClass() == "PCB_TRACK"]
    longest = max(tracks, key=lambda t: (t.GetLength(), t.GetStart().x, t.GetStart().y))
    mid = (longest.GetStart() + longest.GetEnd()) / 2
    half = pcbnew.FromMM(1.0)
    again = tmp_path / "again"
    again.mkdir()
    script = ("import sys\nfrom wattcad.kicad.pcbnew_compat import pcbnew\n"
              "b = pcbnew.LoadBoard(sys.argv[1])\nz = pcbnew.ZONE(b)\nz.SetIsRuleArea(True)\n"
              "z.SetDoNotAllowTracks(True)\nz.SetDoNotAllowVias(True)\nz.SetDoNotAllowPads(False)\n"
              "z.SetDoNotAllowFootprints(False)\nls = pcbnew.LSET()\nls.AddLayer(pcbnew.F_Cu)\nls.AddLayer(pcbnew.B_Cu)\n"
              "z.SetLayerSet(ls)\nz.SetZoneName('keep-out')\no = z.Outline()\no.NewOutline()\n"
              "x, y, h = (int(v) for v in sys.argv[3:6])\n"
              "for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):\n    o.Append(x + dx * h, y + dy * h)\n"
              "b.Add(z)\npcbnew.SaveBoard(sys.argv[2], b)\n")
    board = again / "ecc83-pp.kicad_pcb"
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "ecc83-pp.kicad_pcb"), str(board), str(mid.x), str(mid.y),
                    str(half)], check=True, capture_output=True, timeout=120)
    (again / "ecc83-pp.kicad_pro").write_bytes((tmp_path / "ecc83-pp.kicad_pro").read_bytes())
    report = route_board(board, out=again / "routed.kicad_pcb", time_limit_s=120, backup=False)
    data, complaint = drc_report(report.written, "--severity-error")
    assert data is not None, complaint
    assert [v for v in data["violations"] if v["type"] == "items_not_allowed"] == []
    assert report.complete, report.summary()
    routed = [t for t in pcbnew.LoadBoard(str(report.written)).GetTracks()]
    assert all(math.dist((pcbnew.ToMM(t.GetStart().x), pcbnew.ToMM(t.GetStart().y)), (pcbnew.ToMM(mid.x), pcbnew.ToMM(mid.y)))
               > 1.0 for t in routed)  # nothing starts or ends inside the 2 mm square


@pytest.mark.kicad
def test_a_board_with_nothing_unrouted_is_left_as_it_is(tmp_path):
    """The routed ADE7816 board: `route` finds nothing unrouted (its zones filled as KiCad fills
    them) and writes nothing, not even the same board again (a build's board step stays cached)."""
    import shutil

    from wattcad.kicad.route import route_board

    source = Path(__file__).resolve().parents[1] / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb"
    for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
        shutil.copy2(source.with_suffix(suffix), tmp_path / source.with_suffix(suffix).name)
    board = tmp_path / source.name
    before = board.read_bytes()
    report = route_board(board, time_limit_s=120, beside=True)
    assert report.complete and report.routed == 0 and report.written is None, report.summary()
    assert board.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        source.with_suffix(s).name for s in (".kicad_pcb", ".kicad_pro", ".kicad_dru"))


@pytest.mark.kicad
def test_a_board_with_nothing_on_edge_cuts_routes_within_its_parts(tmp_path):
    """HES-V2 of the corpus has nothing on Edge.Cuts (KiCad's DRC lets it be, FreeRouting routes it):
    here spisolator with its edges taken off. The route is not refused: the parts' bounding box
    stands for the board, the report says so, and the board is routed."""
    from route_corpus import strip

    from wattcad.kicad.pcbnew_compat import pcbnew
    from wattcad.kicad.route import route_board

    bare = tmp_path / "edgeless.kicad_pcb"
    strip(DATA / "spisolator_spisolator.kicad_pcb", bare)
    board = pcbnew.LoadBoard(str(bare))
    for d in list(board.GetDrawings()):
        if d.GetLayer() == pcbnew.Edge_Cuts:
            board.Delete(d)
    pcbnew.SaveBoard(str(bare), board)
    report = route_board(bare, out=tmp_path / "routed.kicad_pcb", time_limit_s=120, backup=False)
    assert any("nothing is drawn on Edge.Cuts" in n for n in report.notes), report.summary()
    assert report.written.is_file() and report.unconnected_after == 0, report.summary()


@pytest.mark.kicad
def test_a_board_whose_zone_fill_never_ends_is_routed_with_its_zones_unfilled(tmp_path, monkeypatch):
    """KiCad's zone filler runs without end on a KiCad 4 board of the corpus (UCCBPCB: two zones of
    different nets overlapping at one priority): the bench's worker was stopped after 17 minutes
    with nothing written. The fill is tried in a child process first; here its time is cut to
    nothing, as that board's never ends. The route finishes, writes the board, and says why its
    zones are unfilled."""
    from route_corpus import strip

    from wattcad.kicad import route as route_module
    from wattcad.kicad import route_zones
    from wattcad.kicad.pcbnew_compat import pcbnew

    bare = tmp_path / "spisolator.kicad_pcb"
    strip(DATA / "spisolator_spisolator.kicad_pcb", bare)
    assert route_zones.zone_fill_finishes(bare, 60.0)  # a board's fill that ends
    assert not route_zones.zone_fill_finishes(bare, 0.01)  # one cut short, as a fill that never ends
    monkeypatch.setattr(route_module, "zone_fill_finishes", lambda path, timeout_s: False)
    fills = []
    monkeypatch.setattr(pcbnew.ZONE_FILLER, "Fill", lambda self, zones: fills.append(1))
    report = route_module.route_board(bare, out=tmp_path / "routed.kicad_pcb", time_limit_s=60, backup=False)
    assert fills == [] and report.written.is_file()  # KiCad's filler never called in the route
    assert any("zone filler did not finish" in n for n in report.notes), report.summary()
    routed = pcbnew.LoadBoard(str(report.written))
    assert not any(z.IsFilled() for z in routed.Zones()) and len(list(routed.GetTracks())) > 0
