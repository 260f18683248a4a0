"""Footprints as plain data (mm, KiCad's axes: +y down), read from and written to KiCad 9 files."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.errors import InputError

from . import sexpr
from .sexpr import Quoted, child, children, fmt_mm

KICAD_FOOTPRINT_VERSION = "20241229"
COPPER_LAYERS = ("F.Cu", "B.Cu", "*.Cu")


@dataclass
class Pad:
    number: str
    kind: str  # smd | thru_hole | np_thru_hole | connect
    shape: str  # rect | roundrect | circle | oval | custom | trapezoid
    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float
    rotation_deg: float = 0.0
    layers: tuple[str, ...] = ("F.Cu", "F.Mask", "F.Paste")
    drill_mm: float | None = None  # smallest drill dimension
    roundrect_rratio: float | None = None
    heatsink: bool = False
    net: str = ""  # on a board: the net the pad is on ('' unconnected, or a library footprint)
    # The copper's offset from the pad's position (its hole), in the pad's own frame: KiCad's drill
    # `(offset x y)`. Pin positions are the holes; the copper's extent is the shape's.
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0

    @property
    def is_copper(self) -> bool:
        return any(layer in COPPER_LAYERS or layer.endswith(".Cu") for layer in self.layers)

    @property
    def copper_sides(self) -> frozenset[str]:
        """'F' and/or 'B': the outer copper layers this pad is on (inner layers are not checked)."""
        sides = set()
        for layer in self.layers:
            if layer in ("*.Cu", "F&B.Cu"):
                sides |= {"F", "B"}
            elif layer == "F.Cu":
                sides.add("F")
            elif layer == "B.Cu":
                sides.add("B")
        return frozenset(sides)

    def _placer(self):
        """Pad-frame offsets to footprint coordinates, about the copper shape's centre. KiCad rotates
        counter-clockwise on screen with +y down: x' = x*c + y*s, y' = -x*s + y*c."""
        a = math.radians(self.rotation_deg)
        c, s = math.cos(a), math.sin(a)
        cx = self.x_mm + self.offset_x_mm * c + self.offset_y_mm * s
        cy = self.y_mm - self.offset_x_mm * s + self.offset_y_mm * c
        return lambda dx, dy: (cx + dx * c + dy * s, cy - dx * s + dy * c)

    def corners(self) -> list[tuple[float, float]]:
        place = self._placer()
        hw, hh = self.w_mm / 2, self.h_mm / 2
        return [place(dx, dy) for dx, dy in ((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh))]

    def bbox(self) -> tuple[float, float, float, float]:
        pts = self.corners()
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), min(ys), max(xs), max(ys)

    def core(self) -> tuple[list[tuple[float, float]], float]:
        """The pad's copper as a convex core grown by a radius: a circle is a point grown by its
        radius, an oval a segment grown by half its width, a rounded rectangle a smaller rectangle
        grown by its corner radius. (Custom pads stand as their anchor rectangle.)"""
        place = self._placer()
        hw, hh = self.w_mm / 2, self.h_mm / 2
        if self.shape == "circle":
            return [place(0.0, 0.0)], hw
        if self.shape == "oval":
            r = min(hw, hh)
            return [place(-(hw - r), -(hh - r)), place(hw - r, hh - r)], r
        r = 0.0
        if self.shape == "roundrect" and self.roundrect_rratio:
            r = min(self.roundrect_rratio * min(self.w_mm, self.h_mm), hw, hh)
        return [place(dx, dy) for dx, dy in ((-(hw - r), -(hh - r)), (hw - r, -(hh - r)), (hw - r, hh - r),
                                             (-(hw - r), hh - r))], r

    @property
    def size_x_mm(self) -> float:
        x0, _, x1, _ = self.bbox()
        return x1 - x0

    @property
    def size_y_mm(self) -> float:
        _, y0, _, y1 = self.bbox()
        return y1 - y0


@dataclass
class Graphic:
    kind: str  # line | rect | poly | circle | arc
    layer: str
    points: list[tuple[float, float]]
    width_mm: float
    fill: bool = False

    def extent_points(self) -> list[tuple[float, float]]:
        if self.kind == "circle":
            (cx, cy), (ex, ey) = self.points
            r = math.hypot(ex - cx, ey - cy)
            return [(cx - r, cy - r), (cx + r, cy + r)]
        return self.points


@dataclass
class Text:
    name: str  # Reference | Value | Datasheet | Description | user
    text: str
    x_mm: float
    y_mm: float
    layer: str
    size_mm: float = 1.0
    thickness_mm: float = 0.15
    hidden: bool = False


@dataclass
class Footprint:
    name: str
    pads: list[Pad] = field(default_factory=list)
    graphics: list[Graphic] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    layer: str = "F.Cu"
    descr: str = ""
    tags: str = ""
    attr: str = "smd"
    model_path: str = ""
    source: str = ""  # where it was read from, for messages
    reference: str = ""  # on a board
    value: str = ""
    library: str = ""  # library nickname on a board (Lib:Name)
    net_tie_groups: list[set[str]] = field(default_factory=list)  # pads the footprint joins on purpose

    def copper_pads(self) -> list[Pad]:
        return [p for p in self.pads if p.is_copper and p.kind != "np_thru_hole"]

    @property
    def fields(self) -> dict[str, str]:
        """The part's fields carried on the board (MPN, Manufacturer_Part_Number, Package...)."""
        return {t.name: t.text for t in self.texts if t.name not in ("Reference", "Value", "user")}

    def layer_graphics(self, suffix: str) -> list[Graphic]:
        return [g for g in self.graphics if g.layer.endswith(suffix)]

    def layer_bbox(self, suffix: str) -> tuple[float, float, float, float] | None:
        pts = [p for g in self.layer_graphics(suffix) for p in g.extent_points()]
        if not pts:
            return None
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), min(ys), max(xs), max(ys)


# ----------------------------------------------------------------------------------- reading
def _floats(node, n: int) -> list[float]:
    return [float(v) for v in node[1:1 + n]]


def _pt(node) -> tuple[float, float]:
    return float(node[1]), float(node[2])


def footprint_from_node(node: list, source: str = "", board_rotation_deg: float = 0.0) -> Footprint:
    """Read a `(footprint ...)` node, from a .kicad_mod file or from a board (local coordinates)."""
    if not node or node[0] not in ("footprint", "module"):
        raise ValueError("not a footprint")
    fp = Footprint(name=str(node[1]), source=source)
    if ":" in fp.name:
        fp.library, fp.name = fp.name.split(":", 1)
    for c in node[2:]:
        if not isinstance(c, list) or not c:
            continue
        head = c[0]
        if head == "layer":
            fp.layer = str(c[1])
        elif head == "descr":
            fp.descr = str(c[1])
        elif head == "tags":
            fp.tags = str(c[1])
        elif head == "attr":
            fp.attr = str(c[1]) if len(c) > 1 else ""
        elif head == "model":
            fp.model_path = str(c[1])
        elif head == "property" and len(c) >= 3:
            fp.texts.append(_text(c, str(c[1]), str(c[2])))
            if c[1] == "Reference":
                fp.reference = str(c[2])
            elif c[1] == "Value":
                fp.value = str(c[2])
        elif head == "fp_text" and len(c) >= 3:
            name = {"reference": "Reference", "value": "Value"}.get(str(c[1]), "user")
            fp.texts.append(_text(c, name, str(c[2])))
            if name == "Reference":
                fp.reference = str(c[2])
            elif name == "Value":
                fp.value = str(c[2])
        elif head in ("fp_line", "fp_rect", "fp_poly", "fp_circle", "fp_arc"):
            g = _graphic(c)
            if g is not None:
                fp.graphics.append(g)
        elif head == "pad":
            fp.pads.append(_pad(c, board_rotation_deg))
        elif head == "net_tie_pad_groups":  # KiCad 7+: ("1,2" "3,4")
            fp.net_tie_groups += [{n.strip() for n in str(g).split(",") if n.strip()} for g in c[1:]]
    return fp


def _text(c, name, text) -> Text:
    at = child(c, "at")
    layer = child(c, "layer")
    effects = child(c, "effects")
    size, thick, hidden = 1.0, 0.15, False
    if effects is not None:
        font = child(effects, "font")
        if font is not None:
            s = child(font, "size")
            t = child(font, "thickness")
            size = float(s[1]) if s else size
            thick = float(t[1]) if t else thick
        hidden = "hide" in effects[1:] or any(isinstance(h, list) and h[:2] == ["hide", "yes"] for h in effects)
    hide = child(c, "hide")
    if hide is not None and hide[1:2] == ["yes"]:
        hidden = True
    return Text(name, text, float(at[1]) if at else 0.0, float(at[2]) if at else 0.0,
                str(layer[1]) if layer else "", size, thick, hidden)


def _graphic(c) -> Graphic | None:
    layer = child(c, "layer")
    stroke = child(c, "stroke")
    width = child(stroke, "width") if stroke is not None else child(c, "width")
    w = float(width[1]) if width else 0.0
    fill_node = child(c, "fill")
    fill = bool(fill_node and fill_node[1] in ("yes", "solid"))
    kind = c[0][3:]
    if kind in ("line", "rect"):
        s, e = _pt(child(c, "start")), _pt(child(c, "end"))
        pts = [s, e] if kind == "line" else [s, (e[0], s[1]), e, (s[0], e[1])]
    elif kind == "circle":
        pts = [_pt(child(c, "center")), _pt(child(c, "end"))]
    elif kind == "arc":
        pts = [_pt(child(c, k)) for k in ("start", "mid", "end") if child(c, k) is not None]
    else:
        pts_node = child(c, "pts")
        pts = [_pt(p) for p in children(pts_node, "xy")] if pts_node else []
    if not pts or layer is None:
        return None
    return Graphic(kind, str(layer[1]), pts, w, fill)


def _pad(c, board_rotation_deg: float) -> Pad:
    at = child(c, "at")
    size = child(c, "size")
    layers = child(c, "layers")
    drill = child(c, "drill")
    rr = child(c, "roundrect_rratio")
    drill_mm = None
    offset = (0.0, 0.0)
    if drill is not None:
        nums = [float(v) for v in drill[1:] if not isinstance(v, list) and v != "oval"]
        drill_mm = min(nums) if nums else None
        shift = child(drill, "offset")
        if shift is not None and len(shift) >= 3:
            offset = (float(shift[1]), float(shift[2]))
    rot = (float(at[3]) if at is not None and len(at) > 3 else 0.0) - board_rotation_deg
    return Pad(
        number=str(c[1]), kind=str(c[2]), shape=str(c[3]),
        x_mm=float(at[1]), y_mm=float(at[2]), rotation_deg=rot % 360.0,
        w_mm=float(size[1]), h_mm=float(size[2]),
        layers=tuple(str(v) for v in layers[1:]) if layers else (),
        drill_mm=drill_mm, roundrect_rratio=float(rr[1]) if rr else None,
        heatsink=any(isinstance(p, list) and p[:2] == ["property", "pad_prop_heatsink"] for p in c),
        net=_pad_net(c), offset_x_mm=offset[0], offset_y_mm=offset[1],
    )


def _pad_net(c) -> str:
    """The pad's net on a board: `(net 3 "GND")` (KiCad 4-9) or `(net "GND")`; '' when it has none."""
    net = child(c, "net")
    if net is None or len(net) < 2:
        return ""
    return str(net[-1])


def read_kicad_mod(path: str | Path) -> Footprint:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"cannot read footprint file: {exc}") from None
    try:
        node = sexpr.parse(text)
    except sexpr.SexprError as exc:
        raise InputError(path, None, f"corrupt or truncated footprint file: {exc}") from None
    if not node or node[0] not in ("footprint", "module"):
        raise InputError(path, None, "not a KiCad footprint (no top-level 'footprint')", node[0] if node else "")
    try:
        fp = footprint_from_node(node, str(path))
    except (IndexError, TypeError, ValueError) as exc:
        raise InputError(path, None, f"malformed footprint: {exc}") from None
    # In a library KiCad names a footprint by its file, whatever the file says inside.
    fp.name = path.stem
    return fp


# ----------------------------------------------------------------------------------- writing
def _stroke(width_mm: float) -> list:
    return ["stroke", ["width", fmt_mm(width_mm)], ["type", "solid"]]


def _xy(x: float, y: float) -> list:
    return [fmt_mm(x), fmt_mm(y)]


def _effects(t: Text) -> list:
    node = ["effects", ["font", ["size", fmt_mm(t.size_mm), fmt_mm(t.size_mm)], ["thickness", fmt_mm(t.thickness_mm)]]]
    return node


def footprint_to_node(fp: Footprint) -> list:
    node: list = ["footprint", Quoted(fp.name), ["version", KICAD_FOOTPRINT_VERSION],
                  ["generator", Quoted("wattcad")], ["generator_version", Quoted("0.1")],
                  ["layer", Quoted(fp.layer)]]
    if fp.descr:
        node.append(["descr", Quoted(fp.descr)])
    if fp.tags:
        node.append(["tags", Quoted(fp.tags)])
    for t in fp.texts:
        if t.name == "user":
            continue
        prop = ["property", Quoted(t.name), Quoted(t.text), ["at", *_xy(t.x_mm, t.y_mm), "0"],
                ["layer", Quoted(t.layer)]]
        if t.hidden:
            prop.append(["hide", "yes"])
        prop.append(_effects(t))
        node.append(prop)
    node.append(["attr", fp.attr])
    for g in fp.graphics:
        if g.kind in ("line", "rect"):
            s, e = g.points[0], g.points[2] if g.kind == "rect" else g.points[1]
            item = ["fp_" + g.kind, ["start", *_xy(*s)], ["end", *_xy(*e)], _stroke(g.width_mm)]
            if g.kind == "rect":
                item.append(["fill", "yes" if g.fill else "no"])
        elif g.kind == "poly":
            item = ["fp_poly", ["pts", *[["xy", *_xy(*p)] for p in g.points]], _stroke(g.width_mm),
                    ["fill", "yes" if g.fill else "no"]]
        elif g.kind == "circle":
            item = ["fp_circle", ["center", *_xy(*g.points[0])], ["end", *_xy(*g.points[1])],
                    _stroke(g.width_mm), ["fill", "yes" if g.fill else "no"]]
        else:
            raise ValueError(f"cannot write graphic kind {g.kind}")
        item.append(["layer", Quoted(g.layer)])
        node.append(item)
    for t in fp.texts:
        if t.name == "user":
            node.append(["fp_text", "user", Quoted(t.text), ["at", *_xy(t.x_mm, t.y_mm), "0"],
                         ["layer", Quoted(t.layer)], _effects(t)])
    for p in fp.pads:
        at = ["at", *_xy(p.x_mm, p.y_mm)] + ([fmt_mm(p.rotation_deg)] if p.rotation_deg else [])
        item = ["pad", Quoted(p.number), p.kind, p.shape, at, ["size", *_xy(p.w_mm, p.h_mm)]]
        if p.drill_mm is not None:
            item.append(["drill", fmt_mm(p.drill_mm)])
        if p.heatsink:
            item.append(["property", "pad_prop_heatsink"])
        item.append(["layers", *[Quoted(layer) for layer in p.layers]])
        if p.shape == "roundrect":
            item.append(["roundrect_rratio", fmt_mm(p.roundrect_rratio or 0.25)])
        if p.heatsink:
            item.append(["zone_connect", "2"])
        node.append(item)
    node.append(["embedded_fonts", "no"])
    if fp.model_path:
        node.append(["model", Quoted(fp.model_path), ["offset", ["xyz", "0", "0", "0"]],
                     ["scale", ["xyz", "1", "1", "1"]], ["rotate", ["xyz", "0", "0", "0"]]])
    return node


def kicad_mod_text(fp: Footprint) -> str:
    return sexpr.dump(footprint_to_node(fp)) + "\n"


def _segment_distance(p, a, b) -> float:
    ax, ay = b[0] - a[0], b[1] - a[1]
    length2 = ax * ax + ay * ay
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * ax + (p[1] - a[1]) * ay) / length2))
    return math.hypot(p[0] - a[0] - t * ax, p[1] - a[1] - t * ay)


def _edges(points):
    return list(zip(points, points[1:] + points[:1])) if len(points) > 1 else [(points[0], points[0])]


def _separated(a, b) -> bool:
    """Separating-axis test for two convex point sets (a point, a segment or a polygon each)."""
    for points in (a, b):
        for p, q in _edges(points):
            nx, ny = q[1] - p[1], p[0] - q[0]
            if nx == 0 and ny == 0:
                continue
            pa = [x * nx + y * ny for x, y in a]
            pb = [x * nx + y * ny for x, y in b]
            if max(pa) < min(pb) - 1e-12 or max(pb) < min(pa) - 1e-12:
                return True
    # Two segments (or points) may also be parted along their own direction.
    for points in (a, b):
        if len(points) == 2:
            dx, dy = points[1][0] - points[0][0], points[1][1] - points[0][1]
            pa = [x * dx + y * dy for x, y in a]
            pb = [x * dx + y * dy for x, y in b]
            if max(pa) < min(pb) - 1e-12 or max(pb) < min(pa) - 1e-12:
                return True
    return len(a) == 1 and len(b) == 1 and a[0] != b[0]


def pad_gap(a: Pad, b: Pad) -> float:
    """Copper-to-copper distance between two pads' exact shapes (negative when they overlap)."""
    (ca, ra), (cb, rb) = a.core(), b.core()
    if not _separated(ca, cb):
        return -(ra + rb) - 1e-3  # overlapping: by how much is not needed, only that they do
    core = min(min(_segment_distance(p, *e) for e in _edges(cb)) for p in ca)
    core = min(core, min(min(_segment_distance(p, *e) for e in _edges(ca)) for p in cb))
    return core - ra - rb
