"""The circuit's arithmetic, in plain Python."""
import math

import pytest
import yaml

from wattcad.errors import InputError
from wattcad.kicad.params import BOARD_PARAMS, PartsCatalogue, burden_ohm, e96, format_ohm, load_board_params


def test_burden_gives_full_scale_at_rated_current_without_clipping():
    # SCT-013-000: 50 mA rms at 100 A; 0.5 V peak full scale -> 7.07 ohm ideal, 6.98 ohm E96 below it.
    r = burden_ohm(0.5, 0.050)
    assert r == pytest.approx(6.98)
    assert 0.050 * math.sqrt(2) * r <= 0.5
    assert 0.050 * math.sqrt(2) * r >= 0.5 * 0.97  # and not much lower: the E96 step is 2 %


def test_board_params_derive_every_value():
    p = load_board_params()
    a, d = p.channel("A"), p.channel("D")
    assert a.differential and a.burden_half_ohm == pytest.approx(3.48) and 2 * a.burden_half_ohm <= a.burden_ohm
    assert not d.differential and d.burden_half_ohm is None and d.burden_ohm == pytest.approx(6.98)
    peak = 12.0 * 1.1 * math.sqrt(2)
    assert peak * 1000 / (1000 + p.divider_top_ohm) <= 0.5
    assert p.divider_top_ohm == pytest.approx(36500)


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
    (lambda d: d["voltage"].update(adapter_tolerance=1.5), "voltage.adapter_tolerance"),
])
def test_bad_board_parameters_name_file_and_field(tmp_path, edit, field):
    data = yaml.safe_load(BOARD_PARAMS.read_text())
    edit(data)
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        load_board_params(path)
    assert str(path) in str(info.value) and field in str(info.value)


def test_catalogue_knows_every_value_the_circuit_needs_and_refuses_others():
    cat = PartsCatalogue()
    assert cat.resistor(3.48, "x").mpn == "Yageo RC0603FR-073R48L"
    assert cat.resistor(36500, "x").mpn == "Yageo RC0603FR-0736K5L"
    with pytest.raises(InputError, match="no resistor of 4.99 ohm"):
        cat.resistor(4.99, "channels.A burden")
    with pytest.raises(InputError, match="unknown part"):
        cat.other("ADE7878", "pins")
