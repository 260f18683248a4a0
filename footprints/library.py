"""Find footprints by path, by `Library:Name` in the installed KiCad library, or by package spec."""
from __future__ import annotations

import os
from pathlib import Path

from wattcad.core.errors import InputError

from .generate import generate
from .model import Footprint, read_kicad_mod
from .spec import PackageSpec, builtin_specs, find_spec, spec_for_part


def stock_footprint_dir() -> Path:
    return Path(os.environ.get("KICAD9_FOOTPRINT_DIR", "/usr/share/kicad/footprints"))


def stock_footprint_path(lib_and_name: str) -> Path:
    lib, _, name = lib_and_name.partition(":")
    return stock_footprint_dir() / f"{lib}.pretty" / f"{name}.kicad_mod"


def footprint_for_spec(spec: PackageSpec) -> Footprint:
    """The footprint the project uses for a package: generated, or the stock one it names."""
    if spec.footprint in ("", "generated"):
        return generate(spec)
    path = stock_footprint_path(spec.footprint)
    if not path.exists():
        raise InputError(spec.path, "footprint", f"stock footprint not found at {path}", spec.footprint)
    return read_kicad_mod(path)


def resolve(ref: str) -> tuple[Footprint, PackageSpec | None]:
    path = Path(ref)
    if path.suffix == ".kicad_mod" or path.exists():
        fp = read_kicad_mod(path)
        return fp, spec_for_part("", fp.name)
    if ":" in ref:
        fp = read_kicad_mod(stock_footprint_path(ref)) if stock_footprint_path(ref).exists() else None
        if fp is None:
            raise InputError(None, "footprint", f"not found in the KiCad library at {stock_footprint_dir()}", ref)
        return fp, spec_for_part("", fp.name)
    spec = find_spec(ref)
    return footprint_for_spec(spec), spec


def board_part_specs() -> list[PackageSpec]:
    """The packages the ADE7816 board uses: every built-in spec."""
    return list(builtin_specs())
