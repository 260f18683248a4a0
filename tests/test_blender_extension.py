"""The Blender add-on as a Blender 4.2+ extension: the zip `wattcad plugin install --blender --zip`
writes passes Blender's own validator (blender_ext.py, shipped with bpy) and installs through
Blender's own "Install from Disk" operator into a throwaway user repository; the same package
still loads as a legacy add-on. Versions: manifest == bl_info == wattcad.__version__."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from wattcad import __version__
from wattcad.blender_addon import ADDON_NAME, MANIFEST, package_dir
from wattcad.cli import main
from wattcad.core.reproducible import zip_bytes

PKG = package_dir()


def _manifest() -> dict:
    return tomllib.loads((PKG / MANIFEST).read_text(encoding="utf-8"))


def _bl_info() -> dict:
    tree = ast.parse((PKG / "__init__.py").read_text(encoding="utf-8"))
    return next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                and any(getattr(t, "id", "") == "bl_info" for t in n.targets))


def _build(path: Path) -> Path:
    assert main(["plugin", "install", "--blender", "--zip", str(path)]) == 0
    return path


# --- no Blender needed ---------------------------------------------------------------------------

def test_one_version_in_manifest_bl_info_and_wattcad():
    """Blender 4.2+ reads the manifest, older Blender reads bl_info: both must name this release."""
    m = _manifest()
    assert m["version"] == __version__
    assert _bl_info()["version"] == tuple(int(x) for x in m["version"].split("."))
    assert _bl_info()["blender"] == tuple(int(x) for x in m["blender_version_min"].split("."))
    assert m["id"] == ADDON_NAME and m["type"] == "add-on"


def test_extension_zip_is_reproducible_with_one_package_folder(tmp_path):
    a, b = _build(tmp_path / "a.zip"), _build(tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()
    names = zipfile.ZipFile(a).namelist()
    assert f"{ADDON_NAME}/{MANIFEST}" in names and f"{ADDON_NAME}/__init__.py" in names
    # Every entry is in the one folder Blender strips on install; nothing else (no __pycache__).
    assert all(n.startswith(f"{ADDON_NAME}/") and n.count("/") == 1 for n in names)
    # The package's modules, the core's BoardModel contract copied in as boardmodel.py, the manifest.
    assert sorted(n.split("/")[1] for n in names) == sorted([*(p.name for p in PKG.glob("*.py")), "boardmodel.py", MANIFEST])


def test_package_follows_extension_import_rules():
    """An extension loads as bl_ext.<repo>.wattcad_blender: an absolute import of its own name or of
    wattcad (absent inside Blender) fails there, and sys.path edits are forbidden."""
    for py in sorted(PKG.glob("*.py")):
        tree = ast.parse(py.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] not in {"wattcad", ADDON_NAME}, f"{py.name}:{node.lineno}"
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & {"wattcad", ADDON_NAME}, f"{py.name}:{node.lineno}"
            if isinstance(node, ast.Attribute) and node.attr == "path":
                assert getattr(node.value, "id", "") != "sys", f"{py.name}:{node.lineno}: sys.path"


# --- Blender's own validator and installer -------------------------------------------------------

def _blender_python() -> str:
    from wattcad.render_job import find_blender

    cmd = find_blender()
    if cmd[1:] != ["-c"]:
        pytest.fail(f"these tests drive Blender as a Python module (bpy); found {cmd[0]}", pytrace=False)
    return cmd[0]


@pytest.fixture(scope="module")
def blender_ext():
    """Blender's extension tool (what `blender --command extension validate` runs) and its tag
    list, found in the bpy wheel without importing bpy."""
    py = _blender_python()
    bpy_dir = Path(subprocess.run([py, "-c", "import importlib.util as u; print(u.find_spec('bpy').submodule_search_locations[0])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    tool = next(bpy_dir.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    tags = tool.parents[3] / "modules" / "_bpy_internal" / "extensions" / "tags.py"
    assert tags.is_file()
    return py, tool, tags


def _validate(blender_ext, target: Path) -> subprocess.CompletedProcess:
    py, tool, tags = blender_ext
    return subprocess.run([py, str(tool), "validate", "--valid-tags", str(tags), str(target)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.blender
def test_blender_validator_accepts_the_zip_and_the_source_folder(blender_ext, tmp_path):
    for target in (_build(tmp_path / "ext.zip"), PKG):
        proc = _validate(blender_ext, target)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Success parsing TOML" in proc.stdout


BROKEN = {
    "version not semantic": ('version = "0.1.0"', 'version = "0.1"', "version"),
    "maintainer missing": ('maintainer = "wattcad"\n', "", "maintainer"),
    "tagline ends in a period": ("parts\"", "parts.\"", "tagline"),
    "tag not in Blender's list": ('tags = ["Import-Export"]', 'tags = ["KiCad"]', "KiCad"),
}


@pytest.mark.blender
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_blender_validator_rejects_a_broken_manifest(blender_ext, tmp_path, case):
    """The validator is a real check: each edit of a tmp copy fails it, naming the field."""
    old, new, named = BROKEN[case]
    with zipfile.ZipFile(_build(tmp_path / "ext.zip")) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    key = f"{ADDON_NAME}/{MANIFEST}"
    text = entries[key].decode()
    assert old in text
    entries[key] = text.replace(old, new, 1).encode()
    (tmp_path / "broken.zip").write_bytes(zip_bytes(entries))
    proc = _validate(blender_ext, tmp_path / "broken.zip")
    assert proc.returncode != 0 and named in proc.stdout + proc.stderr, proc.stdout + proc.stderr


INSTALL = r"""
import json, os, sys
mode, src = sys.argv[1], sys.argv[2]
import bpy, addon_utils
op = "wattcad_kicad"
# dir(), not hasattr: bpy.ops hands out a wrapper for any name, registered or not.
before = op in dir(bpy.ops.import_scene)
if mode == "extension":
    # Preferences > Get Extensions > Install from Disk.
    result = sorted(bpy.ops.extensions.package_install_files(filepath=src, repo="user_default", enable_on_install=True))
else:
    result = [str(addon_utils.enable("wattcad_blender", default_set=True) is not None)]
mods = {n: getattr(m, "__file__", "") for n, m in sys.modules.items() if n.endswith("wattcad_blender.addon")}
print("RESULT" + json.dumps({"before": before, "after": op in dir(bpy.ops.import_scene), "result": result,
                             "label": bpy.ops.import_scene.wattcad_kicad.get_rna_type().name if op in dir(bpy.ops.import_scene) else "",
                             "enabled": sorted(k for k in bpy.context.preferences.addons.keys() if "wattcad" in k),
                             "modules": mods}))
"""


def _run_blender(tmp_path: Path, mode: str, src: Path) -> dict:
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home)}
    # Every user folder Blender reads or writes, in tmp: the real ~/.config/blender is never touched.
    for var, sub in (("BLENDER_USER_RESOURCES", "res"), ("BLENDER_USER_CONFIG", "res/config"),
                     ("BLENDER_USER_SCRIPTS", "res/scripts"), ("BLENDER_USER_DATAFILES", "res/datafiles"),
                     ("BLENDER_USER_EXTENSIONS", "res/extensions")):
        env[var] = str(home / sub)
    script = tmp_path / "install.py"
    script.write_text(INSTALL)
    proc = subprocess.run([_blender_python(), str(script), mode, str(src)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line, proc.stdout + proc.stderr
    return json.loads(line[len("RESULT"):])


@pytest.mark.blender
def test_real_blender_installs_the_extension_zip(tmp_path):
    got = _run_blender(tmp_path, "extension", _build(tmp_path / "ext.zip"))
    assert got["result"] == ["FINISHED"]
    assert not got["before"] and got["after"] and got["label"] == "Import KiCad board"
    # Loaded as an extension (bl_ext.<repo>.<id>), from the tmp user repository, its relative imports resolved.
    assert got["enabled"] == [f"bl_ext.user_default.{ADDON_NAME}"]
    (name, path), = got["modules"].items()
    assert name == f"bl_ext.user_default.{ADDON_NAME}.addon"
    assert Path(path).is_relative_to(tmp_path / "home" / "res" / "extensions" / "user_default" / ADDON_NAME)


@pytest.mark.blender
def test_real_blender_still_enables_the_legacy_install(tmp_path):
    """`--blender` without --zip copies the folder (manifest included) into an add-ons folder."""
    addons = tmp_path / "home" / "res" / "scripts" / "addons"
    assert main(["plugin", "install", "--blender", "--dest", str(addons)]) == 0
    assert (addons / ADDON_NAME / MANIFEST).is_file()
    got = _run_blender(tmp_path, "legacy", addons)
    assert got["result"] == ["True"] and not got["before"] and got["after"]
    assert got["enabled"] == [ADDON_NAME] and list(got["modules"]) == [f"{ADDON_NAME}.addon"]
