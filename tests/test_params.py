"""The circuit's arithmetic, in plain Python."""
import math

import pytest
import yaml

from wattcad.ade7816.analog import AdapterSource, CtSource, burden_ohm, divider_top_ohm
from wattcad.ade7816.params import BOARD_PARAMS, PARTS_CATALOGUE, PartsCatalogue, e96, format_ohm, load_board_params
from wattcad.core.errors import InputError


def test_burden_keeps_the_worst_case_within_headroom_and_rounds_down():
    # SCT-013-000 50 mA rms, read 3 % high, crest factor 2, 80 % of 0.5 V peak -> 3.88 ohm ideal.
    ct = CtSource(0.050, 0.03, 2.0)
    r = burden_ohm(ct, 0.5, 0.8)
    assert r == pytest.approx(3.83)
    assert ct.worst_peak_a * r <= 0.8 * 0.5
    assert ct.worst_peak_a * r >= 0.8 * 0.5 * 0.97  # and not much lower: the E96 step is 2 %
    half = burden_ohm(ct, 0.5, 0.8, parts=2)
    assert half == pytest.approx(1.91) and ct.worst_peak_a * 2 * half <= 0.4


def test_divider_keeps_an_unloaded_adapter_at_high_mains_within_headroom():
    adapter = AdapterSource(12.0, 1.33, 0.10)
    assert adapter.worst_peak_v == pytest.approx(12 * 1.33 * 1.1 * math.sqrt(2))
    top = divider_top_ohm(adapter, 1000, 0.5, 0.8)
    assert top == pytest.approx(61900)
    assert adapter.worst_peak_v * 1000 / (1000 + top) <= 0.4
    # The old 36.5k divider, sized for 12 V + 10 % only, clips on the same adapter (issue 11).
    assert adapter.worst_peak_v * 1000 / (1000 + 36500) > 0.5


def test_board_params_derive_every_value():
    p = load_board_params()
    a, d = p.channel("A"), p.channel("D")
    assert a.differential and a.burden_half_ohm == pytest.approx(1.91) and a.burden_ohm == pytest.approx(3.82)
    assert not d.differential and d.burden_half_ohm is None and d.burden_ohm == pytest.approx(3.83)
    for ch in p.channels:
        assert p.ct.worst_peak_a * ch.burden_ohm <= p.headroom * p.full_scale_v_peak
    assert p.adapter.worst_peak_v * 1000 / (1000 + p.divider_top_ohm) <= p.headroom * p.full_scale_v_peak
    assert p.host["pins"]["RESET"] == "20"  # IO32: no ESP32 strapping pin


def test_e96_and_formatting():
    assert e96(7.07, "down") == pytest.approx(6.98)
    assert e96(36300, "up") == pytest.approx(36500)
    assert e96(1000, "down") == pytest.approx(1000)
    assert [format_ohm(v) for v in (3.48, 1000, 36500, 1e6)] == ["3.48", "1k", "36.5k", "1M"]


@pytest.mark.parametrize("edit, field", [
    (lambda d: d["channels"]["B"].update(burden_ohm=-4.7), "channels.B.burden_ohm"),
    (lambda d: d["ct"].update(rated_secondary_a_rms=0), "ct.rated_secondary_a_rms"),
    (lambda d: d.update(interface="uart"), "interface"),
    (lambda d: d["channels"].pop("E"), "channels.E"),
    (lambda d: d["voltage"].update(mains_tolerance=1.5), "voltage.mains_tolerance"),
    (lambda d: d["voltage"].update(unloaded_rise=0.9), "voltage.unloaded_rise"),
    (lambda d: d["ct"].update(crest_factor=0.5), "ct.crest_factor"),
    (lambda d: d["ct"].update(ratio_tolerance="3 %"), "ct.ratio_tolerance"),
    (lambda d: d["adc"].update(headroom=1.5), "adc.headroom"),
    (lambda d: d["host"]["pins"].pop("RESET"), "host.pins.RESET"),
    (lambda d: d["host"]["pins"].update(RESET=23), "host.pins"),
    (lambda d: d["ct"]["connector"].pop("signal_pin"), "ct.connector.signal_pin"),
    (lambda d: d["ct"].update(crest_facter=2.0), "ct.crest_facter"),
    (lambda d: d["pcb"]["rules"].update(min_drill_mm=0), "pcb.rules.min_drill_mm"),
    (lambda d: d["pcb"]["netclasses"]["Power"].update(via_drill_mm="0.3 mm"), "pcb.netclasses.Power.via_drill_mm"),
    (lambda d: d["pcb"]["routing"]["ground_nets"].append(None), "pcb.routing.ground_nets[1]"),
])
def test_bad_board_parameters_name_file_and_field(tmp_path, edit, field):
    data = yaml.safe_load(BOARD_PARAMS.read_text())
    edit(data)
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        load_board_params(path)
    assert str(path) in str(info.value) and field in str(info.value)


def test_bad_parameters_say_unit_and_limits(tmp_path):
    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["voltage"]["unloaded_rise"] = 0.9
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"voltage.unloaded_rise: must be a number, >= 1; .*reads no lower\) \(value: 0.9\)"):
        load_board_params(path)
    data = yaml.safe_load(PARTS_CATALOGUE.read_text())
    data["capacitors"][1]["farad"] = -22e-9
    path = tmp_path / "parts.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"parts.yaml: capacitors\[1\].farad: must be a number in F, > 0"):
        PartsCatalogue(path)


def test_catalogue_makes_every_e96_and_e24_value_in_range_and_refuses_others():
    cat = PartsCatalogue()
    assert cat.resistor(3.48, "x").mpn == "Yageo RC0603FR-073R48L"
    assert cat.resistor(61900, "x").mpn == "Yageo RC0603FR-0761K9L"
    assert cat.resistor(4700, "x").mpn == "Yageo RC0603FR-074K7L"  # E24
    with pytest.raises(InputError, match="no resistor of 4.98 ohm"):
        cat.resistor(4.98, "channels.A burden")
    with pytest.raises(InputError, match="no resistor of 0.5 ohm"):
        cat.resistor(0.5, "channels.A burden")
    assert cat.capacitor_of(22e-9, "filter.shunt_farad").value == "22n"
    with pytest.raises(InputError, match="filter.shunt_farad"):
        cat.capacitor_of(23e-9, "filter.shunt_farad")
    with pytest.raises(InputError, match="unknown part"):
        cat.other("ADE7878", "pins")
