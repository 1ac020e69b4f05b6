"""One remark per point: what the engine reports of everything the rules found.

Two things make a report repeat itself.  Several rules may make the same
point about one line (dt-schema and title-redundant on the title, or
describes-driver, instance-index-property and one-node-per-device on one
property): a rule declares in the catalogue which rules it ``subsumes``,
and on a line where both fire only the more specific one stays, naming
the rules it stands for.  And one rule may make its point on many lines of
a file (no blank line before 12, 19 and 27): the same message on several
lines becomes one finding, anchored on the first line, listing every line.
A rule whose point is the file's style (``per_file: true`` in the
catalogue: names with underscores, raw numbers for defines) says it once
per file even when each place names another thing; the places are listed
with the name each one is about.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Mapping

from .catalog import Rule
from .model import Finding


def consolidate(findings: Iterable[Finding], rules: Mapping[str, Rule]) -> list[Finding]:
    """The findings with subsumed ones dropped and each rule's repeats in a file collapsed."""
    per_file = {rid for rid, r in rules.items() if getattr(r, "per_file", False)}
    return collapse_repeats(drop_subsumed(list(findings), rules), per_file)


def _line_key(f: Finding) -> tuple | None:
    if f.anchor != "diff" or f.line is None:
        return None
    return (f.patch, f.path, f.line)


def drop_subsumed(findings: list[Finding], rules: Mapping[str, Rule]) -> list[Finding]:
    """On each diff line, drop a finding whose rule another finding's rule subsumes."""
    by_line: dict[tuple, list[Finding]] = {}
    for f in findings:
        key = _line_key(f)
        if key is not None:
            by_line.setdefault(key, []).append(f)
    dropped: set[int] = set()
    absorbed: dict[int, list[str]] = {}
    for group in by_line.values():
        present = {f.rule for f in group}
        if len(present) < 2:
            continue
        for f in group:
            rule = rules.get(f.rule)
            covered = [r for r in (rule.subsumes if rule is not None else ()) if r in present and r != f.rule]
            if not covered:
                continue
            absorbed.setdefault(id(f), []).extend(covered)
            dropped.update(id(g) for g in group if g.rule in covered)
    out = []
    for f in findings:
        if id(f) in dropped and id(f) not in absorbed:
            continue
        if id(f) in absorbed:
            f = replace(f, subsumes=tuple(dict.fromkeys((*f.subsumes, *absorbed[id(f)]))))
        out.append(f)
    return out


_QUOTED = re.compile(r"""(['"])([^'"\n]{1,80})\1""")
_LISTED = 8  # places named in a per-file remark before "and N more"


def collapse_repeats(findings: list[Finding], per_file: frozenset[str] | set[str] = frozenset()) -> list[Finding]:
    """One finding per (patch, file, rule, severity, message): a rule saying the
    same thing on several lines says it once, on the first, listing the others.
    Different messages are different points (another property, another node)
    and stay apart, except for ``per_file`` rules: their point is the
    file's, so the messages only need to agree once the quoted names are
    set aside."""
    groups: dict[tuple, list[Finding]] = {}
    order: list[tuple] = []
    for f in findings:
        if _line_key(f) is None:
            key: tuple = ("single", id(f))
        elif f.rule in per_file:
            key = (f.patch, f.path, f.rule, f.severity, _QUOTED.sub("''", f.message))
        else:
            key = (f.patch, f.path, f.rule, f.severity, f.message)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(f)
    out = []
    for key in order:
        group = groups[key]
        if len(group) == 1:
            out.append(group[0])
            continue
        group.sort(key=lambda f: f.line or 0)
        first = group[0]
        lines = tuple(dict.fromkeys(f.line for f in group if f.line is not None))
        if len(lines) == 1:
            out.extend(group)  # different points on one line: not repeats
            continue
        message = first.message.rstrip()
        if len({f.message for f in group}) == 1:
            others = ", ".join(str(n) for n in lines[1:])
            message += f" (The same on line{'s' if len(lines) > 2 else ''} {others}.)"
        else:
            message += f" (The same on {_places(group[1:], first)}.)"
        subsumes = tuple(dict.fromkeys(r for f in group for r in f.subsumes))
        out.append(replace(first, message=message, lines=lines, subsumes=subsumes))
    return out


def _places(rest: list[Finding], first: Finding) -> str:
    """'line 19 ('b_c'), line 27 ('d_e') and 3 more': each place with the name it is about."""
    seen: set[tuple] = {(first.line, first.message)}
    items = []
    for f in rest:
        if (f.line, f.message) in seen:
            continue
        seen.add((f.line, f.message))
        m = _QUOTED.search(f.message)
        items.append(f"{f.line} ({m.group(0)})" if m else str(f.line))
    shown = items[:_LISTED]
    more = f" and {len(items) - _LISTED} more" if len(items) > _LISTED else ""
    word = "lines" if len(items) > 1 else "line"
    return f"{word} {', '.join(shown)}{more}"
