"""IPC-7351B land-pattern math (pure): package dimensions in, pad geometry out, all in mm.

Z = outer land-to-land distance, G = inner gap, X = land width:
  Zmax = Lmin + 2*Jt + sqrt(CL^2 + F^2 + P^2)
  Gmin = Smax - 2*Jh - sqrt(CS^2 + F^2 + P^2)
  Xmax = Wmin + 2*Js + sqrt(CW^2 + F^2 + P^2)
S (the span between terminal heels) is derived from L and T when a datasheet does not give it:
  Smin = Lmin - 2*Tmax, CS = sqrt(CL^2 + 2*CT^2) (root-sum-square), Smax = Smin + CS.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .spec import Dim, PackageSpec

IPC_DATA = Path(__file__).resolve().parent / "ipc7351b.yaml"


class Density(str, enum.Enum):  # noqa: UP042 - str() of a member is its name here, as a StrEnum would not
    MOST = "most"
    NOMINAL = "nominal"
    LEAST = "least"


@cache
def ipc_data() -> dict:
    return yaml.safe_load(IPC_DATA.read_text(encoding="utf-8"))


def rules() -> dict:
    return ipc_data()["rules"]


@dataclass(frozen=True)
class Fillets:
    toe_mm: float
    heel_mm: float
    side_mm: float
    courtyard_mm: float
    round_mm: float


def fillets(table: str, density: Density) -> Fillets:
    t = ipc_data()["tables"][table]
    d = density.value
    return Fillets(t["toe"][d], t["heel"][d], t["side"][d], t["courtyard"][d], t["round_mm"])


def _round_up(value: float, step: float) -> float:
    return round(math.ceil(round(value / step, 6)) * step, 6)


def _round_down(value: float, step: float) -> float:
    return round(math.floor(round(value / step, 6)) * step, 6)


@dataclass(frozen=True)
class LandRow:
    """One row of lands along an axis: outer extent Z, inner gap G, land width X (mm)."""

    z_mm: float
    g_mm: float
    x_mm: float

    @property
    def land_length_mm(self) -> float:
        return round((self.z_mm - self.g_mm) / 2, 6)

    @property
    def centre_mm(self) -> float:
        """Distance from the package centre to each land's centre."""
        return round((self.z_mm + self.g_mm) / 4, 6)

    @property
    def toe_mm(self) -> float:
        return self.z_mm / 2

    @property
    def heel_mm(self) -> float:
        return self.g_mm / 2


def land_row(span: Dim, terminal_length: Dim, terminal_width: Dim, f: Fillets) -> LandRow:
    """IPC-7351B lands for terminals at both ends of `span` (L), each `terminal_length` (T) long."""
    data = ipc_data()
    fab, place = data["fabrication_tolerance"], data["placement_tolerance"]
    s_min = span.min - 2 * terminal_length.max
    s_tol = math.sqrt(span.tol ** 2 + 2 * terminal_length.tol ** 2)
    s_max = s_min + s_tol
    z = span.min + 2 * f.toe_mm + math.sqrt(span.tol ** 2 + fab ** 2 + place ** 2)
    g = s_max - 2 * f.heel_mm - math.sqrt(s_tol ** 2 + fab ** 2 + place ** 2)
    x = terminal_width.min + 2 * f.side_mm + math.sqrt(terminal_width.tol ** 2 + fab ** 2 + place ** 2)
    return LandRow(_round_up(z, f.round_mm), max(0.0, _round_down(g, f.round_mm)), _round_up(x, f.round_mm))


def table_for(spec: PackageSpec) -> str:
    if spec.kind == "no_lead":
        return "no_lead"
    if spec.kind == "chip":
        return "chip_small" if spec.dim("body_length").nom < 1.6 else "chip"
    raise ValueError(f"no IPC-7351B land-pattern table for kind {spec.kind!r}")


def no_lead_rows(spec: PackageSpec, density: Density) -> tuple[LandRow, LandRow]:
    """Lands of the left/right rows (across body_x) and of the top/bottom rows (across body_y)."""
    f = fillets("no_lead", density)
    t, w = spec.dim("terminal_length"), spec.dim("terminal_width")
    return land_row(spec.dim("body_x"), t, w, f), land_row(spec.dim("body_y"), t, w, f)


def chip_row(spec: PackageSpec, density: Density) -> LandRow:
    f = fillets(table_for(spec), density)
    return land_row(spec.dim("body_length"), spec.dim("terminal_length"), spec.dim("body_width"), f)


def heel_for_ep_clearance(heel_mm: float, ep_half_mm: float) -> float:
    """Pull a land's heel back so it keeps the rule's copper clearance to the exposed pad."""
    need = ep_half_mm + rules()["ep_to_lead_clearance_mm"]
    return max(heel_mm, _round_up(need, 0.005))
