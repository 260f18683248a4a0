"""wattcad's enclosure built around the board in a scratch folder: its fit check."""
from __future__ import annotations

import tempfile
from pathlib import Path

from wattcad.checks.project import Project
from wattcad.checks.registry import DEFAULT, Check, Context, register_check
from wattcad.checks.result import CheckResult
from wattcad.core.errors import InputError


def check_enclosure(project: Project, context: Context = DEFAULT) -> list[CheckResult]:
    from wattcad.enclosure_job import build_enclosure

    if not project.board.is_file():
        return [CheckResult("enclosure", "enclosure fit", "skip", f"{project.board.name} not found")]
    with tempfile.TemporaryDirectory(prefix="wattcad-check-") as tmp:
        try:
            fit = build_enclosure(project.board, Path(tmp) / "enclosure", views=False).fit
        except InputError as exc:  # no outline, say: no enclosure can be built around it
            return [CheckResult("enclosure", "enclosure fit", "fail", str(exc))]
    collisions = [f"{c['part']} collides with the {c['with']}: {c['volume_mm3']} mm3" for c in fit["collisions"]]
    message = (f"interference {fit['interference_mm3']} mm3, smallest clearance {fit['min_clearance_mm']} mm "
               f"({' / '.join(fit['min_clearance_between'])})")
    return [CheckResult("enclosure", "enclosure fit", "pass" if fit["fits"] else "fail", message, collisions)]


register_check(Check("enclosure", check_enclosure, 90, optional=True))
