"""The ADE7816 board as a SKiDL circuit, following the reference circuit in docs/circuit.md (the
datasheet's test circuit and three public ADE7816 boards), with values from kicad/data/board.yaml
and parts from kicad/data/parts.yaml. Builds into SKiDL's default circuit; the caller generates
files from it."""
from __future__ import annotations

import builtins
import os
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.footprints.generate import LIBRARY_NAME, footprint_name
from wattcad.footprints.spec import find_spec

from .params import BoardParams, PartsCatalogue
from .symbol import PinTable

# Crystal load capacitors: docs/circuit.md (clock) derives them from the crystal's load capacitance.
LOAD_CAPACITOR = "20p"
STOCK_SYMBOLS = Path(os.environ.get("KICAD9_SYMBOL_DIR", "/usr/share/kicad/symbols"))

@dataclass
class BuiltCircuit:
    params: BoardParams
    mpn: dict[str, str] = field(default_factory=dict)  # reference -> manufacturer part number
    package: dict[str, str] = field(default_factory=dict)  # reference -> package spec name
    block: dict[str, str] = field(default_factory=dict)  # reference -> functional block, for the layout
    dnp: list[str] = field(default_factory=list)  # references placed but not fitted (the BOM says so)


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
    shunt = catalogue.capacitor_of(params.filter_shunt_farad, "filter.shunt_farad").value

    def anti_alias(source, adc_pin, label: str):
        """Series R + shunt C to AGND in front of every analog input (filter.* in board.yaml)."""
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
        ct_jack = params.ct_connector
        jack = other("Connector_Audio", "AudioJack3", "J", ct_jack["value"], f"channels.{ch.name}", ref=f"J{index}")
        tip = Net(f"CT_{ch.name}_TIP")
        sleeve = Net(f"CT_{ch.name}_SLEEVE") if ch.differential else agnd
        jack[ct_jack["signal_pin"]] += tip
        jack[ct_jack["return_pin"]] += sleeve
        for p in jack.pins:  # SCT-013 plugs use tip and sleeve only
            if not p.nets:
                p += NC
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
    ac_jack = params.adapter_connector
    j_ac = other("Connector", "Barrel_Jack_Switch", "J", ac_jack["value"], "voltage", ref="J7")
    ac, ac_div = Net("AC_IN"), Net("AC_DIV")
    j_ac[ac_jack["signal_pin"]] += ac
    j_ac[ac_jack["return_pin"]] += agnd
    for p in j_ac.pins:
        if not p.nets:
            p += NC
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
    # The chip's own grounds are one: its DGND and PULL_LOW pins, and the returns of its local
    # parts (decoupling, crystal, RESET capacitor), go to the analog ground plane under it; DGND is
    # the host's ground, joined at the net tie (docs/circuit.md: supplies and grounds).
    decouple(vdd, "10u", agnd, "VDD decoupling")
    for name in ("AVDD", "DVDD", "REFIN/OUT"):
        net = Net(name.replace("/", "_"))
        net += pin[name]
        decouple(net, "4.7u", agnd, f"{name} decoupling")
    agnd += pin["AGND"], pin["EP"], pin["DGND"], pin["PULL_LOW"]
    vdd += pin["PULL_HIGH"]
    # AGND and DGND joined at one point.
    tie = part("Device", "NetTie_2", "NT", "AGND-DGND", None, footprint="NetTie:NetTie-2_SMD_Pad0.5mm")
    tie[1] += agnd
    tie[2] += dgnd

    # Crystal with its load capacitors (docs/circuit.md: clock).
    block("Clock", 1000)
    y1 = other("Device", "Crystal_GND24", "Y", f"{params.crystal_mhz:g}MHz", "crystal_mhz")
    clkin, clkout = Net("CLKIN"), Net("CLKOUT")
    clkin += pin["CLKIN"], y1[1]
    clkout += pin["CLKOUT"], y1[3]
    y1[2] += agnd
    y1[4] += agnd
    for net in (clkin, clkout):
        c = capacitor(LOAD_CAPACITOR, "crystal load")
        c[1] += net
        c[2] += agnd

    # RESET: pull-up and a small noise capacitor; the host drives it through a series resistor
    # that limits the capacitor's discharge into its GPIO (docs/circuit.md: reset).
    block("Reset and interrupts", 1100)
    reset, reset_host = Net("~{RESET}"), Net("HOST_RESET")
    reset += pin["~{RESET}"]
    r = resistor(10000, "RESET pull-up")
    r[1] += vdd
    r[2] += reset
    c = capacitor("100n", "RESET capacitor")
    c[1] += reset
    c[2] += agnd
    irq0, irq1 = Net("~{IRQ0}"), Net("~{IRQ1}")
    for net, name in ((irq0, "~{IRQ0}"), (irq1, "~{IRQ1}")):
        net += pin[name]
        r = resistor(10000, f"{name} pull-up")
        r[1] += vdd
        r[2] += net
    r = resistor(1000, "RESET series from the host")
    r[1] += reset_host
    r[2] += reset

    # The host: KiCad's own Feather symbol and footprint (one part that is the Feather); SPI by
    # default, I2C through the solder jumpers.
    block("Host: ESP32 Feather", 1200)
    host = params.host
    lib, name = host["symbol"].split(":", 1)
    a1 = other(lib, name, "A", host["value"], "host", ref=host["ref"])
    feather = {signal: a1[number] for signal, number in host["pins"].items()}
    vdd += feather["3V3"]
    dgnd += feather["GND"]
    sclk, mosi, ss = Net("SCLK_SCL"), Net("MOSI_SDA"), Net("~{SS}")
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
        # I2C needs pull-ups (the HUZZAH32 has none); in SPI mode they are placed but not fitted.
        r = resistor(params.i2c_pullup_ohm, f"i2c_pullup_ohm ({label} pull-up)")
        r[1] += vdd
        r[2] += ade_net
        if params.interface != "i2c":
            built.dnp.append(str(r.ref))
    Net("MISO").connect(pin["MISO/HSD"], feather["MISO"])
    ss += pin["~{SS}/HSA"], feather["SS"]
    # ~SS high while the host boots: its pins float until its firmware runs, and three edges on
    # ~SS would switch the ADE7816 to SPI for good.
    r = resistor(10000, "~SS pull-up")
    r[1] += vdd
    r[2] += ss
    irq0 += feather["IRQ0"]
    irq1 += feather["IRQ1"]
    reset_host += feather["RESET"]
    for p in a1.pins:
        if not p.nets:
            p += NC
    pin["HSCLK"] += NC  # HSDC is not used on this board

    block("Mechanical")
    for i in range(4):
        part("Mechanical", "MountingHole", "H", "MountingHole", None, footprint="MountingHole:MountingHole_3.2mm_M3")
    return built
