"""Make exported files the same from run to run: tools stamp them with the time of export."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

FIXED_STAMP = "2026-01-01T00:00:00"


def normalise_step(path: Path, stamp: str = FIXED_STAMP) -> None:
    """STEP's FILE_NAME header carries the export time."""
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    text = re.sub(r"(FILE_NAME\('[^']*',')\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", rf"\g<1>{stamp}", text, count=1)
    # OCCT names each product after a per-process export counter ("... translator 7.9 3").
    text = re.sub(r"Open CASCADE STEP translator (\d+\.\d+) \d+", r"Open CASCADE STEP translator \1", text)
    # Assembly usages are numbered from a per-process counter too: renumber them in file order.
    counter = iter(range(1, 1 << 30))
    text = re.sub(r"NEXT_ASSEMBLY_USAGE_OCCURRENCE\('\d+'", lambda m: f"NEXT_ASSEMBLY_USAGE_OCCURRENCE('{next(counter)}'", text)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")


def normalise_glb(path: Path, stamp: str = FIXED_STAMP) -> None:
    """kicad-cli writes "generated_at" into the glTF JSON; same length, so chunk sizes hold."""
    data = path.read_bytes()
    data = re.sub(rb'"generated_at":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}', b'"generated_at":"' + stamp.encode(), data, count=1)
    path.write_bytes(data)


def normalise_fcstd(path: Path, stamp: str = FIXED_STAMP) -> None:
    """An .FCStd is a zip whose Document.xml records creation and modification times and a fresh
    document id; the zip entries carry times too. The entries keep FreeCAD's own order: it reads
    the shape files in the order Document.xml registers them (FreeCAD 1.0 refuses a sorted zip:
    "Error reading compression file"), and that order is the same for the same document."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path.with_suffix(".tmp"), "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "Document.xml":
                text = data.decode("utf-8")
                for prop in ("CreationDate", "LastModifiedDate"):
                    text = re.sub(rf'(name="{prop}" type="App::PropertyString"[^>]*>\s*<String value=")[^"]*', rf"\g<1>{stamp}", text)
                text = re.sub(r'(name="Uid" type="App::PropertyUUID"[^>]*>\s*<Uuid value=")[^"]*',
                              r"\g<1>00000000-0000-0000-0000-000000000000", text)
                text = re.sub(r'(name="(?:FileName|TransientDir)"[^>]*>\s*<String value=")[^"]*', r"\g<1>", text)
                # Object ids come from a counter that differs between runs: renumber consistently.
                ids: dict[str, str] = {}
                text = re.sub(r'\bid="(\d+)"', lambda m: f'id="{ids.setdefault(m.group(1), str(len(ids) + 1))}"', text)  # noqa: B023
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, data)
    path.with_suffix(".tmp").replace(path)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip of `entries` (name in the archive -> content) that is the same bytes for the same
    content: names sorted, the DOS epoch as every date, mode 0644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
