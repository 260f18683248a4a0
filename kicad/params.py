"""Board parameters and the circuit's arithmetic (pure: no SKiDL, no KiCad).

The burden and the divider follow from the sources' worst case (wattcad/analog.py): a CT at its
rated current, reading high by its ratio tolerance, with a crest factor; an AC-AC adapter unloaded
at high mains. Each is rounded the safe way (burden down, divider top up) so the worst-case peak
stays within `adc.headroom` of full scale. Sources of every number: docs/circuit.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path


from wattcad.analog import AdapterSource, CtSource, burden_ohm, divider_top_ohm, preferred
from wattcad.errors import InputError
from wattcad.fileio import read_yaml_mapping

DATA_DIR = Path(__file__).resolve().parent / "data"
BOARD_PARAMS = DATA_DIR / "board.yaml"
PARTS_CATALOGUE = DATA_DIR / "parts.yaml"
DIFFERENTIAL = ("A", "B", "C")
SINGLE_ENDED = ("D", "E", "F")
INTERFACES = ("spi", "i2c")


def e96(value: float, direction: str) -> float:
    """The E96 value at or below (direction 'down') or at or above ('up') `value`."""
    return preferred(value, direction, "E96")


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
    ct: CtSource
    ct_connector: dict  # {value, signal_pin, return_pin}: the jack a CT plugs into
    full_scale_v_peak: float
    headroom: float  # worst-case peak / full scale the design keeps to
    channels: tuple[Channel, ...]
    adapter: AdapterSource
    adapter_connector: dict
    divider_bottom_ohm: float
    divider_top_ohm: float
    filter_series_ohm: float
    filter_shunt_farad: float
    crystal_mhz: float
    interface: str
    i2c_pullup_ohm: float
    host: dict  # the host module: symbol, reference and which of its pins each signal uses
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


def _fraction(path, field, value, upper: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < upper:
        raise InputError(path, field, f"must be a fraction in [0, {upper:g})", value)
    return float(value)


def _connector(data, path, dotted: str) -> dict:
    raw = _get(data, path, dotted)
    for key in ("value", "signal_pin", "return_pin"):
        if not isinstance(raw, dict) or not isinstance(raw.get(key), (str, int)) or isinstance(raw.get(key), bool):
            raise InputError(path, f"{dotted}.{key}", "missing or not a name")
    return {k: str(raw[k]) for k in ("value", "signal_pin", "return_pin")}


def _host(data, path) -> dict:
    host = _get(data, path, "host")
    for key in ("symbol", "ref", "value"):
        if not isinstance(host, dict) or not isinstance(host.get(key), str) or not host.get(key):
            raise InputError(path, f"host.{key}", "missing or not a name")
    pins = host.get("pins")
    if not isinstance(pins, dict) or not pins:
        raise InputError(path, "host.pins", "must map each signal to a pin number of the host's symbol", pins)
    needed = {"3V3", "GND", "SCK", "MOSI", "MISO", "SCL", "SDA", "SS", "IRQ0", "IRQ1", "RESET"}
    missing = sorted(needed - set(pins))
    if missing:
        raise InputError(path, f"host.pins.{missing[0]}", "missing signal")
    numbers = [str(v) for v in pins.values()]
    dup = next((n for n in numbers if numbers.count(n) > 1), None)
    if dup is not None:
        raise InputError(path, "host.pins", "two signals on one pin", dup)
    return {**host, "pins": {k: str(v) for k, v in pins.items()}}


def load_board_params(path: str | Path = BOARD_PARAMS) -> BoardParams:
    path = Path(path)
    data = read_yaml_mapping(path, "board parameters")
    fs = _positive(path, "adc.full_scale_v_peak", _get(data, path, "adc.full_scale_v_peak"))
    headroom = _positive(path, "adc.headroom", _get(data, path, "adc.headroom"))
    if headroom > 1:
        raise InputError(path, "adc.headroom", "must be at most 1 (the fraction of full scale to keep to)", headroom)
    ct = CtSource(_positive(path, "ct.rated_secondary_a_rms", _get(data, path, "ct.rated_secondary_a_rms")),
                  _fraction(path, "ct.ratio_tolerance", _get(data, path, "ct.ratio_tolerance")),
                  _positive(path, "ct.crest_factor", _get(data, path, "ct.crest_factor")))
    if ct.crest_factor < 1:
        raise InputError(path, "ct.crest_factor", "a crest factor is at least 1", ct.crest_factor)
    channels = []
    raw_channels = _get(data, path, "channels")
    for name in DIFFERENTIAL + SINGLE_ENDED:
        raw = raw_channels.get(name) if isinstance(raw_channels, dict) else None
        if not isinstance(raw, dict):
            raise InputError(path, f"channels.{name}", "missing channel")
        populated = raw.get("populated", True)
        if not isinstance(populated, bool):
            raise InputError(path, f"channels.{name}.populated", "must be true or false", populated)
        differential = name in DIFFERENTIAL
        if "burden_ohm" in raw:
            total = _positive(path, f"channels.{name}.burden_ohm", raw["burden_ohm"])
            half = e96(total / 2, "down") if differential else None
        elif differential:
            half = burden_ohm(ct, fs, headroom, parts=2)
            total = 2 * half
        else:
            total, half = burden_ohm(ct, fs, headroom), None
        channels.append(Channel(name, populated, differential, total, half))
    rise = _positive(path, "voltage.unloaded_rise", _get(data, path, "voltage.unloaded_rise"))
    if rise < 1:
        raise InputError(path, "voltage.unloaded_rise", "an unloaded adapter does not read below its rating", rise)
    adapter = AdapterSource(_positive(path, "voltage.adapter_v_rms", _get(data, path, "voltage.adapter_v_rms")), rise,
                            _fraction(path, "voltage.mains_tolerance", _get(data, path, "voltage.mains_tolerance")))
    bottom = _positive(path, "voltage.divider_bottom_ohm", _get(data, path, "voltage.divider_bottom_ohm"))
    interface = data.get("interface", "spi")
    if interface not in INTERFACES:
        raise InputError(path, "interface", "must be spi or i2c", interface)
    return BoardParams(
        path=path, name=str(_get(data, path, "name")), title=str(data.get("title", "")),
        revision=str(data.get("revision", "")), date=str(data.get("date", "")), company=str(data.get("company", "")),
        ct_model=str(_get(data, path, "ct.model")), ct=ct, ct_connector=_connector(data, path, "ct.connector"),
        full_scale_v_peak=fs, headroom=headroom, channels=tuple(channels), adapter=adapter,
        adapter_connector=_connector(data, path, "voltage.connector"),
        divider_bottom_ohm=bottom, divider_top_ohm=divider_top_ohm(adapter, bottom, fs, headroom),
        filter_series_ohm=_positive(path, "filter.series_ohm", _get(data, path, "filter.series_ohm")),
        filter_shunt_farad=_positive(path, "filter.shunt_farad", _get(data, path, "filter.shunt_farad")),
        crystal_mhz=_positive(path, "crystal_mhz", _get(data, path, "crystal_mhz")), interface=interface,
        i2c_pullup_ohm=_positive(path, "i2c_pullup_ohm", _get(data, path, "i2c_pullup_ohm")),
        host=_host(data, path), pcb=_pcb(data, path))


def _pcb(data, path) -> dict:
    pcb = _get(data, path, "pcb")
    for dotted in ("thickness_mm", "rect.width_mm", "rect.height_mm", "rect.corner_radius_mm", "round.diameter_mm",
                   "mounting_hole_inset_mm", "rules.min_track_mm", "rules.min_clearance_mm", "rules.min_drill_mm",
                   "rules.min_via_diameter_mm", "rules.min_annular_ring_mm", "rules.min_hole_to_hole_mm",
                   "rules.min_copper_edge_clearance_mm", "placement.part_gap_mm", "placement.root_keepout_mm", "placement.crystal_max_mm"):
        node = pcb
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                raise InputError(path, f"pcb.{dotted}", "missing required key")
            node = node[key]
        if dotted != "rect.corner_radius_mm":
            _positive(path, f"pcb.{dotted}", node)
    routing = _get(data, path, "pcb.routing")
    for key in ("analog_class", "ground_nets", "analog_margin_mm", "crystal_nets", "whole_planes", "digital_plane"):
        if not isinstance(routing, dict) or key not in routing:
            raise InputError(path, f"pcb.routing.{key}", "missing required key")
    _positive(path, "pcb.routing.analog_margin_mm", routing["analog_margin_mm"])
    for key in ("ground_nets", "crystal_nets", "whole_planes"):
        if not (isinstance(routing[key], list) and all(isinstance(n, str) and n for n in routing[key])):
            raise InputError(path, f"pcb.routing.{key}", "must be a list of net names", routing[key])
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
    """Looks up a part by value; an unknown value is an error naming the catalogue file. Resistors
    come from a 1 % thick-film series that makes every E96 and E24 value in its range."""

    def __init__(self, path: str | Path = PARTS_CATALOGUE):
        self.path = Path(path)
        data = read_yaml_mapping(self.path, "parts catalogue")
        res = data["resistors"]
        self.resistor_package, self.resistor_mpn = res["package"], res["mpn_format"]
        self.resistor_range = (float(res["min_ohm"]), float(res["max_ohm"]))
        self.resistor_series = tuple(res["series"])
        self.capacitors = {c["value"]: CatalogueEntry(c["value"], c["package"], c["mpn"]) for c in data["capacitors"]}
        self.capacitor_farad = {float(c["farad"]): c["value"] for c in data["capacitors"]}
        self.others = {k: CatalogueEntry(k, v["package"], v["mpn"]) for k, v in data["others"].items()}

    def resistor(self, ohm: float, field: str) -> CatalogueEntry:
        lo, hi = self.resistor_range
        made = lo <= ohm <= hi and any(math.isclose(preferred(ohm, "down", s), ohm, rel_tol=1e-9)
                                       for s in self.resistor_series)
        if not made:
            raise InputError(self.path, "resistors", f"no resistor of {format_ohm(ohm)} ohm: the catalogue's series "
                             f"makes {'/'.join(self.resistor_series)} values from {format_ohm(lo)} to {format_ohm(hi)} ohm "
                             f"(asked for by {field})", ohm)
        return CatalogueEntry(format_ohm(ohm), self.resistor_package, self.resistor_mpn.format(code=_yageo_code(ohm)))

    def capacitor(self, value: str, field: str) -> CatalogueEntry:
        if value not in self.capacitors:
            raise InputError(self.path, "capacitors", f"no {value} capacitor in the catalogue (asked for by {field})", value)
        return self.capacitors[value]

    def capacitor_of(self, farad: float, field: str) -> CatalogueEntry:
        """The catalogue's capacitor of FARAD, for a parameter given in farads."""
        for f, value in self.capacitor_farad.items():
            if math.isclose(f, farad, rel_tol=1e-6):
                return self.capacitors[value]
        raise InputError(self.path, "capacitors", f"no {farad:g} F capacitor in the catalogue (asked for by {field})", farad)

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
