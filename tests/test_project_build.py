"""`wattcad build PROJECT` on KiCad projects wattcad did not make: KiCad's own demos, configured
by a wattcad.yaml (or not), with the project's files only read."""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from wattcad.cli import main

DEMOS = Path("/usr/share/kicad/demos")


def _tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(args: list[str]) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(args)
    return code, printed.getvalue()


def _steps(printed: str) -> dict[str, tuple[str, str]]:
    """step -> (RESULT, time column) from the summary table."""
    return {m[1]: (m[2], m[3]) for m in re.finditer(r"^(\S+)\s+(PASS|FAIL|MADE|BLOCKED)\s+(cached|[\d.]+ s)", printed, re.M)}


@pytest.fixture(scope="module")
def stickhub(tmp_path_factory):
    """KiCad's StickHub demo, copied, built from nothing with its renders."""
    root = tmp_path_factory.mktemp("project")
    project = root / "StickHub"
    shutil.copytree(DEMOS / "stickhub", project)
    before = _tree_hash(project)
    code, printed = _run(["build", str(project), "--out", str(root / "out")])
    return root, project, before, code, printed


@pytest.mark.kicad
@pytest.mark.blender
def test_a_demo_project_is_checked_fabricated_enclosed_and_rendered(stickhub):
    root, project, before, code, printed = stickhub
    out = root / "out" / "StickHub"
    steps = _steps(printed)
    assert list(steps) == ["check", "fab", "enclosure", "render"], printed
    report = json.loads((out / "wattcad-check.json").read_text())
    failing = [r for r in report["checks"] if r["status"] == "fail"]
    assert code == (1 if failing else 0) and steps["check"][0] == ("FAIL" if failing else "PASS")
    # The fab step's gate: gerbers exactly when the board is ready (routed, DRC-clean) and no
    # footprint or module check fails.
    ready = any(r["name"] == "ready for fabrication" and r["status"] == "pass" for r in report["checks"])
    physical = [r for r in failing if r["group"] in ("footprints", "mating")]
    assert steps["fab"][0] == ("MADE" if ready and not physical else "BLOCKED"), printed
    assert (out / "fab" / "StickHub-gerbers.zip").is_file() == (steps["fab"][0] == "MADE")
    assert (out / "fab" / "StickHub-ibom.html").is_file() and (out / "fab" / "StickHub-pos.csv").is_file()
    fit = json.loads((out / "enclosure" / "fit.json").read_text())
    assert fit["fits"] == (steps["enclosure"][0] == "PASS")
    assert not (out / "enclosure" / "enclosure.FCStd").exists()  # FreeCAD only when wattcad.yaml asks
    # Two preview pictures (iso, top), each a picture and not a blank: a board's green in the top view.
    from PIL import Image

    for view in ("iso", "top"):
        image = Image.open(out / "renders" / f"board-{view}.png").convert("RGB")
        assert image.size == (640, 480) if view == "iso" else (600, 450)
        colours = image.getcolors(1 << 20)
        assert len(colours) > 500, f"{view}: {len(colours)} colours, a blank picture"
    top = Image.open(out / "renders" / "board-top.png").convert("RGB")
    greenish = sum(n for n, (r, g, b) in top.getcolors(1 << 20) if g > r + 15 and g > b)
    assert greenish > 0.01 * top.width * top.height, "no solder mask green in the top view"
    index = (root / "out" / "index.html").read_text()
    for rel in ("StickHub/renders/board-iso.png", "StickHub/fab/StickHub-ibom.html", "StickHub/enclosure/fit.json"):
        assert f'"{rel}"' in index
    assert "Footprints" not in index  # nothing generated: no empty section
    # The user's project is read, never written.
    assert _tree_hash(project) == before


@pytest.mark.kicad
@pytest.mark.blender
def test_a_second_build_does_nothing_and_a_config_change_reruns_what_it_touches(stickhub):
    root, project, before, code, printed = stickhub
    again, printed = _run(["build", str(project), "--out", str(root / "out")])
    assert again == code and {s: t for s, (_, t) in _steps(printed).items()} == dict.fromkeys(
        ("check", "fab", "enclosure", "render"), "cached"), printed
    (project / "wattcad.yaml").write_text("outputs: [check, enclosure, render]\nviews: [top]\n"
                                          "enclosure:\n  wall_mm: 3.0\n")
    try:
        third, printed = _run(["build", str(project), "--out", str(root / "out")])
        steps = _steps(printed)
        assert list(steps) == ["check", "enclosure", "render"], printed
        # wattcad.yaml is an input of every step (it may change what they do); the enclosure re-ran with
        # the wall asked for, written where the enclosure read it.
        assert steps["enclosure"][1] != "cached" and steps["render"][1] != "cached"
        assert "wall_mm: 3.0" in (root / "out" / "StickHub" / "enclosure-params.yaml").read_text()
        assert (root / "out" / "StickHub" / "renders" / "board-top.png").is_file()
        assert not (root / "out" / "StickHub" / "renders" / "board-iso.png").exists()  # stale view removed
    finally:
        (project / "wattcad.yaml").unlink()


@pytest.mark.parametrize("config, key, value", [
    ("outputs: [check, gerbers]\n", "outputs[1]", "gerbers"),
    ("views: iso\n", "views", "iso"),
    ("colour: red\n", "colour", "red"),
    ("enclosure:\n  wall_mm: -2\n", "wall_mm", "-2"),
    ("enclosure:\n  walls_mm: 2\n", "walls_mm", "2"),
    ("freecad: yes please\n", "freecad", "yes please"),
    ("generate: ade7816\nviews: [iso]\n", "views", "iso"),
    ("project: other.kicad_sch\n", "project", "other.kicad_sch"),
    ("- a list\n", None, "list"),
])
def test_a_bad_wattcad_yaml_is_refused_naming_file_key_and_value(tmp_path, capsys, config, key, value):
    project = tmp_path / "p"
    project.mkdir()
    (project / "p.kicad_pro").write_text("{}\n")
    (project / "wattcad.yaml").write_text(config)
    assert main(["build", str(project), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(project / "wattcad.yaml") in err and value in err, err
    if key:
        assert f"{key}:" in err, err
    assert not (tmp_path / "out").exists()  # refused before any step wrote anything


@pytest.mark.kicad
def test_a_folder_of_two_projects_builds_the_one_wattcad_yaml_names(tmp_path, capsys):
    project = tmp_path / "ecc83"
    shutil.copytree(DEMOS / "ecc83", project)
    assert main(["build", str(project), "--out", str(tmp_path / "out"), "--no-render"]) == 2
    assert "expected one KiCad project file" in capsys.readouterr().err
    (project / "wattcad.yaml").write_text("project: ecc83-pp_v2.kicad_pro\noutputs: [check, fab]\n")
    code, printed = _run(["build", str(project), "--out", str(tmp_path / "out")])
    assert list(_steps(printed)) == ["check", "fab"], printed
    assert (tmp_path / "out" / "ecc83-pp_v2" / "fab" / "ecc83-pp_v2-pos.csv").is_file()
    assert not (tmp_path / "out" / "ecc83-pp").exists()


@pytest.mark.kicad
def test_without_interactivehtmlbom_the_fab_step_says_so_and_makes_the_rest(tmp_path, monkeypatch):
    """An installed wattcad may lack InteractiveHtmlBom (it declares wxPython, so it cannot be a
    dependency): positions and gerbers are still made, and the step says what is missing."""
    import wattcad.kicad.fab as fab_module
    from wattcad.pipeline.outputs.fab import fab_outcome

    monkeypatch.setattr(fab_module, "ibom_available", lambda: False)
    board = DEMOS / "ecc83" / "ecc83-pp.kicad_pcb"
    fab = fab_module.write_fab_outputs(board, tmp_path / "fab", gerbers=True)
    assert fab.ibom is None and not list((tmp_path / "fab").glob("*ibom*"))
    assert fab.positions.is_file() and fab.gerber_zip.is_file()
    outcome = fab_outcome(fab, [])
    assert outcome.status == "made" and "iBOM" not in outcome.detail
    assert any("InteractiveHtmlBom is not installed" in n for n in outcome.notes)


@pytest.mark.kicad
def test_a_kicad5_project_with_a_5x5_footprint_on_a_6x6_part_gets_no_gerbers(tmp_path):
    """The board this project comes from, as KiCad 5 saved it: routed and DRC-clean, but its
    ADE7816 footprint is the 5 x 5 mm one. DRC lets it through; the fab step must not."""
    from tests.conftest import REPO

    project = tmp_path / "k5"
    shutil.copytree(REPO / "tests" / "data" / "old_kicad" / "kicad5-project", project)
    before = _tree_hash(project)
    (project / "wattcad.yaml").write_text("outputs: [check, fab]\n")
    code, printed = _run(["build", str(project), "--out", str(tmp_path / "out")])
    steps = _steps(printed)
    assert code == 1 and steps["check"][0] == "FAIL", printed
    assert steps["fab"][0] == "BLOCKED", printed
    assert "footprints check fails for U1" in printed
    fab = tmp_path / "out" / "ade7816-k5" / "fab"
    assert not list(fab.glob("*gerbers*")) and (fab / "ade7816-k5-pos.csv").is_file()
    (project / "wattcad.yaml").unlink()
    assert _tree_hash(project) == before  # the KiCad 5 files were read through a copy, never upgraded in place


def _dummy_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "p.kicad_pro").write_text("{}\n")
    (folder / "p.kicad_pcb").write_text("(kicad_pcb)\n")
    return folder


def test_a_project_s_inputs_include_its_subfolders_but_not_the_build_inside_it(tmp_path):
    from wattcad.pipeline.project import ProjectPipeline, project_files

    project = _dummy_project(tmp_path / "p")
    for rel in ("sheets/power.kicad_sch", "3dmodels/jack.step", "lib/parts.kicad_sym", "build/p/fab/p.kicad_pcb",
                ".git/x.kicad_sch", "p-backups/old.kicad_pcb", "notes.txt"):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text("x\n")
    pipeline = ProjectPipeline(project / "build", str(project))
    assert [f.relative_to(project).as_posix() for f in project_files(project, pipeline.out)] == [
        "3dmodels/jack.step", "lib/parts.kicad_sym", "p.kicad_pcb", "p.kicad_pro", "sheets/power.kicad_sch"]


def test_a_build_with_nothing_to_do_is_refused_naming_outputs(tmp_path, capsys):
    project = _dummy_project(tmp_path / "p")
    (project / "wattcad.yaml").write_text("outputs: [render]\n")
    assert main(["build", str(project), "--out", str(tmp_path / "out"), "--no-render"]) == 2
    err = capsys.readouterr().err
    assert "wattcad.yaml: outputs:" in err and "nothing to build" in err, err


def test_the_example_fills_an_empty_current_folder_and_refuses_a_file(tmp_path, monkeypatch, capsys):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["example", "ade7816", "."]) == 0
    assert (here / "wattcad.yaml").is_file() and (here / "boards" / "wattcad-ade7816.kicad_pcb").is_file()
    assert sorted(p.name for p in here.iterdir()) == ["boards", "wattcad.yaml"]  # no scratch left behind
    assert main(["example", "ade7816", "."]) == 2  # not empty now
    (tmp_path / "file").write_text("x\n")
    assert main(["example", "ade7816", str(tmp_path / "file")]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_a_footprint_from_another_library_is_not_a_parity_blocker_a_missing_part_is():
    from wattcad.kicad.drc import DrcResult

    nickname = ("[footprint_symbol_mismatch] complex_hierarchy:D_DO-35_SOD27_P7.62mm_Horizontal doesn't match footprint "
                "given by symbol (Diode_THT:D_DO-35_SOD27_P7.62mm_Horizontal).: Footprint D201")
    other = ("[footprint_symbol_mismatch] lib:R_0603_1608Metric doesn't match footprint given by symbol "
             "(Resistor_SMD:R_0805_2012Metric).: Footprint R1")
    assert DrcResult(Path("b.kicad_pcb"), parity=[nickname]).fab_blockers == []
    assert DrcResult(Path("b.kicad_pcb"), parity=[nickname, other, "[missing_footprint] R2"]).fab_blockers == [
        "2 schematic parity issues"]


@pytest.mark.kicad
def test_a_board_that_is_not_its_schematic_gets_no_gerbers(tmp_path):
    """KiCad's complex_hierarchy demo: its parity report lists only footprints named from its own
    library (gerbers made); with one part's reference changed on the board, the board is not the
    schematic any more (no gerbers)."""
    project = tmp_path / "ch"
    shutil.copytree(DEMOS / "complex_hierarchy", project)
    (project / "wattcad.yaml").write_text("outputs: [check, fab]\n")
    code, printed = _run(["build", str(project), "--out", str(tmp_path / "a")])
    assert _steps(printed)["fab"][0] == "MADE", printed
    board = project / "complex_hierarchy.kicad_pcb"
    board.write_text(board.read_text().replace('"Reference" "C101"', '"Reference" "C999"', 1))
    code, printed = _run(["build", str(project), "--out", str(tmp_path / "b")])
    assert code == 1 and _steps(printed)["fab"][0] == "BLOCKED", printed
    assert "schematic parity issues" in printed
    assert not list((tmp_path / "b" / "complex_hierarchy" / "fab").glob("*gerbers*"))


def test_an_output_registered_from_a_module_of_its_own_shows_in_a_build_its_index_and_help(tmp_path, monkeypatch, capsys):
    """Adding an output is one module and one registration: a module outside wattcad registers
    `hello`; a build run side by side in worker processes makes it, the index links its file and
    `wattcad build --help` names it."""
    import sys

    from wattcad.pipeline import outputs

    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "hello_output.py").write_text(
        "from wattcad.core.fileio import write_atomic\n"
        "from wattcad.pipeline.engine import Outcome\n"
        "from wattcad.pipeline.outputs import Output, register\n\n"
        "def run(pipeline, section):\n"
        "    made = write_atomic(section.dir / 'hello.txt', f'hello {section.board.name}\\n')\n"
        "    return Outcome([made], 'made', 'said hello')\n\n"
        "register(Output('hello', 'a greeting beside the board', run, files=(('hello.txt', 'the greeting'),)))\n")
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))  # spawned workers get the parent's sys.path
    __import__("hello_output")
    try:
        project = _dummy_project(tmp_path / "p")
        (project / "wattcad.yaml").write_text("outputs: [hello]\n")
        code, printed = _run(["build", str(project), "--out", str(tmp_path / "out"), "--jobs", "2"])
        assert code == 0, printed
        assert _steps(printed)["hello"][0] == "MADE", printed
        assert (tmp_path / "out" / "p" / "hello.txt").read_text() == "hello p.kicad_pcb\n"
        index = (tmp_path / "out" / "index.html").read_text()
        assert 'href="p/hello.txt"' in index and "the greeting" in index
        with pytest.raises(SystemExit):
            main(["build", "--help"])
        assert "hello: a greeting beside the board" in " ".join(capsys.readouterr().out.split())
    finally:
        sys.modules.pop("hello_output", None)
        outputs.OUTPUTS.pop("hello", None)


@pytest.mark.kicad
def test_a_lone_board_is_checked_and_built_with_erc_and_parity_named_as_skipped(tmp_path, capsys):
    """Most boards people share come without a project: a board file, or a folder holding only one,
    is checked (DRC with the rules it carries, footprints, fab readiness) and built, never refused."""
    import shutil
    import xml.etree.ElementTree as ET

    from tests.conftest import REPO

    folder = tmp_path / "shared"
    folder.mkdir()
    board = shutil.copy(REPO / "tests" / "data" / "pcbench" / "uext-esp32_UEXT_ESP32.kicad_pcb", folder)
    code = main(["check", str(board), "--no-enclosure", "--out", str(tmp_path / "r")])
    assert code in (0, 1)
    text = (tmp_path / "r" / "wattcad-check.txt").read_text()
    assert "no schematic beside uext-esp32_UEXT_ESP32.kicad_pcb (a lone board): ERC and schematic parity skipped" in text
    assert "DRC (no schematic parity: no schematic, a lone board)" in text
    assert "no project file: DRC holds the board to the rules its file carries" in text  # a KiCad 5 board: upgraded
    junit = ET.parse(tmp_path / "r" / "wattcad-check.xml")
    erc = next(c for c in junit.iter("testcase") if c.get("name") == "ERC")
    assert "a lone board" in erc.find("skipped").get("message")
    current = tmp_path / "current"  # a KiCad 9 board alone: DRC with what it carries, said as a note
    current.mkdir()
    shutil.copy(REPO / "examples" / "ade7816" / "boards" / "wattcad-ade7816.kicad_pcb", current)
    assert main(["check", str(current), "--no-enclosure", "--out", str(tmp_path / "r9")]) in (0, 1)
    assert "no .kicad_pro beside the board: DRC used the rules the board file carries" in \
        (tmp_path / "r9" / "wattcad-check.json").read_text()
    (folder / "wattcad.yaml").write_text("outputs: [check, fab]\n")
    code, printed = _run(["build", str(folder), "--out", str(tmp_path / "out")])
    assert code in (0, 1) and set(_steps(printed)) == {"check", "fab"}, printed
    assert (tmp_path / "out" / "uext-esp32_UEXT_ESP32" / "fab" / "uext-esp32_UEXT_ESP32-pos.csv").is_file()
    shutil.copy(board, folder / "second.kicad_pcb")
    assert main(["build", str(folder), "--out", str(tmp_path / "out2")]) == 2
    assert "holds 2 boards and no project file" in capsys.readouterr().err
