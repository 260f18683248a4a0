"""A GLB's primitives joined per mesh and material before Blender imports it
(blender/wattcad_blender/glb_merge.py): the same triangles, in far fewer primitives."""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from wattcad.blender import glb_merge
from wattcad.blender.glb_merge import GlbError, merge_primitives, read_glb, write_glb

DEMO = Path("/usr/share/kicad/demos/ecc83/ecc83-pp_v2.kicad_pcb")


def _triangles(doc: dict, binary: bytes, mesh: dict) -> dict:
    """Each material's triangles as sorted rows of (3 positions, 3 normals): order-free."""
    found: dict = {}
    for primitive in mesh["primitives"]:
        if primitive.get("mode", 4) != 4:
            continue
        attributes = primitive["attributes"]
        pos = glb_merge._read(doc, binary, attributes["POSITION"]).astype(float)
        nor = glb_merge._read(doc, binary, attributes["NORMAL"]).astype(float)
        index = (glb_merge._read(doc, binary, primitive["indices"])[:, 0] if "indices" in primitive
                 else np.arange(len(pos)))
        rows = np.hstack([pos[index].reshape(-1, 9), nor[index].reshape(-1, 9)])
        found.setdefault(primitive.get("material"), []).append(rows)
    return {k: np.unique(np.round(np.vstack(v), 9), axis=0) for k, v in found.items()}


def _synthetic(path: Path, primitives: int, extra: dict | None = None) -> None:
    """A mesh of PRIMITIVES quads (two materials in turn, positions and normals interleaved in one
    view, 16-bit indices; the last without indices), one triangle strip, and a small second mesh."""
    vertex_bytes, index_bytes, accessors, prims = bytearray(), bytearray(), [], []
    rng = np.random.default_rng(7)

    def add_vertices(points: np.ndarray) -> tuple[int, int]:
        start = len(vertex_bytes)
        normals = np.tile([0.0, 0.0, 1.0], (len(points), 1))
        vertex_bytes.extend(np.hstack([points, normals]).astype(np.float32).tobytes())
        accessors.append({"bufferView": 0, "byteOffset": start, "componentType": 5126, "count": len(points),
                          "type": "VEC3", "min": points.min(0).tolist(), "max": points.max(0).tolist()})
        accessors.append({"bufferView": 0, "byteOffset": start + 12, "componentType": 5126, "count": len(points), "type": "VEC3"})
        return len(accessors) - 2, len(accessors) - 1

    for i in range(primitives + 1):
        points = rng.uniform(-1, 1, (4, 3))
        pos, nor = add_vertices(points)
        primitive = {"attributes": {"POSITION": pos, "NORMAL": nor}, "material": i % 2}
        if i == primitives:  # the strip
            primitive["mode"] = 5
        elif i < primitives - 1:
            accessors.append({"bufferView": 1, "byteOffset": len(index_bytes), "componentType": 5123, "count": 6, "type": "SCALAR"})
            index_bytes.extend(np.array([0, 1, 2, 0, 2, 3, 0, 0], np.uint16).tobytes())  # 6 used, 2 of padding
            primitive["indices"] = len(accessors) - 1
        else:
            accessors[pos]["count"] = accessors[nor]["count"] = 3  # no indices: its 3 vertices, one triangle
        prims.append(primitive)
    small_pos, small_nor = add_vertices(rng.uniform(-1, 1, (3, 3)))
    small = [{"attributes": {"POSITION": small_pos, "NORMAL": small_nor}, "material": 0}] * 2
    doc = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0, 1]}],
           "nodes": [{"mesh": 0, "name": "copper"}, {"mesh": 1, "name": "part"}],
           "meshes": [{"name": "copper", "primitives": prims}, {"name": "part", "primitives": small}],
           "materials": [{"name": "copper"}, {"name": "mask"}],
           "accessors": accessors,
           "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(vertex_bytes), "byteStride": 24, "target": 34962},
                           {"buffer": 0, "byteOffset": len(vertex_bytes), "byteLength": len(index_bytes), "target": 34963}],
           "buffers": [{"byteLength": len(vertex_bytes) + len(index_bytes)}], **(extra or {})}
    write_glb(path, doc, bytes(vertex_bytes + index_bytes))


def test_a_mesh_of_many_primitives_becomes_one_per_material_with_the_same_triangles(tmp_path):
    glb = tmp_path / "board.glb"
    _synthetic(glb, 40)
    before_doc, before_bin = read_glb(glb)
    before = [_triangles(before_doc, before_bin, m) for m in before_doc["meshes"]]
    assert merge_primitives(glb) == 43
    data = glb.read_bytes()
    assert struct.unpack_from("<4sII", data) == (b"glTF", 2, len(data))  # a whole GLB, its length in its header
    doc, binary = read_glb(glb)
    copper, part = doc["meshes"]
    # Two materials joined, the strip kept as it was (a strip cannot be joined to anything).
    assert [(p.get("material"), p.get("mode", 4)) for p in copper["primitives"]] == [(0, 4), (1, 4), (0, 5)]
    assert len(part["primitives"]) == 2  # a small mesh is left as it is
    after = [_triangles(doc, binary, m) for m in doc["meshes"]]
    for was, now in zip(before, after):
        assert was.keys() == now.keys()
        for material in was:
            assert np.array_equal(was[material], now[material])
    assert sum(len(v) for v in after[0].values()) == 39 * 2 + 1  # 39 indexed quads and the unindexed triangle
    position = doc["accessors"][copper["primitives"][0]["attributes"]["POSITION"]]
    points = glb_merge._read(doc, binary, copper["primitives"][0]["attributes"]["POSITION"])
    assert position["min"] == pytest.approx(points.min(0).tolist()) and position["max"] == pytest.approx(points.max(0).tolist())
    assert all(v["byteOffset"] % 4 == 0 for v in doc["bufferViews"])


def test_a_glb_it_does_not_rewrite_whole_is_left_byte_for_byte(tmp_path):
    small, pictured = tmp_path / "small.glb", tmp_path / "pictured.glb"
    _synthetic(small, 8)  # no mesh over MERGE_ABOVE primitives
    _synthetic(pictured, 40, {"images": [{"bufferView": 1, "mimeType": "image/png"}]})
    for glb in (small, pictured):
        data = glb.read_bytes()
        assert merge_primitives(glb) == 0
        assert glb.read_bytes() == data


def test_not_a_glb_is_named(tmp_path):
    bad = tmp_path / "board.glb"
    bad.write_text(json.dumps({"asset": {}}))
    with pytest.raises(GlbError, match="board.glb: not a glTF binary"):
        merge_primitives(bad)


@pytest.mark.kicad
def test_kicad_clis_own_export_of_a_demo_board_keeps_every_triangle(tmp_path):
    from wattcad.blender.kicad_export import GLB_FLAGS, find_kicad_cli

    if not DEMO.is_file():
        pytest.skip(f"KiCad's demos are not installed here ({DEMO})")
    raw = tmp_path / "raw.glb"
    # Exit 2 when a 3D model is missing: the GLB is written all the same.
    subprocess.run([find_kicad_cli(), "pcb", "export", "glb", *GLB_FLAGS, "-o", str(raw), str(DEMO)], capture_output=True, timeout=600)
    assert raw.is_file()
    merged = tmp_path / "merged.glb"
    shutil.copyfile(raw, merged)
    before_doc, before_bin = read_glb(raw)
    assert merge_primitives(merged) == sum(len(m["primitives"]) for m in before_doc["meshes"])
    doc, binary = read_glb(merged)
    assert [m["name"] for m in doc["meshes"]] == [m["name"] for m in before_doc["meshes"]]
    assert max(len(m["primitives"]) for m in before_doc["meshes"]) > glb_merge.MERGE_ABOVE
    for was, now in zip(before_doc["meshes"], doc["meshes"]):
        # A big mesh (the copper, the pads...) becomes one primitive per material; a small one (a part's model) stays.
        joined = len({p.get("material") for p in was["primitives"]}) if len(was["primitives"]) > glb_merge.MERGE_ABOVE else None
        assert len(now["primitives"]) == (joined or len(was["primitives"])), was["name"]
        before, after = _triangles(before_doc, before_bin, was), _triangles(doc, binary, now)
        assert before.keys() == after.keys(), was["name"]
        for material in before:
            assert np.array_equal(before[material], after[material]), (was["name"], material)
