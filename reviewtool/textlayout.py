"""Text for a terminal: how wide it is and how to wrap prose to it.

One answer for every human-facing listing (the check report, ``rules``):
the width comes from ``COLUMNS`` when set, else the terminal, else a
default; prose breaks between words only (never inside a word or at a
hyphen; a word longer than the line stands alone).  Kept free of the data
model so ``reviewtool rules`` can use it without importing it.
"""

from __future__ import annotations

import os
import textwrap
from typing import IO

DEFAULT_WIDTH = 100  # when writing to a file or pipe without COLUMNS
MIN_WIDTH = 40


def width_for(stream: IO[str]) -> int:
    """``COLUMNS`` when set, else the terminal's width, else DEFAULT_WIDTH."""
    cols = os.environ.get("COLUMNS", "").strip()
    if cols.isdigit() and int(cols) > 0:
        return max(MIN_WIDTH, int(cols))
    try:
        if stream.isatty():
            return max(MIN_WIDTH, os.get_terminal_size(stream.fileno()).columns)
    except (AttributeError, OSError, ValueError):
        pass
    return DEFAULT_WIDTH


def wrap(text: str, width: int, indent: str = "", rest: str | None = None) -> list[str]:
    """Lines of at most ``width`` columns, broken between words only (a word
    longer than the line, e.g. a URL, stands alone on its line)."""
    return textwrap.wrap(" ".join(text.split()), width=width, initial_indent=indent,
                         subsequent_indent=indent if rest is None else rest,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def pack(items: list[str], width: int, indent: str = "", rest: str | None = None, sep: str = ", ") -> list[str]:
    """``items`` joined by ``sep`` on as few lines as fit, never splitting an
    item (e.g. "rule (3)") across lines."""
    rest = indent if rest is None else rest
    lines: list[str] = []
    line, empty = indent, True
    for i, item in enumerate(items):
        piece = item + (sep.rstrip() if i < len(items) - 1 else "")
        if empty:
            line, empty = line + piece, False
        elif len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = rest + piece
        else:
            line = line + " " + piece
    lines.append(line)
    return lines
