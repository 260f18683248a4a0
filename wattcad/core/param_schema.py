"""Parameters declared once: type, unit, limits, default and a one-line doc; the check that reads a
YAML mapping against them, and the Markdown table that documents them. Pure: no host application.

The loaders of enclosure/params.py, examples/ade7816/params.py and footprints/spec.py declare their fields
here; docs/parameters.md's tables are generated from the same declarations by wattcad.docs_tables,
so the docs cannot drift from what is checked.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import math
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wattcad.core.errors import InputError

TYPES = ("number", "int", "bool", "str", "enum", "list", "mapping")
LIMITS = (("ge", ">=", operator.ge), ("gt", ">", operator.gt), ("le", "<=", operator.le), ("lt", "<", operator.lt))


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()  # the default of a key that must be given
# PyYAML reads YAML 1.1, whose floats need a signed exponent: `max_ohm: 10.0e6` arrives as text.
UNSIGNED_EXPONENT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE]\d+")


@dataclass(frozen=True)
class Param:
    """One parameter.

    number: int or float, finite, read as float; int: a whole number; bool: true/false;
    str: text (a YAML string, number or date, read as its text; a required one must not be empty);
    enum: one of `choices`; list: each item declared by `item` (any item when None);
    mapping: its keys declared by `fields`, or (fields None) any keys, each value declared by `item`.
    Limits (numbers only): ge >=, gt >, le <=, lt <."""

    name: str
    type: str
    unit: str = ""  # "mm", "ohm", "Hz", "A", ...; "" for a ratio or a name
    doc: str = ""
    default: Any = REQUIRED
    nullable: bool = False  # null is a value (read as None), not a missing key
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple = ()
    item: Param | None = None
    fields: tuple[Param, ...] | None = None

    def __post_init__(self):
        # A wrong declaration fails on import, not on the first user whose file reaches it.
        if self.type not in TYPES:
            raise ValueError(f"{self.name}: type {self.type!r} is not one of {TYPES}")
        if (self.type == "enum") != bool(self.choices):
            raise ValueError(f"{self.name}: choices go with type enum, and only with it")
        if self.limits() and self.type not in ("number", "int"):
            raise ValueError(f"{self.name}: limits apply to numbers only")
        if (self.ge is not None and self.gt is not None) or (self.le is not None and self.lt is not None):
            raise ValueError(f"{self.name}: one lower and one upper limit at most")
        if self.fields is not None and (self.type != "mapping" or self.item is not None):
            raise ValueError(f"{self.name}: fields go with a mapping that has no item")

    def limits(self) -> list[tuple[str, float]]:
        return [(sign, getattr(self, attr)) for attr, sign, _ in LIMITS if getattr(self, attr) is not None]

    def within(self, value: float) -> bool:
        return all(compare(value, getattr(self, attr)) for attr, _, compare in LIMITS if getattr(self, attr) is not None)


def param_field(type: str, unit: str = "", doc: str = "", **declared) -> Any:
    """A dataclass field carrying its Param (named after the field by `schema_of`), so a dataclass
    of parameters declares each one once."""
    return dataclasses.field(metadata={"param": Param("", type, unit, doc, **declared)})


def schema_of(cls) -> tuple[Param, ...]:
    """The Params of a dataclass's `param_field`s, in field order."""
    return tuple(dataclasses.replace(f.metadata["param"], name=f.name)
                 for f in dataclasses.fields(cls) if "param" in f.metadata)


def with_defaults(schema: tuple[Param, ...], values: Mapping, where) -> tuple[Param, ...]:
    """SCHEMA with each default taken from VALUES (a defaults file, itself checked and named as WHERE)."""
    checked = check(schema, values, where)
    return tuple(dataclasses.replace(p, default=checked[p.name]) for p in schema)


def _dotted(prefix: str, key) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def check(schema: tuple[Param, ...], data, where, prefix: str = "") -> dict[str, Any]:
    """DATA (a mapping read from WHERE) checked against SCHEMA: the typed value of every declared key,
    its default when absent. An unknown key, a missing required one, a wrong type or a value out of
    its limits is an InputError naming WHERE, the key (dotted under PREFIX) and the value."""
    if not isinstance(data, Mapping):
        raise InputError(where, prefix or None, "must be a mapping", data)
    known = {p.name: p for p in schema}
    for key, value in data.items():
        if key not in known:
            raise InputError(where, _dotted(prefix, key), f"unknown parameter; known: {', '.join(known)}", value)
    out = {}
    for p in schema:
        if p.name in data:
            out[p.name] = check_value(p, data[p.name], where, _dotted(prefix, p.name))
        elif p.default is REQUIRED:
            raise InputError(where, _dotted(prefix, p.name), "missing required key")
        else:
            out[p.name] = copy.deepcopy(p.default)  # a caller's edit must not change the declaration
    return out


def check_value(p: Param, value, where, field: str | None = None) -> Any:
    """One VALUE checked against P, typed; FIELD names it in an error (P's name by default)."""
    field = field or p.name
    if value is None and p.nullable:
        return None
    if p.type == "mapping" and p.fields is not None:
        return check(p.fields, value, where, field)
    if p.type == "mapping" and isinstance(value, Mapping):
        return {k: check_value(p.item, v, where, _dotted(field, k)) if p.item else v for k, v in value.items()}
    if p.type == "list" and isinstance(value, list):
        return [check_value(p.item, v, where, f"{field}[{i}]") if p.item else v for i, v in enumerate(value)]
    if p.type == "bool" and isinstance(value, bool):
        return value
    if p.type == "enum" and not isinstance(value, bool) and value in p.choices:
        return value
    if (p.type == "str" and isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool)
            and (str(value) or p.default is not REQUIRED)):
        return str(value)
    if p.type == "number" and isinstance(value, str) and UNSIGNED_EXPONENT.fullmatch(value.strip()):
        value = float(value)
    if p.type in ("number", "int") and isinstance(value, (int, float)) and not isinstance(value, bool):
        right_kind = isinstance(value, int) or p.type == "number"
        if right_kind and math.isfinite(value) and p.within(value):
            return float(value) if p.type == "number" else value
    message = f"must be {requirement(p)}"
    raise InputError(where, field, f"{message}; {p.doc}" if p.doc else message, value)


def _number_text(v: float) -> str:
    return f"{v:g}"


def limits_text(p: Param) -> str:
    """'> 0', '>= 0 and < 1', 'one of spi, i2c', or ''."""
    if p.type == "enum":
        return "one of " + ", ".join(map(str, p.choices))
    return " and ".join(f"{sign} {_number_text(bound)}" for sign, bound in p.limits())


def _joined(*parts: str) -> str:
    return ", ".join(t for t in parts if t)


def type_text(p: Param) -> str:
    """'number, mm', 'list of text', 'mapping of text', 'bool', ..."""
    kind = "text" if p.type == "str" else p.type
    if p.type == "list" or (p.type == "mapping" and p.item is not None):
        kind += " of " + (type_text(p.item) if p.item else "anything")
    return _joined(kind, p.unit)


def requirement(p: Param) -> str:
    """What a value of P must be, for an error: 'a number in mm, > 0', 'true or false'."""
    text = {"number": "a number", "int": "a whole number", "bool": "true or false", "str": "non-empty text",
            "enum": "", "list": "a list", "mapping": "a mapping"}[p.type]
    if p.unit:
        text += f" in {p.unit}"
    return _joined(text, limits_text(p), "or null" if p.nullable else "")


def _default_text(p: Param) -> str:
    v = p.default
    if v is REQUIRED or (v is None and not p.nullable):  # absent is allowed, null is not
        return "required" if v is REQUIRED else "optional"
    if isinstance(v, float):
        return f"`{_number_text(v)}`"
    if isinstance(v, str):
        return f"`{v}`" if v else '`""`'
    return f"`{json.dumps(v)}`"  # true, null, [], {}


def rows(schema: tuple[Param, ...], prefix: str = "") -> list[tuple[str, Param]]:
    """(dotted name, Param) of every leaf: a mapping with declared fields contributes its fields, a
    mapping or list of declared mappings its item's fields (`netclasses.NAME.track_mm`, `pins[].x`)."""
    out = []
    for p in schema:
        name = _dotted(prefix, p.name)
        if p.fields is not None:
            out += rows(p.fields, name)
        elif p.item is not None and p.item.fields is not None:
            out += rows(p.item.fields, f"{name}.NAME" if p.type == "mapping" else f"{name}[]")
        else:
            out.append((name, p))
    return out


def markdown_table(schema: tuple[Param, ...]) -> str:
    """A Markdown table of SCHEMA: name, type and unit, default, limits and what it is."""
    lines = ["| parameter | type, unit | default | limits | what it is |", "|---|---|---|---|---|"]
    for name, p in rows(schema):
        cells = (f"`{name}`", type_text(p), _default_text(p),
                 _joined(limits_text(p), "or null" if p.nullable else ""), p.doc)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
