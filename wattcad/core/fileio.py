"""Atomic writes: a reader never sees a half-written file, a failed write leaves nothing behind."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _mode_for(path: Path) -> int:
    """A replaced file keeps its permissions; a new one gets what open() would give it (mkstemp's
    own 0600 would leave every output private, and a user's board would lose its mode)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _mode_for(path))
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return path


def mirror_folder(source: Path, scratch: Path, copy_file=lambda path: True, leave_out: Path | None = None) -> None:
    """SOURCE's files copied into SCRATCH (those COPY_FILE accepts), its folders linked: a copy of a
    KiCad project that reads like the original (sheets, libraries, ${KIPRJMOD} paths) and can be
    changed without touching it. LEAVE_OUT: a folder not linked (a build inside the project)."""
    import shutil

    for item in sorted(Path(source).iterdir()):
        if item.is_file():
            if copy_file(item):
                shutil.copy2(item, Path(scratch) / item.name)
        elif item.is_dir():
            target = item.resolve()
            if leave_out is not None and (target.is_relative_to(leave_out) or Path(leave_out).is_relative_to(target)):
                continue
            (Path(scratch) / item.name).symlink_to(target, target_is_directory=True)


def read_yaml_mapping(path: str | os.PathLike, what: str) -> dict:
    """A YAML file that must hold a mapping; any failure is an InputError naming the file."""
    import yaml

    from wattcad.core.errors import InputError

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, None, f"{what} file not found") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(path, None, f"cannot read {what}: not valid YAML or unreadable ({exc})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(path, None, f"{what} must be a YAML mapping", type(data).__name__)
    return data
