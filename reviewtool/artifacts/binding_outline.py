"""A binding's text read as an outline of keys, and the prose in it.

Some questions need no parse: which key encloses a line, what the title
and descriptions say.  Reading them from the indentation works where the
YAML does not parse (a TAB, a duplicate key) and on a modified file whose
full text is unknown, where only the hunks' lines are there.  The design
rules read titles, descriptions and hunk-only schemas this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .binding import BindingDoc

_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<dash>-\s+)?(?P<key>(?:\"[^\"]*\"|'[^']*'|[^\s:#'\"][^:#]*?))\s*:(?:\s+(?P<value>.*?))?\s*$")
_BLOCK = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")


def indent_of(text: str) -> int:
    """Leading whitespace width; a TAB counts as 8 columns (it is never valid YAML anyway)."""
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width = (width // 8 + 1) * 8
        else:
            break
    return width


@dataclass(frozen=True)
class OutlineKey:
    """One ``key:`` line of the schema and the keys enclosing it."""

    line: int  # 1-based post-image line
    indent: int  # column of the key itself (after any "- ")
    key: str
    value: str  # the text after the colon on the same line ("" when none)
    path: tuple[str, ...]  # enclosing keys, outermost first (None-free)
    end: int  # last line that belongs to this key's value
    rooted: bool = True  # False when a gap in the shown lines cut the path short


def outline(doc: BindingDoc) -> list[OutlineKey]:
    """Every ``key:`` line with its enclosing keys, from the text alone.

    Works on unparsable schemas and on hunk-only post-images: a line the
    patch does not show (a gap) ends every open key, so nothing is ever
    attributed to a parent the patch did not show.
    """

    def compute() -> list[OutlineKey]:
        lines = doc.lines
        known = (lambda n: True) if doc.complete else (lambda n: n in doc.line_map)
        stack: list[tuple[int, str, int]] = []  # (indent, key, index into out)
        out: list[dict] = []
        block_indent: int | None = None  # inside a block scalar owned by a key at this indent
        for n in range(1, len(lines) + 1):
            text = lines[n - 1]
            if not known(n):
                stack.clear()
                block_indent = None
                continue
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            ind = indent_of(text)
            if block_indent is not None:
                if ind > block_indent:
                    continue
                block_indent = None
            m = _KEY.match(text)
            if not m or text.lstrip().startswith(("%", "---", "...")):
                # a scalar continuation line or a bare sequence item
                continue
            key = m.group("key").strip().strip("\"'")
            col = ind + (len(m.group("dash")) if m.group("dash") else 0)
            while stack and stack[-1][0] >= col:
                stack.pop()
            if m.group("dash"):
                # a "- key:" item starts a new mapping inside a sequence
                while stack and stack[-1][0] >= ind:
                    stack.pop()
            value = (m.group("value") or "").strip()
            for _, _, idx in stack:
                out[idx]["end"] = n
            rooted = (stack[0][0] if stack else col) == 0
            out.append({"line": n, "indent": col, "key": key, "value": value,
                        "path": tuple(k for _, k, _ in stack), "end": n, "rooted": rooted})
            stack.append((col, key, len(out) - 1))
            if _BLOCK.match(value):
                block_indent = col
        # extend each key over its scalar continuation lines
        res = []
        for i, d in enumerate(out):
            end = d["end"]
            n = end + 1
            while n <= len(lines) and known(n):
                t = lines[n - 1]
                if t.strip() and indent_of(t) <= d["indent"] and not t.lstrip().startswith("#"):
                    break
                n += 1
            # trim trailing blank lines
            last = n - 1
            while last > d["line"] and not lines[last - 1].strip():
                last -= 1
            res.append(OutlineKey(d["line"], d["indent"], d["key"], d["value"], d["path"], max(end, last),
                                  d["rooted"]))
        return res

    return doc.cached("outline", compute)


# -- prose ------------------------------------------------------------------

@dataclass(frozen=True)
class Prose:
    """A title or description: where it is and which lines hold its text."""

    kind: str  # "title" or "description"
    owner: tuple[str, ...]  # enclosing keys, e.g. () for top level, ('properties', 'reg')
    lines: tuple[tuple[int, str], ...]  # (line number, text of that line's prose part)

    @property
    def property_name(self) -> str | None:
        """The property (or child node) this text describes, if any."""
        name = None
        for i, k in enumerate(self.owner):
            if k in ("properties", "patternProperties") and i + 1 < len(self.owner):
                name = self.owner[i + 1]
        return name

    @property
    def top_level(self) -> bool:
        return not self.owner

    def joined(self) -> tuple[str, list[tuple[int, int]]]:
        """The text as one string, and (offset, line) pairs to map matches back."""
        parts, spans, pos = [], [], 0
        for n, t in self.lines:
            spans.append((pos, n))
            parts.append(t)
            pos += len(t) + 1
        return "\n".join(parts), spans

    def line_at(self, offset: int) -> int:
        _, spans = self.joined()
        line = spans[0][1]
        for start, n in spans:
            if start <= offset:
                line = n
        return line


def prose(doc: BindingDoc) -> list[Prose]:
    """Every title and description in the schema (not in examples)."""

    def compute() -> list[Prose]:
        out = []
        for k in outline(doc):
            if k.key not in ("title", "description") or "examples" in k.path:
                continue
            if k.path and k.path[-1] in ("properties", "patternProperties"):
                continue  # a property that happens to be called "description"
            rows = []
            first = k.value
            if first and not _BLOCK.match(first):
                rows.append((k.line, first.strip("\"'")))
            for n in range(k.line + 1, k.end + 1):
                t = doc.text_at(n)
                if t.strip():
                    rows.append((n, t.strip()))
            if rows:
                out.append(Prose(k.key, k.path, tuple(rows)))
        return out

    return doc.cached("prose", compute)


def first_paragraph(p: Prose) -> Prose:
    """The opening paragraph of a description: where a binding says what it is."""
    rows = []
    prev = None
    for n, t in p.lines:
        if prev is not None and n > prev + 1:
            break  # a blank line ended the paragraph
        rows.append((n, t))
        prev = n
    return Prose(p.kind, p.owner, tuple(rows))


def title(doc: BindingDoc) -> tuple[int, str] | None:
    for p in prose(doc):
        if p.kind == "title" and p.top_level:
            return p.lines[0]
    return None
