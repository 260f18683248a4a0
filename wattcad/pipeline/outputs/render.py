"""The render output: the board (in its enclosure, when the section makes one) drawn by Blender's
Cycles, every view in one Blender process. Previews by default; `--final` for full size."""
from __future__ import annotations

from pathlib import Path

from wattcad.pipeline.engine import Outcome
from wattcad.pipeline.outputs import Output, register

# Each view as a final picture: (enclosure style, size in px, Cycles samples).
VIEW_STYLES = {"iso": ("cutaway", (1280, 960), 32), "top": ("open", (1200, 900), 16),
               "front": ("translucent", (960, 540), 16), "exploded": ("", (1280, 960), 24)}
# Previews: half the size each way, few samples, 3 bounces; chosen so that a picture costs no
# more than `kicad-cli pcb render --quality high` of the same size (benchmarks/render.py).
PREVIEW_SCALE, PREVIEW_SAMPLES = 0.5, 4
ENCLOSURE_FILES = ("base.stl", "lid.stl", "fit.json", "boardmodel.json")


def at_quality(stills: list, turn: tuple | None, final: bool) -> tuple[list, tuple | None]:
    """Final pictures as they are; previews smaller, with fewer samples."""
    if final:
        return stills, turn

    def small(size):
        return (max(16, round(size[0] * PREVIEW_SCALE)), max(16, round(size[1] * PREVIEW_SCALE)))

    stills = [(view, style, small(size), min(samples, PREVIEW_SAMPLES)) for view, style, size, samples in stills]
    return stills, (turn and (small(turn[0]), min(turn[1], PREVIEW_SAMPLES), turn[2]))


def pictures_of(views, turntable: tuple | None, final: bool) -> tuple[list, tuple | None]:
    """(stills, turntable) of VIEWS at the quality asked for."""
    return at_quality([(view, *VIEW_STYLES[view]) for view in views], turntable, final)


def render_step(board: Path, out_dir: Path, prefix: str, stills: list, turn: tuple | None, final: bool,
                enclosure: Path | None, glb: Path | None = None) -> Outcome:
    """The pictures of one board, in one Blender process, as out_dir/PREFIX-VIEW.png."""
    from wattcad.render_job import Picture, render_pictures

    preview = not final
    pictures = [Picture(out_dir / f"{prefix}-{view}.png", view, size, samples, style, preview=preview)
                for view, style, size, samples in stills]
    if turn:
        size, samples, frames = turn
        pictures.append(Picture(out_dir / f"{prefix}-turntable.png", "iso", size, samples, "cutaway", frames, preview))
    if out_dir.is_dir():  # a preview build after a final one (or back) leaves no stale frames
        for old in out_dir.glob(f"{prefix}-*"):
            old.unlink()
    results = render_pictures(board, pictures, enclosure, glb=glb)
    images = [i for r in results for i in (r.images if r.gif is None else [r.gif])]
    return Outcome(images, "made", f"{len(images)} pictures ({'final' if final else 'preview'}, one Blender)")


def _enclosure(section) -> Path | None:
    return section.dir / "enclosure" if "enclosure" in section.outputs else None


def run(pipeline, section) -> Outcome:
    return render_step(section.board, section.dir / "renders", section.picture_prefix,
                       *pictures_of(section.views, section.turntable, pipeline.final), pipeline.final, _enclosure(section),
                       section.glb)


def inputs(pipeline, section) -> list[Path]:
    enclosure = _enclosure(section)
    return [*([section.glb] if section.glb else []), *([enclosure / f for f in ENCLOSURE_FILES] if enclosure else [])]


register(Output("render", "Blender renders", run, inputs,
                lambda pipeline, section: {"renders": pictures_of(section.views, section.turntable, pipeline.final),
                                           "enclosure": _enclosure(section) is not None},
                after=("enclosure",),
                pictures=(("renders/{v}-iso.png", "Blender: hero view, enclosure cut away"),
                          ("renders/{v}-exploded.png", "Blender: exploded"),
                          ("renders/{v}-top.png", "Blender: top, true to scale"),
                          ("renders/{v}-front.png", "Blender: front elevation"),
                          ("renders/{v}-turntable.gif", "Blender: turntable"))))
