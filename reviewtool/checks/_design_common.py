"""What the binding-design checks read from a schema: compatibles, properties, types.

The design rules judge what a binding *says*.  They must work on schemas
that dt-schema would reject (a TAB in a description, a duplicate key) and on
modified files whose full text is unknown, so they read the YAML two ways:
``BindingDoc.lenient`` (the parse, repaired when the strict one failed), and
when there is no parse, the outline of the known lines
(``artifacts.binding_outline``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..artifacts.binding import BindingDoc, parse_yaml
from ..artifacts.binding_outline import outline
from ..artifacts.schema_facts import compatible_strings


# -- compatibles --------------------------------------------------------------

@dataclass(frozen=True)
class Compatible:
    value: str
    line: int | None
    siblings: tuple[str, ...]  # the other strings listed for the same node
    owner: tuple[str, ...]  # path of the node schema (() for the top level)


def compatibles(doc: BindingDoc) -> list[Compatible]:
    """The compatible strings a schema defines, with their lines.

    From the parsed schema when there is one (const/enum values under each
    node's ``compatible``); otherwise from the outline of the shown lines.
    """

    def compute() -> list[Compatible]:
        data = doc.lenient
        if data is not None:
            out: list[Compatible] = []
            for owner, node in node_schemas(data):
                props = node.get("properties") if hasattr(node, "get") else None
                comp = props.get("compatible") if hasattr(props, "get") else None
                if comp is None:
                    continue
                found = compatible_strings(comp)
                values = tuple(c.value for c in found)
                for c in found:
                    out.append(Compatible(c.value, c.line, tuple(x for x in values if x != c.value), owner))
            return out
        return _compatibles_from_outline(doc)

    return doc.cached("compatibles", compute)


def _compatibles_from_outline(doc: BindingDoc) -> list[Compatible]:
    """Compatibles among the shown lines of a hunk-only schema: const/enum
    values under 'compatible', or, when the hunk does not reach up to the
    enclosing key, values that look like 'vendor,device'."""
    out = []
    lines = doc.lines
    other = {"required", "examples", "select", "dependencies", "dependentRequired"}
    for k in outline(doc):
        if other & set(k.path) or k.key not in ("const", "enum"):
            continue
        under = "compatible" in k.path
        if not under and k.rooted:
            continue
        values: list[tuple[str, int]] = []
        if k.key == "const" and k.value:
            values.append((k.value.strip("\"'"), k.line))
        elif k.key == "enum":
            for n in range(k.line + 1, k.end + 1):
                m = re.match(r"^\s*-\s+([\"']?)([^\s\"'#]+)\1\s*(?:#.*)?$", lines[n - 1])
                if m:
                    values.append((m.group(2), n))
        for v, n in values:
            if under or "," in v:
                out.append(Compatible(v, n, (), ()))
    return out


def node_schemas(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The top-level schema and every child-node schema inside it (those
    reached through properties/patternProperties/$defs), but not the
    conditional parts (if/then/else) that only constrain them."""
    if not hasattr(data, "get"):
        return
    yield path, data
    for section in ("properties", "patternProperties", "$defs", "definitions"):
        sub = data.get(section)
        if not hasattr(sub, "items"):
            continue
        for name, schema in sub.items():
            if hasattr(schema, "get") and _is_node_schema(schema):
                yield from node_schemas(schema, (*path, section, str(name)))


def _is_node_schema(schema: Any) -> bool:
    """A child node (its own mapping of properties), as opposed to a property."""
    if schema.get("type") == "object" or "properties" in schema or "patternProperties" in schema:
        return True
    ref = schema.get("$ref")
    return isinstance(ref, str) and "types.yaml" not in ref and not ref.startswith("#")


@dataclass(frozen=True)
class PropertyDef:
    name: str
    schema: Any  # the property's schema mapping (or True/False)
    line: int | None  # line of the property's key
    owner: tuple[str, ...]  # path of the node schema that defines it
    container: Any  # the properties mapping


def property_defs(doc: BindingDoc, include_pattern: bool = False) -> list[PropertyDef]:
    """Properties (not child nodes) defined by each node schema of the binding."""
    data = doc.lenient
    if data is None:
        return _partial_property_defs(doc) if not doc.complete else []
    out = []
    for owner, node in node_schemas(data):
        sections = ("properties", "patternProperties") if include_pattern else ("properties",)
        for section in sections:
            props = node.get(section)
            if not hasattr(props, "items"):
                continue
            for name, schema in props.items():
                if hasattr(schema, "get") and _is_node_schema(schema):
                    continue
                out.append(PropertyDef(str(name), schema, BindingDoc.key_line(props, name), owner, props))
    return out


def _partial_property_defs(doc: BindingDoc) -> list[PropertyDef]:
    """Top-level properties among the lines a hunk-only schema shows.

    A key sits directly under ``properties:`` when the hunk shows that
    parent, or, when it does not, when the key is indented one level and git
    named the hunk's section 'properties:'.  Each such key's block is parsed
    on its own.
    """

    def compute() -> list[PropertyDef]:
        sections = {}
        if doc.file is not None:
            for h in doc.file.hunks:
                for ln in h.lines:
                    if ln.new_line is not None:
                        sections[ln.new_line] = h.section
        out = []
        for k in outline(doc):
            direct = k.path == ("properties",) and k.rooted
            guessed = not k.path and not k.rooted and k.indent == 2 and sections.get(k.line, "") == "properties:"
            if not (direct or guessed):
                continue
            block = "\n".join(t[k.indent:] if len(t) >= k.indent else t.strip()
                              for t in doc.lines[k.line - 1: k.end])
            data, err = parse_yaml(block + "\n")
            if err is not None or not hasattr(data, "items") or len(data) != 1:
                continue
            (name, schema), = data.items()
            if hasattr(schema, "get") and _is_node_schema(schema):
                continue
            out.append(PropertyDef(str(name), schema, k.line, (), data))
        return out

    return doc.cached("partial-props", compute)


_TYPE_REF = re.compile(r"types\.yaml#/definitions/(\S+)")


def declared_type(schema: Any) -> str | None:
    """The type a property schema declares itself ('uint32', 'boolean', ...)."""
    if not hasattr(schema, "get"):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        m = _TYPE_REF.search(ref)
        if m:
            return m.group(1)
    t = schema.get("type")
    if isinstance(t, str) and t != "object":
        return t
    for key in ("allOf", "oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            for b in branches:
                found = declared_type(b)
                if found:
                    return found
    return None


def description_of(schema: Any) -> str:
    if hasattr(schema, "get"):
        d = schema.get("description")
        if isinstance(d, str):
            return d
    return ""


def doc_vendor(doc: BindingDoc) -> str | None:
    """The vendor prefix of the first vendor compatible, else of the file name."""
    for c in compatibles(doc):
        if "," in c.value:
            return c.value.split(",", 1)[0]
    name = doc.path.rsplit("/", 1)[-1]
    return name.split(",", 1)[0] if "," in name else None


def binding_dir(doc: BindingDoc) -> str:
    rel = doc.rel_path
    return rel.split("/", 1)[0] if "/" in rel else ""
