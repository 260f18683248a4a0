"""The house rules, read from the source: the pure core imports no host application, not even
lazily or through another wattcad module; and ruff finds nothing."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# Host applications and their bindings: only adapters may import them.
HOSTS = {"pcbnew", "_pcbnew", "wx", "bpy", "mathutils", "bmesh", "FreeCAD", "FreeCADGui", "Part", "Mesh", "cadquery",
         "OCP", "skidl", "skip", "InteractiveHtmlBom"}
# The core: pure logic every front end shares (geometry, land patterns, placement, parameters,
# the BoardModel contract, errors and files).
CORE = ["wattcad.core", "wattcad.footprints.landpattern", "wattcad.footprints.model", "wattcad.footprints.spec",
        "wattcad.footprints.names", "wattcad.footprints.sexpr", "wattcad.enclosure.params", "wattcad.enclosure.plan"]
PACKAGES = {"wattcad.footprints": REPO / "footprints", "wattcad.kicad": REPO / "kicad",
            "wattcad.enclosure": REPO / "enclosure", "wattcad.freecad": REPO / "freecad",
            "wattcad.blender": REPO / "blender" / "wattcad_blender", "wattcad": REPO / "wattcad"}


def module_file(name: str, packages: dict = PACKAGES) -> Path | None:
    for package, folder in packages.items():  # longest names first: wattcad.kicad before wattcad
        if name == package or name.startswith(package + "."):
            rest = name[len(package):].lstrip(".").split(".") if name != package else []
            base = folder.joinpath(*rest)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate
    return None


def _run_at_import(tree: ast.AST):
    """The nodes a module runs when imported: all but the bodies of its functions (a try/if at the
    top, a class body, run; a def does not)."""
    for node in ast.iter_child_nodes(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield node
            yield from _run_at_import(node)


def imports_of(path: Path, module: str, top_level_only: bool = False) -> set[str]:
    """Every module PATH imports, at the top or inside a function, relative imports resolved.
    `top_level_only`: a package's __init__ run on the way to one of its modules runs its body,
    not its functions."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in (_run_at_import(tree) if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}  # `from pkg import module`
    return found


def host_imports(start: list[str], packages: dict = PACKAGES) -> dict[str, list[str]]:
    """module -> a chain of imports from START that reaches a host."""
    chains, seen, queue = {}, set(), [([m], False) for m in start]
    while queue:
        chain, top_level_only = queue.pop()
        path = module_file(chain[-1], packages)
        if path is None or (chain[-1], top_level_only) in seen:
            continue
        seen.add((chain[-1], top_level_only))
        names = imports_of(path, chain[-1], top_level_only)
        for name in sorted(names):
            if name.split(".")[0] in HOSTS:
                chains.setdefault(chain[0], chain + [name])
            elif name.startswith("wattcad"):
                # A package imported for one of its modules runs only its body.
                queue.append((chain + [name], any(n.startswith(name + ".") and module_file(n, packages) for n in names)))
    return chains


def core_modules() -> list[str]:
    names = []
    for name in CORE:
        path = module_file(name)
        assert path is not None, f"{name}: no such module"
        if path.name == "__init__.py":
            names += [f"{name}.{p.stem}" for p in sorted(path.parent.glob("*.py")) if p.stem != "__init__"]
        names.append(name)
    return names


def test_the_core_imports_no_host_application():
    assert host_imports(core_modules()) == {}


def test_the_host_check_sees_a_host_reached_through_another_module(tmp_path):
    """The check can fail: a lazy pcbnew import two modules away is found."""
    (tmp_path / "a.py").write_text("def f():\n    from wattcad.b import g\n")
    (tmp_path / "b.py").write_text("def g():\n    import pcbnew\n")
    packages = {"wattcad.fake": tmp_path, "wattcad": tmp_path}
    assert host_imports(["wattcad.fake.a"], packages) == {"wattcad.fake.a": ["wattcad.fake.a", "wattcad.b", "pcbnew"]}


# kicad/'s rooms (kicad/__init__.py): the modules of each, and the hosts they never reach.
ROOMS = {"schematic": (["circuit", "schematic", "schematic_nets", "skidl_run", "symbol", "netlist"], {"pcbnew", "_pcbnew"}),
         "board": (["board", "board_io", "board_checks", "boardmodel_reader", "pcb_project", "pcbnew_footprints",
                    "place_circle", "route"], {"skidl", "skip"}),
         "kicad-cli": (["kicad_cli", "drc", "fab", "params"], {"pcbnew", "_pcbnew", "skidl", "skip"})}


def test_each_kicad_room_keeps_to_its_host(monkeypatch):
    rooms = {name: ([f"wattcad.kicad.{m}" for m in modules], hosts) for name, (modules, hosts) in ROOMS.items()}
    listed = {m for modules, _ in rooms.values() for m in modules}
    found = {f"wattcad.kicad.{p.stem}" for p in (REPO / "kicad").glob("*.py")} - {"wattcad.kicad.__init__"}
    assert found - listed <= {"wattcad.kicad.install", "wattcad.kicad.pcm"}, "a kicad/ module in no room"
    for name, (modules, hosts) in rooms.items():
        monkeypatch.setattr(sys.modules[__name__], "HOSTS", hosts)
        assert host_imports(modules) == {}, name


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: it is a test dependency (`make` installs it)")
    result = subprocess.run([ruff, "check", "--no-cache", str(REPO)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]
