"""Facts about a binding schema that several content rules need.

``BindingDoc`` gives the post-image and its parse; ``BindingFacts`` answers
which compatibles the file documents and which mappings are node schemas
(this module passes those answers on by their old names); this module adds
how many entries a property allows, and where the ``examples:``
blocks sit in the text, read as DTS (``syntax.dts``) with their real
post-image line numbers.  The design rules use the examples too.

Two choices here are deliberate:

* A file that fails to parse only because of TAB characters is read as
  ``BindingDoc.lenient`` reads it with the tabs as spaces.  The TAB itself
  is reported by the YAML rules; the content rules can still say what else
  is wrong, which is what a reviewer does when reading such a patch.  They
  do not take the lenient readings that guess at structure or drop a
  duplicate key: a structural finding on a guessed structure would mislead.
* Examples are cut out of the raw text rather than taken from the parsed
  YAML string, so tabs and the author's indentation survive for the style
  rules and every DTS line maps 1:1 to a post-image line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from .binding import TABS, BindingDoc
from .binding_facts import (  # noqa: F401 - the one answer, re-exported for the schema rules
    Compatible,
    NodeSchema,
    build_facts,
    compatible_strings,
    is_map,
    is_node_schema,
    txt_compatibles,
    vendor_of,
)
from ..syntax.dts import DtsDocument, parse_dts


def schema_data(doc: BindingDoc) -> Any:
    """The parsed schema; for a complete file that fails only on TABs, its
    lenient reading with the TABs as spaces (line numbers unchanged)."""
    return doc.lenient if doc.repairs in ((), (TABS,)) else None


key_line = BindingDoc.key_line
item_line = BindingDoc.item_line


# -- compatibles and node schemas: BindingFacts answers (kept here by name) ----

def compatibles(data: Any) -> list[Compatible]:
    """Every string the top-level ``compatible`` schema accepts, once each."""
    return list(build_facts("", data).top_compatibles)


def node_schemas(data: Any) -> Iterator[NodeSchema]:
    """The top level and every child node schema (BindingFacts' list)."""
    return iter(build_facts("", data).nodes)


def node_properties(data: Any) -> Iterator[tuple[NodeSchema, Any]]:
    """Each node schema with its ``properties`` mapping (nodes without one skipped)."""
    for ns in node_schemas(data):
        props = ns.node.get("properties")
        if is_map(props):
            yield ns, props


def walk_maps(node: Any) -> Iterator[Any]:
    """Every mapping in a parsed document, outermost first."""
    if is_map(node):
        yield node
        for v in node.values():
            yield from walk_maps(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_maps(v)


def property_maps(data: Any) -> Iterator[tuple[tuple, Any]]:
    """(path, mapping) of every properties/patternProperties mapping of a node schema."""
    for ns in node_schemas(data):
        for section in ("properties", "patternProperties"):
            props = ns.node.get(section)
            if is_map(props):
                yield (*ns.path, section), props


def refs_at_level(node: Any) -> list[str]:
    """``$ref``s that extend a node schema: its own, and those in its
    allOf/anyOf/oneOf branches and their if/then/else."""
    out: list[str] = []

    def visit(n: Any, depth: int) -> None:
        if not is_map(n) or depth > 6:
            return
        ref = n.get("$ref")
        if isinstance(ref, str):
            out.append(ref)
        for key in ("allOf", "anyOf", "oneOf"):
            branches = n.get(key)
            if isinstance(branches, list):
                for b in branches:
                    visit(b, depth + 1)
        for key in ("then", "else"):
            visit(n.get(key), depth + 1)

    visit(node, 0)
    return out


def conditional_property_schemas(node: Any, prop: str) -> Iterator[Any]:
    """The schemas an if/then/else (under allOf/anyOf/oneOf) gives ``prop``."""
    def visit(n: Any, depth: int) -> Iterator[Any]:
        if not is_map(n) or depth > 6:
            return
        for key in ("then", "else"):
            branch = n.get(key)
            if is_map(branch):
                props = branch.get("properties")
                if is_map(props) and prop in props:
                    yield props[prop]
                yield from visit(branch, depth + 1)
        for key in ("allOf", "anyOf", "oneOf"):
            branches = n.get(key)
            if isinstance(branches, list):
                for b in branches:
                    if is_map(b):
                        props = b.get("properties")
                        if is_map(props) and prop in props:
                            yield props[prop]
                    yield from visit(b, depth + 1)

    yield from visit(node, 0)


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def count_range(schema: Any) -> tuple[int | None, int | None] | None:
    """(min, max) entries a cell/phandle/string-array schema allows, as
    dtschema reads it outside if/then/else (maxItems or minItems alone means
    exactly that many); None when the schema does not say."""
    if not hasattr(schema, "get"):
        return None
    items = schema.get("items")
    lo, hi = as_int(schema.get("minItems")), as_int(schema.get("maxItems"))
    if isinstance(items, list):
        n = len(items)
        return (lo if lo is not None else n, hi if hi is not None else n)
    if hi is not None:
        return (lo if lo is not None else hi, hi)
    if lo is not None:
        return (lo, lo)  # dtschema's fixup: minItems alone is exactly that many too
    return None


# -- examples ----------------------------------------------------------------

@dataclass
class ExampleBlock:
    index: int
    dash_line: int  # post-image line of the '- |' item
    dash_col: int
    first_line: int  # post-image line of the first DTS line
    lines: list[str]  # raw post-image lines from first_line on (tabs kept)
    base_indent: int | None  # leading spaces of the first non-blank line
    dts: DtsDocument

    def post_line(self, rel: int) -> int:
        """Post-image line of a line number within the DTS text."""
        return self.first_line + rel - 1

    def raw(self, rel: int) -> str:
        return self.lines[rel - 1] if 0 < rel <= len(self.lines) else ""


_EXAMPLES_KEY = re.compile(r"^examples\s*:\s*(#.*)?$")
_ITEM = re.compile(r"^( *)-(\s+|$)(.*)$")


def example_blocks(text: str) -> list[ExampleBlock]:
    """The block-scalar items of the top-level ``examples:`` key, read as DTS."""
    lines = text.split("\n")
    try:
        start = next(i for i, ln in enumerate(lines) if _EXAMPLES_KEY.match(ln))
    except StopIteration:
        return []
    blocks: list[ExampleBlock] = []
    i = start + 1
    n = len(lines)
    while i < n:
        ln = lines[i]
        if not ln.strip() or ln.lstrip(" ").startswith("#") and not ln.startswith("#"):
            i += 1
            continue
        m = _ITEM.match(ln)
        if not m:
            break  # the next top-level key (or something that ends the list)
        dash_col = len(m.group(1))
        rest = m.group(3).strip()
        j = i + 1
        body: list[str] = []
        while j < n:
            cur = lines[j]
            if cur.strip():
                lead = cur[: len(cur) - len(cur.lstrip(" \t"))]
                spaces = len(cur) - len(cur.lstrip(" "))
                if "\t" not in lead and spaces <= dash_col:
                    break
            body.append(cur)
            j += 1
        while body and not body[-1].strip():
            body.pop()
        if rest.startswith(("|", ">")) and body:
            first = next((b for b in body if b.strip()), "")
            base = len(first) - len(first.lstrip(" ")) if first else None
            blocks.append(ExampleBlock(index=len(blocks), dash_line=i + 1, dash_col=dash_col,
                                       first_line=i + 2, lines=body, base_indent=base,
                                       dts=parse_dts("\n".join(body))))
        i = j
    return blocks


def binding_examples(ctx: Any, doc: BindingDoc) -> list[ExampleBlock]:
    """Example blocks of a complete binding, parsed once per run."""
    if not doc.complete:
        return []
    return ctx.memo(f"binding_examples:{doc.path}:{hash(doc.text)}", lambda: example_blocks(doc.text))
