"""What text of a file a patch lets us see (its post-image), in any language.

A file is seen through a ``SourceView``: the whole post-image for a new
file (or a modified one rebuilt from the kernel tree), else just its hunks,
as contiguous ``Segment``s of post-image lines.  The C and DTS models and
the ``inside:`` matcher all read files through this one view, so "which
lines do we know" is answered in one place.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from ..model import FileChange, Patch


@dataclass(frozen=True)
class CompatUse:
    """A compatible string a file names, where and how (C table, macro, lookup, DTS property)."""

    compatible: str
    line: int
    text: str
    how: str  # "of_device_id table foo", "CLK_OF_DECLARE", "of_device_is_compatible()", "DTS compatible property"


@dataclass
class Segment:
    """Contiguous post-image lines, as one text with a line-number map."""

    lines: list[tuple[int, str]]
    text: str = ""
    _starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = "\n".join(t for _, t in self.lines)
        pos = 0
        self._starts = []
        for _, t in self.lines:
            self._starts.append(pos)
            pos += len(t) + 1

    @property
    def first_line(self) -> int:
        return self.lines[0][0] if self.lines else 0

    @property
    def last_line(self) -> int:
        return self.lines[-1][0] if self.lines else 0

    def line_of(self, offset: int) -> int:
        """Post-image line of a character offset into ``text``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.lines[max(i, 0)][0]

    def line_at_row(self, row: int) -> int:
        """Post-image line of a 0-based row of ``text`` (a parser's row)."""
        return self.lines[min(max(row, 0), len(self.lines) - 1)][0]

    def text_of(self, line: int) -> str:
        if self.lines and self.first_line <= line <= self.last_line:
            i = line - self.first_line
            if 0 <= i < len(self.lines) and self.lines[i][0] == line:
                return self.lines[i][1]
        for n, t in self.lines:
            if n == line:
                return t
        return ""


@dataclass
class SourceView:
    path: str
    segments: list[Segment]
    added: frozenset[int]
    complete: bool  # the whole post-image is known

    def text_of(self, line: int) -> str:
        for seg in self.segments:
            if seg.lines and seg.first_line <= line <= seg.last_line:
                return seg.text_of(line)
        return ""

    def is_added(self, line: int | None) -> bool:
        return line is not None and line in self.added


def source_view(ctx: Any, patch: Patch, fc: FileChange) -> SourceView:
    """The best view of a file's post-image: whole when possible, else its hunks."""

    def compute() -> SourceView:
        added = frozenset(ln.new_line for ln in fc.added_lines() if ln.new_line is not None)
        if fc.status == "added":
            lines = [(ln.new_line, ln.text) for ln in fc.added_lines() if ln.new_line is not None]
            return SourceView(fc.path, [Segment(lines)], added, True)
        tree = getattr(getattr(ctx, "options", None), "tree", None)
        if tree is not None and hasattr(tree, "read_file") and fc.status in ("modified", "renamed"):
            from ..artifacts.binding import apply_hunks

            base = tree.read_file(fc.old_path or fc.path)
            if base is not None and (post := apply_hunks(base, fc)) is not None:
                lines = list(enumerate(post.rstrip("\n").split("\n"), 1))
                return SourceView(fc.path, [Segment(lines)], added, True)
        segments = []
        for h in fc.hunks:
            lines = [(ln.new_line, ln.text) for ln in h.lines if ln.kind != "-" and ln.new_line is not None]
            if lines:
                segments.append(Segment(lines))
        return SourceView(fc.path, segments, added, False)

    if ctx is None:
        return compute()
    return ctx.memo(f"source_view:{patch.message_id}:{patch.n}:{fc.path}", compute)
