"""Check every no-lead (QFN/DFN/LFCSP/SON) footprint of a KiCad library against its own name, or
(`every_footprint`) every footprint of it against the general rules and its name."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .names import is_no_lead_name
from .verify import Report, _verify_file

DEFAULT_LIBDIR = Path("/usr/share/kicad/footprints")


def no_lead_files(libdir: Path) -> list[Path]:
    return sorted(p for p in libdir.glob("*.pretty/*.kicad_mod") if is_no_lead_name(p.stem))


def _check(path: Path) -> Report:
    return _verify_file(path, None)


def all_files(libdir: Path) -> list[Path]:
    return sorted(libdir.glob("*.pretty/*.kicad_mod"))


def sweep(libdir: str | Path = DEFAULT_LIBDIR, jobs: int | None = None, every_footprint: bool = False) -> list[Report]:
    files = all_files(Path(libdir)) if every_footprint else no_lead_files(Path(libdir))
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if jobs <= 1 or len(files) < 64:
        return [_check(f) for f in files]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_check, files, chunksize=32))
