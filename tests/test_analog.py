"""The analog budget: resistor networks solved by hand-checkable cases, values as people write them,
and the budget catching a hand-edited burden (pure: no KiCad)."""
import math
import re

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


# --- phase and reset ----------------------------------------------------------------------
def test_capacitor_values_as_people_write_them():
    from wattcad.ade7816.analog import parse_farad

    assert parse_farad("22n") == pytest.approx(22e-9) and parse_farad("4u7") == pytest.approx(4.7e-6)
    assert parse_farad("100nF") == pytest.approx(1e-7) and parse_farad("20p") == pytest.approx(20e-12)
    assert parse_farad("1µF") == pytest.approx(1e-6)
    assert parse_farad("10k") is None and parse_farad("DNP") is None and parse_farad("4.7u7") is None


def _filters(v_series_ohm: float, divider_top_ohm: float = 61900):
    """The board's VP and IA inputs: a divider behind VP's filter, a split burden behind IA's."""
    from wattcad.ade7816.analog import Capacitor

    resistors = [Resistor("R801", divider_top_ohm, "AC_IN", "AC_DIV"), Resistor("R802", 1000, "AC_DIV", "AGND"),
                 Resistor("R803", v_series_ohm, "AC_DIV", "VP"), Resistor("R804", 1000, "AGND", "VN"),
                 Resistor("R101", 1.91, "TIP", "AGND"), Resistor("R102", 1.91, "AGND", "SLEEVE"),
                 Resistor("R103", 1000, "TIP", "IAP"), Resistor("R104", 1000, "SLEEVE", "IAN")]
    capacitors = [Capacitor(f"C{i}", 22e-9, net, "AGND") for i, net in enumerate(("VP", "VN", "IAP", "IAN"))]
    voltage = ("V", Excitation("J7", "voltage", 1.0, "AC_IN", "AGND"), ("VP", "VN"))
    current = ("IA", Excitation("J1", "current", 0.1, "TIP", "SLEEVE"), ("IAP", "IAN"))
    return resistors, capacitors, voltage, current


def test_phase_mismatch_of_unequal_filters_is_the_difference_of_their_lags():
    """VP behind the divider (984 ohm Thevenin) + 1 kOhm against IA's 1 kOhm (+ 1.91 ohm): by hand,
    atan(2 pi f R C) for each single-pole RC: 0.389 degree at 50 Hz, 0.467 at 60 Hz."""
    from wattcad.ade7816.analog import phase_mismatch

    resistors, capacitors, voltage, current = _filters(1000)
    m = phase_mismatch(resistors, capacitors, {"AGND"}, voltage, current)
    r_v = 61900 * 1000 / 62900 + 1000
    for f in (50.0, 60.0):
        by_hand = math.degrees(math.atan(2 * math.pi * f * r_v * 22e-9) - math.atan(2 * math.pi * f * 1001.91 * 22e-9))
        assert m.nominal_deg[f] == pytest.approx(by_hand, rel=1e-3)
        assert m.worst_deg[f] > m.nominal_deg[f]
    assert m.nominal_deg[50.0] == pytest.approx(0.389, abs=0.001) and m.nominal_deg[60.0] == pytest.approx(0.467, abs=0.001)


def test_vps_series_resistor_matched_to_the_divider_brings_the_phases_together():
    from wattcad.ade7816.analog import phase_mismatch
    from wattcad.ade7816.params import load_board_params

    params = load_board_params()
    assert params.voltage_series_ohm == pytest.approx(17.8)  # 1000 + 1.91 - 984.1 = 17.8 (E96)
    resistors, capacitors, voltage, current = _filters(params.voltage_series_ohm, params.divider_top_ohm)
    m = phase_mismatch(resistors, capacitors, {"AGND"}, voltage, current)
    assert max(m.nominal_deg.values()) < 0.001
    # 1 % resistors and 5 % C0G capacitors at opposite ends of their tolerances, as reported beside it.
    assert 0.03 < max(m.worst_deg.values()) < 0.1


def test_reset_low_time_by_hand():
    """10 kOhm up, 1 kOhm to the host driving low: RESET settles at 0.3 V with tau = (10k || 1k) C;
    it crosses 0.8 V after tau ln((3.3 - 0.3) / (0.8 - 0.3))."""
    from wattcad.ade7816.analog import ResetNetwork, reset_pulse_us

    for farad, need_us in ((100e-9, 162.9), (1e-9, 1.63)):
        net = ResetNetwork(3.3, 10e3, 1e3, farad)
        tau = farad * 10e3 * 1e3 / 11e3
        assert net.low_time_s(0.8) == pytest.approx(tau * math.log(3.0 / 0.5), rel=1e-9)
        assert net.low_time_s(0.8) * 1e6 == pytest.approx(need_us, rel=2e-3)
        assert net.low_time_s(0.8) < net.worst_low_time_s(0.8) < 1.2 * net.low_time_s(0.8)
    assert reset_pulse_us(ResetNetwork(3.3, 10e3, 1e3, 1e-9), 0.8, 10) == 20  # 2 x the chip's 10 us
    assert reset_pulse_us(ResetNetwork(3.3, 10e3, 1e3, 100e-9), 0.8, 10) == 370  # 2 x 181.6 us worst case
    assert ResetNetwork(3.3, 10e3, 0, 1e-6).low_time_s(0.8) == 0  # driven directly
    assert ResetNetwork(3.3, 1e3, 10e3, 1e-9).low_time_s(0.8) == math.inf  # the pull-up wins: never low
    with pytest.raises(ValueError, match="never falls"):
        reset_pulse_us(ResetNetwork(3.3, 1e3, 10e3, 1e-9), 0.8, 10)


@pytest.mark.kicad
def test_phase_and_reset_checks_fail_a_board_with_the_old_values(tmp_path):
    """The board as it was (VP behind 1 kOhm, 100 nF on RESET): both checks fail and say by how much;
    the project as wattcad generates it now passes both (tests/test_build.py)."""
    import yaml

    from wattcad.ade7816.checks import check_phase, check_reset
    from wattcad.ade7816.params import BOARD_PARAMS, load_board_params
    from wattcad.ade7816.schematic import generate_project
    from wattcad.checks.project import find_project

    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["filter"]["voltage_series_ohm"] = 1000
    data["reset"]["capacitor"] = "100n"
    old = tmp_path / "board.yaml"
    old.write_text(yaml.safe_dump(data))
    result = generate_project(tmp_path / "old" / data["name"], old)
    project = find_project(result.schematic.parent)
    current = load_board_params()  # the firmware wattcad generates is the current board's
    phases = check_phase(project, params=current)
    assert len(phases) == 6 and all(r.status == "fail" for r in phases)
    assert "0.389 deg at 50 Hz" in phases[0].message and "0.467 deg at 60 Hz" in phases[0].message
    (reset,) = check_reset(project, params=current)
    assert reset.status == "fail" and "RESET needs 162.9 us" in reset.message and "holds it 20 us" in reset.message
    assert "C1101 100 nF" in reset.message
    # The same schematic as someone else's project: held to ADI's driver's 10 us pulse.
    other = tmp_path / "meter"
    other.mkdir()
    for suffix in (".kicad_sch", ".kicad_pro"):
        (other / f"meter{suffix}").write_bytes(result.schematic.with_suffix(suffix).read_bytes())
    (theirs,) = check_reset(find_project(other))
    assert theirs.status == "fail" and "ADI's no-OS driver holds it 10 us" in theirs.message


@pytest.mark.kicad
def test_decoupling_check_names_a_capacitor_moved_away_from_its_pin(tmp_path):
    """The committed board passes (VDD's 220 nF at 4.8 mm, its 10 uF at 10.4 mm); VDD's 220 nF moved
    20 mm away fails, naming it and the distance."""
    import shutil

    import pcbnew

    from wattcad.ade7816.checks import check_decoupling
    from wattcad.ade7816.pcb_project import BOARDS_DIR
    from wattcad.checks.project import find_project

    for suffix in (".kicad_pcb", ".kicad_pro"):
        shutil.copy(BOARDS_DIR / f"wattcad-ade7816{suffix}", tmp_path / f"wattcad-ade7816{suffix}")
    results = {r.name: r for r in check_decoupling(find_project(tmp_path))}
    assert sorted(results) == [f"U1 {n} decoupling" for n in ("AVDD", "DVDD", "REFIN/OUT", "VDD")]
    assert all(r.status == "pass" for r in results.values())
    vdd = results["U1 VDD decoupling"].message
    distances = {ref: float(mm) for ref, mm in re.findall(r"(C\d+) \S+ at ([\d.]+) mm", vdd)}
    assert distances["C902"] <= 5.0 and distances["C901"] <= 12.0

    board = pcbnew.LoadBoard(str(tmp_path / "wattcad-ade7816.kicad_pcb"))
    c902 = board.FindFootprintByReference("C902")
    c902.SetPosition(c902.GetPosition() + pcbnew.VECTOR2I(pcbnew.FromMM(20), 0))
    pcbnew.SaveBoard(str(tmp_path / "wattcad-ade7816.kicad_pcb"), board)
    moved = {r.name: r for r in check_decoupling(find_project(tmp_path))}["U1 VDD decoupling"]
    assert moved.status == "fail" and "no high-frequency capacitor within 5.0 mm (nearest: C902 220n at" in moved.message
