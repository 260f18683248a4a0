"""wattcad: an ADE7816 energy monitor kept as code, and the EDA/CAD automation that builds it."""
__version__ = "0.1.0"

from wattcad.core.hosts import install_kicad_finder  # noqa: E402

install_kicad_finder()  # pcbnew from KiCad's system install, also in an isolated environment
