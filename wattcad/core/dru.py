"""KiCad custom design rules (.kicad_dru), read as far as the router honours them (pure).

The router honours two kinds of rule; KiCad's DRC checks every rule, these included:
- a clearance one net class keeps from every other: condition "A.NetClass == 'X' && B.NetClass != 'X'";
- an area some nets' tracks or vias keep out of: (constraint disallow track via) with a condition
  made of `A.intersectsArea('NAME')` (or enclosedByArea) and tests of A's net class or net name.
Anything else (or, not, B's properties other than the above) is left to KiCad's DRC."""
from __future__ import annotations

import re
from dataclasses import dataclass

from wattcad.core.errors import InputError


@dataclass(frozen=True)
class Rule:
    name: str
    layer: str | None
    condition: str
    constraints: tuple[tuple[str, ...], ...]  # (kind, argument tokens...)


@dataclass(frozen=True)
class AreaRule:
    """Nets matching every (property, operator, value) test keep their tracks/vias out of AREA."""

    name: str
    area: str
    tests: tuple[tuple[str, str, str], ...]  # ("NetClass" | "NetName", "==" | "!=", value)
    layer: str | None
    tracks: bool
    vias: bool

    def applies(self, net_name: str, net_class: str) -> bool:
        values = {"NetClass": net_class, "NetName": net_name}
        return all((values[prop] == value) == (op == "==") for prop, op, value in self.tests)


_TOKEN = re.compile(r'\(|\)|"(?:[^"\\]|\\.)*"|[^\s()]+')


def _tree(text: str, path):
    stack: list[list] = [[]]
    for tok in _TOKEN.findall(re.sub(r"^\s*#.*$", "", text, flags=re.M)):
        if tok == "(":
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                raise InputError(path, None, "unbalanced ')' in the rules file")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok[1:-1] if tok.startswith('"') else tok)
    if len(stack) != 1:
        raise InputError(path, None, "unbalanced '(' in the rules file")
    return stack[0]


def parse_rules(text: str, path=None) -> list[Rule]:
    rules = []
    for node in _tree(text, path):
        if not (isinstance(node, list) and node and node[0] == "rule"):
            continue
        name = node[1] if len(node) > 1 and isinstance(node[1], str) else ""
        layer, condition, constraints = None, "", []
        for item in node[2:]:
            if not isinstance(item, list) or not item:
                continue
            if item[0] == "layer" and len(item) > 1:
                layer = item[1]
            elif item[0] == "condition" and len(item) > 1:
                condition = item[1]
            elif item[0] == "constraint" and len(item) > 1:
                constraints.append(tuple(x if isinstance(x, str) else " ".join(map(str, x)) for x in item[1:]))
        rules.append(Rule(name, layer, condition, tuple(constraints)))
    return rules


_CLASS_VS_REST = re.compile(r"^\s*A\.NetClass\s*==\s*'([^']+)'\s*&&\s*B\.NetClass\s*!=\s*'([^']+)'")
_MIN_MM = re.compile(r"min\s+([\d.]+)\s*mm")


def class_clearances(rules: list[Rule]) -> dict[str, float]:
    """Net class -> the clearance it keeps from every other class."""
    out = {}
    for r in rules:
        m = _CLASS_VS_REST.match(r.condition)
        for c in r.constraints:
            mm = _MIN_MM.search(" ".join(c[1:])) if c[0] == "clearance" else None
            if m and mm and m.group(1) == m.group(2):
                out[m.group(1)] = float(mm.group(1))
    return out


_AREA = re.compile(r"^A\.(?:intersectsArea|enclosedByArea)\('([^']+)'\)$")
_TEST = re.compile(r"^A\.(NetClass|NetName)\s*(==|!=)\s*'([^']*)'$")


def area_rules(rules: list[Rule]) -> list[AreaRule]:
    """The rules that keep some nets' tracks or vias out of a named area, in a form the router can
    apply; rules of any other form are left out (KiCad's DRC still checks them)."""
    out = []
    for r in rules:
        disallowed = {word for c in r.constraints if c[0] == "disallow" for word in c[1:]}
        if not disallowed & {"track", "via"} or "||" in r.condition or "!(" in r.condition:
            continue
        area, tests, understood = None, [], True
        for term in (t.strip() for t in r.condition.split("&&")):
            if (m := _AREA.match(term)) and area is None:
                area = m.group(1)
            elif m := _TEST.match(term):
                tests.append((m.group(1), m.group(2), m.group(3)))
            else:
                understood = False
        if understood and area is not None:
            out.append(AreaRule(r.name, area, tuple(tests), r.layer, "track" in disallowed, "via" in disallowed))
    return out
