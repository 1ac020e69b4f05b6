"""One remark per point: what the engine reports of everything the rules found.

Two things make a report repeat itself.  Several rules may make the same
point about one line (dt-schema and title-redundant on the title, or
describes-driver, instance-index-property and one-node-per-device on one
property): a rule declares in the catalogue which rules it ``subsumes``,
and on a line where both fire only the more specific one stays, naming
the rules it stands for.  And one rule may make its point on many lines of
a file (no blank line before 12, 19 and 27): the same message on several
lines becomes one finding, anchored on the first line, listing every line.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping

from .catalog import Rule
from .model import Finding


def consolidate(findings: Iterable[Finding], rules: Mapping[str, Rule]) -> list[Finding]:
    """The findings with subsumed ones dropped and each rule's repeats in a file collapsed."""
    return collapse_repeats(drop_subsumed(list(findings), rules))


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


def collapse_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per (patch, file, rule, severity, message): a rule saying the
    same thing on several lines says it once, on the first, listing the others.
    Different messages are different points (another property, another node)
    and stay apart."""
    groups: dict[tuple, list[Finding]] = {}
    order: list[tuple] = []
    for f in findings:
        if _line_key(f) is None:
            key: tuple = ("single", id(f))
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
        others = ", ".join(str(n) for n in lines[1:])
        message = first.message.rstrip()
        message += f" (The same on line{'s' if len(lines) > 2 else ''} {others}.)"
        subsumes = tuple(dict.fromkeys(r for f in group for r in f.subsumes))
        out.append(replace(first, message=message, lines=lines, subsumes=subsumes))
    return out
