"""Host markers: a test needing KiCad skips with a visible reason on a machine without it, and
fails in CI (CI=true), where a missing host is an install bug, never a reason to skip."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
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


def pytest_runtest_setup(item):
    if "kicad" not in item.keywords:
        return
    missing = _kicad_missing()
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the KiCad 9 host is missing: {missing}", pytrace=False)
    pytest.skip(f"KiCad 9 host missing: {missing}")


@pytest.fixture
def stock():
    return STOCK
