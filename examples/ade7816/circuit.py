"""The ADE7816 board as a SKiDL circuit, following the reference circuit in docs/circuit.md (the
datasheet's test circuit and three public ADE7816 boards), with values from examples/ade7816/data/board.yaml
and parts from examples/ade7816/data/parts.yaml. Builds into SKiDL's default circuit; the caller generates
files from it."""
from __future__ import annotations

import builtins
import os
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.footprints.generate import LIBRARY_NAME, footprint_name
from wattcad.footprints.spec import find_spec
from wattcad.kicad.erc import STOCK_SYMBOLS

from .params import BoardParams, Channel, PartsCatalogue
from .symbol import PinTable

# Crystal load capacitors: docs/circuit.md (clock) derives them from the crystal's load capacitance.
LOAD_CAPACITOR = "20p"

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
    """Create every part and net in SKiDL's default circuit (which the caller resets first), block
    by block as the schematic shows them (schematic.py BLOCK_ORDER). The order stays as it
    is: SKiDL numbers parts and lists nets in the order they are made."""
    os.environ.setdefault("KICAD9_SYMBOL_DIR", str(STOCK_SYMBOLS))
    import skidl

    skidl.set_default_tool(skidl.KICAD9)
    skidl.empty_footprint_handler = _virtual_parts_only
    skidl.lib_search_paths[skidl.KICAD9] = [str(symbol_dir), str(STOCK_SYMBOLS)]
    c = _Builder(params, catalogue)
    _power_flags(c)
    _ade7816(c, pin_table)
    for ch in params.channels:
        _current_channel(c, ch)
    _in_common(c)
    _voltage_channel(c)
    _supplies(c)
    _clock(c)
    host_nets = _reset_and_interrupts(c)
    _host(c, host_nets)
    _mechanical(c)
    return c.built


class _Builder:
    """What every block builds with: the part factory (references numbered per block), the shared
    nets and, once `_ade7816` has made the chip, its pins by name."""

    def __init__(self, params: BoardParams, catalogue: PartsCatalogue):
        from skidl import Net, Part

        self.net, self._part = Net, Part
        self.nc = builtins.NC  # SKiDL publishes its default circuit's no-connect net there
        self.params, self.catalogue = params, catalogue
        self.built = BuiltCircuit(params)
        self._counters: dict[tuple[str, int], int] = {}
        self._block, self._base = "Supplies", 0
        self.agnd, self.dgnd, self.vdd = Net("AGND"), Net("DGND"), Net("+3V3")
        self.pin: dict = {}  # ADE7816 pin name -> its SKiDL pin
        self._shunt = catalogue.capacitor_of(params.filter_shunt_farad, "filter.shunt_farad").value

    def block(self, name: str, base: int = 0) -> None:
        """Passives are numbered from the block's base (R101.. for channel A), so references stay
        put when another block changes: a depopulated channel renumbers nothing on the board."""
        self._block, self._base = name, base

    def count(self, prefix: str, base: int, parts: int = 1) -> int:
        """Take PARTS more numbers of PREFIX from BASE; the last one taken."""
        key = (prefix, base)
        self._counters[key] = self._counters.get(key, 0) + parts
        return self._counters[key]

    def part(self, lib: str, name: str, prefix: str, value: str, package: str | None, mpn: str = "",
             footprint: str = "", ref: str | None = None):
        if ref is None:
            base = self._base if prefix in ("R", "C") else 0
            ref = f"{prefix}{base + self.count(prefix, base)}"
        fp = footprint or (_footprint_for(package) if package else "")
        p = self._part(lib, name, ref=ref, value=value, footprint=fp, tag=ref)
        self.built.block[ref] = self._block
        if mpn:
            self.built.mpn[ref] = mpn
        if package:
            self.built.package[ref] = package
        return p

    def flag(self, net) -> None:
        """A power flag (schematic only) on NET, for ERC: it is driven from off the board."""
        ref = f"#FLG_{net.name.strip('+')}"
        self._part("power", "PWR_FLAG", ref=ref, tag=ref)[1] += net
        self.built.block[ref] = "Supplies"

    def resistor(self, ohm: float, why: str):
        entry = self.catalogue.resistor(ohm, why)
        return self.part("Device", "R", "R", entry.value, entry.package, entry.mpn)

    def capacitor(self, value: str, why: str):
        entry = self.catalogue.capacitor(value, why)
        return self.part("Device", "C", "C", entry.value, entry.package, entry.mpn)

    def other(self, lib: str, name: str, prefix: str, value: str, why: str, ref: str | None = None):
        entry = self.catalogue.other(value, why)
        return self.part(lib, name, prefix, value, entry.package, entry.mpn, ref=ref)

    @staticmethod
    def between(two_pin, first, second) -> None:
        """A two-pin part from net FIRST to net SECOND."""
        two_pin[1] += first
        two_pin[2] += second

    def rest_unconnected(self, part) -> None:
        """PART's pins left without a net, marked unconnected (ERC then expects none)."""
        for p in part.pins:
            if not p.nets:
                p += self.nc

    def anti_alias(self, source, adc_pin, label: str, series_ohm: float | None = None) -> None:
        """Series R + shunt C to AGND in front of every analog input (filter.* in board.yaml)."""
        r = self.resistor(series_ohm or self.params.filter_series_ohm, f"filter of {label}")
        c = self.capacitor(self._shunt, f"filter of {label}")
        node = self.net(label)
        self.between(r, source, node)
        self.between(c, node, self.agnd)
        node += adc_pin

    def decouple(self, net, bulk: str, why: str) -> None:
        """A bulk and a 220n capacitor from NET to AGND, as on the reference boards."""
        for value in (bulk, "220n"):
            self.between(self.capacitor(value, why), net, self.agnd)


def _power_flags(c: _Builder) -> None:
    for net in (c.agnd, c.dgnd, c.vdd):
        c.flag(net)


def _ade7816(c: _Builder, pin_table: PinTable) -> None:
    c.block("ADE7816")
    u1 = c.other(pin_table.path.stem.split("_")[0], pin_table.part, "U", pin_table.part, "pins")
    c.pin = {p.name: u1[p.number] for p in pin_table.pins if p.type != "no_connect"}


def _current_channel(c: _Builder, ch: Channel) -> None:
    """A CT on a 3.5 mm jack with its burden; A-C differential, the burden split in two with its
    midpoint on AGND; D-F single-ended against IN."""
    index = "ABCDEF".index(ch.name) + 1
    c.block(f"Current channel {ch.name}", 100 * index)
    p_pin = c.pin[f"I{ch.name}P"]
    if not ch.populated:
        # Keep the burden's reference numbers free, so the filter parts keep theirs.
        c.count("R", 100 * index, 2 if ch.differential else 1)
        # Unused: both inputs to AGND through their filters keeps the ADC input defined.
        c.anti_alias(c.agnd, p_pin, f"I{ch.name}P")
        if ch.differential:
            c.anti_alias(c.agnd, c.pin[f"I{ch.name}N"], f"I{ch.name}N")
        return
    ct_jack = c.params.ct_connector
    jack = c.other("Connector_Audio", "AudioJack3", "J", ct_jack["value"], f"channels.{ch.name}", ref=f"J{index}")
    tip = c.net(f"CT_{ch.name}_TIP")
    sleeve = c.net(f"CT_{ch.name}_SLEEVE") if ch.differential else c.agnd
    jack[ct_jack["signal_pin"]] += tip
    jack[ct_jack["return_pin"]] += sleeve
    c.rest_unconnected(jack)  # SCT-013 plugs use tip and sleeve only
    if ch.differential:
        why = f"channels.{ch.name} burden"
        rb1, rb2 = c.resistor(ch.burden_half_ohm, why), c.resistor(ch.burden_half_ohm, why)
        c.between(rb1, tip, c.agnd)
        c.between(rb2, c.agnd, sleeve)
        c.anti_alias(tip, p_pin, f"I{ch.name}P")
        c.anti_alias(sleeve, c.pin[f"I{ch.name}N"], f"I{ch.name}N")
    else:
        c.between(c.resistor(ch.burden_ohm, f"channels.{ch.name} burden"), tip, sleeve)
        c.anti_alias(tip, p_pin, f"I{ch.name}P")


def _in_common(c: _Builder) -> None:
    """IN: the shared negative input of D-F, filtered from AGND like the others."""
    c.block("IN: common of D-F", 700)
    c.anti_alias(c.agnd, c.pin["IN"], "IN")


def _voltage_channel(c: _Builder) -> None:
    """AC-AC adapter on a barrel jack, divider, filter."""
    c.block("Voltage channel", 800)
    ac_jack = c.params.adapter_connector
    j_ac = c.other("Connector", "Barrel_Jack_Switch", "J", ac_jack["value"], "voltage", ref="J7")
    ac, ac_div = c.net("AC_IN"), c.net("AC_DIV")
    j_ac[ac_jack["signal_pin"]] += ac
    j_ac[ac_jack["return_pin"]] += c.agnd
    c.rest_unconnected(j_ac)
    r_top = c.resistor(c.params.divider_top_ohm, "voltage divider top")
    r_bot = c.resistor(c.params.divider_bottom_ohm, "voltage divider bottom")
    c.between(r_top, ac, ac_div)
    c.between(r_bot, ac_div, c.agnd)
    c.anti_alias(ac_div, c.pin["VP"], "VP", c.params.voltage_series_ohm)
    c.anti_alias(c.agnd, c.pin["VN"], "VN")


def _supplies(c: _Builder) -> None:
    """Supplies and reference, decoupled as on the reference boards; AGND and DGND joined at one point."""
    c.block("Supplies", 900)
    c.vdd += c.pin["VDD"]
    # The chip's own grounds are one: its DGND and PULL_LOW pins, and the returns of its local
    # parts (decoupling, crystal, RESET capacitor), go to the analog ground plane under it; DGND is
    # the host's ground, joined at the net tie (docs/circuit.md: supplies and grounds).
    c.decouple(c.vdd, "10u", "VDD decoupling")
    for name in ("AVDD", "DVDD", "REFIN/OUT"):
        net = c.net(name.replace("/", "_"))
        net += c.pin[name]
        c.decouple(net, "4.7u", f"{name} decoupling")
    c.agnd += c.pin["AGND"], c.pin["EP"], c.pin["DGND"], c.pin["PULL_LOW"]
    c.vdd += c.pin["PULL_HIGH"]
    tie = c.part("Device", "NetTie_2", "NT", "AGND-DGND", None, footprint="NetTie:NetTie-2_SMD_Pad0.5mm")
    c.between(tie, c.agnd, c.dgnd)


def _clock(c: _Builder) -> None:
    """Crystal with its load capacitors (docs/circuit.md: clock)."""
    c.block("Clock", 1000)
    y1 = c.other("Device", "Crystal_GND24", "Y", f"{c.params.crystal_mhz:g}MHz", "crystal_mhz")
    clkin, clkout = c.net("CLKIN"), c.net("CLKOUT")
    clkin += c.pin["CLKIN"], y1[1]
    clkout += c.pin["CLKOUT"], y1[3]
    y1[2] += c.agnd
    y1[4] += c.agnd
    for net in (clkin, clkout):
        c.between(c.capacitor(LOAD_CAPACITOR, "crystal load"), net, c.agnd)


def _reset_and_interrupts(c: _Builder) -> dict:
    """RESET: pull-up and a small noise capacitor; the host drives it through a series resistor
    that limits the capacitor's discharge into its GPIO (docs/circuit.md: reset). The IRQs pulled
    up. Returns the nets the host connects to, by its signal names (host.pins in board.yaml)."""
    c.block("Reset and interrupts", 1100)
    reset, reset_host = c.net("~{RESET}"), c.net("HOST_RESET")
    reset += c.pin["~{RESET}"]
    network = c.params.reset
    c.between(c.resistor(network["pullup_ohm"], "reset.pullup_ohm"), c.vdd, reset)
    c.between(c.capacitor(network["capacitor"], "reset.capacitor"), reset, c.agnd)
    irq0, irq1 = c.net("~{IRQ0}"), c.net("~{IRQ1}")
    for net, name in ((irq0, "~{IRQ0}"), (irq1, "~{IRQ1}")):
        net += c.pin[name]
        c.between(c.resistor(10000, f"{name} pull-up"), c.vdd, net)
    c.between(c.resistor(network["series_ohm"], "reset.series_ohm"), reset_host, reset)
    return {"IRQ0": irq0, "IRQ1": irq1, "RESET": reset_host}


def _host(c: _Builder, host_nets: dict) -> None:
    """The host: KiCad's own Feather symbol and footprint (one part that is the Feather); SPI by
    default, I2C through the solder jumpers."""
    c.block("Host: ESP32 Feather", 1200)
    host = c.params.host
    lib, name = host["symbol"].split(":", 1)
    a1 = c.other(lib, name, "A", host["value"], "host", ref=host["ref"])
    feather = {signal: a1[number] for signal, number in host["pins"].items()}
    c.vdd += feather["3V3"]
    c.dgnd += feather["GND"]
    sclk, mosi, ss = c.net("SCLK_SCL"), c.net("MOSI_SDA"), c.net("~{SS}")
    sclk += c.pin["SCLK/SCL"]
    mosi += c.pin["MOSI/SDA"]
    for ade_net, spi, i2c, label in ((sclk, "SCK", "SCL", "SCLK"), (mosi, "MOSI", "SDA", "MOSI")):
        _interface_jumper(c, feather, ade_net, spi, i2c, label)
    c.net("MISO").connect(c.pin["MISO/HSD"], feather["MISO"])
    ss += c.pin["~{SS}/HSA"], feather["SS"]
    # ~SS high while the host boots: its pins float until its firmware runs, and three edges on
    # ~SS would switch the ADE7816 to SPI for good.
    c.between(c.resistor(10000, "~SS pull-up"), c.vdd, ss)
    for signal, net in host_nets.items():
        net += feather[signal]
    c.rest_unconnected(a1)
    c.pin["HSCLK"] += c.nc  # HSDC is not used on this board


def _interface_jumper(c: _Builder, feather: dict, ade_net, spi: str, i2c: str, label: str) -> None:
    """A solder jumper that puts ADE_NET on the host's SPI or I2C pin, and the net's I2C pull-up."""
    # Pads 1-2 come bridged: the interface chosen in board.yaml goes on pad 1.
    first, second = (spi, i2c) if c.params.interface == "spi" else (i2c, spi)
    jp = c.part("Jumper", "SolderJumper_3_Bridged12", "JP", f"{label} {first}|{second}", None,
                footprint="Jumper:SolderJumper-3_P1.3mm_Bridged12_RoundedPad1.0x1.5mm")
    jp[2] += ade_net
    c.net(f"FEATHER_{first}").connect(jp[1], feather[first])
    c.net(f"FEATHER_{second}").connect(jp[3], feather[second])
    # I2C needs pull-ups (the HUZZAH32 has none); in SPI mode they are placed but not fitted.
    r = c.resistor(c.params.i2c_pullup_ohm, f"i2c_pullup_ohm ({label} pull-up)")
    c.between(r, c.vdd, ade_net)
    if c.params.interface != "i2c":
        c.built.dnp.append(str(r.ref))


def _mechanical(c: _Builder) -> None:
    c.block("Mechanical")
    for _ in range(4):
        c.part("Mechanical", "MountingHole", "H", "MountingHole", None, footprint="MountingHole:MountingHole_3.2mm_M3")
