"""Dimensions encoded in KiCad footprint names, e.g. QFN-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm."""
from __future__ import annotations

import re
from dataclasses import dataclass

_NAME_RE = re.compile(
    r"^(?P<family>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*?)-(?P<pins>\d+)(?:-(?P<eps>\d+)EP)?"
    r"_(?P<bx>\d+(?:\.\d+)?)x(?P<by>\d+(?:\.\d+)?)mm"
    r"(?:_[^_]*?)*?_P(?P<pitch>\d+(?:\.\d+)?)mm"
    r"(?:_EP(?P<epx>\d+(?:\.\d+)?)x(?P<epy>\d+(?:\.\d+)?)mm)?"
)
NO_LEAD_FAMILIES = ("QFN", "DFN", "LFCSP", "SON", "WSON", "VSON", "USON", "XSON", "TSON", "VQFN", "WQFN", "UQFN",
                    "TQFN", "XQFN", "HVQFN", "VDFN", "UDFN", "WDFN", "TDFN", "XDFN", "MLF", "MLPQ", "QFN-",
                    "DHVQFN", "HVSON", "HUSON", "PQFN", "SQFN", "VFQFPN", "HTQFN", "WFQFN", "UFQFPN")


@dataclass(frozen=True)
class NameDims:
    family: str
    pins: int
    exposed_pads: int
    body_x_mm: float
    body_y_mm: float
    pitch_mm: float
    ep_x_mm: float | None
    ep_y_mm: float | None

    @property
    def two_sided(self) -> bool:
        """DFN/SON style: pads on two opposite sides only."""
        fam = self.family.upper()
        return "SON" in fam or "DFN" in fam


def parse_name(name: str) -> NameDims | None:
    m = _NAME_RE.match(name)
    if not m:
        return None
    fam = m.group("family")
    return NameDims(
        family=fam, pins=int(m.group("pins")), exposed_pads=int(m.group("eps") or 0),
        body_x_mm=float(m.group("bx")), body_y_mm=float(m.group("by")), pitch_mm=float(m.group("pitch")),
        ep_x_mm=float(m.group("epx")) if m.group("epx") else None,
        ep_y_mm=float(m.group("epy")) if m.group("epy") else None,
    )


def is_no_lead_name(name: str) -> bool:
    dims = parse_name(name)
    if dims is None:
        return False
    fam = dims.family.upper().split("-")[-1]
    return any(fam.endswith(f) for f in ("QFN", "DFN", "LFCSP", "SON", "MLF", "MLPQ", "QFPN"))
