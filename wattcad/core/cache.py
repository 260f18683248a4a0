"""Content-hash caching for the build: a step is skipped when the hash of everything it reads (data
files, the board, wattcad's own code, its options) equals the one recorded when it last ran and
every file it made is still there. Records live in build/.wattcad-cache/<step>.json, beside the
result the step reported (status and one line), so a skipped step still shows in the summary.
No host application here."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.fileio import write_atomic

CACHE_DIR = ".wattcad-cache"


def _hash_file(h, path: Path) -> None:
    h.update(path.name.encode() + b"\0")
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)


def content_hash(inputs: list[Path | str], extra: dict | None = None) -> str:
    """sha256 over the inputs: files by content, folders by every file under them (sorted, by
    relative path), anything else (options) as JSON. A missing input hashes as missing."""
    h = hashlib.sha256()
    for item in inputs:
        path = Path(item)
        h.update(b"\1" + str(item).encode())
        if path.is_file():
            _hash_file(h, path)
        elif path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                h.update(str(f.relative_to(path)).encode())
                _hash_file(h, f)
        else:
            h.update(b"<missing>")
    h.update(json.dumps(extra or {}, sort_keys=True, default=str).encode())
    return h.hexdigest()


@dataclass
class StepRecord:
    step: str
    key: str
    outputs: list[str] = field(default_factory=list)  # relative to the build folder
    status: str = "pass"  # pass | fail | made
    detail: str = ""
    seconds: float = 0.0
    cached: bool = False  # set when this run found the step up to date


class BuildCache:
    def __init__(self, build_dir: Path, enabled: bool = True):
        self.build_dir = Path(build_dir)
        self.dir = self.build_dir / CACHE_DIR
        self.enabled = enabled

    def _path(self, step: str) -> Path:
        return self.dir / f"{step}.json"

    def load(self, step: str) -> StepRecord | None:
        try:
            return StepRecord(**json.loads(self._path(step).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def fresh(self, step: str, key: str) -> StepRecord | None:
        """The record of `step` when its inputs are unchanged and its outputs are all there."""
        if not self.enabled:
            return None
        record = self.load(step)
        if record is None or record.key != key:
            return None
        if not all((self.build_dir / o).exists() for o in record.outputs):
            return None
        return record

    def save(self, record: StepRecord) -> None:
        write_atomic(self._path(record.step), json.dumps(record.__dict__, indent=1, sort_keys=True) + "\n")

    def forget(self, step: str) -> None:
        self._path(step).unlink(missing_ok=True)
