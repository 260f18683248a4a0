"""1:1 prints of footprints: lay the real part on the paper before ordering boards.

Everything is drawn in millimetres on a page with +y down; the PDF back end converts to points
(72 per inch) exactly, the SVG back end uses mm user units, so both print at true scale.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from wattcad.core.errors import InputError
from wattcad.core.fileio import write_atomic

from .model import Footprint, Pad
from .spec import PackageSpec

PT_PER_MM = 72.0 / 25.4
PAPERS_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
MARGIN_MM = 15.0
RULER_MM = 50.0
COPPER = (0.72, 0.45, 0.20)
BODY = (0.85, 0.0, 0.0)
INK = (0.0, 0.0, 0.0)
GREY = (0.55, 0.55, 0.55)


@dataclass
class PrintItem:
    footprint: Footprint
    spec: PackageSpec | None = None

    def body_mm(self) -> tuple[float, float] | None:
        """Package body size, when the print can place it; None for parts whose body is not
        centred on known geometry (pin lists)."""
        s = self.spec
        if s is None:
            box = self.footprint.layer_bbox(".Fab")
            return (box[2] - box[0], box[3] - box[1]) if box else None
        if s.kind == "chip":
            return s.dim("body_length").nom, s.dim("body_width").nom
        if s.kind == "pin_list":
            return None
        return s.dim("body_x").nom, s.dim("body_y").nom

    def body_centre_mm(self) -> tuple[float, float]:
        """No-lead and chip bodies sit on the footprint origin; a pin grid's body on its pins' centre;
        without a spec, the fab outline's centre."""
        if self.spec is None or self.spec.kind == "pin_grid":
            box = self.footprint.layer_bbox(".Fab") if self.spec is None else None
            if box is None:
                pads = [p.bbox() for p in self.footprint.copper_pads()]
                box = (min(b[0] for b in pads), min(b[1] for b in pads), max(b[2] for b in pads), max(b[3] for b in pads))
            return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return 0.0, 0.0

    def extent(self) -> tuple[float, float, float, float]:
        pts = [c for p in self.footprint.copper_pads() for c in (p.bbox()[:2], p.bbox()[2:])]
        crt = self.footprint.layer_bbox(".CrtYd")
        if crt:
            pts += [crt[:2], crt[2:]]
        body = self.body_mm()
        if body:
            cx, cy = self.body_centre_mm()
            pts += [(cx - body[0] / 2, cy - body[1] / 2), (cx + body[0] / 2, cy + body[1] / 2)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), min(ys), max(xs), max(ys)


class SvgCanvas:
    def __init__(self, width_mm: float, height_mm: float):
        self.w, self.h = width_mm, height_mm
        self.pages: list[list[str]] = [[]]

    def new_page(self):
        self.pages.append([])

    @staticmethod
    def _rgb(c):
        return "rgb({},{},{})".format(*(round(v * 255) for v in c))

    def polygon(self, pts, fill=None, stroke=None, width=0.1, dash=False):
        d = " ".join(f"{x:.4f},{y:.4f}" for x, y in pts)
        self.pages[-1].append(
            f'<polygon points="{d}" fill="{self._rgb(fill) if fill else "none"}" '
            f'stroke="{self._rgb(stroke) if stroke else "none"}" stroke-width="{width}"'
            + (' stroke-dasharray="0.8,0.5"' if dash else "") + "/>")

    def line(self, a, b, stroke=INK, width=0.1):
        self.pages[-1].append(f'<line x1="{a[0]:.4f}" y1="{a[1]:.4f}" x2="{b[0]:.4f}" y2="{b[1]:.4f}" '
                              f'stroke="{self._rgb(stroke)}" stroke-width="{width}"/>')

    def circle(self, c, r, fill=None, stroke=None, width=0.1):
        self.pages[-1].append(f'<circle cx="{c[0]:.4f}" cy="{c[1]:.4f}" r="{r:.4f}" '
                              f'fill="{self._rgb(fill) if fill else "none"}" '
                              f'stroke="{self._rgb(stroke) if stroke else "none"}" stroke-width="{width}"/>')

    def text(self, pos, s, size_mm=3.0, color=INK, anchor="start"):
        esc = s.replace("&", "&amp;").replace("<", "&lt;")
        self.pages[-1].append(f'<text x="{pos[0]:.4f}" y="{pos[1]:.4f}" font-family="Helvetica, Arial, sans-serif" '
                              f'font-size="{size_mm:.3f}" fill="{self._rgb(color)}" text-anchor="{anchor}">{esc}</text>')

    def render(self) -> str:
        # Pages stacked vertically in one SVG; width/height in mm so a viewer prints at 1:1.
        total_h = self.h * len(self.pages)
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}mm" height="{total_h}mm" '
               f'viewBox="0 0 {self.w} {total_h}">']
        for i, page in enumerate(self.pages):
            out.append(f'<g transform="translate(0 {i * self.h})"><rect x="0" y="0" width="{self.w}" height="{self.h}" '
                       'fill="white" stroke="rgb(200,200,200)" stroke-width="0.2"/>')
            out += page
            out.append("</g>")
        out.append("</svg>")
        return "\n".join(out) + "\n"


class PdfCanvas:
    def __init__(self, width_mm: float, height_mm: float, title: str):
        from reportlab.pdfgen import canvas as rl_canvas

        self.w, self.h = width_mm, height_mm
        self.buf = io.BytesIO()
        # invariant=1: no creation date or random ID, so the same input gives the same bytes.
        self.c = rl_canvas.Canvas(self.buf, pagesize=(width_mm * PT_PER_MM, height_mm * PT_PER_MM), invariant=1)
        self.c.setTitle(title)
        self.c.setCreator("wattcad")

    def _p(self, x, y):
        return x * PT_PER_MM, (self.h - y) * PT_PER_MM

    def new_page(self):
        self.c.showPage()

    def polygon(self, pts, fill=None, stroke=None, width=0.1, dash=False):
        path = self.c.beginPath()
        path.moveTo(*self._p(*pts[0]))
        for pt in pts[1:]:
            path.lineTo(*self._p(*pt))
        path.close()
        self.c.setLineWidth(width * PT_PER_MM)
        self.c.setDash([0.8 * PT_PER_MM, 0.5 * PT_PER_MM] if dash else [])
        if fill:
            self.c.setFillColorRGB(*fill)
        if stroke:
            self.c.setStrokeColorRGB(*stroke)
        self.c.drawPath(path, fill=1 if fill else 0, stroke=1 if stroke else 0)
        self.c.setDash([])

    def line(self, a, b, stroke=INK, width=0.1):
        self.c.setStrokeColorRGB(*stroke)
        self.c.setLineWidth(width * PT_PER_MM)
        self.c.line(*self._p(*a), *self._p(*b))

    def circle(self, c, r, fill=None, stroke=None, width=0.1):
        if fill:
            self.c.setFillColorRGB(*fill)
        if stroke:
            self.c.setStrokeColorRGB(*stroke)
        self.c.setLineWidth(width * PT_PER_MM)
        self.c.circle(*self._p(*c), r * PT_PER_MM, fill=1 if fill else 0, stroke=1 if stroke else 0)

    def text(self, pos, s, size_mm=3.0, color=INK, anchor="start"):
        self.c.setFillColorRGB(*color)
        self.c.setFont("Helvetica", size_mm * PT_PER_MM)
        x, y = self._p(*pos)
        {"start": self.c.drawString, "middle": self.c.drawCentredString, "end": self.c.drawRightString}[anchor](x, y, s)

    def render(self) -> bytes:
        self.c.save()
        return self.buf.getvalue()


def _draw_ruler(cv, x0: float, y0: float) -> None:
    """A 50 mm calibration ruler: a baseline exactly RULER_MM long with mm ticks."""
    cv.line((x0, y0), (x0 + RULER_MM, y0), width=0.2)
    for mm in range(int(RULER_MM) + 1):
        tick = 4.0 if mm % 10 == 0 else (2.5 if mm % 5 == 0 else 1.5)
        cv.line((x0 + mm, y0), (x0 + mm, y0 - tick), width=0.1)
        if mm % 10 == 0:
            cv.text((x0 + mm, y0 - 5.0), str(mm), size_mm=2.2, anchor="middle")
    cv.text((x0 + RULER_MM + 4, y0), f"<- {RULER_MM:.0f} mm: measure it; it must be exactly {RULER_MM:.0f} mm", size_mm=2.6)


def _pad_outline(p: Pad) -> list[tuple[float, float]]:
    if p.shape in ("circle",):
        return []
    return p.corners()


def _draw_item(cv, item: PrintItem, ox: float, oy: float) -> None:
    fp = item.footprint
    for p in sorted(fp.copper_pads(), key=lambda p: (p.kind != "smd", p.size_x_mm * -p.size_y_mm)):
        if p.shape == "circle":
            cv.circle((ox + p.x_mm, oy + p.y_mm), p.w_mm / 2, fill=COPPER)
        else:
            cv.polygon([(ox + x, oy + y) for x, y in p.corners()], fill=COPPER)
        if p.drill_mm:
            cv.circle((ox + p.x_mm, oy + p.y_mm), p.drill_mm / 2, fill=(1, 1, 1))
    crt = fp.layer_bbox(".CrtYd")
    if crt:
        cv.polygon([(ox + crt[0], oy + crt[1]), (ox + crt[2], oy + crt[1]), (ox + crt[2], oy + crt[3]), (ox + crt[0], oy + crt[3])],
                   stroke=GREY, width=0.05)
    body = item.body_mm()
    if body:
        bx, by = body[0] / 2, body[1] / 2
        cx, cy = item.body_centre_mm()
        cx, cy = ox + cx, oy + cy
        cv.polygon([(cx - bx, cy - by), (cx + bx, cy - by), (cx + bx, cy + by), (cx - bx, cy + by)], stroke=BODY, width=0.1, dash=True)
    # Pad numbers, small, beside lead pads (inside would hide the copper on small parts).
    numbered = {p.number: p for p in fp.copper_pads() if p.number}
    size = max(0.5, min(1.2, min((min(p.w_mm, p.h_mm) for p in numbered.values()), default=1.0) * 1.6))
    for p in numbered.values():
        cv.text((ox + p.x_mm, oy + p.y_mm + size * 0.35), p.number, size_mm=size, color=INK, anchor="middle")
    x0, y0, x1, y1 = item.extent()
    for i, (line, color) in enumerate(_labels(item)):
        cv.text((ox + x0, oy + y1 + 3.5 + i * LABEL_MM * 1.3), line, size_mm=LABEL_MM, color=color)


LABEL_MM = 2.0


def _labels(item: PrintItem) -> list[tuple[str, tuple]]:
    lines = [(item.footprint.name, INK)]
    if item.spec is not None:
        lines.append((item.spec.title, INK))
    body = item.body_mm()
    if body:
        lines.append((f"dashed red: body {body[0]:.2f} x {body[1]:.2f} mm", BODY))
    return lines


def _label_width_mm(item: PrintItem) -> float:
    # Helvetica averages about 0.55 em per character.
    return max(len(text) for text, _ in _labels(item)) * LABEL_MM * 0.55


def layout(items: list[PrintItem], paper: str) -> list[list[tuple[PrintItem, float, float]]]:
    """Place items in rows on pages; returns per page (item, origin_x_mm, origin_y_mm)."""
    w, h = PAPERS_MM[paper]
    top = MARGIN_MM + 30.0  # title and ruler
    pages: list[list] = [[]]
    x, y, row_h = MARGIN_MM, top, 0.0
    for item in items:
        x0, y0, x1, y1 = item.extent()
        iw = max(x1 - x0, _label_width_mm(item))
        ih = y1 - y0 + 4.0 + len(_labels(item)) * LABEL_MM * 1.3  # room for the labels
        if iw + 2 * MARGIN_MM > w or ih + top + MARGIN_MM > h:
            raise InputError(None, item.footprint.name, f"footprint does not fit on {paper} paper at 1:1", f"{iw:.1f}x{ih:.1f} mm")
        if x + iw > w - MARGIN_MM:
            x, y, row_h = MARGIN_MM, y + row_h + 6.0, 0.0
        if y + ih > h - MARGIN_MM:
            pages.append([])
            x, y, row_h = MARGIN_MM, top, 0.0
        pages[-1].append((item, x - x0, y - y0))
        x += iw + 6.0
        row_h = max(row_h, ih)
    return pages


def render(items: list[PrintItem], out: str | Path, paper: str = "A4") -> Path:
    out = Path(out)
    if paper not in PAPERS_MM:
        raise InputError(None, "--paper", f"must be one of {', '.join(PAPERS_MM)}", paper)
    if out.suffix.lower() not in (".pdf", ".svg"):
        raise InputError(out, "--out", "must end in .pdf or .svg", out.suffix)
    if not items:
        raise InputError(None, "footprints", "nothing to print")
    w, h = PAPERS_MM[paper]
    title = "wattcad 1:1 footprint print"
    cv = PdfCanvas(w, h, title) if out.suffix.lower() == ".pdf" else SvgCanvas(w, h)
    pages = layout(items, paper)
    for n, page in enumerate(pages):
        if n:
            cv.new_page()
        cv.text((MARGIN_MM, MARGIN_MM), f"{title} - {paper} - page {n + 1}/{len(pages)}", size_mm=4.0)
        cv.text((MARGIN_MM, MARGIN_MM + 5.5), "Print at 100 % / actual size (no 'fit to page'), then check the ruler.", size_mm=2.6)
        _draw_ruler(cv, MARGIN_MM, MARGIN_MM + 20.0)
        for item, ox, oy in page:
            _draw_item(cv, item, ox, oy)
    data = cv.render()
    return write_atomic(out, data)
