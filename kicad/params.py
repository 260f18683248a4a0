"""Board parameters and the circuit's arithmetic (pure: no SKiDL, no KiCad).

Burden: the CT's rated secondary current must give the ADC's full-scale input at its peak:
  R_burden = V_fs,peak / (sqrt(2) * I_secondary,rms), rounded down to the E96 series
so rated current never clips. Differential channels split it into two halves with the midpoint on
AGND, each half rounded down the same way.
Voltage divider: the adapter's highest peak (V_rms * (1 + tolerance) * sqrt(2)) must stay within
full scale across the bottom resistor: R_top = R_bottom * (V_peak,max / V_fs - 1), rounded up.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path


from wattcad.errors import InputError
from wattcad.fileio import read_yaml_mapping

DATA_DIR = Path(__file__).resolve().parent / "data"
BOARD_PARAMS = DATA_DIR / "board.yaml"
PARTS_CATALOGUE = DATA_DIR / "parts.yaml"
DIFFERENTIAL = ("A", "B", "C")
SINGLE_ENDED = ("D", "E", "F")
E96 = (1.00, 1.02, 1.05, 1.07, 1.10, 1.13, 1.15, 1.18, 1.21, 1.24, 1.27, 1.30, 1.33, 1.37, 1.40, 1.43, 1.47,
       1.50, 1.54, 1.58, 1.62, 1.65, 1.69, 1.74, 1.78, 1.82, 1.87, 1.91, 1.96, 2.00, 2.05, 2.10, 2.15, 2.21,
       2.26, 2.32, 2.37, 2.43, 2.49, 2.55, 2.61, 2.67, 2.74, 2.80, 2.87, 2.94, 3.01, 3.09, 3.16, 3.24, 3.32,
       3.40, 3.48, 3.57, 3.65, 3.74, 3.83, 3.92, 4.02, 4.12, 4.22, 4.32, 4.42, 4.53, 4.64, 4.75, 4.87, 4.99,
       5.11, 5.23, 5.36, 5.49, 5.62, 5.76, 5.90, 6.04, 6.19, 6.34, 6.49, 6.65, 6.81, 6.98, 7.15, 7.32, 7.50,
       7.68, 7.87, 8.06, 8.25, 8.45, 8.66, 8.87, 9.09, 9.31, 9.53, 9.76)


def e96(value: float, direction: str) -> float:
    """The E96 value at or below (direction 'down') or at or above ('up') `value`."""
    if value <= 0:
        raise ValueError(f"no E96 value for {value}")
    decade = 10 ** math.floor(math.log10(value))
    candidates = [round(m * decade * k, 10) for k in (0.1, 1, 10) for m in E96]
    if direction == "down":
        return max(c for c in candidates if c <= value * (1 + 1e-9))
    return min(c for c in candidates if c >= value * (1 - 1e-9))


def format_ohm(ohm: float) -> str:
    """KiCad-style value: 3.48 -> '3.48', 1000 -> '1k', 36500 -> '36.5k'."""
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if ohm >= div:
            return f"{ohm / div:g}{suffix}"
    return f"{ohm:g}"


@dataclass(frozen=True)
class Channel:
    name: str  # A..F
    populated: bool
    differential: bool
    burden_ohm: float  # total across the CT
    burden_half_ohm: float | None  # each half, for differential channels


@dataclass(frozen=True)
class BoardParams:
    path: Path
    name: str
    title: str
    revision: str
    date: str
    company: str
    ct_model: str
    ct_secondary_a_rms: float
    full_scale_v_peak: float
    channels: tuple[Channel, ...]
    adapter_v_rms: float
    adapter_tolerance: float
    divider_bottom_ohm: float
    divider_top_ohm: float
    filter_series_ohm: float
    filter_shunt_farad: float
    crystal_mhz: float
    interface: str
    pcb: dict  # board outline, rules and net classes, as in board.yaml


    def channel(self, name: str) -> Channel:
        return next(c for c in self.channels if c.name == name)


def _positive(path, field, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InputError(path, field, "must be a positive number", value)
    return float(value)


def _get(data, path, dotted: str):
    node = data
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            raise InputError(path, dotted, "missing required key")
        node = node[key]
    return node


def burden_ohm(full_scale_v_peak: float, secondary_a_rms: float) -> float:
    return e96(full_scale_v_peak / (math.sqrt(2) * secondary_a_rms), "down")


def load_board_params(path: str | Path = BOARD_PARAMS) -> BoardParams:
    path = Path(path)
    data = read_yaml_mapping(path, "board parameters")
    fs = _positive(path, "adc.full_scale_v_peak", _get(data, path, "adc.full_scale_v_peak"))
    isec = _positive(path, "ct.rated_secondary_a_rms", _get(data, path, "ct.rated_secondary_a_rms"))
    channels = []
    raw_channels = _get(data, path, "channels")
    for name in DIFFERENTIAL + SINGLE_ENDED:
        raw = raw_channels.get(name) if isinstance(raw_channels, dict) else None
        if not isinstance(raw, dict):
            raise InputError(path, f"channels.{name}", "missing channel")
        populated = raw.get("populated", True)
        if not isinstance(populated, bool):
            raise InputError(path, f"channels.{name}.populated", "must be true or false", populated)
        if "burden_ohm" in raw:
            total = _positive(path, f"channels.{name}.burden_ohm", raw["burden_ohm"])
        else:
            total = burden_ohm(fs, isec)
        differential = name in DIFFERENTIAL
        half = e96(total / 2, "down") if differential else None
        channels.append(Channel(name, populated, differential, total, half))
    adapter = _positive(path, "voltage.adapter_v_rms", _get(data, path, "voltage.adapter_v_rms"))
    tol = _get(data, path, "voltage.adapter_tolerance")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < 1:
        raise InputError(path, "voltage.adapter_tolerance", "must be a fraction in [0, 1)", tol)
    bottom = _positive(path, "voltage.divider_bottom_ohm", _get(data, path, "voltage.divider_bottom_ohm"))
    peak_max = adapter * (1 + tol) * math.sqrt(2)
    top = e96(bottom * (peak_max / fs - 1), "up")
    interface = data.get("interface", "spi")
    if interface not in ("spi", "i2c"):
        raise InputError(path, "interface", "must be spi or i2c", interface)
    return BoardParams(
        path=path, name=str(_get(data, path, "name")), title=str(data.get("title", "")),
        revision=str(data.get("revision", "")), date=str(data.get("date", "")), company=str(data.get("company", "")),
        ct_model=str(_get(data, path, "ct.model")), ct_secondary_a_rms=isec, full_scale_v_peak=fs,
        channels=tuple(channels), adapter_v_rms=adapter, adapter_tolerance=float(tol),
        divider_bottom_ohm=bottom, divider_top_ohm=top,
        filter_series_ohm=_positive(path, "filter.series_ohm", _get(data, path, "filter.series_ohm")),
        filter_shunt_farad=_positive(path, "filter.shunt_farad", _get(data, path, "filter.shunt_farad")),
        crystal_mhz=_positive(path, "crystal_mhz", _get(data, path, "crystal_mhz")), interface=interface,
        pcb=_pcb(data, path))


def _pcb(data, path) -> dict:
    pcb = _get(data, path, "pcb")
    for dotted in ("thickness_mm", "rect.width_mm", "rect.height_mm", "rect.corner_radius_mm", "round.diameter_mm",
                   "mounting_hole_inset_mm", "rules.min_track_mm", "rules.min_clearance_mm", "rules.min_drill_mm",
                   "rules.min_via_diameter_mm", "rules.min_annular_ring_mm", "rules.min_hole_to_hole_mm",
                   "rules.min_copper_edge_clearance_mm"):
        node = pcb
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                raise InputError(path, f"pcb.{dotted}", "missing required key")
            node = node[key]
        if dotted != "rect.corner_radius_mm":
            _positive(path, f"pcb.{dotted}", node)
    for name, nc in _get(data, path, "pcb.netclasses").items():
        for key in ("track_mm", "clearance_mm", "via_diameter_mm", "via_drill_mm"):
            _positive(path, f"pcb.netclasses.{name}.{key}", nc.get(key) if isinstance(nc, dict) else None)
    return pcb


@dataclass(frozen=True)
class CatalogueEntry:
    value: str
    package: str
    mpn: str


class PartsCatalogue:
    """Looks up a part by value; an unknown value is an error naming the catalogue file."""

    def __init__(self, path: str | Path = PARTS_CATALOGUE):
        self.path = Path(path)
        data = read_yaml_mapping(self.path, "parts catalogue")
        res = data["resistors"]
        self.resistors = {float(v): CatalogueEntry(format_ohm(float(v)), res["package"],
                                                   res["mpn_format"].format(code=_yageo_code(float(v))))
                          for v in res["values_ohm"]}
        self.capacitors = {c["value"]: CatalogueEntry(c["value"], c["package"], c["mpn"]) for c in data["capacitors"]}
        self.others = {k: CatalogueEntry(k, v["package"], v["mpn"]) for k, v in data["others"].items()}

    def resistor(self, ohm: float, field: str) -> CatalogueEntry:
        for value, entry in self.resistors.items():
            if math.isclose(value, ohm, rel_tol=1e-9):
                return entry
        raise InputError(self.path, "resistors.values_ohm", f"no resistor of {format_ohm(ohm)} ohm in the catalogue "
                         f"(asked for by {field})", ohm)

    def capacitor(self, value: str, field: str) -> CatalogueEntry:
        if value not in self.capacitors:
            raise InputError(self.path, "capacitors", f"no {value} capacitor in the catalogue (asked for by {field})", value)
        return self.capacitors[value]

    def other(self, value: str, field: str) -> CatalogueEntry:
        if value not in self.others:
            raise InputError(self.path, "others", f"unknown part (asked for by {field})", value)
        return self.others[value]


def _yageo_code(ohm: float) -> str:
    """Yageo's value code: 3.48 -> 3R48, 1000 -> 1K, 36500 -> 36K5."""
    for div, letter in ((1e6, "M"), (1e3, "K")):
        if ohm >= div:
            whole, _, frac = f"{ohm / div:g}".partition(".")
            return f"{whole}{letter}{frac}"
    whole, _, frac = f"{ohm:g}".partition(".")
    return f"{whole}R{frac}"
