"""Binding schema content: the file's identity and the schema's structure.

Rules here read the parsed schema (``schema_facts``) and report on the line
a maintainer would quote: ``$id``, ``title``, a property key, the closing
keyword.  Word lists and directory lists come from each rule's ``params``.
"""

from __future__ import annotations


import posixpath
import re
from typing import Any

from ..artifacts.binding import BindingDoc
from ..artifacts.binding_facts import class_words, facts_of
from ..artifacts.schema_facts import (
    binding_examples,
    compatibles,
    is_map,
    item_line,
    key_line,
    node_properties,
    node_schemas,
    refs_at_level,
    txt_compatibles,
    vendor_of,
    walk_maps,
)
from ..classify import BINDINGS_DIR
from . import check
from ..params import TEXT, ListOf
from ._schema_common import docs_with_data, findings_only
from ._util import added_finding

_TOP_VALUE = re.compile(r"^(\$id|\$schema|title)\s*:\s*(.*?)\s*$")


def _top_values(doc: BindingDoc) -> dict[str, tuple[int, str]]:
    """$id, $schema and title read from the text: (line, unquoted value).
    Text, not the parse, so a file that does not parse is still checked."""
    out: dict[str, tuple[int, str]] = {}
    for i, ln in enumerate(doc.lines, 1):
        m = _TOP_VALUE.match(ln)
        if m and m.group(1) not in out:
            value = re.sub(r"\s+#.*$", "", m.group(2)).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            out[m.group(1)] = (i, value)
    return out


# -- binding/filename-compatible ---------------------------------------------

def _tokens(s: str) -> list[str]:
    return [t for t in re.split(r"[-,._+/]", s.lower()) if t]


def _token_fits(token: str, words: set[str]) -> bool:
    """A file-name word is (the start of) a compatible word, or a family
    spelling of one ('bq256xx' for 'bq25600', 'nvme-ans' for 'nvme-ans2')."""
    for w in words:
        if w.startswith(token):
            return True
        if "x" in token and len(token) == len(w) and all(a == b or a == "x" for a, b in zip(token, w)):
            return True
    return False


def _name_fits(stem: str, values: list[str], class_words: set[str] = frozenset()) -> bool:
    """Whether a file name names what the binding documents.

    The name is right when it is one of the compatibles, or when each of its
    words belongs to the words of the compatibles (of its vendor, when the
    name has one) or names the device class the binding sits under:
    hyphenation ('acme,foo-bar' for 'acme,foobar'), the vendor-less part
    ('bq24735' for 'ti,bq24735'), the family ('imx8ulp-pcc-clock' for
    'fsl,imx8ulp-pcc3') and the IP name without the SoC ('nxp,dw100' for
    'nxp,imx8mp-dw100') are all names upstream accepts.
    """
    if stem in values:
        return True
    vendor = vendor_of(stem)
    if vendor is None:
        return False  # the name leaves out the vendor its compatibles have
    pool = [v for v in values if vendor_of(v) == vendor]
    if not pool:
        return False
    local = stem.split(",", 1)[1] if vendor else stem
    if any(local.replace("-", "") == v.split(",", 1)[-1].replace("-", "") for v in pool):
        return True
    words = set().union(*(_tokens(v.split(",", 1)[-1]) for v in pool)) | class_words
    joined = {"".join(_tokens(v.split(",", 1)[-1])) for v in pool}
    return all(_token_fits(t, words) or any(t in j for j in joined) for t in _tokens(local))


@check("binding-filename-compatible", params={})
@findings_only
def binding_filename_compatible(ctx):
    for doc, data in docs_with_data(ctx, ("added", "renamed")):
        if data is None:
            continue
        facts = facts_of(ctx, doc)
        if facts.is_root or facts.is_common:
            continue  # a board list or a shared schema is named after its family
        comps = list(facts.top_compatibles)
        values = [c.value for c in comps]
        if not values:
            continue
        stem = posixpath.basename(doc.path).rsplit(".", 1)[0]
        if _name_fits(stem, values, class_words(doc.path)):
            continue
        suggestion = _suggest_name(values)
        line = doc.anchor_line(_top_values(doc).get("$id", (None,))[0], comps[0].line, doc.first_added_line())
        yield added_finding(ctx, doc, line, file=posixpath.basename(doc.path), compatible=values[0],
                            suggestion=f"{suggestion}.yaml")
    # A new free-form .txt binding: the same naming rule (and it must become YAML).
    for f in ctx.patch.files:
        if f.status != "added" or not f.path.startswith(BINDINGS_DIR) or not f.path.endswith(".txt"):
            continue
        lines = [(ln.new_line, ln.text) for ln in f.added_lines() if ln.new_line is not None]
        comps = txt_compatibles(lines)
        values = [c.value for c in comps]
        stem = posixpath.basename(f.path).rsplit(".", 1)[0]
        if not values or _name_fits(stem, values):
            continue
        line = comps[0].line
        text = next((t for n, t in lines if n == line), None)
        yield ctx.finding(anchor="diff", path=f.path, line=line, text=text,
                          message=f"The file is named {posixpath.basename(f.path)} but documents "
                                  f"'{values[0]}': name the binding after its compatible, as DT schema: "
                                  f"'{_suggest_name(values)}.yaml'.")


def _suggest_name(values: list[str]) -> str:
    vendored = [v for v in values if vendor_of(v)]
    return (vendored or values)[0]


# -- binding/directory -------------------------------------------------------

def _dir_exists(ctx, top: str) -> bool | None:
    """Whether the kernel tree has bindings/<top>/ (None when no tree is known)."""
    tree = ctx.options.tree
    if not tree.available:
        return None
    return tree.has_dir(BINDINGS_DIR + top)


#: vendors whose devices one top-level file lists that make it a catalogue
#: (trivial-devices.yaml, incomplete-devices.yaml), not one device's binding
_CATALOGUE_VENDORS = 3


@check("binding-directory", params={"directories": ListOf(TEXT)})
@findings_only
def binding_directory(ctx):
    known = set(ctx.params.get("directories", []))
    for doc, data in docs_with_data(ctx, ("added", "renamed")):
        if doc.status == "renamed" and doc.file is not None and doc.file.old_path and \
                posixpath.dirname(doc.file.old_path) == posixpath.dirname(doc.path):
            continue
        parts = doc.rel_path.split("/")
        line = doc.anchor_line(_top_values(doc).get("$id", (None,))[0], doc.first_added_line())
        if line is None:
            continue
        if len(parts) == 1:
            if len({vendor_of(c.value) for c in facts_of(ctx, doc).top_compatibles}) >= _CATALOGUE_VENDORS:
                continue  # a catalogue of many vendors' devices of every class (trivial-devices.yaml)
            yield added_finding(ctx, doc, line, directory="(top level)",
                                message=f"{parts[0]} sits directly in bindings/: put it in the "
                                        "directory of its device class (the subject prefix names it).")
            continue
        top = parts[0]
        exists = _dir_exists(ctx, top)
        if exists is True or (exists is None and top in known):
            continue
        vendors = {vendor_of(c.value) for c in compatibles(data)} if data is not None else set()
        if top in vendors:
            why = f"is named after the vendor prefix '{top},'"
        elif exists is False:
            why = "does not exist in the kernel tree"
        else:
            why = "is not one of the kernel's device-class directories"
        yield added_finding(ctx, doc, line, directory=top, why=why)


# -- binding/closed-schema ---------------------------------------------------

def _node_refs(node: Any) -> list[str]:
    return [r for r in refs_at_level(node) if "types.yaml" not in r]


def _defined(node: Any, name: str) -> bool:
    props = node.get("properties")
    if is_map(props) and name in props:
        return True
    pats = node.get("patternProperties")
    if is_map(pats):
        for pat in pats:
            try:
                if re.search(str(pat), name):
                    return True
            except re.error:
                continue
    return False


def _implicit(name: str, node: Any, implicit: list[str]) -> bool:
    if name in implicit or re.match(r"^pinctrl-[0-9]+$", name) or name.startswith("bootph-"):
        return True
    props = node.get("properties") if is_map(node.get("properties")) else {}
    # dtschema's fixups: 'interrupts' brings interrupts-extended and interrupt-parent,
    # an interrupt controller may name its parent too
    if name == "interrupts-extended" and "interrupts" in props:
        return True
    if name == "interrupt-parent" and ("interrupts" in props or "interrupt-controller" in props):
        return True
    if name.startswith("assigned-clock") and "clocks" in props:
        return True
    return name == "dma-ranges" and "ranges" in props


def _closure_anchor(doc: BindingDoc, data: Any) -> int | None:
    """Where 'additionalProperties: false' would be inserted: the last non-blank,
    non-comment line before ``examples:`` (or the end of the file), which is
    where a maintainer would comment; else the first added top-level key."""
    lines = doc.text.split("\n")
    end = key_line(data, "examples")
    end = (end - 1) if end is not None else len(lines)
    spot = next((n for n in range(end, 0, -1)
                 if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")), None)
    line = doc.anchor_line(spot, *(key_line(data, k) for k in ("examples", "required", "properties")))
    if line is not None:
        return line
    # A new file: any line will do. A modified file that was open before the
    # patch is not this patch's doing.
    return doc.first_added_line() if doc.status == "added" else None


@check("binding-closed-schema", params={"implicit_properties": ListOf(TEXT)})
@findings_only
def binding_closed_schema(ctx):
    implicit = list(ctx.params.get("implicit_properties", []))
    for doc, data in docs_with_data(ctx):
        if not is_map(data):
            continue
        facts = facts_of(ctx, doc)
        own = {c.value for c in facts.top_compatibles}
        # A board/SoC root schema and a schema others build on are open by
        # convention; dt-schema checks nothing below an open top level.
        shared = facts.is_root or facts.is_common or "select" in data
        top_open = False
        for ns in facts.nodes:
            node = ns.node
            if ns.section in ("$defs", "definitions"):
                continue  # pieces for others to $ref; dt-schema does not ask them to be closed
            has_add, has_unev = "additionalProperties" in node, "unevaluatedProperties" in node
            refs = _node_refs(node)
            if ns.is_top:
                if not (has_add or has_unev):
                    yield added_finding(ctx, doc, _closure_anchor(doc, data), where="The top level",
                                        keyword="additionalProperties: false")
                    top_open = True
                    continue
                if node.get("additionalProperties") is True:
                    top_open = True
                    if "compatible" in (node.get("properties") or {}) and not shared \
                            and not _referenced_by_others(ctx, doc):
                        yield added_finding(
                            ctx, doc, key_line(node, "additionalProperties"), severity="warning",
                            message="'additionalProperties: true' leaves a device binding open to any property: "
                                    "use 'additionalProperties: false' (or 'unevaluatedProperties: false' "
                                    "with a $ref).")
            elif not (has_add or has_unev):
                # Only a child that lists properties of its own can be closed;
                # 'opp-table: {type: object}' defers to the schema of its kind.
                defines = is_map(node.get("properties")) or is_map(node.get("patternProperties"))
                if defines and not refs and not top_open and not node.get("deprecated"):
                    name = ns.path[-1]
                    yield added_finding(ctx, doc, ns.line, where=f"The child node '{name}'",
                                        keyword="additionalProperties: false", severity="warning")
                continue
            if node.get("unevaluatedProperties") is False and not refs and not _conditional_props(node):
                yield added_finding(
                    ctx, doc, key_line(node, "unevaluatedProperties"), severity="warning",
                    message="'unevaluatedProperties: false' but this schema references no other schema "
                            "to extend: use 'additionalProperties: false'.")
            if node.get("additionalProperties") is False and refs:
                missing = _undefined_used(ctx, node, data if ns.is_top else None, doc, own, implicit)
                if missing:
                    yield added_finding(
                        ctx, doc, key_line(node, "additionalProperties"),
                        message=f"'additionalProperties: false' rejects properties that {refs[0]} provides, "
                                f"yet {', '.join(missing[:4])} {'is' if len(missing) == 1 else 'are'} used "
                                "without being listed here: use 'unevaluatedProperties: false'.")


_REF_VALUE = re.compile(r"""\$ref:\s*['"]?([^'"#\s]+)""")


def _ref_target(ref_from: str, line: str) -> str | None:
    """The bindings-relative path a ``$ref:`` line in ``ref_from`` (bindings-relative) points at."""
    from ..artifacts.binding_facts import ref_path

    m = _REF_VALUE.search(line)
    return ref_path(ref_from, m.group(1)) if m is not None else None


def _referenced_by_others(ctx: Any, doc: BindingDoc) -> bool:
    """Whether another binding (of the series, or of the tree) $refs this one:
    then it is a common schema the others build on (mtd-physmap.yaml,
    fixed-partitions.yaml), open so that they can add to it."""
    name = posixpath.basename(doc.rel_path)
    prefix = BINDINGS_DIR.rstrip("/") + "/"

    def compute() -> bool:
        lines: list[tuple[str, str]] = []
        for patch in ctx.series.patches:
            for f in patch.files:
                if f.path != doc.path and f.path.startswith(prefix) and f.status != "removed":
                    lines += [(f.path, ln.text) for ln in f.added_lines() if name in ln.text and "$ref" in ln.text]
        tree = ctx.options.tree
        if tree.available:
            lines += tree.ref_lines(name)
        return any(path != doc.path and _ref_target(path[len(prefix):], text) == doc.rel_path
                   for path, text in lines if path.startswith(prefix))

    return ctx.memo(f"binding-closed-schema:referenced:{doc.path}", compute)


def _conditional_props(node: Any) -> bool:
    """if/then/else branches that define properties of their own."""
    for key in ("allOf", "anyOf", "oneOf"):
        for b in node.get(key) or []:
            if is_map(b):
                for sub in ("then", "else"):
                    br = b.get(sub)
                    if is_map(br) and is_map(br.get("properties")):
                        own = node.get("properties") or {}
                        if any(p not in own for p in br["properties"]):
                            return True
    return False


def _undefined_used(ctx: Any, node: Any, top: Any, doc: BindingDoc, own: set[str],
                    implicit: list[str]) -> list[str]:
    """Names the schema requires, or its own example node uses, that it does not define."""
    out: list[str] = []
    for name in node.get("required") or []:
        if isinstance(name, str) and not _defined(node, name) and not _implicit(name, node, implicit):
            out.append(name)
    if top is not None and own and doc.complete:
        for block in binding_examples(ctx, doc):
            for n in block.dts.nodes():
                if not set(n.compatibles()) & own:
                    continue
                for p in n.properties:
                    if not _defined(node, p.name) and not _implicit(p.name, node, implicit):
                        out.append(p.name)
    return list(dict.fromkeys(out))


# -- binding/required-order --------------------------------------------------

@check("binding-required-order", params={})
@findings_only
def binding_required_order(ctx):
    for doc, data in docs_with_data(ctx):
        for ns, props in node_properties(data):
            names = [k for k in props if isinstance(k, str) and not k.startswith("$")]
            if "compatible" in names and names[0] != "compatible":
                yield added_finding(ctx, doc, key_line(props, "compatible"),
                                    message="'compatible' is not the first property: list it first, "
                                            "then 'reg', in the order a DTS node writes them.")
            req = ns.node.get("required")
            if not isinstance(req, list):
                continue
            if "compatible" in req and req[0] != "compatible":
                i = req.index("compatible")
                yield added_finding(ctx, doc, item_line(req, i),
                                    message="'compatible' is not first in 'required': keep 'required' in "
                                            "the order of 'properties', starting with 'compatible'.")
                continue
            index = {n: i for i, n in enumerate(names)}
            prev = None
            for i, name in enumerate(req):
                if not isinstance(name, str) or name not in index:  # a mapping in 'required' is unhashable
                    continue
                if prev is not None and index[name] < index[prev]:
                    yield added_finding(ctx, doc, item_line(req, i), name=name, previous=prev)
                    break
                prev = name


# -- binding/schema-simplify -------------------------------------------------

_SINGLE_GROUP = re.compile(r"\(([^()|?*+]*)\)(?![?*+{])")
_META = re.compile(r"[.*+?\[\]{}()|\\]")


def _fixed_pattern(pattern: str) -> tuple[str | None, bool]:
    """(name, has single-alternative group) when the pattern can match only one
    fixed name, e.g. '^leds-(status)' or '^foo$'."""
    single = bool(_SINGLE_GROUP.search(pattern))
    body = _SINGLE_GROUP.sub(r"\1", pattern)
    anchored_start = body.startswith("^")
    anchored_end = body.endswith("$") and not body.endswith("\\$")
    core = body[1 if anchored_start else 0: -1 if anchored_end else None]
    if not anchored_start or _META.search(core) or not core:
        return None, single
    if anchored_end or single:
        return core, single
    return None, single


@check("binding-schema-simplify", params={})
@findings_only
def binding_schema_simplify(ctx):
    for doc, data in docs_with_data(ctx):
        if not is_map(data):
            continue
        for m in walk_maps(data):
            for key in ("oneOf", "anyOf"):
                branches = m.get(key)
                if not isinstance(branches, list):
                    continue
                if len(branches) == 1:
                    yield added_finding(ctx, doc, key_line(m, key),
                                        message=f"'{key}' with a single branch chooses nothing: drop the "
                                                f"'{key}' and keep its one schema.")
                elif all(is_map(b) and "const" in b and set(b) <= {"const", "description"} for b in branches):
                    yield added_finding(ctx, doc, key_line(m, key),
                                        message=f"'{key}' of plain 'const' values: write them as one 'enum' list.")
        for ns in node_schemas(data):
            props = ns.node.get("properties")
            comp = props.get("compatible") if is_map(props) else None
            if is_map(comp):
                items = comp.get("items")
                if isinstance(items, list) and len(items) == 1 and is_map(items[0]) and \
                        ({"const", "enum"} & set(items[0])):
                    kind = "const" if "const" in items[0] else "enum"
                    yield added_finding(ctx, doc, key_line(comp, "items"),
                                        message=f"An 'items' list with one {kind} for a single compatible: "
                                                f"write '{kind}:' directly under compatible.")
            pats = ns.node.get("patternProperties")
            if is_map(pats):
                for pat in pats:
                    name, single = _fixed_pattern(str(pat))
                    if name is None:
                        continue
                    why = "its group has only one alternative, so it" if single else "it"
                    yield added_finding(ctx, doc, key_line(pats, pat),
                                        message=f"The pattern '{pat}' is not a pattern: {why} matches the fixed "
                                                f"name '{name}'; define '{name}' under 'properties' instead.")
