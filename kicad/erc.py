"""ERC of any KiCad schematic through kicad-cli: errors fail, warnings fail unless waived with a
reason, a library not found fails whatever its severity (kicad-cli calls it a warning)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from wattcad.core.errors import EXIT_MISMATCH, WattcadError
from wattcad.footprints import sexpr

from .kicad_cli import INVALID_INPUT, run_kicad_cli

STOCK_SYMBOLS = Path(os.environ.get("KICAD9_SYMBOL_DIR", "/usr/share/kicad/symbols"))


class ErcFailed(WattcadError):
    """ERC or a design check found a problem in the generated project."""

    exit_code = EXIT_MISMATCH


def library_paths_exist(work: Path) -> list[str]:
    """Every library the project's tables name, resolved: the ones missing on disk."""
    env = {"KIPRJMOD": str(work), "KICAD9_SYMBOL_DIR": os.environ.get("KICAD9_SYMBOL_DIR", str(STOCK_SYMBOLS)),
           "KICAD9_FOOTPRINT_DIR": os.environ.get("KICAD9_FOOTPRINT_DIR", "/usr/share/kicad/footprints")}
    missing = []
    for table in ("sym-lib-table", "fp-lib-table"):
        if not (work / table).is_file():
            continue  # a project that uses only the global tables
        tree = sexpr.parse((work / table).read_text(encoding="utf-8"))
        for lib in sexpr.children(tree, "lib"):
            uri = str(sexpr.child(lib, "uri")[1])
            path = re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), m.group(0)), uri)
            if not Path(path).exists():
                missing.append(f"{table}: {sexpr.child(lib, 'name')[1]} -> {path}")
    return missing


def run_erc(work: Path, name: str, waivers: list[dict], schematic: Path | None = None) -> dict:
    """kicad-cli ERC with every severity; errors fail, warnings fail unless waived with a reason;
    a library that was not found fails whatever its severity (kicad-cli calls it a warning).
    SCHEMATIC: another file than WORK/NAME.kicad_sch (a KiCad 5 project's .sch)."""
    out = work / "erc.json"
    sch = Path(schematic or work / f"{name}.kicad_sch")
    # A schematic kicad-cli cannot load fails the check as before; any other failure is kicad-cli's.
    result = run_kicad_cli(["sch", "erc", "--format", "json", "--severity-all", "--units", "mm", "-o", str(out), str(sch)],
                           f"running ERC on {sch.name}", timeout_s=300, ok_codes=(0, INVALID_INPUT))
    if result.returncode != 0 or not out.exists():
        raise ErcFailed(f"kicad-cli sch erc failed: {result.stderr.strip() or result.stdout.strip()}")
    report = json.loads(out.read_text(encoding="utf-8"))
    violations = [v for sheet in report.get("sheets", []) for v in sheet.get("violations", [])]
    errors, unwaived, waived, missing_libs = [], [], [], []
    for v in violations:
        where = ", ".join(f"{i.get('description')} @({i.get('pos', {}).get('x')}, {i.get('pos', {}).get('y')})"
                          for i in v.get("items", []))
        text = f"[{v.get('type')}] {v.get('description')}: {where}"
        if v.get("type") in ("lib_symbol_issues", "footprint_link_issues"):
            missing_libs.append(text)
        elif v.get("severity") == "error":
            errors.append(text)
        elif any(w["type"] == v.get("type") and w.get("match", "") in text for w in waivers):
            waived.append(text)
        else:
            unwaived.append(text)
    summary = {"violations": len(violations), "errors": errors, "unwaived_warnings": unwaived,
               "waived_warnings": waived, "library_issues": missing_libs,
               "missing_library_files": library_paths_exist(work)}
    out.unlink()
    return summary
