"""wattcad: an ADE7816 energy monitor kept as code, and the EDA/CAD automation that builds it."""
__version__ = "0.1.0"
