"""The BoardModel: the versioned, typed description of a board that enclosure/, freecad/ and
blender/ share. Millimetres, KiCad's board axes (x right, y down); the 3D consumers turn y around
(`to_3d`) and put the board's bottom face at z = 0.

JSON on disk: `{"schema": "wattcad.core.boardmodel", "version": 3, ...}`. Version 2 added `Body.role`;
version 3 real shapes: how each body is drawn (`drawn`: its own 3D model, wattcad's body from its
package spec, or its box), the STEP file that draws it (`shape`, relative to the model's own file:
`shapes/NAME.step`) with KiCad's placement of it, and a jack's round barrel (`plug_*`), which the
enclosure's cut-out follows.

The core owns the contract; its hosts take this file as it is: wattcad.core.boardmodel re-exports it,
the Blender add-on carries a copy as its boardmodel.py when it is packaged (a Blender that has nothing
of wattcad installed; wattcad/blender_addon.py) and loads it from here when wattcad runs Blender, and
freecad/build_fcstd.py loads it by its path in FreeCAD's Python. Hence: standard library only, no
import of wattcad (absent in Blender and FreeCAD), and its own error, BoardModelError, that names
the file and the field."""
from __future__ import annotations

import dataclasses
import json
import math
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA = "wattcad.core.boardmodel"
VERSION = 3
Point = tuple[float, float]
Vector = tuple[float, float, float]
SIDES = ("top", "bottom")
OPENINGS = ("", "+y", "-y", "+x", "-x")
# What a body is, for the pictures: "" a part on the board; "module" the board of a host module
# stacked on headers (which one, e.g. a Feather, is its value/footprint/package: data, not a role).
ROLES = ("", "module")
# How a body is drawn: "model" the footprint's own 3D model, "body" wattcad's from its package spec,
# "box" its box (fab outline, courtyard or pads; a spec's or a default height).
DRAWN = ("box", "model", "body")


class BoardModelError(ValueError):
    """A board model that cannot be read: the file, the field (dotted, e.g. `bodies[3].side`) and
    the value. The same attributes as wattcad.core.errors.InputError, which wattcad.core.boardmodel.load turns
    it into; a ValueError so Blender and FreeCAD code catch it without wattcad."""

    def __init__(self, path, field_name: str | None, message: str, value=None):
        self.path = str(path) if path else None
        self.field = field_name
        self.message = message
        self.value = value
        where = ": ".join(p for p in (self.path, field_name) if p)
        shown = f" (value: {value!r})" if value is not None else ""
        super().__init__(f"{where}: {message}{shown}" if where else f"{message}{shown}")


@dataclass(frozen=True)
class Hole:
    x_mm: float
    y_mm: float
    diameter_mm: float
    plated: bool = False
    ref: str = ""


@dataclass(frozen=True)
class Body:
    """A part as a box: its footprint's pose, and the box in the footprint's own axes."""

    ref: str
    value: str
    footprint: str
    x_mm: float
    y_mm: float
    rotation_deg: float
    side: str  # top | bottom
    box_min_mm: Point  # local, before rotation
    box_max_mm: Point
    height_mm: float
    package: str = ""
    opening: str = ""  # "+y", "-y", "+x", "-x": the side a plug goes in, for connectors
    stands_off_mm: float = 0.0  # gap under the body (a board stacked on headers)
    role: str = ""  # one of ROLES
    drawn: str = "box"  # one of DRAWN
    shape: str = ""  # the STEP that draws it (relative to the model's file, or absolute in memory); "" = the box
    shape_offset_mm: Vector = (0.0, 0.0, 0.0)  # KiCad's placement of the file in the footprint (model offset)
    shape_rotation_deg: Vector = (0.0, 0.0, 0.0)  # KiCad's model rotation (x, y, z)
    shape_scale: Vector = (1.0, 1.0, 1.0)
    plug_diameter_mm: float = 0.0  # a round opening (a jack's barrel): its outer diameter; 0 = none
    plug_at_mm: Point = (0.0, 0.0)  # where the barrel's axis leaves it (its tip), in the footprint's axes
    plug_z_mm: float = 0.0  # the barrel's axis above the body's base

    def corners(self) -> list[Point]:
        (x0, y0), (x1, y1) = self.box_min_mm, self.box_max_mm
        return [self.to_board(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]

    def to_board(self, x: float, y: float) -> Point:
        a = math.radians(self.rotation_deg)
        c, s = math.cos(a), math.sin(a)
        if self.side == "bottom":
            y = -y
        return self.x_mm + x * c + y * s, self.y_mm - x * s + y * c

    def opening_axis(self) -> tuple[Point, Point] | None:
        """The connector's opening: a point on the box face the plug enters, and the outward
        direction, in board axes."""
        if not self.opening:
            return None
        (x0, y0), (x1, y1) = self.box_min_mm, self.box_max_mm
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        face = {"+y": (cx, y1), "-y": (cx, y0), "+x": (x1, cy), "-x": (x0, cy)}[self.opening]
        ahead = {"+y": (cx, y1 + 1), "-y": (cx, y0 - 1), "+x": (x1 + 1, cy), "-x": (x0 - 1, cy)}[self.opening]
        p, q = self.to_board(*face), self.to_board(*ahead)
        return p, (q[0] - p[0], q[1] - p[1])


@dataclass
class BoardModel:
    name: str
    thickness_mm: float
    outline: list[Point]  # outer edge, closed implicitly
    cutouts: list[list[Point]] = field(default_factory=list)
    holes: list[Hole] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    source: str = ""
    version: int = VERSION

    def bbox(self) -> tuple[float, float, float, float]:
        xs, ys = [p[0] for p in self.outline], [p[1] for p in self.outline]
        return min(xs), min(ys), max(xs), max(ys)

    def body(self, ref: str) -> Body:
        return next(b for b in self.bodies if b.ref == ref)

    def to_json(self) -> str:
        # The source board by its name: the file is the same wherever the board was read from.
        data = {"schema": SCHEMA, **asdict(self), "source": Path(self.source).name if self.source else ""}
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, path: str | Path = "") -> BoardModel:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BoardModelError(path, None, f"not JSON: {exc}") from None
        return cls.from_dict(data, path)

    @classmethod
    def from_dict(cls, data, path: str | Path = "", where: str = "") -> BoardModel:
        """The model from parsed JSON; `where` prefixes the field names when the model sits inside
        another document (FreeCAD's job file: `boardmodel`)."""
        if not isinstance(data, dict):
            raise BoardModelError(path, where or None, "must be a JSON object", type(data).__name__)
        at = f"{where}." if where else ""
        if data.get("schema") != SCHEMA:
            raise BoardModelError(path, f"{at}schema", f"not a {SCHEMA} file", data.get("schema"))
        if data.get("version") != VERSION:
            raise BoardModelError(path, f"{at}version", f"this reader reads version {VERSION}; "
                                  "write the model again with this wattcad (`wattcad enclosure`)", data.get("version"))
        model = _decode(cls, {k: v for k, v in data.items() if k != "schema"}, path, where)
        if model.thickness_mm <= 0:
            raise BoardModelError(path, f"{at}thickness_mm", "must be positive", model.thickness_mm)
        if len(model.outline) < 3:
            raise BoardModelError(path, f"{at}outline", "needs at least 3 points", len(model.outline))
        for i, b in enumerate(model.bodies):
            for name, allowed in (("side", SIDES), ("opening", OPENINGS), ("role", ROLES), ("drawn", DRAWN)):
                if getattr(b, name) not in allowed:
                    raise BoardModelError(path, f"{at}bodies[{i}].{name}", f"one of {allowed}", getattr(b, name))
        return model


def store_shapes(model: BoardModel, folder: str | Path, subfolder: str = "shapes") -> BoardModel:
    """The model with its bodies' shape files copied into FOLDER/SUBFOLDER and named relative to
    FOLDER (where the model's JSON goes): the folder travels whole. Same-named different files get
    their content's digest in the name."""
    import hashlib
    import shutil

    target = Path(folder) / subfolder
    taken: dict[str, str] = {}  # stored name -> source
    renamed: dict[str, str] = {}
    for body in sorted(model.bodies, key=lambda b: b.ref):
        if not body.shape or body.shape in renamed or not Path(body.shape).is_absolute():
            continue
        source = Path(body.shape)
        name = source.name
        if name in taken and taken[name] != str(source):
            name = f"{source.stem}-{hashlib.sha256(source.read_bytes()).hexdigest()[:8]}{source.suffix}"
        if name not in taken:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
            taken[name] = str(source)
        renamed[body.shape] = f"{subfolder}/{name}"
    bodies = [dataclasses.replace(b, shape=renamed.get(b.shape, b.shape)) for b in model.bodies]
    return dataclasses.replace(model, bodies=bodies)


def shape_path(body: Body, model_file: str | Path | None) -> Path | None:
    """The file that draws BODY: its `shape`, relative to the model's file when it is not absolute."""
    if not body.shape:
        return None
    path = Path(body.shape)
    return path if path.is_absolute() or model_file is None else Path(model_file).parent / path


def read(path: str | Path) -> BoardModel:
    """A boardmodel.json from disk; every failure names the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BoardModelError(path, None, f"cannot read the board model: {exc}") from None
    return BoardModel.from_json(text, path)


def to_3d(point: Point) -> Point:
    """Board axes (y down) to the right-handed 3D axes of the CAD tools (y up)."""
    return point[0], -point[1]


# --- typed decoding: the dataclasses' own annotations say what each field must be --------------

def _decode(cls, data, path, where: str):
    if not isinstance(data, dict):
        raise BoardModelError(path, where or None, "must be a JSON object", type(data).__name__)
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    at = f"{where}." if where else ""
    unknown = sorted(set(data) - known)
    if unknown:
        raise BoardModelError(path, f"{at}{unknown[0]}", f"not a field of {cls.__name__}")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _value(hints[f.name], data[f.name], path, f"{at}{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise BoardModelError(path, f"{at}{f.name}", "missing (a required field)")
    return cls(**values)


def _value(kind, value, path, where: str):
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if dataclasses.is_dataclass(kind):
        return _decode(kind, value, path, where)
    if origin is list:
        if not isinstance(value, list):
            raise BoardModelError(path, where, "must be a list", value)
        return [_value(args[0], v, path, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:
        if not isinstance(value, (list, tuple)) or len(value) != len(args):
            raise BoardModelError(path, where, f"must be a list of {len(args)} numbers", value)
        return tuple(_value(a, v, path, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
    # bool is an int in Python, never a number here (and a number is never a bool).
    ok = {float: isinstance(value, (int, float)) and not isinstance(value, bool),
          int: isinstance(value, int) and not isinstance(value, bool),
          bool: isinstance(value, bool), str: isinstance(value, str)}[kind]
    if not ok or (kind is float and not math.isfinite(value)):
        raise BoardModelError(path, where, f"must be a {kind.__name__}", value)
    return kind(value)
