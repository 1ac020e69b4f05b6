"""Small helpers shared by check modules."""

from __future__ import annotations

import re
from typing import Any


def line_of(text: str, pos: int) -> str:
    """The whole line of ``text`` that contains offset ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start: end if end >= 0 else len(text)]


def param_regex(params: dict[str, Any], key: str, flags: int = 0) -> re.Pattern:
    """The regex a rule's params give under ``key``; one that never matches when absent."""
    return re.compile(params.get(key, r"(?!x)x"), flags)


def added_finding(ctx: Any, doc: Any, line: int | None, *, message: str | None = None,
                  severity: str | None = None, **fields: Any):
    """A diff finding on line ``line`` of a BindingDoc when the patch adds
    that line, else None (a finding never blames a context line)."""
    if line is None or not doc.is_added(line):
        return None
    kwargs: dict[str, Any] = dict(anchor="diff", path=doc.path, line=line, text=doc.text_at(line),
                                  message=message, **fields)
    if severity is not None:
        kwargs["severity"] = severity
    return ctx.finding(**kwargs)
