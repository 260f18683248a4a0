"""wattcad's commands, one module each (`add(subparsers)` registers its parser and handler). Each
loads its logic lazily, so `wattcad --help` works on a machine without KiCad, CadQuery or Blender."""
COMMANDS = ("build", "example", "check", "enclosure", "footprint", "place", "render", "route", "plugin")
