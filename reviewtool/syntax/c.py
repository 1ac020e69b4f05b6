"""The C model: what a C file tells a DT reviewer, parsed with tree-sitter-c.

Match tables (``of_device_id`` and the ACPI/I2C/SPI/platform ID tables),
``*_DECLARE`` macros, driver structures and their initialisers, functions,
calls, named DT lookups (properties, clocks, resets, GPIOs, supplies,
interrupts, ...) and ``#if``/``#ifdef`` regions, each with post-image lines.

A file is parsed through its ``SourceView``: the whole post-image when it
is known, else each hunk segment on its own.  tree-sitter recovers from a
hunk cut mid-function or mid-table; a segment is also parsed after the
line git names in its hunk header (the enclosing function or initialiser),
and the reading with fewer errors wins.  A construct that begins above the
hunk then starts, in line terms, at the hunk's first line.  Constructs that
need their end (a table's sentinel, a function's body) are only reported
when the end is really there.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator

from . import treesitter as ts
from .source import CompatUse, Segment, SourceView, source_view

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node

    from ..model import FileChange, Patch

DEFAULT_DECLARE_MACROS = (
    "CLK_OF_DECLARE", "CLK_OF_DECLARE_DRIVER", "IRQCHIP_DECLARE", "IRQCHIP_MATCH", "TIMER_OF_DECLARE",
    "OF_EARLYCON_DECLARE", "RESERVEDMEM_OF_DECLARE", "IOMMU_OF_DECLARE", "OF_DECLARE_1", "OF_DECLARE_1_RET",
    "OF_DECLARE_2",
)
DEFAULT_COMPAT_CALLS = (
    "of_device_is_compatible", "of_find_compatible_node", "of_get_compatible_child", "of_machine_is_compatible",
)
MATCH_TABLE_TYPES = ("of_device_id", "acpi_device_id", "i2c_device_id", "spi_device_id", "platform_device_id")

# --------------------------------------------------------------------------
# Facts


@dataclass(frozen=True)
class Arg:
    """One argument of a call: its text, line, and value when it is a string literal."""

    text: str
    line: int
    string: str | None
    node: Any = field(default=None, compare=False, repr=False)  # the tree-sitter node


@dataclass(frozen=True)
class Call:
    name: str
    line: int
    end: int
    args: tuple[Arg, ...]
    function: str | None  # the function definition it sits in, if known
    target: str | None = None  # the variable or field the result is assigned to, if any
    condition: str | None = None  # the condition of the nearest enclosing ``if``, if any


@dataclass(frozen=True)
class Field:
    """A designated initialiser ``.name = value`` at any depth of an initialiser."""

    name: str
    value: str  # whitespace-normalised text
    line: int
    path: str  # dotted designators from the top: "driver.of_match_table"


@dataclass(frozen=True)
class Initialiser:
    """``[static] [const] struct TYPE NAME[...] = { ... };``"""

    type: str
    name: str
    start: int
    end: int
    complete: bool  # its closing brace is in the view
    is_array: bool
    fields: tuple[Field, ...]

    def field_values(self, name: str) -> list[Field]:
        return [f for f in self.fields if f.name == name]


@dataclass(frozen=True)
class DriverStruct:
    """A driver structure (``struct *_driver``) and its initialiser's fields."""

    type: str
    name: str
    start: int
    end: int
    fields: tuple[tuple[str, str, int], ...]  # (field, value, line) at any depth, in order


@dataclass(frozen=True)
class MatchTable:
    type: str
    name: str
    start: int  # line of 'struct ... name[] = {'
    end: int  # line of the closing brace
    has_sentinel: bool
    last_entry_line: int | None
    compatibles: tuple[CompatUse, ...]
    lines: range = range(0)
    complete: bool = True  # declaration and closing brace in the view (else cut by a hunk)


@dataclass(frozen=True)
class Function:
    name: str
    start: int
    end: int
    complete: bool  # header and closing brace both in the view


@dataclass(frozen=True)
class Conditional:
    """A preprocessor conditional region (``#if``, ``#ifdef``, ``#ifndef``, ``#elif``, ``#else``)."""

    directive: str
    condition: str
    start: int
    end: int


@dataclass(frozen=True)
class PropertyRead:
    name: str  # as written in the call
    line: int
    text: str
    call: str
    kind: str  # "property", "names" (a value of names_prop), "supply", "gpios"
    names_prop: str | None = None
    node: str = "device"  # whose node is read: "device" (the driver's own) or "other" (see CFile.origin)
    function: str | None = None  # the function the lookup is in
    target: str | None = None  # where the value goes: the assigned "priv->clk", or "&v" of a _property_read_
    assigned: str | None = None  # what the call's return value is assigned to ("ret", "priv->clk")
    condition: str | None = None  # the condition of the nearest enclosing ``if``

    @property
    def dt_name(self) -> str:
        """The DT property (or -names list) this read depends on."""
        if self.kind == "supply":
            return f"{self.name}-supply"
        if self.kind == "gpios":
            return f"{self.name}-gpios"
        if self.kind == "names":
            return self.names_prop or self.name
        return self.name


# (call name pattern, argument index of the name, kind, names property)
_READERS: list[tuple[str, int, str, str | None]] = [
    (r"(?:of|device|fwnode)_property_\w+", 1, "property", None),
    (r"of_get_property|of_find_property|of_get_named_gpio|of_count_phandle_with_args", 1, "property", None),
    (r"of_parse_phandle(?:_with_args|_with_fixed_args|_with_optional_args)?", 1, "property", None),
    (r"syscon_regmap_lookup_by_phandle(?:_args|_optional)?", 1, "property", None),
    (r"(?:devm_)?clk_get(?:_optional|_enabled|_optional_enabled|_prepared|_optional_prepared)?|of_clk_get_by_name",
     1, "names", "clock-names"),
    (r"(?:devm_)?regulator_get(?:_optional|_exclusive|_enable|_enable_optional)?", 1, "supply", None),
    (r"(?:devm_)?gpiod_get(?:_optional|_index|_index_optional|_array|_array_optional)?", 1, "gpios", None),
    (r"(?:devm_)?reset_control_get\w*", 1, "names", "reset-names"),
    (r"platform_get_irq_byname(?:_optional)?|of_irq_get_byname", 1, "names", "interrupt-names"),
    (r"devm_platform_ioremap_resource_byname", 1, "names", "reg-names"),
    (r"platform_get_resource_byname", 2, "names", "reg-names"),
    (r"(?:devm_)?phy_(?:optional_)?get|devm_of_phy_get", 1, "names", "phy-names"),
    (r"dma_request_chan|dma_request_slave_channel", 1, "names", "dma-names"),
    (r"(?:devm_)?pwm_get", 1, "names", "pwm-names"),
    (r"(?:devm_)?nvmem_cell_get", 1, "names", "nvmem-cell-names"),
    (r"(?:devm_)?of_icc_get", 1, "names", "interconnect-names"),
    (r"mbox_request_channel_byname", 1, "names", "mbox-names"),
    (r"(?:devm_)?iio_channel_get", 1, "names", "io-channel-names"),
    (r"dev_pm_domain_attach_by_name", 1, "names", "power-domain-names"),
]
_READER_RES = [(re.compile(rx), idx, kind, names) for rx, idx, kind, names in _READERS]
_ANY_READER = re.compile("|".join(f"(?:{rx})" for rx, _, _, _ in _READERS))

# --------------------------------------------------------------------------
# Parsing a view

_Q_CALL = "(call_expression function: (identifier) @name arguments: (argument_list) @args) @call"
_Q_DECL = """
(declaration
  type: (struct_specifier name: (type_identifier) @type)
  declarator: (init_declarator declarator: (_) @decl value: (initializer_list) @init)) @d
"""
_Q_FUNC = "(function_definition declarator: (_) @decl body: (compound_statement) @body) @f"
_Q_PREPROC = "[(preproc_if) (preproc_ifdef) (preproc_elif) (preproc_else) (preproc_elifdef)] @p"
_Q_COMPAT_PAIR = """
(initializer_pair designator: (field_designator (field_identifier) @f) value: (string_literal) @v
  (#eq? @f "compatible"))
"""


# Kernel annotation macros that expand to attributes or nothing.  tree-sitter
# cannot expand macros, and one of these between "struct x" and the name
# breaks the declaration, so they are blanked (same length) before parsing,
# as ctags' -I list does.
_ANNOTATIONS = re.compile(
    r"\b(?:__maybe_unused|__always_unused|__used|__init|__initdata|__initconst|__exit|__exitdata|__ref|__refdata"
    r"|__refconst|__devinit|__devinitdata|__devinitconst|__devexit|__meminit|__meminitdata|__ro_after_init"
    r"|__read_mostly|__cold|__weak|__must_check|__noreturn|__always_inline|noinline|__cacheline_aligned"
    r"|__cacheline_aligned_in_smp)\b"
)


def _masked(text: str) -> str:
    return _ANNOTATIONS.sub(lambda m: " " * len(m.group(0)), text)


def _error_count(root: "Node") -> int:
    """ERROR nodes plus missing tokens: how badly a reading fits."""
    if not root.has_error:
        return 0
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count


@dataclass
class _Unit:
    """One parsed text: a segment, maybe after its hunk header's line."""

    segment: Segment
    root: "Node"
    prefix_rows: int  # rows of the text that come from the hunk header, not the segment

    def line(self, node: "Node") -> int:
        return self.segment.line_at_row(node.start_point[0] - self.prefix_rows)

    def end_line(self, node: "Node") -> int:
        return self.segment.line_at_row(node.end_point[0] - self.prefix_rows)

    def shown(self, node: "Node") -> bool:
        """The node starts inside the segment (not in the hunk-header prefix)."""
        return node.start_point[0] >= self.prefix_rows


def _parse_segment(seg: Segment, section: str, whole: bool) -> _Unit:
    """Parse a segment; a hunk segment also after its header line, keeping the better fit.

    The header reading may cost one error more (the construct it opens is
    usually not closed inside the hunk) and still win: git saw the context."""
    text = _masked(seg.text)
    plain = ts.parse("c", text)
    best = _Unit(seg, plain.root_node, 0)
    header = section.rstrip()
    if whole or not header.endswith(("{", ")")):
        return best  # no header, or one git cut (a signature split over lines): nothing to lean on
    opener = "" if header.endswith("{") else "\n{"
    prefixed = ts.parse("c", f"{_masked(header)}{opener}\n{text}")
    if _error_count(prefixed.root_node) <= _error_count(plain.root_node) + 1:
        return _Unit(seg, prefixed.root_node, 1 + opener.count("\n"))
    return best


def _string_value(node: "Node") -> str | None:
    """The raw text between the quotes of a string literal (first part of a concatenation)."""
    if node.type == "concatenated_string":
        node = next((c for c in node.named_children if c.type == "string_literal"), node)
    if node.type != "string_literal":
        return None
    text = ts.text_of(node)
    return text[1:-1] if text.endswith('"') and len(text) >= 2 else text[1:]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _declarator_name(node: "Node") -> tuple[str | None, bool]:
    """The identifier a declarator declares, and whether it is an array."""
    is_array = False
    while node is not None and node.type != "identifier":
        if node.type == "array_declarator":
            is_array = True
        inner = node.child_by_field_name("declarator")
        if inner is None:
            inner = next((c for c in node.named_children if c.type.endswith("declarator") or c.type == "identifier"),
                         None)
        node = inner
    return (ts.text_of(node) if node is not None else None), is_array


def _closed(node: "Node") -> bool:
    last = node.children[-1] if node.child_count else None
    return last is not None and last.type == "}" and not last.is_missing


class CFile:
    """Everything the C checks ask of one file, parsed once per run."""

    def __init__(self, view: SourceView, sections: tuple[str, ...] = ()):
        self.view = view
        self.path = view.path
        whole = view.complete
        self.units = [
            _parse_segment(seg, sections[i] if i < len(sections) else "", whole)
            for i, seg in enumerate(view.segments)
        ]

    # -- initialisers, tables, driver structs ---------------------------------

    @cached_property
    def initialisers(self) -> list[Initialiser]:
        out = []
        for unit in self.units:
            for _, cap in ts.matches("c", _Q_DECL, unit.root):
                decl, init = cap["d"][0], cap["init"][0]
                name, is_array = _declarator_name(cap["decl"][0])
                if name is None:
                    continue
                fields = tuple(self._fields(unit, init))
                start = unit.line(decl) if unit.shown(decl) else unit.segment.first_line
                out.append(Initialiser(ts.text_of(cap["type"][0]), name, start, unit.end_line(init),
                                       _closed(init), is_array, fields))
        return sorted(out, key=lambda i: i.start)

    @staticmethod
    def _fields(unit: _Unit, init: "Node") -> list[Field]:
        found: list[tuple[int, Field]] = []
        stack: list[tuple["Node", str]] = [(init, "")]
        while stack:
            node, prefix = stack.pop()
            for child in node.named_children:
                if child.type == "initializer_pair":
                    names = [ts.text_of(d).lstrip(".") for d in child.children_by_field_name("designator")
                             if d.type == "field_designator"]
                    value = child.child_by_field_name("value")
                    if not names or value is None:
                        continue
                    path = ".".join(p for p in (prefix, *names) if p)
                    if unit.shown(child):
                        found.append((child.start_byte, Field(names[-1], _norm(ts.text_of(value)),
                                                              unit.line(child), path)))
                    if value.type == "initializer_list":
                        stack.append((value, path))
                elif child.type == "initializer_list":
                    stack.append((child, prefix))
        return [f for _, f in sorted(found, key=lambda x: x[0])]

    @cached_property
    def tables(self) -> list[MatchTable]:
        """Every ``*_device_id`` array, including tables a hunk shows only part of."""
        out = []
        for unit in self.units:
            for _, cap in ts.matches("c", _Q_DECL, unit.root):
                decl, init = cap["d"][0], cap["init"][0]
                type_ = ts.text_of(cap["type"][0])
                name, is_array = _declarator_name(cap["decl"][0])
                if type_.endswith("_device_id") and is_array and name is not None:
                    out.append(self._table(unit, type_, name, decl, init))
            for err, decl in _unclosed(unit.root, "array_declarator"):
                type_node = decl.prev_named_sibling
                while type_node is not None and type_node.type != "struct_specifier":
                    type_node = type_node.prev_named_sibling
                name_node = type_node.child_by_field_name("name") if type_node is not None else None
                name, _ = _declarator_name(decl)
                if name_node is not None and ts.text_of(name_node).endswith("_device_id") and name is not None:
                    out.append(self._table(unit, ts.text_of(name_node), name, decl, err))
        return sorted(out, key=lambda t: t.start)

    @property
    def match_tables(self) -> list[MatchTable]:
        """Tables whose declaration and closing brace are both in the view."""
        return [t for t in self.tables if t.complete]

    def _table(self, unit: _Unit, type_: str, name: str, decl: "Node", init: "Node") -> MatchTable:
        if init.is_error:  # a table the hunk ends in: its entries follow the declarator
            entries = [c for c in init.named_children if c.type != "comment" and c.start_byte >= decl.end_byte]
            entries = [e for e in entries if e.type == "initializer_list"]
        else:
            entries = [c for c in init.named_children if c.type != "comment"]
        # Entries that are not brace groups (macros expanding to entries,
        # preprocessor lines) make the sentinel unknowable: assume it is there.
        opaque = any(e.type != "initializer_list" for e in entries)
        sentinel = opaque or any(_is_sentinel(e) for e in entries)
        groups = [e for e in entries if e.type == "initializer_list"]
        compats = []
        if type_ == "of_device_id":
            how = f"{type_} table {name}"
            for _, cap in ts.matches("c", _Q_COMPAT_PAIR, init):
                value = _string_value(cap["v"][0])
                if value is not None and unit.shown(cap["v"][0]):
                    ln = unit.line(cap["v"][0])
                    compats.append(CompatUse(value, ln, self.view.text_of(ln), how))
        start, end = unit.line(decl), unit.end_line(init)
        complete = unit.shown(decl) and not init.is_error and _closed(init)
        return MatchTable(type_, name, start, end, sentinel, unit.line(groups[-1]) if groups else None,
                          tuple(sorted(compats, key=lambda c: c.line)), range(start, end + 1),
                          complete)

    @cached_property
    def driver_structs(self) -> list[DriverStruct]:
        return [
            DriverStruct(i.type, i.name, i.start, i.end, tuple((f.name, f.value, f.line) for f in i.fields))
            for i in self.initialisers
            if i.type.endswith("_driver") and not i.is_array
        ]

    # -- functions, calls, conditionals ---------------------------------------

    @cached_property
    def _function_nodes(self) -> list[tuple[_Unit, "Node", Function]]:
        out = []
        for unit in self.units:
            for _, cap in ts.matches("c", _Q_FUNC, unit.root):
                fn, body = cap["f"][0], cap["body"][0]
                decl = cap["decl"][0]
                while decl is not None and decl.type != "function_declarator":
                    decl = decl.child_by_field_name("declarator")
                if decl is None:
                    continue
                name, _ = _declarator_name(decl)
                if name is None:
                    continue
                start = unit.line(fn) if unit.shown(fn) else unit.segment.first_line
                out.append((unit, fn, Function(name, start, unit.end_line(fn), unit.shown(fn) and _closed(body))))
            for err, decl in _unclosed(unit.root, "function_declarator"):
                name, _ = _declarator_name(decl)
                if name is not None:
                    start = unit.line(decl) if unit.shown(decl) else unit.segment.first_line
                    out.append((unit, err, Function(name, start, unit.end_line(err), False)))
        return out

    @cached_property
    def functions(self) -> list[Function]:
        return sorted((f for _, _, f in self._function_nodes), key=lambda f: f.start)

    def function_at(self, line: int) -> Function | None:
        inner = [f for f in self.functions if f.start <= line <= f.end]
        return inner[-1] if inner else None

    def function_bodies(self) -> Iterator[tuple[Function, "Node", _Unit]]:
        """(function, its body node, the unit) for tree-walking checks (the ERROR node
        holding the statements when the hunk ends inside the function)."""
        for unit, fn, func in self._function_nodes:
            yield func, fn.child_by_field_name("body") or fn, unit

    @cached_property
    def calls(self) -> list[Call]:
        out = []
        for unit in self.units:
            spans = sorted((fn.start_byte, fn.end_byte, f.name) for u, fn, f in self._function_nodes if u is unit)
            starts = [sp[0] for sp in spans]
            for _, cap in ts.matches("c", _Q_CALL, unit.root):
                call, args = cap["call"][0], cap["args"][0]
                if not unit.shown(call):
                    continue
                arg_list = tuple(
                    Arg(ts.text_of(a), unit.line(a), _string_value(a), a)
                    for a in args.named_children if a.type != "comment"
                )
                i = bisect.bisect_right(starts, call.start_byte) - 1  # C functions do not nest
                inside = spans[i][2] if i >= 0 and call.start_byte < spans[i][1] else None
                out.append(Call(ts.text_of(cap["name"][0]), unit.line(call), unit.end_line(call), arg_list, inside,
                                _assigned_to(call), _condition_of(call)))
        return sorted(out, key=lambda c: (c.line, c.name))

    def calls_named(self, *names: str) -> list[Call]:
        wanted = set(names)
        return [c for c in self.calls if c.name in wanted]

    @cached_property
    def conditionals(self) -> list[Conditional]:
        out = []
        for unit in self.units:
            for node in ts.captures("c", _Q_PREPROC, unit.root).get("p", []):
                if not unit.shown(node):
                    continue
                directive = ts.text_of(node.children[0]) if node.child_count else node.type
                cond = node.child_by_field_name("condition") or node.child_by_field_name("name")
                out.append(Conditional(_norm(directive), _norm(ts.text_of(cond)) if cond is not None else "",
                                       unit.line(node), unit.end_line(node)))
        return sorted(out, key=lambda c: c.start)

    # -- what the DT reviewer asks --------------------------------------------

    def compatible_uses(self, macros: tuple[str, ...] = DEFAULT_DECLARE_MACROS,
                        calls: tuple[str, ...] = DEFAULT_COMPAT_CALLS) -> list[CompatUse]:
        """Every compatible the file names: of_device_id tables (also ones a hunk cuts, when
        its header names the table), *_DECLARE macros, OF lookups."""
        out = [c for t in self.tables if t.type == "of_device_id" for c in t.compatibles]
        macro_set = set(macros)
        for call in self.calls_named(*macros, *calls):
            arg = next((a for a in call.args if a.string is not None), None)
            if arg is None:
                continue
            how = call.name if call.name in macro_set else f"{call.name}()"
            out.append(CompatUse(arg.string, arg.line, self.view.text_of(arg.line), how))
        return out

    @cached_property
    def property_reads(self) -> list[PropertyRead]:
        """Named DT lookups: properties, '-names' entries, supplies, GPIOs."""
        out: list[PropertyRead] = []
        seen: set[tuple[int, str]] = set()
        for call in self.calls:
            if not _ANY_READER.fullmatch(call.name):
                continue
            for rx, idx, kind, names_prop in _READER_RES:
                if not rx.fullmatch(call.name):
                    continue
                if len(call.args) <= idx:
                    break
                arg = call.args[idx]
                if not arg.string or (arg.line, arg.string) in seen:
                    break
                seen.add((arg.line, arg.string))
                node = self.origin(call.args[0].node, call.function) if idx > 0 else "device"
                out.append(PropertyRead(arg.string, arg.line, self.view.text_of(arg.line), call.name, kind,
                                        names_prop, node, call.function, _read_target(call), call.target,
                                        call.condition))
                break
        return sorted(out, key=lambda r: (r.line, r.name))

    # -- whose node a lookup reads ---------------------------------------------

    @cached_property
    def exported(self) -> frozenset[str]:
        """Functions the file exports (EXPORT_SYMBOL*): other drivers call them with their own devices."""
        return frozenset(c.args[0].text for c in self.calls
                         if c.function is None and c.name.startswith("EXPORT_SYMBOL") and c.args)

    @cached_property
    def _function_by_name(self) -> dict[str, "Node"]:
        out: dict[str, Node] = {}
        for _, fn_node, fn in self._function_nodes:
            out.setdefault(fn.name, fn_node)
        return out

    def _scope(self, function: str | None) -> "_Scope | None":
        """A function's variables, read when a lookup's node must be traced (cached)."""
        if function is None or function not in self._function_by_name:
            return None
        cache = self.__dict__.setdefault("_scope_cache", {})
        if function not in cache:
            cache[function] = _Scope.of(self._function_by_name[function])
        return cache[function]

    def origin(self, expr: "Node | None", function: str | None, depth: int = 0) -> str:
        """Whose device-tree node an expression names: "device" for the driver's own device
        (``dev``, ``&pdev->dev``, ``np = dev->of_node``, ...), "other" for a child iterated by a
        ``for_each_*`` loop, a node looked up (``of_get_child_by_name``, ``of_parse_phandle``,
        ``get_cpu_device``, any call but the few that return their argument), or a parameter of
        an exported function or of a helper called with such a node.  Other shapes (a node kept
        in the driver's state, a global) count as the device's own."""
        if expr is None or depth > 6:
            return "device"
        kind = expr.type
        if kind in ("parenthesized_expression", "pointer_expression", "cast_expression"):
            inner = expr.child_by_field_name("value") or expr.child_by_field_name("argument")
            if inner is None:
                inner = expr.named_children[-1] if expr.named_children else None
            return self.origin(inner, function, depth + 1)
        if kind == "field_expression":
            fld = expr.child_by_field_name("field")
            if fld is not None and ts.text_of(fld) in ("parent", "child"):
                return "other"
            base = expr.child_by_field_name("argument")
            scope = self._scope(function)
            if base is not None and base.type == "identifier" and scope is not None \
                    and _REFERENCE_ARGS.search(scope.types.get(ts.text_of(base), "")):
                return "other"  # the node a phandle points to (of_phandle_args.np)
            if fld is not None and ts.text_of(fld) in ("dev", "of_node", "fwnode"):
                return self.origin(base, function, depth + 1)
            return "device"  # a node the driver stored in its state: its own, as a rule
        if kind == "call_expression":
            name = ts.text_of(expr.child_by_field_name("function") or expr)
            if _OTHER_NODE_CALLS.fullmatch(name):
                return "other"
            args = expr.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            # Only helpers that hand back the node or device they are given keep it the
            # driver's own; any other function returns some other node (mtd_get_of_node, ...).
            return self.origin(first, function, depth + 1) if _SAME_NODE_CALLS.fullmatch(name) else "other"
        if kind != "identifier" or function is None:
            return "device"
        scope = self._scope(function)
        if scope is None:
            return "device"
        name = ts.text_of(expr)
        if name in scope.loop_vars:
            return "other"
        if name in scope.params:
            if function in self.exported:
                return "other"
            index = scope.params.index(name)
            for call in self.calls_named(function):
                if len(call.args) > index and self.origin(call.args[index].node, call.function,
                                                          depth + 1) == "other":
                    return "other"
            return "device"
        for rhs in scope.assigned.get(name, ()):
            if self.origin(rhs, function, depth + 1) == "other":
                return "other"
        return "device"

    def macro_calls(self, name: str) -> list[Call]:
        """Top-level macro invocations such as MODULE_DEVICE_TABLE(of, x) or module_platform_driver(x)."""
        return [c for c in self.calls_named(name) if c.function is None]


_OTHER_NODE_CALLS = re.compile(
    r"of_(?:get|find)_\w+|of_parse_phandle\w*|\w*get_cpu_\w+|\w*_child\w*|\w*_parent|of_graph_\w+"
    r"|fwnode_get_\w+|fwnode_find_\w+|\w*find_device\w*|of_node_by_\w+|fwnode_graph_\w+"
)
_SAME_NODE_CALLS = re.compile(
    r"dev_fwnode|dev_of_node|of_fwnode_handle|of_node_get|fwnode_handle_get|to_of_node|to_platform_device"
    r"|to_i2c_client|to_spi_device|of_node_to_fwnode"
)
_REFERENCE_ARGS = re.compile(r"\b(?:of_phandle_args|fwnode_reference_args)\b")
_Q_DECLARED = "(declaration type: (_) @type declarator: (_) @decl)"
_Q_ASSIGN = """
[(init_declarator declarator: (_) @lhs value: (_) @rhs)
 (assignment_expression left: (identifier) @lhs right: (_) @rhs)]
"""


@dataclass
class _Scope:
    """What a function body tells about its variables: parameters, assignments, loop iterators."""

    params: list[str]
    assigned: dict[str, list["Node"]]
    loop_vars: set[str]
    types: dict[str, str]  # local variable -> its declared type

    @classmethod
    def of(cls, fn: "Node") -> "_Scope":
        params: list[str] = []
        decl = fn.child_by_field_name("declarator")
        while decl is not None and decl.type != "function_declarator":
            decl = decl.child_by_field_name("declarator")
        plist = decl.child_by_field_name("parameters") if decl is not None else None
        for p in plist.named_children if plist is not None else ():
            if p.type == "parameter_declaration":
                inner = p.child_by_field_name("declarator")
                name, _ = _declarator_name(inner) if inner is not None else (None, False)
                params.append(name or "")
        body = fn.child_by_field_name("body") or fn
        assigned: dict[str, list[Node]] = {}
        for _, cap in ts.matches("c", _Q_ASSIGN, body):
            name, _ = _declarator_name(cap["lhs"][0])
            if name:
                assigned.setdefault(name, []).append(cap["rhs"][0])
        types: dict[str, str] = {}
        for _, cap in ts.matches("c", _Q_DECLARED, body):
            for decl in cap["decl"]:
                name, _ = _declarator_name(decl)
                if name:
                    types[name] = ts.text_of(cap["type"][0])
        loop_vars = set()
        for _, cap in ts.matches("c", _Q_CALL, body):
            if "for_each" in ts.text_of(cap["name"][0]):
                args = [a for a in cap["args"][0].named_children if a.type == "identifier"]
                if args:
                    loop_vars.add(ts.text_of(args[-1]))
        return cls(params, assigned, loop_vars, types)


def _read_target(call: Call) -> str | None:
    """Where a lookup's value lands: the out-pointer of ``*_property_read_*(node, name, &v)``
    (their return value is only an error code), else what the call is assigned to."""
    if "_property_read_" in call.name:
        last = call.args[-1].text if call.args else ""
        return _norm(last) if last.startswith("&") else None
    return call.target


def _condition_of(call: "Node") -> str | None:
    node = call.parent
    while node is not None and node.type not in ("function_definition", "translation_unit"):
        if node.type == "if_statement":
            cond = node.child_by_field_name("condition")
            if cond is not None and not (cond.start_byte <= call.start_byte < cond.end_byte):
                return _norm(ts.text_of(cond))
        node = node.parent
    return None


def _assigned_to(call: "Node") -> str | None:
    """``x = call(...)`` or ``T *x = call(...)``: the text of x."""
    parent = call.parent
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression"):
        parent = parent.parent
    if parent is None:
        return None
    if parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        return _norm(ts.text_of(left)) if left is not None else None
    if parent.type == "init_declarator":
        name, _ = _declarator_name(parent.child_by_field_name("declarator"))
        return name
    return None


def _unclosed(root: "Node", declarator: str) -> Iterator[tuple["Node", "Node"]]:
    """(ERROR node, declarator) for a construct the text ends inside: tree-sitter wraps a
    function or initialiser whose braces never close in one ERROR node, declarator first."""
    stack = [root] if root.has_error else []
    while stack:
        node = stack.pop()
        stack.extend(c for c in node.children if c.has_error)
        if not node.is_error:
            continue
        kids = node.children
        for i, child in enumerate(kids):
            if child.type == declarator and any(k.type == "{" for k in kids[i + 1:i + 3]):
                yield node, child
                break


def _is_sentinel(entry: "Node") -> bool:
    """An all-zero entry: ``{ }``, ``{ 0 }``, ``{ NULL }``, ``{ {} }``, ``{ { 0 } }``."""
    if entry.type != "initializer_list":
        return False
    items = [c for c in entry.named_children if c.type != "comment"]
    if not items:
        return True
    if len(items) != 1:
        return False
    item = items[0]
    if item.type == "initializer_list":
        inner = [c for c in item.named_children if c.type != "comment"]
        return not inner or (len(inner) == 1 and ts.text_of(inner[0]) == "0")
    return ts.text_of(item) in ("0", "NULL")


def _sections(fc: "FileChange", view: SourceView) -> tuple[str, ...]:
    """The hunk-header line of each segment (the enclosing construct git names)."""
    if view.complete:
        return ()
    return tuple(h.section for h in fc.hunks if any(ln.kind != "-" and ln.new_line is not None for ln in h.lines))


def c_file(ctx: Any, patch: "Patch", fc: "FileChange") -> CFile:
    """The C model of a file in a patch, built once per run."""

    def compute() -> CFile:
        view = source_view(ctx, patch, fc)
        return CFile(view, _sections(fc, view))

    if ctx is None:
        return compute()
    return ctx.memo(f"c_file:{patch.message_id}:{patch.n}:{fc.path}", compute)
