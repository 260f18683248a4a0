"""The 3D bodies wattcad draws from package specs (enclosure/bodies.py), held to the specs'
dimensions: each body's extents and its main features (the Feather's board, module can and USB
connector; the jacks' barrels) where the spec puts them, within 0.1 mm."""
from __future__ import annotations

import math

import cadquery as cq
import pytest

from tests.conftest import STOCK
from wattcad.core.reproducible import normalise_step
from wattcad.enclosure.bodies import crystal_body, feather_body, jack_body, solid_bbox, write_body_step
from wattcad.footprints.model import read_kicad_mod
from wattcad.footprints.module import module_geometry
from wattcad.footprints.spec import find_spec

TOL = 0.1
pytestmark = pytest.mark.kicad  # the jacks' and the Feather's footprints are KiCad's own


def _shape(assembly: cq.Assembly, name: str):
    obj = assembly.objects[name].obj
    return obj.val() if isinstance(obj, cq.Workplane) else obj


def _footprint_box(shape) -> tuple[float, float, float, float, float, float]:
    """A part's box in the footprint's frame (y down), from KiCad's model frame (y up)."""
    bb = shape.BoundingBox()
    return bb.xmin, -bb.ymax, bb.zmin, bb.xmax, -bb.ymin, bb.zmax


def _close(got, want):
    assert len(got) == len(want) and all(abs(g - w) <= TOL for g, w in zip(got, want)), (got, want)


def test_the_feather_is_its_board_module_can_usb_and_headers_where_its_spec_puts_them():
    spec = find_spec("module-adafruit-feather")
    geo = module_geometry(spec)
    detail = spec.options["module"]["body"]
    feather = feather_body(spec)
    z_pcb = geo.stand_off_mm
    assert z_pcb == pytest.approx(8.5 + 2.5)  # female header + the male header's plastic
    # The board: the Feather's 0.9 x 2.0 in outline round its pins, 1.6 mm thick, four holes, round corners.
    pcb = _shape(feather, "pcb")
    _close(_footprint_box(pcb), (-1.27, -6.35, z_pcb, 21.59, 44.45, z_pcb + 1.6))
    holes = sum(math.pi * h["d"] ** 2 / 4 for h in detail["holes"])
    corners = 4 * (1 - math.pi / 4) * detail["corner_radius_mm"] ** 2
    assert pcb.Volume() == pytest.approx((22.86 * 50.8 - holes - corners) * 1.6, rel=1e-3)
    # The ESP32 module at the far end from USB, its shield can short of the 6 mm antenna end.
    _close(_footprint_box(_shape(feather, "esp32_module_pcb")), (1.16, 19.004, z_pcb + 1.6, 19.16, 44.504, z_pcb + 2.4))
    _close(_footprint_box(_shape(feather, "esp32_shield_can")), (1.66, 19.504, z_pcb + 2.4, 18.66, 38.004, z_pcb + 4.7))
    # The USB receptacle at the RST end, 7.5 mm wide, its lip 0.45 mm past the board's edge.
    _close(_footprint_box(_shape(feather, "usb")), (6.41, -6.80, z_pcb + 1.6, 13.91, -1.30, z_pcb + 1.6 + 2.7))
    # The female headers under the two pin rows, 8.5 mm tall.
    _close(_footprint_box(_shape(feather, "female_header_1")), (-1.27, -1.27, 0.0, 1.27, 39.37, 8.5))
    _close(_footprint_box(_shape(feather, "female_header_2")), (19.05, 8.89, 0.0, 21.59, 39.37, 8.5))


def test_the_jack_has_its_barrel_out_of_the_face_its_plug_enters():
    spec = find_spec("jack-3.5mm-sj1-3533ng")
    fp = read_kicad_mod(STOCK / "Connector_Audio.pretty" / "Jack_3.5mm_CUI_SJ1-3533NG_Horizontal.kicad_mod")
    jack = jack_body(fp, spec)
    barrel = spec.options["barrel"]
    body = _footprint_box(_shape(jack, "body"))
    _close(body, (-4.0, -1.2, 0.0, 4.2, 12.8, spec.dim("height").nom))
    tube = _shape(jack, "barrel")
    x0, y0, z0, x1, y1, z1 = _footprint_box(tube)
    # A round nose 6.0 mm across, 4.0 mm long in front of the body (-y), on its axis.
    _close((x0, x1, z0, z1), (0.9 - 3.0, 0.9 + 3.0, barrel["axis_mm"] - 3.0, barrel["axis_mm"] + 3.0))
    _close((y0, y1), (-5.2, -1.2))
    ring = math.pi / 4 * (6.0 ** 2 - 3.6 ** 2) * 4.0
    assert tube.Volume() == pytest.approx(ring, rel=0.01)  # a tube: the plug's bore through it


def test_the_barrel_jack_has_its_bore_and_pin_in_its_front_face():
    spec = find_spec("barrel-jack-pj-102ah")
    fp = read_kicad_mod(STOCK / "Connector_BarrelJack.pretty" / "BarrelJack_CUI_PJ-102AH_Horizontal.kicad_mod")
    jack = jack_body(fp, spec)
    barrel = spec.options["barrel"]
    body = _shape(jack, "body")
    _close(_footprint_box(body), (-4.5, -0.7, 0.0, 4.5, 13.7, 11.0))
    bore = math.pi / 4 * barrel["bore_mm"] ** 2 * (barrel["bore_depth_mm"] - 1)
    assert body.Volume() == pytest.approx(9.0 * 14.4 * 11.0 - bore, rel=0.01)
    x0, y0, z0, x1, y1, z1 = _footprint_box(_shape(jack, "centre_pin"))
    _close(((x0 + x1) / 2, (z0 + z1) / 2, x1 - x0), (0.0, barrel["axis_mm"], barrel["pin_mm"]))
    assert y1 <= 13.7 and y0 == pytest.approx(13.7 - barrel["bore_depth_mm"], abs=TOL)


def test_the_crystal_is_a_ceramic_base_under_a_lid():
    spec = find_spec("crystal-3225")
    crystal = crystal_body(None, spec)
    _close(_footprint_box(_shape(crystal, "base")), (-1.6, -1.25, 0.0, 1.6, 1.25, 0.65))
    _close(_footprint_box(_shape(crystal, "lid")), (-1.45, -1.1, 0.65, 1.45, 1.1, 0.8))


def test_a_body_step_is_the_same_bytes_when_written_again_and_reloads_whole(tmp_path):
    spec = find_spec("module-adafruit-feather")
    fp = read_kicad_mod(STOCK / "Module.pretty" / "Adafruit_Feather.kicad_mod")
    one, two = (write_body_step(fp, 5.0, tmp_path / d / "Adafruit_Feather.step", spec) for d in ("a", "b"))
    for step in (one, two):
        normalise_step(step)
    assert one.read_bytes() == two.read_bytes()
    # Read back by OCCT: the whole Feather, header bottoms to the battery jack's top.
    _close(solid_bbox(one), (-1.27, -44.504, 0.0, 21.59, 6.80, 8.5 + 2.5 + 1.6 + 4.5))
    # A part no spec describes is still a box from its fab outline.
    chip = read_kicad_mod(STOCK / "Resistor_SMD.pretty" / "R_0603_1608Metric.kicad_mod")
    box = write_body_step(chip, 0.5, tmp_path / "r.step", None)
    _close(solid_bbox(box), (-0.8, -0.4, 0.0, 0.8, 0.4, 0.5))
