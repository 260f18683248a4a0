"""One check's result, and the exit code of many."""
from __future__ import annotations

from dataclasses import dataclass, field

from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK


@dataclass
class CheckResult:
    group: str  # erc | drc | fabrication | footprints | mating | analog | enclosure
    name: str
    status: str  # pass | fail | skip
    message: str = ""
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # "[check] message": notes that do not fail it


def warning_counts(results: list[CheckResult]) -> dict[str, int]:
    """How many warnings of each class ("pads inside courtyard": 12), most first."""
    counts: dict[str, int] = {}
    for r in results:
        for w in r.warnings:
            kind = w[1:w.index("]")] if w.startswith("[") and "]" in w else "warning"
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def exit_code(results: list[CheckResult]) -> int:
    return EXIT_MISMATCH if any(r.status == "fail" for r in results) else EXIT_OK
