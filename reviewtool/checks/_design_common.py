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
from typing import Any, Iterator

from ..artifacts.binding import BindingDoc, parse_yaml
from ..artifacts.binding_facts import (
    Compatible,
    PropertyDef,
    build_facts,
    doc_facts,
    is_id_style,
    is_node_schema,
)
from ..artifacts.binding_outline import outline


# -- compatibles, node schemas, properties: BindingFacts answers -------------

def compatibles(doc: BindingDoc) -> list[Compatible]:
    """The compatible strings a schema defines, with their lines.

    ``BindingFacts`` when the schema parses (const/enum values of every node
    schema); otherwise the outline of the shown lines of a hunk-only schema.
    """
    if doc.lenient is not None:
        return list(doc_facts(doc).compatibles)
    return doc.cached("compatibles-shown", lambda: _compatibles_from_outline(doc))


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


def node_schemas(data: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, schema) of the top level and every child-node schema (BindingFacts' list)."""
    for ns in build_facts("", data).nodes:
        yield ns.path, ns.node


def property_defs(doc: BindingDoc, include_pattern: bool = False) -> list[PropertyDef]:
    """Properties (not child nodes) defined by each node schema of the binding."""
    data = doc.lenient
    if data is None:
        return _partial_property_defs(doc) if not doc.complete else []
    return [d for d in doc_facts(doc).properties if include_pattern or not d.pattern]


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
            if is_node_schema(schema):
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
        if "," in c.value and not is_id_style(c.value):
            return c.value.split(",", 1)[0]
    name = doc.path.rsplit("/", 1)[-1]
    return name.split(",", 1)[0] if "," in name else None


def binding_dir(doc: BindingDoc) -> str:
    rel = doc.rel_path
    return rel.split("/", 1)[0] if "/" in rel else ""
