"""The DTS model: one typed reading of devicetree source, via tree-sitter.

Every DTS user (binding example rules, DTS style rules, compatibles seen in
a ``.dts`` patch, schema validation of examples and DTS changes) reads DTS
through ``parse_dts``: nodes with their labels, unit address and lines,
properties with typed values (cells incl. macro and expression cells,
strings, byte strings, ``&label``/``&{/path}`` references, ``/bits/``),
``#include``/``#define``, ``&label`` overlay nodes, ``/delete-node/`` and
``/delete-property/``.

tree-sitter recovers from errors, so the reader never raises: spans it
cannot make sense of are listed in ``problems`` and the rest is kept.  A
patch hunk is a cut-out of a file (it may close nodes it never opened);
``parse_dts_fragment`` balances it first with synthetic wrapper nodes
(``Node.synthetic``) so the visible statements keep their real nesting.

Lines are 1-based, relative to the text given.  Values keep their source
text next to the typed reading, so messages can quote what was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator, Literal, Mapping

from . import treesitter as ts

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node as TsNode

CellKind = Literal["number", "ref", "macro", "expr"]
ValueKind = Literal["cells", "string", "bytes", "ref", "macro"]

#: the name of the wrapper nodes ``parse_dts_fragment`` adds around a hunk
FRAGMENT_WRAPPER = "__fragment__"


# -- expressions ---------------------------------------------------------------

@dataclass(frozen=True)
class Expr:
    """A cell expression as the preprocessor and dtc would evaluate it.

    ``op`` is ``num`` (``value``), ``name`` (a macro, ``name``), ``call``
    (a function-like macro ``name`` applied to ``args``), ``unary`` /
    ``binary`` (operator in ``name``) or ``cond`` (``a ? b : c``)."""

    op: str
    value: int | None = None
    name: str = ""
    args: tuple["Expr", ...] = ()

    def macros(self) -> Iterator[str]:
        stack = [self]
        while stack:
            e = stack.pop()
            if e.op in ("name", "call"):
                yield e.name
            stack.extend(e.args)


_UNARY: dict[str, Callable[[int], int]] = {"-": lambda a: -a, "+": lambda a: a, "~": lambda a: ~a,
                                           "!": lambda a: int(not a)}
_BINARY: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a // b if b else _div0(), "%": lambda a, b: a % b if b else _div0(),
    "<<": lambda a, b: a << b if 0 <= b < 128 else _div0(), ">>": lambda a, b: a >> b if b >= 0 else _div0(),
    "&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
    "&&": lambda a, b: int(bool(a and b)), "||": lambda a, b: int(bool(a or b)),
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b), "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
}


def _div0() -> int:
    raise ArithmeticError("not a constant expression")


def evaluate(expr: Expr, macros: Mapping[str, "Expr | int"] | None = None, *, _depth: int = 0) -> int | None:
    """The integer an expression stands for, or None when a macro is unknown
    (or function-like) or the arithmetic is undefined."""
    if _depth > 64:
        return None
    try:
        if expr.op == "num":
            return expr.value
        if expr.op == "name":
            got = (macros or {}).get(expr.name)
            if got is None:
                return None
            return got if isinstance(got, int) else evaluate(got, macros, _depth=_depth + 1)
        vals = [evaluate(a, macros, _depth=_depth + 1) for a in expr.args]
        if any(v is None for v in vals):
            return None
        if expr.op == "unary" and expr.name in _UNARY:
            return _UNARY[expr.name](vals[0])  # type: ignore[arg-type]
        if expr.op == "binary" and expr.name in _BINARY:
            return _BINARY[expr.name](vals[0], vals[1])  # type: ignore[arg-type]
        if expr.op == "cond":
            return vals[1] if vals[0] else vals[2]
    except (ArithmeticError, ValueError, OverflowError):
        return None
    return None


def int_literal_value(text: str) -> int | None:
    """The value of a C/DTS integer literal (``0x1f``, ``12``, ``0x10UL``), else None."""
    digits = text.strip().rstrip("uUlL")
    if not digits:
        return None
    try:
        if digits.lower().startswith("0x"):
            return int(digits, 16)
        if len(digits) > 1 and digits.startswith("0"):
            return int(digits, 8)
        return int(digits, 10)
    except ValueError:
        return None


# -- values --------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One cell of a ``<...>`` list."""

    kind: CellKind
    text: str
    line: int
    expr: Expr | None = None  # numbers, macros and expressions
    target: str | None = None  # for refs: the label, or '{/path}'

    @property
    def value(self) -> int | None:
        """The number, when the cell is a literal or a macro-free expression."""
        return evaluate(self.expr) if self.expr is not None else None

    @property
    def is_literal(self) -> bool:
        return self.kind == "number"


@dataclass(frozen=True)
class Value:
    """One comma-separated part of a property value (kind "macro": a macro
    name written where a value goes, e.g. ``function = LED_FUNCTION_STATUS``)."""

    kind: ValueKind
    text: str
    line: int
    cells: tuple[Cell, ...] = ()  # kind "cells"
    bits: int = 32  # kind "cells": the /bits/ size
    string: str | None = None  # kind "string": the unescaped string
    data: bytes | None = None  # kind "bytes"
    target: str | None = None  # kind "ref": the label, or '{/path}'


@dataclass(frozen=True)
class Property:
    name: str
    values: tuple[Value, ...]
    line: int  # line of the property's first token (its labels, if any)
    end_line: int  # line of the terminating ';'
    labels: tuple[str, ...] = ()
    value: str | None = None  # raw text after '=' (without ';'); None for a boolean property

    def cell_groups(self) -> list[list[str]]:
        """The ``<...>`` groups of the value, each as the cells' source text."""
        return [[c.text for c in v.cells] for v in self.values if v.kind == "cells"]

    def cells(self) -> list[tuple[Cell, ...]]:
        return [v.cells for v in self.values if v.kind == "cells"]

    def strings(self) -> list[str]:
        return [v.string for v in self.values if v.kind == "string" and v.string is not None]

    def macros(self) -> list[str]:
        """Macro names the value uses, in order, once each."""
        seen: dict[str, None] = {}
        for v in self.values:
            for c in v.cells:
                if c.expr is not None:
                    for m in c.expr.macros():
                        seen.setdefault(m, None)
        return list(seen)


@dataclass(frozen=True)
class Delete:
    """A ``/delete-node/`` or ``/delete-property/`` statement."""

    kind: Literal["node", "property"]
    target: str  # node name (with unit), property name, or '&label'
    line: int


@dataclass(frozen=True, eq=False)
class Node:
    name: str  # without unit address; '/' for the root, '&label' / '&{/path}' for an overlay
    unit: str | None
    labels: tuple[str, ...]
    line: int  # line of the node's first token (its labels, if any)
    end_line: int | None  # line of the closing '}' (None when never closed)
    properties: tuple[Property, ...] = ()
    children: tuple["Node", ...] = ()
    deletes: tuple[Delete, ...] = ()
    synthetic: bool = False  # a wrapper parse_dts_fragment added around a cut hunk
    parent: "Node | None" = field(default=None, repr=False, compare=False)

    @property
    def full_name(self) -> str:
        return f"{self.name}@{self.unit}" if self.unit is not None else self.name

    @property
    def is_reference(self) -> bool:
        """An ``&label { ... }`` (or ``&{/path}``) node amending a node defined elsewhere."""
        return self.name.startswith("&")

    @property
    def depth(self) -> int:
        return sum(1 for _ in self.ancestors())

    def prop(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def compatibles(self) -> list[str]:
        p = self.prop("compatible")
        return p.strings() if p is not None else []

    def walk(self) -> Iterator["Node"]:
        """This node and every descendant, pre-order, without recursion."""
        stack: list[Node] = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    def ancestors(self) -> Iterator["Node"]:
        p = self.parent
        while p is not None:
            yield p
            p = p.parent


@dataclass(frozen=True)
class Include:
    line: int
    path: str
    system: bool  # <...> rather than "..."


@dataclass(frozen=True)
class Define:
    line: int
    name: str
    params: tuple[str, ...] | None  # None for an object-like macro
    body: str  # the replacement text, stripped


@dataclass(frozen=True)
class DtsDocument:
    roots: tuple[Node, ...] = ()
    includes: tuple[Include, ...] = ()
    defines: tuple[Define, ...] = ()
    references: tuple[tuple[int, str], ...] = ()  # (line, label or '{/path}') of every &reference
    deletes: tuple[Delete, ...] = ()  # top-level /delete-node/ &label;
    problems: tuple[tuple[int, str], ...] = ()  # (line, what the parser could not read)
    # Lines that start a statement (node header, property, '};') with its
    # nesting depth (a top-level node is 0, its properties 1): indentation checks.
    statement_lines: tuple[tuple[int, int], ...] = ()

    def nodes(self) -> Iterator[Node]:
        """Every real node (synthetic hunk wrappers skipped), pre-order."""
        for r in self.roots:
            for n in r.walk():
                if not n.synthetic:
                    yield n

    def labels(self) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for n in self.nodes():
            for lb in n.labels:
                out.setdefault(lb, n)
        return out

    def referenced_labels(self) -> set[str]:
        return {r for _, r in self.references}

    def properties(self) -> Iterator[tuple[Node, Property]]:
        for r in self.roots:
            for n in r.walk():
                for p in n.properties:
                    yield n, p


# -- building the model from the tree -----------------------------------------

def parse_dts(text: str) -> DtsDocument:
    """Read DTS text (a whole file or an example); never raises, but for
    nesting over the input budget (InputError)."""
    _check_depth(text)
    tree = ts.parse("dts", text)
    return _Builder(text, 0).document(tree.root_node)


def parse_dts_fragment(text: str) -> DtsDocument:
    """Read a cut-out of a DTS file (a diff hunk's post-image lines).

    A hunk may close nodes it never opened, open nodes it never closes and
    start in the middle of a multi-line value.  The braces are counted on
    tree-sitter's tokens (braces in strings and comments do not count); the
    text is then parsed again with enough synthetic wrapper nodes (at least
    one) opened on its first line (lines stay as they are).  Wrappers are ``synthetic`` and
    left out of ``nodes()``; their properties are the statements of the node
    the hunk starts in.  When the first lines are the tail of a value cut by
    the hunk (they make an error span that swallows the next statement), up
    to three of them are blanked, whichever reading has the fewest errors.
    """
    _check_depth(text)
    tree = ts.parse("dts", text)
    unopened, net = _unbalanced(tree.root_node)
    missing_open = max(unopened, 1)  # statements before any node header belong to a node too
    tail = "\n};" * max(missing_open + net, 0)
    lines = text.split("\n")
    best: tuple[int, int, str, "TsNode"] | None = None
    for skip in range(min(3, len(lines) - 1) + 1):
        if skip and any(ch in lines[skip - 1] for ch in "{}"):
            break
        candidate = "\n".join([""] * skip + lines[skip:])
        wrapped = f"{FRAGMENT_WRAPPER} {{ " * missing_open + candidate + tail
        root = ts.parse("dts", wrapped).root_node
        score = _error_bytes(root)
        if best is None or score < best[0]:
            best = (score, skip, wrapped, root)
        if not score:
            break
    assert best is not None
    return _Builder(best[2], missing_open, len(lines)).document(best[3])


def _check_depth(text: str) -> None:
    """The builder recurses once per node level: refuse what no real DTS nests (limits.MAX_DTS_DEPTH)."""
    from ..limits import dts_text_problem

    if (problem := dts_text_problem(text)) is not None:
        from ..errors import InputError

        raise InputError(problem)


def _unbalanced(root: "TsNode") -> tuple[int, int]:
    """(closers without an opener, openers minus closers) among the tokens."""
    depth = low = 0
    for leaf in _leaves(root):
        if leaf.is_missing:
            continue
        if leaf.type == "{":
            depth += 1
        elif leaf.type == "}":
            depth -= 1
            low = min(low, depth)
    return -low, depth


def _error_bytes(root: "TsNode") -> int:
    return sum(n.end_byte - n.start_byte + 1 for n in ts.walk(root) if n.type == "ERROR" or n.is_missing)


def _leaves(node: "TsNode") -> Iterator["TsNode"]:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.child_count == 0:
            yield n
        else:
            stack.extend(reversed(n.children))


_TRANSPARENT = {"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef",
                "omit_if_no_ref", "ERROR"}


class _Builder:
    def __init__(self, text: str, wrappers: int, last_line: int | None = None) -> None:
        self.text = text
        self.wrappers = wrappers
        self.last_line = last_line  # closers a fragment got after its end are not real
        self.includes: list[Include] = []
        self.defines: list[Define] = []
        self.references: list[tuple[int, str]] = []
        self.problems: list[tuple[int, str]] = []
        self.statements: list[tuple[int, int]] = []
        self.deletes: list[Delete] = []

    def document(self, root: "TsNode") -> DtsDocument:
        roots: list[Node] = []
        self._items(root, roots, None, 0)
        self._problems(root)
        return DtsDocument(roots=tuple(_link(r) for r in roots), includes=tuple(self.includes),
                           defines=tuple(self.defines), references=tuple(sorted(self.references)),
                           deletes=tuple(self.deletes), problems=tuple(sorted(set(self.problems))),
                           statement_lines=tuple(sorted(self.statements)))

    def _problems(self, root: "TsNode") -> None:
        for n in ts.walk(root):
            if n.type == "ERROR" or n.is_missing:
                what = "missing " + n.type if n.is_missing else f"cannot read {_clip(ts.text_of(n))!r}"
                self.problems.append((ts.line_of(n), what))
        if root.is_missing:  # pragma: no cover - a document is never missing
            self.problems.append((1, "empty"))

    # The children of a document or node body: nodes, properties, deletes,
    # preprocessor lines; conditionals and error spans are looked through.
    def _items(self, ts_node: "TsNode", nodes: list[Node], props: list[Property] | None, depth: int,
               deletes: list[Delete] | None = None) -> None:
        stack = list(reversed(ts_node.named_children))
        while stack:
            c = stack.pop()
            t = c.type
            if t == "node":
                nodes.append(self._node(c, depth))
            elif t == "property":
                prop = self._property(c)
                if prop is not None:
                    self.statements.append((prop.line, depth))
                    if props is not None:
                        props.append(prop)
                    else:
                        self.problems.append((prop.line, f"property '{prop.name}' outside any node"))
            elif t in ("delete_node", "delete_property"):
                d = self._delete(c)
                if d is not None:
                    (deletes if deletes is not None else self.deletes).append(d)
            elif t == "preproc_include":
                self._include(c)
            elif t in ("preproc_def", "preproc_function_def"):
                self._define(c)
            elif t in _TRANSPARENT:
                stack.extend(reversed(c.named_children))

    def _node(self, c: "TsNode", depth: int) -> Node:
        name_node = c.child_by_field_name("name")
        labels = tuple(ts.text_of(n) for n in c.children_by_field_name("label"))
        unit_node = next((n for n in c.children_by_field_name("address") if n.type == "unit_address"), None)
        unit = ts.text_of(unit_node) if unit_node is not None else None
        if name_node is not None and name_node.type == "reference":
            target = self._reference(name_node)
            name = "&" + (target or "?")
        else:
            name = ts.text_of(name_node) if name_node is not None else "?"
        synthetic = self.wrappers > 0 and name == FRAGMENT_WRAPPER and ts.line_of(c) == 1
        close = next((ch for ch in reversed(c.children) if ch.type == "}" and not ch.is_missing), None)
        end_line = ts.line_of(close) if close is not None else None
        if end_line is not None and self.last_line is not None and end_line > self.last_line:
            end_line = None
        props: list[Property] = []
        children: list[Node] = []
        deletes: list[Delete] = []
        inner = depth if synthetic else depth + 1
        self._items(c, children, props, inner, deletes)
        line = ts.line_of(c)
        if not synthetic:
            self.statements.append((line, depth))
            if end_line is not None:
                self.statements.append((end_line, depth))
        return Node(name=name, unit=unit, labels=labels, line=line, end_line=end_line, properties=tuple(props),
                    children=tuple(children), deletes=tuple(deletes), synthetic=synthetic)

    def _property(self, c: "TsNode") -> Property | None:
        name_node = c.child_by_field_name("name")
        if name_node is None:
            return None
        labels = tuple(ts.text_of(n) for n in c.children_by_field_name("label"))
        bits_nodes = [n for n in c.children_by_field_name("bits") if n.type == "integer_literal"]
        bits = int_literal_value(ts.text_of(bits_nodes[0])) or 32 if bits_nodes else 32
        value_ids = {n.id for n in c.children_by_field_name("value")}
        values = tuple(v for n in c.children if n.is_named and (n.id in value_ids or n.type == "ERROR")
                       for v in [self._value(n, bits)] if v is not None)
        eq = next((ch for ch in c.children if ch.type == "="), None)
        semi = next((ch for ch in reversed(c.children) if ch.type == ";" and not ch.is_missing), None)
        raw: str | None = None
        if eq is not None:
            end = semi.start_byte if semi is not None else c.end_byte
            raw = self._slice(eq.end_byte, end).strip()
        return Property(name=ts.text_of(name_node), values=values, line=ts.line_of(c),
                        end_line=ts.line_of(semi) if semi is not None else ts.end_line_of(c),
                        labels=labels, value=raw)

    def _slice(self, start: int, end: int) -> str:
        return self.text.encode("utf-8", "surrogatepass")[start:end].decode("utf-8", "replace")

    def _value(self, n: "TsNode", bits: int) -> Value | None:
        t, text, line = n.type, ts.text_of(n), ts.line_of(n)
        if t == "string_literal":
            return Value("string", text, line, string=_unescape(text[1:-1]))
        if t == "byte_string_literal":
            hexdigits = "".join(text[1:-1].split())
            try:
                data = bytes.fromhex(hexdigits)
            except ValueError:
                data = None
            return Value("bytes", text, line, data=data)
        if t == "reference":
            return Value("ref", text, line, target=self._reference(n))
        if t == "integer_cells":
            return Value("cells", text, line, cells=tuple(self._cells(n)), bits=bits)
        if t == "ERROR" and n.named_children and n.named_children[0].type in ("identifier", "call_expression"):
            return Value("macro", text, line)  # a macro standing for a whole value (a string, usually)
        return None  # comments and error spans inside the value

    def _cells(self, n: "TsNode") -> Iterator[Cell]:
        # A top-level '(' expr ')' in a cell list is three children of the
        # list, not a parenthesized_expression: keep the parens in the text.
        children = n.children
        i = 0
        while i < len(children):
            ch = children[i]
            if ch.type == "(" and i + 2 < len(children) and children[i + 2].type == ")":
                cell = self._cell(children[i + 1])
                if cell is not None:
                    yield Cell(cell.kind if cell.kind != "number" else "expr",
                               self._slice(ch.start_byte, children[i + 2].end_byte), ts.line_of(ch),
                               expr=cell.expr, target=cell.target)
                i += 3
                continue
            if ch.is_named:
                cell = self._cell(ch)
                if cell is not None:
                    yield cell
            i += 1

    def _cell(self, n: "TsNode") -> Cell | None:
        t, text, line = n.type, ts.text_of(n), ts.line_of(n)
        if t == "comment":
            return None
        if t == "reference":
            return Cell("ref", text, line, target=self._reference(n))
        if t == "integer_literal":
            return Cell("number", text, line, expr=Expr("num", value=int_literal_value(text)))
        if t == "identifier":
            return Cell("macro", text, line, expr=Expr("name", name=text))
        if t == "ERROR":
            return Cell("expr", text, line, expr=None)
        return Cell("expr", text, line, expr=_expr(n))

    def _reference(self, n: "TsNode") -> str | None:
        label = n.child_by_field_name("label")
        if label is not None:
            target = ts.text_of(label)
        else:
            path = next((ch for ch in n.named_children if ch.type == "path"), None)
            target = "{" + (ts.text_of(path) if path is not None else "") + "}"
        self.references.append((ts.line_of(n), target))
        return target

    def _delete(self, c: "TsNode") -> Delete | None:
        name_node = c.child_by_field_name("name")
        if name_node is None:
            return None
        if name_node.type == "reference":
            target = "&" + (self._reference(name_node) or "?")
        else:
            target = ts.text_of(name_node)
            unit = next((n for n in c.children_by_field_name("address") if n.type == "unit_address"), None)
            if unit is not None:
                target += "@" + ts.text_of(unit)
        return Delete("node" if c.type == "delete_node" else "property", target, ts.line_of(c))

    def _include(self, c: "TsNode") -> None:
        path = c.child_by_field_name("path")
        if path is None:
            return
        text = ts.text_of(path)
        self.includes.append(Include(ts.line_of(c), text[1:-1], text.startswith("<")))

    def _define(self, c: "TsNode") -> None:
        name = c.child_by_field_name("name")
        if name is None:
            return
        params_node = c.child_by_field_name("parameters")
        params = tuple(ts.text_of(p) for p in params_node.named_children if p.type == "identifier") \
            if params_node is not None else None
        body = c.child_by_field_name("value")
        self.defines.append(Define(ts.line_of(c), ts.text_of(name), params,
                                   macro_body(ts.text_of(body)) if body is not None else ""))


def macro_body(raw: str) -> str:
    """A ``#define``'s replacement text as cpp reads it: continuation lines
    joined, comments gone (one ``/*`` left open runs past the line: it ends
    the body), whitespace runs one space.  Headers write
    ``#define LED_COLOR_ID_RGB 9 /* For multicolor ...`` and
    ``#define X(a) (((a) & M) \\`` over two lines."""
    text = raw.replace("\\\r\n", " ").replace("\\\n", " ")
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                break
            out.append(" ")
            i = end + 2
        elif text.startswith("//", i):
            break
        else:
            out.append(ch)
            i += 1
    return " ".join("".join(out).split())


def _expr(n: "TsNode") -> Expr | None:
    """The typed expression of a cell (None for what is not an expression)."""
    t = n.type
    if t == "integer_literal":
        return Expr("num", value=int_literal_value(ts.text_of(n)))
    if t == "identifier":
        return Expr("name", name=ts.text_of(n))
    if t == "parenthesized_expression":
        inner = [ch for ch in n.named_children if ch.type != "comment"]
        return _expr(inner[0]) if len(inner) == 1 else None
    if t == "unary_expression":
        arg = n.child_by_field_name("argument")
        op = n.child_by_field_name("operator")
        op_text = ts.text_of(op) if op is not None else ts.text_of(n.children[0])
        sub = _expr(arg) if arg is not None else None
        return Expr("unary", name=op_text, args=(sub,)) if sub is not None else None
    if t == "binary_expression":
        left, right, op = (n.child_by_field_name(k) for k in ("left", "right", "operator"))
        subs = [_expr(x) if x is not None else None for x in (left, right)]
        if op is None or None in subs:
            # The grammar reads a parenthesised name operand, ``((x) - 1)`` as
            # in ``#define QORIQ_CLK_PLL_DIV(x) ((x) - 1)``, as bare '(' x ')'
            # tokens of the binary expression: take its two operands and the
            # one operator token between them.
            named = [ch for ch in n.named_children if ch.type != "comment"]
            ops = [ch for ch in n.children if not ch.is_named and ts.text_of(ch) not in ("(", ")")]
            if len(named) != 2 or len(ops) != 1:
                return None
            subs = [_expr(x) for x in named]
            if None in subs:
                return None
            op = ops[0]
        return Expr("binary", name=ts.text_of(op), args=tuple(subs))  # type: ignore[arg-type]
    if t == "conditional_expression":
        parts = [n.child_by_field_name(k) for k in ("condition", "consequence", "alternative")]
        subs = [_expr(x) if x is not None else None for x in parts]
        return None if None in subs else Expr("cond", args=tuple(subs))  # type: ignore[arg-type]
    if t == "call_expression":
        fn = n.child_by_field_name("function")
        args_node = n.child_by_field_name("arguments")
        args = [_expr(a) for a in (args_node.named_children if args_node is not None else []) if a.type != "comment"]
        if fn is None or None in args:
            return None
        return Expr("call", name=ts.text_of(fn), args=tuple(args))  # type: ignore[arg-type]
    return None


def _link(node: Node, parent: Node | None = None) -> Node:
    """Set every node's ``parent`` (the dataclasses are frozen; this is their construction)."""
    stack: list[tuple[Node, Node | None]] = [(node, parent)]
    while stack:
        n, p = stack.pop()
        object.__setattr__(n, "parent", p)
        stack.extend((c, n) for c in n.children)
    return node


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v", "0": "\0"}


def _unescape(s: str) -> str:
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt == "x":
                j = i + 2
                while j < len(s) and j < i + 4 and s[j] in "0123456789abcdefABCDEF":
                    j += 1
                out.append(chr(int(s[i + 2:j], 16)) if j > i + 2 else "x")
                i = j
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
