"""Where KiCad's Python module is when it is not on the path: Debian installs `pcbnew` into the
system's dist-packages, which an isolated environment (pipx, a plain venv) does not see, and
putting that whole folder on the path would bring Debian's old numpy with it. This finder is
asked last, for `pcbnew` and `_pcbnew` only."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys

NAMES = ("pcbnew", "_pcbnew")
# WATTCAD_PCBNEW_DIR first (a KiCad built elsewhere), then where Debian/Ubuntu's kicad package puts it.
DEFAULT_DIRS = ("/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages")


SYSTEM_PYTHON = "/usr/bin/python3"


def system_python_is_this_one() -> bool:
    """Debian's _pcbnew.so carries no version tag but is linked against the system Python (3.11 on
    bookworm): loaded into another Python it would crash rather than fail to import."""
    target = os.path.basename(os.path.realpath(SYSTEM_PYTHON))
    return target == f"python{sys.version_info[0]}.{sys.version_info[1]}"


class KicadModuleFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name not in NAMES or path is not None:
            return None
        named = os.environ.get("WATTCAD_PCBNEW_DIR")
        system = list(DEFAULT_DIRS) if system_python_is_this_one() else []
        for folder in ([named] if named else []) + system:
            spec = importlib.machinery.PathFinder.find_spec(name, [folder])
            if spec is not None:
                return spec
        return None


def install_kicad_finder() -> None:
    if not any(isinstance(f, KicadModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(KicadModuleFinder())  # last: a pcbnew already on the path wins
