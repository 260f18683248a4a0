"""The BoardModel: the versioned, typed description of a board that enclosure/, freecad/ and
blender/ share. Millimetres, KiCad's board axes (x right, y down); the 3D consumers turn y around
(`to_3d`) and put the board's bottom face at z = 0.

JSON on disk: `{"schema": "wattcad.boardmodel", "version": 1, ...}`. No host application here."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wattcad.errors import InputError

SCHEMA = "wattcad.boardmodel"
VERSION = 1
Point = tuple[float, float]


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
    def from_json(cls, text: str, path: str | Path = "") -> "BoardModel":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(path, None, f"not JSON: {exc}") from None
        if data.get("schema") != SCHEMA:
            raise InputError(path, "schema", f"not a {SCHEMA} file", data.get("schema"))
        if data.get("version") != VERSION:
            raise InputError(path, "version", f"this wattcad reads version {VERSION}", data.get("version"))
        try:
            return cls(name=data["name"], thickness_mm=float(data["thickness_mm"]),
                       outline=[tuple(p) for p in data["outline"]], cutouts=[[tuple(p) for p in c] for c in data["cutouts"]],
                       holes=[Hole(**h) for h in data["holes"]],
                       bodies=[Body(**{**b, "box_min_mm": tuple(b["box_min_mm"]), "box_max_mm": tuple(b["box_max_mm"])})
                               for b in data["bodies"]],
                       source=data.get("source", ""), version=data["version"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(path, None, f"malformed board model: {exc}") from None


def to_3d(point: Point) -> Point:
    """Board axes (y down) to the right-handed 3D axes of the CAD tools (y up)."""
    return point[0], -point[1]
