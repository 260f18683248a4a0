"""The BoardModel contract where wattcad runs this package from its own files: the core's
boardmodel_contract.py, found beside this folder in a checkout (blender/wattcad_blender ->
wattcad/core) or an installed wheel (wattcad/blender -> wattcad/core), loaded under its own name
(putting wattcad/core on sys.path would expose the core's other modules). Standard library only."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CANDIDATES = (HERE.parent / "core" / "boardmodel_contract.py", HERE.parents[1] / "wattcad" / "core" / "boardmodel_contract.py")


def load_contract():
    name = "wattcad_boardmodel"
    if name in sys.modules:
        return sys.modules[name]
    path = next((p for p in CANDIDATES if p.is_file()), None)
    if path is None:
        raise ImportError(f"the BoardModel contract is in none of {', '.join(map(str, CANDIDATES))}")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve the module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module
