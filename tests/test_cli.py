"""The documented commands, run as a user runs them."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wattcad.cli import main
from wattcad.footprints.spec import builtin_specs

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
def test_build_is_the_main_job_and_reproducible(tmp_path, capsys):
    out = tmp_path / "build"
    boards = tmp_path / "boards"  # never the repository's own boards
    args = ["build", "--out", str(out), "--boards-dir", str(boards), "--no-render", "--no-freecad"]
    assert main(args) == 0
    assert sorted(p.name for p in boards.glob("*.kicad_pcb")) == ["wattcad-ade7816-round.kicad_pcb", "wattcad-ade7816.kicad_pcb"]
    assert (out / "footprints/fp-lib-table").read_text().count("wattcad.pretty") == 1
    assert len(list((out / "footprints/wattcad.pretty").glob("*.kicad_mod"))) == 4
    report = json.loads((out / "reports/footprints.json").read_text())
    specs = builtin_specs()
    assert len(report["reports"]) == len(specs) >= 12 and all(r["status"] == "pass" for r in report["reports"])
    assert (out / "prints/board-footprints-1to1.pdf").read_bytes().startswith(b"%PDF")
    assert f"{len(specs)} packages verified, 0 failing" in capsys.readouterr().out

    def products():  # the cache's own records carry timings; everything else must not change
        return {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".wattcad-cache" not in p.parts}

    first = products()
    assert main(args + ["--force"]) == 0  # every step run again
    again = products()
    changed = sorted(p for p in first if again.get(p) != first[p])
    # kicad-cli's raytraced board pictures: byte for byte alike almost always, but once in CI the iso
    # view came out different (its render threads); those two are held to the same pixels, nearly.
    rendered = [p for p in changed if p.name.endswith(("-board-top.png", "-board-iso.png"))]
    assert [str(p.relative_to(out)) for p in changed if p not in rendered] == []  # reproducible, byte for byte
    for png in rendered:
        assert _pixels_differing(first[png], again[png]) < 0.005, png.name  # the board itself is compared byte for byte


def _pixels_differing(a: bytes, b: bytes) -> float:
    """The share of pixels that differ between two PNGs of one size."""
    import io

    from PIL import Image, ImageChops

    one, two = (Image.open(io.BytesIO(x)).convert("RGB") for x in (a, b))
    assert one.size == two.size
    diff = ImageChops.difference(one, two).convert("L").point(lambda v: 255 if v else 0)
    return diff.histogram()[255] / (one.width * one.height)


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
