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
    # Assembly usages are numbered from a per-process counter too: renumber them in file order, each
    # on one line (the writer wraps a line where the number's length puts it).
    counter = iter(range(1, 1 << 30))

    def usage(m: re.Match) -> str:
        flat = re.sub(r"\r?\n\s*", "", m.group(0))
        return re.sub(r"^NEXT_ASSEMBLY_USAGE_OCCURRENCE\('\d+'", f"NEXT_ASSEMBLY_USAGE_OCCURRENCE('{next(counter)}'", flat)

    text = re.sub(r"NEXT_ASSEMBLY_USAGE_OCCURRENCE\((?:[^;']|'[^']*')*\);", usage, text)
    text = canonical_step_styles(text)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")


_ENTITY = re.compile(r"#(\d+)\s*=\s*((?:[^;']|'[^']*')*);", re.S)
_REF = re.compile(r"#(\d+)")
# What a STEP writer puts after the geometry to colour it (OCCT's colour styling).
_STYLING = ("MECHANICAL_DESIGN_GEOMETRIC_PRESENTATION_REPRESENTATION", "STYLED_ITEM", "OVER_RIDING_STYLED_ITEM",
            "PRESENTATION_STYLE_ASSIGNMENT", "SURFACE_STYLE_USAGE", "SURFACE_SIDE_STYLE", "SURFACE_STYLE_FILL_AREA",
            "FILL_AREA_STYLE", "FILL_AREA_STYLE_COLOUR", "COLOUR_RGB", "DRAUGHTING_PRE_DEFINED_COLOUR", "CURVE_STYLE",
            "DRAUGHTING_PRE_DEFINED_CURVE_FONT", "INVISIBILITY", "PRESENTATION_LAYER_ASSIGNMENT")


def canonical_step_styles(text: str) -> str:
    """OCCT writes a coloured assembly's styling (after the geometry) in the order of a hash map of
    shapes, which changes from run to run. Put it in one order: each presentation group sorted by the
    geometry it colours, its entities renumbered in that order, one a line. Text that is not laid
    out that way is returned as it is."""
    start, end = text.find("DATA;"), text.rfind("ENDSEC;")
    if start < 0 or end < start:
        return text
    entities = {int(m.group(1)): m.group(2) for m in _ENTITY.finditer(text, start, end)}
    roots = [n for n, body in entities.items() if body.startswith(_STYLING[0] + "(")]
    if not roots:
        return text
    first = min(roots)
    tail = sorted(n for n in entities if n >= first)
    if any(not entities[n].lstrip().startswith(_STYLING) for n in tail):
        return text
    if any(int(r) >= first for n in entities if n < first for r in _REF.findall(entities[n])):
        return text  # the geometry refers to the styling: not the layout this knows

    def outside(n: int) -> tuple:
        """The geometry a styling entity reaches: what it is sorted by."""
        seen, stack, found = set(), [n], []
        while stack:
            k = stack.pop()
            for r in map(int, _REF.findall(entities.get(k, ""))):
                if r < first:
                    found.append(r)
                elif r not in seen:
                    seen.add(r)
                    stack.append(r)
        return tuple(sorted(found))

    order: dict[int, int] = {}

    def number(n: int) -> None:
        if n in order or n < first:
            return
        order[n] = first + len(order)
        for r in map(int, _REF.findall(entities[n])):
            number(r)

    for root in sorted(roots, key=lambda n: (outside(n), re.sub(r"\s+", "", entities[n]))):
        number(root)
    for n in tail:  # anything the groups do not reach keeps its place after them
        number(n)

    def renumber(body: str) -> str:
        return _REF.sub(lambda m: f"#{order.get(int(m.group(1)), int(m.group(1)))}", re.sub(r"\r?\n\s*", "", body))

    styled = "\n".join(f"#{order[n]} = {renumber(entities[n])};" for n in sorted(tail, key=order.get))
    cut = _ENTITY.search(text, start)
    while cut and int(cut.group(1)) != first:
        cut = _ENTITY.search(text, cut.end(), end)
    return text[:cut.start()] + styled + "\n" + text[end:]


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
