"""The action plugins' toolbar icons (24x24, a light and a dark-theme variant each) and the KiCad
PCM package icon (64x64), drawn in code so the committed PNGs in icons/ can be regenerated and
checked: same code, same pixels.

    python -m wattcad.kicad.plugins.make_icons        # rewrites kicad/plugins/icons/*.png

Each icon is drawn on a 24-unit grid at SUPERSAMPLE times its size and box-reduced: integer
averaging, so the antialiasing is deterministic."""
from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ICONS_DIR = Path(__file__).resolve().parent / "icons"
TOOLBAR_PX = 24
PACKAGE_PX = 64
SUPERSAMPLE = 4
GRID = 24  # drawing units across an icon

# KiCad-like colours; INK is the outline colour, the one thing a dark toolbar needs changed.
COPPER = (200, 52, 52, 255)      # F.Cu red
PAD = (214, 170, 52, 255)        # plated pad gold
BODY = (70, 70, 78, 255)         # IC body
BOARD = (34, 110, 60, 255)       # solder-mask green
CHECK = (255, 255, 255, 255)
LENS = (170, 210, 240, 170)
INK = {"light": (40, 40, 48, 255), "dark": (225, 225, 232, 255)}


class Pen:
    """An ImageDraw in grid units: (x, y) in 0..24 whatever the pixel size."""

    def __init__(self, image: Image.Image, scale_px: float, offset_px: tuple[float, float] = (0.0, 0.0)):
        self.draw = ImageDraw.Draw(image)
        self.s, self.ox, self.oy = scale_px, offset_px[0], offset_px[1]

    def p(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + x * self.s, self.oy + y * self.s

    def box(self, x0, y0, x1, y1) -> list[float]:
        # ImageDraw includes the end pixel: stop one short so whole units land on whole pixels.
        (a, b), (c, d) = self.p(x0, y0), self.p(x1, y1)
        return [a, b, c - 1, d - 1]

    def rect(self, x0, y0, x1, y1, fill=None, outline=None, width=0.0, radius=0.0):
        self.draw.rounded_rectangle(self.box(x0, y0, x1, y1), radius=radius * self.s, fill=fill, outline=outline,
                                    width=round(width * self.s))

    def circle(self, cx, cy, r, fill=None, outline=None, width=0.0):
        self.draw.ellipse(self.box(cx - r, cy - r, cx + r, cy + r), fill=fill, outline=outline, width=round(width * self.s))

    def line(self, points, fill, width):
        pts = [self.p(x, y) for x, y in points]
        self.draw.line(pts, fill=fill, width=round(width * self.s), joint="curve")
        for x, y in points:  # round caps
            self.circle(x, y, width / 2, fill=fill)

    def polygon(self, points, fill):
        self.draw.polygon([self.p(x, y) for x, y in points], fill=fill)


def draw_verify_footprints(pen: Pen, theme: str) -> None:
    """A QFN: body, three pads a side, pin-1 dot; a magnifier over its corner."""
    ink = INK[theme]
    for x in (6, 9, 12):  # whole units: crisp pads at 24 px
        pen.rect(x, 1, x + 2, 4, fill=PAD)      # top
        pen.rect(x, 16, x + 2, 19, fill=PAD)    # bottom
        pen.rect(1, x, 4, x + 2, fill=PAD)      # left
        pen.rect(16, x, 19, x + 2, fill=PAD)    # right
    pen.rect(4, 4, 16, 16, fill=BODY, outline=ink, width=0.75, radius=0.75)
    pen.circle(7, 7, 1.1, fill=PAD)
    pen.line([(18.5, 18.5), (22, 22)], fill=ink, width=2.6)
    pen.circle(15, 15, 4.8, fill=LENS, outline=ink, width=1.5)


def draw_place_circle(pen: Pen, theme: str) -> None:
    """Four two-pad parts on a dashed circle, set along it, and the circle's centre mark."""
    ink = INK[theme]
    r = 8
    for start_deg in range(0, 360, 90):  # two dashes between each pair of parts
        for d0, d1 in ((27, 39), (51, 63)):
            a0, a1 = math.radians(start_deg + d0), math.radians(start_deg + d1)
            steps = [a0 + (a1 - a0) * i / 4 for i in range(5)]
            pen.line([(12 + r * math.cos(a), 12 + r * math.sin(a)) for a in steps], fill=ink, width=1.4)
    pen.line([(10, 12), (14, 12)], fill=ink, width=1.0)
    pen.line([(12, 10), (12, 14)], fill=ink, width=1.0)
    for cx, cy, along_x in ((12, 4, True), (20, 12, False), (12, 20, True), (4, 12, False)):
        # a 0603-like part: body with a pad at each end, long side along the circle
        w, h = (3.5, 2) if along_x else (2, 3.5)
        pen.rect(cx - w, cy - h, cx + w, cy + h, fill=BODY, outline=ink, width=0.5)
        if along_x:
            pen.rect(cx - w, cy - h, cx - w + 2, cy + h, fill=PAD)
            pen.rect(cx + w - 2, cy - h, cx + w, cy + h, fill=PAD)
        else:
            pen.rect(cx - w, cy - h, cx + w, cy - h + 2, fill=PAD)
            pen.rect(cx - w, cy + h - 2, cx + w, cy + h, fill=PAD)


def draw_check_board(pen: Pen, theme: str) -> None:
    """A green board with a track and a pad, and a bold white check mark across it."""
    ink = INK[theme]
    pen.rect(1.5, 3.5, 22.5, 20.5, fill=BOARD, outline=ink, width=0.9, radius=2.0)
    pen.line([(4.5, 7), (9, 7), (11, 9)], fill=COPPER, width=1.2)
    pen.circle(19, 7, 1.4, fill=PAD)
    pen.line([(5.5, 12.5), (10, 17), (18.5, 8)], fill=BODY, width=4.2)   # dark edge so white reads on green
    pen.line([(5.5, 12.5), (10, 17), (18.5, 8)], fill=CHECK, width=2.6)


def draw_route(pen: Pen, theme: str) -> None:
    """Two pads joined by a track with a 45-degree bend, and a via at the far end."""
    ink = INK[theme]
    pen.line([(4, 19), (9, 19), (17, 11), (17, 6.5)], fill=COPPER, width=2.6)
    pen.rect(1.2, 16.2, 6.8, 21.8, fill=PAD, outline=ink, width=0.7, radius=0.6)
    pen.circle(17, 5.5, 4.0, fill=PAD, outline=ink, width=0.7)     # via: annular ring
    pen.circle(17, 5.5, 1.7, fill=ink)                            # and its drill


PLUGIN_ICONS = {"verify_footprints": draw_verify_footprints, "place_circle": draw_place_circle,
                "check_board": draw_check_board, "route": draw_route}


def render(draw_fn, theme: str, size_px: int = TOOLBAR_PX) -> Image.Image:
    big = Image.new("RGBA", (size_px * SUPERSAMPLE,) * 2, (0, 0, 0, 0))
    draw_fn(Pen(big, size_px * SUPERSAMPLE / GRID), theme)
    return big.reduce(SUPERSAMPLE)


def render_package_icon() -> Image.Image:
    """The PCM dialog's 64x64: the four toolbar icons, 2x2 on a rounded tile."""
    n = PACKAGE_PX * SUPERSAMPLE
    big = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    tile = Pen(big, n / GRID)
    tile.rect(0.3, 0.3, 23.7, 23.7, fill=(245, 245, 240, 255), outline=INK["light"], width=0.6, radius=3.0)
    cell = n / 2 * 0.88 / GRID  # each icon gets 88% of a quadrant
    for i, fn in enumerate(PLUGIN_ICONS.values()):
        ox = (i % 2) * n / 2 + n / 2 * 0.06
        oy = (i // 2) * n / 2 + n / 2 * 0.06
        fn(Pen(big, cell, (ox, oy)), "light")
    return big.reduce(SUPERSAMPLE)


def all_icons() -> dict[str, Image.Image]:
    """File name -> image: <plugin>.png, <plugin>_dark.png, package.png."""
    icons = {}
    for name, fn in PLUGIN_ICONS.items():
        icons[f"{name}.png"] = render(fn, "light")
        icons[f"{name}_dark.png"] = render(fn, "dark")
    icons["package.png"] = render_package_icon()
    return icons


def write_icons(dest: Path = ICONS_DIR) -> list[Path]:
    import io

    from wattcad.core.fileio import write_atomic

    written = []
    for name, image in all_icons().items():
        buf = io.BytesIO()
        image.save(buf, "PNG", optimize=True)
        path = write_atomic(dest / name, buf.getvalue())
        path.chmod(0o644)  # write_atomic's temp file is 0600; KiCad may run as another user
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else ICONS_DIR):
        print(path)
