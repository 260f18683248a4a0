"""One adapter for kicad-cli (wattcad.kicad.kicad_cli): WATTCAD_KICAD_CLI is honoured by every call,
a missing kicad-cli is exit 3, one that fails or crashes is exit 4 (so are Blender and FreeCAD), a
file kicad-cli cannot load stays bad input (exit 2). The crashing tools are tiny shell scripts: they
stand for a tool that dies, not for KiCad's behaviour, which is always the real kicad-cli's here."""
from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from wattcad.cli import main
from wattcad.core.errors import EXIT_BAD_INPUT, EXIT_MISSING_TOOL, EXIT_TOOL_FAILED, InputError, MissingToolError, ToolFailedError

REPO = Path(__file__).resolve().parents[1]
DEMO = Path("/usr/share/kicad/demos/ecc83")
# Where wattcad's own code lives; only the adapter and the Blender side's self-contained export
# may name kicad-cli as a command.
SOURCE_DIRS = ("wattcad", "kicad", "footprints", "enclosure", "freecad", "blender")
ALLOWED = {"kicad/kicad_cli.py", "blender/wattcad_blender/kicad_export.py"}


def _script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def demo(tmp_path) -> Path:
    """KiCad's ecc83 demo (a KiCad 9 project) copied, so nothing is written beside the original."""
    if not DEMO.is_dir():
        pytest.skip(f"KiCad's demos not installed at {DEMO}")
    copy = tmp_path / "ecc83"
    shutil.copytree(DEMO, copy)
    return copy / "ecc83-pp.kicad_pro"


def _check(demo: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    code = main(["check", str(demo), "--no-enclosure", "--out", str(tmp_path)])
    return code, capsys.readouterr().err


@pytest.mark.kicad
def test_a_missing_kicad_cli_named_by_the_variable_is_exit_3(demo, tmp_path, monkeypatch, capsys):
    gone = tmp_path / "no-such-kicad-cli"
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(gone))
    code, err = _check(demo, tmp_path, capsys)
    assert code == EXIT_MISSING_TOOL == 3
    assert "WATTCAD_KICAD_CLI" in err and str(gone) in err, err
    # Set but not executable is missing too, never run.
    plain = tmp_path / "kicad-cli"
    plain.write_text("#!/bin/sh\nexit 0\n")
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(plain))
    assert _check(demo, tmp_path, capsys)[0] == 3


@pytest.mark.kicad
def test_no_kicad_cli_anywhere_says_how_to_get_one(tmp_path, monkeypatch):
    from wattcad.kicad.kicad_cli import kicad_cli_path

    monkeypatch.delenv("WATTCAD_KICAD_CLI", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no kicad-cli on PATH
    with pytest.raises(MissingToolError) as err:
        kicad_cli_path()
    assert err.value.exit_code == 3
    assert str(err.value) == "kicad-cli (KiCad 9 or 10) not found on PATH; install KiCad or set WATTCAD_KICAD_CLI"


@pytest.mark.kicad
def test_a_kicad_cli_killed_by_a_signal_is_exit_4_naming_it(demo, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(_script(tmp_path, "segv-kicad-cli", "echo 'about to die' >&2\nkill -SEGV $$")))
    code, err = _check(demo, tmp_path, capsys)
    assert code == EXIT_TOOL_FAILED == 4, err
    # What was being done, the command line, how it ended, what it said last.
    assert "running ERC on ecc83-pp.kicad_sch" in err and "segv-kicad-cli sch erc" in err, err
    assert "SIGSEGV" in err and "about to die" in err, err


@pytest.mark.kicad
def test_a_kicad_cli_that_fails_is_exit_4_naming_the_code(demo, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(_script(tmp_path, "failing-kicad-cli", "echo 'out of cheese' >&2\nexit 7")))
    code, err = _check(demo, tmp_path, capsys)
    assert code == 4, err
    assert "exit 7" in err and "out of cheese" in err and "failing-kicad-cli" in err, err


@pytest.mark.kicad
def test_the_real_kicad_cli_through_the_variable(demo, tmp_path, monkeypatch):
    from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist

    # Under another name and with nothing on PATH: only the variable can have found it.
    renamed = tmp_path / "bin" / "my-kicad-cli"
    renamed.parent.mkdir()
    renamed.symlink_to(shutil.which("kicad-cli"))
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(renamed))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    netlist = parse_netlist(export_kicad_netlist(demo.with_suffix(".kicad_sch"), tmp_path / "ecc83.net"))
    assert netlist.components["U1"].value == "ECC83" and len(netlist.components) == 15 and len(netlist.nets) > 5


@pytest.mark.kicad
def test_a_file_kicad_cli_cannot_load_stays_bad_input(tmp_path):
    from wattcad.kicad.netlist import export_kicad_netlist

    bad = tmp_path / "broken.kicad_sch"
    bad.write_text("(kicad_sch (version 20231120) (generator eeschema)\n  (this is not a schematic\n")
    with pytest.raises(InputError) as err:  # kicad-cli's own exit 3: the file, not the tool
        export_kicad_netlist(bad, tmp_path / "broken.net")
    assert err.value.exit_code == EXIT_BAD_INPUT and str(bad) in str(err.value)


def test_a_kicad_cli_that_hangs_is_stopped(tmp_path, monkeypatch):
    from wattcad.kicad.kicad_cli import run_kicad_cli

    # exec: the sleep itself is the process the timeout kills (no grandchild holding the pipes).
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(_script(tmp_path, "slow-kicad-cli", "exec sleep 30")))
    with pytest.raises(ToolFailedError) as err:
        run_kicad_cli(["version"], "asking its version", timeout_s=0.5)
    assert err.value.exit_code == 4 and "timed out after 0.5 s" in str(err.value)
    assert "asking its version" in str(err.value)


def test_ok_codes_let_a_caller_read_a_failure_but_never_a_crash(tmp_path, monkeypatch):
    from wattcad.kicad.kicad_cli import INVALID_INPUT, run_kicad_cli

    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(_script(tmp_path, "kc", 'echo "$@"; exit 3')))
    proc = run_kicad_cli(["sch", "erc", "x y"], "checking", ok_codes=(0, INVALID_INPUT))
    assert proc.returncode == 3 and proc.stdout.strip() == "sch erc x y"
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(_script(tmp_path, "kc2", "kill -ABRT $$")))
    with pytest.raises(ToolFailedError, match="SIGABRT"):
        run_kicad_cli(["version"], "checking", ok_codes=range(-64, 256))


@pytest.mark.kicad
def test_blender_side_export_follows_the_same_rule(demo, tmp_path, monkeypatch):
    from wattcad.blender.kicad_export import KicadCliFailed, KicadCliMissing, export_glb, find_kicad_cli

    board = demo.with_suffix(".kicad_pcb")
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(tmp_path / "nowhere"))
    with pytest.raises(KicadCliMissing, match="WATTCAD_KICAD_CLI"):
        find_kicad_cli()
    monkeypatch.setenv("WATTCAD_KICAD_CLI", str(_script(tmp_path, "segv", "kill -SEGV $$")))
    with pytest.raises(KicadCliFailed, match="SIGSEGV"):
        export_glb(board, tmp_path / "b.glb")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("WATTCAD_KICAD_CLI", "kicad-cli")  # a bare name is looked up on PATH, as wattcad's is
    with pytest.raises(KicadCliMissing, match="WATTCAD_KICAD_CLI='kicad-cli'"):
        find_kicad_cli()


@pytest.mark.kicad
@pytest.mark.blender
def test_a_crashing_blender_is_exit_4_and_its_bad_input_exit_2(demo, tmp_path, monkeypatch, capsys):
    board = str(demo.with_suffix(".kicad_pcb"))
    # Named so find_blender runs it as a Python (`-c`): the real kicad-cli exports the GLB first.
    monkeypatch.setenv("WATTCAD_BLENDER", str(_script(tmp_path, "python-crashing", "kill -SEGV $$")))
    assert main(["render", board, "--out", str(tmp_path / "a.png")]) == 4
    err = capsys.readouterr().err
    assert "Blender render of ecc83-pp.kicad_pcb failed (killed by SIGSEGV)" in err, err
    monkeypatch.setenv("WATTCAD_BLENDER", str(_script(tmp_path, "python-refusing",
                                                      "echo 'render: the enclosure is upside down' >&2\nexit 2")))
    assert main(["render", board, "--out", str(tmp_path / "b.png")]) == 2
    assert "the enclosure is upside down" in capsys.readouterr().err


@pytest.mark.freecad
def test_a_crashing_freecad_is_exit_4(tmp_path, monkeypatch):
    from wattcad.enclosure import freecad_job

    monkeypatch.setattr(freecad_job, "FREECAD_PYTHON", str(_script(tmp_path, "freecad-python", "kill -SEGV $$")))
    with pytest.raises(ToolFailedError) as err:
        freecad_job.run_freecad([str(tmp_path / "job.json")])
    assert err.value.exit_code == 4 and str(err.value).startswith("FreeCAD failed (killed by SIGSEGV)")


# ------------------------------------------------------------------------------ every call
def _kicad_cli_commands(source: str) -> list[int]:
    """Lines where SOURCE names kicad-cli as a command: an argv list or tuple starting with it, or
    a PATH lookup of it (whose result would then start an argv)."""
    def is_kicad_cli(node) -> bool:
        return isinstance(node, ast.Constant) and isinstance(node.value, str) and \
            os.path.basename(node.value.strip()) == "kicad-cli"

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts and is_kicad_cli(node.elts[0]):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and any(is_kicad_cli(a) for a in node.args):
            lines.append(node.lineno)  # shutil.which("kicad-cli"), subprocess.run("kicad-cli ...")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, str) and node.args[0].value.startswith("kicad-cli "):
            lines.append(node.lineno)  # a shell string
    return sorted(set(lines))


def test_the_detector_finds_direct_calls():
    # It must see each way a direct call has been written here, or the test below proves nothing.
    for snippet in ('subprocess.run(["kicad-cli", "pcb", "drc", str(b)], capture_output=True)',
                    'for cmd in (["kicad-cli", "pcb", "export", "pdf"], ["pdftoppm"]):\n    subprocess.run(cmd)',
                    'path = shutil.which("kicad-cli")',
                    'cmd = ("/usr/bin/kicad-cli", "version")',
                    'subprocess.run("kicad-cli version", shell=True)'):
        assert _kicad_cli_commands(snippet), snippet
    assert not _kicad_cli_commands('run_kicad_cli(["pcb", "drc"], "kicad-cli DRC")\n"""kicad-cli is on PATH"""')


def test_only_the_adapter_runs_kicad_cli():
    offenders = []
    for folder in SOURCE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel in ALLOWED:
                continue
            offenders += [f"{rel}:{line}" for line in _kicad_cli_commands(path.read_text(encoding="utf-8"))]
    assert not offenders, f"run kicad-cli through wattcad.kicad.kicad_cli.run_kicad_cli: {offenders}"
    # And the allowed ones do look it up (the detector sees them): the rule is checked, not assumed.
    for rel in ALLOWED:
        assert _kicad_cli_commands((REPO / rel).read_text(encoding="utf-8")), rel


@pytest.mark.kicad
def test_vias_in_paste_openings_are_found_and_a_clean_board_has_none(tmp_path):
    """The committed board's exposed pad carries four vias under its paste windows; moved out of the
    pad, a via is no longer listed."""
    import pcbnew

    from wattcad.ade7816.pcb_project import BOARDS_DIR
    from wattcad.kicad.board_checks import vias_in_paste

    board = BOARDS_DIR / "wattcad-ade7816.kicad_pcb"
    found = vias_in_paste(board)
    ep = next(line for line in found if line.startswith("U1 pad 41:"))
    assert ep.startswith("U1 pad 41: 4 via(s) at") and ep.count("drill 0.30") == 4
    b = pcbnew.LoadBoard(str(board))
    u1 = b.FindFootprintByReference("U1")
    ep_pad = next(p for p in u1.Pads() if p.GetNumber() == "41")
    for via in [t for t in b.GetTracks() if t.Type() == pcbnew.PCB_VIA_T and ep_pad.HitTest(t.GetPosition())]:
        via.SetPosition(via.GetPosition() + pcbnew.VECTOR2I(0, pcbnew.FromMM(20)))
    moved = tmp_path / "moved.kicad_pcb"
    pcbnew.SaveBoard(str(moved), b)
    assert not any(line.startswith("U1 pad 41:") for line in vias_in_paste(moved))
