"""Install the pcbnew action plugins: a loader file in KiCad 9's plugin folder that puts this
wattcad installation on KiCad's Python path and registers the plugins, with their toolbar icons
(base.py points them at this package's icons/). The other way in is the KiCad PCM package
(kicad/pcm.py, `wattcad plugin install --kicad-pcm --zip FILE.zip`)."""
from __future__ import annotations

import sysconfig
from pathlib import Path

from wattcad.core.fileio import write_atomic

DEFAULT_PLUGIN_DIR = Path.home() / ".local" / "share" / "kicad" / "9.0" / "scripting" / "plugins"
LOADER_NAME = "wattcad_plugins.py"


def loader_source() -> str:
    purelib = sysconfig.get_paths()["purelib"]
    return f'''"""wattcad action plugins for KiCad 9 (written by `wattcad plugin install`)."""
import site

# The environment wattcad is installed in: addsitedir also reads its .pth files (editable installs).
site.addsitedir({purelib!r})

from wattcad.kicad.plugins import register_all  # noqa: E402

# The one list of plugins (wattcad.kicad.plugins.PLUGINS), shared with the KiCad PCM package.
plugins = register_all()
'''


def install_plugins(dest: Path | None = None) -> list[Path]:
    dest = dest or DEFAULT_PLUGIN_DIR
    return [write_atomic(dest / LOADER_NAME, loader_source())]
