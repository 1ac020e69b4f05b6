"""Checks on the compatible strings and vendor prefixes a binding patch adds.

A compatible is the identifier the OS matches a node by: it must name one
specific device ('vendor,part'), not a family, an IP revision, a software
version the OS can read at run time, or the class the device already is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..artifacts.binding import BindingDoc, binding_docs
from ..artifacts.binding_facts import class_words, doc_facts, is_id_style
from ..artifacts.schema_facts import binding_examples, walk_maps
from ..classify import BINDINGS_DIR
from . import check
from ..params import REGEX, TEXT, ListOf, MapOf
from ._design_common import Compatible, compatibles
from ._util import added_finding, param_regex


def _new_compatibles(doc: BindingDoc) -> list[tuple[Compatible, int]]:
    """Compatibles on lines the patch adds, with their line (once per line)."""
    seen: set[int] = set()
    out = []
    for c in compatibles(doc):
        line = doc.anchor_line(c.line)
        if line is None or line in seen:
            continue
        seen.add(line)
        out.append((c, line))
    return out


# -- binding/compatible-format -------------------------------------------------------

@check("binding-compatible-format", params={
    "vendorless_ok": ListOf(TEXT),
    "vendorless_ok_patterns": ListOf(REGEX),
    "version_suffix": REGEX,
    "reasons": MapOf(TEXT),
})
def compatible_format(ctx):
    p = ctx.params
    reasons = p.get("reasons", {})
    vendorless_ok = set(p.get("vendorless_ok", []))
    vendorless_rx = [re.compile(r) for r in p.get("vendorless_ok_patterns", [])]
    version_rx = param_regex(p, "version_suffix")
    device_classes = _device_classes(ctx)
    for doc in binding_docs(ctx):
        facts = doc_facts(doc)
        stem = doc.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        classes = class_words(doc.path) | device_classes
        bad: list[tuple[str, int, str]] = []
        loud = False  # a reason beyond a missing vendor prefix
        for c, line in _new_compatibles(doc):
            v = c.value
            found = []
            # A generic binding is named after its vendor-neutral compatible,
            # a kind of device of a device class ('gpio-delay' in
            # gpio/gpio-delay.yaml, 'gpio-ir-tx' in leds/irled/): that one
            # needs no vendor.  A product ('gunyah-hypervisor' in firmware/) does,
            # and so does one naming a vendor ('operating-points-v2-ti-cpu').
            words = set(v.split("-"))
            neutral = v == stem and bool(words & classes) and not _names_a_vendor(ctx, words - classes)
            no_vendor = ("," not in v and not neutral and not is_id_style(v) and v not in vendorless_ok
                         and not any(r.search(v) for r in vendorless_rx))
            if no_vendor:
                found.append(reasons.get("no_vendor", "has no vendor prefix"))
            if re.search(r"[A-Z_]", v):
                found.append(reasons.get("case", "uses upper case or underscores"))
            # A board's revision is hardware; an IP revision listed as the
            # fallback of a SoC-specific compatible is the form maintainers ask for.
            m = version_rx.search(v) if not facts.is_root and not (c.fallback and "," in v) else None
            if m:
                base = v[: m.start()]  # not 'stem': that is the file's, for the next compatibles
                if base in c.siblings or no_vendor:
                    found.append(reasons.get("version", "carries a version").format(
                        version=m.group(0).lstrip("-"), stem=base))
            if found and doc.is_added(line):
                bad.append((v, line, "; ".join(found)))
                loud = loud or len(found) > 1 or not no_vendor
        if bad:
            yield _one_format_finding(ctx, doc, bad, None if loud else NO_VENDOR_ONLY)


def _device_classes(ctx) -> frozenset[str]:
    """The device classes: the directories the tree has below bindings/.
    Without a tree only the binding's own directories count (class_words):
    a guessed list would make a product such as 'xen-...' a class."""
    def compute() -> frozenset[str]:
        tree = ctx.options.tree
        if not tree.available:
            return frozenset()
        return frozenset(n.lower() for n in tree.list_dir(BINDINGS_DIR.rstrip("/")) if "." not in n)

    return ctx.memo("binding-compatible-format:device-classes", compute)


def _names_a_vendor(ctx, words: set[str]) -> bool:
    """Whether one of ``words`` is a vendor prefix of the tree (unknown without one)."""
    tree = ctx.options.tree
    return tree.available and any(tree.has_vendor_prefix(w) for w in words if w)


_NAMED = 8  # compatibles named after the first of a reason before "and N more"


#: A compatible whose only fault is a missing vendor prefix: judged right 3 of
#: 6 times on accepted 6.12 bindings (generic, vendor-neutral bindings such as
#: 'phram', 'temperature-sense-rtd' read as products): info.  Upper case,
#: underscores and run-time versions stay the rule's warning.
NO_VENDOR_ONLY = "info"


def _one_format_finding(ctx, doc: BindingDoc, bad: list[tuple[str, int, str]], severity: str | None = None):
    """The file's compatible-format point made once: anchored on the first bad
    compatible, listing every line, each compatible with its own reasons
    (compatibles sharing the same reasons are named together)."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for value, line, why in bad:
        groups.setdefault(why, []).append((value, line))
    first_line = bad[0][1]
    parts = []
    for why, members in groups.items():
        (value, line), rest = members[0], members[1:]
        where = "" if line == first_line else f" (line {line})"
        text = ctx.rule.message.format(compatible=value, reasons=why).strip()
        if where:
            text = text.replace(f"'{value}'", f"'{value}'{where}", 1)
        if rest:
            named = ", ".join(f"'{v}' (line {n})" for v, n in rest[:_NAMED])
            more = f" and {len(rest) - _NAMED} more" if len(rest) > _NAMED else ""
            text += f" So do {named}{more}."
        parts.append(text)
    f = added_finding(ctx, doc, first_line, message=" ".join(parts), severity=severity)
    lines = tuple(dict.fromkeys(line for _, line, _ in bad))
    return replace(f, lines=lines) if len(lines) > 1 else f


# -- binding/compatible-too-generic ------------------------------------------------------

def _bus_of_examples(ctx, doc: BindingDoc, value: str) -> set[str]:
    """The names of the nodes that hold a node with this compatible in the examples."""
    out = set()
    for block in binding_examples(ctx, doc):
        for node in block.dts.nodes():
            if node.parent is not None and value in node.compatibles():
                out.add(node.parent.name.lower())
    return out


@check("binding-compatible-too-generic", params={
    "wildcard": REGEX,
    "ip_version_suffix": REGEX,
    "function_words": ListOf(TEXT),
    "generic_words": ListOf(TEXT),
    "redundant_suffixes": ListOf(TEXT),
    "bus_suffixes": ListOf(TEXT),
    "reasons": MapOf(TEXT),
})
def compatible_too_generic(ctx):
    p = ctx.params
    reasons = p.get("reasons", {})
    wildcard = param_regex(p, "wildcard")
    ip_version = param_regex(p, "ip_version_suffix")
    function_words = {w.lower() for w in p.get("function_words", [])}
    generic = {w.lower() for w in p.get("generic_words", [])}
    redundant = {w.lower() for w in p.get("redundant_suffixes", [])}
    bus_suffixes = {w.lower(): w for w in p.get("bus_suffixes", [])}
    for doc in binding_docs(ctx):
        data = doc.lenient
        refs = [m["$ref"] for m in walk_maps(data) if isinstance(m.get("$ref"), str)]
        facts = doc_facts(doc)
        for c, line in _new_compatibles(doc):
            if "," not in c.value:
                continue  # binding/compatible-format asks for the vendor first
            vendor, name = c.value.split(",", 1)
            tokens = [t for t in re.split(r"[-_]", name.lower()) if t]
            found = []
            if _is_family(c, name, wildcard, facts):
                found.append(reasons.get("wildcard", "is a wildcard"))
            # An IP-revision compatible after a SoC-specific one is the
            # fallback the rule itself recommends.
            m = ip_version.search(name) if not c.fallback else None
            if m:
                stem_tokens = [t for t in re.split(r"[-_]", name[: m.start()].lower()) if t]
                if m.group(0).lower() == "-ip" or (stem_tokens and all(t in function_words for t in stem_tokens)):
                    found.append(reasons.get("ip_version", "names an IP version").format(suffix=m.group(0)))
            hits = [t for t in tokens if t in generic]
            if hits:
                found.append(reasons.get("generic", "is generic").format(word=hits[0]))
            if len(tokens) > 1 and tokens[-1] in redundant:
                found.append(reasons.get("redundant_suffix", "has a redundant suffix").format(
                    suffix="-" + tokens[-1], without=f"{vendor},{name[: -len(tokens[-1]) - 1]}"))
            elif len(tokens) > 1 and tokens[-1] in bus_suffixes:
                bus = tokens[-1]
                parents = _bus_of_examples(ctx, doc, c.value)
                on_bus = any(par == bus or par.startswith(bus) for par in parents) or any(
                    f"{bus}-peripheral-props" in r for r in refs)
                if on_bus:
                    found.append(reasons.get("bus_suffix", "has a bus suffix").format(suffix="-" + bus))
            if found:
                yield added_finding(ctx, doc, line, compatible=c.value, reasons="; ".join(found))


_XX = re.compile(r"(?<=\d)(x+)(?=$|[-_])", re.I)


def _is_family(c: Compatible, name: str, wildcard: re.Pattern, facts) -> bool:
    """A wildcard ('*'), or a family name ending in x after a part number that
    the binding itself lists members of ('ad741x' beside 'ad7410', 'bq256xx'
    beside 'bq25600').  A digit-x-digit is a part number ('sam9x60',
    '14x14'), and an x-name with no listed member is the product's own name
    ('rg35xx', 'lan966x'); a board of a root schema is named as its vendor
    sells it."""
    if wildcard.search(name):
        return True
    if facts.is_root:
        return False
    m = _XX.search(name)
    if m is None:
        return False
    family = re.compile(re.escape(name[: m.start()]) + r"[0-9a-z]{%d}" % len(m.group(1))
                        + re.escape(name[m.end():]) + "$")
    vendor = c.value.split(",", 1)[0]
    return any(family.match(o.value.split(",", 1)[-1]) and o.value.split(",", 1)[0] == vendor
               and o.value != c.value for o in facts.compatibles)


# -- binding/vendor-prefix-company ------------------------------------------------------

_PREFIX_KEY = re.compile(r"""^\s*["']\^?([A-Za-z0-9-]+),\.\*["']\s*:\s*$""")
_DESC = re.compile(r"^\s*description:\s*(.+?)\s*$")


@check("binding-vendor-prefix-company", params={"not_company": REGEX, "company_markers": REGEX})
def vendor_prefix_company(ctx):
    p = ctx.params
    not_company = param_regex(p, "not_company", re.I)
    company = param_regex(p, "company_markers", re.I)
    for f in ctx.patch.files:
        if f.path != BINDINGS_DIR + "vendor-prefixes.yaml" or f.status == "removed":
            continue
        prefix = None
        for h in f.hunks:
            for ln in h.lines:
                if ln.kind == "-":
                    continue
                km = _PREFIX_KEY.match(ln.text)
                if km:
                    prefix = km.group(1) if ln.kind == "+" else None
                    continue
                dm = _DESC.match(ln.text)
                if dm and ln.kind == "+" and prefix:
                    desc = dm.group(1).strip("\"'")
                    m = not_company.search(desc)
                    if m and not company.search(desc):
                        yield ctx.finding(anchor="diff", path=f.path, line=ln.new_line, text=ln.text,
                                          prefix=prefix, description=desc, word=m.group(0).lower())
                    prefix = None
