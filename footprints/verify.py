"""Footprint verifier: a footprint's geometry against its package spec, against the dimensions in
its own name, and against rules that hold whatever the spec says. Pure: no host application."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.errors import InputError
from wattcad.core.placement import natural_key

from . import landpattern as lp
from . import sexpr
from .landpattern import Density
from .model import Footprint, Pad, footprint_from_node, pad_gap, read_kicad_mod
from .names import NameDims, is_no_lead_name, parse_name
from .spec import PART_MAP_NAME, PackageSpec, load_part_map, map_spec, match_spec, spec_for_part

PITCH_TOL_MM = 0.01
ROW_SPAN_TOL_MM = 0.15
POSITION_TOL_MM = 0.05
NAME_TOL_MM = 0.02
EPS = 1e-6
# Below this, two lands are closer than a board house's standard process keeps copper apart (4 mil,
# the smallest trace gap of the common two-layer services): an exposed pad that close to a lead shorts.
MIN_COPPER_GAP_MM = 0.1
# A land of a no-lead package known only by its name reaches at least this far under the body edge,
# where its terminal is: a quarter of the shortest no-lead terminal (0.2 mm, JEDEC MO-229/MO-220).
NAME_HEEL_IN_MM = 0.05

# Every check's severity, by physical consequence (docs/verification.md is this table in words).
# error: the board will not assemble, or it shorts or opens; warning: the part assembles and works,
# with fillets below IPC-7351B's goals, a library-quality note or a house rule not met.
SEVERITY = {
    "pad count": ("error", "a pin without a land or a land without a pin: an open"),
    "pitch": ("error", "the terminals walk off their lands along the row"),
    "pad-row span": ("error", "the rows of lands do not sit under the rows of terminals"),
    "numbering": ("error", "pin 1 on the wrong land: every pin on another's signal"),
    "pin-1 position": ("error", "the pattern sits off the part: terminals off their lands"),
    "terminal on land": ("error", "a terminal, at a tolerance corner of the part, misses its land: an open"),
    "pin positions": ("error", "a pin of the part is not on its land: an open"),
    "exposed pad": ("error", "the part's exposed pad has no land: an open (ground, heat)"),
    "drill": ("error", "the lead does not go through its hole"),
    "no overlapping pads": ("error", "lands of different nets touch: a short"),
    "name against spec": ("error", "the footprint is made for another package than the part"),
    "name": ("error", "the footprint is not the package its name says"),
    "name: pin count": ("error", "the footprint is not the package its name says"),
    "name: pitch": ("error", "the footprint is not the package its name says"),
    "name: exposed pad": ("error", "the footprint is not the package its name says"),
    "pitch within land": ("warning", "the pitch differs a little; every terminal is still on its land"),
    "name: pitch within land": ("warning", "the pitch differs a little from the name's; every terminal is still on its land"),
    "pin positions within land": ("warning", "lands off IPC's place, every pin still on its land (a hand-soldering land)"),
    "pad numbering": ("warning", "the lands are numbered otherwise than the package's pins; the symbol's pin map decides"),
    "land size": ("warning", "a fillet below IPC-7351B's goal, the terminal still on its land"),
    "exposed pad size": ("warning", "the exposed pad's land differs from the package's"),
    "exposed pad clearance": ("warning", "less copper between the exposed pad and the leads than the house rule"),
    "exposed pad short": ("error", "the exposed pad closer to a lead than copper can be kept apart: a short"),
    "pads inside courtyard": ("warning", "a courtyard drawn tight: a library-quality note"),
    "courtyard encloses pads and body": ("warning", "a courtyard drawn tight: a library-quality note"),
    "body size": ("warning", "the fab outline differs from the package body: a library-quality note"),
    "name: body": ("error", "the rows of lands do not straddle the body the name gives: the footprint is another package"),
    "name: body axes": ("warning", "the name gives the body's axes the other way round: a library-quality note"),
    "name: body outline": ("warning", "the fab outline differs from the name's body: a library-quality note"),
    "pads overlap, one net": ("warning", "lands of one net (or one pad number) overlap: one land made of several"),
}


@dataclass
class Finding:
    severity: str  # error | warning
    check: str
    message: str


@dataclass
class Report:
    subject: str  # file path, or the board path
    footprint: str
    reference: str = ""
    value: str = ""
    spec_name: str = ""
    spec_title: str = ""
    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    read_error: str = ""
    note: str = ""  # how the file was read, when that is worth saying (an upgraded old format)
    pads: int = 0  # copper pads: a part with 8 or more is a packaged IC worth matching to a spec
    matched_by: str = ""  # what chose the spec: "part number ...", "package field ...", "footprint name", "--package"

    @property
    def status(self) -> str:
        if self.read_error:
            return "error"
        if any(f.severity == "error" for f in self.findings):
            return "fail"
        if any(f.severity == "warning" for f in self.findings):
            return "warn"
        return "pass" if self.checks else "unchecked"

    @property
    def matched(self) -> bool:
        """Checked against what the part is (its package spec, or the dimensions its name states),
        not only against the general rules every footprint must keep."""
        return bool(self.spec_name) or any(c.startswith("name:") for c in self.checks)

    @property
    def label(self) -> str:
        if self.reference:
            part = ", ".join(v for v in (self.value, self.spec_title) if v)
            return f"{self.reference} ({part})" if part else self.reference
        return Path(self.subject).name if self.subject else self.footprint

    def summary(self) -> str:
        if self.read_error:
            return f"{self.subject}: {self.read_error}"
        errors = list(dict.fromkeys(f.message for f in self.findings if f.severity == "error"))
        warnings = list(dict.fromkeys(f.message for f in self.findings if f.severity == "warning"))
        why = f" (matched by {self.matched_by})" if self.matched_by else ""
        if errors:
            return f"{self.label}: footprint {self.footprint} " + "; ".join(errors) + why
        if warnings:
            return f"{self.label}: footprint {self.footprint} passes, with warnings: " + "; ".join(warnings) + why
        if not self.checks:
            return f"{self.label}: footprint {self.footprint}: no package spec and no dimensions in its name; not checked"
        if self.spec_title:
            return f"{self.label}: footprint {self.footprint} matches {self.spec_title}{why}"
        if any(c.startswith("name:") for c in self.checks):
            return f"{self.label}: footprint {self.footprint} matches the dimensions in its name"
        return f"{self.label}: footprint {self.footprint}: no package spec; general rules pass"

    def to_json(self) -> dict:
        return {"subject": self.subject, "footprint": self.footprint, "reference": self.reference,
                "value": self.value, "spec": self.spec_name, "matched_by": self.matched_by, "status": self.status,
                "checks": self.checks, "read_error": self.read_error, "note": self.note,
                "findings": [f.__dict__ for f in self.findings], "summary": self.summary()}

    @property
    def name_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.check.startswith("name") and f.severity == "error"]

    @property
    def rule_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.check.startswith("name") and f.severity == "error"]

    def add(self, severity: str, check: str, message: str) -> None:
        """A finding of CHECK; SEVERITY's table decides how grave it is where it names the check."""
        self.findings.append(Finding(SEVERITY.get(check, (severity,))[0], check, message))

    def ran(self, check: str) -> None:
        if check not in self.checks:
            self.checks.append(check)


# ------------------------------------------------------------------------------ geometry helpers
def _gap(a: tuple, b: tuple) -> float:
    """Copper distance between two boxes; negative when they overlap with area."""
    dx = max(b[0] - a[2], a[0] - b[2])
    dy = max(b[1] - a[3], a[1] - b[3])
    if dx < 0 and dy < 0:
        return max(dx, dy)
    return math.hypot(max(dx, 0.0), max(dy, 0.0))


def _inside(inner: tuple, outer: tuple, tol: float = EPS) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _num_key(number: str):
    return (0, int(number), "") if number.isdigit() else (1, 0, number)


def _fmt(v: float) -> str:
    return f"{v:.2f}"


@dataclass
class NoLeadGeometry:
    leads: list[Pad]
    ep_pads: list[Pad]
    centre: tuple[float, float]
    sides: dict[str, list[Pad]]

    def side_pitches(self) -> list[float]:
        diffs = []
        for side, pads in self.sides.items():
            coord = (lambda p: p.y_mm) if side in ("left", "right") else (lambda p: p.x_mm)
            vals = sorted(coord(p) for p in pads)
            diffs += [b - a for a, b in zip(vals, vals[1:])]
        return diffs

    def row_span(self, axis: str) -> float | None:
        a, b = ("left", "right") if axis == "x" else ("top", "bottom")
        if not self.sides.get(a) or not self.sides.get(b):
            return None
        get = (lambda p: p.x_mm) if axis == "x" else (lambda p: p.y_mm)
        return statistics.fmean(get(p) for p in self.sides[b]) - statistics.fmean(get(p) for p in self.sides[a])

    def toe_heel(self, axis: str) -> tuple[float, float] | None:
        """Outermost and innermost lead-pad edge distances from the centre along an axis."""
        names = ("left", "right") if axis == "x" else ("top", "bottom")
        pads = [p for n in names for p in self.sides.get(n, [])]
        if not pads:
            return None
        i = 0 if axis == "x" else 1
        c = self.centre[i]
        outer = max(max(abs(p.bbox()[i] - c), abs(p.bbox()[i + 2] - c)) for p in pads)
        inner = min(min(abs(p.bbox()[i] - c), abs(p.bbox()[i + 2] - c)) for p in pads)
        return outer, inner

    def lead_width(self) -> float:
        widths = [p.size_y_mm if side in ("left", "right") else p.size_x_mm
                  for side, pads in self.sides.items() for p in pads]
        return statistics.median(widths) if widths else 0.0

    def perimeter(self) -> list[Pad]:
        return (sorted(self.sides.get("left", []), key=lambda p: p.y_mm)
                + sorted(self.sides.get("bottom", []), key=lambda p: p.x_mm)
                + sorted(self.sides.get("right", []), key=lambda p: -p.y_mm)
                + sorted(self.sides.get("top", []), key=lambda p: -p.x_mm))

    def ep_size(self) -> tuple[float, float]:
        """Exposed-pad size: a single pad's own size (a pad turned 45 degrees keeps its size), else
        the extent of all its copper."""
        front = [p for p in self.ep_pads if p.kind == "smd" and "F" in p.copper_sides]
        if len(front) == 1:
            p = front[0]
            quarter = round(p.rotation_deg / 90) % 2 == 1 and abs(p.rotation_deg % 90) < 1e-6
            return (p.h_mm, p.w_mm) if quarter else (p.w_mm, p.h_mm)
        box = self.ep_bbox()
        return box[2] - box[0], box[3] - box[1]

    def ep_bbox(self) -> tuple | None:
        smd = [p for p in self.ep_pads if p.kind == "smd" and "F" in p.copper_sides] or self.ep_pads
        if not smd:
            return None
        boxes = [p.bbox() for p in smd]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def no_lead_geometry(fp: Footprint, lead_count: int | None = None) -> NoLeadGeometry | None:
    """Split copper pads into lead pads and exposed-pad copper, and lead pads into sides.
    Exposed pads are the pads much larger than a typical pad, plus (given the package's lead count)
    any pad numbered beyond it; several pads with one lead number count as one, the largest."""
    pads = [p for p in fp.copper_pads() if p.number != ""]
    if len(pads) < 2:
        return None
    areas = sorted(p.size_x_mm * p.size_y_mm for p in pads if p.kind == "smd")
    if not areas:
        return None
    typical = statistics.median(areas)
    ep_numbers = {p.number for p in pads if p.kind == "smd" and p.size_x_mm * p.size_y_mm > 3 * typical}
    if lead_count is not None:
        ep_numbers |= {p.number for p in pads if p.number.isdigit() and int(p.number) > lead_count}
    by_number: dict[str, Pad] = {}
    for p in pads:
        if p.number in ep_numbers or p.kind != "smd":
            continue
        if p.number not in by_number or p.size_x_mm * p.size_y_mm > by_number[p.number].size_x_mm * by_number[p.number].size_y_mm:
            by_number[p.number] = p
    leads = list(by_number.values())
    ep_pads = [p for p in pads if p.number in ep_numbers]
    if not leads:
        return None
    boxes = [p.bbox() for p in leads]
    cx = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
    cy = (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
    sides = _assign_sides(leads, cx, cy)
    return NoLeadGeometry(leads, ep_pads, (cx, cy), sides)


def _assign_sides(leads: list[Pad], cx: float, cy: float, tol: float = 0.02) -> dict[str, list[Pad]]:
    """Lead pads on the outermost column/row belong to that side; a corner pad on two of them goes
    to the side with more pads of its own (two-sided DFN/SON corner pads belong to the columns);
    pads on none (staggered rows) go by how far out they sit along each axis."""
    min_x, max_x = min(p.x_mm for p in leads), max(p.x_mm for p in leads)
    min_y, max_y = min(p.y_mm for p in leads), max(p.y_mm for p in leads)
    edge = {
        "left": {id(p) for p in leads if abs(p.x_mm - min_x) < tol and min_x < cx - tol},
        "right": {id(p) for p in leads if abs(p.x_mm - max_x) < tol and max_x > cx + tol},
        "top": {id(p) for p in leads if abs(p.y_mm - min_y) < tol and min_y < cy - tol},
        "bottom": {id(p) for p in leads if abs(p.y_mm - max_y) < tol and max_y > cy + tol},
    }
    own = {side: ids - set().union(*(v for k, v in edge.items() if k != side)) for side, ids in edge.items()}
    half_x = max(abs(p.x_mm - cx) for p in leads) or 1.0
    half_y = max(abs(p.y_mm - cy) for p in leads) or 1.0
    sides: dict[str, list[Pad]] = {"left": [], "bottom": [], "right": [], "top": []}
    for p in leads:
        member = [side for side, ids in edge.items() if id(p) in ids]
        if member:
            side = max(member, key=lambda s: (len(own[s]), s in ("left", "right")))
        else:
            dx, dy = p.x_mm - cx, p.y_mm - cy
            if abs(dx) / half_x >= abs(dy) / half_y:
                side = "right" if dx > 0 else "left"
            else:
                side = "bottom" if dy > 0 else "top"
        sides[side].append(p)
    return sides


# ------------------------------------------------------------------------------ universal rules
def check_universal(fp: Footprint, report: Report, geo: NoLeadGeometry | None = None) -> None:
    rules = lp.rules()
    copper = [p for p in fp.copper_pads() if p.number != "" or p.kind != "smd"]
    report.ran("no overlapping pads")
    # Sweep along x: only pads whose boxes overlap in x are compared (a 1,000-ball BGA would be
    # half a million pairs); boxes first, then the exact shapes: a staggered TO-92's round pads
    # have overlapping boxes and 0.5 mm of copper between them.
    boxes = sorted(((p, p.bbox(), p.copper_sides, i) for i, p in enumerate(copper)), key=lambda t: (t[1][0], t[3]))
    pairs = []
    for n, (a, ba, sa, ia) in enumerate(boxes):
        for b, bb, sb, ib in boxes[n + 1:]:
            if bb[0] >= ba[2] - EPS:
                break
            # One land under two numbers (USB-C's A1/B12, both ground) is a shared pad, not an overlap.
            same_land = (a.shape, a.x_mm, a.y_mm, a.w_mm, a.h_mm, a.rotation_deg) == \
                (b.shape, b.x_mm, b.y_mm, b.w_mm, b.h_mm, b.rotation_deg)
            if a.number != b.number and sa & sb and not same_land and _gap(ba, bb) < -EPS and pad_gap(a, b) < -EPS:
                pairs.append((min(ia, ib), max(ia, ib)))
    shorts, joined = [], []
    for i, j in sorted(pairs):
        (shorts if shorted(fp, copper[i], copper[j]) else joined).append((copper[i], copper[j]))
    if shorts:
        nets = list(dict.fromkeys(f"{a.net} / {b.net}" for a, b in shorts if a.net and b.net))
        report.add("error", "no overlapping pads", f"pads {', '.join(f'{a.number}/{b.number}' for a, b in shorts[:6])} overlap"
                   + (f" (nets {'; '.join(nets[:3])}: a short)" if nets else ""))
    if joined:
        report.add("warning", "pads overlap, one net",
                   f"pads {', '.join(f'{a.number}/{b.number}' for a, b in joined[:6])} overlap as one land")
    if geo is not None and geo.ep_pads:
        report.ran("exposed pad clearance")
        need = rules["ep_to_lead_clearance_mm"]
        worst = min(((pad_gap(lead, e), lead.number) for lead in geo.leads for e in geo.ep_pads
                     if lead.copper_sides & e.copper_sides), default=None)
        if worst is not None and worst[0] < need - EPS:
            report.add("error", "exposed pad clearance" if worst[0] >= MIN_COPPER_GAP_MM - EPS else "exposed pad short",
                       f"pad {worst[1]} is {_fmt(worst[0])} mm from the exposed pad, needs at least {_fmt(need)} mm of copper clearance")
    report.ran("pads inside courtyard")
    crt = fp.layer_bbox(".CrtYd")
    if crt is None:
        report.add("warning", "pads inside courtyard", "no courtyard drawn")
    else:
        out = [p.number or "(unnumbered)" for p in copper if not _inside(p.bbox(), crt)]
        if out:
            report.add("error", "pads inside courtyard", f"pads {', '.join(out[:6])} stick out of the courtyard")


def shorted(fp: Footprint, a: Pad, b: Pad) -> bool:
    """Whether overlapping lands A and B join what must stay apart. One land made of several is not:
    an unnumbered pad (a mounting hole's vias), pads of one net on a board, a footprint's net-tie
    group. On a board, pads of two different nets are; in a library (no nets), pads of two numbers are."""
    if not a.number or not b.number or a.number == b.number:
        return False
    if any({a.number, b.number} <= group for group in fp.net_tie_groups):
        return False
    if fp.reference and "*" not in fp.reference and (a.net or b.net):  # a part on a board: its nets decide
        return bool(a.net and b.net and a.net != b.net)
    return True


# ------------------------------------------------------------------------------ name checks
def check_rows_aligned(geo: NoLeadGeometry, report: Report, check: str) -> None:
    """The outermost rows of lands on opposite sides (the columns of least and greatest x, the rows of
    least and greatest y), as many lands each, sit level with each other: a row shifted along itself
    puts every terminal of that side on its neighbour's land."""
    for axis, along, names in ((0, 1, ("left", "right")), (1, 0, ("top", "bottom"))):
        lines = sorted(_cluster([(p.x_mm, p.y_mm)[axis] for p in geo.leads], tol=0.1))
        if len(lines) < 2:
            continue
        rows = [[p for p in geo.leads if abs((p.x_mm, p.y_mm)[axis] - lines[k]) <= 0.1] for k in (0, -1)]
        if len(rows[0]) < 2 or len(rows[0]) != len(rows[1]):
            continue
        mid = [statistics.fmean((p.x_mm, p.y_mm)[along] for p in row) for row in rows]
        if abs(mid[0] - mid[1]) > geo.lead_width() / 2:
            report.add("error", check, f"the {names[0]} and {names[1]} rows of lands are {_fmt(abs(mid[0] - mid[1]))} mm out "
                       f"of line: one is shifted along itself")
            return


def check_name(fp: Footprint, report: Report, dims: NameDims, geo: NoLeadGeometry | None) -> None:
    """The dimensions in the name against the geometry."""
    if geo is None:
        report.add("error", "name", f"name says {dims.pins} pins but no no-lead pad rows were found")
        return
    report.ran("name: pin count")
    check_rows_aligned(geo, report, "name: pin count")
    numbers = {p.number for p in geo.leads}
    if len(numbers) != dims.pins:
        report.add("error", "name: pin count", f"name says {dims.pins} pins, footprint has {len(numbers)} lead pads")
    report.ran("name: pitch")
    diffs = [d for d in geo.side_pitches() if d > PITCH_TOL_MM]
    if diffs:
        pitch = min(diffs)
        if abs(pitch - dims.pitch_mm) > NAME_TOL_MM / 4:
            per_row = max((len(v) for v in geo.sides.values()), default=1)
            walk = abs(pitch - dims.pitch_mm) * (per_row - 1) / 2
            within = walk <= geo.lead_width() / 2
            report.add("error", "name: pitch within land" if within else "name: pitch",
                       f"name says pitch {dims.pitch_mm} mm, pads are {pitch:.3f} mm apart"
                       + (f" (the end terminals {_fmt(walk)} mm off their lands' centres, still on them)" if within else ""))
    report.ran("name: body")
    # KiCad names the body X x Y in the footprint's own frame (KLC): rows that straddle the named body
    # only with its axes swapped are a naming note; rows that straddle neither, a wrong pattern.
    def misfits(bx: float, by: float) -> list[str]:
        found = []
        for axis, body in (("x", bx), ("y", by)):
            th = geo.toe_heel(axis)
            if th is None:
                continue
            outer, inner = th
            # Lands straddle the body edge: the toe reaches near it, the heel reaches under the body where
            # the terminals are (at least NAME_HEEL_IN_MM inside its edge).
            if outer < body / 2 - 0.35 or inner > body / 2 - NAME_HEEL_IN_MM or outer > body / 2 + 1.0:
                found.append(f"pads along {axis} span {_fmt(2 * inner)}-{_fmt(2 * outer)} mm, which do not straddle a "
                             f"{body} mm body edge")
        return found

    direct = misfits(dims.body_x_mm, dims.body_y_mm)
    if direct:
        swapped_fits = not misfits(dims.body_y_mm, dims.body_x_mm)
        report.add("error", "name: body axes" if swapped_fits else "name: body",
                   f"name says body {dims.body_x_mm}x{dims.body_y_mm} mm, but {direct[0]}"
                   + ("; they fit the body turned a quarter" if swapped_fits else ""))
    fab = fp.layer_bbox(".Fab")
    if fab is not None:
        fx, fy = fab[2] - fab[0], fab[3] - fab[1]
        if abs(fx - dims.body_x_mm) > NAME_TOL_MM + 0.1 or abs(fy - dims.body_y_mm) > NAME_TOL_MM + 0.1:
            report.add("warning", "name: body outline",
                       f"fab outline is {fx:.2f}x{fy:.2f} mm, name says {dims.body_x_mm}x{dims.body_y_mm} mm")
    if dims.ep_x_mm is not None:
        report.ran("name: exposed pad")
        box = geo.ep_bbox()
        if box is None:
            report.add("error", "name: exposed pad", f"name says EP {dims.ep_x_mm}x{dims.ep_y_mm} mm, footprint has no exposed pad")
        elif dims.exposed_pads > 1:
            # Several exposed pads: the name gives one of them.
            sizes = [(p.size_x_mm, p.size_y_mm) for p in geo.ep_pads if p.kind == "smd"]
            if not any(abs(x - dims.ep_x_mm) <= NAME_TOL_MM and abs(y - dims.ep_y_mm) <= NAME_TOL_MM for x, y in sizes):
                shown = ", ".join(f"{x:.3f}x{y:.3f}" for x, y in sorted(set(sizes)))
                report.add("error", "name: exposed pad", f"name says EP {dims.ep_x_mm}x{dims.ep_y_mm} mm, exposed pads are {shown} mm")
        else:
            ex, ey = geo.ep_size()
            if abs(ex - dims.ep_x_mm) > NAME_TOL_MM or abs(ey - dims.ep_y_mm) > NAME_TOL_MM:
                report.add("error", "name: exposed pad",
                           f"name says EP {dims.ep_x_mm}x{dims.ep_y_mm} mm, exposed pad copper is {ex:.3f}x{ey:.3f} mm")


# ------------------------------------------------------------------------------ spec checks
def _severity(*dims_unconfirmed: bool) -> str:
    return "warning" if any(dims_unconfirmed) else "error"


def check_no_lead(fp: Footprint, spec: PackageSpec, report: Report, geo: NoLeadGeometry | None) -> None:
    if geo is None:
        report.add("error", "pad count", f"has no pad rows, package needs {spec.pin_count} pads")
        return
    report.ran("pad count")
    lead_numbers = sorted({p.number for p in geo.leads}, key=_num_key)
    expected = [str(i) for i in range(1, spec.pin_count + 1)]
    if len(geo.leads) != spec.pin_count:
        report.add("error", "pad count", f"has {len(geo.leads)} lead pads, package needs {spec.pin_count}")
    elif lead_numbers != expected:
        report.add("error", "pad count", f"lead pads are numbered {lead_numbers[0]}..{lead_numbers[-1]}, package needs 1..{spec.pin_count}")
    # Pitch.
    report.ran("pitch")
    pitch_need = spec.dim("pitch").nom
    diffs = geo.side_pitches()
    if diffs:
        pitch = statistics.median(diffs)
        if any(abs(d - pitch_need) > PITCH_TOL_MM for d in diffs):
            walk = abs(pitch - pitch_need) * (max(spec.counts["pins_x"], spec.counts["pins_y"]) - 1) / 2
            within = walk <= geo.lead_width() / 2
            report.add("error", "pitch within land" if within else "pitch",
                       f"has pitch {_fmt(pitch)} mm, package needs {_fmt(pitch_need)} mm"
                       + (f" (the end terminals {_fmt(walk)} mm off their lands' centres, still on them)" if within else ""))
    # Rows per side.
    want = {"left": spec.counts["pins_y"], "right": spec.counts["pins_y"],
            "top": spec.counts["pins_x"], "bottom": spec.counts["pins_x"]}
    got = {k: len(v) for k, v in geo.sides.items()}
    if got != want and len(geo.leads) == spec.pin_count:
        report.add("error", "pad count", "pads per side " + "/".join(str(got[k]) for k in ("left", "bottom", "right", "top"))
                   + ", package needs " + "/".join(str(want[k]) for k in ("left", "bottom", "right", "top")) + " (left/bottom/right/top)")
    check_rows_aligned(geo, report, "pad count")
    # Numbering: counter-clockwise from the top of the left row.
    report.ran("numbering")
    order = [p.number for p in geo.perimeter()]
    if order and len(order) == spec.pin_count and order != expected and lead_numbers == expected:
        first = order.index("1") if "1" in order else -1
        if first != 0:
            report.add("error", "numbering", "pin 1 is not the top pad of the left row (KiCad/IPC convention)")
        else:
            report.add("error", "numbering", "pads are not numbered counter-clockwise from pin 1")
    # Row spans and land sizes against IPC-7351B.
    report.ran("pad-row span")
    report.ran("pad size")
    rows = {d: lp.no_lead_rows(spec, d) for d in Density}
    t, w = spec.dim("terminal_length"), spec.dim("terminal_width")
    lead_unconf = t.unconfirmed and False  # lead dimensions are checked strictly (issue: CP-40 family)
    for axis, body_key, i in (("x", "body_x", 0), ("y", "body_y", 1)):
        body = spec.dim(body_key)
        span = geo.row_span(axis)
        th = geo.toe_heel(axis)
        if span is None or th is None:
            continue
        nominal = rows[Density.NOMINAL][i]
        heel_need = nominal.heel_mm
        if spec.has("ep_x"):
            heel_need = lp.heel_for_ep_clearance(heel_need, spec.dim("ep_x" if axis == "x" else "ep_y").nom / 2)
        need_span = nominal.toe_mm + heel_need
        if abs(span - need_span) > ROW_SPAN_TOL_MM:
            report.add(_severity(lead_unconf), "pad-row span",
                       f"pad rows {_fmt(span)} mm apart, package needs {_fmt(need_span)} mm")
            continue
        outer, inner = th
        _check_toe_heel(report, axis, outer, inner, body, t, rows[Density.MOST][i].toe_mm, rows[Density.MOST][i].heel_mm)
    width = geo.lead_width()
    w_lo, w_hi = w.min, rows[Density.MOST][0].x_mm + 0.05
    if not w_lo - EPS <= width <= w_hi + EPS:
        report.add("warning", "land size", f"pads are {_fmt(width)} mm wide, IPC-7351B needs {_fmt(w_lo)}-{_fmt(w_hi)} mm")
    # Exposed pad.
    if spec.has("ep_x"):
        report.ran("exposed pad")
        ex_d, ey_d = spec.dim("ep_x"), spec.dim("ep_y")
        sev = _severity(ex_d.unconfirmed, ey_d.unconfirmed)
        box = geo.ep_bbox()
        if box is None:
            report.add(sev, "exposed pad", f"has no exposed pad, package has a {_fmt(ex_d.nom)}x{_fmt(ey_d.nom)} mm one")
        else:
            ex, ey = box[2] - box[0], box[3] - box[1]
            lo_x, hi_x, lo_y, hi_y = ex_d.min - 0.3, ex_d.max + 0.1, ey_d.min - 0.3, ey_d.max + 0.1
            if not (lo_x - EPS <= ex <= hi_x + EPS and lo_y - EPS <= ey <= hi_y + EPS):
                note = " (the spec's exposed-pad size is unconfirmed)" if sev == "warning" else ""
                report.add(sev, "exposed pad size", f"exposed pad {ex:.2f}x{ey:.2f} mm, package needs "
                           f"{_fmt(lo_x)}-{_fmt(hi_x)} x {_fmt(lo_y)}-{_fmt(hi_y)} mm{note}")
            ecx, ecy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            if math.hypot(ecx - geo.centre[0], ecy - geo.centre[1]) > POSITION_TOL_MM:
                report.add("warning", "exposed pad size", f"exposed pad centre is off the package centre by "
                           f"{math.hypot(ecx - geo.centre[0], ecy - geo.centre[1]):.2f} mm")
    elif geo.ep_pads:
        report.add("warning", "exposed pad size", "has an exposed pad, the package has none")
    # Pin 1 where the package has it.
    report.ran("pin-1 position")
    p1 = next((p for p in geo.leads if p.number == "1"), None)
    if p1 is not None and not any(f.check in ("pitch", "pad-row span", "numbering") for f in report.findings):
        span = geo.row_span("x")
        want_x = geo.centre[0] - span / 2 if span else p1.x_mm
        want_y = geo.centre[1] - (spec.counts["pins_y"] - 1) / 2 * pitch_need
        if math.hypot(p1.x_mm - want_x, p1.y_mm - want_y) > POSITION_TOL_MM:
            report.add("error", "pin-1 position", f"pin 1 is at ({_fmt(p1.x_mm)}, {_fmt(p1.y_mm)}), package needs "
                       f"({_fmt(want_x)}, {_fmt(want_y)})")
    _check_body_and_courtyard(fp, report, spec.dim("body_x").nom, spec.dim("body_y").nom,
                              spec.dim("body_x").max, spec.dim("body_y").max, geo.centre)
    dims = parse_name(fp.name)
    if dims is not None and is_no_lead_name(fp.name):
        report.ran("name against spec")
        problems = []
        if dims.pins != spec.pin_count:
            problems.append(f"{dims.pins} pins")
        if abs(dims.body_x_mm - spec.dim("body_x").nom) > 0.05 or abs(dims.body_y_mm - spec.dim("body_y").nom) > 0.05:
            problems.append(f"a {dims.body_x_mm}x{dims.body_y_mm} mm body")
        if abs(dims.pitch_mm - pitch_need) > 0.005:
            problems.append(f"pitch {dims.pitch_mm} mm")
        if problems:
            report.add("error", "name against spec", f"is named for {', '.join(problems)}; {spec.title} is "
                       f"{spec.pin_count} pins, {_fmt(spec.dim('body_x').nom)}x{_fmt(spec.dim('body_y').nom)} mm, "
                       f"pitch {_fmt(pitch_need)} mm")


def _check_body_and_courtyard(fp, report, body_x, body_y, body_x_max, body_y_max, centre) -> None:
    report.ran("body size")
    fab = fp.layer_bbox(".Fab")
    if fab is None:
        report.add("warning", "body size", "no fab-layer body outline to compare with the package body")
    else:
        fx, fy = fab[2] - fab[0], fab[3] - fab[1]
        if abs(fx - body_x) > 0.1 + EPS or abs(fy - body_y) > 0.1 + EPS:
            report.add("error", "body size", f"fab outline is {fx:.2f}x{fy:.2f} mm, package body is {_fmt(body_x)}x{_fmt(body_y)} mm")
    report.ran("courtyard encloses pads and body")
    crt = fp.layer_bbox(".CrtYd")
    if crt is not None:
        body_box = (centre[0] - body_x_max / 2, centre[1] - body_y_max / 2, centre[0] + body_x_max / 2, centre[1] + body_y_max / 2)
        if not _inside(body_box, crt, 0.005):
            report.add("error", "courtyard encloses pads and body",
                       f"courtyard {crt[2] - crt[0]:.2f}x{crt[3] - crt[1]:.2f} mm does not enclose the "
                       f"{_fmt(body_x_max)}x{_fmt(body_y_max)} mm body")


def _check_toe_heel(report: Report, axis: str, outer: float, inner: float, body, terminal, most_toe: float,
                    most_heel: float | None) -> None:
    """The lands of a row against its terminals, judged by how they cover them: a terminal that misses
    its land at a tolerance corner (the land ends before the longest part's terminal begins, or begins
    beyond the shortest part's terminal end) is an error; fillets short of IPC-7351B's goal, with
    every terminal still on its land, are warnings. OUTER/INNER: the lands' toe and heel from the
    package centre; BODY, TERMINAL: the spec's dimensions."""
    along = f" along {axis}" if axis else ""
    terminal_inner_max = body.max / 2 - terminal.min  # where the longest part's shortest terminal begins
    toe_misses = outer < terminal_inner_max - EPS
    if toe_misses:
        report.add("error", "terminal on land", f"pad toes reach {_fmt(outer)} mm from the centre{along}, before the "
                   f"terminals begin ({_fmt(terminal_inner_max)} mm on the largest part): the terminals miss their lands")
    elif inner > body.min / 2 - EPS:
        report.add("error", "terminal on land", f"pad heels start {_fmt(inner)} mm from the centre{along}, beyond the "
                   f"terminals' ends ({_fmt(body.min / 2)} mm on the smallest part): the terminals miss their lands")
    toe_lo, toe_hi = body.max / 2, most_toe + 0.05
    if not toe_misses and not toe_lo - EPS <= outer <= toe_hi + EPS:
        report.add("warning", "land size", f"pad toes reach {_fmt(outer)} mm from the centre{along}, IPC-7351B needs "
                   f"{_fmt(toe_lo)}-{_fmt(toe_hi)} mm")
    s_max_half = (body.min - 2 * terminal.max + math.sqrt(body.tol ** 2 + 2 * terminal.tol ** 2)) / 2
    if s_max_half + 0.01 < inner <= body.min / 2 - EPS:
        report.add("warning", "land size", f"pad heels start {_fmt(inner)} mm from the centre{along}, past the inner end of "
                   f"the longest terminals (up to {_fmt(s_max_half)} mm): a reduced heel fillet")
    if most_heel is not None and inner < most_heel - 0.05 - EPS:
        report.add("warning", "land size", f"pad heels reach in to {_fmt(inner)} mm from the centre{along}, IPC-7351B "
                   f"lands stop at {_fmt(most_heel)} mm")


def check_chip(fp: Footprint, spec: PackageSpec, report: Report) -> None:
    pads = sorted([p for p in fp.copper_pads() if p.number != ""], key=lambda p: _num_key(p.number))
    report.ran("pad count")
    if len(pads) != 2 or {p.number for p in pads} != {"1", "2"}:
        report.add("error", "pad count", f"has pads {', '.join(p.number for p in pads) or 'none'}, a chip needs 1 and 2")
        return
    a, b = pads
    horizontal = abs(b.x_mm - a.x_mm) >= abs(b.y_mm - a.y_mm)
    i = 0 if horizontal else 1
    centre = ((a.x_mm + b.x_mm) / 2, (a.y_mm + b.y_mm) / 2)
    outer = max(abs(v - centre[i]) for p in pads for v in (p.bbox()[i], p.bbox()[i + 2]))
    inner = min(abs(v - centre[i]) for p in pads for v in (p.bbox()[i], p.bbox()[i + 2]))
    width = statistics.fmean(p.size_y_mm if horizontal else p.size_x_mm for p in pads)
    rows = {d: lp.chip_row(spec, d) for d in Density}
    L, T, W = spec.dim("body_length"), spec.dim("terminal_length"), spec.dim("body_width")
    report.ran("pad-row span")
    span = 2 * abs(b.x_mm - a.x_mm if horizontal else b.y_mm - a.y_mm) / 2
    need = 2 * rows[Density.NOMINAL].centre_mm
    if abs(span - need) > max(ROW_SPAN_TOL_MM, 0.15 * need):
        report.add("error", "pad-row span", f"pads {_fmt(span)} mm apart, package needs {_fmt(need)} mm")
    report.ran("pad size")
    _check_toe_heel(report, "", outer, inner, L, T, rows[Density.MOST].toe_mm, None)
    w_lo, w_hi = rows[Density.LEAST].x_mm - 0.15, rows[Density.MOST].x_mm + 0.1
    if not w_lo - EPS <= width <= w_hi + EPS:
        report.add("warning", "land size", f"pads are {_fmt(width)} mm wide, IPC-7351B needs {_fmt(w_lo)}-{_fmt(w_hi)} mm")
    bx, by = (L.nom, W.nom) if horizontal else (W.nom, L.nom)
    bxm, bym = (L.max, W.max) if horizontal else (W.max, L.max)
    _check_body_and_courtyard(fp, report, bx, by, bxm, bym, centre)


def _cluster(values: list[float], tol: float = 0.02) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def check_pin_grid(fp: Footprint, spec: PackageSpec, report: Report) -> None:
    pads = [p for p in fp.copper_pads() if p.number != ""]
    report.ran("pad count")
    if len({p.number for p in pads}) != spec.pin_count:
        report.add("error", "pad count", f"has {len({p.number for p in pads})} pads, package needs {spec.pin_count}")
        return
    xs, ys = _cluster([p.x_mm for p in pads]), _cluster([p.y_mm for p in pads])
    rows, cols = spec.counts["rows"], spec.counts["columns"]
    px, py = spec.dim("pitch_x"), spec.dim("pitch_y")
    if (len(xs), len(ys)) == (cols, rows):
        pitch_pairs = ((xs, px, "x"), (ys, py, "y"))
    elif (len(xs), len(ys)) == (rows, cols):
        pitch_pairs = ((xs, py, "y"), (ys, px, "x"))
    else:
        report.add("error", "pad count", f"pads form a {len(xs)}x{len(ys)} grid, package is {cols}x{rows}")
        return
    report.ran("pitch")
    for coords, pitch, name in pitch_pairs:
        for a, b in zip(coords, coords[1:]):
            if not pitch.min - 0.005 <= b - a <= pitch.max + 0.005:
                report.add("error", "pitch", f"has pitch {_fmt(b - a)} mm, package needs {_fmt(pitch.nom)} mm ({name})")
                break
    report.ran("pin-1 position")
    p1 = next((p for p in pads if p.number == "1"), None)
    at_corner = p1 is not None and (min(abs(p1.x_mm - xs[0]), abs(p1.x_mm - xs[-1])) < 0.02
                                    and min(abs(p1.y_mm - ys[0]), abs(p1.y_mm - ys[-1])) < 0.02)
    if not at_corner:
        report.add("error", "pin-1 position", "pin 1 is not at a corner of the pin grid")
    if spec.mount == "tht":
        _check_drills(pads, spec, report)


def _check_drills(pads: list[Pad], spec: PackageSpec, report: Report) -> None:
    report.ran("drill")
    lead = spec.dims.get("lead_diameter") or spec.dims.get("lead_thickness")
    if lead is None:
        return
    lo, hi = lead.max + 0.05, lead.max + 0.7
    for p in pads:
        if p.drill_mm is None:
            report.add("error", "drill", f"pad {p.number} has no drill, the part is through-hole")
            return
        if not lo - EPS <= p.drill_mm <= hi + EPS:
            report.add("error", "drill", f"pad {p.number} drill {_fmt(p.drill_mm)} mm, lead needs {_fmt(lo)}-{_fmt(hi)} mm")
            return


def pin_offsets(pads: dict[str, Pad], spec: PackageSpec) -> tuple[str, float, list[str]]:
    """How far each pad is from its pin in SPEC, in the best of the four quarter turns about pin 1:
    (the worst pad, its offset in mm, the pads off by more than the spec's tolerance)."""
    ref = spec.pins[0]
    best = None
    for quarter in range(4):
        a = math.radians(90 * quarter)
        c, s = round(math.cos(a)), round(math.sin(a))
        offsets = {}
        for pin in spec.pins:
            dx, dy = pin.x_mm - ref.x_mm, pin.y_mm - ref.y_mm
            rx, ry = dx * c + dy * s, -dx * s + dy * c
            got = pads[pin.number]
            gx, gy = got.x_mm - pads[ref.number].x_mm, got.y_mm - pads[ref.number].y_mm
            offsets[pin.number] = math.hypot(gx - rx, gy - ry)
        worst = max(offsets, key=lambda n: (offsets[n], _num_key(n)))
        if best is None or offsets[worst] < best[1]:
            off = [n for n in sorted(offsets, key=_num_key) if offsets[n] > spec.position_tolerance_mm + EPS]
            best = (worst, offsets[worst], off)
    return best


def pins_off_land(pads: dict[str, Pad], spec: PackageSpec) -> tuple[list[str], bool]:
    """The pins of SPEC whose place is not on their own land, the part set where it fits best (each
    quarter turn; the pins' extent centred on the lands', or one pin put on the middle of its land): a
    land longer outward than IPC's (a hand-soldering SOT-23) still holds its pin. Also whether, in some
    placement, the pins and the lands pair off one to one (the part fits, numbered otherwise)."""
    boxes = {n: pads[n].bbox() for n in (p.number for p in spec.pins)}
    lx = (min(b[0] for b in boxes.values()) + max(b[2] for b in boxes.values())) / 2
    ly = (min(b[1] for b in boxes.values()) + max(b[3] for b in boxes.values())) / 2

    def on(box, point):
        return box[0] - EPS <= point[0] <= box[2] + EPS and box[1] - EPS <= point[1] <= box[3] + EPS

    best, fits = None, False
    for quarter in range(4):
        a = math.radians(90 * quarter)
        c, s = round(math.cos(a)), round(math.sin(a))
        placed = {p.number: (p.x_mm * c + p.y_mm * s, -p.x_mm * s + p.y_mm * c) for p in spec.pins}
        px = (min(x for x, _ in placed.values()) + max(x for x, _ in placed.values())) / 2
        py = (min(y for _, y in placed.values()) + max(y for _, y in placed.values())) / 2
        shifts = [(lx - px, ly - py)] + [((boxes[n][0] + boxes[n][2]) / 2 - x, (boxes[n][1] + boxes[n][3]) / 2 - y)
                                         for n, (x, y) in placed.items()]
        for dx, dy in shifts:
            at = {n: (x + dx, y + dy) for n, (x, y) in placed.items()}
            off = [n for n in sorted(at, key=_num_key) if not on(boxes[n], at[n])]
            # Numbered otherwise, the part still fits when its pins and the lands pair off one to one.
            holders = [[n for n, b in boxes.items() if on(b, point)] for point in at.values()]
            fits = fits or (all(len(h) == 1 for h in holders) and len({h[0] for h in holders}) == len(boxes))
            if best is None or len(off) < len(best):
                best = off
    return best, fits


def check_pin_list(fp: Footprint, spec: PackageSpec, report: Report) -> None:
    pads = {p.number: p for p in fp.copper_pads() if p.number != ""}
    report.ran("pad count")
    want = {p.number for p in spec.pins}
    if set(pads) != want:
        if len(pads) == len(want) and not set(pads) & want:  # numbered by function (D, G, S): does the part fit?
            relabelled = dict(zip(sorted(want, key=_num_key), (pads[n] for n in sorted(pads)), strict=True))
            fits = pins_off_land(relabelled, spec)[1]
            report.add("error", "pad numbering" if fits else "pin positions",
                       f"has pads {', '.join(sorted(pads, key=_num_key))}, package pins {', '.join(sorted(want, key=_num_key))}"
                       + ("; every pin lands on a pad" if fits else "; the lands are not where the package's pins are"))
        else:
            report.add("error", "pad count", f"has pads {', '.join(sorted(pads, key=_num_key)) or 'none'}, "
                       f"package needs {', '.join(sorted(want, key=_num_key))}")
        return
    report.ran("pin positions")
    worst_pin, offset, off_pins = pin_offsets(pads, spec)
    off_land, fits = pins_off_land(pads, spec)
    if off_land and fits:
        report.add("error", "pad numbering", f"pins {', '.join(off_land)} of the {spec.title} land on pads numbered "
                   f"otherwise (every pin is on a land)")
    elif offset > spec.position_tolerance_mm + EPS:
        report.add("error", "pin positions" if off_land else "pin positions within land",
                   f"pad {worst_pin} is {_fmt(offset)} mm from where pin {worst_pin} of the {spec.title} is; "
                   f"{len(off_pins)} pad(s) off by more than {_fmt(spec.position_tolerance_mm)} mm: {', '.join(off_pins)}"
                   + (f"; pin(s) {', '.join(off_land)} not on their lands" if off_land else "; every pin still on its land"))
    if spec.mount == "tht":
        _check_drills(list(pads.values()), spec, report)


def verify_footprint(fp: Footprint, spec: PackageSpec | None = None, subject: str = "") -> Report:
    placed = bool(fp.reference) and "*" not in fp.reference  # a part on a board or schematic, not a library's REF**
    report = Report(subject=subject or fp.source, footprint=fp.name, reference=fp.reference if placed else "",
                    value=fp.value if placed else "", pads=len(fp.copper_pads()))
    if spec is not None and spec.kind == "no_lead":
        lead_count = spec.pin_count
    else:
        dims = parse_name(fp.name)
        lead_count = dims.pins if dims is not None else None
    geo = no_lead_geometry(fp, lead_count)
    no_lead = (spec is not None and spec.kind == "no_lead") or (spec is None and is_no_lead_name(fp.name))
    check_universal(fp, report, geo if no_lead else None)
    if spec is not None:
        report.spec_name, report.spec_title = spec.name, spec.title
        {"no_lead": lambda: check_no_lead(fp, spec, report, geo),
         "chip": lambda: check_chip(fp, spec, report),
         "pin_grid": lambda: check_pin_grid(fp, spec, report),
         "pin_list": lambda: check_pin_list(fp, spec, report)}[spec.kind]()
    elif no_lead:
        check_name(fp, report, parse_name(fp.name), geo)
    return report


# ------------------------------------------------------------------------------ inputs
def board_footprints(path: Path, text_path: Path | None = None) -> list[Footprint]:
    """The footprints of the board at PATH, read from TEXT_PATH (a copy of it in the current
    format, when a host has upgraded it) or from PATH itself."""
    try:
        text = (text_path or path).read_text(encoding="utf-8")
        root = sexpr.parse(text)
    except (OSError, UnicodeDecodeError, sexpr.SexprError) as exc:
        raise InputError(path, None, f"cannot read board: {exc}") from None
    if not root or root[0] != "kicad_pcb":
        raise InputError(path, None, "not a KiCad board (no top-level 'kicad_pcb')", root[0] if root else "")
    return [fp for _, fp in footprint_nodes(root, str(path))]


def footprint_nodes(root: list, source: str) -> list[tuple[list, Footprint]]:
    """A parsed board's footprint nodes, each with its Footprint (bottom-side ones mirrored back)."""
    out = []
    # KiCad 4 and 5 boards call a footprint a `module`; its pads and texts read the same.
    for node in sexpr.children(root, "footprint") + sexpr.children(root, "module"):
        at = sexpr.child(node, "at")
        rot = float(at[3]) if at is not None and len(at) > 3 else 0.0
        fp = footprint_from_node(node, source, board_rotation_deg=rot)
        if fp.layer == "B.Cu":
            # Flipped footprints are stored mirrored; mirror back so pin order reads as on the top.
            for p in fp.pads:
                p.y_mm = -p.y_mm
                p.rotation_deg = (-p.rotation_deg) % 360
            for g in fp.graphics:
                g.points = [(x, -y) for x, y in g.points]
        out.append((node, fp))
    return out


def verify_paths(paths: list[str | Path], spec: PackageSpec | None = None, board_reader=None) -> list[Report]:
    """Verify every footprint found under PATHS; a file that cannot be read gets an error report
    of its own and the rest are still checked. BOARD_READER (a host's: path, force -> (copy in the
    current format or None to read the file itself, note)) reads boards the way KiCad does, old
    formats included."""
    reports: list[Report] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(path.glob("*.kicad_mod"))
            if not files:
                reports.append(Report(subject=str(path), footprint="", read_error="no .kicad_mod files in this folder"))
            for f in files:
                reports.append(_verify_file(f, spec))
        elif path.suffix == ".kicad_pcb":
            try:
                copy, note = board_reader(path) if board_reader is not None else (None, "")
                try:
                    fps = board_footprints(path, copy)
                except InputError:
                    if board_reader is None or copy is not None:
                        raise
                    # A current board KiCad opens but a strict parse refuses: read KiCad's own copy.
                    copy, note = board_reader(path, force=True)
                    fps = board_footprints(path, copy)
                map_file = path.parent / PART_MAP_NAME
                part_map = load_part_map(map_file) if map_file.is_file() else []
            except InputError as exc:
                # The board's own name is the report's subject; another file (the part map) is named.
                message = str(exc).split(": ", 1)[-1] if exc.path == str(path) else str(exc)
                reports.append(Report(subject=str(path), footprint="", read_error=message))
                continue
            for fp in sorted(fps, key=lambda f: natural_key(f.reference)):
                mapped = map_spec(part_map, fp.reference, fp.value)
                part_spec, matched_by = ((spec, "--package") if spec else (mapped, f"part map {PART_MAP_NAME}") if mapped
                                         else match_spec(fp.value, fp.name, fp.fields))
                report = verify_footprint(fp, part_spec, subject=str(path))
                report.matched_by = matched_by if part_spec is not None else ""
                report.note = note
                reports.append(report)
        elif not path.exists():
            reports.append(Report(subject=str(path), footprint="", read_error="no such file or folder"))
        else:
            reports.append(_verify_file(path, spec))
    return reports


def _verify_file(path: Path, spec: PackageSpec | None) -> Report:
    try:
        fp = read_kicad_mod(path)
    except InputError as exc:
        return Report(subject=str(path), footprint=path.stem, read_error=str(exc).split(": ", 1)[-1])
    return verify_footprint(fp, spec if spec is not None else spec_for_part("", fp.name), subject=str(path))


def format_table(reports: list[Report]) -> str:
    rows = [("status", "part", "footprint", "spec", "findings")]
    for r in reports:
        findings = "; ".join(f"{f.severity}: {f.message}" for f in r.findings) or r.read_error or ("ok" if r.checks else "not checked")
        rows.append((r.status.upper(), r.reference or Path(r.subject).name, r.footprint, r.spec_name or "-", findings))
    widths = [min(max(len(row[i]) for row in rows), 48) for i in range(4)]
    lines = []
    for row in rows:
        lines.append("  ".join(cell[:48].ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    counts = {s: sum(r.status == s for r in reports) for s in ("pass", "warn", "fail", "error", "unchecked")}
    lines.append("")
    for subject, note in dict.fromkeys((r.subject, r.note) for r in reports if r.note):
        lines.append(f"{subject}: {note}")
    for r in unmatched_ics(reports):
        lines.append(f"warning: {r.reference} ({r.value or 'no value'}, {r.footprint}, {r.pads} pads) not checked: "
                     f"{UNMATCHED_WHY}")
    if reports and not any(r.matched for r in reports):
        lines.append("warning: no part was matched to a package spec or a footprint name with dimensions")
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "nothing checked")
    return "\n".join(lines)


UNMATCHED_WHY = ("no package spec matches its value, part-number or package field, and its footprint name gives no "
                 f"no-lead (QFN/DFN/LFCSP/SON) dimensions to check it by; map it in {PART_MAP_NAME}")


def unmatched_ics(reports: list[Report]) -> list[Report]:
    """Board parts that look like packaged ICs (8 or more pads) and were checked against nothing."""
    return [r for r in reports if r.reference and not r.read_error and not r.matched and r.pads >= 8]


def silent(reports: list[Report]) -> bool:
    """Nothing matched, or a packaged IC left unmatched: a pass that would say nothing."""
    return bool(unmatched_ics(reports)) or (bool(reports) and not any(r.matched for r in reports))
