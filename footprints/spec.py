"""Package specifications: every dimension as min/nominal/max with its source, validated on load.

A spec file is YAML. Each dimension is either a number (exact), `{nom, tol}` or `{min, nom, max}`,
optionally with `source` and `unconfirmed: true`. Errors name the file, the key and the value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from wattcad.core.errors import InputError
from wattcad.core.param_schema import Param, check, check_value

SPEC_DIR = Path(__file__).resolve().parent / "specs"

KINDS = ("no_lead", "chip", "pin_grid", "pin_list")
# Dimensions every spec of a kind must give (all millimetres).
REQUIRED_DIMS = {
    "no_lead": ("body_x", "body_y", "pitch", "terminal_length", "terminal_width", "height"),
    "chip": ("body_length", "body_width", "terminal_length", "height"),
    "pin_grid": ("body_x", "body_y", "pitch_x", "pitch_y", "height"),
    "pin_list": ("body_x", "body_y", "height"),
}
REQUIRED_COUNTS = {
    "no_lead": ("pins_x", "pins_y"),
    "chip": (),
    "pin_grid": ("rows", "columns"),
    "pin_list": (),
}


@dataclass(frozen=True)
class Dim:
    """One dimension in millimetres."""

    min: float
    nom: float
    max: float
    source: str = ""
    unconfirmed: bool = False

    @property
    def tol(self) -> float:
        """The full tolerance range (max - min), IPC's C."""
        return self.max - self.min


@dataclass(frozen=True)
class ListedPin:
    number: str
    x_mm: float
    y_mm: float


@dataclass(frozen=True)
class PackageSpec:
    name: str
    kind: str
    title: str
    path: Path
    source: str
    dims: dict[str, Dim]
    counts: dict[str, int]
    aliases: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    footprint: str = ""  # library footprint the project uses for it ("Lib:Name"), or "generated"
    mount: str = "smd"
    ep_unconfirmed: bool = False
    pins: tuple[ListedPin, ...] = ()
    position_tolerance_mm: float = 0.1
    options: dict = field(default_factory=dict)

    def dim(self, key: str) -> Dim:
        return self.dims[key]

    def has(self, key: str) -> bool:
        return key in self.dims

    @property
    def pin_count(self) -> int:
        if self.kind == "no_lead":
            return 2 * (self.counts["pins_x"] + self.counts["pins_y"])
        if self.kind == "chip":
            return 2
        if self.kind == "pin_grid":
            return self.counts["rows"] * self.counts["columns"]
        return len(self.pins)


MM = Param("", "number", "mm")
# A dimension given as a mapping; a plain number is exact.
DIM_FIELDS = (
    Param("min", "number", "mm", "smallest", default=None), Param("nom", "number", "mm", "nominal", default=None),
    Param("max", "number", "mm", "largest", default=None),
    Param("tol", "number", "mm", "+- round nom, where min or max is not given", default=None, ge=0),
    Param("source", "str", doc="where the number comes from", default=""),
    Param("unconfirmed", "bool", doc="not read from the part's own datasheet: the verifier warns", default=False),
)
COUNT = Param("", "int", doc="a count of pins", ge=0)
PIN_FIELDS = (Param("number", "str", doc="the pin's number"), Param("x", "number", "mm", "its centre, x"),
              Param("y", "number", "mm", "its centre, y"))
SPEC_SCHEMA = (
    Param("name", "str", doc="the spec's name (footprints/specs/NAME.yaml)"),
    Param("kind", "enum", doc="the family of land pattern", choices=KINDS),
    Param("title", "str", doc="a readable name (default: the name)", default=""),
    Param("source", "str", doc="where the dimensions come from"),
    Param("dimensions", "mapping", doc="each size in mm as a number or {min, nom, max, tol, source, unconfirmed}, "
                                       "and the kind's pin counts"),
    Param("aliases", "list", doc="other names it is found by", default=[], item=Param("", "str")),
    Param("parts", "list", doc="part numbers in this package", default=[], item=Param("", "str")),
    Param("footprint", "str", doc="library footprint the project uses for it (Lib:Name), or generated", default=""),
    Param("mount", "enum", doc="surface-mount or through-hole", default="smd", choices=("smd", "tht")),
    Param("pins", "list", doc="a pin_list spec's pins", default=[],
          item=Param("", "mapping", fields=PIN_FIELDS)),
    Param("position_tolerance_mm", "number", "mm", "how far a pad may sit from the spec's position", default=0.1, ge=0),
    Param("options", "mapping", doc="kind-specific options", default={}, nullable=True),
)


def parse_dim(path, key: str, raw) -> Dim:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        v = check_value(MM, raw, path, key)
        dim = Dim(v, v, v)
    elif isinstance(raw, dict):
        d = check(DIM_FIELDS, raw, path, key)
        if d["nom"] is not None:
            nom = d["nom"]
        elif d["min"] is not None and d["max"] is not None:
            nom = (d["min"] + d["max"]) / 2
        else:
            raise InputError(path, key, "needs 'nom' or both 'min' and 'max'", raw)
        tol = d["tol"] or 0.0
        lo = d["min"] if d["min"] is not None else nom - tol
        hi = d["max"] if d["max"] is not None else nom + tol
        if lo > hi:
            raise InputError(path, f"{key}.min", f"min {lo} is greater than max {hi}", lo)
        if not lo <= nom <= hi:
            raise InputError(path, f"{key}.nom", f"nominal outside [{lo}, {hi}]", nom)
        dim = Dim(lo, nom, hi, d["source"], d["unconfirmed"])
    else:
        raise InputError(path, key, "must be a number or a {min, nom, max} mapping", raw)
    if dim.min < 0:
        raise InputError(path, key, "a size cannot be negative", dim.min)
    return dim


def spec_from_mapping(data, path) -> PackageSpec:
    if not isinstance(data, dict):
        raise InputError(path, None, "a package spec must be a YAML mapping", type(data).__name__)
    data = check(SPEC_SCHEMA, data, path)
    kind, raw_dims = data["kind"], data["dimensions"]
    counts = {}
    for key in REQUIRED_COUNTS[kind]:
        if key not in raw_dims:
            raise InputError(path, f"dimensions.{key}", "missing required key")
        counts[key] = check_value(COUNT, raw_dims[key], path, f"dimensions.{key}")
    dims = {key: parse_dim(path, f"dimensions.{key}", raw) for key, raw in raw_dims.items() if key not in counts}
    for key in REQUIRED_DIMS[kind]:
        if key not in dims:
            raise InputError(path, f"dimensions.{key}", "missing required key")
    pins = [ListedPin(p["number"], p["x"], p["y"]) for p in data["pins"]] if kind == "pin_list" else []
    if kind == "pin_list" and not pins:
        raise InputError(path, "pins", "a pin_list spec needs a non-empty list of {number, x, y}", data["pins"])
    numbers = [p.number for p in pins]
    dup = next((i for i, n in enumerate(numbers) if n in numbers[:i]), None)
    if dup is not None:
        raise InputError(path, f"pins[{dup}].number", "duplicate pin number", numbers[dup])
    spec = PackageSpec(
        name=data["name"], kind=kind, title=data["title"] or data["name"], path=Path(path), source=data["source"],
        dims=dims, counts=counts, aliases=tuple(a.lower() for a in data["aliases"]), parts=tuple(data["parts"]),
        footprint=data["footprint"], mount=data["mount"], pins=tuple(pins),
        position_tolerance_mm=data["position_tolerance_mm"], options=dict(data["options"] or {}),
    )
    _check_fit(spec)
    return spec


def _check_fit(spec: PackageSpec) -> None:
    """Reject geometry that cannot exist: pins that do not fit the body, an EP wider than the body."""
    path = spec.path
    if spec.kind == "no_lead":
        for count_key, body_key in (("pins_x", "body_x"), ("pins_y", "body_y")):
            n = spec.counts[count_key]
            if n < 1:
                raise InputError(path, f"dimensions.{count_key}", "a no-lead package needs pins on every side", n)
            span = (n - 1) * spec.dims["pitch"].nom + spec.dims["terminal_width"].max
            if span > spec.dims[body_key].min:
                raise InputError(path, f"dimensions.{count_key}",
                                 f"{n} pins at pitch {spec.dims['pitch'].nom} mm span {span:.2f} mm, "
                                 f"more than the {spec.dims[body_key].min} mm body", n)
            if 2 * spec.dims["terminal_length"].max >= spec.dims[body_key].min:
                raise InputError(path, "dimensions.terminal_length", "terminals longer than half the body",
                                 spec.dims["terminal_length"].max)
        for ep_key, body_key in (("ep_x", "body_x"), ("ep_y", "body_y")):
            if ep_key in spec.dims and spec.dims[ep_key].max >= spec.dims[body_key].min:
                raise InputError(path, f"dimensions.{ep_key}", "exposed pad larger than the body",
                                 spec.dims[ep_key].max)
    elif spec.kind == "chip":
        if 2 * spec.dims["terminal_length"].max >= spec.dims["body_length"].min:
            raise InputError(path, "dimensions.terminal_length", "terminals overlap in the middle of the body",
                             spec.dims["terminal_length"].max)
    elif spec.kind == "pin_grid":
        for count_key, pitch_key, body_key in (("columns", "pitch_x", "body_x"), ("rows", "pitch_y", "body_y")):
            n = spec.counts[count_key]
            if n < 1:
                raise InputError(path, f"dimensions.{count_key}", "needs at least one", n)
            if (n - 1) * spec.dims[pitch_key].nom > spec.dims[body_key].max:
                raise InputError(path, f"dimensions.{count_key}",
                                 f"{n} pins at {spec.dims[pitch_key].nom} mm do not fit the "
                                 f"{spec.dims[body_key].max} mm body", n)
        if spec.mount == "tht" and "lead_diameter" not in spec.dims:
            raise InputError(path, "dimensions.lead_diameter", "a through-hole spec needs the lead diameter")


def load_spec(path: str | Path) -> PackageSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "spec file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"cannot read spec file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(path, None, f"not valid YAML: {exc}") from None
    return spec_from_mapping(data, path)


@cache
def builtin_specs() -> tuple[PackageSpec, ...]:
    return tuple(load_spec(p) for p in sorted(SPEC_DIR.glob("*.yaml")))


def find_spec(name_or_path: str) -> PackageSpec:
    """A spec by file path, by name or by alias (`ade7816`), case-insensitive."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        return load_spec(candidate)
    spec = builtin_spec(name_or_path)
    if spec is None:
        raise InputError(None, "--package", f"unknown package spec; known: {known_specs()}", name_or_path)
    return spec


def builtin_spec(key: str) -> PackageSpec | None:
    """The built-in spec named KEY, or with KEY as an alias or part number (case-insensitive)."""
    key = key.lower()
    return next((s for s in builtin_specs() if key == s.name.lower() or key in s.aliases or
                 key in (p.lower() for p in s.parts)), None)


def known_specs() -> str:
    return ", ".join(s.name for s in builtin_specs())


# Fields that carry the orderable part number or the package, as boards and schematics name them.
PART_NUMBER_FIELDS = ("MPN", "Manufacturer_Part_Number", "Manufacturer Part Number", "MFR_PN", "MPN1", "PartNumber",
                      "Part Number", "manf#", "mpn")
PACKAGE_FIELDS = ("Package", "package", "Case", "Package / Case")


def _part_number_spec(number: str) -> PackageSpec | None:
    """The spec whose part number NUMBER is, or starts with (orderable suffixes: ADE7816ACPZ-RL)."""
    number_l = number.strip().lower()
    if not number_l:
        return None
    for spec in builtin_specs():
        if any(number_l == p.lower() or number_l.startswith(p.lower()) for p in spec.parts):
            return spec
    return None


def spec_for_part(value: str, footprint_name: str = "", fields: dict[str, str] | None = None) -> PackageSpec | None:
    """The spec for a board part (match_spec, without saying what matched)."""
    return match_spec(value, footprint_name, fields)[0]


def match_spec(value: str, footprint_name: str = "", fields: dict[str, str] | None = None) -> tuple[PackageSpec | None, str]:
    """(the spec for a board part, what chose it): a part-number field (the part number, orderable
    suffixes allowed), a package field (a spec's name or alias), the footprint name, then a value that
    is itself a part number a spec lists (ADE7816). A value never outweighs a field or a footprint name
    that names another package, and a generic value (16.384MHz, 10k) is no spec's part number."""
    fields = fields or {}
    for f in PART_NUMBER_FIELDS:
        spec = _part_number_spec(fields.get(f, ""))
        if spec is not None:
            return spec, f"part number field {f} ({fields[f]})"
    for f in PACKAGE_FIELDS:
        package = fields.get(f, "").strip().lower()
        for spec in builtin_specs() if package else ():
            if package == spec.name.lower() or package in spec.aliases or package in footprint_names_of(spec):
                return spec, f"package field {f} ({fields[f]})"
    fp_l = footprint_name.lower().split(":")[-1]
    for spec in builtin_specs() if fp_l else ():
        if fp_l in footprint_names_of(spec):
            return spec, f"footprint name ({footprint_name.split(':')[-1]})"
    spec = _part_number_spec(value)
    if spec is not None:
        return spec, f"value ({value}, a part number of the spec)"
    return None, ""


def footprint_names_of(spec: PackageSpec) -> set[str]:
    """Lower-case footprint names known to carry this package: its library footprint, the ones its
    data lists, and the generated one."""
    names = {n.lower() for n in spec.options.get("footprint_names", ())}
    if spec.footprint and spec.footprint != "generated":
        names.add(spec.footprint.lower().split(":")[-1])
    if spec.kind in ("no_lead", "chip"):
        from .generate import footprint_name  # generate imports this module

        names.add(footprint_name(spec).lower())
    return names


PART_MAP_NAME = "wattcad-parts.yaml"


def load_part_map(path: str | Path) -> list[tuple[str, PackageSpec]]:
    """A user's mapping of parts to package specs (`parts: {PATTERN: SPEC}`), PATTERN a reference
    or value (shell wildcards allowed), SPEC a known spec name or a spec file beside the map."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"cannot read the part map: {exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(path, None, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("parts"), dict):
        raise InputError(path, "parts", "a part map needs a 'parts' mapping of reference or value to spec",
                         data if not isinstance(data, dict) else data.get("parts"))
    out = []
    for pattern, target in data["parts"].items():
        if not isinstance(target, str) or not target.strip():
            raise InputError(path, f"parts.{pattern}", "must name a package spec or a spec file", target)
        if Path(target).suffix in (".yaml", ".yml"):
            spec = load_spec(path.parent / target)  # its own errors name the spec file
        else:
            spec = builtin_spec(target)
            if spec is None:
                raise InputError(path, f"parts.{pattern}", f"unknown package spec; known: {known_specs()}", target)
        out.append((str(pattern), spec))
    return out


def map_spec(part_map: list[tuple[str, PackageSpec]], reference: str, value: str) -> PackageSpec | None:
    """The spec the user's map gives this part: the first pattern matching its reference or value."""
    import fnmatch

    for pattern, spec in part_map:
        if fnmatch.fnmatchcase(reference, pattern) or fnmatch.fnmatchcase(value, pattern):
            return spec
    return None
