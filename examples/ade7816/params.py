"""Board parameters and the circuit's arithmetic (pure: no SKiDL, no KiCad).

The burden and the divider follow from the sources' worst case (analog.py): a CT at its
rated current, reading high by its ratio tolerance, with a crest factor; an AC-AC adapter unloaded
at high mains. Each is rounded the safe way (burden down, divider top up) so the worst-case peak
stays within `adc.headroom` of full scale. Sources of every number: docs/circuit.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from wattcad.ade7816.analog import SERIES, AdapterSource, CtSource, burden_ohm, divider_top_ohm, preferred
from wattcad.ade7816.board_plan import LAYOUT
from wattcad.core.errors import InputError
from wattcad.core.fileio import read_yaml_mapping
from wattcad.core.param_schema import REQUIRED, Param, check

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
    voltage_series_ohm: float  # VP's series resistor: the current inputs' R less the divider's own
    reset: dict  # {pullup_ohm, capacitor, series_ohm}
    crystal_mhz: float
    interface: str
    i2c_pullup_ohm: float
    host: dict  # the host module: symbol, reference and which of its pins each signal uses
    pcb: dict  # board outline, rules and net classes, as in board.yaml


    def channel(self, name: str) -> Channel:
        return next(c for c in self.channels if c.name == name)


def _number(name: str, unit: str, doc: str, default=REQUIRED, **limits) -> Param:
    """A number, > 0 unless LIMITS say otherwise."""
    return Param(name, "number", unit, doc, default, **(limits or {"gt": 0}))


def _text(name: str, doc: str, **declared) -> Param:
    return Param(name, "str", doc=doc, **declared)


def _section(name: str, doc: str, *fields: Param) -> Param:
    return Param(name, "mapping", doc=doc, fields=fields)


def _names(name: str, doc: str, **declared) -> Param:
    return Param(name, "list", doc=doc, item=Param("", "str"), **declared)


CONNECTOR = (_text("value", "the jack's value (a part in parts.yaml `others`)"),
             _text("signal_pin", "the jack's pin carrying the signal"),
             _text("return_pin", "the jack's pin carrying the return"))
CHANNEL = (Param("populated", "bool", doc="false leaves the channel's jack and burden off (inputs tied to AGND)",
                 default=True),
           _number("burden_ohm", "ohm", "overrides the burden computed from the CT", default=None))
# board.yaml, declared level by level (every number's source: docs/circuit.md).
BOARD_SCHEMA = (
    _text("name", "the board's name: build folder and file names"),
    _text("title", "title block", default=""), _text("revision", "title block", default=""),
    _text("date", "title block (fixed, so generated files are reproducible)", default=""),
    _text("company", "title block", default=""),
    _section("ct", "the current transformer on every current channel",
             _text("model", "the CT's name in the schematic"),
             _number("rated_primary_a_rms", "A", "the CT's rated primary current (for the record)", default=None),
             _number("rated_secondary_a_rms", "A", "the CT's secondary current at its rated primary"),
             _number("ratio_tolerance", "", "the CT's ratio error: it may read this fraction high", ge=0, lt=1),
             _number("crest_factor", "", "peak / rms of the CT current that must pass unclipped (a sine: 1.41)", ge=1),
             _section("connector", "the jack a CT plugs into", *CONNECTOR),
             _text("source", "where these numbers come from", default="")),
    _section("adc", "the ADE7816's inputs",
             _number("full_scale_v_peak", "V", "the ADE7816's full scale, differential peak (PGA gain 1)"),
             _number("headroom", "", "fraction of full scale every input's worst-case peak keeps to", gt=0, le=1),
             _text("source", "where these numbers come from", default="")),
    _section("channels", "current channels: A-C differential, D-F single-ended",
             *(_section(name, f"channel {name}", *CHANNEL) for name in DIFFERENTIAL + SINGLE_ENDED)),
    _section("voltage", "the AC-AC adapter on the voltage channel",
             _number("adapter_v_rms", "V", "the adapter's rated output"),
             _number("unloaded_rise", "", "the adapter's light-load output over its rating (an unloaded adapter reads no lower)",
                     ge=1),
             _number("mains_tolerance", "", "mains above nominal, as a fraction", ge=0, lt=1),
             _number("divider_bottom_ohm", "ohm", "the divider's bottom resistor (its top is computed)"),
             _section("connector", "the adapter's jack", *CONNECTOR)),
    _section("filter", "anti-alias filter in front of every input",
             _number("series_ohm", "ohm", "the anti-alias filter's series resistor"),
             _number("shunt_farad", "F", "the anti-alias filter's shunt capacitor to AGND"),
             _number("voltage_series_ohm", "ohm", "overrides VP's series resistor, computed so VP's filter has the "
                     "current inputs' corner (the divider's own resistance is part of it)", default=None)),
    _section("reset", "the RESET network: pull-up, noise capacitor, series resistor from the host",
             _number("pullup_ohm", "ohm", "RESET's pull-up to VDD"),
             _text("capacitor", "RESET's noise capacitor to AGND (a value in parts.yaml)"),
             _number("series_ohm", "ohm", "from the host's GPIO to RESET")),
    _number("crystal_mhz", "MHz", "the ADE7816's crystal"),
    Param("interface", "enum", doc="which way the solder jumpers come bridged (the I2C pull-ups are DNP for spi)",
          default="spi", choices=INTERFACES),
    _number("i2c_pullup_ohm", "ohm", "I2C pull-ups"),
    _section("host", "the host module: KiCad's own symbol and footprint",
             _text("symbol", "the host's KiCad symbol (Library:Name)"), _text("ref", "the host's reference"),
             _text("value", "the host's value (a part in parts.yaml `others`)"),
             Param("pins", "mapping", doc="the host symbol's pin (number) carrying each signal: 3V3, GND, SCK, MOSI, "
                   "MISO, SS, SCL, SDA, IRQ0, IRQ1, RESET", item=Param("", "str"))),
    _section("pcb", "the board: outline, placement, routing areas, fab rules, net classes",
             _number("thickness_mm", "mm", "board thickness"),
             _section("rect", "the rectangular variant's outline", _number("width_mm", "mm", "the rectangular board's width"),
                      _number("height_mm", "mm", "the rectangular board's height"),
                      _number("corner_radius_mm", "mm", "the rectangular board's corner radius", ge=0)),
             _section("round", "the round variant's outline", _number("diameter_mm", "mm", "the round board's diameter")),
             _number("mounting_hole_inset_mm", "mm", "mounting holes' centres from the outline"),
             LAYOUT,
             _section("placement", "placement",
                      _number("part_gap_mm", "mm", "gap between parts' courtyards (where tracks run)"),
                      _number("root_keepout_mm", "mm", "ring kept free round the ADE7816's courtyard"),
                      _number("crystal_max_mm", "mm", "longest crystal trace allowed (pad to clock pin)")),
             _section("routing", "routing rules written into the board's .kicad_dru",
                      _text("analog_class", "the analog net class's name"),
                      _names("ground_nets", "analog ground nets"),
                      _number("analog_margin_mm", "mm", "the analog area: each analog part's courtyard grown by this"),
                      _names("crystal_nets", "nets between crystal and chip, with nothing else"),
                      _names("whole_planes", "planes no other net's bottom track may cross"),
                      _text("digital_plane", "the zone (by name) no analog track may cross")),
             _section("rules", "the fab's capability", *(_number(f"min_{key}_mm", "mm", f"the fab's smallest {doc}") for key, doc in (
                 ("track", "track"), ("clearance", "clearance"), ("drill", "drill"), ("via_diameter", "via"),
                 ("annular_ring", "annular ring"), ("hole_to_hole", "hole to hole"),
                 ("copper_edge_clearance", "copper to board edge")))),
             Param("netclasses", "mapping", doc="net classes by name", item=Param("", "mapping", fields=(
                 _number("track_mm", "mm", "the class's track width"), _number("clearance_mm", "mm", "the class's clearance"),
                 _number("via_diameter_mm", "mm", "the class's via diameter"),
                 _number("via_drill_mm", "mm", "the class's via drill"),
                 _names("nets", "net name patterns in the class", default=[]))))),
)
HOST_SIGNALS = {"3V3", "GND", "SCK", "MOSI", "MISO", "SCL", "SDA", "SS", "IRQ0", "IRQ1", "RESET"}


def _host(host: dict, path) -> dict:
    pins = host["pins"]
    if not pins:
        raise InputError(path, "host.pins", "must map each signal to a pin number of the host's symbol", pins)
    missing = sorted(HOST_SIGNALS - set(pins))
    if missing:
        raise InputError(path, f"host.pins.{missing[0]}", "missing signal")
    numbers = list(pins.values())
    dup = next((n for n in numbers if numbers.count(n) > 1), None)
    if dup is not None:
        raise InputError(path, "host.pins", "two signals on one pin", dup)
    return host


def load_board_params(path: str | Path = BOARD_PARAMS) -> BoardParams:
    path = Path(path)
    raw = read_yaml_mapping(path, "board parameters")
    data = check(BOARD_SCHEMA, raw, path)
    adc, ct_data, volt = data["adc"], data["ct"], data["voltage"]
    fs, headroom = adc["full_scale_v_peak"], adc["headroom"]
    ct = CtSource(ct_data["rated_secondary_a_rms"], ct_data["ratio_tolerance"], ct_data["crest_factor"])
    channels = []
    for name in DIFFERENTIAL + SINGLE_ENDED:
        channel = data["channels"][name]
        differential = name in DIFFERENTIAL
        if channel["burden_ohm"] is not None:
            total = channel["burden_ohm"]
            half = e96(total / 2, "down") if differential else None
        elif differential:
            half = burden_ohm(ct, fs, headroom, parts=2)
            total = 2 * half
        else:
            total, half = burden_ohm(ct, fs, headroom), None
        channels.append(Channel(name, channel["populated"], differential, total, half))
    adapter = AdapterSource(volt["adapter_v_rms"], volt["unloaded_rise"], volt["mains_tolerance"])
    bottom = volt["divider_bottom_ohm"]
    return BoardParams(
        path=path, name=data["name"], title=data["title"], revision=data["revision"], date=data["date"],
        company=data["company"], ct_model=ct_data["model"], ct=ct, ct_connector=ct_data["connector"],
        full_scale_v_peak=fs, headroom=headroom, channels=tuple(channels), adapter=adapter,
        adapter_connector=volt["connector"],
        divider_bottom_ohm=bottom, divider_top_ohm=divider_top_ohm(adapter, bottom, fs, headroom),
        filter_series_ohm=data["filter"]["series_ohm"], filter_shunt_farad=data["filter"]["shunt_farad"],
        voltage_series_ohm=_voltage_series_ohm(data["filter"], bottom, divider_top_ohm(adapter, bottom, fs, headroom),
                                               channels),
        reset=data["reset"],
        crystal_mhz=data["crystal_mhz"], interface=data["interface"], i2c_pullup_ohm=data["i2c_pullup_ohm"],
        host=_host(data["host"], path),
        pcb=raw["pcb"])  # as written: board.py and the .kicad_dru take its numbers as they are


def _voltage_series_ohm(filter_data: dict, bottom_ohm: float, top_ohm: float, channels) -> float:
    """VP's series resistor so its filter's R equals the current inputs': their series resistor plus
    the burden half a differential leg sees; VP sees the divider's Thevenin resistance before it
    (docs/circuit.md: anti-alias filter). Nearest E96, never below 10 ohm."""
    if filter_data["voltage_series_ohm"] is not None:
        return filter_data["voltage_series_ohm"]
    halves = [c.burden_half_ohm for c in channels if c.populated and c.burden_half_ohm]
    current_leg_ohm = filter_data["series_ohm"] + (min(halves) if halves else 0.0)
    wanted = max(10.0, current_leg_ohm - top_ohm * bottom_ohm / (top_ohm + bottom_ohm))
    down, up = preferred(wanted, "down"), preferred(wanted, "up")
    return down if wanted - down <= up - wanted else up


@dataclass(frozen=True)
class CatalogueEntry:
    value: str
    package: str
    mpn: str


_PACKAGE = _text("package", "its package spec (footprints/specs)")
PARTS_SCHEMA = (
    _section("resistors", "one thick-film series for every resistor", _PACKAGE,
             _text("mpn_format", "its part number, {code} standing for the value's code (3R48, 61K9)"),
             Param("series", "list", doc="the value series it is made in", item=Param("", "enum", choices=tuple(SERIES))),
             _number("min_ohm", "ohm", "its smallest value"), _number("max_ohm", "ohm", "its largest value")),
    Param("capacitors", "list", doc="every capacitor the circuit may use", item=Param("", "mapping", fields=(
        _text("value", "its value as the schematic shows it (22n)"), _number("farad", "F", "its capacitance"),
        _PACKAGE, _text("mpn", "its manufacturer's part number"), _text("dielectric", "C0G, X7R, ...", default="")))),
    Param("others", "mapping", doc="every other part, by value", item=Param("", "mapping", fields=(
        _PACKAGE, _text("mpn", "its manufacturer's part number")))),
)


class PartsCatalogue:
    """Looks up a part by value; an unknown value is an error naming the catalogue file. Resistors
    come from a 1 % thick-film series that makes every E96 and E24 value in its range."""

    def __init__(self, path: str | Path = PARTS_CATALOGUE):
        self.path = Path(path)
        data = check(PARTS_SCHEMA, read_yaml_mapping(self.path, "parts catalogue"), self.path)
        res = data["resistors"]
        self.resistor_package, self.resistor_mpn = res["package"], res["mpn_format"]
        self.resistor_range = (res["min_ohm"], res["max_ohm"])
        self.resistor_series = tuple(res["series"])
        self.capacitors = {c["value"]: CatalogueEntry(c["value"], c["package"], c["mpn"]) for c in data["capacitors"]}
        self.capacitor_farad = {c["farad"]: c["value"] for c in data["capacitors"]}
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
