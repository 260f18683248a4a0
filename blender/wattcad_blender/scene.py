"""The assembly in Blender: the board's GLB (from kicad-cli), the enclosure's STL shells, materials,
lights, camera and a Cycles render. Runs in Blender's Python (bpy); shared by render.py and the
add-on. The BoardModel (boardmodel.json, written beside the enclosure) is read through wattcad's
contract: the packaged add-on's own copy (boardmodel.py), else the core's file beside this package."""
from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import bpy
from mathutils import Matrix, Vector

from . import finish, views
from .cycles_render import configure_render

try:
    from . import boardmodel  # the packaged add-on: a copy of the core's contract
except ImportError:  # run from wattcad itself (a checkout or an installed wheel): the core's own file
    from .contract import load_contract

    boardmodel = load_contract()

MM = 0.001  # scene units are metres (glTF); the enclosure STLs are in millimetres
BOARD_ROOT = "wattcad-board"
ENCLOSURE_STYLES = finish.ENCLOSURE_STYLES


class SceneError(Exception):
    """Bad input found while building the scene: names the file and what is wrong with it."""


@dataclass
class Assembly:
    board_root: object
    board_meshes: dict = field(default_factory=dict)  # role -> [objects] (mask, pads, silk, body, copper)
    parts: list = field(default_factory=list)
    board_parts: list = field(default_factory=list)  # the GLB's own parts (parts may gain boxes)
    own: set = field(default_factory=set)  # every object of the imported board
    enclosure: dict = field(default_factory=dict)  # "base"/"lid" -> object
    board_bottom: float = 0.0  # z of the board's bottom face in the enclosure (m)
    board_thickness: float = 0.0016


# --- materials -------------------------------------------------------------------------------

def material(f: finish.Finish):
    mat = bpy.data.materials.get(f.name) or bpy.data.materials.new(f.name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*f.rgb, 1.0)
    bsdf.inputs["Metallic"].default_value = f.metallic
    bsdf.inputs["Roughness"].default_value = f.roughness
    bsdf.inputs["Coat Weight"].default_value = f.coat
    bsdf.inputs["Alpha"].default_value = f.alpha
    mat.diffuse_color = (*f.rgb, f.alpha)  # the viewport colour in the add-on
    if f.matte:  # no specular lobe to sample: the floor's pixels cost ~10 % less, the same picture
        nodes = mat.node_tree.nodes
        diffuse = nodes.get("Diffuse BSDF") or nodes.new("ShaderNodeBsdfDiffuse")
        diffuse.inputs["Color"].default_value = (*f.rgb, 1.0)
        mat.node_tree.links.new(diffuse.outputs["BSDF"], nodes["Material Output"].inputs["Surface"])
    return mat


def _base_colour(mat) -> tuple[tuple[float, float, float], float]:
    bsdf = mat.node_tree.nodes.get("Principled BSDF") if mat and mat.node_tree else None
    if bsdf is None:
        return (0.5, 0.5, 0.5), 0.0
    return tuple(bsdf.inputs["Base Color"].default_value[:3]), bsdf.inputs["Metallic"].default_value


def _z_extent(obj) -> float:
    zs = [(obj.matrix_world @ Vector(c)).z for c in obj.bound_box]
    return max(zs) - min(zs)


# --- import ----------------------------------------------------------------------------------

def reset_scene() -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)


def import_board(glb: Path, thickness_mm: float = 1.6) -> Assembly:
    """Import a kicad-cli GLB under one empty and give every mesh a real-looking material."""
    glb = Path(glb)
    if not glb.is_file():
        raise SceneError(f"{glb}: no such board export (GLB)")
    before = set(bpy.data.objects)
    try:
        bpy.ops.import_scene.gltf(filepath=str(glb))
    except RuntimeError as exc:
        raise SceneError(f"{glb}: not a readable glTF binary: {exc}") from None
    new = [o for o in bpy.data.objects if o not in before]
    meshes = [o for o in new if o.type == "MESH"]
    if not meshes:
        raise SceneError(f"{glb}: holds no mesh")
    root = bpy.data.objects.new(BOARD_ROOT, None)
    bpy.context.scene.collection.objects.link(root)
    for o in new:
        if o.parent is None:
            o.parent = root
    asm = Assembly(root, board_thickness=thickness_mm * MM)
    named = any(finish.is_board_mesh(m.data.name) for m in meshes)  # once: thousands of meshes on a big board
    layer_meshes = [o for o in meshes if o.material_slots and o.material_slots[0].material
                    and (not named or finish.is_board_mesh(o.data.name))]
    roles = {o: finish.classify_board_mesh(*_base_colour(o.material_slots[0].material), _z_extent(o), asm.board_thickness,
                                           o.data.name) for o in layer_meshes}
    if "substrate" not in roles.values():
        raise SceneError(f"{glb}: no board body found (was it exported with --board-only off and an outline?)")
    mask_srgb = next((_base_colour(o.material_slots[0].material)[0] for o, r in roles.items() if r == "mask"),
                     finish.DEFAULT_MASK_SRGB)
    mats = {role: material(f) for role, f in finish.BOARD_FINISHES.items()}
    mats["mask"] = material(finish.mask(mask_srgb))
    for o, role in roles.items():
        o.material_slots[0].material = mats[role]
        asm.board_meshes.setdefault(role, []).append(o)
    for o in meshes:
        if o in roles:
            continue
        own = o.material_slots[0].material if o.material_slots else None  # wattcad's bodies carry colours
        mat = material(finish.body_finish(_base_colour(own)[0]) if own is not None else
                       finish.part_finish(finish.part_object(o, BOARD_ROOT).name.split(".")[0], o.data.name))
        o.data.materials.clear()
        o.data.materials.append(mat)
        asm.parts.append(o)
    return asm


def read_board_model(path: Path) -> boardmodel.BoardModel:
    try:
        return boardmodel.read(path)
    except boardmodel.BoardModelError as exc:
        raise SceneError(str(exc)) from None  # names the file and the field


def add_missing_bodies(asm: Assembly, model: boardmodel.BoardModel) -> list:
    """Boxes for the bodies the board model knows and the GLB lacks (a stacked module has no
    footprint model of its own), so the render shows what the enclosure was built around."""
    have = {finish.part_object(o, BOARD_ROOT).name.split(".")[0] for o in asm.parts}
    made = []
    for b in model.bodies:
        if b.ref in have or b.ref.split("-")[0] in have or b.height_mm <= 0:  # A1-USB: in A1's model
            continue
        z0 = model.thickness_mm + b.stands_off_mm if b.side == "top" else -b.stands_off_mm - b.height_mm
        ring = [boardmodel.to_3d(p) for p in b.corners()]
        verts = [(x * MM, y * MM, z * MM) for z in (z0, z0 + b.height_mm) for x, y in ring]
        faces = [(0, 3, 2, 1), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7)]
        mesh = bpy.data.meshes.new(b.footprint or b.ref)
        mesh.from_pydata(verts, [], faces)
        obj = bpy.data.objects.new(b.ref, mesh)
        bpy.context.scene.collection.objects.link(obj)
        obj.parent = asm.board_root
        mesh.materials.append(material(finish.part_finish(b.ref, f"{b.footprint} {b.value}", b.role)))
        asm.parts.append(obj)
        made.append(obj)
    return made


def import_enclosure(asm: Assembly, enclosure_dir: Path, style: str) -> None:
    """The base and lid STLs, in the enclosure's axes: the board is lifted onto its standoffs."""
    enclosure_dir = Path(enclosure_dir)
    if style not in ENCLOSURE_STYLES:
        raise SceneError(f"enclosure style {style!r}: one of {', '.join(ENCLOSURE_STYLES)}")
    fit_path = enclosure_dir / "fit.json"
    try:
        fit = json.loads(fit_path.read_text())
        asm.board_bottom = float(fit["board_bottom_mm"]) * MM
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SceneError(f"{fit_path}: board_bottom_mm: cannot read it ({exc}); build the enclosure with `wattcad enclosure`") from None
    asm.board_root.location.z = asm.board_bottom
    model_path = enclosure_dir / "boardmodel.json"
    if model_path.exists():
        add_missing_bodies(asm, read_board_model(model_path))
    if style == "hidden":
        return
    mat = material(finish.CLEAR_PLASTIC if style == "translucent" else finish.GREY_PLASTIC)
    for name in ("base",) if style == "open" else ("base", "lid"):
        stl = enclosure_dir / f"{name}.stl"
        if not stl.is_file():
            raise SceneError(f"{stl}: missing enclosure export")
        before = set(bpy.data.objects)
        bpy.ops.wm.stl_import(filepath=str(stl), global_scale=MM)
        obj = next(o for o in bpy.data.objects if o not in before)
        obj.name = f"enclosure-{name}"
        obj.data.materials.clear()
        obj.data.materials.append(mat)
        asm.enclosure[name] = obj
    if style == "cutaway":
        _cut_away(asm)


def _cut_away(asm: Assembly) -> None:
    """Remove the corner of the shells nearest the hero camera (x above, 3D y below the centre),
    so the board shows inside them."""
    lo, hi = bounds(list(asm.enclosure.values()))
    size = [hi[i] - lo[i] for i in range(3)]
    bpy.ops.mesh.primitive_cube_add(size=1.0)
    cutter = bpy.context.active_object
    cutter.name = "enclosure-cutter"
    cutter.scale = (size[0] / 2 + 0.01, size[1] / 2 + 0.01, size[2] * 1.2)
    cutter.location = (hi[0] - size[0] / 4 + 0.005, lo[1] + size[1] / 4 - 0.005, (lo[2] + hi[2]) / 2)
    cutter.hide_render = True
    cutter.display_type = "WIRE"
    for obj in asm.enclosure.values():
        mod = obj.modifiers.new("cut-away", "BOOLEAN")
        mod.operation = "DIFFERENCE"
        mod.solver = "MANIFOLD"
        mod.object = cutter


# --- stage ---------------------------------------------------------------------------------

def bounds(objects) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    pts = [obj.matrix_world @ Vector(c) for obj in objects if obj.type == "MESH" for c in obj.bound_box]
    if not pts:
        raise SceneError("nothing to frame: the scene has no mesh")
    return tuple(min(p[i] for p in pts) for i in range(3)), tuple(max(p[i] for p in pts) for i in range(3))


def visible_meshes(asm: Assembly) -> list:
    return [o for o in bpy.context.scene.objects if o.type == "MESH" and not o.hide_render
            and not o.name.startswith("wattcad-floor")]


def stage(asm: Assembly, floor_visible: bool = True) -> None:
    """A floor, a soft grey sky and three area lights sized to the subject: no downloaded HDRI.
    The sky lights the scene dimly but shows light grey where the camera sees it (front view)."""
    lo, hi = bounds(visible_meshes(asm))
    span = max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2])
    centre = Vector([(lo[i] + hi[i]) / 2 for i in range(3)])
    world = bpy.data.worlds.new("wattcad studio")
    world.use_nodes = True
    nodes, links = world.node_tree.nodes, world.node_tree.links
    bg = nodes["Background"]
    bg.inputs["Color"].default_value = (0.78, 0.8, 0.84, 1.0)
    bg.inputs["Strength"].default_value = 0.18
    seen = nodes.new("ShaderNodeBackground")
    seen.inputs["Color"].default_value = (*finish.FLOOR.rgb, 1.0)
    seen.inputs["Strength"].default_value = 1.0
    ray = nodes.new("ShaderNodeLightPath")
    mix = nodes.new("ShaderNodeMixShader")
    links.new(ray.outputs["Is Camera Ray"], mix.inputs["Fac"])
    links.new(bg.outputs["Background"], mix.inputs[1])
    links.new(seen.outputs["Background"], mix.inputs[2])
    links.new(mix.outputs["Shader"], nodes["World Output"].inputs["Surface"])
    bpy.context.scene.world = world
    bpy.ops.mesh.primitive_plane_add(size=span * 40, location=(centre.x, centre.y, lo[2] - 0.0002))
    floor = bpy.context.active_object
    floor.name = "wattcad-floor"
    floor.data.materials.append(material(finish.FLOOR))
    floor.hide_render = not floor_visible
    for name, direction, size, watts in (("key", (-0.6, -0.9, 1.2), 1.2, 10.0), ("fill", (1.0, -0.4, 0.6), 2.0, 4.0),
                                         ("rim", (0.2, 1.0, 0.9), 0.8, 6.0)):
        d = Vector(direction).normalized()
        light = bpy.data.lights.new(f"wattcad {name}", "AREA")
        light.shape = "DISK"
        light.size = span * size
        light.energy = watts * (span / 0.15) ** 2  # keeps the exposure when the board is larger
        obj = bpy.data.objects.new(f"wattcad {name}", light)
        bpy.context.scene.collection.objects.link(obj)
        obj.location = centre + d * span * 3
        obj.rotation_euler = (-d).to_track_quat("-Z", "Y").to_euler()


def place_camera(camera: views.Camera, name: str = "wattcad camera"):
    cam_data = bpy.data.cameras.get(name) or bpy.data.cameras.new(name)
    cam = bpy.data.objects.get(name)
    if cam is None:
        cam = bpy.data.objects.new(name, cam_data)
        bpy.context.scene.collection.objects.link(cam)
    cam_data.type = "ORTHO" if camera.orthographic else "PERSP"
    cam_data.sensor_fit = "AUTO"
    cam_data.sensor_width = views.SENSOR_MM
    cam_data.lens = camera.lens_mm
    if camera.orthographic:
        cam_data.ortho_scale = camera.ortho_scale
    span = max(math.dist(camera.location, camera.target), 0.01)
    cam_data.clip_start, cam_data.clip_end = span * 0.01, span * 20
    cols = camera.rotation_columns()
    rot = Matrix([[cols[j][i] for j in range(3)] for i in range(3)])
    cam.matrix_world = Matrix.Translation(camera.location) @ rot.to_4x4()
    bpy.context.scene.camera = cam
    return cam


def render_still(path: Path) -> None:
    """Render into a scratch name beside `path`, then rename: never a half-written picture."""
    path = Path(path)
    part = path.with_name(f".{path.stem}.part.png")
    bpy.context.scene.render.filepath = str(part)
    bpy.ops.render.render(write_still=True)
    if not part.is_file():
        raise SceneError(f"{path}: Blender did not write the picture")
    os.replace(part, path)


@dataclass
class RenderJob:
    glb: Path
    out: Path
    view: str = "iso"
    width_px: int = 1280
    height_px: int = 960
    samples: int = 32
    enclosure_dir: Path | None = None
    enclosure_style: str = ""  # "" = translucent, solid when exploded
    turntable_frames: int = 0
    thickness_mm: float = 1.6
    preview: bool = False  # fewer bounces (configure_render)


def load_board(glb: Path, thickness_mm: float) -> Assembly:
    """A fresh scene holding only the board: what every picture of one batch starts from."""
    reset_scene()
    asm = import_board(glb, thickness_mm)
    asm.own = set(bpy.data.objects)
    asm.board_parts = list(asm.parts)
    return asm


def _back_to_board(asm: Assembly) -> None:
    """Undo what the last picture added (enclosure, boxes, floor, lights, camera, world), keeping
    the imported board: the GLB import is the slow part of a scene, done once per batch."""
    for obj in [o for o in bpy.data.objects if o not in asm.own]:
        bpy.data.objects.remove(obj, do_unlink=True)
    for world in list(bpy.data.worlds):
        bpy.data.worlds.remove(world)
    asm.board_root.location = (0.0, 0.0, 0.0)
    asm.enclosure, asm.parts, asm.board_bottom = {}, list(asm.board_parts), 0.0


def build_scene(job: RenderJob, asm: Assembly | None = None) -> Assembly:
    """The scene of one picture: on `asm` (the board of a batch) when given, else imported."""
    if asm is None:
        asm = load_board(job.glb, job.thickness_mm)
    else:
        _back_to_board(asm)
    if job.enclosure_dir is not None:
        style = job.enclosure_style or ("solid" if job.view == "exploded" else "translucent")
        import_enclosure(asm, job.enclosure_dir, style)
        if job.view == "exploded" and asm.enclosure:
            lo, hi = bounds(list(asm.enclosure.values()))
            offsets = views.explode(hi[2] - lo[2], asm.board_bottom + asm.board_thickness)
            asm.board_root.location.z += offsets.board_lift
            if "lid" in asm.enclosure:
                asm.enclosure["lid"].location.z += offsets.lid_lift
    bpy.context.view_layer.update()
    stage(asm, floor_visible=job.view != "front")  # seen edge-on, the floor is only a line
    return asm


def board_outline_points(asm: Assembly) -> list:
    """The corners of the board body's box at its top face (world), for the image checks."""
    lo, hi = bounds(asm.board_meshes["substrate"])
    return [(x, y, hi[2]) for x, y in ((lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1]))]


def _rounded(values, places: int = 6) -> list[float]:
    return [round(v, places) for v in values]


def run(job: RenderJob, asm: Assembly | None = None) -> dict:
    """Build the scene, render the view (or the turntable frames) and return what was made, with
    the camera and where the board lands in the picture."""
    started = time.perf_counter()
    if job.view not in views.VIEWS:
        raise SceneError(f"view {job.view!r}: one of {', '.join(views.VIEWS)}")
    asm = build_scene(job, asm)
    bpy.context.view_layer.update()
    lo, hi = bounds(visible_meshes(asm))
    points = views.corners(lo, hi)
    device = configure_render(job.width_px, job.height_px, job.samples, preview=job.preview)
    board_pts = board_outline_points(asm)
    if job.turntable_frames:
        cams = views.turntable_frame(points, job.turntable_frames, job.width_px, job.height_px)
        outs = [job.out.with_name(f"{job.out.stem}-{i:03d}.png") for i in range(len(cams))]
    else:
        cams = [views.frame(points, job.view, job.width_px, job.height_px)]
        outs = [job.out]
    frames = []
    for cam, out in zip(cams, outs):
        place_camera(cam)
        render_still(out)
        frames.append({"file": out.name, "camera": {"location": _rounded(cam.location), "target": _rounded(cam.target),
                                                     "orthographic": cam.orthographic, "ortho_scale_m": round(cam.ortho_scale, 6)},
                       "board_corners_px": [_rounded(views.project(cam, p, job.width_px, job.height_px), 2) for p in board_pts]})
    info = {"view": job.view, "width_px": job.width_px, "height_px": job.height_px, "samples": job.samples,
            "quality": "preview" if job.preview else "final",
            "device": device, "blender": bpy.app.version_string, "frames": frames,
            "board_size_mm": [round((hi_ - lo_) / MM, 3) for lo_, hi_ in zip(*bounds(asm.board_meshes["substrate"]))],
            "enclosure": sorted(asm.enclosure), "seconds": round(time.perf_counter() - started, 2)}
    if cams[0].orthographic:
        info["mm_per_px"] = round(cams[0].units_per_pixel(job.width_px, job.height_px) / MM, 6)
    return info


def run_batch(jobs: list[RenderJob]) -> list[dict]:
    """Every picture of one board in one Blender: the board is imported once, each picture then
    adds its own enclosure style, stage and camera. `seconds` of the first includes the import."""
    if not jobs:
        return []
    if len({(str(j.glb), j.thickness_mm) for j in jobs}) != 1:
        raise SceneError("a batch renders one board: every job must name the same GLB and thickness")
    started = time.perf_counter()
    asm = load_board(jobs[0].glb, jobs[0].thickness_mm)
    load_s = time.perf_counter() - started
    infos = [run(job, asm) for job in jobs]
    infos[0]["seconds"] = round(infos[0]["seconds"] + load_s, 2)
    return [{**info, "board_import_seconds": round(load_s, 2)} for info in infos]
