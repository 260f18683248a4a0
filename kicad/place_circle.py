"""Circular placement on a pcbnew board: the one function the CLI and the action plugin call."""
from __future__ import annotations

from dataclasses import dataclass, field

from wattcad.core.errors import InputError
from wattcad.core.placement import Pose, circle_poses

from .pcbnew_compat import pcbnew


@dataclass
class PlaceResult:
    moved: list[Pose] = field(default_factory=list)
    skipped_locked: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        out = [f"placed {len(self.moved)} part(s): {', '.join(p.ref for p in self.moved)}"]
        if self.skipped_locked:
            out.append(f"skipped locked part(s) {', '.join(self.skipped_locked)} (use --force to move them)")
        return out


def place_on_circle(board: pcbnew.BOARD, refs: list[str], centre_mm: tuple[float, float], radius_mm: float,
                    start_angle_deg: float = 0.0, step_deg: float | None = None, arc_deg: float | None = None,
                    orient: str = "radial", order: str = "ref", force: bool = False,
                    rotation_offset_deg: float = 0.0) -> PlaceResult:
    """Move the footprints REFS onto a circle. Every ref is checked before anything moves, so a
    missing one leaves the board untouched."""
    footprints = {fp.GetReference(): fp for fp in board.GetFootprints()}
    missing = [r for r in refs if r not in footprints]
    if missing:
        raise InputError(board.GetFileName() or None, "--refs", "no such footprint(s) on the board", ", ".join(missing))
    result = PlaceResult()
    movable = []
    for ref in refs:
        if footprints[ref].IsLocked() and not force:
            result.skipped_locked.append(ref)
        else:
            movable.append(ref)
    if not movable:
        return result
    for pose in circle_poses(movable, centre_mm, radius_mm, start_angle_deg, step_deg, arc_deg, orient, order,
                             rotation_offset_deg):
        fp = footprints[pose.ref]
        fp.SetPosition(pcbnew.VECTOR2I(pcbnew.FromMM(pose.x_mm), pcbnew.FromMM(pose.y_mm)))
        if pose.angle_deg is not None:
            fp.SetOrientation(pcbnew.EDA_ANGLE(pose.angle_deg, pcbnew.DEGREES_T))
        result.moved.append(pose)
    return result
