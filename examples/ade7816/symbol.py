"""The ADE7816 KiCad symbol, generated from the pin table kept once as data."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.errors import InputError
from wattcad.core.fileio import read_yaml_mapping, write_atomic
from wattcad.footprints.generate import LIBRARY_NAME, footprint_name
from wattcad.footprints.sexpr import Quoted, dump, fmt_mm
from wattcad.footprints.spec import find_spec

DATA_DIR = Path(__file__).resolve().parent / "data"
PIN_TABLE = DATA_DIR / "ade7816_pins.yaml"
SYMBOL_LIBRARY = "ade7816"
KICAD_SYMBOL_VERSION = "20241209"
PIN_TYPES = ("input", "output", "bidirectional", "tri_state", "passive", "free", "unspecified",
             "power_in", "power_out", "open_collector", "open_emitter", "no_connect")
SIDES = ("left", "right", "top", "bottom")
GRID = 2.54
PIN_LENGTH = 5.08


@dataclass(frozen=True)
class Pin:
    number: str
    name: str
    type: str
    side: str


@dataclass(frozen=True)
class PinTable:
    part: str
    description: str
    datasheet: str
    package: str
    pins: tuple[Pin, ...]
    order: dict[str, tuple[str, ...]]
    path: Path
    adc_inputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # input -> (P pin name, N pin name)
    ac_ground_pins: tuple[str, ...] = ()
    # RESET's facts for the reset check: {pin, supply_pin, supply_v, logic_low_max_v, min_low_us, driver_low_us}
    reset: dict = field(default_factory=dict)

    def by_number(self) -> dict[str, Pin]:
        return {p.number: p for p in self.pins}


RESET_KEYS = ("pin", "supply_pin", "supply_v", "logic_low_max_v", "min_low_us", "driver_low_us")


def load_pin_table(path: str | Path = PIN_TABLE) -> PinTable:
    path = Path(path)
    data = read_yaml_mapping(path, "pin table")
    for key in ("part", "package", "pins", "order"):
        if not isinstance(data, dict) or key not in data:
            raise InputError(path, key, "missing required key")
    pins, seen = [], set()
    for i, raw in enumerate(data["pins"]):
        for key in ("number", "name", "type", "side"):
            if key not in raw:
                raise InputError(path, f"pins[{i}].{key}", "missing required key")
        number = str(raw["number"])
        if number in seen:
            raise InputError(path, f"pins[{i}].number", "duplicate pin number", number)
        seen.add(number)
        if raw["type"] not in PIN_TYPES:
            raise InputError(path, f"pins[{i}].type", f"must be one of {', '.join(PIN_TYPES)}", raw["type"])
        if raw["side"] not in SIDES:
            raise InputError(path, f"pins[{i}].side", f"must be one of {', '.join(SIDES)}", raw["side"])
        pins.append(Pin(number, str(raw["name"]), raw["type"], raw["side"]))
    order = {side: tuple(str(n) for n in data["order"].get(side, ())) for side in SIDES}
    for side, numbers in order.items():
        want = sorted((p.number for p in pins if p.side == side), key=int)
        if sorted(numbers, key=int) != want:
            raise InputError(path, f"order.{side}", f"must list exactly the {side} pins {want}", list(numbers))
    spec = find_spec(data["package"])
    if spec.pin_count + (1 if spec.has("ep_x") else 0) != len(pins):
        raise InputError(path, "pins", f"{len(pins)} pins, package {spec.name} has "
                         f"{spec.pin_count + (1 if spec.has('ep_x') else 0)}", len(pins))
    names = {p.name for p in pins}
    adc_inputs = {}
    for name, pair in (data.get("adc_inputs") or {}).items():
        if not isinstance(pair, list) or len(pair) != 2 or not set(map(str, pair)) <= names:
            raise InputError(path, f"adc_inputs.{name}", "must be two pin names of this table", pair)
        adc_inputs[str(name)] = (str(pair[0]), str(pair[1]))
    grounds = tuple(str(n) for n in data.get("ac_ground_pins") or ())
    if not set(grounds) <= names:
        raise InputError(path, "ac_ground_pins", "must be pin names of this table", list(grounds))
    reset = data.get("reset") or {}
    for key in RESET_KEYS:
        if reset and key not in reset:
            raise InputError(path, f"reset.{key}", "missing required key")
    if reset and not {reset["pin"], reset["supply_pin"]} <= names:
        raise InputError(path, "reset.pin", "must be pin names of this table", [reset["pin"], reset["supply_pin"]])
    return PinTable(str(data["part"]), str(data.get("description", "")), str(data.get("datasheet", "")),
                    spec.name, tuple(pins), order, path, adc_inputs, grounds, reset)


def _font() -> list:
    return ["effects", ["font", ["size", "1.27", "1.27"]]]


def _prop(name: str, value: str, x: float, y: float, hide: bool = False, justify: str | None = None) -> list:
    node = ["property", Quoted(name), Quoted(value), ["at", fmt_mm(x), fmt_mm(y), "0"]]
    effects = _font()
    if justify:
        effects.append(["justify", justify])
    if hide:
        effects.append(["hide", "yes"])
    node.append(effects)
    return node


def symbol_node(table: PinTable) -> list:
    rows = max(len(table.order["left"]), len(table.order["right"]))
    cols = max(len(table.order["top"]), len(table.order["bottom"]))
    by_number = table.by_number()
    # Top and bottom pin names run vertically into the body: keep them clear of the side rows.
    longest = max(len(by_number[n].name) for side in ("top", "bottom") for n in table.order[side])
    half_h = (rows - 1) * GRID / 2 + GRID + longest * 1.1 + 1.27
    half_w = (cols + 1) * GRID / 2
    half_h, half_w = math.ceil(half_h / GRID) * GRID, math.ceil(half_w / GRID) * GRID
    spec = find_spec(table.package)
    fp = f"{LIBRARY_NAME}:{footprint_name(spec)}"
    name = table.part
    body = ["symbol", Quoted(f"{name}_0_1"),
            ["rectangle", ["start", fmt_mm(-half_w), fmt_mm(half_h)], ["end", fmt_mm(half_w), fmt_mm(-half_h)],
             ["stroke", ["width", "0.254"], ["type", "default"]], ["fill", ["type", "background"]]]]
    pins_node = ["symbol", Quoted(f"{name}_1_1")]
    for side in SIDES:
        numbers = table.order[side]
        n = len(numbers)
        for i, number in enumerate(numbers):
            offset = (i - (n - 1) / 2) * GRID
            offset = round(offset / 1.27) * 1.27  # stay on the 1.27 mm connection grid
            if side == "left":
                x, y, angle = -half_w - PIN_LENGTH, -offset, 0
            elif side == "right":
                x, y, angle = half_w + PIN_LENGTH, -offset, 180
            elif side == "top":
                x, y, angle = offset, half_h + PIN_LENGTH, 270
            else:
                x, y, angle = offset, -half_h - PIN_LENGTH, 90
            pin = by_number[number]
            pins_node.append(["pin", pin.type, "line", ["at", fmt_mm(x), fmt_mm(y), str(angle)],
                              ["length", fmt_mm(PIN_LENGTH)],
                              ["name", Quoted(pin.name), _font()], ["number", Quoted(pin.number), _font()]])
    return ["symbol", Quoted(name), ["pin_names", ["offset", "1.016"]], ["exclude_from_sim", "no"],
            ["in_bom", "yes"], ["on_board", "yes"],
            _prop("Reference", "U", -half_w, half_h + PIN_LENGTH + 2.54, justify="left"),
            _prop("Value", name, half_w, half_h + PIN_LENGTH + 2.54, justify="right"),
            _prop("Footprint", fp, 0, -half_h - PIN_LENGTH - 5.08, hide=True),
            _prop("Datasheet", table.datasheet, 0, -half_h - PIN_LENGTH - 7.62, hide=True),
            _prop("Description", table.description, 0, -half_h - PIN_LENGTH - 10.16, hide=True),
            _prop("ki_keywords", "energy metering ADC power monitor", 0, 0, hide=True),
            _prop("ki_fp_filters", "LFCSP*6x6mm*P0.5mm* QFN*6x6mm*P0.5mm*", 0, 0, hide=True),
            body, pins_node, ["embedded_fonts", "no"]]


def symbol_library_text(table: PinTable) -> str:
    lib = ["kicad_symbol_lib", ["version", KICAD_SYMBOL_VERSION], ["generator", Quoted("wattcad")],
           ["generator_version", Quoted("0.1")], symbol_node(table)]
    return dump(lib) + "\n"


def write_symbol_library(out_dir: str | Path, table: PinTable | None = None) -> Path:
    table = table or load_pin_table()
    return write_atomic(Path(out_dir) / f"{SYMBOL_LIBRARY}.kicad_sym", symbol_library_text(table))
