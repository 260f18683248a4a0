"""The pcbnew action plugin, with the real pcbnew: it registers, and run on a loaded board it
writes the same report the CLI gives."""
import subprocess
import sys

import pytest

from wattcad.cli import main

from .helpers import board_with_footprints

pytestmark = pytest.mark.kicad


def test_plugin_registers_and_reports_on_a_loaded_board(tmp_path, stock, capsys):
    import pcbnew

    from wattcad.kicad.plugins.verify_footprints import VerifyFootprintsPlugin

    path = board_with_footprints(tmp_path / "b.kicad_pcb", [
        ("U1", "ADE7816", stock / "Package_DFN_QFN.pretty", "QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm"),
        ("C1", "100n", stock / "Capacitor_SMD.pretty", "C_0402_1005Metric"),
    ])
    board = pcbnew.LoadBoard(str(path))
    # Rotate and flip U1 in memory: the plugin must read the open board, not the file.
    u1 = board.FindFootprintByReference("U1")
    u1.SetOrientationDegrees(90)
    plugin = VerifyFootprintsPlugin()
    plugin.defaults()
    assert plugin.name == "Verify footprints (wattcad)"
    plugin.get_board = lambda: board
    plugin.Run()
    statuses = {r.reference: r.status for r in plugin.last_reports}
    assert statuses == {"C1": "pass", "U1": "fail"}
    assert "U1 (ADE7816, LFCSP-40 6x6 mm): footprint QFN-40-1EP_5x5mm_P0.4mm_EP3.6x3.6mm has pitch 0.40 mm" in plugin.last_text
    assert plugin.report_path.read_text() == plugin.last_text
    # Same verdicts as the CLI on the saved file.
    main(["footprint", "verify", str(path), "--json", str(tmp_path / "cli.json")])
    import json

    cli = {r["reference"]: r["status"] for r in json.loads((tmp_path / "cli.json").read_text())["reports"]}
    assert cli == statuses


REGISTER = ("from wattcad.kicad.plugins.{module} import {cls}; p = {cls}(); p.register(); "
            "print('registered', p.name)")


@pytest.mark.parametrize("module, cls", [("verify_footprints", "VerifyFootprintsPlugin"), ("place_circle", "PlaceOnCirclePlugin"),
                                         ("check_board", "CheckBoardPlugin"), ("route", "RoutePlugin")])
def test_each_plugin_registers_with_the_real_pcbnew(module, cls):
    # Headless pcbnew survives one registration per process (it asserts PgmOrNull and carries on;
    # a second one aborts), so each plugin registers in a process of its own.
    result = subprocess.run([sys.executable, "-c", REGISTER.format(module=module, cls=cls)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "registered" in result.stdout and "(wattcad)" in result.stdout


def test_install_writes_a_loader_that_kicads_python_can_import(tmp_path):
    assert main(["plugin", "install", "--dest", str(tmp_path)]) == 0
    loader = tmp_path / "wattcad_plugins.py"
    # KiCad runs plugins in the system Python 3.11: import the loader there. Registration itself is
    # tested above; here it is recorded, since headless pcbnew takes only one per process.
    code = ("import sys, pcbnew; names = []; "
            "pcbnew.ActionPlugin.register = lambda self: (self.defaults(), names.append(self.name)); "
            "sys.path.insert(0, %r); import wattcad_plugins; print(sorted(names))") % str(tmp_path)
    result = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "['Check board (wattcad)', 'Place on circle (wattcad)', 'Route (wattcad)', 'Verify footprints (wattcad)']" \
        in result.stdout
    assert loader.read_text().count("site.addsitedir") == 1
