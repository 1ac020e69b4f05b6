"""Shared reading of binding schemas for the binding-design checks.

The design rules judge what a binding *says*: its title and descriptions,
its compatibles, the properties it introduces.  They must work on schemas
that dt-schema would reject (a TAB in a description, a duplicate key) and on
modified files whose full text is unknown, so this module reads the YAML two
ways: ``BindingDoc.lenient`` (the parse, repaired when the strict one
failed), and a plain indentation outline of the known lines for prose and
for patches that only show hunks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..artifacts.binding import BindingDoc, parse_yaml
from ..artifacts.schema_facts import compatible_strings

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

    return _doc_memo(doc, "outline", compute)


def _doc_memo(doc: BindingDoc, key: str, compute):
    """Compute a reading of a document once; it lives as long as the document."""
    slot = doc.__dict__.setdefault("_design_memo", {})
    if key not in slot:
        slot[key] = compute()
    return slot[key]


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

    return _doc_memo(doc, "prose", compute)


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

    return _doc_memo(doc, "compatibles", compute)


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

    return _doc_memo(doc, "partial-props", compute)


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
