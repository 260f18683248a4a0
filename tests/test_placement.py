import math

import pytest

from wattcad.core.errors import InputError
from wattcad.core.placement import circle_poses, expand_refs, natural_key, parse_point


def test_six_jacks_sixty_degrees_apart_facing_out():
    poses = circle_poses(expand_refs("J1-J6"), (100.0, 80.0), 30.0)
    assert [p.ref for p in poses] == ["J1", "J2", "J3", "J4", "J5", "J6"]
    for i, p in enumerate(poses):
        a = math.radians(60 * i)
        assert p.x_mm == pytest.approx(100 + 30 * math.cos(a), abs=1e-9)
        assert p.y_mm == pytest.approx(80 - 30 * math.sin(a), abs=1e-9)  # +angle is up on screen
        assert math.hypot(p.x_mm - 100, p.y_mm - 80) == pytest.approx(30, abs=1e-9)
    assert [p.angle_deg for p in poses] == pytest.approx([0, 60, 120, 180, -120, -60])


def test_step_arc_orientation_and_order():
    step = circle_poses(["R1", "R2", "R3"], (0, 0), 10, start_angle_deg=90, step_deg=-45, orient="tangent")
    assert [p.angle_deg for p in step] == pytest.approx([180, 135, 90])
    assert step[0].x_mm == pytest.approx(0, abs=1e-9) and step[0].y_mm == pytest.approx(-10)
    arc = circle_poses(["A1", "A2", "A3"], (0, 0), 10, arc_deg=90, orient="keep")
    assert [p.angle_deg for p in arc] == [None, None, None]
    assert arc[-1].x_mm == pytest.approx(0, abs=1e-9) and arc[-1].y_mm == pytest.approx(-10)
    full = circle_poses(["A1", "A2", "A3", "A4"], (0, 0), 10, arc_deg=360)
    assert [p.angle_deg for p in full] == pytest.approx([0, 90, 180, -90])
    given = circle_poses(["J10", "J2", "J1"], (0, 0), 5, order="given")
    assert [p.ref for p in given] == ["J10", "J2", "J1"]
    assert [p.ref for p in circle_poses(["J10", "J2", "J1"], (0, 0), 5)] == ["J1", "J2", "J10"]
    single = circle_poses(["U1"], (5, 5), 2, start_angle_deg=30)
    assert single[0].angle_deg == pytest.approx(30)


def test_natural_order_and_ref_lists():
    assert sorted(["J10", "J2", "J1", "H1"], key=natural_key) == ["H1", "J1", "J2", "J10"]
    assert expand_refs("J1-J3, R5") == ["J1", "J2", "J3", "R5"]
    assert expand_refs("J8-10") == ["J8", "J9", "J10"]


@pytest.mark.parametrize("call, field", [
    (lambda: circle_poses(["J1"], (0, 0), -3), "--radius"),
    (lambda: circle_poses(["J1"], (0, 0), 3, step_deg=10, arc_deg=20), "--step/--arc"),
    (lambda: circle_poses(["J1"], (0, 0), 3, orient="sideways"), "--orient"),
    (lambda: circle_poses([], (0, 0), 3), "--refs"),
    (lambda: expand_refs("J6-J1"), "--refs"),
    (lambda: expand_refs("J1,J1"), "--refs"),
    (lambda: parse_point("10;20", "--center"), "--center"),
])
def test_bad_arguments_name_the_option(call, field):
    with pytest.raises(InputError) as info:
        call()
    assert field in str(info.value)


def _crossings(segments) -> int:
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    count = 0
    for i, (a, b) in enumerate(segments):
        for c, d in segments[i + 1:]:
            if side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0:
                count += 1
    return count


def test_parts_on_a_chips_pins_fan_out_in_pin_order_without_crossing():
    """A 40-pin QFN (10 a side, 0.5 mm pitch, pin 1 top left, counter-clockwise) with a 0603
    capacitor and a resistor on every pin: placed, the pin-to-capacitor-to-resistor lines cross
    nowhere, every capacitor is within 10.5 mm of its pin and nearer the chip than its pin's resistor,
    and every part stays in its side's wedge."""
    from wattcad.ade7816.board_layout import Outline, PartGeom, Placed, layout, pad_position

    pads = {}
    for k in range(10):
        along = -2.25 + 0.5 * k
        pads[str(1 + k)] = (-3.0, along)
        pads[str(11 + k)] = (along, 3.0)
        pads[str(21 + k)] = (3.0, -along)
        pads[str(31 + k)] = (-along, -3.0)
    chip = PartGeom("U1", (-3.5, -3.5, 3.5, 3.5), pads)
    parts = {"U1": chip}
    pin_net = {}
    for pin in pads:
        net = f"/P{pin}"
        pin_net[("U1", pin)] = net
        parts[f"C{pin}"] = PartGeom(f"C{pin}", (-1.5, -0.75, 1.5, 0.75), {"1": (-0.8, 0.0), "2": (0.8, 0.0)})
        parts[f"R{pin}"] = PartGeom(f"R{pin}", (-1.5, -0.75, 1.5, 0.75), {"1": (-0.8, 0.0), "2": (0.8, 0.0)})
        pin_net[(f"C{pin}", "1")] = net
        pin_net[(f"C{pin}", "2")] = "/GND"
        pin_net[(f"R{pin}", "1")] = net
        pin_net[(f"R{pin}", "2")] = f"/IN{pin}"
    outline = Outline("rect", 0.0, 0.0, 60.0, 60.0)
    result = layout(parts, pin_net, outline, {"U1": Placed(30.0, 30.0, 0.0)}, "U1", big_net_size=30)
    assert not result.unplaced
    segments = []
    for pin in pads:
        pin_xy = pad_position(chip, result.poses["U1"], pin)
        cap = pad_position(parts[f"C{pin}"], result.poses[f"C{pin}"], "1")
        res = pad_position(parts[f"R{pin}"], result.poses[f"R{pin}"], "1")
        assert math.dist(pin_xy, cap) <= 10.5, pin  # ten 1.5 mm parts a side: a 20 mm row
        centre = (30.0, 30.0)
        assert math.dist(centre, cap) < math.dist(centre, res), pin
        segments.append((pin_xy, cap))
        # The resistor's line passes by its own capacitor, not through another pin's.
        segments.append((cap, res))
        # Each part stays in its side's quarter of the plane round the chip (the 45-degree wedge):
        # a row never runs into the neighbouring side's.
        side = max(((1, 0), (-1, 0), (0, 1), (0, -1)), key=lambda n: n[0] * (pin_xy[0] - 30) + n[1] * (pin_xy[1] - 30))
        for ref in (f"C{pin}", f"R{pin}"):
            x, y = result.poses[ref].x_mm - 30.0, result.poses[ref].y_mm - 30.0
            out, along = x * side[0] + y * side[1], abs(-x * side[1] + y * side[0])
            assert along <= out + 1.0, (ref, along, out)
    assert _crossings(segments) == 0


LAYOUT = {"root": "U1", "edge_connectors": "J1-J6", "side_connectors": "J7", "mounting_holes": "H1-H4"}
PCB = {"rect": {"width_mm": 120, "height_mm": 90, "corner_radius_mm": 3}, "round": {"diameter_mm": 130},
       "mounting_hole_inset_mm": 4.5, "layout": LAYOUT}


def _geoms(refs):
    from wattcad.ade7816.board_layout import PartGeom

    return {r: PartGeom(r, (-3.0, -3.0, 3.0, 3.0), {"1": (0.0, 0.0)}) for r in refs}


def test_the_plan_fixes_the_parts_pcb_layout_names():
    """The board data picks the fixed parts by reference (no part value in the code); a listed part
    not on the board (a depopulated channel's jack) is skipped, the rest keep their order."""
    from wattcad.ade7816.board_plan import layout_roles, plan_board

    refs = ["U1", "J1", "J2", "J4", "J5", "J6", "J7", "H1", "H2", "H3", "H4", "R1"]
    roles = layout_roles(PCB, refs)
    assert (roles.root, roles.edge_connectors, roles.side_connectors) == ("U1", ["J1", "J2", "J4", "J5", "J6"], ["J7"])
    openings = {r: "+y" for r in refs if r.startswith("J")}
    for variant in ("rect", "round"):
        plan = plan_board(variant, PCB, _geoms(refs), openings)
        assert plan.root == "U1" and set(plan.fixed) == set(refs) - {"R1"}
    rect = plan_board("rect", PCB, _geoms(refs), openings)
    assert [round(rect.fixed[r].y_mm, 3) for r in roles.edge_connectors] == [20.0 + 90 - 2.5] * 5  # on the bottom edge
    assert rect.fixed["J7"].x_mm == pytest.approx(20.0 + 2.5)  # on the left edge
    # Another board's choice: its own root, edge connectors in the order written, no holes.
    other = plan_board("rect", {**PCB, "layout": {"root": "R1", "edge_connectors": "J2,J1", "side_connectors": "J4"}},
                       _geoms(refs), openings)
    assert other.root == "R1" and set(other.fixed) == {"R1", "J1", "J2", "J4"}
    assert other.fixed["J2"].x_mm < other.fixed["J1"].x_mm and other.fixed["J4"].x_mm == pytest.approx(22.5)


@pytest.mark.parametrize("layout, field, value", [
    (None, "pcb.layout", None),
    ({**LAYOUT, "root": "U9"}, "pcb.layout.root", "U9"),
    ({**LAYOUT, "root": ["U1"]}, "pcb.layout.root", ["U1"]),
    ({**LAYOUT, "edge_connectors": "J6-J1"}, "pcb.layout.edge_connectors", "J6-J1"),
    ({**LAYOUT, "mounting_holes": "H1-H4,J7"}, "pcb.layout.mounting_holes", "H1-H4,J7"),
    ({**LAYOUT, "keepout": "R1"}, "pcb.layout.keepout", "R1"),
])
def test_bad_pcb_layout_names_file_field_and_value(layout, field, value):
    from wattcad.ade7816.board_plan import layout_roles

    pcb = {k: v for k, v in PCB.items() if k != "layout"} | ({"layout": layout} if layout is not None else {})
    with pytest.raises(InputError) as info:
        layout_roles(pcb, ["U1", "J1", "J7", "H1"], "board.yaml")
    assert (info.value.path, info.value.field) == ("board.yaml", field)
    if value is not None:
        assert info.value.value == value
