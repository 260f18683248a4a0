"""The BoardModel contract, as wattcad imports it. Its one source is the Blender add-on's
wattcad.blender.boardmodel (blender/wattcad_blender/boardmodel.py): the add-on ships as a zip of
its own folder into a Blender without wattcad, so the contract lives there and everything else
imports it (here) or loads that file (FreeCAD). See that module's docstring."""
from __future__ import annotations

from pathlib import Path

from wattcad.blender import boardmodel as _contract
from wattcad.blender.boardmodel import (  # noqa: F401
    OPENINGS,
    ROLES,
    SCHEMA,
    SIDES,
    VERSION,
    BoardModel,
    BoardModelError,
    Body,
    Hole,
    Point,
    to_3d,
)
from wattcad.core.errors import InputError

CONTRACT_FILE = Path(_contract.__file__)  # what FreeCAD's Python loads (enclosure/freecad_job.py)


def load(path: str | Path) -> BoardModel:
    """Read a boardmodel.json; a bad one is wattcad's InputError (exit 2), naming file and field."""
    try:
        return _contract.read(path)
    except BoardModelError as exc:
        raise InputError(exc.path, exc.field, exc.message, exc.value) from None
