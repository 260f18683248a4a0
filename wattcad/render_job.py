"""`wattcad render`: a KiCad board (and its enclosure) to PNG through Blender. The board is checked
and exported here (pcbnew, kicad-cli); the picture is made by blender/render.py's code in wattcad's
own Blender environment (bpy 5.0.1 needs numpy<2, CadQuery needs numpy>=2: two environments), or in
the Blender named by WATTCAD_BLENDER — exactly what a user's `blender -b -P` would run."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.blender.views import VIEWS
from wattcad.core.errors import InputError, MissingToolError, ToolFailedError, WattcadError, exit_text
from wattcad.core.fileio import write_atomic
from wattcad.core.processes import tool_kwargs

BLENDER_VENV = ".venv-blender"


@dataclass
class RenderResult:
    images: list[Path]
    info: dict = field(default_factory=dict)
    gif: Path | None = None


def find_blender() -> list[str]:
    """The command that runs Blender's Python: WATTCAD_BLENDER (a `blender` binary, or a Python
    with bpy), else the bootstrap's environment beside wattcad's own, else `blender` on PATH."""
    named = os.environ.get("WATTCAD_BLENDER")
    candidates = [Path(named)] if named else []
    candidates.append(Path(sys.prefix).parent / BLENDER_VENV / "bin" / "python")
    candidates.append(Path(__file__).resolve().parents[1] / BLENDER_VENV / "bin" / "python")
    on_path = shutil.which("blender")
    if on_path:
        candidates.append(Path(on_path))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            if c.name.startswith("blender"):
                return [str(c), "-b", "--factory-startup", "--python-exit-code", "2", "--python-expr"]
            return [str(c), "-c"]
    where = named or f"{Path(sys.prefix).parent / BLENDER_VENV} or `blender` on PATH"
    raise MissingToolError(f"Blender not found ({where}); run `make` to install wattcad's Blender environment")


def _script_expr() -> str:
    """Python that imports the Blender package wherever this wattcad is (repository or wheel)."""
    import wattcad.blender as pkg

    pkg_dir = Path(pkg.__file__).resolve().parent
    return (f"import sys; sys.path.insert(0, {str(pkg_dir.parent)!r}); "
            f"from {pkg_dir.name}.render_cli import main, script_args; sys.exit(main(script_args()))")


def check_output_path(out: Path) -> Path:
    out = Path(out).resolve()
    if out.suffix.lower() != ".png":
        raise InputError(out, "--out", "the picture must be a .png file", out.name)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(out, "--out", f"cannot create its folder: {exc.strerror}") from None
    if not os.access(out.parent, os.W_OK):
        raise InputError(out, "--out", "its folder is not writable", str(out.parent))
    return out


@dataclass(frozen=True)
class Picture:
    """One picture of a board: a still, or a turntable of `turntable_frames` frames (+ a GIF)."""
    out: Path
    view: str = "iso"
    size: tuple[int, int] = (1280, 960)
    samples: int = 32
    style: str = ""
    turntable_frames: int = 0
    preview: bool = False  # fewer bounces: a build's default


def render(board: Path, out: Path, enclosure: Path | None = None, view: str = "iso", size: tuple[int, int] = (1280, 960),
           samples: int = 32, style: str = "", turntable_frames: int = 0, timeout_s: float = 3600,
           glb: Path | None = None, preview: bool = False) -> RenderResult:
    """`glb`: the board's GLB when it was already exported with kicad_export's flags (the build's)."""
    picture = Picture(out, view, size, samples, style, turntable_frames, preview)
    (result,) = render_pictures(board, [picture], enclosure, timeout_s, glb)
    return result


def render_pictures(board: Path, pictures: list[Picture], enclosure: Path | None = None, timeout_s: float = 3600,
                    glb: Path | None = None) -> list[RenderResult]:
    """Every picture in one Blender process, the board imported once (a build's views of a board)."""
    board = Path(board)
    if not board.is_file():
        raise InputError(board, None, "no such board file")
    for pic in pictures:
        if pic.view not in VIEWS:
            raise InputError(board, "--view", f"one of {', '.join(VIEWS)}", pic.view)
        if pic.samples < 1:
            raise InputError(board, "--samples", "must be at least 1", pic.samples)
    if enclosure is not None and not (Path(enclosure) / "fit.json").is_file():
        raise InputError(enclosure, "--enclosure", "not a wattcad enclosure folder (no fit.json); run `wattcad enclosure`")
    outs = [check_output_path(pic.out) for pic in pictures]
    command = find_blender()
    with tempfile.TemporaryDirectory(prefix="wattcad-render-") as tmp:
        if glb is None:
            board_glb = cached_glb(board)
            glb, shapes, missing, thickness = board_glb.path, board_glb.shapes, board_glb.missing, board_glb.thickness_mm
        else:  # the build's: its models sit beside it, and resolve
            from wattcad.kicad.boardmodel_reader import read_board_model
            from wattcad.kicad.models3d import resolve_shapes

            thickness, shapes, missing = read_board_model(board).thickness_mm, resolve_shapes(board, draw=False), []
        jobs = []
        for i, (pic, out) in enumerate(zip(pictures, outs)):
            # Turntable frames are rendered into the scratch folder, then moved beside the picture.
            frames_out = Path(tmp) / f"{i}" / out.name if pic.turntable_frames else out
            frames_out.parent.mkdir(parents=True, exist_ok=True)
            jobs.append({"out": str(frames_out), "view": pic.view, "size": list(pic.size), "samples": pic.samples,
                         "enclosure_style": pic.style, "turntable": pic.turntable_frames, "preview": pic.preview,
                         "info": str(out.with_suffix(".json"))})  # the camera and where the board lands, for checks
        batch = Path(tmp) / "jobs.json"
        batch.write_text(json.dumps(jobs, indent=1))
        args = ["--", "--glb", str(glb), "--thickness-mm", str(thickness), "--batch", str(batch)]
        if enclosure is not None:
            args += ["--enclosure", str(Path(enclosure).resolve())]
        try:
            proc = subprocess.run([*command, _script_expr(), *args], capture_output=True, text=True, timeout=timeout_s,
                                  **tool_kwargs())
        except subprocess.TimeoutExpired:
            raise ToolFailedError(f"Blender render of {board.name} took longer than {timeout_s:.0f} s; "
                                  f"try fewer --samples or a smaller --size") from None
        said = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.startswith("render:")]
        if proc.returncode != 0 or not all(out.with_suffix(".json").is_file() for out in outs):
            detail = " ".join(said) or proc.stderr.strip()[-600:]
            if proc.returncode == 2:  # render_cli's bad input: the board, the enclosure, a job
                raise InputError(board, None, detail)
            raise ToolFailedError(f"Blender render of {board.name} failed ({exit_text(proc.returncode)}): {detail}")
        return [_result(pic, out, Path(job["out"]), missing, shapes) for pic, out, job in zip(pictures, outs, jobs)]


def _result(pic: Picture, out: Path, rendered: Path, missing: list[str], shapes) -> RenderResult:
    from wattcad.kicad.models3d import not_found, summary, summary_line

    info_path = out.with_suffix(".json")
    info = json.loads(info_path.read_text())
    # How each part was drawn (its 3D model, wattcad's body from its spec, a box), beside the picture.
    info["parts"], info["parts_drawn"] = summary(shapes), summary_line(shapes)
    info["models_not_found"] = not_found(shapes)  # each such part is drawn from its spec, or as a box
    if missing:  # rendered without them, as KiCad's 3D viewer shows such a board; said beside the picture
        info["missing_models"] = missing
    write_atomic(info_path, json.dumps(info, indent=2, sort_keys=True) + "\n")
    if not pic.turntable_frames:
        return RenderResult([out], info)
    images = []
    for f in sorted(rendered.parent.glob(f"{out.stem}-*.png")):
        images.append(out.with_name(f.name))
        shutil.move(f, images[-1])
    return RenderResult(images, info, _gif(images, out.with_suffix(".gif")))


def export_board_glb(board: Path, out: Path, models_dir: Path | None = None, failed: type = WattcadError):
    """kicad_export.export_glb with wattcad's exit codes: kicad-cli missing (3), failing (4), any
    other export failure as FAILED (a build step's own error)."""
    from wattcad.blender.kicad_export import ExportError, KicadCliFailed, KicadCliMissing, export_glb

    try:
        return export_glb(board, out, models_dir, process_options=tool_kwargs())
    except KicadCliMissing as exc:
        raise MissingToolError(str(exc)) from None
    except KicadCliFailed as exc:
        raise ToolFailedError(str(exc)) from None
    except ExportError as exc:
        raise failed(str(exc)) from None


@dataclass
class BoardGlb:
    path: Path
    shapes: list
    missing: list[str]
    thickness_mm: float
    cached: bool  # True when an earlier render of the same board made it


GLB_CACHE_KEEP = 16  # boards' GLBs kept in the cache, the most recently used


def cached_glb(board: Path) -> BoardGlb:
    """The board's GLB with every part drawn (models3d), from the cache when an earlier render of
    the same board (its file, every model's content, kicad-cli, the export's flags) made it."""

    from wattcad.blender.kicad_export import KicadCliMissing, find_kicad_cli

    try:
        cli = Path(find_kicad_cli()).resolve()
    except KicadCliMissing as exc:
        raise MissingToolError(str(exc)) from None
    scratch = Path(tempfile.mkdtemp(prefix="wattcad-glb-"))
    try:
        return _cached_glb(board, cli, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _cached_glb(board: Path, cli: Path, scratch: Path) -> BoardGlb:
    import hashlib

    from wattcad.blender.glb_merge import MERGE_VERSION
    from wattcad.blender.kicad_export import GLB_FLAGS
    from wattcad.kicad import models3d

    try:
        text, root = None, models3d.read_board(board)
    except InputError:  # KiCad's copy where wattcad's strict reader refuses a file KiCad opens (pcbnew)
        from wattcad.kicad.board_io import current_format_copy

        text = current_format_copy(board, scratch)[0]
        root = models3d.read_board(board, text)
    shapes = models3d.resolve_shapes(board, draw=False, root=root)
    h = hashlib.sha256(board.read_bytes())
    project = board.with_suffix(".kicad_pro")  # its text variables reach the silkscreen's texts
    if project.is_file():
        h.update(project.read_bytes())
    stat = cli.stat()
    h.update(f"{models3d.shapes_key(shapes)}\0{cli}\0{stat.st_size}\0{stat.st_mtime_ns}\0{GLB_FLAGS}\0{MERGE_VERSION}".encode())
    folder = models3d.cache_root() / "glb"
    glb, said = folder / f"{h.hexdigest()[:24]}.glb", folder / f"{h.hexdigest()[:24]}.json"
    thickness = models3d.board_thickness_mm(root)
    if glb.is_file() and said.is_file():
        os.utime(glb)
        return BoardGlb(glb, shapes, json.loads(said.read_text())["missing_models"], thickness, True)
    from wattcad.kicad.boardmodel_reader import read_board_model

    read_board_model(board)  # a board with no outline stops here, named
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wattcad-glb-") as tmp:
        shaped = Path(tmp) / board.name
        shapes = models3d.write_shaped_board(board, shaped, text_path=text)
        if project.is_file():
            shutil.copyfile(project, shaped.with_suffix(".kicad_pro"))
        missing = export_board_glb(shaped, Path(tmp) / glb.name).missing_models
        os.replace(Path(tmp) / glb.name, glb)
    write_atomic(said, json.dumps({"board": board.name, "missing_models": missing}) + "\n")
    for old in sorted(folder.glob("*.glb"), key=lambda p: p.stat().st_mtime, reverse=True)[GLB_CACHE_KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)
    return BoardGlb(glb, shapes, missing, thickness, False)


def _gif(frames: list[Path], out: Path, frame_ms: int = 120) -> Path:
    """The turntable as a looping GIF (Pillow), one palette for every frame, written atomically."""
    import io

    from PIL import Image

    pictures = [Image.open(f).convert("RGB") for f in frames]
    palette = pictures[0].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    pictures[0].quantize(palette=palette).save(buffer, format="GIF", save_all=True, loop=0, duration=frame_ms,
                                               append_images=[p.quantize(palette=palette) for p in pictures[1:]])
    return write_atomic(out, buffer.getvalue())
