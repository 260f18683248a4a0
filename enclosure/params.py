"""Enclosure parameters: declared once below (unit, limits, doc), defaults in enclosure/params.yaml,
overridden by a user's file; every value checked, and impossible combinations refused with the
parameter's name. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wattcad.core.errors import InputError
from wattcad.core.fileio import read_yaml_mapping
from wattcad.core.param_schema import Param, check, param_field, schema_of, with_defaults

DEFAULTS = Path(__file__).resolve().parent / "params.yaml"


def _mm(doc: str, positive: bool = False, nullable: bool = False):
    return param_field("number", "mm", doc, nullable=nullable, **({"gt": 0} if positive else {"ge": 0}))


@dataclass(frozen=True)
class EnclosureParams:
    wall_mm: float = _mm("side wall thickness", positive=True)
    floor_mm: float = _mm("base floor thickness", positive=True)
    lid_mm: float = _mm("lid plate thickness", positive=True)
    clearance_mm: float = _mm("gap from the board's edge to the inner wall")
    standoff_height_mm: float = _mm("floor to the board's underside (room for through-hole leads)")
    standoff_diameter_mm: float = _mm("standoff outer diameter", positive=True)
    screw_pilot_mm: float = _mm("pilot hole for the M3 self-tapping screws, in standoffs and ears; "
                                "less than standoff_diameter_mm")
    screw_clearance_mm: float = _mm("hole for the M3 screws through the lid's ears; less than ear_diameter_mm")
    headroom_mm: float = _mm("above the tallest part, under the lid")
    lid_lip_mm: float = _mm("depth of the lid's locating lip down inside the walls (0: no lip)")
    lid_lip_wall_mm: float = _mm("thickness of the lid's lip")
    ear_diameter_mm: float = _mm("screw ears outside the wall, on the base and the lid", positive=True)
    cutout_margin_mm: float = _mm("cut-outs this much larger than the connector's face all round")
    vents: bool = param_field("bool", doc="slots over the middle of the lid")
    din_rail: bool = param_field("bool", doc="a 35 mm DIN-rail channel under the base")
    inner_height_mm: float | None = _mm("fix the inner height instead of deriving it (a lid too low is caught "
                                        "by the fit check); null: derived from the tallest part", nullable=True)
    source: str = ""  # the file the last values came from


def enclosure_schema() -> tuple[Param, ...]:
    """Every enclosure parameter, its default from params.yaml."""
    return with_defaults(schema_of(EnclosureParams), read_yaml_mapping(DEFAULTS, "enclosure defaults"), DEFAULTS)


def load_params(path: str | Path | None = None, overrides: dict | None = None, where: str = "") -> EnclosureParams:
    """The defaults, overridden by the YAML file at PATH and then by OVERRIDES (a project's
    wattcad.yaml `enclosure:`; WHERE names it in errors)."""
    schema = enclosure_schema()
    overrides_where = where or "enclosure overrides"
    values, where, data = {p.name: p.default for p in schema}, DEFAULTS, {}
    for user, source in ((read_yaml_mapping(path, "enclosure parameters") if path is not None else None, path),
                         (overrides, overrides_where)):
        if user is not None:
            # Each layer checked as it is laid on, so an error names the file that brought it.
            data.update(user)
            values, where = check(schema, data, source), source
    p = EnclosureParams(**values, source=str(where))
    if p.screw_pilot_mm >= p.standoff_diameter_mm:
        raise InputError(where, "screw_pilot_mm", f"leaves no standoff wall (standoff {p.standoff_diameter_mm} mm)", p.screw_pilot_mm)
    if p.screw_clearance_mm >= p.ear_diameter_mm:
        raise InputError(where, "screw_clearance_mm", f"is wider than the ear ({p.ear_diameter_mm} mm)", p.screw_clearance_mm)
    if p.wall_mm > 10 * max(p.clearance_mm, 0.5):
        raise InputError(where, "wall_mm", f"{p.wall_mm} mm is thicker than the space it encloses allows "
                         f"(clearance {p.clearance_mm} mm)", p.wall_mm)
    return p
