"""How the patches of a series relate: order, splits, what documents what.

These are the mistakes a per-patch tool cannot see: a driver matching a
compatible that only a later patch documents, a DTS patch in the middle, a
dt-bindings header split from its binding, a patch fixing up code an earlier
patch of the same series added.  Facts about the whole series (which patch
documents which compatible, which vendor prefixes it adds, which
compatibles each patch uses) are computed once per run and shared.

``undocumented-compatible`` and ``vendor-prefix-undocumented`` are
patch-scope so they also run in hook mode, where the "series" is one patch
and the kernel tree carries the rest (as does the declarative
series/dt-list-not-copied).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..artifacts.binding import binding_docs
from ..classify import BINDINGS_DIR, DT_HEADERS_DIR, is_binding_path, is_dts_path, path_matches
from ..model import Patch
from ..syntax.source import CompatUse, source_view
from ..artifacts.binding_facts import is_id_style
from ..tree import VENDOR_PREFIXES, binding_compatibles, compatible_matches, patch_yaml_compatibles, vendor_prefix_keys
from . import check
from ..params import INT, NUMBER, TEXT, ListOf

_C_SUFFIXES = (".c", ".h")


@dataclass
class SeriesFacts:
    # (patch n, binding path, compatibles, compatible patterns)
    documented: list[tuple[int, str, set[str], list[str]]] = field(default_factory=list)
    # (patch n, plain vendor prefixes, prefix regexes) added to vendor-prefixes.yaml
    vendors: list[tuple[int, set[str], list[str]]] = field(default_factory=list)
    # patch n -> [(path, use)] for compatibles on lines the patch adds
    uses: dict[int, list[tuple[str, CompatUse]]] = field(default_factory=dict)
    # patch n -> [(path, compatible, line, text)] new compatible values in bindings
    binding_values: dict[int, list[tuple[str, str, int, str]]] = field(default_factory=dict)

    def documented_by(self, compat: str) -> list[tuple[int, str]]:
        return [(n, path) for n, path, cs, pats in self.documented
                if compat in cs or compatible_matches(compat, pats)]

    def vendor_added(self, prefix: str) -> bool:
        return any(prefix in plain or compatible_matches(prefix + ",", pats) for _, plain, pats in self.vendors)


def series_facts(ctx) -> SeriesFacts:
    return ctx.memo(f"series-facts:{ctx.series.message_id}:{ctx.series.revision}",
                    lambda: _compute_facts(ctx, ctx.series))


def context_facts(ctx) -> SeriesFacts | None:
    """Facts of the whole series in hook mode, when the hook found it (Options.series_context)."""
    whole = ctx.options.series_context
    if whole is None:
        return None
    return ctx.memo(f"series-context-facts:{whole.message_id}:{whole.revision}", lambda: _compute_facts(ctx, whole))


def _documented_in_series(ctx, facts: SeriesFacts, compat: str) -> bool:
    whole = context_facts(ctx)
    return bool(facts.documented_by(compat) or (whole is not None and whole.documented_by(compat)))


def _vendor_added_in_series(ctx, facts: SeriesFacts, vendor: str) -> bool:
    whole = context_facts(ctx)
    return facts.vendor_added(vendor) or (whole is not None and whole.vendor_added(vendor))


def _one_patch_blind(ctx) -> bool:
    """Hook mode with nothing but this patch: the rest of the series was not
    found and the tree does not hold it, so another patch may add what is missing."""
    return ctx.options.single_patch and ctx.options.series_context is None and not _tree_has_patch(ctx)


def _compute_facts(ctx, series) -> SeriesFacts:
    facts = SeriesFacts()
    for p in series.patches:
        docs = {d.path: d for d in binding_docs(ctx, p)}
        for f in p.files:
            if f.status == "removed":
                continue
            if f.path == VENDOR_PREFIXES:
                plain, pats = vendor_prefix_keys("\n".join(ln.text for ln in f.added_lines()))
                if plain or pats:
                    facts.vendors.append((p.n, plain, pats))
                continue
            if f.path.startswith(BINDINGS_DIR):
                doc = docs.get(f.path)
                added = [ln for ln in f.added_lines() if ln.new_line is not None]
                if doc is not None and doc.complete:
                    compats, pats = patch_yaml_compatibles(doc.text)
                else:
                    # Only the hunks: count every compatible-looking value the patch adds.
                    compats, pats = binding_compatibles(f.path, "\n".join(ln.text for ln in added))
                    if f.path.endswith((".yaml", ".yml")):
                        compats |= _loose_values(added)
                if compats or pats:
                    facts.documented.append((p.n, f.path, compats, pats))
                values = []
                for c in sorted(compats):
                    hit = next((ln for ln in added if re.search(rf"(?<![\w,.+-]){re.escape(c)}(?![\w,.+-])", ln.text)),
                               None)
                    if hit is not None:
                        values.append((f.path, c, hit.new_line, hit.text))
                facts.binding_values[p.n] = facts.binding_values.get(p.n, []) + values
                continue
            uses: list[CompatUse] = []
            if f.path.endswith(_C_SUFFIXES):
                from ..syntax.c import c_file  # the C and DTS models load only for such files (start-up)

                cf = c_file(ctx, p, f)
                uses = [u for u in cf.compatible_uses() if cf.view.is_added(u.line)]
            elif is_dts_path(f.path):
                from .dts import dts_compatible_uses

                view = source_view(ctx, p, f)
                uses = [u for u in dts_compatible_uses(view) if view.is_added(u.line)]
            if uses:
                facts.uses.setdefault(p.n, []).extend((f.path, u) for u in uses)
    return facts


def _loose_values(lines) -> set[str]:
    out = set()
    for ln in lines:
        m = re.match(r"""^\s*(?:-\s+|const:\s*|-\s+const:\s*)["']?([a-z0-9][a-z0-9-]*,[\w.+-]+)["']?\s*$""", ln.text)
        if m:
            out.add(m.group(1))
    return out


def core_compatibles() -> tuple[frozenset[str], tuple[str, ...]]:
    """Compatibles the dt-schema package documents itself (simple-bus, fixed-clock, ...)."""
    from ..validators.dtschema_facts import core_facts

    _names, found, patterns = core_facts()
    return found, patterns


def _core_documents(compat: str) -> bool:
    found, pats = core_compatibles()
    return compat in found


def _tree(ctx):
    """The kernel tree, or None when there is none to ask."""
    tree = ctx.options.tree
    return tree if tree.available else None


def _tree_documents(ctx, compat: str) -> str | None:
    tree = _tree(ctx)
    if tree is None:
        return None
    return ctx.memo(f"tree-documents:{compat}", lambda: tree.documents(compat))


# --------------------------------------------------------------------------
# Compatibles and vendor prefixes


@check("undocumented-compatible", params={})
def undocumented_compatible(ctx):
    facts = series_facts(ctx)
    tree = _tree(ctx)
    unverified: list[tuple[str, CompatUse]] = []
    seen: set[str] = set()
    for path, use in facts.uses.get(ctx.patch.n, []):
        if use.compatible in seen:
            continue
        seen.add(use.compatible)
        if _documented_in_series(ctx, facts, use.compatible) or _core_documents(use.compatible):
            continue  # by this series (a later binding is series/binding-after-user's business)
        if tree is None:
            unverified.append((path, use))
            continue
        if _tree_documents(ctx, use.compatible):
            continue
        if _one_patch_blind(ctx):
            # Hook mode (b4 am --check) without the rest of the series, and the
            # tree does not have it applied: its own binding may be missing.
            yield ctx.finding(
                anchor="diff", path=path, line=use.line, text=use.text, severity="info", status_note=True,
                message=f'"{use.compatible}" is not documented in {tree.label}; checking one patch at a time, '
                "a binding patch elsewhere in the series may add it: check the whole series to be sure.",
            )
            continue
        yield ctx.finding(anchor="diff", path=path, line=use.line, text=use.text, compatible=use.compatible,
                          how=use.how, where=f"this series or {tree.label}")
    # Say "could not verify" once per compatible and series, not on every patch.
    said = ctx.cache.setdefault("undocumented-compatible-unverified-said", set())
    unverified = [(p, u) for p, u in unverified if u.compatible not in said]
    said.update(u.compatible for _, u in unverified)
    if unverified:
        path, use = unverified[0]
        names = ", ".join(f'"{u.compatible}"' for _, u in unverified)
        yield ctx.finding(
            anchor="diff", path=path, line=use.line, text=use.text, severity="info", status_note=True,
            message=f"Could not verify that {names} {'is' if len(unverified) == 1 else 'are'} documented: no binding "
            "in this series documents it and no kernel tree was given (run inside a kernel tree or pass --tree) "
            "to look for an existing binding.",
        )


def _vendor(compat: str) -> str | None:
    if "," not in compat or is_id_style(compat):
        return None  # 'usb1234,5678', 'pci14e4,43dc': a bus ID, not a vendor prefix
    vendor = compat.split(",", 1)[0]
    return vendor if re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9-]*", vendor) else None


def _tree_has_patch(ctx) -> bool:
    """True when the tree already contains this patch (b4 prep runs on the
    series branch), so what the tree lacks the whole series lacks."""
    tree = _tree(ctx)
    if tree is None:
        return False

    def compute() -> bool:
        changed = [f for f in ctx.patch.files if f.status != "removed" and f.added_lines()]
        if not changed:
            return False
        for f in changed:
            text = tree.read_file(f.path)
            if text is None:
                return False
            present = set(text.split("\n"))
            if any(ln.text not in present for ln in f.added_lines()):
                return False
        return True

    return ctx.memo(f"tree-has-patch:{ctx.patch.message_id}", compute)


@check("vendor-prefix-undocumented", params={"ignore": ListOf(TEXT)})
def vendor_prefix_undocumented(ctx):
    facts = series_facts(ctx)
    tree = _tree(ctx)
    items = [(path, use.compatible, use.line, use.text) for path, use in facts.uses.get(ctx.patch.n, [])]
    items += facts.binding_values.get(ctx.patch.n, [])
    ignore = set(ctx.params.get("ignore", []))
    seen: set[str] = set()
    unverified: list[tuple[str, str, str, int, str]] = []
    for path, compat, line, text in items:
        vendor = _vendor(compat)
        if vendor is None or vendor in seen or vendor in ignore:
            continue
        seen.add(vendor)
        if _vendor_added_in_series(ctx, facts, vendor):
            continue
        if tree is None:
            unverified.append((vendor, compat, path, line, text))
            continue
        if ctx.memo(f"tree-vendor:{vendor}", lambda: tree.has_vendor_prefix(vendor)):
            continue
        if _one_patch_blind(ctx):
            yield ctx.finding(
                anchor="diff", path=path, line=line, text=text, severity="info", status_note=True,
                message=f'The vendor prefix "{vendor}" is not in {tree.label}; checking one patch at a time, '
                "a patch elsewhere in the series may add it to vendor-prefixes.yaml.",
            )
            continue
        yield ctx.finding(anchor="diff", path=path, line=line, text=text, vendor=vendor, compatible=compat,
                          where=tree.label)
    # Say "could not verify" once per vendor and series, not on every patch.
    said = ctx.cache.setdefault("vendor-prefix-unverified-said", set())
    unverified = [u for u in unverified if u[0] not in said]
    said.update(u[0] for u in unverified)
    if unverified:
        vendor, compat, path, line, text = unverified[0]
        names = ", ".join(f'"{v[0]}"' for v in unverified)
        yield ctx.finding(
            anchor="diff", path=path, line=line, text=text, severity="info", status_note=True,
            message=f"Could not verify the vendor prefix{'es' if len(unverified) > 1 else ''} {names}: this series "
            "does not add it to vendor-prefixes.yaml and no kernel tree was given (run inside a kernel tree or "
            "pass --tree).",
        )


@check("binding-after-user", params={})
def binding_after_user(ctx):
    facts = series_facts(ctx)
    total = ctx.series.expected
    for p in ctx.series.patches:
        seen: set[str] = set()
        for path, use in facts.uses.get(p.n, []):
            docs = facts.documented_by(use.compatible)
            if not docs or use.compatible in seen:
                continue
            seen.add(use.compatible)
            first = min(n for n, _ in docs)
            if first <= p.n or _core_documents(use.compatible) or _tree_documents(ctx, use.compatible):
                continue
            later = ctx.series.patch(first)
            yield ctx.finding(
                anchor="diff", patch=p, path=path, line=use.line, text=use.text, compatible=use.compatible,
                later=f"{first}/{total}", later_subject=later.subject if later else "",
            )


# --------------------------------------------------------------------------
# Order and splitting


def _only_dts(p: Patch) -> bool:
    return bool(p.files) and all("/boot/dts/" in f.path for f in p.files)


@check("dts-before-driver", params={"allowed_after": ListOf(TEXT)})
def dts_before_driver(ctx):
    allowed = tuple(ctx.params.get("allowed_after", ["MAINTAINERS", "arch/*/configs/**"]))
    patches = list(ctx.series.patches)
    # a binding patch that also repoints DTS includes (a header renamed) is not a DTS patch
    first_dts = next((p for p in patches if any(is_dts_path(f.path) for f in p.files)
                      and not any(is_binding_path(f.path) for f in p.files)), None)
    if first_dts is None:
        return
    later = [
        p for p in patches
        if p.n > first_dts.n and not _only_dts(p)
        and any(not path_matches(f.path, allowed) and "/boot/dts/" not in f.path for f in p.files)
    ]
    later = [p for p in later if _serves_earlier_dts(ctx, p, patches)]
    if not later:
        return
    names = ", ".join(f"{p.n}/{ctx.series.expected}" for p in later[:5]) + (" ..." if len(later) > 5 else "")
    yield ctx.finding(anchor="subject", patch=first_dts, text=first_dts.full_subject,
                      quote=(f"Subject: {first_dts.full_subject}",), n=f"{first_dts.n}/{ctx.series.expected}",
                      later=names)


def _serves_earlier_dts(ctx, later: Patch, patches: list[Patch]) -> bool:
    """Whether ``later`` brings what a DTS patch before it uses: a compatible
    its driver matches or its binding documents, or a dt-bindings header the
    DTS includes.  A DTS fix or cleanup that needs nothing from the patches
    after it (a node re-sorted, a header moved first for a conversion) may
    come first."""
    facts = series_facts(ctx)
    earlier = [p for p in patches if p.n < later.n and any(is_dts_path(f.path) for f in p.files)]
    used = {use.compatible for p in earlier for path, use in facts.uses.get(p.n, []) if is_dts_path(path)}
    included = {h for p in earlier for f in p.files if is_dts_path(f.path)
                for h in _header_refs("\n".join(ln.text for ln in f.added_lines()))}
    brought = {use.compatible for path, use in facts.uses.get(later.n, []) if not is_dts_path(path)}
    brought |= {c for n, _path, cs, _pats in facts.documented if n == later.n for c in cs}
    if brought & used or any(compatible_matches(c, pats) for n, _path, _cs, pats in facts.documented
                             if n == later.n for c in used):
        return True
    headers = {f.path[len(DT_HEADERS_DIR):] for f in later.files if f.path.startswith(DT_HEADERS_DIR)}
    return bool(headers & included)


def _header_refs(text: str) -> set[str]:
    return set(re.findall(r"dt-bindings/([\w,./+-]+\.h)", text))


@check("dt-header-split", params={})
def dt_header_split(ctx):
    patches = list(ctx.series.patches)
    binding_texts: list[tuple[Patch, str, str]] = []
    for p in patches:
        for doc in binding_docs(ctx, p):
            binding_texts.append((p, doc.path, doc.text))
        for f in p.files:
            if f.path.startswith(BINDINGS_DIR) and f.path.endswith(".txt"):
                binding_texts.append((p, f.path, "\n".join(ln.text for ln in f.added_lines())))
    for p in patches:
        for f in p.files:
            if not f.path.startswith(DT_HEADERS_DIR) or f.status == "removed":
                continue
            rel = f.path[len(DT_HEADERS_DIR):]
            stem = Path(rel).stem
            own = {path for q, path, _ in binding_texts if q.n == p.n}
            if any(q.n == p.n and (rel in _header_refs(text) or Path(path).stem == stem)
                   for q, path, text in binding_texts):
                continue  # a binding of this very patch names the header: it came with its binding
            owners = [
                (q, path) for q, path, text in binding_texts
                if q.n != p.n and path not in own
                and (rel in _header_refs(text) or Path(path).stem == stem)
            ]
            if not owners:
                continue
            q, path = owners[0]
            first = next(iter(f.added_lines()), None)
            yield ctx.finding(
                anchor="diff", patch=p, path=f.path, line=first.new_line if first else None,
                text=first.text if first else None, header=f.path, binding=path,
                other=f"{q.n}/{ctx.series.expected}",
            )


# --------------------------------------------------------------------------
# Later patches rewriting what earlier ones added


def _meaningful(text: str, min_chars: int) -> bool:
    t = text.strip()
    return len(t) >= min_chars and bool(re.search(r"[A-Za-z0-9_]{3}", t))


@check("fixup-of-earlier-patch", params={"min_lines": INT, "min_share": NUMBER, "min_chars": INT})
def fixup_of_earlier_patch(ctx):
    min_lines = int(ctx.params.get("min_lines", 3))
    min_share = float(ctx.params.get("min_share", 0.5))
    min_chars = int(ctx.params.get("min_chars", 6))
    # path -> {post-image line: (patch n that added it, text)}
    origins: dict[str, dict[int, tuple[int, str]]] = {}
    for p in ctx.series.patches:
        touched: dict[int, list[tuple[str, str]]] = {}  # earlier patch n -> [(path, removed text)]
        removed_total = 0
        for f in p.files:
            old = origins.pop(f.old_path or f.path, {}) if f.status != "added" else {}
            if f.status == "removed":
                for ln in (x for h in f.hunks for x in h.lines if x.kind == "-"):
                    if _meaningful(ln.text, min_chars):
                        removed_total += 1
                        if ln.old_line in old and old[ln.old_line][1] == ln.text:
                            touched.setdefault(old[ln.old_line][0], []).append((f.path, ln.text))
                continue
            new, consistent = _carry(old, f, p.n)
            for ln in (x for h in f.hunks for x in h.lines if x.kind == "-"):
                if not _meaningful(ln.text, min_chars):
                    continue
                removed_total += 1
                if consistent and ln.old_line in old and old[ln.old_line][1] == ln.text:
                    touched.setdefault(old[ln.old_line][0], []).append((f.path, ln.text))
            origins[f.path] = new
        if not touched:
            continue
        count = sum(len(v) for v in touched.values())
        if count < min_lines or count < min_share * removed_total:
            continue
        earlier_n = max(touched, key=lambda n: len(touched[n]))
        earlier = ctx.series.patch(earlier_n)
        examples = touched[earlier_n][:3]
        files = sorted({path for v in touched.values() for path, _ in v})
        yield ctx.finding(
            anchor="subject", patch=p, text=p.full_subject,
            quote=(f"Subject: {p.full_subject}", *(f"-{t}" for _, t in examples)),
            count=count, earlier=f"{earlier_n}/{ctx.series.expected}",
            earlier_subject=earlier.subject if earlier else "",
            files=", ".join(files[:3]) + (" ..." if len(files) > 3 else ""),
        )


def _replacing_lines(lines) -> set[int]:
    """Indexes of the '+' lines of a hunk that replace '-' lines of the same
    change block: code the series reworks, not code it brings.  A later patch
    reworking it again is the next step of a refactoring series (regmap, then
    the with_info API), not a fixup to fold back."""
    out: set[int] = set()
    block: list[int] = []
    removes = False
    for i, ln in enumerate([*lines, None]):
        if ln is None or ln.kind == " ":
            if removes:
                out.update(j for j in block if lines[j].kind == "+")
            block, removes = [], False
            continue
        block.append(i)
        removes = removes or ln.kind == "-"
    return out


def _carry(old: dict[int, tuple[int, str]], f, n: int) -> tuple[dict[int, tuple[int, str]], bool]:
    """Map the series-added lines of a file through one patch's hunks.

    Lines outside the hunks shift by the size changes of the hunks before
    them; lines in hunks map through context lines; '+' lines are new with
    origin ``n``.  Returns False as second value when a context line
    disagrees with what an earlier patch added (the diffs do not stack, e.g.
    the series was reordered), in which case the tracking is not trusted.
    """
    new: dict[int, tuple[int, str]] = {}
    consistent = True
    covered: set[int] = set()
    for h in f.hunks:
        replaced = _replacing_lines(h.lines)
        for i, ln in enumerate(h.lines):
            if ln.old_line is not None:
                covered.add(ln.old_line)
            if ln.kind == " " and ln.old_line in old:
                if old[ln.old_line][1] != ln.text:
                    consistent = False
                new[ln.new_line] = old[ln.old_line]
            elif ln.kind == "+" and ln.new_line is not None and i not in replaced:
                new[ln.new_line] = (n, ln.text)
    starts = sorted((h.old_start, h.old_length, h.new_start, h.new_length) for h in f.hunks)
    for line, origin in old.items():
        if line in covered:
            continue
        delta = 0
        for os_, ol, ns, nl in starts:
            if line >= os_ + ol and (ol or line > os_):
                delta = (ns + nl) - (os_ + ol)
        new[line + delta] = origin
    return new, consistent
