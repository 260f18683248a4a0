import pytest

from wattcad.footprints.landpattern import Density, chip_row, no_lead_rows
from wattcad.footprints.spec import find_spec


def test_lfcsp40_lands_follow_the_ipc_formulas():
    # Hand calculation, L 5.90-6.10, T 0.35-0.45, W 0.20-0.30, F 0.1, P 0.05, toe 0.3:
    # Z = 5.9 + 0.6 + sqrt(0.2^2 + 0.1^2 + 0.05^2) = 6.729 -> 6.73 (rounded up)
    # S = 5.0 .. 5.0 + sqrt(0.2^2 + 2*0.1^2) = 5.2449; G = 5.2449 - sqrt(0.2449^2 + 0.0125) = 4.9757 -> 4.97
    # X = 0.20 - 0.08 + sqrt(0.1^2 + 0.0125) = 0.27
    row, _ = no_lead_rows(find_spec("ade7816"), Density.NOMINAL)
    assert row.z_mm == pytest.approx(6.73)
    assert row.g_mm == pytest.approx(4.97)
    assert row.x_mm == pytest.approx(0.27)
    most, _ = no_lead_rows(find_spec("ade7816"), Density.MOST)
    least, _ = no_lead_rows(find_spec("ade7816"), Density.LEAST)
    assert least.z_mm < row.z_mm < most.z_mm
    assert most.z_mm - least.z_mm == pytest.approx(0.4, abs=0.011)  # toe 0.4 vs 0.2 on both sides


def test_small_chips_use_the_smaller_than_0603_table():
    r0402 = chip_row(find_spec("0402"), Density.NOMINAL)
    r0603 = chip_row(find_spec("0603"), Density.NOMINAL)
    # 0402 toe goal 0.2, 0603 toe goal 0.35
    assert r0402.z_mm == pytest.approx(0.95 + 0.4 + (0.1 ** 2 + 0.1 ** 2 + 0.05 ** 2) ** 0.5, abs=0.011)
    assert r0603.z_mm == pytest.approx(1.50 + 0.7 + (0.2 ** 2 + 0.1 ** 2 + 0.05 ** 2) ** 0.5, abs=0.011)
    assert r0402.centre_mm < r0603.centre_mm
