"""The declarative parameter schema: what it refuses and how it says so, the tables it writes, and
docs/parameters.md's copy of them."""
import dataclasses
import datetime
from pathlib import Path

import pytest
import yaml

from wattcad.core.errors import InputError
from wattcad.core.param_schema import Param, check, markdown_table, with_defaults
from wattcad.docs_tables import BEGIN, DOC, END, main, parameters_region, replace_region
from wattcad.enclosure.params import DEFAULTS, EnclosureParams, enclosure_schema, load_params
from wattcad.footprints.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = (
    Param("width_mm", "number", "mm", "how wide", gt=0, le=100),
    Param("ratio", "number", doc="a fraction", ge=0, lt=1, default=0.5),
    Param("count", "int", ge=1, default=1),
    Param("label", "str", doc="a name"),
    Param("on", "bool", default=False),
    Param("mode", "enum", choices=("spi", "i2c"), default="spi"),
    Param("limit_ohm", "number", "ohm", nullable=True, default=None, gt=0),
    Param("rect", "mapping", fields=(Param("corner_mm", "number", "mm", ge=0),), default={"corner_mm": 0.0}),
    Param("nets", "list", item=Param("", "str"), default=[]),
)


def refused(data, where="f.yaml") -> str:
    with pytest.raises(InputError) as info:
        check(SCHEMA, data, where)
    return str(info.value)


def test_valid_values_come_back_typed_with_defaults():
    got = check(SCHEMA, {"width_mm": 3, "label": 7, "nets": ["/GND"], "limit_ohm": "10.0e6"}, "f.yaml")
    assert got == {"width_mm": 3.0, "ratio": 0.5, "count": 1, "label": "7", "on": False, "mode": "spi",
                   "limit_ohm": 10e6, "rect": {"corner_mm": 0.0}, "nets": ["/GND"]}
    assert isinstance(got["width_mm"], float)
    # A YAML date is text as written; null is a value only where declared nullable.
    assert check(SCHEMA, {"width_mm": 1, "label": datetime.date(2026, 11, 27), "limit_ohm": None}, "f")["label"] == "2026-11-27"
    # The limits' edges: inclusive ones take the bound, exclusive ones refuse it.
    assert check(SCHEMA, {"width_mm": 100, "label": "x", "ratio": 0}, "f")["ratio"] == 0.0


def test_an_unknown_key_is_refused_by_name():
    message = refused({"width_mm": 1, "label": "x", "colour": "red"})
    assert message.startswith("f.yaml: colour: unknown parameter") and "width_mm" in message and "'red'" in message


@pytest.mark.parametrize("data, field, shown", [
    ({"width_mm": "wide", "label": "x"}, "width_mm", "'wide'"),
    ({"width_mm": True, "label": "x"}, "width_mm", "True"),
    ({"width_mm": float("nan"), "label": "x"}, "width_mm", "nan"),
    ({"width_mm": 1, "label": "x", "count": 2.5}, "count", "2.5"),
    ({"width_mm": 1, "label": "x", "on": "yes"}, "on", "'yes'"),
    ({"width_mm": 1, "label": "x", "mode": "uart"}, "mode", "'uart'"),
    ({"width_mm": 1, "label": ""}, "label", "''"),
    ({"width_mm": 1, "label": "x", "nets": ["/GND", ["x"]]}, "nets[1]", "['x']"),
    ({"width_mm": 1, "label": "x", "rect": {"corner_mm": "round"}}, "rect.corner_mm", "'round'"),
    ({"width_mm": 1, "label": "x", "rect": 3}, "rect", "3"),
])
def test_a_wrong_type_names_file_field_and_value(data, field, shown):
    message = refused(data)
    assert message.startswith(f"f.yaml: {field}: must be") and message.endswith(f"(value: {shown})")


@pytest.mark.parametrize("data, field, expected", [
    ({"width_mm": 0, "label": "x"}, "width_mm", "a number in mm, > 0 and <= 100; how wide (value: 0)"),
    ({"width_mm": -2.5, "label": "x"}, "width_mm", "a number in mm, > 0 and <= 100; how wide (value: -2.5)"),
    ({"width_mm": 100.5, "label": "x"}, "width_mm", "a number in mm, > 0 and <= 100; how wide (value: 100.5)"),
    ({"width_mm": 1, "label": "x", "ratio": 1}, "ratio", "a number, >= 0 and < 1; a fraction (value: 1)"),
    ({"width_mm": 1, "label": "x", "count": 0}, "count", "a whole number, >= 1 (value: 0)"),
    ({"width_mm": 1, "label": "x", "limit_ohm": 0}, "limit_ohm", "a number in ohm, > 0, or null (value: 0)"),
])
def test_a_value_out_of_its_limits_names_unit_and_limits(data, field, expected):
    assert refused(data) == f"f.yaml: {field}: must be {expected}"


def test_a_missing_required_key_is_named():
    assert refused({"label": "x"}) == "f.yaml: width_mm: missing required key"
    assert refused([1, 2]).startswith("f.yaml: must be a mapping")


def test_a_wrong_declaration_fails_at_once():
    for bad in ({"type": "float"}, {"type": "enum"}, {"type": "str", "gt": 0}, {"type": "number", "ge": 0, "gt": 0},
                {"type": "list", "fields": ()}):
        with pytest.raises(ValueError):
            Param("x", **bad)


def test_defaults_from_a_file_are_checked_and_named():
    schema = with_defaults(SCHEMA[:1], {"width_mm": 4}, "defaults.yaml")
    assert schema[0].default == 4.0 and check(schema, {}, "f") == {"width_mm": 4.0}
    with pytest.raises(InputError, match="defaults.yaml: width_mm: must be"):
        with_defaults(SCHEMA[:1], {"width_mm": -4}, "defaults.yaml")


def test_enclosure_errors_name_the_layer_that_brought_the_value(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"lid_mm": 0}))
    with pytest.raises(InputError) as info:
        load_params(path, overrides={"wall_mm": 3.0}, where="wattcad.yaml: enclosure")
    assert str(info.value) == f"{path}: lid_mm: must be a number in mm, > 0; lid plate thickness (value: 0)"
    path.write_text(yaml.safe_dump({"lid_mm": 3}))
    with pytest.raises(InputError, match=r"^wattcad.yaml: enclosure: din_rail: must be true or false"):
        load_params(path, overrides={"din_rail": 1}, where="wattcad.yaml: enclosure")
    p = load_params(path, overrides={"inner_height_mm": 30}, where="wattcad.yaml: enclosure")
    assert (p.lid_mm, p.inner_height_mm, p.source) == (3.0, 30.0, "wattcad.yaml: enclosure")


def test_a_spec_with_an_unknown_key_is_refused(tmp_path):
    data = yaml.safe_load((ROOT / "footprints/specs/sot-23.yaml").read_text())
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**data, "colour": "black"}))
    with pytest.raises(InputError, match=r"s.yaml: colour: unknown parameter"):
        load_spec(path)
    data["dimensions"]["body_x"] = {"nom": 2.9, "tol": -0.1}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"dimensions.body_x.tol: must be a number in mm, >= 0"):
        load_spec(path)


def test_the_enclosure_table_lists_every_parameter_with_unit_and_default():
    defaults = yaml.safe_load(DEFAULTS.read_text())
    table = markdown_table(enclosure_schema()).splitlines()
    names = [f.name for f in dataclasses.fields(EnclosureParams) if f.name != "source"]
    assert len(table) == 2 + len(names)
    for name, row in zip(names, table[2:]):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[0] == f"`{name}`"
        assert cells[1] == ("bool" if isinstance(defaults[name], bool) else "number, mm")
        assert cells[2] == f"`{yaml.safe_dump(defaults[name]).splitlines()[0].removesuffix('.0')}`"
        assert cells[4], name  # each one says what it is


def test_the_docs_region_is_what_the_schemas_generate():
    text = (ROOT / DOC).read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert replace_region(text, parameters_region()) == text, \
        f"{DOC}'s parameter tables are stale: python -m wattcad.docs_tables --doc {DOC}"


def test_the_docs_script_rewrites_only_the_region(tmp_path, capsys):
    doc = tmp_path / "parameters.md"
    doc.write_text(f"# Title\n\nbefore\n{BEGIN}\nstale table\n{END}\nafter\n")
    assert main(["--doc", str(doc), "--check"]) == 1
    assert "stale table" in doc.read_text()  # --check writes nothing
    assert main(["--doc", str(doc)]) == 0
    text = doc.read_text()
    assert text.startswith("# Title\n\nbefore\n" + BEGIN + "\n") and text.endswith(f"\n{END}\nafter\n")
    assert "`wall_mm`" in text and "`pcb.rules.min_track_mm`" in text and "stale" not in text
    assert main(["--doc", str(doc), "--check"]) == 0
    doc.write_text("no markers\n")
    with pytest.raises(InputError, match="no <!-- parameters:begin -->"):
        main(["--doc", str(doc)])
