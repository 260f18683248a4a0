"""The example's own checks, registered like any package's (the `wattcad.checks` entry point): the
analog budget of every ADE7816 input, and the example's fab rules for its own boards' DRC."""
from __future__ import annotations

import functools
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wattcad.checks.project import Project
from wattcad.checks.registry import DEFAULT, Check, Context, register_check, register_rules
from wattcad.checks.result import CheckResult


def example_params(project: Project):
    """The example's board parameters when PROJECT is one of its boards, else None."""
    from wattcad.ade7816.params import load_board_params

    params = load_board_params()
    return params if project.name.startswith(params.name) else None


def example_rules(project: Project) -> dict | None:
    params = example_params(project)
    return params.pcb["rules"] if params is not None else None


@dataclass
class ChipNetwork:
    """What the example's checks read from a schematic with an ADE7816: KiCad's netlist of it (so a
    hand edit counts), the chip's reference and its pins' nets, and every two-pin R and C fitted."""

    chip: str
    net_of: dict[str, str]  # ADE7816 pin name -> net
    resistors: list
    capacitors: list
    pin_net: dict  # (reference, pin) -> net
    components: dict
    unread: list[str]  # values that are not a plain R or C


def read_chip_network(project: Project) -> ChipNetwork | None:
    """None when the project has no current schematic or no ADE7816 on it. Read once per schematic
    content: the analog, phase and reset checks share it."""
    if not project.schematic.is_file() or project.legacy:
        return None
    return _read_chip_network(project.schematic, project.schematic.stat().st_mtime_ns, project.schematic.stat().st_size)


@functools.lru_cache(maxsize=8)
def _read_chip_network(schematic: Path, mtime_ns: int, size: int) -> ChipNetwork | None:
    from wattcad.ade7816.analog import Capacitor, Resistor, parse_farad, parse_ohm
    from wattcad.ade7816.symbol import load_pin_table
    from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist

    table = load_pin_table()
    with tempfile.TemporaryDirectory(prefix="wattcad-analog-") as tmp:
        netlist = parse_netlist(export_kicad_netlist(schematic, Path(tmp) / "analog.net"))
    chips = sorted(r for r, c in netlist.components.items() if c.value.upper().startswith(table.part.upper()))
    if not chips:
        return None
    chip = chips[0]
    pin_net = netlist.pin_net()
    net_of = {netlist.pin_names.get(node, ""): net for node, net in pin_net.items() if node[0] == chip}
    resistors, capacitors, unread = [], [], []
    for ref, comp in sorted(netlist.components.items()):
        pins = {pin: net for (r, pin), net in pin_net.items() if r == ref}
        kind = ref.rstrip("0123456789")
        if kind not in ("R", "C") or len(pins) != 2 or "dnp" in comp.properties:
            continue
        (_, net_a), (_, net_b) = sorted(pins.items())
        value = (parse_ohm if kind == "R" else parse_farad)(comp.value)
        if value is None:
            unread.append(f"{ref} value {comp.value!r} is not a {'resistance' if kind == 'R' else 'capacitance'}")
        elif kind == "R":
            resistors.append(Resistor(ref, value, net_a, net_b))
        else:
            capacitors.append(Capacitor(ref, value, net_a, net_b))
    return ChipNetwork(chip, net_of, resistors, capacitors, pin_net, netlist.components, unread)


def _sources(network: ChipNetwork, params) -> list:
    """The CTs and the AC adapter, where the example's jacks are on the schematic."""
    from wattcad.ade7816.analog import Excitation

    connectors = ((params.ct_connector, "current", params.ct.worst_peak_a, "CT"),
                  (params.adapter_connector, "voltage", params.adapter.worst_peak_v, "AC adapter"))
    sources = []
    for ref, comp in sorted(network.components.items()):
        pins = {pin: net for (r, pin), net in network.pin_net.items() if r == ref}
        for connector, kind, peak, what in connectors:
            if comp.value == connector["value"] and connector["signal_pin"] in pins and connector["return_pin"] in pins:
                sources.append(Excitation(f"{ref} ({what})", kind, peak, pins[connector["signal_pin"]],
                                          pins[connector["return_pin"]]))
    return sources


def _ac_grounds(network: ChipNetwork, table) -> set[str]:
    return {network.net_of[n] for n in table.ac_ground_pins if n in network.net_of}


def _with_sources(project: Project, params, group: str, what: str):
    """What a check driven by the CT and adapter needs: (chip network, pin table, board parameters,
    each ADC input's nets), None; or None and the results to give instead (none without an ADE7816,
    a skip without source parameters)."""
    from wattcad.ade7816.symbol import load_pin_table

    network = read_chip_network(project)
    if network is None:
        return None, []
    params = params if params is not None else example_params(project)
    if params is None:
        return None, [CheckResult(group, f"{network.chip} {what}", "skip", "no analog source parameters for this "
                                  "project (wattcad's own: examples/ade7816/data/board.yaml)")]
    table = load_pin_table()
    inputs = {name: (network.net_of.get(p), network.net_of.get(n)) for name, (p, n) in table.adc_inputs.items()}
    return (network, table, params, inputs), None


def check_analog(project: Project, context: Context = DEFAULT, params=None) -> list[CheckResult]:
    """Every ADC input's worst-case peak as a share of full scale, from the schematic's own resistor
    values (KiCad's netlist of it, so a hand edit counts) and the board parameters' worst-case
    sources. Runs where the schematic has the chip of wattcad's pin table; the sources come from
    wattcad's board parameters (examples/ade7816/data/board.yaml) for its own boards."""
    from wattcad.ade7816.analog import input_budgets

    found, instead = _with_sources(project, params, "analog", "analog budget")
    if found is None:
        return instead
    network, table, params, inputs = found
    chip = network.chip
    results = []
    for b in input_budgets(network.resistors, _ac_grounds(network, table), _sources(network, params), inputs,
                           table.adc_inputs, params.full_scale_v_peak):
        over = b.fraction > params.headroom + 1e-9
        message = (f"{'-'.join(b.pins)}: worst case {b.peak_v * 1000:.0f} mV peak = {b.fraction:.0%} of full scale "
                   f"({params.full_scale_v_peak * 1000:.0f} mV), limit {params.headroom:.0%}; "
                   + (f"driven by {', '.join(b.driven_by)}" if b.driven_by else "no source (input unused)"))
        results.append(CheckResult("analog", f"{chip} input {b.name}", "fail" if over else "pass", message,
                                   [f"input {b.name} over its headroom: {message}"] if over else []))
    unread = [u for u in network.unread if u.split()[0].startswith("R")]
    if unread:
        results.append(CheckResult("analog", f"{chip} resistor values", "fail", "; ".join(unread), unread))
    return results


def check_phase(project: Project, context: Context = DEFAULT, params=None) -> list[CheckResult]:
    """Each current input's phase against the voltage input's at 50 and 60 Hz, from the schematic's
    actual R and C: filters of different corners make active power read wrong at low power factor
    (docs/circuit.md: anti-alias filter). Fails over PHASE_LIMIT_DEG at nominal values; the worst
    case over the parts' tolerances is reported beside it."""
    from wattcad.ade7816.analog import phase_mismatch

    found, instead = _with_sources(project, params, "phase", "V-I phase")
    if found is None:
        return instead
    network, table, params, inputs = found
    chip, grounds = network.chip, _ac_grounds(network, table)
    sources = _sources(network, params)
    voltage = next((s for s in sources if s.kind == "voltage"), None)
    if voltage is None or "V" not in inputs:
        return [CheckResult("phase", f"{chip} V-I phase", "skip", "no AC adapter on the voltage input")]
    from wattcad.ade7816.analog import solve_network

    def drives(source, pins) -> bool:
        volts = solve_network(network.resistors, grounds, source)
        return abs(volts.get(pins[0], 0.0) - volts.get(pins[1], 0.0)) > 1e-6 * source.peak

    results = []
    for name, pins in inputs.items():
        if name == "V":
            continue
        ct = next((s for s in sources if s.kind == "current" and drives(s, pins)), None)
        if ct is None:
            continue  # a depopulated channel: no current to be out of phase with
        m = phase_mismatch(network.resistors, network.capacitors, grounds, ("V", voltage, inputs["V"]), (name, ct, pins),
                           LINE_FREQUENCIES_HZ, R_TOLERANCE, C_TOLERANCE)
        over = max(m.nominal_deg.values()) > PHASE_LIMIT_DEG
        message = (f"V against {name} ({ct.label}): " + ", ".join(
            f"{m.nominal_deg[f]:.3f} deg at {f:g} Hz (worst case {m.worst_deg[f]:.3f})" for f in LINE_FREQUENCIES_HZ)
            + f"; limit {PHASE_LIMIT_DEG} deg nominal, tolerances R {R_TOLERANCE:.0%}, C {C_TOLERANCE:.0%}")
        results.append(CheckResult("phase", f"{chip} phase V-{name}", "fail" if over else "pass", message,
                                   [f"V and {name} filters out of phase: {message}"] if over else []))
    return results


def check_reset(project: Project, context: Context = DEFAULT, params=None) -> list[CheckResult]:
    """How long a host must hold RESET low for the pin to cross its logic-low threshold, from the
    schematic's pull-up, series resistor and capacitor: the minimum pulse a firmware must give. Fails
    where it exceeds the pulse of the firmware wattcad generates (its own boards) or, for any other
    board, the pulse ADI's driver gives."""
    from wattcad.ade7816.analog import ResetNetwork, firmware_reset_pulse_us
    from wattcad.ade7816.symbol import load_pin_table

    network = read_chip_network(project)
    table = load_pin_table()
    if network is None or not table.reset:
        return []
    facts, chip = table.reset, network.chip
    reset_net, supply_net = network.net_of.get(facts["pin"]), network.net_of.get(facts["supply_pin"])
    name = f"{chip} reset pulse"
    if reset_net is None:
        return [CheckResult("reset", name, "fail", f"{chip} pin {facts['pin']} is on no net: the chip never leaves reset",
                            [f"{facts['pin']} unconnected"])]
    grounds = _ac_grounds(network, table)
    pullups = [r for r in network.resistors if {r.net_a, r.net_b} == {reset_net, supply_net}]
    series = [r for r in network.resistors if reset_net in (r.net_a, r.net_b)
              and not ({r.net_a, r.net_b} - {reset_net}) <= grounds]
    caps = [c for c in network.capacitors if reset_net in (c.net_a, c.net_b) and ({c.net_a, c.net_b} - {reset_net}) <= grounds]
    up = 1.0 / sum(1.0 / r.ohm for r in pullups) if pullups else None
    drive = min((r.ohm for r in series), default=0.0)  # the host's pin: the lowest resistance off the supplies
    rc = ResetNetwork(facts["supply_v"], up, drive, sum(c.farad for c in caps))
    threshold = facts["logic_low_max_v"]
    need_us, worst_us = rc.low_time_s(threshold) * 1e6, rc.worst_low_time_s(threshold) * 1e6
    params = params if params is not None else example_params(project)
    if params is not None:
        pulse_us, whose = firmware_reset_pulse_us(params.reset, facts), "wattcad's generated firmware holds it"
    else:
        pulse_us, whose = facts["driver_low_us"], "ADI's no-OS driver holds it"
    parts = ", ".join([*(f"{r.ref} {r.ohm:g} ohm up" for r in pullups), *(f"{c.ref} {c.farad * 1e9:g} nF" for c in caps),
                       *([f"driven through {drive:g} ohm"] if drive else ["driven directly"])])
    if not math.isfinite(worst_us):
        message = f"RESET never falls below {threshold} V when driven low ({parts}): the pull-up is too strong"
        return [CheckResult("reset", name, "fail", message, [message])]
    message = (f"RESET needs {need_us:.1f} us low to fall below {threshold} V ({worst_us:.1f} us worst case; {parts}); "
               f"{whose} {pulse_us:g} us")
    over = worst_us > pulse_us
    return [CheckResult("reset", name, "fail" if over else "pass", message,
                        [f"RESET pulse too short: {message}"] if over else [])]


def check_decoupling(project: Project, context: Context = DEFAULT, params=None) -> list[CheckResult]:
    """Each ADE7816 supply pin's capacitors on the board (VDD, and the LDO outputs AVDD, DVDD and
    REFIN/OUT): the straight distance from the capacitor's pad on the pin's net to the pin's pad.
    A high-frequency capacitor (up to 1 uF) must sit within HF_LIMIT_MM, a bulk one within
    BULK_LIMIT_MM (docs/circuit.md: supplies and grounds). Every supply pin needs one of each."""
    from wattcad.ade7816.analog import parse_farad
    from wattcad.ade7816.symbol import load_pin_table

    if not project.board.is_file() or project.legacy:
        return []
    from wattcad.kicad.pcbnew_compat import pcbnew

    table = load_pin_table()
    board = pcbnew.LoadBoard(str(project.board))
    chip = next((fp for fp in board.GetFootprints() if fp.GetValue().upper().startswith(table.part.upper())), None)
    if chip is None:
        return []
    names = {p.number: p.name for p in table.pins}
    pins = {names.get(p.GetNumber()): p for p in chip.Pads() if names.get(p.GetNumber()) in SUPPLY_PINS}
    grounds = {p.GetNetname() for p in chip.Pads() if names.get(p.GetNumber()) in ("AGND", "DGND", "EP")}
    results = []
    for name in SUPPLY_PINS:
        pin = pins.get(name)
        if pin is None:
            continue
        found = []  # (distance mm, reference, value, farad)
        for fp in board.GetFootprints():
            pads = list(fp.Pads())
            if not fp.GetReference().startswith("C") or len(pads) != 2:
                continue
            on_net = [q for q in pads if q.GetNetname() == pin.GetNetname()]
            if not on_net or not any(q.GetNetname() in grounds for q in pads):
                continue
            d = on_net[0].GetPosition() - pin.GetPosition()
            found.append((math.hypot(pcbnew.ToMM(d.x), pcbnew.ToMM(d.y)), fp.GetReference(), fp.GetValue(),
                          parse_farad(fp.GetValue()) or 0.0))
        hf = sorted(f for f in found if 0 < f[3] <= 1e-6)
        bulk = sorted(f for f in found if f[3] > 1e-6)
        problems = []
        if not hf or hf[0][0] > HF_LIMIT_MM:
            problems.append(f"no high-frequency capacitor within {HF_LIMIT_MM} mm"
                            + (f" (nearest: {hf[0][1]} {hf[0][2]} at {hf[0][0]:.1f} mm)" if hf else ""))
        if not bulk or bulk[0][0] > BULK_LIMIT_MM:
            problems.append(f"no bulk capacitor within {BULK_LIMIT_MM} mm"
                            + (f" (nearest: {bulk[0][1]} {bulk[0][2]} at {bulk[0][0]:.1f} mm)" if bulk else ""))
        shown = ", ".join(f"{r} {v} at {dist:.1f} mm" for dist, r, v, _ in sorted(found)) or "no capacitor"
        message = f"{name} (pin {pin.GetNumber()}, {pin.GetNetname()}): {shown}"
        results.append(CheckResult("decoupling", f"{chip.GetReference()} {name} decoupling", "fail" if problems else "pass",
                                   message + ("; " + "; ".join(problems) if problems else ""),
                                   [f"{name}: {p}" for p in problems]))
    return results


SUPPLY_PINS = ("VDD", "AVDD", "DVDD", "REFIN/OUT")
# Pad to pin, straight: a 220 nF within 5 mm (its loop's inductance, a few nH, is what it is for); a
# bulk capacitor, a low-frequency reservoir, within 12 mm (MT-101: bulk capacitors may sit further).
HF_LIMIT_MM, BULK_LIMIT_MM = 5.0, 12.0
# The line frequencies a meter meets; the nominal mismatch the check allows (0.1 deg is 0.3 % of
# active power at power factor 0.5); the tolerances of the example's parts (parts.yaml: 1 % resistors,
# C0G capacitors at 5 %).
LINE_FREQUENCIES_HZ = (50.0, 60.0)
PHASE_LIMIT_DEG = 0.1
R_TOLERANCE, C_TOLERANCE = 0.01, 0.05


register_rules(example_rules)
register_check(Check("analog", check_analog, 40, whole=True))
register_check(Check("phase", check_phase, 41, whole=True))
register_check(Check("reset", check_reset, 42, whole=True))
register_check(Check("decoupling", check_decoupling, 43, whole=True))
