"""Install the Blender add-on (File › Import › KiCad board): the package `wattcad_blender`, copied
into Blender's add-on folder, or zipped for Preferences › Add-ons › Install from Disk."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ADDON_NAME = "wattcad_blender"
DEFAULT_ADDON_DIR = Path.home() / ".config" / "blender" / "5.0" / "scripts" / "addons"


def _package_files() -> list[Path]:
    import wattcad.blender as pkg

    return sorted(Path(pkg.__file__).resolve().parent.glob("*.py"))


def install_blender_addon(dest: Path | None = None) -> Path:
    """Copy the add-on into `dest`/wattcad_blender, replacing an older copy in one step."""
    dest = Path(dest or DEFAULT_ADDON_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / ADDON_NAME
    work = Path(tempfile.mkdtemp(prefix=f".{ADDON_NAME}.", dir=dest))
    for f in _package_files():
        shutil.copy2(f, work / f.name)
    if target.exists():
        shutil.rmtree(target)
    os.replace(work, target)
    return target


def zip_blender_addon(out: Path) -> Path:
    """A zip Blender installs from disk; fixed timestamps so the same code zips to the same bytes."""
    from wattcad.fileio import write_atomic
    from wattcad.reproducible import zip_bytes

    return write_atomic(out, zip_bytes({f"{ADDON_NAME}/{f.name}": f.read_bytes() for f in _package_files()}))
