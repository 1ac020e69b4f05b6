"""Binding schema content: how individual properties are constrained.

Standard properties (reg, interrupts, clocks, ...) get their type from the
core schemas; a binding only says how many entries there are and what each
one is.  These checks look for the ways submissions get that wrong: a bare
count, ``*-names`` that disagree with their property.  (JSON-schema
``type:`` keywords and single entries spelled as lists are declarative
rules: binding/redundant-type, binding/single-item-style.)
"""

from __future__ import annotations

import re
from typing import Any

from ..artifacts.schema_facts import (
    conditional_property_schemas,
    count_range,
    is_map,
    key_line,
    node_properties,
    refs_at_level,
)
from ..artifacts.binding_facts import doc_facts
from . import check
from ..params import TEXT, ListOf, MapOf
from ._schema_common import docs_with_data, findings_only
from ._util import added_finding


def _names_for(prop: str, names_map: dict[str, str]) -> str | None:
    for names, main in names_map.items():
        if main == prop:
            return names
    return None


def _has_item_list(schema: Any) -> bool:
    return is_map(schema) and isinstance(schema.get("items"), list)


def _names_list(schema: Any) -> bool:
    """A *-names schema that spells out its entries."""
    if not is_map(schema):
        return False
    items = schema.get("items")
    if isinstance(items, list):
        return True
    if is_map(items) and ("enum" in items or "const" in items):
        return True
    return "enum" in schema or "const" in schema


# -- binding/items-not-described ---------------------------------------------

def _vendor_family_ref(doc: Any, node: Any) -> bool:
    vendors = {c.value.split(",", 1)[0] for c in doc_facts(doc).top_compatibles if "," in c.value}
    for ref in refs_at_level(node):
        name = ref.split("#", 1)[0].rsplit("/", 1)[-1]
        if "," in name and name.split(",", 1)[0] in vendors:
            return True
    return False


@check("binding-items-not-described", params={"properties": ListOf(TEXT), "names": MapOf(TEXT)})
@findings_only
def binding_items_not_described(ctx):
    watched = set(ctx.params.get("properties", []))
    names_map = dict(ctx.params.get("names", {}))
    for doc, data in docs_with_data(ctx):
        for ns, props in node_properties(data):
            # A family schema of the same vendor ('qcom,pas-common.yaml') is
            # where the entries are described once; this file only counts them.
            if _vendor_family_ref(doc, ns.node):
                continue
            for name in props:
                if name not in watched:
                    continue
                schema = props[name]
                if not is_map(schema) or _has_item_list(schema):
                    continue
                if any(_has_item_list(s) for s in conditional_property_schemas(ns.node, name)):
                    continue
                names = _names_for(name, names_map)
                if names and (_names_list(props.get(names)) or
                              any(_names_list(s) for s in conditional_property_schemas(ns.node, names))):
                    continue
                rng = count_range(schema)
                junk_items = is_map(schema.get("items")) and "type" in schema["items"]
                if rng is None:
                    if not junk_items:
                        continue
                    count = "any number of"
                else:
                    lo, hi = rng
                    if hi is None or hi < 2:
                        if not junk_items:
                            continue
                        count = "any number of" if hi is None else str(hi)
                    elif names is None and not junk_items:
                        continue  # entries nothing names apart (iommus): alike by nature
                    elif lo == hi:
                        count = str(hi)
                    elif not junk_items:
                        # A variable count the binding names nowhere is a list
                        # of like entries (1 to 4 power domains, 1 to 8 pins).
                        continue
                    else:
                        count = f"{lo if lo is not None else 1} to {hi}"
                line = doc.anchor_line(key_line(props, name), key_line(schema, "maxItems"),
                                       key_line(schema, "minItems"))
                hint = f" (or give '{names}' an items list naming each entry)" if names else ""
                yield added_finding(ctx, doc, line, name=name, count=count, names_hint=hint)


# -- binding/single-item-style -----------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


# -- binding/names-without-list ----------------------------------------------

def _fmt(rng: tuple[int | None, int | None]) -> str:
    lo, hi = rng
    if hi is None:
        return f"at least {lo}"
    return str(hi) if lo == hi else f"{lo} to {hi}"


@check("binding-names-without-list", params={"names": MapOf(TEXT), "alternatives": MapOf(ListOf(TEXT))})
@findings_only
def binding_names_without_list(ctx):
    names_map = dict(ctx.params.get("names", {}))
    alternatives = dict(ctx.params.get("alternatives", {}))
    for doc, data in docs_with_data(ctx):
        for ns, props in node_properties(data):
            node = ns.node
            has_refs = any("types.yaml" not in r for r in refs_at_level(node))
            for names, main in names_map.items():
                if names not in props:
                    continue
                present = main in props or any(a in props for a in alternatives.get(main, []))
                if not present:
                    if not has_refs:
                        yield added_finding(ctx, doc, key_line(props, names), names=names, main=main,
                                            message=f"'{names}' is defined but '{main}' is not: names only "
                                                    f"make sense for the entries of '{main}'; define both "
                                                    "(or neither).")
                    continue
                a, b = count_range(props[main]), count_range(props[names])
                if a is not None and b is not None and a != b:
                    yield added_finding(ctx, doc, doc.anchor_line(key_line(props, names), key_line(props, main)),
                                        names=names, main=main, main_count=_fmt(a), names_count=_fmt(b))
                    continue
                # The same comparison inside each if/then/else that constrains both.
                # A branch narrows the top-level lists; dtschema does not
                # complete a lone maxItems there, so only the maxima can
                # disagree (a branch that forbids either, 'false', has no count).
                for branch_props in _branch_props(node):
                    if main in branch_props and names in branch_props:
                        if not (is_map(branch_props[main]) and is_map(branch_props[names])):
                            continue
                        ra = count_range(_merge(props[main], branch_props[main]))
                        rb = count_range(_merge(props[names], branch_props[names]))
                        if ra is not None and rb is not None and ra[1] != rb[1]:
                            yield added_finding(ctx, doc, doc.anchor_line(key_line(branch_props, names),
                                                                          key_line(branch_props, main)),
                                                names=names, main=main, main_count=_fmt(ra), names_count=_fmt(rb))


def _branch_props(node: Any):
    for key in ("allOf", "anyOf", "oneOf"):
        for b in node.get(key) or []:
            if not is_map(b):
                continue
            for sub in ("then", "else"):
                br = b.get(sub)
                if is_map(br) and is_map(br.get("properties")):
                    yield br["properties"]


def _merge(base: Any, override: Any) -> dict:
    out = dict(base) if is_map(base) else {}
    if is_map(override):
        if isinstance(override.get("items"), list):
            out.pop("minItems", None)
            out.pop("maxItems", None)
        elif "maxItems" in override or "minItems" in override:
            if isinstance(out.get("items"), list) and "maxItems" not in override:
                out["maxItems"] = len(out["items"])
        out.update(override)
        if "maxItems" in override and isinstance(out.get("items"), list) and "minItems" not in override:
            out.setdefault("minItems", out.get("minItems"))
    return out
