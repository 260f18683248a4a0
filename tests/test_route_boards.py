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
