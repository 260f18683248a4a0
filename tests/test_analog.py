"""The analog budget: resistor networks solved by hand-checkable cases, values as people write them,
and the budget catching a hand-edited burden (pure: no KiCad)."""
import math

import pytest

from wattcad.ade7816.analog import Excitation, Resistor, input_budgets, parse_ohm, preferred, solve_network


@pytest.mark.parametrize("text, ohm", [("3.83", 3.83), ("1k", 1000), ("61.9k", 61900), ("4k7", 4700), ("4R7", 4.7),
                                       ("2M2", 2.2e6), ("10 Ω", 10), ("100ohm", 100), ("1.91", 1.91)])
def test_resistor_values_as_people_write_them(text, ohm):
    assert parse_ohm(text) == pytest.approx(ohm)


@pytest.mark.parametrize("text", ["DNP", "", "ADE7816", "10uF", "1.5k7"])
def test_values_that_are_not_resistances(text):
    assert parse_ohm(text) is None


def test_preferred_values_round_the_safe_way():
    assert preferred(3.883, "down") == pytest.approx(3.83)
    assert preferred(57337, "up") == pytest.approx(57600)
    assert preferred(4650, "up", "E24") == pytest.approx(4700)


def _ct_channel(burden_half: float) -> list[Resistor]:
    """A differential channel as the board has it: tip-Rb-AGND-Rb-sleeve, 1k into each ADC pin."""
    return [Resistor("R101", burden_half, "TIP", "AGND"), Resistor("R102", burden_half, "AGND", "SLEEVE"),
            Resistor("R103", 1000, "TIP", "IAP"), Resistor("R104", 1000, "SLEEVE", "IAN")]


def test_current_source_into_a_split_burden_gives_i_times_r():
    volts = solve_network(_ct_channel(1.91), {"AGND"}, Excitation("J1", "current", 0.103, "TIP", "SLEEVE"))
    assert volts["IAP"] - volts["IAN"] == pytest.approx(0.103 * 3.82, rel=1e-5)
    assert volts["TIP"] == pytest.approx(0.103 * 1.91, rel=1e-5)  # the filter resistor carries no current


def test_voltage_divider_and_its_filter():
    resistors = [Resistor("R801", 61900, "AC_IN", "AC_DIV"), Resistor("R802", 1000, "AC_DIV", "AGND"),
                 Resistor("R803", 1000, "AC_DIV", "VP"), Resistor("R804", 1000, "AGND", "VN")]
    volts = solve_network(resistors, {"AGND"}, Excitation("J7", "voltage", 24.83, "AC_IN", "AGND"))
    assert volts["VP"] - volts["VN"] == pytest.approx(24.83 * 1000 / 62900, rel=1e-5)


def test_budget_names_the_channel_a_10_ohm_burden_pushes_over():
    inputs = {"IA": ("IAP", "IAN"), "ID": ("IDP", "IN")}
    names = {"IA": ("IAP", "IAN"), "ID": ("IDP", "IN")}
    resistors = _ct_channel(1.91) + [Resistor("R401", 10.0, "TIP_D", "AGND"), Resistor("R402", 1000, "TIP_D", "IDP"),
                                     Resistor("R701", 1000, "AGND", "IN")]
    sources = [Excitation("J1 (CT)", "current", 0.103, "TIP", "SLEEVE"),
               Excitation("J4 (CT)", "current", 0.103, "TIP_D", "AGND")]
    ia, id_ = input_budgets(resistors, {"AGND"}, sources, inputs, names, 0.5)
    assert ia.fraction == pytest.approx(0.103 * 3.82 / 0.5, rel=1e-5) and ia.driven_by == ["J1 (CT)"]
    assert id_.fraction == pytest.approx(0.103 * 10 / 0.5, rel=1e-5) and id_.driven_by == ["J4 (CT)"]
    assert id_.fraction > 0.8 >= ia.fraction


def test_an_unused_input_reads_nothing():
    inputs = {"IB": ("IBP", "IBN")}
    resistors = [Resistor("R203", 1000, "AGND", "IBP"), Resistor("R204", 1000, "AGND", "IBN")]
    (ib,) = input_budgets(resistors, {"AGND"}, [Excitation("J1", "current", 0.1, "TIP", "AGND")], inputs,
                          {"IB": ("IBP", "IBN")}, 0.5)
    assert ib.peak_v == 0 and ib.driven_by == [] and not math.isnan(ib.fraction)
