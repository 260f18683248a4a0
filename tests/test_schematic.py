"""The ADE7816 circuit as a KiCad 9 project, checked with the real KiCad, SKiDL and kicad-skip."""
import csv
import json
import re
import shutil
import subprocess

import pytest
import yaml

from wattcad.ade7816.params import BOARD_PARAMS, PARTS_CATALOGUE, format_ohm, load_board_params
from wattcad.ade7816.schematic import generate_project, load_waivers, run_erc
from wattcad.ade7816.symbol import PIN_TABLE, load_pin_table, symbol_library_text
from wattcad.cli import main
from wattcad.core.errors import InputError
from wattcad.footprints import sexpr
from wattcad.kicad.schematic_nets import read_schematic_nets

pytestmark = pytest.mark.kicad
NAME = "wattcad-ade7816"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return generate_project(tmp_path_factory.mktemp("proj") / NAME)


@pytest.fixture(scope="module")
def nets(project):
    return read_schematic_nets(project.schematic)


def test_symbol_has_the_right_electrical_types_and_loads_in_kicad(tmp_path):
    path = tmp_path / "ade7816.kicad_sym"
    path.write_text(symbol_library_text(load_pin_table()))
    tree = sexpr.parse(path.read_text())
    sym = sexpr.child(tree, "symbol")
    pins = {}
    for unit in sexpr.children(sym, "symbol"):
        for pin in sexpr.children(unit, "pin"):
            pins[str(sexpr.child(pin, "name")[1])] = (str(pin[1]), str(sexpr.child(pin, "number")[1]), sexpr.child(pin, "at"))
    assert len(pins) == 32 and sum(1 for p in pins.values()) == 32  # 41 pins, NC names repeat
    assert pins["VDD"][0] == "power_in"
    assert {pins[n][0] for n in ("DVDD", "AVDD", "REFIN/OUT")} == {"power_out"}
    assert pins["~{IRQ0}"][0] == pins["~{IRQ1}"][0] == "open_collector"
    assert pins["NC"][0] == "no_connect" and pins["EP"][0] == "passive"
    # Analog inputs on the left (pins point right: angle 0), digital on the right, supplies on top.
    assert all(pins[n][2][3] == "0" for n in ("IAP", "IAN", "VP", "IN"))
    assert all(pins[n][2][3] == "180" for n in ("SCLK/SCL", "MISO/HSD", "CLKIN"))
    assert all(pins[n][2][3] == "270" for n in ("VDD", "AVDD"))
    footprint = [p for p in sexpr.children(sym, "property") if p[1] == "Footprint"][0][2]
    assert footprint == "wattcad:LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm"
    result = subprocess.run(["kicad-cli", "sym", "export", "svg", str(path), "-o", str(tmp_path / "svg")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "warning" not in (result.stdout + result.stderr).lower()


def test_pin_table_with_a_duplicate_number_is_refused(tmp_path):
    data = yaml.safe_load(PIN_TABLE.read_text())
    data["pins"][5]["number"] = 7
    bad = tmp_path / "pins.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        load_pin_table(bad)
    assert str(bad) in str(info.value) and "pins[6].number" in str(info.value) and "duplicate" in str(info.value)


def test_erc_is_clean_and_every_library_was_found(project):
    assert project.erc["violations"] == 0
    assert project.erc["library_issues"] == [] and project.erc["missing_library_files"] == []
    # Run kicad-cli again on the written project: the check is real, not a stored verdict.
    again = run_erc(project.out_dir, NAME, load_waivers())
    assert again["violations"] == 0
    tables = (project.out_dir / "sym-lib-table").read_text()
    for lib in ("ade7816", "Device", "power", "Connector_Audio", "MCU_Module", "Jumper"):
        assert f'(name "{lib}")' in tables


def test_erc_catches_a_broken_schematic(project, tmp_path):
    broken = tmp_path / NAME
    shutil.copytree(project.out_dir, broken)
    sch = broken / f"{NAME}.kicad_sch"
    text = sch.read_text()
    # Remove the IAP label: its filter and the ADE7816 pin are left dangling.
    text = re.sub(r'\(label "IAP".*?\n\t\)\n', "", text, count=1, flags=re.S)
    sch.write_text(text)
    result = run_erc(broken, NAME, load_waivers())
    assert result["violations"] > 0 and (result["errors"] or result["unwaived_warnings"])
    # And a library that is not there is reported, not ignored.
    (broken / "sym-lib-table").write_text((broken / "sym-lib-table").read_text().replace("Device.kicad_sym", "Nope.kicad_sym"))
    result = run_erc(broken, NAME, load_waivers())
    assert result["library_issues"] and any("Nope.kicad_sym" in m for m in result["missing_library_files"])


def test_every_ade7816_pin_is_connected_or_explicitly_not_connected(nets):
    table = load_pin_table()
    for pin in table.pins:
        key = ("U1", pin.number)
        if pin.type == "no_connect" or pin.name == "HSCLK":
            assert key in nets.no_connect or not nets.pin_nets.get(key), pin.name
            if pin.name == "HSCLK":
                assert key in nets.no_connect
        else:
            assert len(nets.pin_nets.get(key, ())) == 1, f"{pin.name}: {nets.pin_nets.get(key)}"


def test_no_pin_carries_two_nets(nets):
    doubled = {k: v for k, v in nets.pin_nets.items() if len(v) > 1}
    assert doubled == {}


def _other_end(nets, ref, pin):
    return {"1": "2", "2": "1"}[pin]


def test_every_current_channel_runs_jack_burden_filter_pin(nets):
    params = load_board_params()
    for ch in params.channels:
        tip = f"CT_{ch.name}_TIP"
        jack = [r for r, p in nets.members(tip) if r.startswith("J")]
        assert len(jack) == 1, ch.name
        burden = format_ohm(ch.burden_half_ohm if ch.differential else ch.burden_ohm)
        assert burden in ("1.91", "3.83")  # from the worst case in board.yaml (docs/circuit.md)
        burdens = [(r, p) for r, p in nets.members(tip) if r.startswith("R") and nets.values[r] == burden]
        assert len(burdens) == 1, ch.name
        # tip -> 1 k -> the channel's positive input, with 22 nF to AGND on it
        series = [(r, p) for r, p in nets.members(tip) if r.startswith("R") and nets.values[r] == "1k"]
        assert len(series) == 1, ch.name
        r, p = series[0]
        node = nets.net(r, _other_end(nets, r, p))
        assert node == f"I{ch.name}P"
        assert ("U1", {"A": "7", "B": "9", "C": "13", "D": "23", "E": "22", "F": "19"}[ch.name]) in nets.members(node)
        caps = [c for c, _ in nets.members(node) if c.startswith("C")]
        assert len(caps) == 1 and nets.values[caps[0]] == "22n"
        assert {nets.net(caps[0], "1"), nets.net(caps[0], "2")} == {node, "AGND"}


def test_crystal_sits_on_clkin_and_clkout_with_load_caps(nets):
    assert nets.net("Y1", "1") == "CLKIN" and nets.net("Y1", "3") == "CLKOUT"
    assert nets.net("U1", "27") == "CLKIN" and nets.net("U1", "28") == "CLKOUT"
    for net in ("CLKIN", "CLKOUT"):
        caps = [r for r, _ in nets.members(net) if r.startswith("C")]
        assert [nets.values[c] for c in caps] == ["20p"]


def test_schematic_connectivity_matches_the_netlist(project, nets):
    tree = sexpr.parse(project.netlist.read_text())
    netlist = {}
    for net in sexpr.children(sexpr.child(tree, "nets"), "net"):
        name = str(sexpr.child(net, "name")[1]).lstrip("/")
        for node in sexpr.children(net, "node"):
            netlist[(str(sexpr.child(node, "ref")[1]), str(sexpr.child(node, "pin")[1]))] = name
    for key, names in nets.pin_nets.items():
        if key in netlist and names:
            assert netlist[key] in names or any(netlist[key] == n.lstrip("+") for n in names), key


def test_title_block_fields_and_bom(project):
    tree = sexpr.parse(project.schematic.read_text())
    tb = sexpr.child(tree, "title_block")
    assert sexpr.child(tb, "rev")[1] == "A" and sexpr.child(tb, "date")[1] == "2026-11-27"
    assert "ADE7816" in str(sexpr.child(tb, "title")[1])
    rows = list(csv.DictReader(project.bom.open()))
    assert rows and all(r["MPN"] for r in rows if r["Footprint"].split(":")[0] in ("wattcad", "Crystal", "Connector_Audio"))
    by_value = {r["Value"]: r for r in rows}
    assert by_value["ADE7816"]["MPN"] == "Analog Devices ADE7816ACPZ"
    assert by_value["ADE7816"]["Footprint"] == "wattcad:LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm"
    assert int(by_value["22n"]["Qty"]) == 12  # one per analog input
    assert int(by_value["1k"]["Qty"]) == 13  # one per analog input but VP (17.8 ohm), the divider's bottom, RESET's series
    assert int(by_value["17.8"]["Qty"]) == 1 and int(by_value["1n"]["Qty"]) == 1
    # The I2C pull-ups are placed but not fitted in an SPI build, and the BOM says so.
    pullups = next(r for r in rows if r["Value"] == "4.7k")
    assert pullups["Refs"] == "R1201,R1202" and pullups["DNP"] == "DNP"
    assert by_value["Adafruit_Feather_HUZZAH32_ESP32"]["Footprint"] == "Module:Adafruit_Feather"


def test_every_footprint_of_the_circuit_passes_the_verifier(project):
    reports = json.loads((project.out_dir / f"{NAME}-footprints.json").read_text())
    assert len(reports) >= 60
    assert all(r["status"] in ("pass", "warn") for r in reports)
    u1 = next(r for r in reports if r["reference"] == "U1")
    assert u1["status"] == "pass" and u1["spec"] == "lfcsp-40-6x6"


def test_schematic_pdf_shows_a_drawing(project, tmp_path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", "-singlefile", str(project.pdf), str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    dark = sum(1 for v in image.get_flattened_data() if v < 128) / (image.width * image.height)
    assert 0.005 < dark < 0.2  # drawn, not blank, not a black page


def test_rebuild_is_reproducible(project, tmp_path):
    again = generate_project(tmp_path / NAME)
    for path in sorted(project.out_dir.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (again.out_dir / path.relative_to(project.out_dir)).read_bytes(), path.name


def test_changed_parameters_rebuild(tmp_path, monkeypatch):
    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["channels"]["F"]["populated"] = False
    data["interface"] = "i2c"
    params = tmp_path / "board.yaml"
    params.write_text(yaml.safe_dump(data))
    monkeypatch.chdir(tmp_path)  # a relative --out, as a user types it
    assert main(["ade7816", "schematic", "--params", "board.yaml", "--out", "out"]) == 0
    result = type("R", (), {"schematic": tmp_path / "out" / f"{NAME}.kicad_sch",
                            "erc": json.loads((tmp_path / "out" / f"{NAME}-erc.json").read_text())})
    nets = read_schematic_nets(result.schematic)
    assert not nets.members("CT_F_TIP")
    assert nets.net("U1", "19") == "IFP" and {nets.values[r] for r, _ in nets.members("IFP")} >= {"1k", "22n"}
    jp1_pad1 = nets.net("JP1", "1")
    assert jp1_pad1 == "FEATHER_SCL"
    assert result.erc["violations"] == 0
    # I2C: the pull-ups are fitted.
    rows = list(csv.DictReader((tmp_path / "out" / f"{NAME}-bom.csv").open()))
    assert next(r for r in rows if r["Value"] == "4.7k")["DNP"] == ""


def _netlists_for(tmp_path, variants: dict[str, tuple[dict, dict | None]]) -> dict[str, str]:
    """The SKiDL netlists for edited parameters (name -> (board data, parts data)), without the
    schematic, all in one SKiDL process (skidl_run --netlists)."""
    import sys

    jobs = []
    for name, (params_data, parts_data) in variants.items():
        work = tmp_path / name
        work.mkdir()
        params, parts = work / "board.yaml", work / "parts.yaml"
        params.write_text(yaml.safe_dump(params_data))
        parts.write_text(yaml.safe_dump(parts_data or yaml.safe_load(PARTS_CATALOGUE.read_text())))
        jobs.append([str(work), str(params), str(parts)])
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    run = subprocess.run([sys.executable, "-m", "wattcad.ade7816.skidl_run", "--netlists", str(tmp_path / "jobs.json")],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    return {name: re.sub(r'\(date "[^"]*"\)|\(source "[^"]*"\)|"SKiDL Line"\) "[^"]*"', "",
                         (tmp_path / name / f"{NAME}.net").read_text()) for name in variants}


def _set(data, dotted, value):
    *path, last = dotted.split(".")
    for key in path:
        data = data[key]
    data[last] = value


# Every circuit parameter of board.yaml, changed to a value that must change the netlist.
PARAMETER_EDITS = [("ct.rated_secondary_a_rms", 0.025), ("ct.ratio_tolerance", 0.2), ("ct.crest_factor", 3.0),
                   ("adc.full_scale_v_peak", 1.0), ("adc.headroom", 0.5), ("voltage.adapter_v_rms", 9.0),
                   ("voltage.unloaded_rise", 1.1), ("voltage.mains_tolerance", 0.2), ("voltage.divider_bottom_ohm", 2000),
                   ("filter.series_ohm", 2000), ("filter.shunt_farad", 10e-9), ("crystal_mhz", 12.288),
                   ("interface", "i2c"), ("i2c_pullup_ohm", 2200), ("host.pins.RESET", 19),
                   ("channels.B.populated", False), ("channels.E.burden_ohm", 10.0), ("ct.connector.signal_pin", "R"),
                   ("filter.voltage_series_ohm", 100), ("reset.pullup_ohm", 4700), ("reset.capacitor", "100n"),
                   ("reset.series_ohm", 470)]


def test_every_circuit_parameter_reaches_the_netlist(tmp_path):
    parts = yaml.safe_load(PARTS_CATALOGUE.read_text())
    parts["capacitors"].append({"value": "10n", "farad": 10e-9, "package": "chip-0603", "mpn": "Murata GRM1885C1H103JA01D"})
    parts["others"]["12.288MHz"] = {"mpn": "Abracon ABM8-12.288MHZ-B2-T", "package": "crystal-3225"}
    variants = {"base": (yaml.safe_load(BOARD_PARAMS.read_text()), parts)}
    for i, (dotted, value) in enumerate(PARAMETER_EDITS):
        data = yaml.safe_load(BOARD_PARAMS.read_text())
        _set(data, dotted, value)
        variants[f"edit{i}"] = (data, parts)
    # The base again, last: one process for all of them must not carry one circuit into the next.
    variants["base-again"] = variants["base"]
    netlists = _netlists_for(tmp_path, variants)
    assert netlists["base-again"] == netlists["base"]
    unchanged = [dotted for i, (dotted, _) in enumerate(PARAMETER_EDITS) if netlists[f"edit{i}"] == netlists["base"]]
    assert unchanged == []


def test_bad_input_leaves_nothing_half_written(tmp_path, project, capsys):
    out = tmp_path / "out"
    shutil.copytree(project.out_dir, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    data = yaml.safe_load(BOARD_PARAMS.read_text())
    data["channels"]["C"]["burden_ohm"] = -10
    params = tmp_path / "board.yaml"
    params.write_text(yaml.safe_dump(data))
    assert main(["ade7816", "schematic", "--params", str(params), "--out", str(out)]) == 2
    assert "channels.C.burden_ohm" in capsys.readouterr().err
    # A part the catalogue does not have: the SKiDL step fails, naming the catalogue.
    parts = yaml.safe_load(PARTS_CATALOGUE.read_text())
    parts["capacitors"] = [c for c in parts["capacitors"] if c["value"] != "22n"]
    bad_parts = tmp_path / "parts.yaml"
    bad_parts.write_text(yaml.safe_dump(parts))
    assert main(["ade7816", "schematic", "--parts", str(bad_parts), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "filter.shunt_farad" in err and "parts.yaml" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no scratch folders left
