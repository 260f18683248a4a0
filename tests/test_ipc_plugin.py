"""The IPC-API "Check board" plugin (kicad/ipc/), the way KiCad 10 and 11 run plugins: its
plugin.json against KiCad's own schema, its action against a real project, and in KiCad 10's real
pcbnew under Xvfb: the button appears, a click checks the open board."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.test_pcm import SCREEN, _start_xvfb, _stop, find_icon, seed_kicad_config
from wattcad.cli import main
from wattcad.kicad import pcm

SCHEMA = Path("/usr/share/kicad/schemas/api.v1.schema.json")
DEMO = Path("/usr/share/kicad/demos/ecc83")
GUI_DEADLINE_S = 150  # KiCad makes the plugin's venv and pip-installs kicad-python before the button shows
CHECK_DEADLINE_S = 180


def _installed(tmp_path: Path) -> Path:
    dest = tmp_path / "io_github_wattcad_ipc"
    assert main(["plugin", "install", "--kicad-ipc", "--dest", str(dest)]) == 0
    return dest


def test_the_ipc_plugin_is_in_the_pcm_package_beside_the_swig_plugins(tmp_path):
    out = pcm.build_pcm_zip(tmp_path / "pkg.zip")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert "plugins/__init__.py" in names  # the SWIG plugins' loader
        for name in ("plugin.json", "check_board.py", "requirements.txt", "wattcad_locator.py",
                     "icons/check_board.png", "icons/check_board_dark.png"):
            assert f"plugins/ipc/{name}" in names, name
        plugin = json.loads(zf.read("plugins/ipc/plugin.json"))
        # The locator is the SWIG package's own, byte for byte: one way of finding wattcad.
        assert zf.read("plugins/ipc/wattcad_locator.py") == zf.read("plugins/__init__.py")
    action = plugin["actions"][0]
    assert plugin["runtime"]["type"] == "python" and action["show-button"] is True and action["scopes"] == ["pcb"]
    assert len(plugin["identifier"].split(".")) >= 3  # KiCad wants a reverse-DNS identifier of three parts
    assert "kicad-python" in (pcm.IPC_DIR / "requirements.txt").read_text()


@pytest.mark.kicad
def test_the_plugin_json_passes_kicads_own_schema(tmp_path):
    import jsonschema

    if not SCHEMA.is_file():
        pytest.fail(f"{SCHEMA} missing: KiCad 9 and 10 ship it")
    schema = json.loads(SCHEMA.read_text())
    plugin = json.loads((_installed(tmp_path) / "plugin.json").read_text())
    jsonschema.validate(plugin, schema)
    broken = dict(plugin, runtime={"type": "ruby"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    for icon in plugin["actions"][0]["icons-light"] + plugin["actions"][0]["icons-dark"]:
        assert Image.open(_installed(tmp_path) / icon).size == (24, 24)


@pytest.mark.kicad
def test_the_action_checks_a_board_file_with_the_wattcad_it_finds(tmp_path, monkeypatch):
    """What the button runs once kipy has named the open board: `wattcad check` in the wattcad
    installation found through WATTCAD_PYTHON, the reports beside the board."""
    plugin_dir = _installed(tmp_path)
    project = tmp_path / "ecc83"
    shutil.copytree(DEMO, project)
    board = project / "ecc83-pp.kicad_pcb"
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import check_board; from pathlib import Path; "
            "c, said = check_board.check_board_file(Path(sys.argv[2])); print(said); sys.exit(c)")
    env = {**os.environ, "WATTCAD_PYTHON": sys.executable}
    proc = subprocess.run([sys.executable, "-c", code, str(plugin_dir), str(board)], capture_output=True, text=True,
                          env=env, timeout=600)
    report = json.loads((project / "wattcad-check.json").read_text())
    assert proc.returncode == (0 if report["passed"] else 1), proc.stdout + proc.stderr
    assert "wattcad check" in proc.stdout and report["project"].endswith("ecc83-pp")
    # No wattcad to be found: the message says how to install it.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "WATTCAD_PYTHON": str(tmp_path / "nope")}
    proc = subprocess.run([sys.executable, "-c", code, str(plugin_dir), str(board)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode != 0 and "wattcad is not installed: `pipx install wattcad`" in proc.stderr, proc.stderr


@pytest.mark.kicad
@pytest.mark.gui
def test_kicad10_shows_the_button_and_a_click_checks_the_open_board(tmp_path):
    from wattcad.kicad.versions import installed_major

    if installed_major() < 10:
        pytest.skip(f"KiCad {installed_major()}: the IPC plugin is KiCad 10's (the KiCad 10 lane runs this)")
    home = tmp_path / "home"
    seed_kicad_config(home, 10, api=True)
    _installed(home / ".local" / "share" / "kicad" / "10.0" / "plugins")
    project = tmp_path / "ecc83"
    shutil.copytree(DEMO, project)
    board = project / "ecc83-pp.kicad_pcb"
    icons = [Image.open(pcm.ICONS_DIR / name) for name in ("check_board.png", "check_board_dark.png")]
    xvfb, display = _start_xvfb()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "DISPLAY": display, "LANG": "C.UTF-8", "NO_AT_BRIDGE": "1",
           "WATTCAD_PYTHON": sys.executable}
    shot = tmp_path / "kicad10-ipc-check.png"
    pcbnew = subprocess.Popen(["/usr/bin/pcbnew", str(board)], env=env, cwd=home, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, where, resized = time.monotonic() + GUI_DEADLINE_S, None, False
        while time.monotonic() < deadline and where is None:
            assert pcbnew.poll() is None, f"pcbnew exited early ({pcbnew.returncode})"
            time.sleep(1)
            windows = subprocess.run(["xdotool", "search", "--name", "PCB Editor"], env=env, capture_output=True,
                                     text=True, timeout=10).stdout.split()
            if windows and not resized:  # the whole screen: KiCad 10's top toolbar overflows a small window
                resized = subprocess.run(["xdotool", "windowmove", windows[0], "0", "0", "windowsize", windows[0],
                                          str(SCREEN[0]), str(SCREEN[1])], env=env, capture_output=True,
                                         timeout=10).returncode == 0
            subprocess.run(["import", "-window", "root", str(shot)], env=env, timeout=20, capture_output=True)
            if shot.is_file():
                toolbar = np.asarray(Image.open(shot).convert("RGB")).astype(int)[:120]
                where = next((p for p in (find_icon(toolbar, icon) for icon in icons) if p), None)
        assert where is not None, f"no Check board button after {GUI_DEADLINE_S} s (screenshot {shot})"
        x, y = where[0] + 12, where[1] + 12
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=env, check=True, timeout=20)
        report_path = project / "wattcad-check.json"
        deadline = time.monotonic() + CHECK_DEADLINE_S
        while time.monotonic() < deadline and not report_path.is_file():
            time.sleep(1)
        assert report_path.is_file(), f"no report beside the board {CHECK_DEADLINE_S} s after the click"
        time.sleep(3)  # KiCad shows the action's stderr in its status bar (docs/kicad10-ipc-check.png is one)
        subprocess.run(["import", "-window", "root", str(shot)], env=env, timeout=20, capture_output=True)
        report = json.loads(report_path.read_text())
        assert report["kicad"].startswith("10.") and report["project"].endswith("ecc83-pp"), report
        assert {"erc", "drc", "footprints"} <= {c["group"] for c in report["checks"]}
    finally:
        _stop(pcbnew, group=True)
        _stop(xvfb)
