"""KiCad's own demo boards (installed by `make`), which nobody here wrote: every one is read the way
KiCad reads it and verified without a crash; what the general rules say there is true."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from wattcad.checks.footprints import host_board_reader
from wattcad.cli import main
from wattcad.footprints.model import pad_gap
from wattcad.footprints.verify import board_footprints, verify_paths

DEMOS = Path("/usr/share/kicad/demos")
BOARDS = sorted(DEMOS.rglob("*.kicad_pcb")) if DEMOS.is_dir() else []


@pytest.mark.kicad
def test_the_demos_are_there():
    assert len(BOARDS) >= 19, f"KiCad's demos missing from {DEMOS}: `make` installs them"


@pytest.mark.kicad
@pytest.mark.parametrize("board", BOARDS, ids=[b.stem for b in BOARDS])
def test_every_demo_board_is_read_and_verified(board, capsys):
    code = main(["footprint", "verify", str(board)])
    out = capsys.readouterr().out
    assert code in (0, 1), out  # 2 would be "cannot read", 3 a missing host
    assert "cannot read board" not in out
    assert "footprint" in out.splitlines()[0]  # the table, with its rows
    assert len(out.splitlines()) > 3


@pytest.mark.kicad
def test_staggered_to92_pads_do_not_overlap():
    """pic_programmer's TO-92: round 1.3 mm pads whose boxes overlap, with copper between them."""
    board = DEMOS / "pic_programmer" / "pic_programmer.kicad_pcb"
    with tempfile.TemporaryDirectory() as tmp:
        copy, _ = host_board_reader(Path(tmp))(board, force=True)
        fps = {fp.reference: fp for fp in board_footprints(board, copy)}
        pads = sorted(fps["Q1"].copper_pads(), key=lambda p: p.number)
        gaps = [pad_gap(a, b) for a, b in zip(pads, pads[1:])]
        assert all(0.05 < g < 0.6 for g in gaps), gaps
        reports = {r.reference: r for r in verify_paths([board], board_reader=host_board_reader(Path(tmp)))}
    for q in ("Q1", "Q2", "Q3"):
        assert not [f for f in reports[q].findings if f.check == "no overlapping pads"], reports[q].summary()


@pytest.mark.kicad
def test_a_board_kicad_opens_is_read_even_where_a_strict_parser_would_refuse(capsys):
    """RoyalBlue54L-Feather carries a stray expression KiCad tolerates."""
    board = DEMOS / "royalblue54L_feather" / "RoyalBlue54L-Feather.kicad_pcb"
    assert main(["footprint", "verify", str(board)]) in (0, 1)
    out = capsys.readouterr().out
    assert "more than one top-level expression" not in out and "pass" in out


# Enclosure and render over the demos: three boards by default (a USB stick with parts under it, a
# programmer with DB9 and TO-92s, a small valve amplifier), all of them with WATTCAD_SLOW=1.
SAMPLE = ("StickHub", "pic_programmer", "ecc83-pp")
CORPUS = [pytest.param(b, marks=[] if b.stem in SAMPLE else [pytest.mark.slow], id=b.stem) for b in BOARDS]


@pytest.mark.kicad
@pytest.mark.parametrize("board", CORPUS)
def test_every_demo_board_gets_an_enclosure_that_fits_or_says_why(board, tmp_path, capsys):
    code = main(["enclosure", str(board), "--no-views", "--out", str(tmp_path / "enc")])
    out = capsys.readouterr().out
    fit = json.loads((tmp_path / "enc" / "fit.json").read_text())
    assert code == (0 if fit["fits"] else 1), out
    model = json.loads((tmp_path / "enc" / "boardmodel.json").read_text())
    assert model["thickness_mm"] > 0
    if board.stem == "StickHub":  # a board full of parts: every one of them a body
        assert len(model["bodies"]) > 20
    import cadquery as cq

    for name in ("base", "lid"):  # the exports read back as valid solids
        assert cq.importers.importStep(str(tmp_path / "enc" / f"{name}.step")).val().isValid()
    if not fit["fits"]:  # never a silent no: the parts in the way are named, with what would fit them
        assert fit["collisions"]
        for c in fit["collisions"]:
            assert f"{c['part']} collides with the {c['with']}" in out and c["would_fit"] in out


@pytest.mark.kicad
@pytest.mark.blender
@pytest.mark.parametrize("board", CORPUS)
def test_every_demo_board_renders(board, tmp_path, capsys):
    out = tmp_path / "top.png"
    assert main(["render", str(board), "--view", "top", "--size", "160x120", "--samples", "1", "--out", str(out)]) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    said = capsys.readouterr().out
    for note in info.get("missing_models", []):  # a model KiCad could not load is left out, and said
        assert note in said
