"""wattcad.yaml: how `wattcad build PROJECT` builds a KiCad project. Optional; every key checked,
and a wrong one refused with the file, the key and the value, before any step runs."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from wattcad.blender.views import VIEWS  # pure: the views Blender can draw
from wattcad.core.errors import InputError
from wattcad.core.fileio import read_yaml_mapping
from wattcad.pipeline.outputs import output_names

CONFIG_NAME = "wattcad.yaml"
# Projects whose sources a package generates (footprints, schematic, boards): name -> its package,
# declared in the `wattcad.generators` entry point group (wattcad's own example is one).
GENERATORS = {ep.name: ep.value for ep in sorted(entry_points(group="wattcad.generators"), key=lambda ep: ep.name)}
KEYS = {
    "project": "the .kicad_pro to build when the folder holds more than one",
    "generate": f"wattcad generates the sources: one of {', '.join(GENERATORS)}",
    "boards": "with generate: the folder of the source boards, updated in place (default: boards)",
    "outputs": f"the steps to run, any of {', '.join(output_names())} (default: all)",
    "enclosure": "enclosure parameters overriding wattcad's defaults (the keys of `wattcad enclosure --params`)",
    "views": f"the Blender views to draw, any of {', '.join(VIEWS)} (default: iso, top)",
    "freecad": "also build the parametric FreeCAD document of the enclosure (default: false; true with generate)",
}


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None  # the wattcad.yaml read, None when the project has none
    project: str | None = None
    generate: str | None = None
    boards: str = "boards"
    outputs: tuple[str, ...] | None = None  # None: every output registered as a default
    enclosure: dict = field(default_factory=dict)
    views: tuple[str, ...] = ("iso", "top")
    freecad: bool = False


def _names(path: Path, key: str, value, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InputError(path, key, f"must be a non-empty list, any of {', '.join(allowed)}", value)
    for i, item in enumerate(value):
        if item not in allowed:
            raise InputError(path, f"{key}[{i}]", f"unknown; one of {', '.join(allowed)}", item)
    if len(set(value)) != len(value):
        raise InputError(path, key, "lists an entry twice", value)
    return tuple(value)


def load_project_config(folder: Path) -> ProjectConfig:
    """FOLDER/wattcad.yaml, or the defaults when there is none."""
    path = Path(folder) / CONFIG_NAME
    if not path.is_file():
        return ProjectConfig(None)
    data = read_yaml_mapping(path, "wattcad project configuration")
    for key in data:
        if key not in KEYS:
            raise InputError(path, str(key), f"unknown key; known: {', '.join(KEYS)}", data[key])
    values: dict = {"path": path}
    for key in ("project", "generate", "boards"):
        if key in data:
            if not isinstance(data[key], str) or not data[key].strip():
                raise InputError(path, key, "must be a non-empty string", data[key])
            values[key] = data[key]
    if "project" in values and not values["project"].endswith((".kicad_pro", ".pro")):
        raise InputError(path, "project", "must name a .kicad_pro (or a KiCad 4/5 .pro) file", values["project"])
    if "generate" in values and values["generate"] not in GENERATORS:
        raise InputError(path, "generate", f"unknown generator; one of {', '.join(GENERATORS)}", values["generate"])
    if "generate" in values:  # a generated project builds all of its steps, as `wattcad build` does
        for key in ("project", "outputs", "views", "enclosure"):
            if key in data:
                raise InputError(path, key, "not used with generate (use --enclosure-params, --no-render)", data[key])
    if "outputs" in data:
        values["outputs"] = tuple(o for o in output_names() if o in _names(path, "outputs", data["outputs"], output_names()))
    if "views" in data:
        values["views"] = _names(path, "views", data["views"], VIEWS)
    if "enclosure" in data:
        if not isinstance(data["enclosure"], dict):
            raise InputError(path, "enclosure", "must be a mapping of enclosure parameters", data["enclosure"])
        from wattcad.enclosure.params import load_params

        # Checked now, so a wrong value is named in wattcad.yaml before any step runs.
        load_params(overrides=data["enclosure"], where=f"{path}: enclosure")
        values["enclosure"] = dict(data["enclosure"])
    values["freecad"] = "generate" in values
    if "freecad" in data:
        if not isinstance(data["freecad"], bool):
            raise InputError(path, "freecad", "must be true or false", data["freecad"])
        values["freecad"] = data["freecad"]
    return ProjectConfig(**values)
