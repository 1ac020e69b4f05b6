"""Driver idioms DT reviewers ask about, on the lines a patch adds.

Each check reads the file through the C model (``syntax.c``: match tables,
driver structs, functions, named DT lookups) and reports only lines the
patch adds.  Word lists are rule params.  (platform-owner, probe-naming,
dev-err-probe and kconfig-help-style are declarative rules in
rules/drivers.yaml.)
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..artifacts.binding import binding_docs
from ..artifacts.binding_facts import BindingFacts, DefinedNames, doc_facts, facts_from_text, ref_path
from ..classify import BINDINGS_DIR, is_binding_schema
from ..syntax.c import CFile, c_file
from ..tree import documented_by
from . import check
from ..params import TEXT, ListOf


def c_files(ctx, suffixes: tuple[str, ...] = (".c",)) -> Iterable[tuple[Any, CFile]]:
    for f in ctx.patch.files:
        if f.path.endswith(suffixes) and f.status != "removed" and not f.binary:
            yield f, c_file(ctx, ctx.patch, f)


@check("of-match-sentinel", params={"types": ListOf(TEXT)})
def of_match_sentinel(ctx):
    types = set(ctx.params.get("types", ["of_device_id"]))
    for f, cf in c_files(ctx, (".c", ".h")):
        view = cf.view
        for t in cf.match_tables:
            if t.type not in types or t.has_sentinel:
                continue
            added = [ln for ln in t.lines if view.is_added(ln)]
            if not added:
                continue
            line = t.end if view.is_added(t.end) else added[-1]
            yield ctx.finding(anchor="diff", path=f.path, line=line, text=view.text_of(line), type=t.type, name=t.name)


# module_init()/module_*_driver() make a file loadable; MODULE_LICENSE alone does
# not (built-in code carries it too).
_MODULAR = re.compile(r"^(?:module_\w*driver|module_init)$")
_BUILTIN = re.compile(r"^builtin_\w*driver$")


def _kbuild_texts(ctx, directory: str, names: tuple[str, ...]) -> list[str]:
    """Makefile/Kconfig text of a directory: what the series adds, then the tree's copy."""
    out = []
    for p in ctx.series.patches:
        for fc in p.files:
            if fc.path.rsplit("/", 1)[0] == directory and fc.path.rsplit("/", 1)[-1].startswith(names):
                out.append("\n".join(ln.text for h in fc.hunks for ln in h.lines if ln.kind != "-"))
    tree = ctx.options.tree
    if tree.available:
        for name in names:
            text = tree.read_file(f"{directory}/{name}")
            if text:
                out.append(text)
    return out


def _built_in_only(ctx, path: str) -> bool:
    """The Makefile builds the file under a ``bool`` Kconfig symbol: it is never a module."""
    directory, _, filename = path.rpartition("/")
    stem = filename[:-2]
    symbols = set()
    for text in _kbuild_texts(ctx, directory, ("Makefile",)):
        for m in re.finditer(rf"^obj-\$\(CONFIG_(\w+)\)\s*[+:]?=(.*?)(?<!\\)$", text, re.M | re.S):
            if re.search(rf"(?<![\w-]){re.escape(stem)}\.o\b", m.group(2)):
                symbols.add(m.group(1))
    if not symbols:
        return False
    kconfig = "\n".join(_kbuild_texts(ctx, directory, ("Kconfig",)))
    for sym in symbols:
        m = re.search(rf"^(?:menu)?config\s+{sym}\s*$\n((?:[ \t].*\n?|\s*\n)*)", kconfig, re.M)
        if m is None or not re.search(r"^\s+(?:def_)?bool\b", m.group(1), re.M):
            return False
    return True


@check("module-device-table", params={})
def module_device_table(ctx):
    for f, cf in c_files(ctx):
        view = cf.view
        if not view.complete:
            continue  # the MODULE_DEVICE_TABLE may sit in lines the patch does not show
        top = {c.name for c in cf.calls if c.function is None}
        if not any(_MODULAR.match(n) for n in top) or any(_BUILTIN.match(n) for n in top):
            continue
        tables = {t.name: t for t in cf.match_tables if t.type == "of_device_id"}
        exported = {c.args[1].text for c in cf.macro_calls("MODULE_DEVICE_TABLE")
                    if len(c.args) == 2 and c.args[0].text == "of"}
        for ds in cf.driver_structs:
            for fld, value, line in ds.fields:
                if fld != "of_match_table":
                    continue
                name = re.sub(r"^of_match_ptr\s*\(\s*(\w+)\s*\)$", r"\1", value)
                if name not in tables or name in exported:
                    continue
                table = tables[name]
                anchor = table.start if view.is_added(table.start) else line if view.is_added(line) else None
                if anchor is None or _built_in_only(ctx, f.path):
                    continue
                yield ctx.finding(anchor="diff", path=f.path, line=anchor, text=view.text_of(anchor), name=name)


# --------------------------------------------------------------------------
# Properties the driver reads vs the binding


def _ref_path(ref: str, base: str) -> str | None:
    """The tree path of the schema a binding's ``$ref`` names (``ref_path``
    answers it relative to bindings/); None for a fragment of the same file."""
    rel = base[len(BINDINGS_DIR):] if base.startswith(BINDINGS_DIR) else base
    target = ref_path(rel, ref)
    return None if target is None else BINDINGS_DIR + target


def _with_refs(ctx, facts: BindingFacts) -> tuple[list[BindingFacts], bool]:
    """The binding and the schemas it ``$ref``s, read from the tree; False when one could not be read."""
    tree = ctx.options.tree
    if not tree.available or not facts.schema_refs:
        return [facts], not facts.node_refs
    resolved = True
    group = [facts]
    seen = {facts.path}
    queue = [(r, facts.path) for r in facts.schema_refs]
    while queue and len(seen) < 24:
        ref, base = queue.pop()
        path = _ref_path(ref, base)
        if path is None or path in seen:
            continue
        seen.add(path)
        other = _tree_facts(ctx, path)
        if other is None:
            resolved = False
            continue
        group.append(other)
        queue.extend((r, path) for r in other.schema_refs)
    return group, resolved


def _tree_facts(ctx, path: str) -> BindingFacts | None:
    tree = ctx.options.tree

    def compute():
        text = tree.read_file(path)
        return facts_from_text(path, text) if text is not None else None

    return ctx.memo(f"driver-tree-facts:{path}", compute)


def _series_bindings(ctx) -> list[tuple[set[str], BindingFacts]]:
    def compute():
        out = []
        for p in ctx.series.patches:
            for doc in binding_docs(ctx, p):
                if doc.complete and doc.data is not None and hasattr(doc.data, "get"):
                    facts = doc_facts(doc)
                    out.append((documented_by(facts)[0], facts))
        return out

    return ctx.memo(f"driver-series-bindings:{ctx.series.message_id}", compute)


def _tree_binding(ctx, compat: str) -> BindingFacts | None:
    tree = ctx.options.tree
    if not tree.available:
        return None
    path = tree.documents(compat)
    if not path or not is_binding_schema(path):
        return None
    return _tree_facts(ctx, path)


def _dt_vendor(ctx, prefix: str, compats: set[str]) -> bool:
    """Could ``prefix,`` name a device-tree property?  Not when the tree does not know the
    vendor and no compatible of the driver uses it (a software-node or ACPI property)."""
    tree = ctx.options.tree
    if not tree.available:
        return True
    return tree.has_vendor_prefix(prefix) or any(c.split(",", 1)[0] == prefix for c in compats)


@check("undocumented-property", params={"implicit": ListOf(TEXT)})
def undocumented_property(ctx):
    implicit = set(ctx.params.get("implicit", []))
    for f, cf in c_files(ctx):
        # Only the driver's own node is described by its binding: children, phandle
        # targets, CPU nodes and nodes handed to exported helpers belong to other schemas.
        reads = [r for r in cf.property_reads
                 if cf.view.is_added(r.line) and "%" not in r.name and r.node == "device"]
        if not reads:
            continue
        compats = {u.compatible for u in cf.compatible_uses()}
        bindings = [facts for cs, facts in _series_bindings(ctx) if cs & compats]
        if not bindings:
            bindings = [b for c in sorted(compats) if (b := _tree_binding(ctx, c)) is not None]
        bindings = [b for b in bindings if b.describes_node]
        if not bindings:
            continue
        where = " / ".join(sorted({b.path for b in bindings}))
        resolved = [_with_refs(ctx, b) for b in bindings]
        bindings = [member.defined for group, _ in resolved for member in group]
        generic_from_refs = not all(ok for _, ok in resolved)
        reported: set[str] = set()
        documented = [r for r in cf.property_reads
                      if r.target and r.node == "device" and _read_problem(r, bindings, implicit, generic_from_refs) is None]
        for r in reads:
            key = f"{r.kind}:{r.dt_name}:{r.name}"
            if key in reported:
                continue
            if "," in r.dt_name and not _dt_vendor(ctx, r.dt_name.split(",", 1)[0], compats):
                continue
            if _fallback(r, documented):
                continue
            problem = _read_problem(r, bindings, implicit, generic_from_refs)
            if problem is None:
                continue
            reported.add(key)
            yield ctx.finding(anchor="diff", path=f.path, line=r.line, text=r.text, prop=problem, binding=where,
                              call=r.call)


def _fallback(r, documented: list) -> bool:
    """``if (<the documented lookup failed>) <same place> = lookup("older-name")``: a
    compatibility fallback after a documented name, not a new undocumented property."""
    if not r.target:
        return False
    for d in documented:
        if d.function != r.function or d.target != r.target or d.kind != r.kind or d.line == r.line:
            continue
        # Either order: the older name tried when the documented one failed, or the other way round.
        later, earlier = (r, d) if r.line > d.line else (d, r)
        watched = {earlier.target.lstrip("&"), earlier.assigned}
        if later.condition and any(w and re.search(rf"(?<![\w>.]){re.escape(w)}(?!\w)", later.condition)
                                   for w in watched):
            return True
    return False


def _read_problem(r, bindings: list[DefinedNames], implicit: set[str], generic_from_refs: bool) -> str | None:
    vendor = "," in r.dt_name
    if r.kind == "names":
        prop = r.names_prop or ""
        if any(b.names_value(prop, r.name) for b in bindings):
            return None
        if prop in implicit or not any(b.defines(prop) for b in bindings):
            return None  # no list in the binding: the name comes from elsewhere (a referenced schema, board code)
        return f'"{r.name}" in {prop}'
    if r.kind == "gpios":
        if any(b.defines(f"{r.name}-gpios") or b.defines(f"{r.name}-gpio") for b in bindings):
            return None
    elif any(b.defines(r.dt_name) for b in bindings):
        return None
    if r.dt_name in implicit or (generic_from_refs and not vendor):
        return None
    return f'"{r.dt_name}"'
