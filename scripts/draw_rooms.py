"""Draw the rooms of wattcad (its top-level folders, wattcad/'s subpackages, the example package in
examples/) and the imports between them, read from the source with ast, into docs/architecture.png:

    .venv/bin/python scripts/draw_rooms.py [--out docs/architecture.png] [--list]

Every import counts, at the top of a module or inside a function: a lazy import is still a
dependency. An arrow's number is how many (module, module it imports) pairs cross between the two
rooms. Grey arrows point down the intended order (the CLI > its commands > the example package >
the build engine > the checks > the jobs > host rooms > footprints > core); red ones point sideways
or up, against it. Every room may import the core: those imports are counted in each box, not drawn.
`from wattcad import __version__` (wattcad/__init__.py) is the version, readable by any room, and
not counted. tests/ and benchmarks/ import everything and are left out.
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
CLI = ("cli.py", "__main__.py")
# wattcad/__init__.py: the version every room may read (`from wattcad import __version__`), not a room's code.
ROOT = REPO / "wattcad" / "__init__.py"
SOURCES = ["wattcad", "examples", "footprints", "kicad", "enclosure", "freecad", "blender"]
# Host applications and their bindings, as tests/test_architecture.py names them, by the room label shown.
HOSTS = {"pcbnew": "pcbnew", "_pcbnew": "pcbnew", "wx": "wx", "bpy": "bpy", "mathutils": "bpy", "bmesh": "bpy",
         "bpy_extras": "bpy", "FreeCAD": "FreeCAD", "FreeCADGui": "FreeCAD", "Part": "FreeCAD", "Mesh": "FreeCAD",
         "PySide": "FreeCAD", "cadquery": "CadQuery", "OCP": "CadQuery", "skidl": "SKiDL", "skip": "kicad-skip",
         "InteractiveHtmlBom": "iBOM"}
CORE = "wattcad/core"
# The box title of a room, where it is not the folder.
TITLES = {"wattcad": "wattcad/*.py", "wattcad/cli.py": "wattcad/cli.py", "examples/ade7816": "examples/ade7816/"}
# What each room holds, for the boxes; a room not named here shows its __init__.py docstring.
HOLDS = {"wattcad/cli.py": "gathers the commands; errors, signals to exit codes",
         "wattcad/commands": "one module per command: build, example, check,\nenclosure, footprint, place, render, route, plugin",
         "examples/ade7816": "wattcad.ade7816, a generator (entry points): its pipeline,\n"
                             "commands, checks, circuit, schematic, boards; data/, boards/",
         "wattcad/pipeline": "the build engine: steps, runner, outputs registry\n"
                             "(check, fab, enclosure, render), index.html, wattcad.yaml",
         "wattcad/checks": "the checks registry: ERC, DRC,\nfootprints, enclosure; reports",
         "wattcad": "beside cli.py, the jobs: render_job, enclosure_job;\nblender_addon (packaging), docs_tables",
         "kicad": "pcbnew and kicad-cli adapters: ERC, DRC,\nfab, netlist, route; action plugins, PCM",
         "enclosure": "CadQuery enclosure,\nfit check, bodies, pictures",
         "blender": "render command and add-on\n(runs in Blender's Python)",
         "freecad": "FreeCAD document builder\n(runs in FreeCAD's Python)",
         "footprints": "package specs, land patterns,\nverifier, sweep, 1:1 print",
         CORE: "the pure core: errors, files, the BoardModel contract, placement, router, cache, "
               "parameter schema, processes"}
# The intended order: a room may import rooms of a lower rank (and the core, whatever its own).
RANK = {"wattcad/cli.py": 7, "wattcad/commands": 6, "examples/ade7816": 5, "wattcad/pipeline": 4, "wattcad/checks": 3,
        "wattcad": 2.5, "kicad": 2, "enclosure": 2, "blender": 2, "freecad": 2, "footprints": 1, CORE: 0}


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
    if parts[0] == "wattcad" and parts[1] in CLI:
        return "wattcad/cli.py"  # the front door, above the commands it gathers
    if parts[0] == "examples":
        return f"examples/{parts[1]}"  # each example is a package of its own (wattcad.ade7816)
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
                    if target is not None and target != ROOT and room_of(target) != room:
                        pairs.add((path, target))
    edges = Counter((room_of(a), room_of(b)) for a, b in pairs)
    return Rooms(modules, hosts, edges, pairs)


# ------------------------------------------------------------------------------ drawing
# Each room's box: centre x, y and width, height in axes units (0..1), a row each rank from the top.
# An arrow leaves a box's bottom (top, going up), runs down the gaps between the boxes of the rows it
# crosses, and enters the other box's top. The core, at the bottom, gets no arrows: every room may
# import it, and each box counts how often it does.
ROWS = [{"wattcad/cli.py": (0.25, 0.948, 0.3, 0.06)},
        {"wattcad/commands": (0.25, 0.835, 0.40, 0.1), "examples/ade7816": (0.74, 0.835, 0.44, 0.1)},
        {"wattcad/pipeline": (0.18, 0.68, 0.29, 0.1), "wattcad/checks": (0.58, 0.68, 0.25, 0.1)},
        {"wattcad": (0.82, 0.545, 0.29, 0.085)},  # the jobs: below the checks, clear of the arrows on the left
        {"freecad": (0.105, 0.39, 0.2, 0.1), "kicad": (0.34, 0.39, 0.24, 0.1), "blender": (0.585, 0.39, 0.19, 0.1),
         "enclosure": (0.83, 0.39, 0.2, 0.1)},
        {"footprints": (0.46, 0.235, 0.24, 0.09)},
        {CORE: (0.5, 0.08, 0.94, 0.08)}]
EXTRA = [(0.885, 0.235, 0.17, 0.09), (0.15, 0.235, 0.2, 0.09)]  # a room not placed above (a new package)
PAD = 0.016  # an arrow keeps this far from a box it passes


def docstring(room: str) -> str:
    """The first sentence of a room's __init__.py docstring, on at most two lines."""
    init = REPO / room / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) if init.is_file() else None
    lines = textwrap.wrap((doc or "").split(". ")[0].split("\n\n")[0], 34)
    return "\n".join(lines[:2]) + (" ..." if len(lines) > 2 else "")


def place(rooms: Rooms) -> tuple[dict, dict]:
    """(room -> its box, room -> its row); a room not in ROWS takes a free slot of the footprints' row."""
    places, row_of = {}, {}
    for i, row in enumerate(ROWS):
        for room, box in row.items():
            places[room], row_of[room] = box, i
    for room, slot in zip(sorted(r for r in rooms.modules if r not in places), EXTRA):
        places[room], row_of[room] = slot, 5
    return places, row_of


def gaps(places: dict, row_of: dict, row: int) -> list[tuple[float, float]]:
    """The free stretches of x across ROW, kept PAD off its boxes."""
    spans = sorted((x - w / 2, x + w / 2) for r, (x, _, w, _) in places.items() if row_of[r] == row)
    edges = [0.0] + [v for span in spans for v in span] + [1.0]
    return [(a + PAD, b - PAD) for a, b in zip(edges[::2], edges[1::2]) if b - a > 2 * PAD]


def row_span(places: dict, row_of: dict, row: int) -> tuple[float, float]:
    boxes = [(y - h / 2, y + h / 2) for r, (_, y, _, h) in places.items() if row_of[r] == row]
    return min(b for b, _ in boxes), max(t for _, t in boxes)


def bezier(p0, p1, t: float) -> tuple[float, float]:
    """A point of the S-curve from P0 to P1 that leaves and enters vertically (see curve)."""
    (x0, y0), (x1, y1) = p0, p1
    k = (y1 - y0) * 0.5
    c0, c1 = (x0, y0 + k), (x1, y1 - k)
    u = 1 - t
    return (u ** 3 * x0 + 3 * u * u * t * c0[0] + 3 * u * t * t * c1[0] + t ** 3 * x1,
            u ** 3 * y0 + 3 * u * u * t * c0[1] + 3 * u * t * t * c1[1] + t ** 3 * y1)


def blocked(places: dict, row_of: dict, row: int, p0, p1) -> bool:
    """Whether the S-curve from P0 to P1 would cross a box of ROW (or pass within PAD of one)."""
    boxes = [(x - w / 2 - PAD, x + w / 2 + PAD, y - h / 2 - PAD, y + h / 2 + PAD)
             for r, (x, y, w, h) in places.items() if row_of[r] == row]
    for i in range(101):
        px, py = bezier(p0, p1, i / 100)
        if any(left <= px <= right and bottom <= py <= top for left, right, bottom, top in boxes):
            return True
    return False


def routes(rooms: Rooms, places: dict, row_of: dict, anchors: dict | None = None) -> dict:
    """(src, dst) -> the points of its arrow. ANCHORS: where each arrow meets its boxes, from a first
    pass (which takes the boxes' centres); the rows between are passed through their gaps where the
    arrow's own curve would cross a box."""
    ends = defaultdict(list)  # (room, "top"|"bottom") -> [(the x it heads for, edge, which end)]
    paths = {}
    used = Counter()  # (row, gap) -> arrows through it so far
    for src, dst in sorted(rooms.edges, key=lambda e: (-rooms.edges[e], e)):  # the heaviest take the straightest way
        if CORE in (src, dst) or src not in places or dst not in places:
            continue
        (sx, sy, sw, sh), (dx, dy, dw, dh) = places[src], places[dst]
        rs, rd = row_of[src], row_of[dst]
        if rs == rd:
            sign = 1 if dx > sx else -1
            paths[(src, dst)] = [(sx + sign * sw / 2, sy), (dx - sign * dw / 2, dy)]
            continue
        if anchors:
            sx, dx = anchors[((src, dst), 0)], anchors[((src, dst), 1)]
        down = rd > rs
        start_y, end_y = (sy - sh / 2, dy + dh / 2) if down else (sy + sh / 2, dy - dh / 2)
        points, here = [], (sx, start_y)
        for row in (range(rs + 1, rd) if down else range(rs - 1, rd, -1)):
            low, high = row_span(places, row_of, row)
            if not blocked(places, row_of, row, here, (dx, end_y)):
                continue  # the arrow's own curve from where it is passes this row between its boxes
            t = ((high + low) / 2 - here[1]) / (end_y - here[1])
            straight = here[0] + t * (dx - here[0])
            k, (a, b) = min(enumerate(gaps(places, row_of, row)),
                            key=lambda g, s=straight: 0 if g[1][0] <= s <= g[1][1] else min(abs(s - g[1][0]), abs(s - g[1][1])))
            n = used[(row, k)]
            used[(row, k)] += 1
            lx = min(b, max(a, min(b, max(a, straight)) + (1 if n % 2 else -1) * 0.013 * ((n + 1) // 2)))
            points += [(lx, high + 0.012), (lx, low - 0.012)] if down else [(lx, low - 0.012), (lx, high + 0.012)]
            here = points[-1]
        first = points[0][0] if points else dx
        last = points[-1][0] if points else sx
        ends[(src, "bottom" if down else "top")].append((first, (src, dst), 0))
        ends[(dst, "top" if down else "bottom")].append((last, (src, dst), 1))
        paths[(src, dst)] = [None, *points, None]
    for (room, side), found in ends.items():  # spread each side's arrows along it, in the order they head
        x, y, w, h = places[room]
        found.sort(key=lambda item: item[0])
        for k, (_, edge, which) in enumerate(found):
            px = x - w * 0.4 + w * 0.8 * (k + 0.5) / len(found)
            paths[edge][0 if which == 0 else -1] = (px, y + (h / 2 if side == "top" else -h / 2))
    if anchors is None:  # again, from where the arrows now meet their boxes
        return routes(rooms, places, row_of, {(e, i): pts[0 if i == 0 else -1][0] for e, pts in paths.items() for i in (0, 1)})
    return paths


def curve(points: list) -> tuple[list, list]:
    """Vertices and codes of a matplotlib Path through POINTS: S-curves from row to row (leaving and
    entering vertically), straight down a gap; side to side, one straight line."""
    if len(points) == 2 and abs(points[0][1] - points[1][1]) < 1e-9:
        return points, [1, 2]
    vertices, codes = [points[0]], [1]
    for i, ((x0, y0), (x1, y1)) in enumerate(zip(points, points[1:])):
        if i % 2 == 1:  # down (or up) a gap: (lx, top) -> (lx, bottom)
            vertices.append((x1, y1))
            codes.append(2)
        else:
            k = (y1 - y0) * 0.5
            vertices += [(x0, y0 + k), (x1, y1 - k), (x1, y1)]
            codes += [4, 4, 4]
    return vertices, codes


def draw(rooms: Rooms, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path as MPath

    places, row_of = place(rooms)
    fig = plt.figure(figsize=(15, 13), dpi=110)
    ax = fig.add_axes((0.01, 0.055, 0.98, 0.905))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    into_core = Counter({src: n for (src, dst), n in rooms.edges.items() if dst == CORE})

    for room, (x, y, w, h) in places.items():
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.004,rounding_size=0.012",
                                    fc="#e8f0fa" if room == CORE else "#f6f6f2", ec="#34495e", lw=1.6, zorder=2))
        title = TITLES.get(room, f"{room}/")
        wide = w > 0.5
        ax.text(x, y + h / 2 - (0.017 if wide or h < 0.08 else 0.02), title, ha="center", va="center",
                fontsize=13.5, weight="bold", zorder=3)
        ax.text(x, y - (0.004 if h < 0.08 else 0.0), HOLDS.get(room) or docstring(room), ha="center", va="center",
                fontsize=10, color="#333", zorder=3, linespacing=1.2)
        used = ", ".join(sorted(rooms.hosts.get(room, ()))) or "no host"
        imports_any = any(src == room for src, _ in rooms.edges)
        core = f" · core: {into_core[room]}" if into_core[room] else "" if imports_any else " · imports no other room"
        foot = "imports no other room (a test holds it)" if room == CORE else f"{used}{core}"
        ax.text(x, y - h / 2 + 0.013, f"{rooms.modules[room]} modules · {foot}", ha="center", va="center",
                fontsize=9, color="#7a4b00" if rooms.hosts.get(room) else "#2e6b30", style="italic", zorder=3)

    for (src, dst), points in sorted(routes(rooms, places, row_of).items()):
        count = rooms.edges[(src, dst)]
        against = RANK.get(src, 2) <= RANK.get(dst, 2)
        colour = "#c0392b" if against else "#6b6b6b"
        vertices, codes = curve(points)
        ax.add_patch(FancyArrowPatch(path=MPath(vertices, codes), arrowstyle="-|>", mutation_scale=15,
                                     lw=1.0 + min(count, 24) / 8, color=colour, zorder=1.5 if against else 1,
                                     shrinkA=0, shrinkB=0))
        (x0, y0), (x1, y1) = points[0], points[1]
        if abs(y1 - y0) < 1e-9:  # side to side: the label halfway
            label = ((x0 + x1) / 2, y0)
        else:  # just outside the box it leaves
            label = (x0, y0 + (0.024 if y1 > y0 else -0.024))
        ax.text(*label, str(count), ha="center", va="center", fontsize=10.5, color=colour, weight="bold", zorder=4,
                bbox={"boxstyle": "round,pad=0.16", "fc": "white", "ec": colour, "lw": 0.8})

    fig.text(0.5, 0.975, "wattcad's rooms and the imports between them", ha="center", va="center",
             fontsize=16, weight="bold")
    fig.text(0.5, 0.03, "An arrow's number: module-to-module imports between two rooms, top-level and lazy alike, "
             "counted where the arrow leaves.  Grey: down the intended order.  Red: sideways or up, against it.\n"
             "Every room may import the core: \"core: N\" in a box counts its imports of wattcad/core, not drawn.  "
             "`from wattcad import __version__` is not counted.\n"
             "Drawn by scripts/draw_rooms.py from the source (ast); tests/ and benchmarks/ import everything "
             "and are left out.", ha="center", va="center", fontsize=10, color="#333", linespacing=1.4)
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
            against = RANK.get(src, 2) <= RANK.get(dst, 2) and dst != CORE
            print(f"  {src} -> {dst}: {count}{'  (against the order)' if against else ''}")
            for a, b in sorted(rooms.pairs):
                if against and (room_of(a), room_of(b)) == (src, dst):
                    print(f"      {a.relative_to(REPO)} -> {b.relative_to(REPO)}")
    draw(rooms, args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
