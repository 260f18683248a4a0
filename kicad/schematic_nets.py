"""Connectivity of a generated schematic, read back with kicad-skip: which net each symbol pin is
on (through its wire to a net label or power symbol) and which pins carry a no-connect flag."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


def _pt(v) -> tuple[float, float]:
    return round(float(v[0]), 3), round(float(v[1]), 3)


@dataclass
class SchematicNets:
    pin_nets: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    no_connect: set[tuple[str, str]] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)

    def net(self, ref: str, pin: str) -> str | None:
        nets = self.pin_nets.get((ref, pin), set())
        return next(iter(nets)) if len(nets) == 1 else None

    def members(self, net: str) -> set[tuple[str, str]]:
        return {key for key, nets in self.pin_nets.items() if net in nets}


def read_schematic_nets(path: str | Path) -> SchematicNets:
    import skip

    sch = skip.Schematic(str(path))
    result = SchematicNets()
    at_point: dict[tuple[float, float], list[tuple[str, str]]] = defaultdict(list)
    for s in sch.symbol:
        ref = str(s.property.Reference.value)
        result.values[ref] = str(s.property.Value.value)
        pins = s.pin
        if ref.startswith("#") or pins is None or not hasattr(pins, "__len__"):
            continue  # power symbols name nets; mounting holes have no pins
        for i in range(len(pins)):
            at_point[_pt(pins[i].location.value)].append((ref, str(pins[i].number)))
    names: dict[tuple[float, float], set[str]] = defaultdict(set)
    for label in sch.label:
        names[_pt(label.at.value)].add(str(label.value))
    for s in sch.symbol:
        if str(s.property.Reference.value).startswith("#PWR"):
            names[_pt(s.at.value)].add(str(s.property.Value.value))
    # A pin's net: a label or power symbol on the pin itself or at the far end of its wire.
    for point, pins in at_point.items():
        for key in pins:
            result.pin_nets[key] |= names.get(point, set())
    for w in sch.wire:
        a, b = _pt(w.start.value), _pt(w.end.value)
        for near, far in ((a, b), (b, a)):
            for key in at_point.get(near, []):
                result.pin_nets[key] |= names.get(far, set())
    for nc in sch.no_connect:
        for key in at_point.get(_pt(nc.at.value), []):
            result.no_connect.add(key)
    return result
