"""Pictures of the enclosure with the board in it: the solids tessellated and drawn with
matplotlib (no display needed), lit by a fixed light, so the views are reproducible."""
from __future__ import annotations

from pathlib import Path

import cadquery as cq
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: E402

# By the BoardModel's roles: "module" is a stacked host module's board (Body.role).
COLOURS = {"base": (0.78, 0.80, 0.84), "lid": (0.70, 0.74, 0.80), "board": (0.12, 0.42, 0.22),
           "part": (0.15, 0.15, 0.17), "connector": (0.75, 0.75, 0.72), "module": (0.05, 0.20, 0.45)}
LIGHT = np.array([0.4, -0.5, 0.77])


def _triangles(shape: cq.Shape, tolerance: float = 0.2):
    vertices, faces = shape.tessellate(tolerance, 0.3)
    v = np.array([(p.x, p.y, p.z) for p in vertices])
    return v[np.array(faces)] if faces else np.zeros((0, 3, 3))


def render(items: list[tuple[cq.Shape, str, float]], out: Path, elev: float, azim: float, title: str,
           size_px=(1200, 900)) -> Path:
    """ITEMS: (shape, colour key, alpha)."""
    fig = plt.figure(figsize=(size_px[0] / 100, size_px[1] / 100), dpi=100)
    ax = fig.add_subplot(111, projection="3d")
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    for shape, colour, alpha in items:
        tris = _triangles(shape)
        if not len(tris):
            continue
        normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        normals /= np.linalg.norm(normals, axis=1, keepdims=True) + 1e-12
        shade = 0.45 + 0.55 * np.clip(np.abs(normals @ LIGHT), 0, 1)
        base = np.array(COLOURS[colour])
        face_colours = np.clip(base[None, :] * shade[:, None], 0, 1)
        coll = Poly3DCollection(tris, facecolors=np.c_[face_colours, np.full(len(tris), alpha)], linewidths=0)
        ax.add_collection3d(coll)
        lo, hi = np.minimum(lo, tris.reshape(-1, 3).min(0)), np.maximum(hi, tris.reshape(-1, 3).max(0))
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_zlim(lo[2], hi[2])
    ax.set_box_aspect(tuple(hi - lo), zoom=0.95)  # true proportions
    ax.view_init(elev=elev, azim=azim)
    ax.set_axis_off()
    ax.set_title(title)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return out
