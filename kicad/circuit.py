"""The ADE7816 board as a SKiDL circuit, following the reference circuit of
../shared/reference/ade7816.md, with values from kicad/data/board.yaml and parts from
kicad/data/parts.yaml. Builds into SKiDL's default circuit; the caller generates files from it."""
from __future__ import annotations

import builtins
import os
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.footprints.generate import LIBRARY_NAME, footprint_name
from wattcad.footprints.spec import find_spec

from .params import BoardParams, PartsCatalogue
from .symbol import PinTable

STOCK_SYMBOLS = Path(os.environ.get("KICAD9_SYMBOL_DIR", "/usr/share/kicad/symbols"))

# ESP32 Feather (Adafruit HUZZAH32) header pins, counted from the Feather's RST end of the
# 16-pin header and from VBAT on the 12-pin header.
FEATHER_16 = ["RST", "3V3", "NC", "GND", "A0", "A1", "A2", "A3", "A4", "A5", "SCK", "MOSI", "MISO", "RX", "TX", "GPIO21"]
FEATHER_12 = ["VBAT", "EN", "VUSB", "GPIO13", "GPIO12", "GPIO27", "GPIO33", "GPIO15", "GPIO32", "GPIO14", "SCL", "SDA"]


@dataclass
class BuiltCircuit:
    params: BoardParams
    mpn: dict[str, str] = field(default_factory=dict)  # reference -> manufacturer part number
    package: dict[str, str] = field(default_factory=dict)  # reference -> package spec name
    block: dict[str, str] = field(default_factory=dict)  # reference -> functional block, for the layout


def _footprint_for(package: str) -> str:
    spec = find_spec(package)
    if spec.footprint in ("", "generated"):
        return f"{LIBRARY_NAME}:{footprint_name(spec)}"
    return spec.footprint


def _virtual_parts_only(part) -> None:
    """Power flags (#FLG) are schematic-only; any other part without a footprint is a bug."""
    if not str(part.ref).startswith("#"):
        raise ValueError(f"{part.ref} ({part.name}) has no footprint")


def build_circuit(params: BoardParams, catalogue: PartsCatalogue, pin_table: PinTable, symbol_dir: Path) -> BuiltCircuit:
    """Create every part and net in SKiDL's default circuit (which the caller resets first)."""
    os.environ.setdefault("KICAD9_SYMBOL_DIR", str(STOCK_SYMBOLS))
    import skidl
    from skidl import KICAD9, Net, Part

    NC = builtins.NC  # SKiDL publishes its default circuit's no-connect net there

    skidl.set_default_tool(KICAD9)
    skidl.empty_footprint_handler = _virtual_parts_only
    skidl.lib_search_paths[KICAD9] = [str(symbol_dir), str(STOCK_SYMBOLS)]
    built = BuiltCircuit(params)
    counters: dict[tuple[str, int], int] = {}
    current_block = ["Supplies", 0]

    def block(name: str, base: int = 0) -> None:
        """Passives are numbered from the block's base (R101.. for channel A), so references stay
        put when another block changes: a depopulated channel renumbers nothing on the board."""
        current_block[0], current_block[1] = name, base

    def part(lib: str, name: str, prefix: str, value: str, package: str | None, mpn: str = "", footprint: str = "",
             ref: str | None = None):
        if ref is None:
            base = current_block[1] if prefix in ("R", "C") else 0
            counters[(prefix, base)] = counters.get((prefix, base), 0) + 1
            ref = f"{prefix}{base + counters[(prefix, base)]}"
        fp = footprint or (_footprint_for(package) if package else "")
        p = Part(lib, name, ref=ref, value=value, footprint=fp, tag=ref)
        built.block[ref] = current_block[0]
        if mpn:
            built.mpn[ref] = mpn
        if package:
            built.package[ref] = package
        return p

    def resistor(ohm: float, why: str):
        entry = catalogue.resistor(ohm, why)
        return part("Device", "R", "R", entry.value, entry.package, entry.mpn)

    def capacitor(value: str, why: str):
        entry = catalogue.capacitor(value, why)
        return part("Device", "C", "C", entry.value, entry.package, entry.mpn)

    def other(lib: str, name: str, prefix: str, value: str, why: str, ref: str | None = None):
        entry = catalogue.other(value, why)
        return part(lib, name, prefix, value, entry.package, entry.mpn, ref=ref)

    agnd, dgnd, vdd = Net("AGND"), Net("DGND"), Net("+3V3")
    for net in (agnd, dgnd, vdd):
        ref = f"#FLG_{net.name.strip('+')}"
        flag = Part("power", "PWR_FLAG", ref=ref, tag=ref)
        flag[1] += net
        built.block[ref] = "Supplies"

    block("ADE7816")
    u1 = other(pin_table.path.stem.split("_")[0], pin_table.part, "U", pin_table.part, "pins")
    pin = {p.name: u1[p.number] for p in pin_table.pins if p.type != "no_connect"}

    series = params.filter_series_ohm
    shunt = "22n"

    def anti_alias(source, adc_pin, label: str):
        """1 k series + 22 nF to AGND in front of every analog input."""
        r = resistor(series, f"filter of {label}")
        c = capacitor(shunt, f"filter of {label}")
        node = Net(label)
        r[1] += source
        r[2] += node
        c[1] += node
        c[2] += agnd
        node += adc_pin

    # Current channels A-C: differential, burden split in two with its midpoint on AGND.
    for ch in params.channels:
        index = "ABCDEF".index(ch.name) + 1
        block(f"Current channel {ch.name}", 100 * index)
        p_pin = pin[f"I{ch.name}P"]
        if not ch.populated:
            # Keep the burden's reference numbers free, so the filter parts keep theirs.
            counters[("R", 100 * index)] = counters.get(("R", 100 * index), 0) + (2 if ch.differential else 1)
            # Unused: both inputs to AGND through their filters keeps the ADC input defined.
            anti_alias(agnd, p_pin, f"I{ch.name}P")
            if ch.differential:
                anti_alias(agnd, pin[f"I{ch.name}N"], f"I{ch.name}N")
            continue
        jack = other("Connector_Audio", "AudioJack3", "J", "SJ1-3533NG", f"channels.{ch.name}", ref=f"J{index}")
        tip = Net(f"CT_{ch.name}_TIP")
        sleeve = Net(f"CT_{ch.name}_SLEEVE") if ch.differential else agnd
        jack["T"] += tip
        jack["S"] += sleeve
        jack["R"] += NC  # SCT-013 plugs use tip and sleeve only
        if ch.differential:
            rb1, rb2 = resistor(ch.burden_half_ohm, f"channels.{ch.name} burden"), resistor(ch.burden_half_ohm, f"channels.{ch.name} burden")
            rb1[1] += tip
            rb1[2] += agnd
            rb2[1] += agnd
            rb2[2] += sleeve
            anti_alias(tip, p_pin, f"I{ch.name}P")
            anti_alias(sleeve, pin[f"I{ch.name}N"], f"I{ch.name}N")
        else:
            rb = resistor(ch.burden_ohm, f"channels.{ch.name} burden")
            rb[1] += tip
            rb[2] += sleeve
            anti_alias(tip, p_pin, f"I{ch.name}P")
    # IN: the shared negative input of D-F, filtered from AGND like the others.
    block("IN: common of D-F", 700)
    anti_alias(agnd, pin["IN"], "IN")

    # Voltage channel: AC-AC adapter on a barrel jack, divider, filter.
    block("Voltage channel", 800)
    j_ac = other("Connector", "Barrel_Jack_Switch", "J", "PJ-102AH", "voltage", ref="J7")
    ac, ac_div = Net("AC_IN"), Net("AC_DIV")
    j_ac[1] += ac
    j_ac[2] += agnd
    j_ac[3] += NC
    r_top, r_bot = resistor(params.divider_top_ohm, "voltage divider top"), resistor(params.divider_bottom_ohm, "voltage divider bottom")
    r_top[1] += ac
    r_top[2] += ac_div
    r_bot[1] += ac_div
    r_bot[2] += agnd
    anti_alias(ac_div, pin["VP"], "VP")
    anti_alias(agnd, pin["VN"], "VN")

    # Supplies and reference: decoupling as on the reference boards.
    def decouple(net, bulk: str, ground, why: str):
        for value in (bulk, "220n"):
            c = capacitor(value, why)
            c[1] += net
            c[2] += ground

    block("Supplies", 900)
    vdd += pin["VDD"]
    decouple(vdd, "10u", dgnd, "VDD decoupling")
    for name, ground in (("AVDD", agnd), ("DVDD", dgnd), ("REFIN/OUT", agnd)):
        net = Net(name.replace("/", "_"))
        net += pin[name]
        decouple(net, "4.7u", ground, f"{name} decoupling")
    agnd += pin["AGND"], pin["EP"]
    dgnd += pin["DGND"], pin["PULL_LOW"]
    vdd += pin["PULL_HIGH"]
    # AGND and DGND joined at one point.
    tie = part("Device", "NetTie_2", "NT", "AGND-DGND", None, footprint="NetTie:NetTie-2_SMD_Pad0.5mm")
    tie[1] += agnd
    tie[2] += dgnd

    # Crystal with its load capacitors.
    block("Clock", 1000)
    y1 = other("Device", "Crystal_GND24", "Y", "16.384MHz", "crystal_mhz")
    clkin, clkout = Net("CLKIN"), Net("CLKOUT")
    clkin += pin["CLKIN"], y1[1]
    clkout += pin["CLKOUT"], y1[3]
    y1[2] += dgnd
    y1[4] += dgnd
    for net in (clkin, clkout):
        c = capacitor("20p", "crystal load")
        c[1] += net
        c[2] += dgnd

    # RESET: RC, and driven by the host.
    block("Reset and interrupts", 1100)
    reset = Net("~{RESET}")
    reset += pin["~{RESET}"]
    r = resistor(10000, "RESET pull-up")
    r[1] += vdd
    r[2] += reset
    c = capacitor("1u", "RESET capacitor")
    c[1] += reset
    c[2] += dgnd
    irq0, irq1 = Net("~{IRQ0}"), Net("~{IRQ1}")
    for net, name in ((irq0, "~{IRQ0}"), (irq1, "~{IRQ1}")):
        net += pin[name]
        r = resistor(10000, f"{name} pull-up")
        r[1] += vdd
        r[2] += net

    # Feather headers: SPI by default; I2C through the solder jumpers.
    block("Host: ESP32 Feather")
    h16 = other("Connector_Generic", "Conn_01x16", "J", "Feather_16", "feather", ref="J8")
    h12 = other("Connector_Generic", "Conn_01x12", "J", "Feather_12", "feather", ref="J9")
    feather = {name: h16[i + 1] for i, name in enumerate(FEATHER_16)}
    feather.update({name: h12[i + 1] for i, name in enumerate(FEATHER_12)})
    vdd += feather["3V3"]
    dgnd += feather["GND"]
    sclk, mosi = Net("SCLK_SCL"), Net("MOSI_SDA")
    sclk += pin["SCLK/SCL"]
    mosi += pin["MOSI/SDA"]
    for ade_net, spi, i2c, label in ((sclk, "SCK", "SCL", "SCLK"), (mosi, "MOSI", "SDA", "MOSI")):
        # Pads 1-2 come bridged: the interface chosen in board.yaml goes on pad 1.
        first, second = (spi, i2c) if params.interface == "spi" else (i2c, spi)
        jp = part("Jumper", "SolderJumper_3_Bridged12", "JP", f"{label} {first}|{second}", None,
                  footprint="Jumper:SolderJumper-3_P1.3mm_Bridged12_RoundedPad1.0x1.5mm")
        jp[2] += ade_net
        Net(f"FEATHER_{first}").connect(jp[1], feather[first])
        Net(f"FEATHER_{second}").connect(jp[3], feather[second])
    Net("MISO").connect(pin["MISO/HSD"], feather["MISO"])
    Net("~{SS}").connect(pin["~{SS}/HSA"], feather["A5"])
    irq0 += feather["GPIO27"]
    irq1 += feather["GPIO33"]
    reset += feather["GPIO15"]
    for name in FEATHER_16 + FEATHER_12:
        if not feather[name].nets:
            feather[name] += NC
    pin["HSCLK"] += NC  # HSDC is not used on this board

    block("Mechanical")
    for i in range(4):
        part("Mechanical", "MountingHole", "H", "MountingHole", None, footprint="MountingHole:MountingHole_3.2mm_M3")
    return built
