"""KiCad's own netlist (kicad-cli sch export netlist, KiCad S-expression format), read as data.
KiCad's netlist carries the net names KiCad gives (/IAP, +3V3) and each symbol's sheet path and
UUID, which the board's footprints need for schematic parity."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wattcad.core.errors import InputError
from wattcad.footprints import sexpr

from .kicad_cli import INVALID_INPUT, run_kicad_cli


@dataclass(frozen=True)
class Component:
    ref: str
    value: str
    footprint: str  # Library:Name
    path: str  # /sheet-uuids.../symbol-uuid
    fields: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    properties: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Netlist:
    components: dict[str, Component]
    nets: dict[str, list[tuple[str, str]]]  # net name -> (ref, pin)
    pin_names: dict[tuple[str, str], str] = field(default_factory=dict)  # (ref, pin) -> the symbol's pin name

    def pin_net(self) -> dict[tuple[str, str], str]:
        return {node: name for name, nodes in self.nets.items() for node in nodes}


def parse_netlist(path: str | Path) -> Netlist:
    path = Path(path)
    try:
        root = sexpr.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, sexpr.SexprError) as exc:
        raise InputError(path, None, f"cannot read netlist: {exc}") from None
    if not root or root[0] != "export":
        raise InputError(path, None, "not a KiCad netlist (no top-level 'export')")
    components = {}
    for comp in sexpr.children(sexpr.child(root, "components") or ["components"], "comp"):
        ref = str(sexpr.child(comp, "ref")[1])
        value = sexpr.child(comp, "value")
        fp = sexpr.child(comp, "footprint")
        sheet = sexpr.child(comp, "sheetpath")
        tstamps = sexpr.child(comp, "tstamps")
        sheet_ts = str(sexpr.child(sheet, "tstamps")[1]) if sheet is not None else "/"
        fields = {}
        fields_node = sexpr.child(comp, "fields")
        if fields_node is not None:
            for f in sexpr.children(fields_node, "field"):
                name = sexpr.child(f, "name")
                fields[str(name[1])] = str(f[2]) if len(f) > 2 else ""
        properties = {}
        for prop in sexpr.children(comp, "property"):
            name, val = sexpr.child(prop, "name"), sexpr.child(prop, "value")
            properties[str(name[1])] = str(val[1]) if val is not None else ""
        components[ref] = Component(ref, str(value[1]) if value else "", str(fp[1]) if fp else "",
                                    sheet_ts.rstrip("/") + "/" + (str(tstamps[1]) if tstamps else ""), fields, properties)
    nets, pin_names = {}, {}
    for net in sexpr.children(sexpr.child(root, "nets") or ["nets"], "net"):
        name = str(sexpr.child(net, "name")[1])
        nets[name] = []
        for n in sexpr.children(net, "node"):
            node = (str(sexpr.child(n, "ref")[1]), str(sexpr.child(n, "pin")[1]))
            nets[name].append(node)
            function = sexpr.child(n, "pinfunction")
            if function is not None:
                # KiCad 10 appends "_<number>" to some pins' names ("~{RESET}_4"): the name is without it.
                name_text = str(function[1])
                pin_names[node] = name_text.removesuffix(f"_{node[1]}") if name_text != f"_{node[1]}" else name_text
    return Netlist(components, nets, pin_names)


def export_kicad_netlist(schematic: Path, out: Path) -> Path:
    # A schematic kicad-cli cannot load is bad input; any other failure is kicad-cli's (exit 4).
    result = run_kicad_cli(["sch", "export", "netlist", "--format", "kicadsexpr", "-o", str(out), str(schematic)],
                           f"exporting the netlist of {Path(schematic).name}", timeout_s=300, ok_codes=(0, INVALID_INPUT))
    if result.returncode != 0:
        raise InputError(schematic, None, f"kicad-cli could not export the netlist: {result.stderr.strip()}")
    return out
