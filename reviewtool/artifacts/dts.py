"""A small, tolerant reader for the DTS snippets in a binding's ``examples:``.

Example rules need the shape of the example (nodes, unit addresses, labels,
properties and their raw values, ``#include`` lines, ``&label`` references)
with the line each piece sits on, so a finding can point at the line a
maintainer would quote.  Full DTS semantics (macro expansion, overlays,
``/delete-node/``) are out of scope: values are kept as raw text and the
reader never raises; whatever it cannot make sense of is recorded in
``problems`` and skipped.

Line numbers are 1-based and relative to the text given to ``parse_dts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

_PREPROCESSOR = re.compile(
    r"#\s*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma)(?=[\s<\"(]|$)")
_INCLUDE = re.compile(r'#\s*include\s*[<"]([^>"]+)[>"]')
_DEFINE = re.compile(r"#\s*define\s+([A-Za-z_]\w*)")
_LABEL_PREFIX = re.compile(r"^([A-Za-z_][\w]*)\s*:\s*")
_NODE_NAME = re.compile(r"^([^\s@{}]+?)(?:@([^\s{}]*))?$")
_REF = re.compile(r"&([A-Za-z_][\w]*)|&\{([^}]*)\}")


@dataclass
class DtsProperty:
    name: str
    value: str | None  # raw text after '=', without the ';'; None for a boolean property
    line: int  # line of the property name
    end_line: int  # line of the terminating ';'
    labels: tuple[str, ...] = ()

    def cell_groups(self) -> list[list[str]]:
        """The ``<...>`` groups of the value, each split into raw cells."""
        return [_split_cells(g) for g in re.findall(r"<([^<>]*(?:\([^()]*\)[^<>]*)*)>", _strip_strings(self.value or ""))]

    def strings(self) -> list[str]:
        return re.findall(r'"((?:[^"\\]|\\.)*)"', self.value or "")


@dataclass
class DtsNode:
    name: str  # node name without unit address ('/' for the root, '&label' for a reference)
    unit: str | None
    labels: tuple[str, ...]
    line: int  # line of the node name
    end_line: int | None = None  # line of the closing '};' (None when never closed)
    properties: list[DtsProperty] = field(default_factory=list)
    children: list["DtsNode"] = field(default_factory=list)
    parent: "DtsNode | None" = field(default=None, repr=False)
    header: str = ""  # the node header as written (labels, name, unit)

    @property
    def full_name(self) -> str:
        return f"{self.name}@{self.unit}" if self.unit is not None else self.name

    @property
    def is_reference(self) -> bool:
        return self.name.startswith("&")

    @property
    def depth(self) -> int:
        d, p = 0, self.parent
        while p is not None:
            d, p = d + 1, p.parent
        return d

    def prop(self, name: str) -> DtsProperty | None:
        return next((p for p in self.properties if p.name == name), None)

    def compatibles(self) -> list[str]:
        p = self.prop("compatible")
        return p.strings() if p is not None else []

    def walk(self) -> Iterator["DtsNode"]:
        yield self
        for c in self.children:
            yield from c.walk()

    def ancestors(self) -> Iterator["DtsNode"]:
        p = self.parent
        while p is not None:
            yield p
            p = p.parent


@dataclass
class DtsDocument:
    roots: list[DtsNode] = field(default_factory=list)
    includes: list[tuple[int, str]] = field(default_factory=list)  # (line, header path)
    defines: list[tuple[int, str]] = field(default_factory=list)  # (line, macro name)
    references: list[tuple[int, str]] = field(default_factory=list)  # (line, label or {path})
    problems: list[tuple[int, str]] = field(default_factory=list)
    # Lines that start a statement (node header, property, '};'), with the
    # statement's nesting depth; used by indentation checks.
    statement_lines: list[tuple[int, int]] = field(default_factory=list)

    def nodes(self) -> Iterator[DtsNode]:
        for r in self.roots:
            yield from r.walk()

    def labels(self) -> dict[str, DtsNode]:
        out: dict[str, DtsNode] = {}
        for n in self.nodes():
            for lb in n.labels:
                out.setdefault(lb, n)
        return out

    def referenced_labels(self) -> set[str]:
        return {r for _, r in self.references}


def parse_dts(text: str) -> DtsDocument:
    """Read DTS text; never raises (odd input ends up in ``problems``)."""
    doc = DtsDocument()
    try:
        _Parser(text, doc).run()
    except Exception as exc:  # pragma: no cover - defensive: a reader must not crash a review
        doc.problems.append((1, f"DTS reader gave up: {type(exc).__name__}: {exc}"))
    return doc


class _Parser:
    def __init__(self, text: str, doc: DtsDocument) -> None:
        self.text = text.replace("\r\n", "\n")
        self.doc = doc
        self.pos = 0
        self.line = 1
        self.stack: list[DtsNode] = []

    # -- low level -------------------------------------------------------
    def _advance(self, n: int) -> None:
        chunk = self.text[self.pos:self.pos + n]
        self.line += chunk.count("\n")
        self.pos += n

    def _skip_space_and_comments(self) -> None:
        t = self.text
        while self.pos < len(t):
            c = t[self.pos]
            if c in " \t\r\n":
                self._advance(1)
            elif t.startswith("//", self.pos):
                end = t.find("\n", self.pos)
                self._advance((end if end >= 0 else len(t)) - self.pos)
            elif t.startswith("/*", self.pos):
                end = t.find("*/", self.pos + 2)
                if end < 0:
                    self.doc.problems.append((self.line, "unterminated comment"))
                    self._advance(len(t) - self.pos)
                else:
                    self._advance(end + 2 - self.pos)
            else:
                return

    def _at_line_start(self) -> bool:
        start = self.text.rfind("\n", 0, self.pos) + 1
        return self.text[start:self.pos].strip() == ""

    # -- statements ------------------------------------------------------
    def run(self) -> None:
        t = self.text
        while True:
            self._skip_space_and_comments()
            if self.pos >= len(t):
                break
            if t[self.pos] == "#" and self._at_line_start() and _PREPROCESSOR.match(t, self.pos):
                self._directive()
                continue
            if t[self.pos] == "}":
                self._close()
                continue
            if t[self.pos] == ";":  # stray semicolon
                self._advance(1)
                continue
            self._statement()
        for node in self.stack:
            self.doc.problems.append((node.line, f"node '{node.full_name}' is never closed"))

    def _directive(self) -> None:
        t = self.text
        start_line = self.line
        end = self.pos
        # a directive runs to the end of the line, with backslash continuations
        while True:
            nl = t.find("\n", end)
            if nl < 0:
                end = len(t)
                break
            if t[nl - 1:nl] == "\\":
                end = nl + 1
                continue
            end = nl
            break
        body = t[self.pos:end]
        m = _INCLUDE.match(body)
        if m:
            self.doc.includes.append((start_line, m.group(1)))
        m = _DEFINE.match(body)
        if m:
            self.doc.defines.append((start_line, m.group(1)))
        self._advance(end - self.pos)

    def _close(self) -> None:
        line = self.line
        self._advance(1)
        self._skip_space_and_comments()
        if self.pos < len(self.text) and self.text[self.pos] == ";":
            self._advance(1)
        else:
            self.doc.problems.append((line, "'}' without ';'"))
        if self.stack:
            node = self.stack.pop()
            node.end_line = line
            self.doc.statement_lines.append((line, len(self.stack)))
        else:
            self.doc.problems.append((line, "'};' closes nothing"))

    def _statement(self) -> None:
        """Scan to the next '{', ';' or '}' outside strings and brackets."""
        t = self.text
        start, start_line = self.pos, self.line
        depth_angle = depth_paren = depth_square = 0
        i = self.pos
        while i < len(t):
            c = t[i]
            if c == '"':
                j = i + 1
                while j < len(t) and t[j] != '"':
                    j += 2 if t[j] == "\\" else 1
                i = j + 1
                continue
            if t.startswith("/*", i):
                end = t.find("*/", i + 2)
                i = end + 2 if end >= 0 else len(t)
                continue
            if t.startswith("//", i):
                end = t.find("\n", i)
                i = end if end >= 0 else len(t)
                continue
            if c == "(":
                depth_paren += 1
            elif c == ")":
                depth_paren = max(0, depth_paren - 1)
            elif c == "[":
                depth_square += 1
            elif c == "]":
                depth_square = max(0, depth_square - 1)
            elif c == "<" and not depth_paren:
                depth_angle += 1
            elif c == ">" and not depth_paren and depth_angle:
                depth_angle -= 1
            elif c in "{;}" and not (depth_angle or depth_paren or depth_square):
                break
            i += 1
        raw = t[start:i]
        stmt = _strip_comments(raw).strip()
        self._advance(i - self.pos)
        end_line = self.line
        if i >= len(t):
            if stmt:
                self.doc.problems.append((start_line, f"statement not terminated: {stmt[:40]!r}"))
                if "=" not in stmt and not stmt.startswith("/"):
                    return
                self._property(stmt, start_line, end_line, raw)
            return
        term = t[i]
        if term == "}":
            self.doc.problems.append((start_line, f"missing ';' after {stmt[:40]!r}"))
            if stmt:
                self._property(stmt, start_line, end_line, raw)
            return
        self._advance(1)
        if term == "{":
            self._open(stmt, start_line)
        else:
            self._property(stmt, start_line, end_line, raw)

    def _open(self, header: str, line: int) -> None:
        labels: list[str] = []
        rest = header
        while True:
            m = _LABEL_PREFIX.match(rest)
            if not m or rest.startswith("&"):
                break
            labels.append(m.group(1))
            rest = rest[m.end():]
        rest = rest.strip()
        if rest.startswith("&"):
            name, unit = rest, None
            ref = _REF.match(rest)
            if ref:
                self.doc.references.append((line, ref.group(1) or "{" + (ref.group(2) or "") + "}"))
        elif rest == "/":
            name, unit = "/", None
        else:
            m = _NODE_NAME.match(rest)
            if m:
                name, unit = m.group(1), m.group(2)
            else:
                self.doc.problems.append((line, f"odd node header {header!r}"))
                name, unit = rest or "?", None
        parent = self.stack[-1] if self.stack else None
        node = DtsNode(name=name, unit=unit, labels=tuple(labels), line=line, parent=parent, header=header)
        self.doc.statement_lines.append((line, len(self.stack)))
        if parent is None:
            self.doc.roots.append(node)
        else:
            parent.children.append(node)
        self.stack.append(node)

    def _property(self, stmt: str, line: int, end_line: int, raw: str) -> None:
        if stmt.startswith("/"):  # /dts-v1/; /plugin/; /delete-node/ x; /memreserve/ ...
            return
        labels: list[str] = []
        rest = stmt
        while True:
            m = _LABEL_PREFIX.match(rest)
            if not m:
                break
            labels.append(m.group(1))
            rest = rest[m.end():]
        if "=" in rest:
            name, value = rest.split("=", 1)
            name, value = name.strip(), value.strip()
        else:
            name, value = rest.strip(), None
        if not name or any(ch.isspace() for ch in name):
            self.doc.problems.append((line, f"odd statement {stmt[:40]!r}"))
            return
        prop = DtsProperty(name=name, value=value, line=line, end_line=end_line, labels=tuple(labels))
        self.doc.statement_lines.append((line, len(self.stack)))
        if value:
            self._collect_refs(value, line, raw)
        if self.stack:
            self.stack[-1].properties.append(prop)
        else:
            self.doc.problems.append((line, f"property '{name}' outside any node"))

    def _collect_refs(self, value: str, line: int, raw: str) -> None:
        plain = _strip_strings(value)
        raw_plain = _strip_strings(raw)
        for m in _REF.finditer(plain):
            target = m.group(1) or "{" + (m.group(2) or "") + "}"
            # the line of the reference within a multi-line value
            pos = raw_plain.find(m.group(0))
            ref_line = line + raw_plain[:pos].count("\n") if pos >= 0 else line
            self.doc.references.append((ref_line, target))


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def _strip_strings(text: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)


def _split_cells(group: str) -> list[str]:
    """Split the inside of ``<...>`` into cells, keeping ``(...)`` expressions whole."""
    cells: list[str] = []
    cur = ""
    depth = 0
    for c in _strip_comments(group):
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        if c.isspace() and depth == 0:
            if cur:
                cells.append(cur)
                cur = ""
            continue
        cur += c
    if cur:
        cells.append(cur)
    return cells


_NUMBER = re.compile(r"^(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*$")


def is_number(cell: str) -> bool:
    """A literal integer cell (decimal or hex), not a macro or expression."""
    return bool(_NUMBER.match(cell))


def number_value(cell: str) -> int | None:
    if not is_number(cell):
        return None
    digits = cell.rstrip("uUlL")
    try:
        return int(digits, 16) if digits.lower().startswith("0x") else int(digits, 10)
    except ValueError:
        return None
