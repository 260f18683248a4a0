"""The documented commands, run as a user runs them."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wattcad.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_help_works_without_kicad_on_the_path(tmp_path):
    # A Python that cannot import pcbnew: the venv's python with an empty sys.path addition is not
    # enough (pcbnew is linked in), so block it explicitly.
    code = "import sys; sys.modules['pcbnew'] = None; from wattcad.cli import main; main(['--help'])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0
    for sub in ("build", "footprint", "plugin"):
        assert sub in result.stdout
    result = subprocess.run([sys.executable, "-c", code.replace("['--help']", "['footprint', 'verify', '--help']")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "--package" in result.stdout


@pytest.mark.kicad
def test_generate_command_and_bad_spec_exit_codes(tmp_path, capsys):
    assert main(["footprint", "generate", "ade7816", "--thermal-vias", "--density", "most", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "wattcad.pretty/LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm_ThermalVias_Most.kicad_mod").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nkind: no_lead\nsource: s\ndimensions: {pins_x: 4}\n")
    assert main(["footprint", "generate", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "dimensions.pins_y" in err
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "wattcad", "--version"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0 and result.stdout.startswith("wattcad ")
