"""DRC with schematic parity through kicad-cli, with the checks that what is checked was loaded."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.footprints import sexpr

from .kicad_cli import INVALID_INPUT, run_kicad_cli

_LIBRARY_ONLY = re.compile(r"\[footprint_symbol_mismatch\] [^:\s]+:(\S+) doesn't match footprint given by symbol "
                           r"\([^:\s]+:(\S+)\)")


def same_footprint_other_library(parity_text: str) -> bool:
    """KiCad's parity check reports a footprint whose library nickname differs from the symbol's
    (a project library holding a copy of KiCad's footprint, as KiCad's own demos do): the same
    footprint by name, not a board that differs from its schematic."""
    m = _LIBRARY_ONLY.match(parity_text)
    return bool(m) and m[1] == m[2]


# Parity entries that say a footprint's text differs from its symbol's, not that the board differs
# from its schematic: KiCad 10's field check (a library footprint's Description or Datasheet is not
# the symbol's, on nearly every board) and the symbol's footprint filters (a library hint).
PARITY_WARNINGS = frozenset({"footprint_symbol_field_mismatch", "footprint_filters_mismatch"})


@dataclass
class DrcResult:
    board: Path
    errors: list[str] = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)
    unconnected: int = 0
    parity: list[str] = field(default_factory=list)  # the board is not its schematic: blocks the fab
    parity_warnings: list[str] = field(default_factory=list)  # PARITY_WARNINGS: said, never a blocker
    setup_problems: list[str] = field(default_factory=list)
    courtyard_overlaps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the check could not hold, said, not failed

    @property
    def fab_blockers(self) -> list[str]:
        """Why the board is not for the fab yet: unrouted connections, DRC errors, a board that is
        not its schematic (parity issues, but for a footprint named from another library)."""
        real_parity = [p for p in self.parity if not same_footprint_other_library(p)]
        return ([f"{self.unconnected} unrouted connections"] if self.unconnected else []) + \
               ([f"{len(self.errors)} DRC errors"] if self.errors else []) + \
               ([f"{len(real_parity)} schematic parity issues"] if real_parity else [])

    @property
    def clean(self) -> bool:
        return not (self.errors or self.parity or self.setup_problems or self.courtyard_overlaps)

    def to_json(self) -> dict:
        return {"board": self.board.name, "clean": self.clean, "errors": self.errors, "warnings": dict(sorted(self.warnings.items())),
                "unconnected_items": self.unconnected, "schematic_parity": self.parity,
                "schematic_parity_warnings": self.parity_warnings,
                "setup_problems": self.setup_problems, "courtyard_overlaps": self.courtyard_overlaps, "notes": self.notes}

    def summary(self) -> str:
        warn = ", ".join(f"{n} {k}" for k, n in sorted(self.warnings.items())) or "none"
        return (f"{self.board.name}: {len(self.errors)} DRC errors, {len(self.parity)} parity issues, "
                f"{self.unconnected} unrouted connections; warnings: {warn}"
                + (f"; SETUP: {'; '.join(self.setup_problems)}" if self.setup_problems else "")
                + (f"; note: {'; '.join(self.notes)}" if self.notes else ""))


LONE_BOARD_NOTE = ("no .kicad_pro beside the board: DRC used the rules the board file carries and KiCad's defaults "
                   "for what a project file would hold")


def check_setup(board: Path, rules: dict | None) -> list[str]:
    """kicad-cli runs DRC with default rules when the project file is missing and ignores a broken
    rules file: check both are there and say what we meant. `rules` None: a user's board, checked
    against its own rules (a .kicad_dru is then optional, but must parse). A lone board (no
    project file) is checked with what it carries: run_drc says so as a note."""
    problems = []
    pro = board.with_suffix(".kicad_pro")
    if not pro.exists():
        dru = board.with_suffix(".kicad_dru")
        return _dru_problems(dru) if dru.exists() else []
    dru = board.with_suffix(".kicad_dru")
    if rules is None:
        return _dru_problems(dru) if dru.exists() else []
    settings = json.loads(pro.read_text(encoding="utf-8")).get("board", {}).get("design_settings", {}).get("rules", {})
    for key, want in (("min_track_width", rules["min_track_mm"]), ("min_clearance", rules["min_clearance_mm"]),
                      ("min_through_hole_diameter", rules["min_drill_mm"])):
        if abs(float(settings.get(key, -1)) - want) > 1e-6:
            problems.append(f"{pro.name}: {key} is {settings.get(key)}, the fab needs {want}")
    return problems + (_dru_problems(dru) if dru.exists() else [f"{dru.name} missing"])


def _dru_problems(dru: Path) -> list[str]:
    try:
        sexpr.parse("(rules " + dru.read_text(encoding="utf-8") + ")")
    except (sexpr.SexprError, OSError) as exc:
        return [f"{dru.name} is broken ({exc}); kicad-cli would ignore it silently"]
    return []


def drc_report(board: Path, *options: str) -> tuple[dict | None, str]:
    """kicad-cli's DRC report of BOARD as data (None and its complaint when kicad-cli fails). The
    report goes to a scratch folder: the board's own may be read-only, or shared by two steps."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wattcad-drc-") as scratch:
        out = Path(scratch) / f"{board.stem}-drc-raw.json"
        # A board kicad-cli cannot load is the caller's to report (a setup problem, bad input); any
        # other failure or a crash is kicad-cli's own (ToolFailedError).
        proc = run_kicad_cli(["pcb", "drc", *options, "--format", "json", "--units", "mm", "-o", str(out), str(board)],
                             f"running DRC on {board.name}", timeout_s=600, ok_codes=(0, INVALID_INPUT))
        if proc.returncode != 0 or not out.exists():
            return None, proc.stderr.strip() or proc.stdout.strip()
        return json.loads(out.read_text(encoding="utf-8")), ""


def violation_text(v: dict) -> str:
    return f"[{v['type']}] {v['description']}: " + ", ".join(i["description"] for i in v.get("items", []))


def run_drc(board: Path, rules: dict | None, parity: bool = True) -> DrcResult:
    data, complaint = drc_report(board, *(("--schematic-parity",) if parity else ()), "--severity-all")
    result = DrcResult(board, setup_problems=check_setup(board, rules),
                       notes=[] if board.with_suffix(".kicad_pro").exists() else [LONE_BOARD_NOTE])
    if data is None:
        result.setup_problems.append(f"kicad-cli pcb drc failed: {complaint}")
        return result
    for v in data.get("violations", []):
        text = violation_text(v)
        if v["type"] in ("courtyards_overlap", "malformed_courtyard"):
            result.courtyard_overlaps.append(text)
        if v["severity"] == "error":
            result.errors.append(text)
        else:
            result.warnings[v["type"]] += 1
    result.unconnected = len(data.get("unconnected_items", []))
    result.parity, result.parity_warnings = split_parity(data.get("schematic_parity", []))
    for text in result.parity_warnings:
        result.warnings[text[1:text.index("]")]] += 1
    return result


def split_parity(entries: list[dict]) -> tuple[list[str], list[str]]:
    """kicad-cli's schematic_parity entries as (those that block the fab, those that are warnings)."""
    blocking = [violation_text(v) for v in entries if v["type"] not in PARITY_WARNINGS]
    return blocking, [violation_text(v) for v in entries if v["type"] in PARITY_WARNINGS]
