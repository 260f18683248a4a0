"""A small, fast reader and writer for KiCad's S-expression files (stdlib only).

The reader keeps atoms as strings (quoted ones as `Quoted`, so a writer can tell them apart) and
lists as Python lists; numbers are converted where a caller asks for them.
"""
from __future__ import annotations

import re

_TOKEN_RE = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([^\s()"]+))', re.S)


class Quoted(str):
    """An atom that was (or must be written) in double quotes."""


class SexprError(ValueError):
    """The text is not a well-formed S-expression."""


def parse(text: str) -> list:
    """Parse one top-level S-expression; raise SexprError on malformed or truncated text."""
    stack: list[list] = []
    root = None
    pos = 0
    end = len(text)
    match = _TOKEN_RE.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            if text[pos:].strip() == "":
                break
            raise SexprError(f"unexpected character at offset {pos}")
        pos = m.end()
        opening, closing, quoted, atom = m.groups()
        if opening:
            node: list = []
            if stack:
                stack[-1].append(node)
            elif root is not None:
                raise SexprError(f"more than one top-level expression (offset {m.start()})")
            else:
                root = node
            stack.append(node)
        elif closing:
            if not stack:
                raise SexprError(f"unbalanced ')' at offset {m.start()}")
            stack.pop()
        elif quoted is not None:
            if not stack:
                raise SexprError("atom outside any expression")
            stack[-1].append(Quoted(quoted.replace('\\"', '"').replace("\\\\", "\\")))
        elif atom is not None:
            if not stack:
                raise SexprError("atom outside any expression")
            stack[-1].append(atom)
        else:  # only trailing whitespace matched
            break
    if stack:
        raise SexprError(f"truncated: {len(stack)} expression(s) not closed")
    if root is None:
        raise SexprError("empty file")
    return root


def children(node: list, name: str) -> list[list]:
    """All direct child lists whose head is `name`."""
    return [c for c in node[1:] if isinstance(c, list) and c and c[0] == name]


def child(node: list, name: str) -> list | None:
    for c in node[1:]:
        if isinstance(c, list) and c and c[0] == name:
            return c
    return None


def quote(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def fmt_mm(value: float) -> str:
    """Millimetres as KiCad writes them: at most 6 decimals, no trailing zeros, no '-0'."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


MAX_INLINE = 10_000  # characters of a list of atoms written on one line


def dump(node, indent: int = 0) -> str:
    """Write a tree in KiCad's layout: one list per line, tabs, short leaf lists inline."""
    if not isinstance(node, list):
        if isinstance(node, Quoted):
            return quote(node)
        if isinstance(node, float):
            return fmt_mm(node)
        return str(node)
    if all(not isinstance(c, list) for c in node):
        line = "(" + " ".join(dump(c) for c in node) + ")"
        if len(line) <= MAX_INLINE:
            return line
        # An embedded file's data (megabytes of base64 atoms): one atom a line, as KiCad writes it;
        # KiCad's reader refuses a line over 1,000,000 characters.
        pad = "\t" * (indent + 1)
        return "(" + dump(node[0]) + "".join(f"\n{pad}{dump(c)}" for c in node[1:]) + "\n" + "\t" * indent + ")"
    pad = "\t" * (indent + 1)
    head = []
    rest = []
    for _i, c in enumerate(node):
        if isinstance(c, list) or rest:
            rest.append(c)
        else:
            head.append(c)
    lines = ["(" + " ".join(dump(c) for c in head)]
    for c in rest:
        lines.append(pad + dump(c, indent + 1))
    lines.append("\t" * indent + ")")
    return "\n".join(lines)
