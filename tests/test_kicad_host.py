"""Generated footprints loaded by the real KiCad 9: pcbnew and kicad-cli."""
import subprocess

import pytest

from wattcad.footprints.generate import write_library
from wattcad.footprints.model import read_kicad_mod
from wattcad.footprints.spec import builtin_specs

pytestmark = pytest.mark.kicad


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    out = tmp_path_factory.mktemp("lib")
    write_library(list(builtin_specs()), out)
    return out / "wattcad.pretty"


def test_pcbnew_loads_every_generated_footprint_with_our_geometry(library):
    import pcbnew

    for path in sorted(library.glob("*.kicad_mod")):
        ours = read_kicad_mod(path)
        fp = pcbnew.FootprintLoad(str(library), path.stem)
        assert fp is not None, path.name
        loaded = sorted((p.GetNumber(), round(pcbnew.ToMM(p.GetPosition().x), 6), round(pcbnew.ToMM(p.GetPosition().y), 6),
                         round(pcbnew.ToMM(p.GetSize().x), 6), round(pcbnew.ToMM(p.GetSize().y), 6)) for p in fp.Pads())
        expected = sorted((p.number, round(p.x_mm, 6), round(p.y_mm, 6), round(p.w_mm, 6), round(p.h_mm, 6)) for p in ours.pads)
        assert loaded == expected, path.name
        assert fp.GetValue() == path.stem


def test_kicad_cli_reads_the_library_without_complaint(library, tmp_path):
    result = subprocess.run(["kicad-cli", "fp", "export", "svg", str(library), "-o", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()
    svgs = sorted(p.stem for p in tmp_path.glob("*.svg"))
    assert svgs == sorted(p.stem for p in library.glob("*.kicad_mod"))
    # kicad-cli upgrades files written in an older format; ours are current, so nothing to do.
    up = subprocess.run(["kicad-cli", "fp", "upgrade", str(library), "-o", str(tmp_path / "up.pretty")],
                        capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr
