"""One answer per fact about a binding schema: ``BindingFacts``.

Which compatibles a binding documents (``const``/``enum`` values and
``pattern`` regexes, in every node schema), which mappings are node
schemas, which properties each node defines, what the top level requires,
its examples, whether it is a root/board or common schema, and whether the
patch converts a ``.txt`` binding: built once per binding from its parsed
data, and read by the tree index (``reviewtool.tree``) and by every binding
rule.  No rule answers these questions on its own.

The data may be a ruamel round-trip tree (lines known: the checks) or plain
dicts from a fast loader (no lines: the tree index of a whole kernel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Iterator, Mapping

_VENDOR_COMPAT = re.compile(r"^[a-z0-9][a-z0-9-]*,[A-Za-z0-9][A-Za-z0-9._+/-]*$")
_TYPE_REF = "types.yaml"
_NODE_KEYS = frozenset({"properties", "patternProperties", "additionalProperties", "unevaluatedProperties"})
_NODE_SECTIONS = ("properties", "patternProperties", "$defs", "definitions")
_WORD = re.compile(r"[A-Za-z#][\w#,.+-]*[\w#]")


def is_map(node: Any) -> bool:
    return hasattr(node, "items") and hasattr(node, "get")


def _key_line(node: Any, key: Any) -> int | None:
    try:
        return node.lc.key(key)[0] + 1
    except Exception:
        return None


def _value_line(node: Any, key: Any) -> int | None:
    try:
        return node.lc.value(key)[0] + 1
    except Exception:
        return None


def _item_line(seq: Any, index: int) -> int | None:
    try:
        return seq.lc.item(index)[0] + 1
    except Exception:
        return None


def vendor_of(compatible: str) -> str | None:
    """The vendor prefix of a 'vendor,device' compatible, else None."""
    return compatible.split(",", 1)[0] if _VENDOR_COMPAT.match(compatible) else None


# -- the parts -----------------------------------------------------------------

@dataclass(frozen=True)
class Compatible:
    """One string (or, for ``kind == 'pattern'``, one regex) a ``compatible`` schema accepts."""

    value: str
    line: int | None
    siblings: tuple[str, ...] = ()  # the other strings listed for the same node
    owner: tuple[str, ...] = ()  # path of the node schema (() for the top level)
    kind: str = "const"  # 'const', 'enum', 'pattern', or 'condition' (named by an if/select)
    fallback: bool = False  # listed after a more specific entry of an 'items' list


@dataclass(frozen=True)
class NodeSchema:
    path: tuple  # () for the top level, ('properties', 'child') for a child node
    node: Any
    line: int | None  # line of the child's key (None for the top level)

    @property
    def is_top(self) -> bool:
        return not self.path

    @property
    def section(self) -> str | None:
        """'properties', 'patternProperties', '$defs' or 'definitions' (None at the top)."""
        return self.path[-2] if self.path else None


@dataclass(frozen=True)
class PropertyDef:
    name: str  # the key (a regex for a patternProperties entry)
    schema: Any  # the property's schema mapping (or True/False)
    line: int | None  # line of the property's key
    owner: tuple[str, ...]  # path of the node schema that defines it
    container: Any  # the properties (or patternProperties) mapping
    pattern: bool = False  # defined under patternProperties


def is_node_schema(schema: Any) -> bool:
    """A mapping that describes a DT node (its own properties, or a $ref to
    another node schema), as opposed to a property."""
    if not is_map(schema):
        return False
    if schema.get("type") == "object" or bool(set(schema.keys()) & _NODE_KEYS):
        return True
    ref = schema.get("$ref")
    return isinstance(ref, str) and _TYPE_REF not in ref and not ref.startswith("#")


def _node_schemas(data: Any) -> Iterator[NodeSchema]:
    if not is_map(data):
        return
    yield NodeSchema((), data, None)
    yield from _children(data, ())


def _children(node: Any, path: tuple) -> Iterator[NodeSchema]:
    for section in _NODE_SECTIONS:
        sub = node.get(section)
        if not is_map(sub):
            continue
        for name, value in sub.items():
            if is_node_schema(value):
                p = (*path, section, str(name))
                yield NodeSchema(p, value, _key_line(sub, name))
                yield from _children(value, p)


def compatible_strings(schema: Any) -> list[Compatible]:
    """The strings one ``compatible`` schema accepts, in order, with their
    lines: const/enum values through items, oneOf, anyOf, allOf and contains;
    ``pattern`` regexes too (an ``allOf`` of patterns is one regex that
    needs them all)."""
    out: list[Compatible] = []

    def visit(node: Any, fallback: bool = False) -> None:
        if is_map(node):
            for key, value in node.items():
                if key == "const" and isinstance(value, str):
                    out.append(Compatible(value, _value_line(node, key), kind="const", fallback=fallback))
                elif key == "enum" and isinstance(value, list):
                    out.extend(Compatible(v, _item_line(value, i), kind="enum", fallback=fallback)
                               for i, v in enumerate(value) if isinstance(v, str))
                elif key == "pattern" and isinstance(value, str):
                    out.append(Compatible(value, _value_line(node, key), kind="pattern", fallback=fallback))
                elif key == "allOf" and isinstance(value, list) and _all_patterns(value):
                    both = "".join(f"(?=.*?(?:{b['pattern']}))" for b in value)
                    out.append(Compatible("^" + both, _item_line(value, 0), kind="pattern", fallback=fallback))
                elif key == "items" and isinstance(value, list):
                    for i, item in enumerate(value):
                        visit(item, fallback or i > 0)
                elif key in ("items", "oneOf", "anyOf", "allOf", "contains"):
                    visit(value, fallback)
        elif isinstance(node, list):
            for item in node:
                visit(item, fallback)

    visit(schema)
    return out


def _all_patterns(branches: list) -> bool:
    return len(branches) > 1 and all(is_map(b) and set(b) == {"pattern"} and isinstance(b["pattern"], str)
                                     for b in branches)


def pattern_matches(pattern: str, value: str) -> bool:
    """JSON-schema ``pattern`` semantics (a search); a bad regex matches nothing."""
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def class_words(path: str) -> frozenset[str]:
    """The device-class words of a binding's directories below bindings/
    ('gpio', 'leds'/'led', 'power', 'supply', ...): what a vendor-neutral
    binding is named after."""
    rel = path.split("/bindings/", 1)[-1]
    out: set[str] = set()
    for part in rel.split("/")[:-1]:
        for t in re.split(r"[-,._+]", part.lower()):
            if t:
                out.update({t, t.rstrip("s")})
    return frozenset(out)


@dataclass(frozen=True)
class DefinedNames:
    """Every name a schema defines anywhere (child nodes and conditional
    branches included) and its patternProperties regexes, with the values its
    ``*-names`` lists accept: what a driver reading the node may look up."""

    names: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern, ...] = ()
    name_values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    name_patterns: Mapping[str, tuple[re.Pattern, ...]] = field(default_factory=dict)

    def defines(self, prop: str) -> bool:
        return prop in self.names or any(p.search(prop) for p in self.patterns)

    def names_value(self, prop: str, value: str) -> bool:
        """``value`` is one the ``prop`` (a ``*-names`` list) accepts: listed, or matched by its pattern."""
        return value in self.name_values.get(prop, ()) or any(p.search(value) for p in self.name_patterns.get(prop, ()))


_REGEX_CHARS = re.compile(r"[\^$*+?()\[\]|\\]")


def _defined_names(data: Any) -> DefinedNames:
    from .binding import walk_properties

    names: set[str] = set()
    patterns: list[re.Pattern] = []
    values: dict[str, set[str]] = {}
    value_patterns: dict[str, list[re.Pattern]] = {}
    for _p, mapping, key in walk_properties(data):
        if not isinstance(key, str):
            continue
        if _REGEX_CHARS.search(key):
            try:
                patterns.append(re.compile(key))
            except re.error:
                pass
            continue
        names.add(key)
        if key.endswith("-names"):
            _strings(mapping.get(key), values.setdefault(key, set()), value_patterns.setdefault(key, []))
    return DefinedNames(frozenset(names), tuple(patterns), {k: frozenset(v) for k, v in values.items()},
                        {k: tuple(v) for k, v in value_patterns.items()})


def _strings(node: Any, out: set[str], patterns: list[re.Pattern]) -> None:
    """Every string a schema lists (const/enum/items...), and its ``pattern`` regexes."""
    if isinstance(node, str):
        out.add(node)
    elif isinstance(node, list):
        for item in node:
            _strings(item, out, patterns)
    elif is_map(node):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                try:
                    patterns.append(re.compile(v))
                except re.error:
                    pass
            elif k not in ("description", "$ref", "deprecated"):
                _strings(v, out, patterns)


_NODE_REF_KEYS = ("allOf", "anyOf", "oneOf")


def _schema_ref(ref: Any) -> bool:
    """A ``$ref`` to another schema file (not types.yaml, not a local ``#/...``)."""
    return isinstance(ref, str) and not ref.startswith(("/schemas/types.yaml", "#"))


def _all_refs(node: Any, out: list[str]) -> list[str]:
    if is_map(node):
        for k, v in node.items():
            if k == "$ref" and _schema_ref(v):
                out.append(v)
            else:
                _all_refs(v, out)
    elif isinstance(node, list):
        for item in node:
            _all_refs(item, out)
    return out


# -- the facts -----------------------------------------------------------------

@dataclass(frozen=True)
class BindingFacts:
    """What one binding schema defines, read once from its parse."""

    path: str
    data: Any
    nodes: tuple[NodeSchema, ...] = ()
    all_compatibles: tuple[Compatible, ...] = ()  # const/enum/pattern, every node schema
    properties: tuple[PropertyDef, ...] = ()  # properties and patternProperties of every node
    required: tuple[str, ...] = ()  # the top level's
    examples: tuple[str, ...] = ()
    is_root: bool = False  # a board/SoC root schema ($nodename: '/')
    is_common: bool = False  # a schema other schemas $ref or select into, not one device
    is_naming_convention: bool = False  # selects by a compatible pattern and accepts anything
    converted_from: tuple[str, ...] = ()  # .txt bindings the series deletes for this one
    legacy_words: frozenset[str] = field(default_factory=frozenset)  # words of those .txt files

    # -- compatibles
    @property
    def compatibles(self) -> tuple[Compatible, ...]:
        """The strings (const/enum) the node schemas document, conditional
        branches included; not those an if/select condition only names."""
        return tuple(c for c in self.all_compatibles if c.kind in ("const", "enum"))

    @property
    def named_compatibles(self) -> tuple[Compatible, ...]:
        """Every string the schema accepts or conditions on (what the tree index lists)."""
        return tuple(c for c in self.all_compatibles if c.kind != "pattern")

    @property
    def top_compatibles(self) -> tuple[Compatible, ...]:
        """The top level's strings, once each."""
        seen: set[str] = set()
        out = []
        for c in self.compatibles:
            if not c.owner and c.value not in seen:
                seen.add(c.value)
                out.append(c)
        return tuple(out)

    @property
    def compatible_patterns(self) -> tuple[Compatible, ...]:
        return tuple(c for c in self.all_compatibles if c.kind == "pattern")

    def documents(self, compatible: str) -> bool:
        """Whether this binding documents ``compatible`` (a listed string or a pattern)."""
        return any(c.value == compatible if c.kind != "pattern" else pattern_matches(c.value, compatible)
                   for c in self.all_compatibles if c.kind != "condition")

    @property
    def is_vendor_neutral(self) -> bool:
        """A generic binding: no top-level compatible carries a vendor prefix
        (``gpio-keys``, ``simple-audio-card``, ``usbVID,PID`` patterns)."""
        top = self.top_compatibles
        return bool(top) and not any(vendor_of(c.value) and not is_id_style(c.value) for c in top)

    # -- nodes and properties
    def defines_name(self, name: str, owner: tuple | None = None) -> bool:
        """Whether a properties/patternProperties key of some node schema (or
        of ``owner`` only) names ``name``: a child node or a property the
        binding itself fixes, whatever its spelling."""
        base = name.split("@", 1)[0]
        for ns in self.nodes:
            if owner is not None and ns.path != owner:
                continue
            props = ns.node.get("properties")
            if is_map(props) and (name in props or base in props):
                return True
            pats = ns.node.get("patternProperties")
            if is_map(pats) and any(pattern_matches(str(p), name) or pattern_matches(str(p), base) for p in pats):
                return True
        return False

    def spells_name(self, name: str) -> bool:
        """Whether the binding itself fixes this node or property name,
        spelling included: a properties key ('BUCK1', 'simple-audio-card,cpu')
        or a pattern that matches it and asks for its underscores or upper
        case ('^buck_(vcore|vgpu)$', '^(LDO|BUCK)[0-9]+$').  A pattern that
        only fixes a suffix ('-pins$') leaves the rest of the name free."""
        base = name.split("@", 1)[0]
        for ns in self.nodes:
            props = ns.node.get("properties")
            if is_map(props) and (name in props or base in props):
                return True
            pats = ns.node.get("patternProperties")
            if not is_map(pats):
                continue
            for p in map(str, pats):
                if not (pattern_matches(p, name) or pattern_matches(p, base)):
                    continue
                if ("_" in base and "_" in p) or (base != base.lower() and re.search(r"[A-Z]", p)):
                    return True
                if "_" not in base and base == base.lower():
                    return True
        return self.names_enumerated_value(base)

    def names_enumerated_value(self, base: str) -> bool:
        """A node named after a value the binding enumerates (a pin, group or
        function name: Tegra's 'sdmmc4_clk_pcc4', bcm63xx's
        'serial_led_data-pins', or the group 'serial_led-pins' of those
        values), the other words of the name plain: the binding fixes that
        spelling, underscores included."""
        return names_enumerated_value(base, self.enumerated_values)

    @cached_property
    def enumerated_values(self) -> frozenset[str]:
        """String values of every ``enum``/``const`` of the schema (compatibles
        left out): names the binding fixes (pins, groups, functions, modes)."""
        out: set[str] = set()
        stack: list[tuple[Any, str]] = [(self.data, "")]
        while stack:
            node, key = stack.pop()
            if is_map(node):
                for k, v in node.items():
                    if k == "examples" or k == "compatible":
                        continue
                    if k in ("enum", "const"):
                        vals = v if isinstance(v, list) else [v]
                        out.update(x for x in vals if isinstance(x, str))
                    elif is_map(v) or isinstance(v, list):
                        stack.append((v, str(k)))
            elif isinstance(node, list):
                stack.extend((x, key) for x in node if is_map(x) or isinstance(x, list))
        return frozenset(out)

    def property_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.properties if not p.pattern)

    def node(self, path: tuple) -> NodeSchema | None:
        return next((ns for ns in self.nodes if ns.path == path), None)

    # -- conversions
    def carried_over(self, name: str) -> bool:
        """A name the deleted .txt binding already used: renaming it breaks existing DTs."""
        return bool(self.converted_from) and name in self.legacy_words

    @property
    def is_conversion(self) -> bool:
        return bool(self.converted_from)

    # -- what the node may carry (read lazily: the tree index never asks)
    @cached_property
    def defined(self) -> DefinedNames:
        """Every name defined anywhere in the schema, branches and child nodes included."""
        return _defined_names(self.data)

    @cached_property
    def node_refs(self) -> tuple[str, ...]:
        """Schemas the top-level node itself ``$ref``s (directly or in allOf/anyOf/oneOf)."""
        data = self.data
        if not is_map(data):
            return ()
        refs = [data.get("$ref")]
        for key in _NODE_REF_KEYS:
            items = data.get(key)
            refs += [i.get("$ref") for i in items if is_map(i)] if isinstance(items, list) else []
        return tuple(r for r in refs if _schema_ref(r))

    @cached_property
    def schema_refs(self) -> tuple[str, ...]:
        """Every schema ``$ref`` in the document, child nodes included."""
        return tuple(_all_refs(self.data, []))

    @property
    def describes_node(self) -> bool:
        """Whether it says what the node carries: a binding that lists compatibles and
        nothing else (a SoC/board list, a collection of incompletely documented
        devices) does not."""
        top = self.data.get("properties") if is_map(self.data) else None
        return bool(set(top or ()) - {"compatible", "$nodename"}) or bool(self.node_refs)


def ref_path(rel: str, ref: str) -> str | None:
    """The bindings/-relative path a ``$ref`` of the binding at ``rel`` names
    (None: dtschema's own schemas or a fragment of the same file)."""
    import posixpath

    path = ref.split("#", 1)[0]
    if not path:
        return None
    if path.startswith(("http://devicetree.org/schemas/", "/schemas/")):
        return path.split("schemas/", 1)[1]
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))


def names_enumerated_value(base: str, values) -> bool:
    """Whether a node name's words with underscores or upper case are all
    values of ``values`` (or the shared prefix of some: a group node), the
    other words plain."""
    if "_" not in base and base == base.lower():
        return False
    parts = base.split("-")
    odd = [p for p in parts if "_" in p or p != p.lower()]
    # a group node may name the family its children's values share ('serial_led' for serial_led_clk)
    return bool(odd) and all(p in values or any(v.startswith(p + "_") for v in values) for p in odd)


_ID_STYLE = re.compile(r"^(?:usb[0-9a-f]{1,4},[0-9a-f]{1,4}$"  # usb-device.yaml's 'usbVID,PID': 'usbbda,411'
                       r"|(?:usbif|usb|pciclass|pci|slim|sdw|lpddr\d)-?[0-9a-f]*[0-9][0-9a-f]*,"
                       r"|sdw[0-9a-f]{11}$)", re.I)


def is_id_style(compatible: str) -> bool:
    """A bus-ID compatible ('usb1234,5678', 'pci8086,1234', SoundWire's
    'sdw20217010d00': link, manufacturer, part and class IDs): the part
    before the comma, or the whole string, is an ID, not a vendor prefix."""
    return bool(_ID_STYLE.match(compatible))


def build_facts(path: str, data: Any) -> BindingFacts:
    """The facts of one binding from its parsed data (a ruamel tree or plain dicts)."""
    if not is_map(data):
        return BindingFacts(path, data)
    nodes = tuple(_node_schemas(data))
    compats: list[Compatible] = []
    props: list[PropertyDef] = []
    for ns in nodes:
        compats.extend(_own_compatibles(ns.node, ns.path))
        for where, branch, condition in _branches(ns.node, ns.path):
            for sub in _node_schemas(branch):
                for c in _own_compatibles(sub.node, (*where, *sub.path)):
                    if not condition:
                        compats.append(c)
                    elif c.kind != "pattern":  # a condition names a compatible; its pattern may be broad
                        compats.append(replace(c, kind="condition"))
        for section in ("properties", "patternProperties"):
            sub = ns.node.get(section)
            if not is_map(sub):
                continue
            for name, schema in sub.items():
                if is_node_schema(schema) and not _is_property_ref(schema):
                    continue
                props.append(PropertyDef(str(name), schema, _key_line(sub, name), ns.path, sub,
                                         pattern=section == "patternProperties"))
    req = data.get("required")
    required = tuple(r for r in req if isinstance(r, str)) if isinstance(req, list) else ()
    ex = data.get("examples")
    examples = tuple(e for e in ex if isinstance(e, str)) if isinstance(ex, list) else ()
    top_props = data.get("properties") if is_map(data.get("properties")) else {}
    nodename = top_props.get("$nodename") if is_map(top_props) else None
    select = data.get("select", None)
    selects_by_pattern = is_map(select) and _selects_by_pattern(select)
    open_top = data.get("additionalProperties") is True or (
        "additionalProperties" not in data and "unevaluatedProperties" not in data)
    is_root = (is_map(nodename) and nodename.get("const") == "/") or (
        data.get("additionalProperties") is True and _is_machine_list(top_props, examples))
    has_top_compatible = is_map(top_props) and "compatible" in top_props
    is_common = (select is False or not has_top_compatible or
                 (selects_by_pattern and data.get("additionalProperties") is True) or
                 _is_class_compatible(top_props.get("compatible") if has_top_compatible else None))
    return BindingFacts(
        path=path, data=data, nodes=nodes, all_compatibles=tuple(compats), properties=tuple(props),
        required=required, examples=examples, is_root=is_root, is_common=bool(is_common) and open_top,
        is_naming_convention=selects_by_pattern and data.get("additionalProperties") is True,
    )


_LISTING_KEYS = ("const", "enum", "items", "oneOf", "anyOf", "allOf")


def _is_class_compatible(schema: Any) -> bool:
    """A top-level compatible that names a class, not devices: only
    ``contains: {const: arm,primecell}`` (any device whose list holds the class
    string), only a ``pattern`` (``usbVID,PID``, ``virtio,deviceID``) or only
    a description (the LPDDR properties every LPDDR binding shares).  The
    devices of the class have bindings of their own that build on this one."""
    return is_map(schema) and not any(k in schema for k in _LISTING_KEYS)


_MACHINE_KEYS = frozenset({"$nodename", "compatible", "model"})


def _is_machine_list(top_props: Any, examples: tuple[str, ...]) -> bool:
    """A board/SoC list that does not spell ``$nodename: '/'`` (older arm/
    schemas, 'additionalProperties: true' as root schemas say): nothing but the machine's compatible
    (and model), no example.
    A device binding has resources or settings besides its compatible, and
    examples to show them."""
    return (is_map(top_props) and "compatible" in top_props and not examples
            and set(map(str, top_props)) <= _MACHINE_KEYS)


def _own_compatibles(node: Any, owner: tuple) -> list[Compatible]:
    p = node.get("properties")
    comp = p.get("compatible") if is_map(p) else None
    if comp is None:
        return []
    found = compatible_strings(comp)
    values = tuple(c.value for c in found if c.kind != "pattern")
    return [Compatible(c.value, c.line, tuple(v for v in values if v != c.value), owner, c.kind, c.fallback)
            for c in found]


def _branches(node: Any, path: tuple, depth: int = 0) -> Iterator[tuple[tuple, Any, bool]]:
    """(path, schema, is-a-condition) of the conditional parts of a node
    schema: ``if``/``select`` conditions, and the ``then``/``else`` and
    allOf/anyOf/oneOf branches that add to it (child nodes included)."""
    if depth > 6 or not is_map(node):
        return
    for key in ("if", "select"):
        if is_map(node.get(key)) and (key == "if" or depth == 0):
            yield (*path, key), node[key], True
    for key in ("then", "else"):
        branch = node.get(key)
        if is_map(branch):
            yield (*path, key), branch, False
            yield from _branches(branch, (*path, key), depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        items = node.get(key)
        if isinstance(items, list):
            for i, b in enumerate(items):
                if is_map(b):
                    if set(b) & {"properties", "patternProperties"}:
                        yield (*path, key, str(i)), b, False
                    yield from _branches(b, (*path, key, str(i)), depth + 1)


def _is_property_ref(schema: Any) -> bool:
    """A property defined only by a $ref to a property schema (a local $defs entry)."""
    ref = schema.get("$ref")
    return isinstance(ref, str) and ref.startswith("#") and not (set(schema.keys()) & _NODE_KEYS) \
        and schema.get("type") != "object"


def _selects_by_pattern(select: Any) -> bool:
    props = select.get("properties")
    comp = props.get("compatible") if is_map(props) else None
    return any(c.kind == "pattern" for c in compatible_strings(comp)) if comp is not None else False


# -- building them for the tree index and for the checks ---------------------------

def facts_from_text(path: str, text: str) -> BindingFacts | None:
    """Facts of a binding file read with libyaml's safe loader (fast, no
    lines): the tree index reads a whole kernel this way."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except Exception:  # noqa: BLE001 - a broken file in a tree documents nothing
        return None
    return build_facts(path, data) if is_map(data) else None


def legacy_bindings(series: Any) -> list[tuple[str, str]]:
    """(path, removed text) of every .txt binding the series deletes: the
    sources a new YAML binding in the same series converts."""
    from ..classify import BINDINGS_DIR

    out = []
    for patch in getattr(series, "patches", ()):
        for f in patch.files:
            old = f.old_path or f.path
            if not (old.startswith(BINDINGS_DIR) and old.endswith(".txt")):
                continue
            if f.status == "removed" or f.status == "renamed" and not f.path.endswith(".txt"):
                removed = "\n".join(ln.text for h in f.hunks for ln in h.lines if ln.kind == "-") \
                    if f.hunks else ""
                out.append((f.old_path or f.path, removed))
    return out


def doc_facts(doc: Any) -> BindingFacts:
    """The facts of a ``BindingDoc`` as its schema says them (its lenient
    parse: a TAB or a duplicate key does not hide what it defines), once per
    document."""
    return doc.cached("binding-facts", lambda: build_facts(doc.path, doc.lenient))


def facts_of(ctx: Any, doc: Any) -> BindingFacts:
    """``doc_facts`` plus what the series says about it: the .txt bindings it
    deletes for a new YAML one (a conversion)."""
    def compute() -> BindingFacts:
        facts = doc_facts(doc)
        if doc.status not in ("added", "renamed") or facts.data is None:
            return facts
        legacy = legacy_bindings(ctx.series)
        if not legacy:
            return facts
        words: set[str] = set()
        for _p, text in legacy:
            words.update(_WORD.findall(text))
        return replace(facts, converted_from=tuple(p for p, _t in legacy), legacy_words=frozenset(words))

    return doc.cached("binding-facts-series", compute)


def txt_compatibles(lines: list[tuple[int, str]]) -> list[Compatible]:
    """Compatibles quoted in a free-form .txt binding (first occurrence each)."""
    out: list[Compatible] = []
    seen: set[str] = set()
    for n, text in lines:
        for m in _TXT_COMPAT.finditer(text):
            if m.group(1) not in seen:
                seen.add(m.group(1))
                out.append(Compatible(m.group(1), n))
    return out


_TXT_COMPAT = re.compile(r'"([a-z0-9][a-z0-9-]*,[A-Za-z0-9][A-Za-z0-9._+-]*)"')
