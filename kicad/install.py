"""Install the pcbnew action plugins: a loader file in the installed KiCad's (9 or 10) plugin folder that puts this
wattcad installation on KiCad's Python path and registers the plugins, with their toolbar icons
(base.py points them at this package's icons/). The other way in is the KiCad PCM package
(kicad/pcm.py, `wattcad plugin install --kicad-pcm --zip FILE.zip`)."""
from __future__ import annotations

import sysconfig
from pathlib import Path

from wattcad.core.fileio import write_atomic


def default_plugin_dir() -> Path:
    """~/.local/share/kicad/<the installed KiCad's major>.0/scripting/plugins (9.0 when KiCad is not found)."""
    from .versions import kicad_release

    major = kicad_release().split(".")[0] or "9"
    return Path.home() / ".local" / "share" / "kicad" / f"{major}.0" / "scripting" / "plugins"

LOADER_NAME = "wattcad_plugins.py"


def loader_source() -> str:
    purelib = sysconfig.get_paths()["purelib"]
    return f'''"""wattcad action plugins for KiCad (written by `wattcad plugin install`)."""
import site

# The environment wattcad is installed in: addsitedir also reads its .pth files (editable installs).
site.addsitedir({purelib!r})

from wattcad.kicad.plugins import register_all  # noqa: E402

# The one list of plugins (wattcad.kicad.plugins.PLUGINS), shared with the KiCad PCM package.
plugins = register_all()
'''


def install_ipc_plugin(dest: Path | None = None) -> list[Path]:
    """The IPC-API plugin into DEST (default: KiCad 10's user plugin folder,
    ~/.local/share/kicad/10.0/plugins/<identifier>), where KiCad finds its plugin.json."""
    from .pcm import IPC_IDENTIFIER, ipc_plugin_files

    dest = dest or Path.home() / ".local" / "share" / "kicad" / "10.0" / "plugins" / IPC_IDENTIFIER.replace(".", "_")
    return [write_atomic(dest / name, content) for name, content in sorted(ipc_plugin_files().items())]


def install_plugins(dest: Path | None = None) -> list[Path]:
    dest = dest or default_plugin_dir()
    return [write_atomic(dest / LOADER_NAME, loader_source())]
