"""Dimensions encoded in footprint names: KiCad's (QFN-40-1EP_6x6mm_P0.5mm_EP4.6x4.6mm, and KiCad 4's
QFN-40-1EP_6x6mm_Pitch0.5mm) and IPC-7351's (QFN50P600X600X80-41N: pitch 0.50, body 6.00 x 6.00,
height 0.80, 41 pads counting the thermal pad)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_NAME_RE = re.compile(
    r"^(?P<family>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*?)-(?P<pins>\d+)(?:-(?P<eps>\d+)EP)?"
    r"_(?P<bx>\d+(?:\.\d+)?)x(?P<by>\d+(?:\.\d+)?)mm"
    r"(?:_[^_]*?)*?_P(?:itch)?(?P<pitch>\d+(?:\.\d+)?)mm"
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


# IPC-7351B: family, pitch, body length x width x height (hundredths of a millimetre), pad count.
_IPC_RE = re.compile(r"^(?P<family>[A-Z]*(?:QFN|DFN|SON))(?P<pitch>\d+)P(?P<bx>\d+)X(?P<by>\d+)"
                     r"X(?P<h>\d+)-(?P<pads>\d+)[LNM]?$", re.IGNORECASE)


def _parse_ipc(name: str) -> NameDims | None:
    m = _IPC_RE.match(name)
    if not m:
        return None
    family = m.group("family").upper()
    pads = int(m.group("pads"))
    # The count includes a thermal pad: one more than the leads' multiple (4 sides, or 2 for DFN/SON).
    sides = 2 if ("DFN" in family or "SON" in family) else 4
    eps = 1 if pads % sides == 1 else 0
    return NameDims(family=family, pins=pads - eps, exposed_pads=eps, body_x_mm=int(m.group("bx")) / 100,
                    body_y_mm=int(m.group("by")) / 100, pitch_mm=int(m.group("pitch")) / 100,
                    ep_x_mm=None, ep_y_mm=None)


def parse_name(name: str) -> NameDims | None:
    m = _NAME_RE.match(name)
    if not m:
        return _parse_ipc(name)
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
