"""Draw the rooms of wattcad (its top-level folders and wattcad/'s subpackages) and the imports
between them, read from the source with ast, into docs/architecture.png:

    .venv/bin/python scripts/draw_rooms.py [--out docs/architecture.png] [--list]

Every import counts, at the top of a module or inside a function: a lazy import is still a
dependency. An arrow's number is how many (module, module it imports) pairs cross between the two
rooms. Grey arrows point down the intended order (application > host rooms > footprints > core);
red ones point sideways or up, against it. tests/ and benchmarks/ import everything and are left out.
"""
from __future__ import annotations

import argparse
import ast
import textwrap
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = ["wattcad", "footprints", "kicad", "enclosure", "freecad", "blender"]
# Host applications and their bindings, as tests/test_architecture.py names them, by the room label shown.
HOSTS = {"pcbnew": "pcbnew", "_pcbnew": "pcbnew", "wx": "wx", "bpy": "bpy", "mathutils": "bpy", "bmesh": "bpy",
         "bpy_extras": "bpy", "FreeCAD": "FreeCAD", "FreeCADGui": "FreeCAD", "Part": "FreeCAD", "Mesh": "FreeCAD",
         "PySide": "FreeCAD", "cadquery": "CadQuery", "OCP": "CadQuery", "skidl": "SKiDL", "skip": "kicad-skip",
         "InteractiveHtmlBom": "iBOM"}
# What each room holds, for the boxes; a room not named here shows its __init__.py docstring.
HOLDS = {"wattcad": "the application: CLI, build pipelines,\ncheck, render and enclosure jobs",
         "kicad": "ADE7816 schematic and boards,\npcbnew and kicad-cli adapters, plugins",
         "enclosure": "CadQuery enclosure,\nfit check, pictures",
         "blender": "render command and add-on\n(runs in Blender's Python)",
         "freecad": "FreeCAD document builder\n(runs in FreeCAD's Python)",
         "footprints": "package specs, land patterns,\nverifier, sweep, 1:1 print",
         "wattcad/core": "the pure core: errors, files, BoardModel, placement,\nrouter, cache, parameter schema, wattcad.yaml"}
# The intended order: a room may import rooms of a lower rank.
RANK = {"wattcad": 3, "kicad": 2, "enclosure": 2, "blender": 2, "freecad": 2, "footprints": 1, "wattcad/core": 0}


def package_dirs() -> list[tuple[str, Path]]:
    """(package, folder) from pyproject.toml's package-dir, longest package first."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    dirs = {pkg: REPO / folder for pkg, folder in config["tool"]["setuptools"]["package-dir"].items()}
    # blender/render.py runs in Blender with blender/ on sys.path: the add-on is `wattcad_blender` there.
    dirs["wattcad_blender"] = dirs.get("wattcad.blender", REPO / "blender" / "wattcad_blender")
    return sorted(dirs.items(), key=lambda kv: -len(kv[0]))


def module_name(path: Path, dirs) -> str | None:
    for package, folder in dirs:
        if package != "wattcad_blender" and path.is_relative_to(folder):
            rest = path.relative_to(folder).with_suffix("").parts
            return ".".join((package, *rest[:-1])) if rest[-1] == "__init__" else ".".join((package, *rest))
    return None


def module_file(name: str, dirs) -> Path | None:
    """The file of module NAME, or of the nearest package above it (`from pkg import function`)."""
    for package, folder in dirs:
        if name == package or name.startswith(package + "."):
            parts = name[len(package):].lstrip(".").split(".") if name != package else []
            while True:
                base = folder.joinpath(*parts)
                for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                    if candidate.is_file():
                        return candidate
                if not parts:
                    return None
                parts = parts[:-1]
    return None


def room_of(path: Path) -> str:
    parts = path.relative_to(REPO).parts
    if parts[0] == "wattcad" and len(parts) > 2:
        return f"wattcad/{parts[1]}"  # wattcad/'s subpackages are rooms of their own
    return parts[0]


def imports(path: Path, module: str | None):
    """Every name PATH imports, anywhere in it, relative imports resolved."""
    package = (module or "") if path.name == "__init__.py" else (module or "").rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            # `from pkg import module` names the module; `from module import function` falls back
            # to the module in module_file.
            yield from (f"{base}.{a.name}" for a in node.names)


@dataclass
class Rooms:
    modules: Counter  # room -> its number of modules
    hosts: dict  # room -> host labels it imports
    edges: Counter  # (room, room) -> (module, module) pairs
    pairs: set  # (importing file, imported file) across rooms


def read_rooms() -> Rooms:
    dirs = package_dirs()
    modules, hosts, pairs = Counter(), defaultdict(set), set()
    for top in SOURCES:
        for path in sorted((REPO / top).rglob("*.py")):
            room = room_of(path)
            modules[room] += 1
            for name in imports(path, module_name(path, dirs)):
                head = name.split(".")[0]
                if head in HOSTS:
                    hosts[room].add(HOSTS[head])
                elif head in ("wattcad", "wattcad_blender"):
                    target = module_file(name, dirs)
                    if target is not None and room_of(target) != room:
                        pairs.add((path, target))
    edges = Counter((room_of(a), room_of(b)) for a, b in pairs)
    return Rooms(modules, hosts, edges, pairs)


# ------------------------------------------------------------------------------ drawing
# Box centre x, y and width, height in axes units (0..1). The middle row leaves lanes between its
# boxes for the arrows from wattcad/ down to footprints/ (x 0.228) and to the core (x 0.508).
WIDE = {"wattcad": (0.5, 0.87, 0.94, 0.13), "wattcad/core": (0.5, 0.08, 0.94, 0.12)}
PLACES = {"enclosure": (0.10, 0.565, 0.17, 0.15), "kicad": (0.37, 0.565, 0.21, 0.15),
          "blender": (0.645, 0.565, 0.20, 0.15), "footprints": (0.228, 0.31, 0.15, 0.14)}
RIGHT = [(0.87, 0.565, 0.18, 0.15), (0.76, 0.31, 0.15, 0.14), (0.92, 0.31, 0.13, 0.14)]


def docstring(room: str) -> str:
    """The first sentence of a room's __init__.py docstring, on at most two lines."""
    init = REPO / room / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) if init.is_file() else None
    lines = textwrap.wrap((doc or "").split(". ")[0].split("\n\n")[0], 34)
    return "\n".join(lines[:2]) + (" ..." if len(lines) > 2 else "")


def place(rooms: Rooms) -> dict:
    """Every room's box: the known ones where PLACES says; freecad/ (which imports no other room:
    it runs in FreeCAD's Python and loads the BoardModel by path) and any newer room on the right."""
    places = {**WIDE, **PLACES}
    extra = sorted(r for r in rooms.modules if r not in places and r != "freecad")
    for room, slot in zip(extra + ["freecad"], RIGHT):
        places[room] = slot
    return places


def draw(rooms: Rooms, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    places = place(rooms)
    fig = plt.figure(figsize=(13, 8.6), dpi=110)
    ax = fig.add_axes((0.01, 0.05, 0.98, 0.9))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")

    for room, (x, y, w, h) in places.items():
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.004,rounding_size=0.012",
                                    fc="#e8f0fa" if room == "wattcad/core" else "#f6f6f2", ec="#34495e", lw=1.6,
                                    zorder=2))
        ax.text(x, y + h / 2 - 0.022, f"{room}/", ha="center", va="center", fontsize=12.5, weight="bold", zorder=3)
        ax.text(x, y + 0.002, HOLDS.get(room) or docstring(room), ha="center", va="center", fontsize=9, color="#333", zorder=3,
                linespacing=1.25)
        used = ", ".join(sorted(rooms.hosts.get(room, ()))) or "no host"
        ax.text(x, y - h / 2 + 0.018, f"{rooms.modules[room]} modules · {used}", ha="center", va="center",
                fontsize=8.5, color="#7a4b00" if rooms.hosts.get(room) else "#2e6b30", style="italic", zorder=3)

    def edge_point(room, other, offset):
        """Where an arrow between ROOM and OTHER meets ROOM: on a wide box straight above or below the
        other room; on a narrow one its top or bottom, shifted toward the other."""
        x, y, w, h = places[room]
        ox, oy, ow, _ = places[other]
        if w > 0.5:
            px = ox
        elif ow > 0.5:
            px = x
        else:
            px = x + max(-w / 3, min(w / 3, ox - x))
        return px + offset, y + (h / 2 if oy > y else -h / 2)

    for (src, dst), count in sorted(rooms.edges.items()):
        if src not in places or dst not in places:
            continue
        against = RANK.get(src, 2) <= RANK.get(dst, 2)
        offset = (0.016 if against else -0.016) if (dst, src) in rooms.edges else 0.0
        sx, sy, sw, _ = places[src]
        dx, dy, dw, _ = places[dst]
        bend = 0.0
        if abs(sy - dy) < 0.01:  # same row: side to side, or over the boxes between in an arc
            sign = 1 if dx > sx else -1
            start, end = (sx + sign * sw / 2, sy + 0.045), (dx - sign * dw / 2, dy + 0.045)
            between = [r for r, (x, y, _, _) in places.items() if abs(y - sy) < 0.01 and min(sx, dx) < x < max(sx, dx)]
            if between:
                top = sy + places[src][3] / 2
                start, end = (sx + sign * sw / 4, top), (dx - sign * dw / 4, top)
                bend = -0.25 * sign  # matplotlib's arc3: negative bends a left-to-right arrow upward
        else:
            start, end = edge_point(src, dst, offset), edge_point(dst, src, offset)
        # An arc's apex, in axes units: arc3 bends in pixels, and the axes are wider than tall.
        aspect = (fig.get_figwidth() * 0.98) / (fig.get_figheight() * 0.9)
        label = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + abs(bend) / 2 * abs(end[0] - start[0]) * aspect)
        if sw > 0.5 and sy > dy and start[1] - end[1] > 0.3:  # down past the middle row: label it above that row
            label = (label[0], start[1] - 0.0825)
        colour = "#c0392b" if against else "#555"
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=18, lw=1.2 + min(count, 40) / 10,
                                     color=colour, zorder=1, shrinkA=0, shrinkB=0, connectionstyle=f"arc3,rad={bend}"))
        ax.text(*label, str(count), ha="center", va="center", fontsize=10,
                color=colour, weight="bold", zorder=4, bbox={"boxstyle": "round,pad=0.18", "fc": "white", "ec": colour,
                                                              "lw": 0.8})

    fig.text(0.5, 0.975, "wattcad's rooms and the imports between them", ha="center", va="center",
             fontsize=15, weight="bold")
    fig.text(0.5, 0.025, "An arrow's number: module-to-module imports between two rooms, top-level and lazy alike.  "
             "Grey: down the intended order.  Red: sideways or up, against it.\n"
             "Drawn by scripts/draw_rooms.py from the source (ast); tests/ and benchmarks/ import everything "
             "and are left out.", ha="center", va="center", fontsize=9.5, color="#333")
    out.parent.mkdir(parents=True, exist_ok=True)
    # No date or version in the PNG's metadata: redrawing an unchanged house changes no byte.
    fig.savefig(out, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "architecture.png")
    ap.add_argument("--list", action="store_true", help="print the rooms and the imports between them")
    args = ap.parse_args(argv)
    rooms = read_rooms()
    if args.list:
        for room, n in sorted(rooms.modules.items()):
            print(f"{room}: {n} modules; hosts: {', '.join(sorted(rooms.hosts.get(room, ()))) or '-'}")
        for (src, dst), count in sorted(rooms.edges.items()):
            against = RANK.get(src, 2) <= RANK.get(dst, 2)
            print(f"  {src} -> {dst}: {count}{'  (against the order)' if against else ''}")
            for a, b in sorted(rooms.pairs):
                if against and (room_of(a), room_of(b)) == (src, dst):
                    print(f"      {a.relative_to(REPO)} -> {b.relative_to(REPO)}")
    draw(rooms, args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
