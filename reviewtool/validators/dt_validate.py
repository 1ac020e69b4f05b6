"""Devicetree source validated against bindings the way ``dt-validate`` does, in process.

``make dt_binding_check`` extracts each binding example into a DTS
(``dt-extract-example``: every example a node ``example-N`` under a root
with ``#address-cells``/``#size-cells`` = 1, plus a fake interrupt parent),
runs cpp and ``dtc -@`` (a plugin: unknown ``&labels`` become fixups) and
``dt-validate`` on the DTB against the processed schemas.  We do the same
from the DTS model (``syntax.dts``): each property becomes the bytes dtc
would write, and dtschema's own code decodes them (``dtb.prop_value``, the
fixups for phandles, interrupts, addresses and GPIOs) and validates each
node with its own ``DTValidator``.  No dtc, cpp or DTB file is needed.

Macros come from the caller (series headers, the tree, a table of
universal constants, see ``macros.py``); a cell whose macro is unknown is
never guessed: the property is left out of the errors and the macro is
returned in ``unknown_macros``.

Schemas: dtschema's core schemas are processed once and kept on disk
(keyed by dtschema's version); each binding's processed schema is kept per
process and on disk keyed by its content.  A validator over core + the
given bindings is kept per process.  A binding whose ``$ref``s name
schemas we cannot get (a kernel schema without a tree) is not validated:
a missing ``$ref`` target is an always-failing schema for dtschema.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import re
import struct
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from ..syntax.dts import Define, DtsDocument, Expr, Node, Property, evaluate, int_literal_value, parse_dts
from . import dtschema_runner as runner

SCHEMA_URL = runner.SCHEMA_URL
Resolver = Callable[[str], "str | None"]
Macros = Mapping[str, "int | str | Expr | tuple[tuple[str, ...], str]"]


class NeedsSchemas(Exception):
    """A binding ``$ref``s schemas that are not available (no kernel tree)."""

    def __init__(self, missing: list[str]):
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class DtProblem:
    line: int  # 1-based line in the DTS text validated
    node: str  # node path as dt-validate prints it
    prop: str | None  # the property the error is about (None: the node)
    message: str  # dt-validate's message
    hint: str  # what to change
    schema: str  # $id of the schema that failed
    subject_line: int = 0  # line of the node the error is about (a child's, when its parent's schema judged it)


@dataclass(frozen=True)
class DtResult:
    problems: tuple[DtProblem, ...] = ()
    unknown_macros: tuple[tuple[str, int], ...] = ()  # (macro, line of the first property using it)


# -- schemas ---------------------------------------------------------------------


def _disk_get(key: str) -> Any:
    from ..jsoncache import cache_dir, read_json

    return read_json(cache_dir("dtschema") / f"{key}.json")


def _disk_put(key: str, value: Any) -> None:
    from ..jsoncache import cache_dir, write_json

    write_json(cache_dir("dtschema") / f"{key}.json", value)


_CORE: dict[str, Any] | None = None
_PROCESSED: "OrderedDict[str, Any]" = OrderedDict()
_VALIDATORS: "OrderedDict[tuple, Any]" = OrderedDict()


def core_schemas() -> dict[str, Any]:
    """dtschema's bundled schemas, processed (``dt-mk-schema`` without a tree)."""
    global _CORE
    if _CORE is None:
        dts = runner.load()
        key = "core-" + hashlib.sha256(f"{dts.__version__}".encode()).hexdigest()[:16]
        cached = _disk_get(key)
        if not isinstance(cached, dict) or not cached:
            from dtschema.validator import process_schemas

            with contextlib.redirect_stderr(io.StringIO()):
                cached = process_schemas([], core_schema=True)
            _disk_put(key, cached)
        _CORE = cached
    return _CORE


def processed_schema(rel: str, text: str, others: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """One binding, processed as dt-mk-schema does (None: dtschema ignores it)."""
    dts = runner.load()
    key = "b-" + hashlib.sha256(f"{dts.__version__}\0{rel}\0{text}".encode()).hexdigest()[:32]
    if key in _PROCESSED:
        _PROCESSED.move_to_end(key)
        return _PROCESSED[key]
    got = _disk_get(key)
    if got is None:
        got = _process(rel, text, others or {})
        _disk_put(key, got if got is not None else {})
    got = got or None
    _PROCESSED[key] = got
    while len(_PROCESSED) > 256:
        _PROCESSED.popitem(last=False)
    return got


def _process(rel: str, text: str, others: Mapping[str, str]) -> dict[str, Any] | None:
    from dtschema.validator import process_schema

    if not runner._safe_rel(rel):
        return None
    with runner._RUN_LOCK, runner._SCRATCH.run() as place:
        path = place(rel, text)
        with contextlib.redirect_stderr(io.StringIO()):
            try:
                sch = process_schema(str(path))
            except Exception:
                return None
    if not sch or "$id" not in sch:
        return None
    sch = dict(sch)
    sch["$filename"] = f"{runner.BINDINGS}/{rel}"
    return json.loads(json.dumps(sch))  # plain data: ruamel types out, safe to cache


def _refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for k, v in n.items():
                if k == "$ref" and isinstance(v, str):
                    yield v
                else:
                    stack.append(v)
        elif isinstance(n, list):
            stack.extend(n)


def _ref_id(base: str, ref: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, ref).split("#", 1)[0]


class SchemaSet:
    """Core schemas plus some bindings (and what their ``$ref``s need)."""

    def __init__(self, bindings: Mapping[str, str], resolve: Resolver | None = None):
        """``bindings`` maps rel paths under bindings/ to texts; ``resolve(rel)``
        reads more from the kernel tree.  Raises NeedsSchemas when a ``$ref``
        cannot be satisfied."""
        core = core_schemas()
        schemas: dict[str, Any] = {}
        missing: list[str] = []
        todo = list(bindings.items())
        seen: set[str] = set()
        while todo:
            rel, text = todo.pop(0)
            if rel in seen:
                continue
            seen.add(rel)
            sch = processed_schema(rel, text, bindings)
            if sch is None:
                continue
            _id = sch["$id"].rstrip("#")
            schemas[_id] = sch
            for ref in _refs(sch):
                target = _ref_id(sch["$id"], ref)
                if not target or target in core or target in schemas:
                    continue
                if not target.startswith(SCHEMA_URL):
                    continue
                want = target[len(SCHEMA_URL):]
                if want in bindings or any(r == want for r, _ in todo):
                    continue
                got = resolve(want) if resolve is not None else None
                if got is None:
                    missing.append(want)
                else:
                    todo.append((want, got))
        if missing:
            raise NeedsSchemas(sorted(set(missing)))
        self.ids = tuple(sorted(schemas))
        self.bindings = schemas
        key = tuple((k, hashlib.sha256(json.dumps(v, sort_keys=True).encode()).hexdigest()) for k, v in
                    sorted(schemas.items()))
        self.validator = _validator(key, core, schemas)


def _validator(key: tuple, core: dict[str, Any], extra: dict[str, Any]) -> Any:
    if key in _VALIDATORS:
        _VALIDATORS.move_to_end(key)
        return _VALIDATORS[key]
    v = _make_validator({**copy.deepcopy(core), **copy.deepcopy(extra)})
    _VALIDATORS[key] = v
    while len(_VALIDATORS) > 32:
        _VALIDATORS.popitem(last=False)
    return v


def _make_validator(schemas: dict[str, Any]) -> Any:
    """dtschema's ``DTValidator`` over already processed schemas (its own
    constructor only takes files or one processed-schema file)."""
    runner.load()
    import dtschema
    from dtschema.validator import DTValidator, make_compatible_schema
    from referencing import Registry

    v = DTValidator.__new__(DTValidator)
    v.schemas = schemas
    v.registry = Registry(retrieve=v.retrieve)
    with contextlib.redirect_stderr(io.StringIO()):
        v.make_property_type_cache()
        make_compatible_schema(v.schemas)
    for k in v.pat_props:
        v.pat_props[k][0]["regex"] = re.compile(k)
    v.always_schemas = []
    v.compat_map = {}
    for sch in v.schemas.values():
        _id = sch["$id"].rstrip("#")
        if "select" in sch:
            if sch["select"] is not False:
                v.always_schemas.append(_id)
        elif "properties" in sch and "compatible" in sch["properties"]:
            compatibles = dtschema.extract_node_compatibles(sch["properties"]["compatible"])
            if len(compatibles) > 1:
                compatibles = set(compatibles) - {"syscon", "simple-mfd", "simple-bus"}
            for c in compatibles:
                v.compat_map[c] = _id
    v.schemas["version"] = dtschema.__version__
    v._schema_validators = {}
    v._select_validators = {}
    v.decode_errors = None
    return v


# -- the devicetree ----------------------------------------------------------------

_MACRO_NAME = re.compile(r"[A-Za-z_]\w*")
_INTERRUPTS = re.compile(r"\sinterrupts\s*=\s*<([0-9a-zA-Z |()_]+)>")
_UNRESOLVED = 0xFFFFFFFF


def example_source(example: str, index: int, int_cells: int | None = None) -> tuple[str, int]:
    """The DTS ``dt-extract-example`` makes of one example, and the line
    offset of the example's first line in it (the kernel tool's own regexes
    decide the fake interrupt parent, so we use them as they are).  A DTS
    node (not an example) passes ``int_cells``, the fake parent's
    ``#interrupt-cells`` read from the DTS model."""
    if re.search(r"/\s*{", example):
        return example, 0
    if int_cells is None:
        m = _INTERRUPTS.search(example)
        int_cells = 0
        if m:
            val = re.sub(r"\(.+|\)", "0", m.group(1))
            int_cells = len(val.strip().split())
    intc = ""
    if int_cells > 0:
        intc = (f"interrupt-parent = <&fake_intc{index}>; fake_intc{index}: fake-interrupt-controller {{ "
                f"interrupt-controller; #interrupt-cells = < {int_cells} >; }};")
    head = ('/ { compatible = "foo"; model = "foo"; #address-cells = <1>; #size-cells = <1>; '
            f"example-{index} {{ #address-cells = <1>; #size-cells = <1>; {intc}\n")
    return head + example + "\n}; };\n", 1


@dataclass
class _Built:
    root: dict[str, Any]
    where: dict[int, tuple[Node, dict[str, Any], str]] = field(default_factory=dict)  # id(dict) -> node
    props: dict[tuple[int, str], Property] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)  # macro -> line of the first use
    guessed: set[tuple[int, str]] = field(default_factory=set)  # (id(dict), prop) holding an unknown macro


class _Prop(bytes):
    """What dtschema's ``prop_value`` expects of a libfdt property: bytes with a name."""

    name: str

    def __new__(cls, name: str, data: bytes) -> "_Prop":
        obj = super().__new__(cls, data)
        obj.name = name
        return obj


class _Evaluator:
    """Values of cell expressions under a macro table, as cpp then dtc would
    compute them, and which names in an expression no macro defines (only
    those make cpp leave a name behind for dtc to fail on; an argument of a
    defined function-like macro is the macro's business, e.g. the port
    letter ``TEGRA_GPIO(CC, 1)`` pastes into ``TEGRA_GPIO_PORT_CC``)."""

    def __init__(self, macros: Macros) -> None:
        self.plain: dict[str, Any] = {k: v for k, v in macros.items() if isinstance(v, (int, Expr))}
        self.functions = {k: v for k, v in macros.items() if isinstance(v, tuple)}
        self.strings = {k for k, v in macros.items() if isinstance(v, str)}

    def expand(self, e: Expr, depth: int = 0) -> Expr | None:
        if depth > 32:
            return None
        if e.op == "call":
            fn = self.functions.get(e.name)
            if fn is None:
                return None
            params, body = fn
            if len(params) != len(e.args):
                return None
            if "#" in body:
                body = _paste(body, dict(zip(params, e.args)))
            args = [self.expand(a, depth + 1) for a in e.args]
            if None in args:
                return None
            sub = _parse_expr(body)
            if sub is None:
                return None
            return self.expand(_substitute(sub, dict(zip(params, args))), depth + 1)  # type: ignore[arg-type]
        if e.op == "name" and isinstance(self.plain.get(e.name), Expr):
            return self.expand(self.plain[e.name], depth + 1)
        if not e.args:
            return e
        args = [self.expand(a, depth + 1) for a in e.args]
        return None if None in args else Expr(e.op, e.value, e.name, tuple(args))  # type: ignore[arg-type]

    def value(self, e: Expr) -> int | None:
        x = self.expand(e)
        return evaluate(x, self.plain) if x is not None else None

    def defines(self, name: str) -> bool:
        return name in self.plain or name in self.functions or name in self.strings

    def undefined(self, e: Expr) -> list[str]:
        """Names in ``e`` (or in what it expands to) that no macro defines."""
        x = self.expand(e)
        stack = [x if x is not None else e]
        out: list[str] = []
        while stack:
            cur = stack.pop()
            if cur.op in ("name", "call") and not self.defines(cur.name):
                out.append(cur.name)
            if cur.op == "call" and cur.name in self.functions:
                continue  # its arguments are its own business (pasted, stringified, ignored)
            stack.extend(cur.args)
        return out


def _paste(body: str, args: dict[str, Expr]) -> str:
    """``body`` with cpp's ``a ## b`` token pasting done for the parameters
    next to ``##`` (an argument is pasted as written: a name or a number)."""
    def raw(token: str) -> str:
        a = args.get(token)
        if a is None:
            return token
        if a.op == "name":
            return a.name
        if a.op == "num" and a.value is not None:
            return str(a.value)
        return token

    prev = None
    while prev != body:
        prev = body
        body = re.sub(r"(\w+)\s*##\s*(\w+)", lambda m: raw(m.group(1)) + raw(m.group(2)), body, count=1)
    return body


def _substitute(e: Expr, params: dict[str, Expr]) -> Expr:
    if e.op == "name" and e.name in params:
        return params[e.name]
    if not e.args:
        return e
    return Expr(e.op, e.value, e.name, tuple(_substitute(a, params) for a in e.args))


_EXPR_CACHE: dict[str, Expr | None] = {}


def _parse_expr(body: str) -> Expr | None:
    """A macro body read as one cell expression."""
    if body not in _EXPR_CACHE:
        doc = parse_dts(f"n {{ p = <({body})>; }};")
        cells = doc.roots[0].prop("p").cells() if doc.roots and doc.roots[0].prop("p") is not None else []
        _EXPR_CACHE[body] = cells[0][0].expr if cells and len(cells[0]) == 1 else None
    return _EXPR_CACHE[body]


def macro_table(doc: DtsDocument, macros: Macros) -> dict[str, Any]:
    """``macros`` plus the document's own ``#define``s (they win, as with cpp)."""
    table: dict[str, Any] = dict(macros)
    for d in doc.defines:
        value = define_value(d)
        if value is not None:
            table[d.name] = value
    return table


def define_value(d: Define) -> "int | str | Expr | tuple[tuple[str, ...], str] | None":
    """What a ``#define`` stands for in a macro table: (params, body) for a
    function-like macro, the text of a string macro, the parsed expression,
    an int for a suffixed literal (``5U``, which dtc reads too), else an
    opaque expression: defined (cpp replaces it) but of a value we do not
    compute.  None for an empty body (an include guard)."""
    if d.params is not None:
        return (d.params, d.body)
    body = d.body
    if not body:
        return None
    if len(body) >= 2 and body[0] == body[-1] == '"':
        return body[1:-1]
    e = _parse_expr(body)
    if e is not None:
        return e
    literal = int_literal_value(body.strip("() "))
    return literal if literal is not None else Expr("opaque", name=body)


def build(doc: DtsDocument, validator: Any, macros: Macros) -> _Built:
    """The devicetree dtschema would decode from dtc's output for ``doc``."""
    import dtschema.dtb as dtb

    table = macro_table(doc, macros)
    ev = _Evaluator(table)
    value_of = ev.value
    labels = doc.labels()
    phandles: dict[str, int] = {}
    paths: dict[int, str] = {}

    def name_of(node: Node) -> str:
        """The node's name as dtc sees it: cpp has replaced a macro unit
        address (``power-domain@RK3399_PD_EDP`` -> ``power-domain@25``)."""
        unit = node.unit
        if unit and _MACRO_NAME.fullmatch(unit) and unit in table:
            val = value_of(Expr("name", name=unit))
            if val is not None:
                return f"{node.name}@{val}"
        return node.full_name

    def path_of(node: Node) -> str:
        names = [name_of(n) for n in [node, *node.ancestors()] if n.name != "/"]
        return "/" + "/".join(reversed(names))

    # dtc numbers referenced labelled nodes in tree order.
    referenced = doc.referenced_labels()
    for n in doc.nodes():
        paths[id(n)] = path_of(n)
        if any(lb in referenced for lb in n.labels) and id(n) not in phandles.values():
            phandles.setdefault(next(lb for lb in n.labels if lb in referenced), 0)
    order = [lb for n in doc.nodes() for lb in n.labels if lb in phandles]
    number = {}
    for lb in order:
        node = labels[lb]
        number.setdefault(id(node), len(number) + 1)
    for lb in phandles:
        phandles[lb] = number[id(labels[lb])]

    built = _Built(root={})
    fixups: list[str] = []

    def encode(node: Node, prop: Property, holder: dict[str, Any]) -> bytes:
        out = bytearray()
        offset_path = f"{paths[id(node)]}:{prop.name}"
        for v in prop.values:
            if v.kind == "string":
                out += (v.string or "").encode("utf-8", "replace") + b"\0"
            elif v.kind == "bytes":
                out += v.data or b""
            elif v.kind == "macro":
                got = table.get(v.text.strip())
                if isinstance(got, str):
                    out += got.encode("utf-8", "replace") + b"\0"
                else:
                    built.unknown.setdefault(v.text.strip().split("(")[0], prop.line)
                    built.guessed.add((id(holder), prop.name))
            elif v.kind == "ref":
                target = labels.get(v.target or "")
                out += (paths.get(id(target), "/") if target is not None else "/").encode() + b"\0"
            elif v.kind == "cells":
                size = v.bits // 8 if v.bits in (8, 16, 32, 64) else 4
                fmt = {1: ">B", 2: ">H", 4: ">L", 8: ">Q"}[size]
                for c in v.cells:
                    if c.kind == "ref":
                        if c.target in phandles:
                            val = phandles[c.target]
                        else:
                            val = _UNRESOLVED
                        fixups.append(f"{offset_path}:{len(out)}")
                    else:
                        val = value_of(c.expr) if c.expr is not None else None
                        if val is None:
                            # the undefined names; else the (defined) macro whose value is not known
                            names = ev.undefined(c.expr) if c.expr is not None else [c.text]
                            if not names and c.expr is not None:
                                names = list(c.expr.macros())[:1]
                            for m in names:
                                built.unknown.setdefault(m, prop.line)
                            built.guessed.add((id(holder), prop.name))
                            val = 0
                    out += struct.pack(fmt, val & ((1 << (8 * size)) - 1))
        return bytes(out)

    def scan(node: Node, holder: dict[str, Any]) -> None:
        nodename = name_of(node) if node.name != "/" else "/"
        for prop in node.properties:
            data = encode(node, prop, holder)
            try:
                with contextlib.redirect_stderr(io.StringIO()):
                    holder[prop.name] = dtb.prop_value(validator, nodename, _Prop(prop.name, data))
            except Exception:
                holder[prop.name] = data
            if data and _only_flag(validator, prop.name):
                # A value where the schemas we hold know only a flag (simple-card's dai-link
                # 'frame-master' is a phandle in schemas outside the binding's closure): its
                # type is not known here, so it is not judged (dt-validate reads every schema).
                built.guessed.add((id(holder), prop.name))
            built.props[(id(holder), prop.name)] = prop
        if any(lb in phandles for lb in node.labels):
            holder["phandle"] = number[id(node)]
        built.where[id(holder)] = (node, holder, nodename)
        for child in node.children:
            if child.is_reference:
                continue
            sub: dict[str, Any] = {}
            scan(child, sub)
            holder[name_of(child)] = sub

    roots = [r for r in doc.roots if r.name == "/"]
    for r in roots:
        scan(r, built.root)
    # dtschema's decoder keeps module-level state; start clean and restore it after.
    saved = (dict(dtb.phandles), list(dtb.phandle_loc))
    try:
        dtb.phandles.clear()
        dtb.phandle_loc.clear()
        dtb.phandles.update(_phandle_nodes(built))
        dtb.phandle_loc.extend(fixups)
        with contextlib.redirect_stderr(io.StringIO()):
            for fix in (lambda t: dtb.fixup_gpios(t), lambda t: dtb.fixup_interrupts(t, 1),
                        lambda t: dtb.fixup_addresses(validator, t, 2, 1), lambda t: dtb.fixup_iommu_map(validator, t),
                        lambda t: dtb.fixup_phandles(validator, t)):
                try:
                    fix(built.root)
                except Exception:
                    continue
    finally:
        dtb.phandles.clear()
        dtb.phandles.update(saved[0])
        dtb.phandle_loc[:] = saved[1]
    return built


def _only_flag(validator: Any, name: str) -> bool:
    try:
        return set(validator.property_get_type(name)) - {"node"} == {"flag"}
    except Exception:
        return False


def _phandle_nodes(built: _Built) -> dict[int, dict[str, Any]]:
    out = {}
    for _node, holder, _name in built.where.values():
        ph = holder.get("phandle")
        if isinstance(ph, int):
            out[ph] = holder
    return out


# -- validation -------------------------------------------------------------------

def validate(doc: DtsDocument, schemas: SchemaSet, macros: Macros | None = None, *,
             only_schemas: set[str] | None = None, line_offset: int = 0) -> DtResult:
    """dt-validate's errors for the devicetree ``doc`` describes.

    ``only_schemas``: report errors from these schema ``$id``s only (the
    binding under review), as ``DT_SCHEMA_FILES`` does.  Lines are those of
    ``doc`` minus ``line_offset``."""
    v = schemas.validator
    built = build(doc, v, macros or {})
    problems: list[DtProblem] = []
    seen: set[tuple] = set()
    for node, holder, nodename, path, disabled in _walk(built):
        if nodename.startswith("__") or "example-0" in holder or nodename.startswith("example-"):
            continue
        holder["$nodename"] = [nodename]
        try:
            errors = list(v.iter_errors(holder))
        except RecursionError:
            continue
        finally:
            holder.pop("$nodename", None)
        for err in errors:
            schema_id = getattr(err, "schema_file", "")
            if schema_id == "generated-compatibles":
                continue
            if only_schemas is not None and schema_id not in only_schemas:
                continue
            if (disabled or _is_disabled(err.instance)) and _about_presence(err):
                continue  # dt-validate's test: the node walked or the one the error is about is disabled
            prob = _problem(err, node, holder, path, built, line_offset)
            if prob is None:
                continue
            key = (prob.line, prob.message)
            if key not in seen:
                seen.add(key)
                problems.append(prob)
    problems = _best_per_property(problems)
    problems.extend(_interrupt_cells(built, doc, line_offset, seen))
    unknown = tuple((m, line - line_offset) for m, line in built.unknown.items())
    return DtResult(tuple(sorted(problems, key=lambda p: (p.line, p.message))), unknown)


def _rank(p: DtProblem) -> int:
    """Which of several errors on one property a reader needs: the ones that say what to change."""
    m = p.message
    if "unexpected" in m or "does not match any of the regexes" in m or "is a required property" in m:
        return 0
    if "is too long" in m or "is too short" in m or "is not one of" in m or "was expected" in m:
        return 1
    if "is not of type" in m:
        return 3
    return 2


def _best_per_property(problems: list[DtProblem]) -> list[DtProblem]:
    """One error per (line, property): dtschema often says the same thing two ways."""
    best: dict[tuple[int, str | None], DtProblem] = {}
    for p in problems:
        key = (p.line, p.prop)
        if key not in best or _rank(p) < _rank(best[key]):
            best[key] = p
    return list(best.values())


def _walk(built: _Built):
    stack = [(built.root, "/", "/", False)]
    while stack:
        holder, nodename, path, disabled = stack.pop()
        info = built.where.get(id(holder))
        disabled = disabled or _is_disabled(holder)
        if info is not None:
            yield info[0], holder, nodename, path, disabled
        for k, val in reversed(list(holder.items())):
            if isinstance(val, dict):
                stack.append((val, k, (path.rstrip("/") + "/" + k), disabled))


def _is_disabled(instance: Any) -> bool:
    """A decoded node whose ``status`` says disabled (dt-validate skips missing-property errors there)."""
    status = instance.get("status") if isinstance(instance, dict) else None
    return isinstance(status, list) and any("disabled" in str(s) for s in status)


def _about_presence(err) -> bool:
    if {"required", "unevaluatedProperties"} & set(err.schema_path):
        return True
    return any({"required", "unevaluatedProperties"} & set(e.schema_path) for e in (err.context or []))


_UNEXPECTED = re.compile(r"\('([^']+)'(?:, '([^']+)')*.* (?:was|were) unexpected\)")
_NOT_MATCH = re.compile(r"^'([^']+)' does not match any of the regexes")
_REQUIRED = re.compile(r"^'([^']+)' is a required property")


def _problem(err, node: Node, holder: dict[str, Any], path: str, built: _Built, offset: int) -> DtProblem | None:
    msg = err.message
    if isinstance(err.instance, bytes) and not _wants_node(err):
        # A value left undecoded: its type is defined only in a schema we did not
        # load (dt-validate knows every schema's types); the real error, if any, is
        # an unevaluated/additional property, reported on its own.  A schema that
        # wants a node where a property stands (``additionalProperties: {type:
        # object}``) fails it whatever its value: dt-validate says so too.
        return None
    apath = list(err.absolute_path)
    prop_name = next((p for p in apath if isinstance(p, str)), None)
    # errors about a child node's dict: move to that node
    target_holder, target_node = holder, node
    while prop_name is not None and isinstance(target_holder.get(prop_name), dict):
        target_holder = target_holder[prop_name]
        info = built.where.get(id(target_holder))
        if info is None:
            break
        target_node = info[0]
        rest = apath[apath.index(prop_name) + 1:]
        prop_name = next((p for p in rest if isinstance(p, str)), None)
        apath = rest
    hint = ""
    m = _UNEXPECTED.search(msg)
    if prop_name is None and m:
        names = re.findall(r"'([^']+)'", msg[msg.rfind("("):])
        prop_name = names[0] if names else None
        hint = (f"'{prop_name}' is not defined by the binding (or the schemas it references): remove it from "
                "the example, or define it in the binding's properties")
    m2 = _NOT_MATCH.match(msg)
    if prop_name is None and m2:
        prop_name = m2.group(1)
        hint = f"'{prop_name}' is not allowed here: remove it, or define it in the binding"
    req = _REQUIRED.match(msg)
    if req:
        hint = f"add '{req.group(1)}' to this node, or drop it from the binding's required list"
        prop_name = None
    if (id(target_holder), prop_name) in built.guessed:
        return None  # a value we could not compute: never blame it
    prop = built.props.get((id(target_holder), prop_name)) if prop_name else None
    line = prop.line if prop is not None else target_node.line
    if not hint:
        if " is too long" in msg:
            hint = "the binding allows fewer entries here (maxItems): drop the extra entries"
        elif " is too short" in msg:
            hint = "the binding needs more entries here (minItems)"
        elif isinstance(err.instance, bytes):
            hint = ("only child nodes are allowed here (the binding's schema wants a node): remove the property, "
                    "or define it in the binding")
        elif "is not one of" in msg or "was expected" in msg:
            hint = "use one of the values the binding allows"
        else:
            hint = "make the example match the binding"
    schema = getattr(err, "schema_file", "") or ""
    where = f"{path}" + (f": {prop.name}" if prop is not None else "")
    return DtProblem(line - offset, where, prop.name if prop is not None else None, " ".join(msg.split()), hint,
                     schema, target_node.line - offset)


def _wants_node(err) -> bool:
    """Whether the failed check is "must be a node" (``type: object``)."""
    if err.validator != "type":
        return False
    wanted = err.validator_value
    return wanted == "object" or (isinstance(wanted, list) and wanted == ["object"])


def _interrupt_cells(built: _Built, doc: DtsDocument, offset: int, seen: set) -> list[DtProblem]:
    """dtc's interrupts_property check: the length must be a multiple of the
    interrupt parent's #interrupt-cells (dtc warns; the bot reports it)."""
    out = []
    labels = doc.labels()
    for node, holder, _name in built.where.values():
        prop = node.prop("interrupts")
        if prop is None or (id(holder), "interrupts") in built.guessed:
            continue
        parent = _interrupt_parent(node, labels)
        if parent is None:
            continue
        cells_prop = parent.prop("#interrupt-cells")
        groups = cells_prop.cells() if cells_prop is not None else []
        n = groups[0][0].value if groups and len(groups[0]) == 1 else None
        count = sum(len(g) for g in prop.cells())
        if not n or count % n == 0 or any(v.kind != "cells" for v in prop.values):
            continue
        msg = (f"interrupts size is ({count * 4}), expected multiple of {n * 4} (dtc interrupts_property: the "
               f"interrupt parent '{parent.full_name}' has #interrupt-cells = <{n}>)")
        key = (prop.line - offset, msg)
        if key in seen:
            continue
        seen.add(key)
        out.append(DtProblem(prop.line - offset, node.full_name + ": interrupts", "interrupts", msg,
                             f"write each interrupt as {n} cells", "dtc", node.line - offset))
    return out


def _interrupt_parent(node: Node, labels: dict[str, Node]) -> Node | None:
    from .dts_tree import interrupt_parent

    return interrupt_parent(node, labels)
