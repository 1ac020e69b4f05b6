"""DTS coding style on the lines a patch adds: names, unit addresses, property order.

A DTS patch usually shows a few hunks of a large file, so each hunk (or the
whole post-image, when it is known) is read with the DTS model
(``syntax.dts``, tree-sitter) as a fragment, and only lines the patch adds
are blamed.  The rules' patterns and lists live in their params so a
subsystem with other conventions can tune them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..artifacts.binding_facts import facts_from_text, ref_path
from ..classify import is_dts_path
from ..syntax.dts import DtsDocument, parse_dts_fragment
from ..syntax.source import CompatUse, Segment, SourceView, source_view
from . import check
from ..params import REGEX, TEXT, ListOf, MapOf


@dataclass(frozen=True)
class DtsSegment:
    """One contiguous piece of a DTS post-image, read as DTS."""

    doc: DtsDocument
    lines: tuple[int, ...]  # post-image line of each fragment line

    def line(self, rel: int) -> int | None:
        """Post-image line of a 1-based fragment line (None past the fragment's end)."""
        return self.lines[rel - 1] if 0 < rel <= len(self.lines) else None


def dts_views(ctx):
    for f in ctx.patch.files:
        if is_dts_path(f.path) and f.status != "removed":
            yield f, source_view(ctx, ctx.patch, f)


def dts_segments(ctx, path: str, view: SourceView) -> list[DtsSegment]:
    """The view's segments read as DTS, once per run and file."""

    def compute() -> list[DtsSegment]:
        return [_read(seg) for seg in view.segments]

    if ctx is None:
        return compute()
    return ctx.memo(f"dts_segments:{ctx.patch.message_id}:{ctx.patch.n}:{path}", compute)


def _read(seg: Segment) -> DtsSegment:
    return DtsSegment(parse_dts_fragment(seg.text), tuple(n for n, _ in seg.lines))


def dts_compatible_uses(view: SourceView, segments: list[DtsSegment] | None = None) -> list[CompatUse]:
    """Strings of ``compatible = ...;`` properties, each with the line it is on."""
    out: list[CompatUse] = []
    for seg in segments if segments is not None else [_read(s) for s in view.segments]:
        for _node, prop in seg.doc.properties():
            if prop.name != "compatible":
                continue
            for v in prop.values:
                line = seg.line(v.line)
                if v.kind == "string" and v.string is not None and line is not None:
                    out.append(CompatUse(v.string, line, view.text_of(line), "DTS compatible property"))
    return out


# -- names a binding fixes -----------------------------------------------------


def binding_fixes_name(ctx, start, *names: str) -> bool:
    """Whether the binding of ``start`` or of its nearest ancestor with a
    compatible names one of ``names`` in its ``properties`` or matches it
    with a ``patternProperties`` regex (regulator ``BUCK1``,
    ``simple-audio-card,cpu``, ``opp-peak-kBps``): such a name is the
    binding's ABI, not the DTS author's choice."""
    from .dts_schema import documenting, series_bindings

    node = start
    while node is not None and not node.compatibles():
        node = node.parent
    bindings = documenting(ctx, node.compatibles(), series_bindings(ctx)) if node is not None else {}
    for rel, text in bindings.items():
        plain, patterns = _binding_names(ctx, rel, text)
        if any(n in plain for n in names) or any(p.search(n) for p in patterns for n in names):
            return True
        facts = _binding_facts(ctx, rel, text)
        if facts is not None and any(facts.names_enumerated_value(n.split("@", 1)[0]) for n in names):
            return True  # a pin/group/function name the binding enumerates ('uart2_txd_pc2')
    plain, patterns = _tree_names(ctx)
    if any(n in plain for n in names) or any(p.search(n) for p in patterns for n in names):
        return True
    # a value some binding of the tree enumerates (a pin or group name under an
    # '&pinmux' reference, whose binding the fragment cannot name)
    enumerated = getattr(ctx.options.tree.index, "names", ()) if ctx.options.tree.available else ()
    return any(_names_value(n.split("@", 1)[0], enumerated) for n in names)


def _bindings_unknown(ctx, node) -> bool:
    """No binding could be read for ``node``: no kernel tree, and no binding of
    the series documents it or its nearest ancestor with a compatible."""
    if ctx.options.tree.available:
        return False
    from .dts_schema import documenting, series_bindings

    while node is not None and not node.compatibles():
        node = node.parent
    return node is None or not documenting(ctx, node.compatibles(), series_bindings(ctx))


def _names_value(base: str, values) -> bool:
    from ..artifacts.binding_facts import names_enumerated_value

    return names_enumerated_value(base, values)


def _binding_facts(ctx, rel: str, text: str):
    from ..artifacts.binding_facts import facts_from_text

    return ctx.memo(f"dts:binding-facts:{rel}:{hash(text)}", lambda: facts_from_text(rel, text))


_TREE_NAMES: dict[str, tuple[frozenset[str], tuple[re.Pattern, ...]]] = {}
_KEY = re.compile(r"""^[ \t]+(?:"([^"\n]+)"|'([^'\n]+)'|([^\s"'#:{}\[\],][^\s:]*))[ \t]*:(?:[ \t]|$)""", re.M)
_BROAD_PROBES = ("Zq_9", "x_Y", "QQ")


def _tree_names(ctx) -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """Every property/node name key of the tree's YAML bindings, and their
    name regexes (too broad ones dropped): with a tree, a name some binding
    defines is that binding's ABI even when the node's own binding is not
    known here (an ``&label`` node, a compatible the index maps to a .txt).
    A key scan, not a parse: it only ever keeps the rule quiet."""
    root = getattr(ctx.options, "tree_path", None)
    if not root:
        return frozenset(), ()
    from pathlib import Path

    from ..classify import BINDINGS_DIR

    base = Path(root) / BINDINGS_DIR
    key = str(base)
    if key not in _TREE_NAMES:
        plain: set[str] = set()
        regexes: set[str] = set()
        for path in base.rglob("*.yaml"):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            cut = text.find("\nexamples:")
            for m in _KEY.finditer(text if cut < 0 else text[:cut]):
                k = m.group(1) or m.group(2) or m.group(3)
                (regexes if any(ch in k for ch in "^$[(*\\") else plain).add(k)
        patterns = []
        for r in sorted(regexes):
            try:
                pat = re.compile(r)
            except re.error:
                continue
            if not any(pat.search(p) for p in _BROAD_PROBES):
                patterns.append(pat)
        _TREE_NAMES[key] = (frozenset(plain), tuple(patterns))
    return _TREE_NAMES[key]


def _binding_names(ctx, rel: str, text: str) -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """Keys of every ``properties`` and regexes of every ``patternProperties``
    in a binding and in the schemas it ``$ref``s (from the series or the tree)."""

    def compute():
        from .binding_tools import _tree_resolver
        from .dts_schema import series_bindings

        resolve = _tree_resolver(ctx)
        series = series_bindings(ctx)
        plain: set[str] = set()
        patterns: list[re.Pattern] = []
        todo, seen = [(rel, text)], set()
        while todo and len(seen) < 16:
            r, t = todo.pop()
            if r in seen:
                continue
            seen.add(r)
            facts = facts_from_text(r, t)
            if facts is None:
                continue
            plain |= facts.defined.names
            patterns.extend(facts.defined.patterns)
            for ref in facts.schema_refs:
                target = ref_path(r, ref)
                if target and target not in seen:
                    got = series.get(target) or (resolve(target) if resolve is not None else None)
                    if got is not None:
                        todo.append((target, got))
        return frozenset(plain), tuple(patterns)

    return ctx.memo(f"dts:binding-names:{rel}:{hash(text)}", compute)


# --------------------------------------------------------------------------


def _unit_problem(unit: str) -> str | None:
    for part in unit.split(","):
        if part.lower().startswith("0x"):
            return f'"{unit}" has a 0x prefix; unit addresses are plain hex'
        if not re.fullmatch(r"[0-9a-fA-F]+", part):
            return None  # bus-specific format: not ours to judge
        if part != part.lower():
            return f'"{unit}" uses upper-case hex; write it in lower case'
        if len(part) > 1 and part.startswith("0"):
            return f'"{unit}" is zero-padded; drop the leading zeros'
    return None


@check("dts-node-name", params={"node_name": REGEX, "property_name": REGEX, "allowed_properties": ListOf(TEXT)})
def dts_node_name(ctx):
    node_ok = re.compile(ctx.params.get("node_name", r"^[a-z0-9-]+$"))
    prop_ok = re.compile(ctx.params.get("property_name", r"^#?(?:[a-z0-9-]+,)?[a-z0-9-]+$"))
    allowed = set(ctx.params.get("allowed_properties", ["device_type"]))
    from .dts_mainline import names_in_tree

    for f, view in dts_views(ctx):
        bad_names: list[tuple[int, str, str]] = []
        for seg in dts_segments(ctx, f.path, view):
            for node in seg.doc.nodes():
                n = seg.line(node.line)
                if not view.is_added(n) or node.is_reference or node.name.startswith("/"):
                    continue  # the root, or a directive the grammar reads as a node ('/include/', '/dts-v1/')
                text = view.text_of(n)
                if not node.name.startswith("__") and not node_ok.match(node.name) \
                        and not binding_fixes_name(ctx, node.parent, node.name, node.full_name):
                    bad_names.append((n, text, node.name))
                if node.unit and (problem := _unit_problem(node.unit)):
                    yield ctx.finding(anchor="diff", path=f.path, line=n, text=text,
                                      what=f'unit address of "{node.full_name}"', problem=problem)
            for node, prop in seg.doc.properties():
                n = seg.line(prop.line)
                if not view.is_added(n) or prop.name in allowed or prop_ok.match(prop.name):
                    continue
                if prop.name.isupper():
                    continue  # a C macro used as a statement (EFUSE(54, 46);): cpp expands it
                if binding_fixes_name(ctx, node, prop.name, prop.name):
                    continue
                problem = "use only lower-case letters, digits and '-' (after an optional 'vendor,' prefix)"
                if _bindings_unknown(ctx, node):
                    # A DTS property's name is its binding's (dr_mode, bus_freq, opp-peak-kBps,
                    # VCC-supply are): with no binding to read, only ask.
                    yield ctx.finding(anchor="diff", path=f.path, line=n, text=view.text_of(n), severity="info",
                                      what=f'property name "{prop.name}"',
                                      problem=problem + ", unless its binding defines it so (no kernel tree or "
                                      "series binding to check)")
                    continue
                yield ctx.finding(anchor="diff", path=f.path, line=n, text=view.text_of(n),
                                  what=f'property name "{prop.name}"', problem=problem)
        # a name the tree's DTS files already use is the platform's naming
        # (pinctrl groups like 'mmc0_cd'), not one this patch brings
        usual = names_in_tree(ctx, f.path, {name for _, _, name in bad_names})
        for n, text, name in bad_names:
            if name not in usual:
                yield ctx.finding(anchor="diff", path=f.path, line=n, text=text, what=f'node name "{name}"',
                                  problem="use only lower-case letters, digits and '-'")


@check("dts-generic-node-name", params={"names": MapOf(TEXT), "generic": ListOf(TEXT)})
def dts_generic_node_name(ctx):
    names = {str(k): str(v) for k, v in dict(ctx.params.get("names", {})).items()}
    generic = set(ctx.params.get("generic", []))
    for f, view in dts_views(ctx):
        for seg in dts_segments(ctx, f.path, view):
            for node in seg.doc.nodes():
                n = seg.line(node.line)
                if not view.is_added(n) or node.is_reference or node.name == "/":
                    continue
                want = names.get(node.name)
                base = node.name.rstrip("0123456789")
                if want is None and node.unit is not None and base != node.name and base in generic:
                    want = base  # 'i2c0@...': the unit address already tells instances apart
                if want is None or binding_fixes_name(ctx, node.parent, node.name, node.full_name):
                    continue
                yield ctx.finding(anchor="diff", path=f.path, line=n, text=view.text_of(n), name=node.name,
                                  generic=want, node=node.full_name)


@check("dts-property-order", params={"first": ListOf(TEXT), "last": ListOf(TEXT)})
def dts_property_order(ctx):
    first = list(ctx.params.get("first", ["compatible", "reg"]))
    last = list(ctx.params.get("last", ["status"]))
    for f, view in dts_views(ctx):
        for seg in dts_segments(ctx, f.path, view):
            for root in seg.doc.roots:
                for node in root.walk():  # wrappers of a cut hunk too: their properties are real
                    if not node.synthetic and node.end_line == node.line:
                        continue  # a one-line node: nothing to order
                    props = [(p.name, ln) for p in node.properties if (ln := seg.line(p.line)) is not None]
                    yield from _order_findings(ctx, f.path, view, props, first, last)


def _added_line(view: SourceView, line: int, others: list[tuple[str, int]]) -> int | None:
    """``line`` if the patch adds it, else the first added line among the other properties."""
    return line if view.is_added(line) else next((ln for _, ln in others if view.is_added(ln)), None)


def _order_findings(ctx, path: str, view: SourceView, props: list[tuple[str, int]], first: list[str],
                    last: list[str]):
    names = [p for p, _ in props]
    for rank, want in enumerate(first):
        if want not in names:
            continue
        i = names.index(want)
        allowed = set(first[:rank])
        before = [(p, ln) for p, ln in props[:i] if p not in allowed]
        prev = [p for p in first[:rank] if p in names]
        if not before:
            continue
        line = _added_line(view, props[i][1], before)
        if line is None:
            continue
        yield ctx.finding(anchor="diff", path=path, line=line, text=view.text_of(line),
                          message=f'"{want}" should come {"right after " + prev[-1] if prev else "first"} '
                          f'in its node, before "{before[0][0]}" (order: {", ".join(first)}, other properties, '
                          f'{", ".join(last)} last).')
    for want in last:
        if want not in names:
            continue
        i = names.index(want)
        after = props[i + 1:]
        if not after:
            continue
        line = _added_line(view, props[i][1], after)
        if line is None:
            continue
        yield ctx.finding(anchor="diff", path=path, line=line, text=view.text_of(line),
                          message=f'"{want}" should be the last property of its node, but "{after[0][0]}" '
                          f"follows it.")
