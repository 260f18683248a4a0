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


def exit_code(results: list[CheckResult]) -> int:
    return EXIT_MISMATCH if any(r.status == "fail" for r in results) else EXIT_OK
