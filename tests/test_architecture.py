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
            "wattcad.blender": REPO / "blender" / "wattcad_blender", "wattcad.ade7816": REPO / "examples" / "ade7816",
            "wattcad": REPO / "wattcad"}


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


def test_the_examples_arithmetic_and_firmware_generator_import_no_host_application():
    """The analog budget, phase and reset arithmetic and the MicroPython generator are pure: the
    checks and the build call them, a test can run them anywhere."""
    assert host_imports(["wattcad.ade7816.analog", "wattcad.ade7816.firmware"]) == {}


def test_the_host_check_sees_a_host_reached_through_another_module(tmp_path):
    """The check can fail: a lazy pcbnew import two modules away is found."""
    (tmp_path / "a.py").write_text("def f():\n    from wattcad.b import g\n")
    (tmp_path / "b.py").write_text("def g():\n    import pcbnew\n")
    packages = {"wattcad.fake": tmp_path, "wattcad": tmp_path}
    assert host_imports(["wattcad.fake.a"], packages) == {"wattcad.fake.a": ["wattcad.fake.a", "wattcad.b", "pcbnew"]}


# kicad/'s rooms (kicad/__init__.py), and the example's: the modules of each, and the hosts they never reach.
ROOMS = {"schematic": (["kicad.erc", "kicad.schematic_nets", "kicad.netlist", "ade7816.circuit", "ade7816.schematic",
                        "ade7816.skidl_run", "ade7816.symbol"], {"pcbnew", "_pcbnew"}),
         "board": (["kicad.board_io", "kicad.board_checks", "kicad.boardmodel_reader", "kicad.pcbnew_footprints",
                    "kicad.place_circle", "kicad.route", "kicad.route_rules", "kicad.route_zones", "kicad.pcbnew_compat",
                    "ade7816.board", "ade7816.pcb_project"],
                   {"skidl", "skip"}),
         "kicad-cli": (["kicad.kicad_cli", "kicad.drc", "kicad.fab", "kicad.versions", "kicad.models3d", "ade7816.params"],
                       {"pcbnew", "_pcbnew", "skidl", "skip"})}


def test_each_kicad_room_keeps_to_its_host(monkeypatch):
    rooms = {name: ([f"wattcad.{m}" for m in modules], hosts) for name, (modules, hosts) in ROOMS.items()}
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


# --- the house of issue "one build engine": held by reading the source -------------------------------

def _python_files() -> dict[str, Path]:
    """module name -> file, for every module of the installed packages."""
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("").parts
            if "__pycache__" in rel or (package == "wattcad" and rel[0] in ("footprints", "kicad", "enclosure", "freecad")):
                continue
            name = ".".join((package, *rel)).removesuffix(".__init__")
            found.setdefault(name, path)
    return found


# Longer than 450 lines or a function longer than 80, each with its reason; the list only shrinks.
LONG_MODULES = {"wattcad.core.router": "the grid router's search and rip-up loop, one algorithm",
                "wattcad.footprints.verify": "the verifier; split with the checks-on-real-boards issue",
                "wattcad.kicad.route": "the route command's pcbnew adapter; split with the router issue",
                "wattcad.ade7816.board": "the ADE7816 board builder; moves into wattcad.ade7816",
                "wattcad.ade7816.schematic": "the ADE7816 SKiDL generator and the generic ERC; split when it moves"}
LONG_FUNCTIONS = {"wattcad.core.router.Router.search": "the search kernel",
                  "wattcad.core.router_search.astar": "the search kernel (numba)",
                  "wattcad.footprints.verify.check_no_lead": "split with the checks-on-real-boards issue",
                  "wattcad.freecad.build_fcstd.build": "one FreeCAD document's expressions, in FreeCAD's Python",
                  "wattcad.ade7816.schematic._layout": "the ADE7816 schematic's layout; moves into wattcad.ade7816"}


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}{node.name}", node.end_lineno - node.lineno + 1
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")


def test_no_module_over_450_lines_and_no_function_over_80_outside_the_named_exemptions():
    long_modules, long_functions = [], []
    for name, path in _python_files().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 450 and name not in LONG_MODULES:
            long_modules.append(f"{name}: {len(text.splitlines())} lines")
        for function, lines in _functions(ast.parse(text)):
            if lines > 80 and f"{name}.{function}" not in LONG_FUNCTIONS:
                long_functions.append(f"{name}.{function}: {lines} lines")
    assert not long_modules and not long_functions, long_modules + long_functions


def test_one_module_per_command_each_adding_one_command():
    import argparse
    import importlib

    from wattcad.commands import COMMANDS

    assert sorted(COMMANDS) == sorted(p.stem for p in (REPO / "wattcad" / "commands").glob("*.py") if p.stem != "__init__")
    for name in COMMANDS:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"wattcad.commands.{name}").add(sub)
        assert list(sub.choices) == [name], name


def test_each_output_step_is_defined_once_in_its_own_module():
    """The check, fab, enclosure and render steps: one module each under wattcad/pipeline/outputs, and
    no other module registers an output or defines their run functions again."""
    registered = {}
    for name, path in _python_files().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Output" and node.args:
                registered.setdefault(node.args[0].value, []).append(name)
            if isinstance(node, ast.FunctionDef) and node.name in ("run_check", "run_fab", "run_enclosure", "run_render"):
                registered.setdefault(node.name, []).append(name)
    assert registered == {o: [f"wattcad.pipeline.outputs.{o}"] for o in ("check", "fab", "enclosure", "render")}


# The ADE7816 example's code still outside wattcad/ade7816, to move there; the list only shrinks.
ADE7816_NOT_YET_MOVED = {"wattcad.docs_tables": "docs/parameters.md's tables include the example's board parameters"}
# The package library names its parts (specs by part number): a library, not the tool's logic.
PART_LIBRARY = ("wattcad.footprints.spec", "wattcad.footprints.library")


def _code_words(path: Path) -> str:
    """The module's names and strings, less its docstrings and comments (prose may name the example)."""
    import io
    import tokenize

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {node.body[0].value.lineno for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return " ".join(tok.string for tok in tokens if tok.type in (tokenize.NAME, tokenize.STRING)
                    and not (tok.type == tokenize.STRING and tok.start[0] in docstrings))


def test_the_generic_tool_names_no_ade7816_part():
    """The engine, the commands and the CLI know the example only as a generator named by an entry
    point: no ADE7816 in their code, no import of wattcad.ade7816."""
    offenders = []
    for name, path in _python_files().items():
        if name.startswith("wattcad.ade7816") or name in ADE7816_NOT_YET_MOVED or name in PART_LIBRARY:
            continue
        if "ade7816" in _code_words(path).lower() or "wattcad.ade7816" in imports_of(path, name):
            offenders.append(name)
    assert offenders == []


def test_the_core_imports_nothing_of_wattcad_but_the_core():
    """No upward import: the core (wattcad/core) reaches no room, not even lazily."""
    upward = []
    for name, path in _python_files().items():
        if name.startswith("wattcad.core"):
            upward += [f"{name} -> {i}" for i in sorted(imports_of(path, name))
                       if i.startswith("wattcad") and not i.startswith("wattcad.core") and i not in ("wattcad", "wattcad.__version__")]
    assert upward == []


def _import_graph() -> dict[str, set[str]]:
    """module -> the wattcad modules it imports, at its top or inside a function (a lazy import is
    still a dependency)."""
    files = _python_files()
    return {name: {i for i in imports_of(path, name) if i in files and i != name} for name, path in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, groups, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


# Cycles allowed, each with its reason; the list only shrinks.
ALLOWED_CYCLES = {("wattcad.blender", "wattcad.blender.addon", "wattcad.blender.scene"):
                  "Blender's register pattern: the add-on's __init__ imports its operators, which import the package",
                  ("wattcad.footprints.generate", "wattcad.footprints.landpattern", "wattcad.footprints.spec"):
                  "a spec knows a package by the footprint name the generator gives it; untied with the verifier's issue"}


def test_no_import_cycle_but_the_named_ones():
    assert [c for c in _cycles(_import_graph()) if tuple(c) not in ALLOWED_CYCLES] == []


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
