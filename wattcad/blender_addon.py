"""Install the Blender add-on (File › Import › KiCad board): the package `wattcad_blender`, copied
into Blender's add-on folder (a legacy add-on), or zipped as a Blender 4.2+ extension for
Preferences › Get Extensions › Install from Disk."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ADDON_NAME = "wattcad_blender"
MANIFEST = "blender_manifest.toml"
DEFAULT_ADDON_DIR = Path.home() / ".config" / "blender" / "5.0" / "scripts" / "addons"


def package_dir() -> Path:
    import wattcad.blender as pkg

    return Path(pkg.__file__).resolve().parent


def _package_files() -> list[tuple[str, Path]]:
    """(name in the add-on, file): its modules, the core's BoardModel contract as its boardmodel.py
    (the add-on travels into a Blender without wattcad), and the manifest (harmless to a legacy
    add-on, required by an extension)."""
    from wattcad.core.boardmodel import CONTRACT_FILE

    src = package_dir()
    files = [(f.name, f) for f in src.glob("*.py")] + [("boardmodel.py", CONTRACT_FILE), (MANIFEST, src / MANIFEST)]
    return sorted(files)


def install_blender_addon(dest: Path | None = None) -> Path:
    """Copy the add-on into `dest`/wattcad_blender, replacing an older copy in one step."""
    dest = Path(dest or DEFAULT_ADDON_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / ADDON_NAME
    work = Path(tempfile.mkdtemp(prefix=f".{ADDON_NAME}.", dir=dest))
    for name, f in _package_files():
        shutil.copy2(f, work / name)
    if target.exists():
        shutil.rmtree(target)
    os.replace(work, target)
    return target


def extension_zip_bytes() -> bytes:
    """The extension archive: the manifest and the modules under one `wattcad_blender/` folder.
    Blender's installer and `extension validate` accept one top folder holding the manifest
    (blender_ext.pkg_zipfile_detect_subdir_or_none), and that folder keeps the same zip a valid
    legacy add-on for Blender < 4.2, which reads bl_info and ignores the manifest. Fixed dates and
    sorted names (zip_bytes): the same code zips to the same bytes."""
    from wattcad.core.reproducible import zip_bytes

    return zip_bytes({f"{ADDON_NAME}/{name}": f.read_bytes() for name, f in _package_files()})


def zip_blender_addon(out: Path) -> Path:
    """Write the extension zip (Install from Disk) to `out`, atomically."""
    from wattcad.core.fileio import write_atomic

    return write_atomic(out, extension_zip_bytes())
