"""The example's own checks, registered like any package's (the `wattcad.checks` entry point): the
analog budget of every ADE7816 input, and the example's fab rules for its own boards' DRC."""
from __future__ import annotations

import tempfile
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


def check_analog(project: Project, context: Context = DEFAULT, params=None) -> list[CheckResult]:
    """Every ADC input's worst-case peak as a share of full scale, from the schematic's own resistor
    values (KiCad's netlist of it, so a hand edit counts) and the board parameters' worst-case
    sources. Runs where the schematic has the chip of wattcad's pin table; the sources come from
    wattcad's board parameters (examples/ade7816/data/board.yaml) for its own boards."""
    from wattcad.ade7816.analog import Excitation, Resistor, input_budgets, parse_ohm
    from wattcad.ade7816.symbol import load_pin_table
    from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist

    if not project.schematic.is_file() or project.legacy:
        return []
    table = load_pin_table()
    with tempfile.TemporaryDirectory(prefix="wattcad-analog-") as tmp:
        netlist = parse_netlist(export_kicad_netlist(project.schematic, Path(tmp) / "analog.net"))
    chips = sorted(r for r, c in netlist.components.items() if c.value.upper().startswith(table.part.upper()))
    if not chips:
        return []
    chip = chips[0]
    params = params if params is not None else example_params(project)
    if params is None:
        return [CheckResult("analog", f"{chip} analog budget", "skip",
                            "no analog source parameters for this project (wattcad's own: examples/ade7816/data/board.yaml)")]
    pin_net = netlist.pin_net()
    net_of = {netlist.pin_names.get(node, ""): net for node, net in pin_net.items() if node[0] == chip}
    inputs = {name: (net_of.get(p), net_of.get(n)) for name, (p, n) in table.adc_inputs.items()}
    grounds = {net_of[n] for n in table.ac_ground_pins if n in net_of}
    connectors = ((params.ct_connector, "current", params.ct.worst_peak_a, "CT"),
                  (params.adapter_connector, "voltage", params.adapter.worst_peak_v, "AC adapter"))
    resistors, sources, unread = [], [], []
    for ref, comp in sorted(netlist.components.items()):
        pins = {pin: net for (r, pin), net in pin_net.items() if r == ref}
        if ref.rstrip("0123456789") == "R" and len(pins) == 2 and "dnp" not in comp.properties:
            ohm = parse_ohm(comp.value)
            if ohm is None:
                unread.append(f"{ref} value {comp.value!r} is not a resistance")
            else:
                (_, net_a), (_, net_b) = sorted(pins.items())
                resistors.append(Resistor(ref, ohm, net_a, net_b))
        for connector, kind, peak, what in connectors:
            if comp.value == connector["value"] and connector["signal_pin"] in pins and connector["return_pin"] in pins:
                sources.append(Excitation(f"{ref} ({what})", kind, peak, pins[connector["signal_pin"]],
                                          pins[connector["return_pin"]]))
    results = []
    for b in input_budgets(resistors, grounds, sources, inputs, table.adc_inputs, params.full_scale_v_peak):
        over = b.fraction > params.headroom + 1e-9
        message = (f"{'-'.join(b.pins)}: worst case {b.peak_v * 1000:.0f} mV peak = {b.fraction:.0%} of full scale "
                   f"({params.full_scale_v_peak * 1000:.0f} mV), limit {params.headroom:.0%}; "
                   + (f"driven by {', '.join(b.driven_by)}" if b.driven_by else "no source (input unused)"))
        results.append(CheckResult("analog", f"{chip} input {b.name}", "fail" if over else "pass", message,
                                   [f"input {b.name} over its headroom: {message}"] if over else []))
    if unread:
        results.append(CheckResult("analog", f"{chip} resistor values", "fail", "; ".join(unread), unread))
    return results


register_rules(example_rules)
register_check(Check("analog", check_analog, 40, whole=True))
