"""The pcbnew action plugins as a KiCad Plugin and Content Manager package (kicad/pcm.py), and their
toolbar icons: the zip's metadata against KiCad's own schema, the package imported by KiCad's
Python through pcbnew.LoadPlugins (the function pcbnew itself calls at start-up), and the real
pcbnew GUI under Xvfb showing the four toolbar buttons."""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import wattcad
from wattcad.cli import main
from wattcad.core.errors import InputError
from wattcad.kicad import pcm
from wattcad.kicad.plugins import PLUGINS
from wattcad.kicad.plugins.make_icons import ICONS_DIR, all_icons

from .helpers import board_with_footprints

NAMES = ["Check board (wattcad)", "Place on circle (wattcad)", "Route (wattcad)", "Verify footprints (wattcad)"]
PACKAGE_DIR = pcm.install_dir_name()  # io_github_wattcad_plugins
SYSTEM_PYTHON = "/usr/bin/python3"  # KiCad's Python (Debian's KiCad is built for it)
# Its version, as the plugins' messages name it (3.11 on Debian 12, 3.13 on 13, 3.14 on forky).
KICAD_PYTHON = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True).stdout.strip() if Path(SYSTEM_PYTHON).exists() else "3.11"


def unpack_like_kicad(zip_path: Path, third_party: Path) -> Path:
    """What PCM_TASK_MANAGER::extract does: <dir>/<rest> of the archive goes to
    <3rd party>/<dir>/<identifier with dots as underscores>/<rest> for KiCad's package folders;
    files at the root (metadata.json) are read, not extracted. Returns the plugin folder."""
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            top, _, rest = name.partition("/")
            if top not in ("plugins", "resources") or not rest or name.endswith("/"):
                continue
            target = third_party / top / PACKAGE_DIR / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(name))
    return third_party / "plugins" / PACKAGE_DIR


@pytest.fixture(scope="module")
def pcm_zip(tmp_path_factory) -> Path:
    return pcm.build_pcm_zip(tmp_path_factory.mktemp("pcm") / "wattcad-pcm.zip")


def _metadata(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as zf:
        return json.loads(zf.read("metadata.json"))


# --- the zip ------------------------------------------------------------------------------------

@pytest.mark.kicad
def test_metadata_is_valid_against_kicads_own_schema(pcm_zip):
    data = _metadata(pcm_zip)
    assert pcm.KICAD_PCM_SCHEMA.is_file()
    assert pcm.schema_errors(data) == []
    assert data["identifier"] == "io.github.wattcad.plugins" and data["type"] == "plugin" and data["license"] == "MIT"
    assert data["versions"] == [{"version": wattcad.__version__, "status": "stable", "kicad_version": "9.0",
                                 "runtime": "swig", "platforms": ["linux"]}]


@pytest.mark.kicad
@pytest.mark.parametrize("field, value, complaint", [
    ("identifier", "io.github.wattcad.plugins.", "identifier: 'io.github.wattcad.plugins.' does not match"),
    ("license", "MIT-ish", "license: 'MIT-ish' is not one of"),
    ("type", "plugins", "type: 'plugins' is not one of"),
    ("description", "x" * 501, "description: 'xxx"),
    ("versions", [{"version": "0.1.0rc1", "status": "stable", "kicad_version": "9.0"}],
     "versions/0/version: '0.1.0rc1' does not match"),
    ("versions", [{"version": "0.1.0", "status": "stable"}], "versions/0: 'kicad_version' is a required property"),
    ("author", None, "(top level): 'author' is a required property"),
])
def test_broken_metadata_fails_kicads_schema(field, value, complaint):
    data = pcm.metadata()
    if value is None:
        del data[field]
    else:
        data[field] = value
    errors = pcm.schema_errors(data)
    assert any(e.startswith(complaint) for e in errors), errors


def test_a_version_kicad_would_refuse_is_named_before_zipping():
    with pytest.raises(InputError, match=r"__version__: KiCad's PCM takes only major\[.minor\[.patch\]\] digits "
                                         r"\(value: '0.2.0rc1'\)"):
        pcm.check_metadata(pcm.metadata(version="0.2.0rc1"))


def test_zip_holds_exactly_kicads_plugin_layout(pcm_zip):
    with zipfile.ZipFile(pcm_zip) as zf:
        names = set(zf.namelist())
        assert names == {"metadata.json", "plugins/__init__.py", "resources/icon.png",
                         *(f"plugins/icons/{m}{theme}.png" for m, _ in PLUGINS for theme in ("", "_dark")),
                         *(f"plugins/ipc/{name}" for name in pcm.ipc_plugin_files())}
        assert zf.read("plugins/__init__.py") == (pcm.PLUGINS_DIR / "pcm_init.py").read_bytes()
        assert Image.open(io.BytesIO(zf.read("resources/icon.png"))).size == (64, 64)
        for name in names:
            if name.startswith(("plugins/icons/", "plugins/ipc/icons/")):
                icon = Image.open(io.BytesIO(zf.read(name)))
                assert (icon.size, icon.mode) == ((24, 24), "RGBA"), name


def test_zip_is_the_same_bytes_when_built_twice(tmp_path):
    assert main(["plugin", "install", "--kicad-pcm", "--zip", str(tmp_path / "a.zip")]) == 0
    time.sleep(2.1)  # past a DOS timestamp's 2 s step: a zip stamped with the time would now differ
    b = pcm.build_pcm_zip(tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == b.read_bytes()


def test_cli_names_what_is_missing_or_wrong(tmp_path, capsys):
    assert main(["plugin", "install", "--kicad-pcm"]) == 2
    assert "--kicad-pcm: give the package file to write: --zip FILE.zip" in capsys.readouterr().err
    assert main(["plugin", "install", "--kicad-pcm", "--zip", str(tmp_path / "pkg.tar")]) == 2
    assert f"{tmp_path / 'pkg.tar'}: --zip: the KiCad PCM package must be a .zip file (value: 'pkg.tar')" \
        in capsys.readouterr().err
    assert not (tmp_path / "pkg.tar").exists()


# --- icons --------------------------------------------------------------------------------------

def test_icons_regenerate_to_the_committed_pixels():
    drawn = all_icons()
    assert sorted(drawn) == sorted(p.name for p in ICONS_DIR.glob("*.png")), "icons/ holds a file make_icons.py does not draw"
    for name, image in drawn.items():
        committed = Image.open(ICONS_DIR / name).convert("RGBA")
        assert committed.size == image.size, name
        assert committed.tobytes() == image.tobytes(), \
            f"{name} differs from make_icons.py's drawing: run python -m wattcad.kicad.plugins.make_icons"
    assert drawn["package.png"].size == (64, 64)
    assert all(drawn[f"{m}.png"].size == (24, 24) for m, _ in PLUGINS)


def test_icons_differ_from_each_other_and_between_themes():
    drawn = {name: image.tobytes() for name, image in all_icons().items()}
    assert len(set(drawn.values())) == len(drawn)


# --- KiCad's Python loads the package -----------------------------------------------------------

# pcbnew.LoadPlugins is what pcbnew runs at start-up (SCRIPTING_TOOL::callLoadPlugins) with
# ${KICAD9_3RD_PARTY}/plugins as its third argument. Headless pcbnew takes one real registration a
# process (test_plugin.py registers each plugin for real), so registration is recorded here.
LOAD = r"""
import json, sys, pcbnew
registered = []
pcbnew.ActionPlugin.register = lambda self: registered.append(
    {"name": self.GetName(), "icon": self.GetIconFileName(False), "dark_icon": self.GetIconFileName(True),
     "toolbar": self.GetShowToolbarButton()})
pcbnew.LoadPlugins(None, None, sys.argv[1])
found_in = getattr(sys.modules.get(%r), "found_in", None)
try:  # KiCad's Python may have no numpy of its own (Debian forky's KiCad 10 without recommends)
    import numpy
    numpy_file = numpy.__file__
except ImportError:
    numpy_file = None
print(json.dumps({"registered": registered, "found_in": found_in, "trace": pcbnew.GetWizardsBackTrace(),
                  "numpy": numpy_file}))
""" % PACKAGE_DIR


def load_in_kicads_python(third_party: Path, home: Path, **env) -> dict:
    home.mkdir(exist_ok=True)
    result = subprocess.run([SYSTEM_PYTHON, "-c", LOAD, str(third_party / "plugins")], capture_output=True, text=True,
                            timeout=120, cwd=home, env={"HOME": str(home), "PATH": "/usr/bin:/bin", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.kicad
def test_pcm_package_registers_the_plugins_with_wattcad_python(pcm_zip, tmp_path):
    plugin_dir = unpack_like_kicad(pcm_zip, tmp_path / "3rdparty")
    out = load_in_kicads_python(tmp_path / "3rdparty", tmp_path / "home", WATTCAD_PYTHON=sys.executable)
    assert out["trace"] == ""
    assert out["found_in"] == f"WATTCAD_PYTHON={sys.executable} ({sys.executable})"
    # wattcad's own numpy (2.x), not Debian's 1.24 that KiCad's Python also sees
    import numpy

    assert out["numpy"] == numpy.__file__
    assert sorted(p["name"] for p in out["registered"]) == NAMES
    for p in out["registered"]:
        for key in ("icon", "dark_icon"):
            assert Path(p[key]).parent == plugin_dir / "icons" and Path(p[key]).is_file(), p
        assert p["toolbar"] is True


@pytest.mark.kicad
def test_pcm_package_finds_a_pipx_style_wattcad_in_local_bin(pcm_zip, tmp_path):
    script = Path(sys.executable).parent / "wattcad"  # the venv's console script, as pipx links it
    if not script.is_file():
        pytest.skip(f"{script} not found: wattcad is not pip-installed in this environment")
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "wattcad").symlink_to(script)
    unpack_like_kicad(pcm_zip, tmp_path / "3rdparty")
    out = load_in_kicads_python(tmp_path / "3rdparty", home)  # PATH without it: only ~/.local/bin has it
    assert out["trace"] == ""
    assert out["found_in"].startswith(f"the shebang of {home}/.local/bin/wattcad")
    assert sorted(p["name"] for p in out["registered"]) == NAMES


def _stand_in_python(tmp_path: Path) -> Path:
    """An 'interpreter' that answers the locator's question as a Python 3.99 would (this machine has
    only 3.11): enough to reach the version check."""
    path = tmp_path / "python3.99"
    path.write_text('#!/bin/sh\necho \'{"version": [3, 99], "purelib": "/nonexistent", "platlib": "/nonexistent", '
                    '"wattcad": true}\'\n')
    path.chmod(0o755)
    return path


@pytest.mark.kicad
@pytest.mark.parametrize("case", ["nothing", "missing-file", "other-python-version", "python-without-wattcad"])
def test_pcm_package_without_a_usable_wattcad_says_how_to_install_it(pcm_zip, tmp_path, case):
    unpack_like_kicad(pcm_zip, tmp_path / "3rdparty")
    env, detail = {
        "nothing": ({}, None),
        "missing-file": ({"WATTCAD_PYTHON": str(tmp_path / "nope")}, f"WATTCAD_PYTHON={tmp_path / 'nope'}: "
                                                                      f"{tmp_path / 'nope'} is not an executable file"),
        "other-python-version": ({"WATTCAD_PYTHON": str(_stand_in_python(tmp_path))},
                                 f"is Python 3.99, but KiCad's Python is {KICAD_PYTHON}: wattcad's compiled dependencies would not load"),
        "python-without-wattcad": ({"WATTCAD_PYTHON": SYSTEM_PYTHON},
                                   f"WATTCAD_PYTHON={SYSTEM_PYTHON}: wattcad is not installed for {SYSTEM_PYTHON}"),
    }[case]
    out = load_in_kicads_python(tmp_path / "3rdparty", tmp_path / "home", PATH="", **env)
    assert out["registered"] == []
    # The traceback KiCad shows in its plugin errors dialog.
    assert (f"ImportError: wattcad is not installed: `pipx install wattcad` (Python {KICAD_PYTHON}) or set WATTCAD_PYTHON "
            "to the python of an environment where wattcad is installed") in out["trace"]
    if detail:
        assert detail in out["trace"]


def test_interpreter_is_read_from_each_console_script_form(tmp_path):
    from wattcad.kicad.plugins.pcm_init import interpreter_from_script

    forms = {
        "plain": ("#!/opt/venv/bin/python\nimport sys\n", "/opt/venv/bin/python"),
        # pip's form for a long path or one with spaces
        "sh": ("#!/bin/sh\n'''exec' \"/opt/my venv/bin/python\" \"$0\" \"$@\"\n' '''\n", "/opt/my venv/bin/python"),
        "env": ("#!/usr/bin/env python3\n", shutil.which("python3")),
        "binary": ("\x7fELF", None),
    }
    for name, (text, expected) in forms.items():
        (tmp_path / name).write_text(text)
        assert interpreter_from_script(tmp_path / name) == expected, name
    assert interpreter_from_script(tmp_path / "absent") is None


@pytest.mark.kicad
def test_plugin_install_loader_gives_the_plugins_their_icons(tmp_path):
    assert main(["plugin", "install", "--dest", str(tmp_path)]) == 0
    code = ("import json, sys, pcbnew; out = []; "
            "pcbnew.ActionPlugin.register = lambda self: out.append((self.GetName(), self.icon_file_name, "
            "self.dark_icon_file_name)); sys.path.insert(0, %r); import wattcad_plugins; print(json.dumps(out))") % str(tmp_path)
    result = subprocess.run([SYSTEM_PYTHON, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(name for name, _, _ in out) == NAMES
    for _name, icon, dark in out:
        assert Path(icon).parent == ICONS_DIR and Path(icon).is_file() and Path(dark).is_file()


# --- the real pcbnew GUI ------------------------------------------------------------------------

GUI_DEADLINE_S = 45
SCREEN = (1600, 1000)
# First start with no config shows "Welcome to KiCad 9.0" (settings migration); an empty global
# library table and the data collection / update prompts would ask too. A prepared config defeats them.
KICAD_COMMON = {"do_not_show_again": {"data_collection_prompt": True, "update_check_prompt": True,
                                      "env_var_overwrite_warning": True, "scaled_3d_models_warning": True,
                                      "zone_fill_warning": True},
                "meta": {"filename": "kicad_common.json", "version": 3}}


def seed_kicad_config(home: Path, major: int, api: bool = False) -> None:
    """KiCad MAJOR's user configuration as its first-run wizard would leave it (KiCad 10's wizard
    is modal: without this pcbnew waits behind it); API: KiCad's IPC API server on."""
    config = home / ".config" / "kicad" / f"{major}.0"
    config.mkdir(parents=True)
    common = dict(KICAD_COMMON, meta={"filename": "kicad_common.json", "version": 3 if major < 10 else 6})
    if api:
        common["api"] = {"enable_server": True, "interpreter_path": "/usr/bin/python3"}
    (config / "kicad_common.json").write_text(json.dumps(common))
    for table in ("sym-lib-table", "fp-lib-table") + (("design-block-lib-table",) if major >= 10 else ()):
        (config / table).write_text(f"({table.replace('-', '_')}\n  (version 7)\n)\n")


def find_icon(screen: np.ndarray, icon: Image.Image, tolerance: int = 2) -> tuple[int, int] | None:
    """Where `icon`'s opaque pixels appear unchanged in `screen` (H x W x 3); None if nowhere."""
    rgba = np.asarray(icon.convert("RGBA")).astype(int)
    mask = rgba[..., 3] == 255
    ys, xs = np.nonzero(mask)
    y0, x0 = ys[0], xs[0]
    first = rgba[y0, x0, :3]
    h, w = rgba.shape[:2]
    for sy, sx in zip(*np.nonzero(np.all(np.abs(screen - first) <= tolerance, axis=2))):
        oy, ox = sy - y0, sx - x0
        if oy < 0 or ox < 0 or oy + h > screen.shape[0] or ox + w > screen.shape[1]:
            continue
        if np.all(np.abs(screen[oy:oy + h, ox:ox + w][mask] - rgba[..., :3][mask]) <= tolerance):
            return int(ox), int(oy)
    return None


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:  # Xvfb writes the display number it took once it is ready
        number = fh.readline().strip()
    if not number:
        xvfb.kill()
        raise RuntimeError("Xvfb did not start")
    return xvfb, f":{number}"


def _stop(proc: subprocess.Popen, group: bool = False) -> None:
    """End `proc` (with `group`, its whole process group: pcbnew's children too); kill if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue


@pytest.mark.kicad
@pytest.mark.gui
def test_pcbnew_gui_shows_the_four_toolbar_buttons_of_the_pcm_package(pcm_zip, tmp_path, stock):
    """The package installed as the PCM would (into ${KICAD9_3RD_PARTY}/plugins/<id>/), the real
    /usr/bin/pcbnew on a board under Xvfb, and each plugin's icon found pixel for pixel in the top
    toolbar; then pcbnew without a way to find wattcad, where none of them may appear."""
    home, third_party = tmp_path / "home", tmp_path / "3rdparty"
    from wattcad.kicad.versions import installed_major

    major = installed_major()  # KiCad 9 or 10: each reads its own config folder and 3rd-party variable
    seed_kicad_config(home, major)
    unpack_like_kicad(pcm_zip, third_party)
    (tmp_path / "board").mkdir()
    board = board_with_footprints(tmp_path / "board" / "gui.kicad_pcb", [
        ("U1", "ADE7816", stock / "Package_DFN_QFN.pretty", "QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm")])
    icons = {m: (Image.open(ICONS_DIR / f"{m}.png"), Image.open(ICONS_DIR / f"{m}_dark.png")) for m, _ in PLUGINS}

    xvfb, display = _start_xvfb()
    try:
        def run_pcbnew(extra_env: dict, shot: Path, want_all: bool) -> dict:
            """Start pcbnew, screenshot until all icons show (or, want_all False, until its window
            has been up 5 s); returns plugin -> position (None: not shown)."""
            env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "DISPLAY": display, "LANG": "C.UTF-8",
                   f"KICAD{major}_3RD_PARTY": str(third_party), "NO_AT_BRIDGE": "1", **extra_env}
            proc = subprocess.Popen(["/usr/bin/pcbnew", str(board)], env=env, cwd=home, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                deadline, window_seen = time.monotonic() + GUI_DEADLINE_S, None
                found = {}
                while time.monotonic() < deadline:
                    assert proc.poll() is None, f"pcbnew exited early ({proc.returncode})"
                    windows = subprocess.run(["xdotool", "search", "--name", "PCB Editor"], env=env,
                                             capture_output=True, text=True, timeout=10).stdout.split()
                    if windows:
                        if window_seen is None:  # the whole screen: KiCad 10's top toolbar overflows a small window
                            subprocess.run(["xdotool", "windowmove", windows[0], "0", "0", "windowsize", windows[0],
                                            str(SCREEN[0]), str(SCREEN[1])], env=env, capture_output=True, timeout=10)
                        window_seen = window_seen or time.monotonic()
                        subprocess.run(["import", "-window", "root", str(shot)], env=env, check=True, timeout=20,
                                       capture_output=True)
                        toolbar = np.asarray(Image.open(shot).convert("RGB")).astype(int)[:120]
                        found = {m: find_icon(toolbar, light) or find_icon(toolbar, dark) for m, (light, dark) in icons.items()}
                        if want_all and all(found.values()):
                            return found
                        if not want_all and time.monotonic() - window_seen > 5:
                            return found
                    time.sleep(0.5)
                raise AssertionError(f"pcbnew: after {GUI_DEADLINE_S} s, window seen: {window_seen is not None}, "
                                     f"icons {found} (screenshot {shot})")
            finally:
                _stop(proc, group=True)

        found = run_pcbnew({"WATTCAD_PYTHON": sys.executable}, tmp_path / "with-wattcad.png", want_all=True)
        # All four on one row of the top toolbar, side by side in PLUGINS order, as KiCad adds them.
        xs = [found[m][0] for m, _ in PLUGINS]
        assert len({found[m][1] for m, _ in PLUGINS}) == 1 and xs == sorted(xs), found
        assert found[PLUGINS[0][0]][1] < 60, found  # the top toolbar, not a side one

        absent = run_pcbnew({}, tmp_path / "without-wattcad.png", want_all=False)
        assert not any(absent.values()), absent
    finally:
        _stop(xvfb)
