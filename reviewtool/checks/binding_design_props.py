"""Binding design checks on the properties a binding introduces.

A binding that gives a property its own type is defining a new property
(common ones already have a type in dt-schema or a referenced schema), so
that is what these rules look at: is it vendor-prefixed, does it number an
instance, does it restate ``reg``, does a physical quantity carry its unit?
"""

from __future__ import annotations

import re
from typing import Any

from ..artifacts.binding import binding_docs
from ..artifacts.binding_facts import facts_of
from . import check
from ..params import BOOL, REGEX, TEXT, ListOf, MapOf, Record
from ._design_common import PropertyDef, declared_type, description_of, doc_vendor, property_defs
from ._util import added_finding, param_regex


def dtschema_property_names() -> frozenset[str]:
    """Property names the installed dt-schema core schemas define (empty when
    dt-schema is not installed): these are standard, whatever their spelling."""
    from ..validators.dtschema_facts import core_facts

    return core_facts()[0]


def _standard(ctx) -> tuple[frozenset[str], list[re.Pattern]]:
    def compute():
        names = set(ctx.params.get("standard_properties", []))
        if ctx.params.get("use_dtschema", True):
            names |= dtschema_property_names()
        pats = [re.compile(r) for r in ctx.params.get("standard_patterns", [])]
        return frozenset(names), pats

    return ctx.memo(f"standard-props:{ctx.rule.id}", compute)


def _is_standard(name: str, standard: tuple[frozenset[str], list[re.Pattern]]) -> bool:
    names, pats = standard
    return name in names or any(p.search(name) for p in pats)


def _new_defs(doc) -> list[tuple[PropertyDef, int]]:
    out = []
    for d in property_defs(doc):
        line = doc.anchor_line(d.line)
        if line is not None:
            out.append((d, line))
    return out


def _local_name(name: str) -> str:
    return name.split(",", 1)[1] if "," in name else name


# -- binding/vendor-property-prefix ---------------------------------------------------

def _params_of(ctx, rule_id: str) -> dict[str, Any]:
    """Params of another rule of this run (the built-in ones when it is not loaded)."""
    return ctx.params_of(rule_id)


def _asked_to_drop(ctx, d: PropertyDef, defs: list[PropertyDef]) -> bool:
    """True when another rule asks to remove this property outright, so asking to
    rename it would be contradictory advice."""
    return (is_instance_index(d, _params_of(ctx, "binding/instance-index-property"))
            or is_redundant_with_reg(d, defs, _params_of(ctx, "binding/redundant-with-reg")))


@check("binding-vendor-property-prefix", params={
    "use_dtschema": BOOL,
    "standard_properties": ListOf(TEXT),
    "standard_patterns": ListOf(REGEX),
})
def vendor_property_prefix(ctx):
    standard = _standard(ctx)
    for doc in binding_docs(ctx):
        facts = facts_of(ctx, doc)
        vendor = doc_vendor(doc)
        # A generic or shared binding ('gpio-keys', mmc-controller.yaml) has
        # no vendor whose prefix its properties could carry.
        if vendor is None or facts.is_common or facts.is_vendor_neutral:
            continue
        defs = property_defs(doc)
        for d, line in _new_defs(doc):
            name = d.name
            if "," in name or name.startswith(("#", "$")) or _is_standard(name, standard):
                continue
            if facts.carried_over(name):
                continue  # converted from the .txt binding the series deletes: renaming breaks DTs
            if declared_type(d.schema) is None:
                continue  # no type of its own: constrains a property defined elsewhere
            if _asked_to_drop(ctx, d, defs):
                continue
            yield added_finding(ctx, doc, line, name=name, suggestion=f"{vendor},{name}")


# -- binding/instance-index-property -----------------------------------------------------

def is_instance_index(d: PropertyDef, p: dict[str, Any]) -> bool:
    """Does property ``d`` number an instance (per binding/instance-index-property's params)?"""
    local = _local_name(d.name)
    if d.name in set(p.get("not_instance", [])) or local in set(p.get("not_instance", [])):
        return False
    if param_regex(p, "names", re.I).search(local):
        return True
    return bool(param_regex(p, "names_if_described", re.I).search(local)
                and param_regex(p, "instance_description", re.I).search(description_of(d.schema)))


@check("binding-instance-index-property", params={
    "names": REGEX,
    "names_if_described": REGEX,
    "instance_description": REGEX,
    "not_instance": ListOf(TEXT),
})
def instance_index_property(ctx):
    for doc in binding_docs(ctx):
        for d, line in _new_defs(doc):
            if is_instance_index(d, ctx.params):
                yield added_finding(ctx, doc, line, name=d.name)


# -- binding/redundant-with-reg -----------------------------------------------------------

_INT_TYPES = re.compile(r"^u?int(?:8|16|32|64)(?:-array|-matrix)?$|^integer$|^array$")


def is_redundant_with_reg(d: PropertyDef, defs: list[PropertyDef], p: dict[str, Any]) -> bool:
    """Does property ``d`` restate what the ``reg`` beside it already gives
    (per binding/redundant-with-reg's params)?"""
    if d.name in ("reg", "ranges") or d.name.endswith("-names"):
        return False
    if not any(o.name == "reg" and o.owner == d.owner for o in defs):
        return False  # no reg beside it to be redundant with
    if not _INT_TYPES.search(declared_type(d.schema) or ""):
        return False
    desc = description_of(d.schema)
    local = _local_name(d.name)
    own_address = (param_regex(p, "address_name", re.I).search(local)
                   and param_regex(p, "address_description", re.I).search(desc))
    inside_reg = (param_regex(p, "reg_reference", re.I).search(desc)
                  and (param_regex(p, "name_pattern", re.I).search(local)
                       or param_regex(p, "layout_description", re.I).search(desc)))
    return bool(own_address or inside_reg)


@check("binding-redundant-with-reg", params={
    "address_name": REGEX,
    "address_description": REGEX,
    "name_pattern": REGEX,
    "layout_description": REGEX,
    "reg_reference": REGEX,
})
def redundant_with_reg(ctx):
    for doc in binding_docs(ctx):
        defs = property_defs(doc)
        for d, line in _new_defs(doc):
            if is_redundant_with_reg(d, defs, ctx.params):
                yield added_finding(ctx, doc, line, name=d.name)


# -- binding/unit-suffix -----------------------------------------------------------------

@check("binding-unit-suffix", params={
    "unit_suffixes": ListOf(TEXT),
    "quantities": MapOf(Record({"words": ListOf(TEXT), "in_description": REGEX, "suffixes": TEXT})),
    "qualifiers": ListOf(TEXT),
    "unitless_description": REGEX,
    "standard_properties": ListOf(TEXT),
})
def unit_suffix(ctx):
    p = ctx.params
    suffixes = tuple("-" + s.lstrip("-") for s in p.get("unit_suffixes", []))
    quantities: dict[str, dict[str, Any]] = p.get("quantities", {})
    qualifiers = set(p.get("qualifiers", []))
    unitless = param_regex(p, "unitless_description", re.I)
    standard = _standard(ctx)
    for doc in binding_docs(ctx):
        facts = facts_of(ctx, doc)
        for d, line in _new_defs(doc):
            if _is_standard(d.name, standard) or d.name.endswith(suffixes) or d.name.startswith("#"):
                continue
            if facts.carried_over(d.name):
                continue  # converted from the .txt binding the series deletes: renaming breaks DTs
            t = declared_type(d.schema) or ""
            if not re.match(r"^u?int", t):
                continue
            desc = description_of(d.schema)
            tokens = re.split(r"[-_]", _local_name(d.name).lower())
            while len(tokens) > 1 and tokens[-1] in qualifiers:
                tokens.pop()
            last = tokens[-1]
            # the description giving the unit is the strongest sign
            kind = next((k for k, q in quantities.items()
                         if q.get("in_description") and re.search(q["in_description"], desc, re.I)), None)
            if kind is None:
                kind = next((k for k, q in quantities.items() if last in q.get("words", [])), None)
                if kind is None or unitless.search(desc):
                    continue
            yield added_finding(ctx, doc, line,
                                name=d.name, quantity=kind, suffixes=quantities[kind].get("suffixes", ""))
