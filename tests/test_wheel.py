"""wattcad as a user installs it: a wheel in a fresh environment outside the checkout, building a
KiCad demo project and the ADE7816 sources with outputs identical to the checkout's."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

DEMOS = Path("/usr/share/kicad/demos")
# Files that record how long something took: the only outputs allowed to differ.
TIMED = ("renders/board-iso.json", "renders/board-top.json")


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".wattcad-cache" not in p.parts
            and not p.as_posix().endswith(TIMED)}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A wheel of this checkout in a new venv: wattcad from the wheel, its dependencies (CadQuery,
    SKiDL, pcbnew...) from the test environment, which is what a pip install would fetch."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = (root / "dist").glob("wattcad-*.whl")
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=120)
    python = root / "venv" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    ours = Path(sysconfig.get_paths()["purelib"])
    # Plain paths (not site dirs): the test venv's own .pth files, its editable wattcad among them, are not read.
    # pcbnew by the link the bootstrap made (its resolved folder would bring Debian's old numpy too).
    pcbnew_link = Path(__import__("pcbnew").__file__).parent
    (Path(site) / "wattcad-deps.pth").write_text(f"{ours}\n{pcbnew_link}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    from wattcad.render_job import find_blender

    env["WATTCAD_BLENDER"] = find_blender()[0]  # the wheel has no Blender environment beside it
    return root, wheel, root / "venv" / "bin", env


def _run(command: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)


@pytest.mark.kicad
def test_the_wheel_carries_the_data_and_runs_from_outside_the_checkout(installed, tmp_path):
    root, wheel, bin_dir, env = installed
    names = zipfile.ZipFile(wheel).namelist()
    for data in ("wattcad/footprints/specs/lfcsp-40-6x6.yaml", "wattcad/ade7816/data/board.yaml", "wattcad/enclosure/params.yaml",
                 "wattcad/ade7816/wattcad.yaml", "wattcad/ade7816/boards/wattcad-ade7816.kicad_pcb",
                 "wattcad/kicad/plugins/icons/route.png", "wattcad/blender/blender_manifest.toml"):
        assert data in names
    assert not [n for n in names if n.endswith(".bak")]
    where = _run([str(bin_dir / "python"), "-c", "import wattcad, wattcad.pipeline.engine as e, wattcad.ade7816.pipeline as a; "
                  "print(wattcad.__file__); print(e.SPECS[0]); print(a.EXAMPLE_DIR)"], tmp_path, env)
    assert where.returncode == 0, where.stderr
    assert all(str(root / "venv") in line for line in where.stdout.splitlines()), where.stdout
    # The package's own boards are not a place to build into: the example is copied out first.
    example_dir = where.stdout.splitlines()[-1]
    refused = _run([str(bin_dir / "wattcad"), "build", example_dir, "--out", str(tmp_path / "out")], tmp_path, env)
    assert refused.returncode == 2 and "wattcad example ade7816" in refused.stderr, refused.stderr


@pytest.mark.slow
@pytest.mark.kicad
@pytest.mark.blender
def test_the_wheel_builds_a_demo_project_as_the_checkout_does(installed, tmp_path):
    root, wheel, bin_dir, env = installed
    project = tmp_path / "StickHub"
    shutil.copytree(DEMOS / "stickhub", project)
    wheel_run = _run([str(bin_dir / "wattcad"), "build", str(project), "--out", str(tmp_path / "w")], tmp_path, env)
    checkout_run = _run([str(Path(sys.executable).parent / "wattcad"), "build", str(project), "--out", str(tmp_path / "c")],
                        tmp_path, env)
    assert wheel_run.returncode == checkout_run.returncode, wheel_run.stdout + wheel_run.stderr
    assert wheel_run.returncode in (0, 1), wheel_run.stderr
    made = _tree(tmp_path / "w")
    assert "StickHub/renders/board-iso.png" in made and "StickHub/enclosure/base.step" in made
    assert made == _tree(tmp_path / "c")


@pytest.mark.slow
@pytest.mark.kicad
def test_the_wheel_builds_the_ade7816_example_as_the_checkout_does(installed, tmp_path):
    root, wheel, bin_dir, env = installed
    example = tmp_path / "monitor"
    copied = _run([str(bin_dir / "wattcad"), "example", "ade7816", str(example)], tmp_path, env)
    assert copied.returncode == 0, copied.stderr
    assert sorted(p.name for p in (example / "boards").iterdir()) == sorted(
        p.name for p in (REPO / "examples" / "ade7816" / "boards").iterdir() if p.suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"))
    args = ["build", str(example), "--no-render"]
    wheel_run = _run([str(bin_dir / "wattcad"), *args, "--out", str(tmp_path / "w")], tmp_path, env)
    assert wheel_run.returncode == 0, wheel_run.stdout[-3000:] + wheel_run.stderr
    checkout_run = _run([str(Path(sys.executable).parent / "wattcad"), *args, "--out", str(tmp_path / "c")], tmp_path, env)
    assert checkout_run.returncode == 0, checkout_run.stderr
    made = _tree(tmp_path / "w")
    assert {"wattcad-ade7816/fab/wattcad-ade7816-gerbers.zip", "wattcad-ade7816/enclosure/enclosure.FCStd",
            "prints/board-footprints-1to1.pdf", "wattcad-ade7816-round/wattcad-check.xml"} <= set(made)
    theirs = _tree(tmp_path / "c")
    assert sorted(k for k in made.keys() | theirs.keys() if made.get(k) != theirs.get(k)) == []
