"""wattcad's pcbnew action plugins. PLUGINS is the one list of them: the loader `wattcad plugin
install` writes and the KiCad PCM package's plugins/__init__.py both call register_all."""
from __future__ import annotations

import importlib
from pathlib import Path

# (module in this package, class); also the icon file stem: icons/<module>.png
PLUGINS = (("verify_footprints", "VerifyFootprintsPlugin"), ("place_circle", "PlaceOnCirclePlugin"),
           ("check_board", "CheckBoardPlugin"), ("route", "RoutePlugin"))


def register_all(icon_dir: str | Path | None = None) -> list:
    """Register the four plugins with pcbnew; returns them. `icon_dir`: take the toolbar icons from
    there (the PCM package ships its own) instead of this package's icons/."""
    from wattcad.kicad.plugins.base import WattcadPlugin

    if icon_dir is not None:
        WattcadPlugin.icon_dir = Path(icon_dir)
    plugins = []
    for module, cls in PLUGINS:
        plugin = getattr(importlib.import_module(f"wattcad.kicad.plugins.{module}"), cls)()
        plugin.register()
        plugins.append(plugin)
    return plugins
