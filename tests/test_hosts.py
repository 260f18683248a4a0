"""The last-resort finder for KiCad's pcbnew in an isolated environment."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import wattcad.core.hosts as hosts
from tests.conftest import REPO


@pytest.mark.kicad
def test_pcbnew_imports_from_a_venv_that_cannot_see_debians_packages(tmp_path):
    """A plain venv (no system site-packages) with only wattcad on its path imports KiCad's pcbnew,
    and not Debian's numpy with it."""
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(tmp_path / "v")], check=True, timeout=120)
    code = ("import sys; sys.path.append(%r); import wattcad, pcbnew; "
            "print(pcbnew.__file__); print(any('dist-packages' in p for p in sys.path))") % str(REPO)
    result = subprocess.run([str(tmp_path / "v" / "bin" / "python"), "-c", code], capture_output=True, text=True,
                            timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")})
    assert result.returncode == 0, result.stderr
    found, dist_on_path = result.stdout.split()
    assert found.endswith("pcbnew.py") and dist_on_path == "False"


def test_the_finder_keeps_out_of_a_python_the_system_module_was_not_built_for(tmp_path, monkeypatch):
    other = tmp_path / "python3.99"
    other.write_text("")
    link = tmp_path / "python3"
    link.symlink_to(other)
    monkeypatch.setattr(hosts, "SYSTEM_PYTHON", str(link))
    monkeypatch.delenv("WATTCAD_PCBNEW_DIR", raising=False)
    assert not hosts.system_python_is_this_one()
    assert hosts.KicadModuleFinder().find_spec("pcbnew") is None
    monkeypatch.setattr(hosts, "SYSTEM_PYTHON", os.path.realpath(sys.executable))
    assert hosts.system_python_is_this_one()
