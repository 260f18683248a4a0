"""A GLB's primitives merged per mesh and material, before Blender imports it.

kicad-cli writes a board's copper as one mesh of one primitive per track, pad and via (89,348 on
KiCad's vme-wren demo), and Blender's glTF importer costs time quadratic in a mesh's primitives: it
joins their arrays one primitive at a time (vme-wren had not imported after 14 minutes). The same
triangles as one primitive per material import in seconds. Pure file work (numpy, no bpy): it runs
in wattcad's environment and in a user's Blender alike."""
from __future__ import annotations

import json
import os
import struct
from collections import defaultdict
from pathlib import Path

import numpy as np

MERGE_VERSION = 1  # in the render cache's key: a change here makes new GLBs
MERGE_ABOVE = 16  # a mesh with this many primitives or fewer is left as it is
_DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_JOINABLE_MODES = (0, 1, 4)  # points, lines, triangles: strips and fans cannot be concatenated
_GLB_MAGIC, _JSON, _BIN = b"glTF", b"JSON", b"BIN\x00"


class GlbError(ValueError):
    pass


def read_glb(path: Path) -> tuple[dict, bytes]:
    """(the glTF JSON, the binary chunk) of a GLB file."""
    data = Path(path).read_bytes()
    if len(data) < 20 or data[:4] != _GLB_MAGIC:
        raise GlbError(f"{path}: not a glTF binary (GLB)")
    doc, binary, at = None, b"", 12
    while at + 8 <= len(data):
        length, kind = struct.unpack_from("<I4s", data, at)
        chunk = data[at + 8:at + 8 + length]
        if kind == _JSON:
            doc = json.loads(chunk)
        elif kind == _BIN:
            binary = chunk
        at += 8 + length
    if doc is None:
        raise GlbError(f"{path}: a GLB with no JSON chunk")
    return doc, binary


def write_glb(path: Path, doc: dict, binary: bytes) -> None:
    """The GLB at PATH, written whole or not at all (a scratch file, then renamed)."""
    text = json.dumps(doc, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    binary = bytes(binary) + b"\x00" * (-len(binary) % 4)
    chunks = struct.pack("<I4s", len(text), _JSON) + text + struct.pack("<I4s", len(binary), _BIN) + binary
    part = Path(path).with_name(f".{Path(path).name}.merging")
    part.write_bytes(struct.pack("<4sII", _GLB_MAGIC, 2, 12 + len(chunks)) + chunks)
    os.replace(part, path)


def _mergeable(doc: dict) -> bool:
    """Only the GLBs this rewrites whole: one embedded buffer, geometry only (no images, skins,
    animations, sparse accessors or required extensions such as Draco compression)."""
    if any(doc.get(k) for k in ("images", "skins", "animations", "extensionsRequired")):
        return False
    if len(doc.get("buffers", [])) > 1 or any("uri" in b for b in doc.get("buffers", [])):
        return False
    return not any("sparse" in a for a in doc.get("accessors", []))


def _read(doc: dict, binary: bytes, index: int) -> np.ndarray:
    accessor = doc["accessors"][index]
    dtype, width = np.dtype(_DTYPES[accessor["componentType"]]), _WIDTH[accessor["type"]]
    count = accessor["count"]
    if "bufferView" not in accessor:  # the spec's all-zero accessor
        return np.zeros((count, width), dtype)
    view = doc["bufferViews"][accessor["bufferView"]]
    stride = view.get("byteStride") or dtype.itemsize * width
    offset = view.get("byteOffset", 0) + accessor.get("byteOffset", 0)
    return np.ndarray((count, width), dtype, buffer=binary, offset=offset, strides=(stride, dtype.itemsize)).copy()


class _Writer:
    """The new binary chunk, one buffer view per accessor, each aligned to 4 bytes."""

    def __init__(self):
        self.parts, self.length, self.views, self.accessors = [], 0, [], []

    def add(self, array: np.ndarray, like: dict, target: int) -> int:
        array = np.ascontiguousarray(array)
        data = array.tobytes()
        self.views.append({"buffer": 0, "byteOffset": self.length, "byteLength": len(data), "target": target})
        self.parts.append(data + b"\x00" * (-len(data) % 4))
        self.length += len(self.parts[-1])
        accessor = {"bufferView": len(self.views) - 1, "componentType": like["componentType"], "count": len(array),
                    "type": like["type"]}
        if like.get("normalized"):
            accessor["normalized"] = True
        if "min" in like or "max" in like:  # POSITION must have them; keep any other that had them
            accessor["min"], accessor["max"] = array.min(axis=0).tolist(), array.max(axis=0).tolist()
        self.accessors.append(accessor)
        return len(self.accessors) - 1


def _group_key(doc: dict, primitive: dict):
    """Primitives with the same key are joined; None: this one stays as it is."""
    if primitive.get("mode", 4) not in _JOINABLE_MODES or any(k in primitive for k in ("targets", "extensions", "extras")):
        return None
    kinds = tuple(sorted((name, doc["accessors"][i]["componentType"], doc["accessors"][i]["type"],
                          bool(doc["accessors"][i].get("normalized"))) for name, i in primitive["attributes"].items()))
    return primitive.get("material"), primitive.get("mode", 4), kinds


def _joined(doc: dict, binary: bytes, group: list[dict], out: _Writer) -> dict:
    first = group[0]
    attributes, indices, base = defaultdict(list), [], 0
    for primitive in group:
        arrays = {name: _read(doc, binary, i) for name, i in primitive["attributes"].items()}
        count = len(next(iter(arrays.values())))
        for name, array in arrays.items():
            attributes[name].append(array)
        own = _read(doc, binary, primitive["indices"])[:, 0] if "indices" in primitive else np.arange(count)
        indices.append(own.astype(np.uint32) + base)
        base += count
    joined = {"attributes": {name: out.add(np.concatenate(arrays), doc["accessors"][first["attributes"][name]], 34962)
                             for name, arrays in sorted(attributes.items())},
              "indices": out.add(np.concatenate(indices)[:, None], {"componentType": 5125, "type": "SCALAR"}, 34963),
              "mode": first.get("mode", 4)}
    if "material" in first:
        joined["material"] = first["material"]
    return joined


def _copied(doc: dict, binary: bytes, primitive: dict, out: _Writer) -> dict:
    copy = dict(primitive)
    copy["attributes"] = {name: out.add(_read(doc, binary, i), doc["accessors"][i], 34962)
                          for name, i in primitive["attributes"].items()}
    if "indices" in primitive:
        copy["indices"] = out.add(_read(doc, binary, primitive["indices"]), doc["accessors"][primitive["indices"]], 34963)
    if "targets" in primitive:
        copy["targets"] = [{name: out.add(_read(doc, binary, i), doc["accessors"][i], 34962) for name, i in t.items()}
                           for t in primitive["targets"]]
    return copy


def merge_primitives(path: Path) -> int:
    """Rewrite the GLB at PATH with each big mesh's primitives joined per material (the same
    triangles and vertices, in their order within each material); returns how many primitives there were before it, 0 when the file
    was left as it is (no mesh over MERGE_ABOVE primitives, or a GLB this does not rewrite)."""
    doc, binary = read_glb(path)
    meshes = doc.get("meshes", [])
    if not _mergeable(doc) or not any(len(m["primitives"]) > MERGE_ABOVE for m in meshes):
        return 0
    out, before = _Writer(), sum(len(m["primitives"]) for m in meshes)
    for mesh in meshes:
        groups: dict = defaultdict(list)
        order = []  # each joined group where its first primitive was; the others in their places
        joins = len(mesh["primitives"]) > MERGE_ABOVE
        for primitive in mesh["primitives"]:
            key = _group_key(doc, primitive) if joins else None
            if key is None or key not in groups:
                order.append(key if key is not None else primitive)
            if key is not None:
                groups[key].append(primitive)
        mesh["primitives"] = [_copied(doc, binary, item, out) if isinstance(item, dict) else
                              _joined(doc, binary, groups[item], out) for item in order]
    doc["accessors"], doc["bufferViews"] = out.accessors, out.views
    doc["buffers"] = [{"byteLength": out.length}]
    write_glb(path, doc, b"".join(out.parts))
    return before
