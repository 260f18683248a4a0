"""The BoardModel contract, as wattcad imports it: boardmodel_contract.py (standard library only, the
file Blender's add-on and FreeCAD's job take as it is) with wattcad's errors. See that module."""
from __future__ import annotations

from pathlib import Path

from wattcad.core import boardmodel_contract as _contract
from wattcad.core.boardmodel_contract import (  # noqa: F401
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

CONTRACT_FILE = Path(_contract.__file__)  # what FreeCAD's Python loads (enclosure/freecad_job.py), Blender's add-on copies


def load(path: str | Path) -> BoardModel:
    """Read a boardmodel.json; a bad one is wattcad's InputError (exit 2), naming file and field."""
    try:
        return _contract.read(path)
    except BoardModelError as exc:
        raise InputError(exc.path, exc.field, exc.message, exc.value) from None
