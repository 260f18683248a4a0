from pathlib import Path

import pytest
import yaml

from wattcad.core.errors import InputError
from wattcad.footprints.spec import builtin_specs, find_spec, load_spec, spec_for_part

GOOD = yaml.safe_load((Path(__file__).resolve().parents[1] / "footprints/specs/lfcsp-40-6x6.yaml").read_text())


def write(tmp_path, data) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_every_builtin_spec_loads_with_sources():
    specs = builtin_specs()
    names = {s.name for s in specs}
    assert {"lfcsp-40-6x6", "chip-0402", "chip-0603", "chip-0805", "sot-23", "sot-23-5", "sot-23-6",
            "crystal-3225", "jack-3.5mm-sj1-3533ng", "module-adafruit-feather",
            "terminal-block-2-5.08", "barrel-jack-pj-102ah"} <= names
    assert all(s.source for s in specs)


def test_ade7816_spec_is_the_6x6_part_with_unconfirmed_values_flagged():
    spec = find_spec("ade7816")
    assert spec.pin_count == 40
    assert spec.dim("body_x").nom == pytest.approx(6.0) and spec.dim("pitch").nom == pytest.approx(0.5)
    assert spec.dim("ep_x").unconfirmed and spec.dim("terminal_length").unconfirmed
    assert not spec.dim("body_x").unconfirmed
    assert spec_for_part("ADE7816ACPZ") is spec


@pytest.mark.parametrize("mutate, field, value", [
    (lambda d: d.pop("kind"), "kind", None),
    (lambda d: d["dimensions"].pop("pitch"), "dimensions.pitch", None),
    (lambda d: d["dimensions"].update(body_x={"min": 6.2, "nom": 6.0, "max": 6.1}), "dimensions.body_x.min", "6.2"),
    (lambda d: d["dimensions"].update(terminal_width={"min": -0.2, "nom": 0.25, "max": 0.3}), "dimensions.terminal_width", "-0.2"),
    (lambda d: d["dimensions"].update(pins_x=14), "dimensions.pins_x", "14"),
    (lambda d: d["dimensions"].update(pitch="half a mm"), "dimensions.pitch", "half a mm"),
    (lambda d: d.update(kind="bga"), "kind", "bga"),
])
def test_bad_spec_names_file_key_and_value(tmp_path, mutate, field, value):
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(InputError) as info:
        load_spec(path)
    message = str(info.value)
    assert str(path) in message and field in message
    if value is not None:
        assert value in message


def test_not_yaml_and_missing_file_are_input_errors(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("name: [unclosed")
    with pytest.raises(InputError, match="not valid YAML"):
        load_spec(bad)
    with pytest.raises(InputError, match="not found"):
        load_spec(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="unknown package spec"):
        find_spec("no-such-package")
