"""Enclosure parameters: defaults in enclosure/params.yaml, overridden by a user's file; every
value checked, and impossible combinations refused with the parameter's name. Pure."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from wattcad.errors import InputError
from wattcad.fileio import read_yaml_mapping

DEFAULTS = Path(__file__).resolve().parent / "params.yaml"


@dataclass(frozen=True)
class EnclosureParams:
    wall_mm: float
    floor_mm: float
    lid_mm: float
    clearance_mm: float
    standoff_height_mm: float
    standoff_diameter_mm: float
    screw_pilot_mm: float
    screw_clearance_mm: float
    headroom_mm: float
    lid_lip_mm: float
    lid_lip_wall_mm: float
    ear_diameter_mm: float
    cutout_margin_mm: float
    vents: bool
    din_rail: bool
    inner_height_mm: float | None
    source: str = ""


def load_params(path: str | Path | None = None, overrides: dict | None = None, where: str = "") -> EnclosureParams:
    """The defaults, overridden by the YAML file at PATH and then by OVERRIDES (a project's
    wattcad.yaml `enclosure:`; WHERE names it in errors)."""
    data = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))
    overrides_where = where or "enclosure overrides"
    where = DEFAULTS
    for user, source in ((read_yaml_mapping(path, "enclosure parameters") if path is not None else None, path),
                         (overrides, overrides_where)):
        if user is None:
            continue
        where = source
        unknown = sorted(set(user) - set(data))
        if unknown:
            raise InputError(where, unknown[0], "unknown parameter", user[unknown[0]])
        data.update(user)
    values = {}
    for f in fields(EnclosureParams):
        if f.name == "source":
            continue
        v = data.get(f.name)
        if f.name in ("vents", "din_rail"):
            if not isinstance(v, bool):
                raise InputError(where, f.name, "must be true or false", v)
        elif f.name == "inner_height_mm" and v is None:
            pass
        elif isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise InputError(where, f.name, "must be a number of millimetres >= 0", v)
        values[f.name] = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    p = EnclosureParams(**values, source=str(where))
    for name in ("wall_mm", "floor_mm", "lid_mm", "standoff_diameter_mm", "ear_diameter_mm"):
        if getattr(p, name) <= 0:
            raise InputError(where, name, "must be greater than 0", getattr(p, name))
    if p.screw_pilot_mm >= p.standoff_diameter_mm:
        raise InputError(where, "screw_pilot_mm", f"leaves no standoff wall (standoff {p.standoff_diameter_mm} mm)", p.screw_pilot_mm)
    if p.screw_clearance_mm >= p.ear_diameter_mm:
        raise InputError(where, "screw_clearance_mm", f"is wider than the ear ({p.ear_diameter_mm} mm)", p.screw_clearance_mm)
    if p.wall_mm > 10 * max(p.clearance_mm, 0.5):
        raise InputError(where, "wall_mm", f"{p.wall_mm} mm is thicker than the space it encloses allows "
                         f"(clearance {p.clearance_mm} mm)", p.wall_mm)
    return p
