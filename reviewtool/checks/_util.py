"""Small helpers shared by check modules."""

from __future__ import annotations


def line_of(text: str, pos: int) -> str:
    """The whole line of ``text`` that contains offset ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start: end if end >= 0 else len(text)]
