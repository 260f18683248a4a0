"""Camera framing for the renders: pure math, no bpy, so it is tested in plain pytest and shared by
the render script and the add-on. Blender's axes (z up); lengths in scene units (metres, as the
glTF importer and the STL importer at scale 0.001 leave them)."""
from __future__ import annotations

import math
from dataclasses import dataclass

Vec = tuple[float, float, float]

VIEWS = ("iso", "top", "front", "exploded")
# From the target towards the camera. Front = the board's bottom edge in KiCad (3D -y).
HERO_DIRECTION: Vec = (0.55, -0.80, 0.70)
SENSOR_MM = 36.0  # Blender's default sensor width, fitted to the wider image side
HERO_LENS_MM = 50.0


@dataclass(frozen=True)
class Camera:
    location: Vec
    target: Vec
    right: Vec  # image x axis in the world
    up: Vec  # image y axis in the world
    orthographic: bool
    ortho_scale: float  # world units across the wider image side (orthographic only)
    lens_mm: float

    def rotation_columns(self) -> tuple[Vec, Vec, Vec]:
        """Blender's camera looks down its local -z with local +y up: the columns of its matrix."""
        back = _unit(_sub(self.location, self.target))
        return self.right, self.up, back

    def units_per_pixel(self, width_px: int, height_px: int) -> float:
        if not self.orthographic:
            raise ValueError("a perspective view has no single scale")
        return self.ortho_scale / max(width_px, height_px)


def _sub(a: Vec, b: Vec) -> Vec:
    return a[0] - b[0], a[1] - b[1], a[2] - b[2]


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Vec, b: Vec) -> Vec:
    return a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]


def _unit(a: Vec) -> Vec:
    n = math.sqrt(_dot(a, a))
    if n == 0:
        raise ValueError("zero-length direction")
    return a[0] / n, a[1] / n, a[2] / n


def corners(bbox_min: Vec, bbox_max: Vec) -> list[Vec]:
    return [(x, y, z) for x in (bbox_min[0], bbox_max[0]) for y in (bbox_min[1], bbox_max[1])
            for z in (bbox_min[2], bbox_max[2])]


def direction_for(view: str, turn_deg: float = 0.0) -> tuple[Vec, Vec]:
    """(direction from the target to the camera, world up hint) of a named view; `turn_deg` spins
    the hero direction about z (turntable)."""
    if view == "top":
        return (0.0, 0.0, 1.0), (0.0, 1.0, 0.0)
    if view == "front":
        return (0.0, -1.0, 0.0), (0.0, 0.0, 1.0)
    if view in ("iso", "exploded"):
        a = math.radians(turn_deg)
        x, y, z = HERO_DIRECTION
        return _unit((x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a), z)), (0.0, 0.0, 1.0)
    raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")


def frame(points: list[Vec], view: str, width_px: int, height_px: int, margin: float = 1.06,
          turn_deg: float = 0.0, lens_mm: float = HERO_LENS_MM) -> Camera:
    """A camera that shows every point with `margin` to spare: orthographic for the top and front
    elevations (true to scale), perspective for the hero views, fitted by projecting each point
    rather than a bounding sphere so the subject fills the frame."""
    if width_px <= 0 or height_px <= 0:
        raise ValueError(f"image size must be positive, got {width_px}x{height_px}")
    lo = tuple(min(p[i] for p in points) for i in range(3))
    hi = tuple(max(p[i] for p in points) for i in range(3))
    target = tuple((lo[i] + hi[i]) / 2 for i in range(3))
    back, up_hint = direction_for(view, turn_deg)
    right = _unit(_cross(up_hint, back))
    up = _cross(back, right)
    rel = [_sub(p, target) for p in points]
    aspect = width_px / height_px
    # Half-extents visible per unit depth along the image axes (sensor on the wider side).
    tan_x = SENSOR_MM / 2 / lens_mm * (1.0 if aspect >= 1 else aspect)
    tan_y = SENSOR_MM / 2 / lens_mm * (1.0 / aspect if aspect >= 1 else 1.0)
    depth_extent = max(abs(_dot(r, back)) for r in rel)
    if view in ("top", "front"):
        half_x = max(abs(_dot(r, right)) for r in rel) * margin
        half_y = max(abs(_dot(r, up)) for r in rel) * margin
        scale = max(2 * half_x, 2 * half_y * aspect) if aspect >= 1 else max(2 * half_y, 2 * half_x / aspect)
        distance = depth_extent * 2 + 0.1 * scale + 0.01
        location = tuple(target[i] + back[i] * distance for i in range(3))
        return Camera(location, target, right, up, True, scale, lens_mm)
    # A perspective view of a box is lopsided about the box's centre: slide the aim point across the
    # image plane until the picture of the subject is centred, refitting the distance each time.
    focal_px = lens_mm / SENSOR_MM * max(width_px, height_px)
    for _ in range(6):
        rel = [_sub(p, target) for p in points]
        distance = max(_dot(r, back) + max(abs(_dot(r, right)) / tan_x, abs(_dot(r, up)) / tan_y) * margin for r in rel)
        cam = Camera(tuple(target[i] + back[i] * distance for i in range(3)), target, right, up, False, 0.0, lens_mm)
        px = [project(cam, p, width_px, height_px) for p in points]
        du = (min(p[0] for p in px) + max(p[0] for p in px)) / 2 - width_px / 2
        dv = (min(p[1] for p in px) + max(p[1] for p in px)) / 2 - height_px / 2
        if abs(du) < 0.5 and abs(dv) < 0.5:
            break
        slide = distance / focal_px
        target = tuple(target[i] + (right[i] * du - up[i] * dv) * slide for i in range(3))
    return cam


def turntable_frame(points: list[Vec], frames: int, width_px: int, height_px: int) -> list[Camera]:
    """`frames` hero cameras spun about z at one distance (the farthest any angle needs), so the
    subject does not breathe in and out as it turns."""
    if frames < 1:
        raise ValueError(f"a turntable needs at least one frame, got {frames}")
    cams = [frame(points, "iso", width_px, height_px, turn_deg=360.0 * i / frames) for i in range(frames)]
    far = max(math.dist(c.location, c.target) for c in cams)
    out = []
    for c in cams:
        back = _unit(_sub(c.location, c.target))
        loc = tuple(c.target[i] + back[i] * far for i in range(3))
        out.append(Camera(loc, c.target, c.right, c.up, False, 0.0, c.lens_mm))
    return out


@dataclass(frozen=True)
class Explode:
    board_lift: float  # how far the board rises out of the base
    lid_lift: float  # how far the lid rises above its closed place


def explode(enclosure_height: float, board_top: float) -> Explode:
    """Offsets for the exploded view: the board clears the base's rim, the lid clears the parts."""
    board_lift = max(enclosure_height - board_top, 0.0) + 0.35 * enclosure_height
    return Explode(board_lift, board_lift + 0.9 * enclosure_height)


def project(camera: Camera, point: Vec, width_px: int, height_px: int) -> tuple[float, float]:
    """Where a world point lands in the image, in pixels from the top-left corner."""
    r = _sub(point, camera.target)
    x, y = _dot(r, camera.right), _dot(r, camera.up)
    if camera.orthographic:
        per_px = camera.units_per_pixel(width_px, height_px)
        return width_px / 2 + x / per_px, height_px / 2 - y / per_px
    back = _unit(_sub(camera.location, camera.target))
    depth = math.dist(camera.location, camera.target) - _dot(r, back)
    focal_px = camera.lens_mm / SENSOR_MM * max(width_px, height_px)
    return width_px / 2 + x / depth * focal_px, height_px / 2 - y / depth * focal_px
