"""The ADE7816 six-channel energy monitor: wattcad's worked example, a project whose sources wattcad
generates (footprints, schematic, two board variants) before building it like any other. It reaches
the build engine only as any generator could: the `wattcad.generators` entry point names this package,
whose `build` and `copy_example` the generic tool calls."""
from wattcad.ade7816.pipeline import build, copy_example

__all__ = ["build", "copy_example"]
