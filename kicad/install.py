"""Install the pcbnew action plugins: a loader file in KiCad 9's plugin folder that puts this
wattcad installation on KiCad's Python path and registers the plugins."""
from __future__ import annotations

import sysconfig
from pathlib import Path

from wattcad.fileio import write_atomic

DEFAULT_PLUGIN_DIR = Path.home() / ".local" / "share" / "kicad" / "9.0" / "scripting" / "plugins"
LOADER_NAME = "wattcad_plugins.py"


def loader_source() -> str:
    purelib = sysconfig.get_paths()["purelib"]
    return f'''"""wattcad action plugins for KiCad 9 (written by `wattcad plugin install`)."""
import site

# The environment wattcad is installed in: addsitedir also reads its .pth files (editable installs).
site.addsitedir({purelib!r})

from wattcad.kicad.plugins.check_board import CheckBoardPlugin  # noqa: E402
from wattcad.kicad.plugins.place_circle import PlaceOnCirclePlugin  # noqa: E402
from wattcad.kicad.plugins.route import RoutePlugin  # noqa: E402
from wattcad.kicad.plugins.verify_footprints import VerifyFootprintsPlugin  # noqa: E402

VerifyFootprintsPlugin().register()
PlaceOnCirclePlugin().register()
CheckBoardPlugin().register()
RoutePlugin().register()
'''


def install_plugins(dest: Path | None = None) -> list[Path]:
    dest = dest or DEFAULT_PLUGIN_DIR
    return [write_atomic(dest / LOADER_NAME, loader_source())]
