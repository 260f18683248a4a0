"""The parts of a KiCad 4/5 schematic (`EESchema Schematic File Version 2..4`), read without
KiCad: reference, value, footprint and the user's fields of each symbol, sub-sheets followed.
KiCad 9's kicad-cli loads such a file but drops every symbol whose library it cannot find, so
wattcad counts the parts itself to know whether what KiCad checked is the whole schematic."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.errors import InputError

HEADER = "EESchema Schematic File Version"


@dataclass
class LegacyPart:
    reference: str
    value: str
    footprint: str
    lib_id: str
    fields: dict[str, str] = field(default_factory=dict)


def is_legacy_schematic(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.readline().startswith(HEADER)
    except OSError:
        return False


def read_parts(path: str | Path, _seen: frozenset = frozenset()) -> list[LegacyPart]:
    """Every symbol of the schematic and its sub-sheets but power symbols (#PWR, #FLG), in file order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(path, None, f"cannot read schematic: {exc}") from None
    if not text.startswith(HEADER):
        raise InputError(path, None, f"not a legacy KiCad schematic (no '{HEADER}' header)", text[:40])
    parts: list[LegacyPart] = []
    for block in re.findall(r"^\$Comp\n(.*?)^\$EndComp", text, re.M | re.S):
        lib_id, ref, value, footprint, fields = "", "", "", "", {}
        for line in block.splitlines():
            if line.startswith("L "):
                words = line.split()
                lib_id, ref = (words[1], words[2]) if len(words) > 2 else (words[-1], "")
            elif line.startswith("F "):
                try:
                    words = shlex.split(line)
                except ValueError:
                    continue
                number, content = int(words[1]), words[2]
                if number == 0:
                    ref = content
                elif number == 1:
                    value = content
                elif number == 2:
                    footprint = content
                elif number > 3 and len(words) >= 11:  # F n "text" H x y size flags just style "name"
                    fields[words[-1]] = content
        if ref and not ref.startswith("#"):
            parts.append(LegacyPart(ref, value, footprint, lib_id, fields))
    for sheet in re.findall(r'^F1 "([^"]+)"', text, re.M):
        child = path.parent / sheet
        if child.resolve() not in _seen and child.is_file():
            parts += read_parts(child, _seen | {path.resolve()})
    return parts
