"""The one-command build (content-hash caching, index page, fabrication outputs) and the one-command
check (JUnit/JSON/summary, on this project and on a KiCad demo), with the real KiCad 9."""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from wattcad.ade7816.params import load_board_params
from wattcad.cli import main
from wattcad.core.cache import BuildCache, StepRecord, content_hash
from wattcad.footprints.spec import builtin_specs

BOARDS = REPO / "examples" / "ade7816" / "boards"
DEMO = Path("/usr/share/kicad/demos/stickhub")


def test_content_hash_follows_content_not_time(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("wall_mm: 2\n")
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "x.yaml").write_text("x: 1\n")
    first = content_hash([a, folder], {"opt": 1})
    a.write_text("wall_mm: 2\n")  # rewritten, same bytes
    assert content_hash([a, folder], {"opt": 1}) == first
    assert content_hash([a, folder], {"opt": 2}) != first
    (folder / "x.yaml").write_text("x: 2\n")
    assert content_hash([a, folder], {"opt": 1}) != first
    assert content_hash([tmp_path / "missing"]) != content_hash([tmp_path / "other-missing"])


def test_code_hash_follows_python_not_the_boards_beside_it(tmp_path, monkeypatch):
    """kicad/ holds the boards the build updates: a changed board (or its .bak) is an input of its
    own steps, and must not make every step of the next build run again as if code had changed."""
    import wattcad.pipeline.engine as build

    (tmp_path / "kicad" / "boards").mkdir(parents=True)
    code, board = tmp_path / "kicad" / "route.py", tmp_path / "kicad" / "boards" / "b.kicad_pcb"
    code.write_text("x = 1\n")
    board.write_text("(kicad_pcb)\n")
    monkeypatch.setattr(build, "CODE_DIRS", {"wattcad.kicad": tmp_path / "kicad"})
    first = build.code_hash()
    board.write_text("(kicad_pcb (zone))\n")
    board.with_suffix(".kicad_pcb.bak").write_text("old\n")
    assert build.code_hash() == first
    code.write_text("x = 2\n")
    assert build.code_hash() != first


def test_the_code_hash_covers_every_package_wattcad_installs():
    """A package left out of the hash is code whose change would leave a cached step stale."""
    import tomllib

    from wattcad.pipeline.engine import CODE_DIRS

    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    covered = [p for p in packages if p in CODE_DIRS or any(p.startswith(f"{d}.") for d in CODE_DIRS if d != "wattcad")]
    assert covered == packages


def test_a_step_is_fresh_only_with_its_key_and_all_its_outputs(tmp_path):
    cache = BuildCache(tmp_path)
    (tmp_path / "out.txt").write_text("made")
    cache.save(StepRecord("step", "k1", ["out.txt"], "pass", "made one file", 1.5))
    assert cache.fresh("step", "k1").detail == "made one file"
    assert cache.fresh("step", "k2") is None
    assert BuildCache(tmp_path, enabled=False).fresh("step", "k1") is None
    (tmp_path / "out.txt").unlink()
    assert cache.fresh("step", "k1") is None


def _steps(output: str) -> dict[str, str]:
    """step name -> 'cached', or its result (PASS, FAIL, MADE, BLOCKED) when it ran, from the summary table."""
    table = output[output.index("step "):]
    rows = {}
    for line in table.splitlines()[1:]:
        m = re.match(r"(\S+)\s+(PASS|FAIL|MADE|BLOCKED)\s+(cached|[\d.]+ s)", line)
        if m:
            rows[m.group(1)] = "cached" if m.group(3) == "cached" else m.group(2)
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build (no renders, no FreeCAD: they have their own tests) from copies of the boards:
    (root, boards folder, build arguments, exit code, steps of the first run, what it printed)."""
    import contextlib
    import io

    root = tmp_path_factory.mktemp("build")
    boards = root / "boards"
    shutil.copytree(BOARDS, boards, ignore=shutil.ignore_patterns("*.bak", "*-bak"))
    args = ["build", str(REPO / "examples" / "ade7816"), "--out", str(root / "build"), "--boards-dir", str(boards), "--no-render",
            "--no-freecad"]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(args)
    return root, boards, args, code, _steps(printed.getvalue()), printed.getvalue()


def _pixels_differing(a: bytes, b: bytes) -> float:
    """The share of pixels that differ between two PNGs of one size."""
    import io

    from PIL import Image, ImageChops

    one, two = (Image.open(io.BytesIO(x)).convert("RGB") for x in (a, b))
    assert one.size == two.size
    diff = ImageChops.difference(one, two).convert("L").point(lambda v: 255 if v else 0)
    return diff.histogram()[255] / (one.width * one.height)


def _rect_project(built, tmp_path) -> Path:
    """A scratch copy of the built rectangular project."""
    project = tmp_path / "p"
    shutil.copytree(built[0] / "build" / "wattcad-ade7816", project, ignore=shutil.ignore_patterns("enclosure", "fab", "svg"))
    return project


def _run_build(args, capsys) -> tuple[int, dict]:
    code = main(args)
    out = capsys.readouterr().out
    return code, _steps(out)


@pytest.mark.kicad
def test_build_makes_everything_then_does_nothing_then_only_what_changed(built, capsys):
    root, boards, args, code, first, printed = built
    out = root / "build"
    assert code == 0
    assert set(first) == {"footprints", "schematic", "firmware", *(f"{s}-{v}" for s in ("board", "check", "fab", "enclosure")
                                                                   for v in ("rect", "round"))}
    # The board's MicroPython firmware, sources and mpy-cross's .mpy (run in MicroPython: test_firmware.py).
    firmware = out / "firmware" / "ade7816"
    assert sorted(p.name for p in (firmware / "mpy").glob("*.mpy")) == ["ade7816.mpy", "ade7816_regs.mpy",
                                                                         "board_config.mpy", "bringup.mpy"]
    assert "PIN_RESET = 32" in (firmware / "board_config.py").read_text()
    assert "cached" not in first.values()
    # The footprint library, its verification and the 1:1 print.
    assert (out / "footprints/fp-lib-table").read_text().count("wattcad.pretty") == 1
    assert len(list((out / "footprints/wattcad.pretty").glob("*.kicad_mod"))) == 4
    report = json.loads((out / "reports/footprints.json").read_text())
    specs = builtin_specs()
    assert len(report["reports"]) == len(specs) >= 12 and all(r["status"] == "pass" for r in report["reports"])
    assert (out / "prints/board-footprints-1to1.pdf").read_bytes().startswith(b"%PDF")
    assert f"{len(specs)} packages verified, 0 failing" in printed

    # The index shows the pictures and links files that exist.
    index = (out / "index.html").read_text()
    links = re.findall(r'(?:href|src)="([^"]+)"', index)
    assert len(links) > 20 and all((out / link).exists() for link in links)
    # Both boards are routed and DRC-clean: the build says so and zips the gerbers a fab takes.
    assert "every check passes; ready for fabrication" in index and "NOT READY" not in index
    assert first["fab-rect"] == "MADE" and first["fab-round"] == "MADE"
    fab = out / "wattcad-ade7816" / "fab"
    assert (fab / "wattcad-ade7816-gerbers.zip").is_file() and "gerbers.zip" in index

    # The fab writer itself, on the same board: a zip a fab can take.
    from wattcad.kicad.board_checks import via_in_pad_notes
    from wattcad.kicad.fab import write_fab_outputs

    made = write_fab_outputs(out / "wattcad-ade7816" / "wattcad-ade7816.kicad_pcb", root / "fab-anyway")
    assert "fab-notes.txt" not in zipfile.ZipFile(made.gerber_zip).namelist()  # notes only where asked for
    # The build's own zip names the vias in pads (the exposed pad's, the ground vias at the passives' pads).
    notes = zipfile.ZipFile(fab / "wattcad-ade7816-gerbers.zip").read("fab-notes.txt").decode()
    assert notes.startswith("VIA IN PAD") and re.search(r"^U1 pad 41: 4 via\(s\)", notes, re.M)
    assert notes.splitlines()[2:] == via_in_pad_notes(out / "wattcad-ade7816" / "wattcad-ade7816.kicad_pcb")[2:]
    names = zipfile.ZipFile(made.gerber_zip).namelist()
    for layer in ("F_Cu.gtl", "B_Cu.gbl", "F_Mask.gts", "F_Silkscreen.gto", "Edge_Cuts.gm1", "PTH.drl", "NPTH.drl"):
        assert any(n.endswith(layer) for n in names), (layer, names)
    gerber = zipfile.ZipFile(made.gerber_zip).read(next(n for n in names if n.endswith("F_Cu.gtl"))).decode()
    assert "%FSLAX46Y46*%" in gerber and "2026-01-01T00:00:00" in gerber  # the date fixed for reproducible zips
    rows = list(csv.DictReader((fab / "wattcad-ade7816-pos.csv").open()))
    u1 = next(r for r in rows if r["Ref"] == "U1")
    assert u1["Package"].startswith("LFCSP-40") and u1["Side"] == "top"
    refs = {r["Ref"] for r in rows}
    assert {"U1", "Y1", "R101", "C101", "R1103"} <= refs and "H1" not in refs  # SMD parts, not the holes
    assert "R1201" not in refs  # the I2C pull-ups are DNP in an SPI build
    ibom = (fab / "wattcad-ade7816-ibom.html").read_text()
    assert "<html" in ibom.lower() and "pcbdata" in ibom
    junit = ET.parse(out / "wattcad-ade7816" / "wattcad-check.xml").getroot()
    assert sum(int(s.get("failures")) for s in junit) == 0 and sum(int(s.get("tests")) for s in junit) > 60
    fab_case = next(c for s in junit for c in s if c.get("name") == "ready for fabrication")
    assert fab_case.find("skipped") is None and fab_case.find("failure") is None
    # The round board too passes `wattcad check` as it is, no --allow-unrouted.
    round_copy = root / "round-check"
    shutil.copytree(out / "wattcad-ade7816-round", round_copy, ignore=shutil.ignore_patterns("enclosure", "fab", "svg"))
    assert main(["check", str(round_copy), "--no-enclosure", "--out", str(root / "round-check-out")]) == 0
    assert "PASS  fabrication ready for fabrication" in capsys.readouterr().out

    # Nothing changed: every step is skipped.
    code, second = _run_build(args, capsys)
    assert code == 0 and set(second.values()) == {"cached"}
    positions_before = (fab / "wattcad-ade7816-pos.csv").read_bytes()

    # Every step run again, one at a time: the same files, byte for byte (the cache's own records
    # carry timings). kicad-cli's raytraced board pictures came out different once in CI (its
    # render threads): those two are held to the same pixels, nearly.
    def products():
        return {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".wattcad-cache" not in p.parts}

    before = products()
    code, forced = _run_build(args + ["--force", "--jobs", "1"], capsys)
    assert code == 0 and "cached" not in forced.values()
    again = products()
    changed = sorted(p for p in before if again.get(p) != before[p])
    rendered = [p for p in changed if p.name.endswith(("-board-top.png", "-board-iso.png"))]
    assert [str(p.relative_to(out)) for p in changed if p not in rendered] == []
    for png in rendered:
        assert _pixels_differing(before[png], again[png]) < 0.005, png.name

    # A thicker enclosure wall: only the enclosures run again.
    params = root / "enclosure.yaml"
    params.write_text("wall_mm: 2.6\n")
    code, third = _run_build(args + ["--enclosure-params", str(params)], capsys)
    assert code == 0
    assert {k for k, v in third.items() if v != "cached"} == {"enclosure-rect", "enclosure-round"}

    # A part moved on the round board by hand: only that board's steps run again, the move is kept.
    import pcbnew

    round_board = boards / "wattcad-ade7816-round.kicad_pcb"
    board = pcbnew.LoadBoard(str(round_board))
    u1 = board.FindFootprintByReference("U1")
    u1.SetPosition(pcbnew.VECTOR2I(u1.GetPosition().x + pcbnew.FromMM(0.5), u1.GetPosition().y))
    moved_to = u1.GetPosition()
    pcbnew.SaveBoard(str(round_board), board)
    code, fourth = _run_build(args + ["--enclosure-params", str(params)], capsys)
    ran = {k for k, v in fourth.items() if v != "cached"}
    assert ran == {"board-round", "check-round", "fab-round", "enclosure-round"}
    assert pcbnew.LoadBoard(str(round_board)).FindFootprintByReference("U1").GetPosition() == moved_to
    # ...and the rectangular board's fabrication files were not touched.
    assert (fab / "wattcad-ade7816-pos.csv").read_bytes() == positions_before

    # A bad parameter raised in a worker process reaches the user as in one process: exit 2, the
    # file and the field named, and the enclosure already built left whole.
    enclosure_before = (out / "wattcad-ade7816" / "enclosure" / "fit.json").read_bytes()
    bad = root / "bad-enclosure.yaml"
    bad.write_text("wall_mm: -1\n")
    assert main(args + ["--enclosure-params", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad-enclosure.yaml" in err and "wall_mm" in err and "Traceback" not in err
    assert (out / "wattcad-ade7816" / "enclosure" / "fit.json").read_bytes() == enclosure_before


@pytest.mark.kicad
def test_steps_run_side_by_side_each_after_what_it_reads(built):
    """The build's steps start only once the steps they read have finished: each step's "started"
    line comes after the result lines of its `after` steps, in the log of the first build."""
    from wattcad.ade7816.pipeline import Ade7816Pipeline as Pipeline
    from wattcad.pipeline.runner import default_jobs

    root, boards, args, code, first, printed = built
    lines = printed.splitlines()
    pipeline = Pipeline(root / "build", boards, force=False, render=False, freecad=False)
    steps = {s.title: s for s in pipeline.steps()}
    started, finished = {}, {}
    for i, line in enumerate(lines):
        m = re.match(r"\[wattcad\] \[\s*\d+/\d+\] (.+): (started|\.\.\.|pass|fail|made|blocked)\b", line)
        if m:
            (started if m.group(2) in ("started", "...") else finished)[steps[m.group(1)].name] = i
    assert set(started) == set(finished) == {s.name for s in steps.values()}
    for step in steps.values():
        for before in step.after:
            assert finished[before] < started[step.name], (before, step.name)
    if default_jobs() > 1:  # with cores to spare, steps overlap: one starts before another ends
        assert any(started[b] < finished[a] and started[a] < started[b] for a in started for b in started if a != b)


@pytest.mark.kicad
def test_check_passes_this_project_and_writes_junit_json_and_text(built, tmp_path, capsys):
    project = _rect_project(built, tmp_path)
    code = main(["check", str(project), "--no-enclosure", "--out", str(tmp_path)])  # routed: no --allow-unrouted
    text = capsys.readouterr().out
    assert code == 0 and "0 failed" in text
    assert "PASS  fabrication ready for fabrication" in text
    data = json.loads((tmp_path / "wattcad-check.json").read_text())
    groups = {"erc", "drc", "fabrication", "footprints", "mating", "analog", "phase", "reset", "decoupling"}
    assert data["passed"] and {c["group"] for c in data["checks"]} == groups
    junit = ET.parse(tmp_path / "wattcad-check.xml").getroot()
    assert {s.get("name") for s in junit} == {f"wattcad.{g}" for g in groups}
    # Every input's worst case is printed, within the headroom.
    params = load_board_params()
    for name in ("IA", "IB", "IC", "ID", "IE", "IF", "V"):
        line = next(line for line in text.splitlines() if f"U1 input {name}:" in line)
        percent = int(re.search(r"= (\d+)% of full scale", line).group(1))
        assert 50 <= percent <= params.headroom * 100, line
    assert "A1: every pad within 0.1 mm of the pin map" in text
    # V and every I filtered alike (under 0.1 degree apart at 50 and 60 Hz), RESET met by the firmware's pulse.
    phases = re.findall(r"U1 phase V-I[A-F]: V against I[A-F] .*?: ([\d.]+) deg at 50 Hz .*?, ([\d.]+) deg at 60 Hz", text)
    assert len(phases) == 6 and all(float(d) <= 0.1 for pair in phases for d in pair), phases
    assert re.search(r"U1 reset pulse: RESET needs [\d.]+ us low .* firmware holds it 20 us", text)


@pytest.mark.kicad
def test_check_refuses_an_unrouted_board_for_the_fab(built, tmp_path, capsys):
    """A copy of the board with every track removed: not for the fab."""
    import pcbnew

    project = _rect_project(built, tmp_path)
    board_file = project / "wattcad-ade7816.kicad_pcb"
    board = pcbnew.LoadBoard(str(board_file))
    for track in list(board.GetTracks()):
        board.Delete(track)  # Remove would leave SWIG unable to type later objects
    pcbnew.SaveBoard(str(board_file), board)
    assert main(["check", str(project), "--no-enclosure", "--out", str(tmp_path)]) == 1
    text = capsys.readouterr().out
    assert "FAIL  fabrication ready for fabrication: NOT READY:" in text and "unrouted connections" in text


MOVE_FEATHER_ROW = """
import sys
from wattcad.kicad.pcbnew_compat import pcbnew
board = pcbnew.LoadBoard(sys.argv[1])
a1 = board.FindFootprintByReference("A1")
for pad in a1.Pads():
    if int(pad.GetNumber()) >= 17:  # the 12-pin row, one pitch along
        rel = pad.GetFPRelativePosition()
        pad.SetFPRelativePosition(pcbnew.VECTOR2I(rel.x, rel.y + pcbnew.FromMM(2.54)))
pcbnew.SaveBoard(sys.argv[1], board)
"""


def _edit_board(project: Path, script: str) -> None:
    """Board surgery in a process of its own: removing a footprint from a board in this process
    leaves pcbnew's SWIG layer returning untyped objects from later LoadBoard calls."""
    subprocess.run([sys.executable, "-c", script, str(project / "wattcad-ade7816.kicad_pcb")], check=True,
                   capture_output=True, timeout=120)


@pytest.mark.kicad
def test_check_catches_a_feather_row_one_pitch_off(built, tmp_path, capsys):
    project = _rect_project(built, tmp_path)
    _edit_board(project, MOVE_FEATHER_ROW)
    assert main(["check", str(project), "--no-enclosure", "--allow-unrouted", "--out", str(tmp_path)]) == 1
    text = capsys.readouterr().out
    line = next(line for line in text.splitlines() if line.strip().startswith("FAIL  mating"))
    assert "A1" in line and "2.54 mm" in line and "12 pad(s)" in line


@pytest.mark.kicad
def test_check_catches_a_burden_edited_to_10_ohm_in_the_schematic(built, tmp_path, capsys):
    project = _rect_project(built, tmp_path)
    sch = project / "wattcad-ade7816.kicad_sch"
    text = sch.read_text()
    # R401 is channel D's burden: its value, in its own symbol block only.
    start = text.index('(property "Reference" "R401"')
    block_start = text.rfind("(symbol\n", 0, start)
    value = re.compile(r'\(property "Value" "[^"]*"')
    m = value.search(text, block_start)
    assert m.start() < start + 2000
    sch.write_text(text[:m.start()] + '(property "Value" "10"' + text[m.end():])
    assert main(["check", str(project), "--no-enclosure", "--allow-unrouted", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "U1 input ID" in line)
    assert line.strip().startswith("FAIL") and "206% of full scale" in line and "J4 (CT)" in line
    assert all(line.strip().startswith("PASS") for line in out.splitlines() if "U1 input I" in line and "input ID" not in line)


SWAP_U1 = """
import sys
from wattcad.kicad.pcbnew_compat import pcbnew
board = pcbnew.LoadBoard(sys.argv[1])
old = board.FindFootprintByReference("U1")
wrong = pcbnew.FootprintLoad("/usr/share/kicad/footprints/Package_DFN_QFN.pretty", "QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm")
wrong.SetReference("U1")
wrong.SetValue("ADE7816")
wrong.SetPosition(old.GetPosition())
board.Remove(old)
board.Add(wrong)
pcbnew.SaveBoard(sys.argv[1], board)
"""


@pytest.mark.kicad
def test_check_finds_the_5x5_footprint_on_a_6x6_part(built, tmp_path, capsys):
    """The mistake this project exists to catch: the ADE7816 given a 5 x 5 mm QFN footprint."""
    project = _rect_project(built, tmp_path)
    _edit_board(project, SWAP_U1)
    code = main(["check", str(project), "--no-enclosure", "--out", str(tmp_path)])
    text = capsys.readouterr().out
    assert code == 1
    assert "U1" in text and "pitch 0.40 mm" in text
    junit = ET.parse(tmp_path / "wattcad-check.xml").getroot()
    failures = [case.get("name") for suite in junit for case in suite if case.find("failure") is not None]
    assert any(name.startswith("U1 QFN-40") for name in failures)


@pytest.mark.kicad
def test_check_works_on_a_project_wattcad_did_not_make(tmp_path, capsys):
    project = tmp_path / "stickhub"
    shutil.copytree(DEMO, project)
    code = main(["check", str(project), "--out", str(tmp_path)])
    text = capsys.readouterr().out
    data = json.loads((tmp_path / "wattcad-check.json").read_text())
    assert code == (0 if data["passed"] else 1)
    groups = {c["group"] for c in data["checks"]}
    assert groups == {"erc", "drc", "fabrication", "footprints", "enclosure"}
    assert "StickHub" in text and len([c for c in data["checks"] if c["group"] == "footprints"]) > 50
    # A project that leans on the global library tables (none of its own) is still checked.
    for table in ("sym-lib-table", "fp-lib-table"):
        (project / table).unlink()
    assert main(["check", str(project), "--no-enclosure", "--out", str(tmp_path)]) in (0, 1)
    assert {c["group"] for c in json.loads((tmp_path / "wattcad-check.json").read_text())["checks"]} == \
        {"erc", "drc", "fabrication", "footprints"}


def test_check_names_a_folder_that_is_not_a_project(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "expected one KiCad project file (.kicad_pro, or a KiCad 4/5 .pro), found none" in capsys.readouterr().err


@pytest.mark.kicad
def test_check_plugin_checks_the_open_board_not_the_file(built, tmp_path):
    import pcbnew

    from wattcad.kicad.plugins.check_board import CheckBoardPlugin

    project = _rect_project(built, tmp_path)
    board = pcbnew.LoadBoard(str(project / "wattcad-ade7816.kicad_pcb"))
    # In memory only: put R101 on top of U1, a courtyard overlap DRC must find.
    board.FindFootprintByReference("R101").SetPosition(board.FindFootprintByReference("U1").GetPosition())
    plugin = CheckBoardPlugin()
    plugin.defaults()
    plugin.get_board = lambda: board
    plugin.Run()
    drc = next(r for r in plugin.last_results if r.group == "drc")
    assert drc.status == "fail" and any("R101" in d for d in drc.details)
    assert (project / "wattcad-check.xml").exists()
    # The file on disk is untouched.
    assert pcbnew.LoadBoard(str(project / "wattcad-ade7816.kicad_pcb")).FindFootprintByReference("R101").GetPosition() \
        != board.FindFootprintByReference("U1").GetPosition()


def test_ci_workflow_for_users_installs_kicad_like_make_and_runs_check():
    flow = yaml.safe_load((REPO / "docs" / "ci" / "wattcad-check.yml").read_text())
    steps = flow["jobs"]["check"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "wattcad check" in runs and "--out" in runs
    bootstrap = (REPO / "scripts" / "bootstrap.sh").read_text()
    for package in ("kicad", "kicad-footprints", "kicad-symbols"):
        assert f" {package}" in runs and package in bootstrap
    assert any("junit" in json.dumps(s).lower() for s in steps)


@pytest.mark.kicad
def test_kicads_3d_view_of_the_build_shows_every_part(built, tmp_path):
    """The build's project points KiCad's 3D-model variables at its own 3dmodels/ (project text
    variables, resolved before the environment): kicad-cli, as KiCad's 3D viewer, with no variable
    given and KiCad's library pointed nowhere, loads every model, the Feather standing 17 mm tall."""
    import os
    import subprocess

    import cadquery as cq

    root = built[0]
    project = root / "build" / "wattcad-ade7816"
    variables = json.loads((project / "wattcad-ade7816.kicad_pro").read_text())["text_variables"]
    assert variables["KICAD9_3DMODEL_DIR"] == variables["KICAD10_3DMODEL_DIR"] == "${KIPRJMOD}/3dmodels"
    step = tmp_path / "board.step"
    proc = subprocess.run(["kicad-cli", "pcb", "export", "step", "--subst-models", "--force", "-o", str(step),
                           str(project / "wattcad-ade7816.kicad_pcb")], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "KICAD9_3DMODEL_DIR": str(tmp_path / "nowhere"),
                               "KICAD10_3DMODEL_DIR": str(tmp_path / "nowhere")})
    said = proc.stdout + proc.stderr
    assert step.is_file() and "Could not add 3D model" not in said and "not found" not in said.lower(), said[-2000:]
    box = cq.importers.importStep(str(step)).val().BoundingBox()
    assert box.zmax == pytest.approx(1.6 + 17.1, abs=0.3)  # the Feather on its headers: the tallest part
