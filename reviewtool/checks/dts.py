"""DTS coding style on the lines a patch adds: names, unit addresses, property order.

Line-based on purpose: a DTS patch usually shows a few hunks of a large
file, so the checks follow nodes through the visible lines (context and
added) and only blame lines the patch adds.  The rules' patterns and lists
live in their params so a subsystem with other conventions can tune them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..artifacts.ctables import CompatUse
from ..classify import is_dts_path
from ..syntax.source import Segment, SourceView, source_view
from . import check

_DIRECTIVE = re.compile(r"^\s*(?:#\s*(?:include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma)\b"
                        r"|/(?:dts-v1|plugin|include|memreserve|delete-property|delete-node|bits)/)")
_LABELS = r"((?:[A-Za-z_][\w]*\s*:\s*)*)"
_NODE = re.compile(rf"^\s*(?:/omit-if-no-ref/\s*)?{_LABELS}([^\s{{}}=;&/@:]+)(?:@([^\s{{}}]*))?\s*\{{")
_PROP = re.compile(rf"^\s*{_LABELS}([#A-Za-z0-9,._+?-]+)\s*(=|;)")
_CLOSE = re.compile(r"^\s*\}\s*;")
_STRINGS = re.compile(r'"([^"\\]*)"')


@dataclass
class DtsLine:
    line: int
    kind: str  # "node", "prop", "close", "other"
    name: str = ""
    unit: str | None = None


def classify_line(code: str) -> DtsLine | None:
    """What a DTS line starts: a node, a property, a node's end (None: something else)."""
    if _DIRECTIVE.match(code):
        return None
    m = _NODE.match(code)
    if m and not code.lstrip().startswith("&"):
        return DtsLine(0, "node", m.group(2), m.group(3))
    m = _PROP.match(code)
    if m:
        return DtsLine(0, "prop", m.group(2))
    if _CLOSE.match(code):
        return DtsLine(0, "close")
    if re.match(r"^\s*&[\w{/,@-]+[^;]*\{", code) or re.match(r"^\s*/\s*\{", code):
        return DtsLine(0, "node", "")  # &label { ... } or the root node: no name to check
    return None


def dts_views(ctx):
    for f in ctx.patch.files:
        if is_dts_path(f.path) and f.status != "removed":
            yield f, source_view(ctx, ctx.patch, f)


def _segment_lines(seg: Segment):
    code_lines = seg.code.split("\n")
    for (n, text), code in zip(seg.lines, code_lines):
        yield n, text, code


def dts_compatible_uses(view: SourceView) -> list[CompatUse]:
    """Strings of ``compatible = ...;`` properties, each with the line it is on."""
    out: list[CompatUse] = []
    for seg in view.segments:
        inside = False
        for n, text, code in _segment_lines(seg):
            if not inside:
                m = re.match(rf"^\s*{_LABELS}compatible\s*=(.*)$", code)
                if not m:
                    continue
                rest = m.group(2)
                inside = True
            else:
                rest = code
            for s in _STRINGS.findall(rest):
                out.append(CompatUse(s, n, text, "DTS compatible property"))
            if ";" in _STRINGS.sub("", rest):
                inside = False
    return out


# --------------------------------------------------------------------------


def _unit_problem(unit: str) -> str | None:
    for part in unit.split(","):
        if part.lower().startswith("0x"):
            return f'"{unit}" has a 0x prefix; unit addresses are plain hex'
        if not re.fullmatch(r"[0-9a-fA-F]+", part):
            return None  # bus-specific format: not ours to judge
        if part != part.lower():
            return f'"{unit}" uses upper-case hex; write it in lower case'
        if len(part) > 1 and part.startswith("0"):
            return f'"{unit}" is zero-padded; drop the leading zeros'
    return None


@check("dts-node-name")
def dts_node_name(ctx):
    node_ok = re.compile(ctx.params.get("node_name", r"^[a-z0-9-]+$"))
    prop_ok = re.compile(ctx.params.get("property_name", r"^#?(?:[a-z0-9-]+,)?[a-z0-9-]+$"))
    allowed = set(ctx.params.get("allowed_properties", ["device_type"]))
    for f, view in dts_views(ctx):
        for seg in view.segments:
            for n, text, code in _segment_lines(seg):
                if n not in view.added:
                    continue
                info = classify_line(code)
                if info is None:
                    continue
                if info.kind == "node" and info.name:
                    if not info.name.startswith("__") and not node_ok.match(info.name):
                        yield ctx.finding(anchor="diff", path=f.path, line=n, text=text,
                                          what=f'node name "{info.name}"',
                                          problem="use only lower-case letters, digits and '-'")
                    if info.unit and (problem := _unit_problem(info.unit)):
                        yield ctx.finding(anchor="diff", path=f.path, line=n, text=text,
                                          what=f'unit address of "{info.name}@{info.unit}"', problem=problem)
                elif info.kind == "prop" and info.name not in allowed and not prop_ok.match(info.name):
                    yield ctx.finding(anchor="diff", path=f.path, line=n, text=text,
                                      what=f'property name "{info.name}"',
                                      problem="use only lower-case letters, digits and '-' (after an optional "
                                      "'vendor,' prefix)")


@dataclass
class _Frame:
    props: list[tuple[str, int]] = field(default_factory=list)


@check("dts-property-order")
def dts_property_order(ctx):
    first = list(ctx.params.get("first", ["compatible", "reg"]))
    last = list(ctx.params.get("last", ["status"]))
    for f, view in dts_views(ctx):
        for seg in view.segments:
            stack = [_Frame()]
            for n, _text, code in _segment_lines(seg):
                info = classify_line(code)
                if info is None:
                    continue
                if info.kind == "node":
                    if "}" in code[code.index("{"):]:
                        continue  # a one-line node: nothing to order
                    stack.append(_Frame())
                elif info.kind == "prop":
                    stack[-1].props.append((info.name, n))
                elif info.kind == "close":
                    yield from _order_findings(ctx, f.path, view, stack.pop(), first, last)
                    if not stack:
                        stack.append(_Frame())
            for frame in stack:
                yield from _order_findings(ctx, f.path, view, frame, first, last)


def _added_line(view: SourceView, line: int, others: list[tuple[str, int]]) -> int | None:
    """``line`` if the patch adds it, else the first added line among the other properties."""
    return line if view.is_added(line) else next((ln for _, ln in others if view.is_added(ln)), None)


def _order_findings(ctx, path: str, view: SourceView, frame: _Frame, first: list[str], last: list[str]):
    props = frame.props
    names = [p for p, _ in props]
    for rank, want in enumerate(first):
        if want not in names:
            continue
        i = names.index(want)
        allowed = set(first[:rank])
        before = [(p, ln) for p, ln in props[:i] if p not in allowed]
        prev = [p for p in first[:rank] if p in names]
        if not before:
            continue
        line = _added_line(view, props[i][1], before)
        if line is None:
            continue
        yield ctx.finding(anchor="diff", path=path, line=line, text=view.text_of(line),
                          message=f'"{want}" should come {"right after " + prev[-1] if prev else "first"} '
                          f'in its node, before "{before[0][0]}" (order: {", ".join(first)}, other properties, '
                          f'{", ".join(last)} last).')
    for want in last:
        if want not in names:
            continue
        i = names.index(want)
        after = props[i + 1:]
        if not after:
            continue
        line = _added_line(view, props[i][1], after)
        if line is None:
            continue
        yield ctx.finding(anchor="diff", path=path, line=line, text=view.text_of(line),
                          message=f'"{want}" should be the last property of its node, but "{after[0][0]}" '
                          f"follows it.")
