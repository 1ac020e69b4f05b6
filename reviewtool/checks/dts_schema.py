"""dts/schema: nodes a DTS patch adds, validated against their bindings (what dtbs_check says).

Each node the patch adds whole (every line from its header to its ``};`` is
added) that carries a compatible is validated with dtschema's own validator
(``validators.dt_validate``) against the binding documenting it: one the
series adds or changes, or with ``--tree`` the tree's.  Only added nodes are
validated, so a problem in a node the patch does not touch is never
reported ("only new problems, please").  The node is wrapped like a binding
example; its parent's ``#address-cells``/``#size-cells`` are used when the
hunk shows them, else ``reg``/``ranges`` are not judged.  References to
labels outside the node are unresolved phandles, as in an overlay.

Not yet validated: properties added to a node the patch does not add whole
(that needs the whole DTS built from the tree with the series applied).
"""

from __future__ import annotations

from typing import Iterator

from ..model import Finding
from . import check
from .binding_example_schema import header_readers
from .binding_tools import _plan, _tree_resolver
from .dts import dts_segments, dts_views

_ADDRESS_PROPS = {"reg", "ranges", "dma-ranges"}


def series_bindings(ctx) -> dict[str, str]:
    """rel path -> text of every binding the series leaves complete (latest version)."""
    plan = _plan(ctx)
    return {t.doc.rel_path: t.doc.text for t in plan.targets if t.doc.data is not None}


def documenting(ctx, compatibles: list[str], series: dict[str, str]) -> dict[str, str]:
    """Bindings (rel -> text) documenting one of ``compatibles``: the series' own, else the tree's."""
    from ..tree import binding_compatibles

    def compute():
        index = {}
        for rel, text in series.items():
            try:
                found, _patterns = binding_compatibles(rel, text)
            except Exception:
                continue
            for c in found:
                index.setdefault(c, rel)
        return index

    index = ctx.memo("dts-schema:series-compatibles", compute)
    out: dict[str, str] = {}
    for c in compatibles:
        if c in index:
            out[index[c]] = series[index[c]]
    if out:
        return out
    tree = ctx.options.tree
    if tree.available:
        for c in compatibles:
            try:
                path = tree.documents(c)
            except Exception:
                path = None
            if path and path.startswith("Documentation/devicetree/bindings/") and path.endswith(".yaml"):
                text = tree.read_file(path)
                if text is not None:
                    out[path[len("Documentation/devicetree/bindings/"):]] = text
                    break
    return out


@check("dts-schema")
def dts_schema(ctx) -> Iterator[Finding]:
    from ..syntax.dts import parse_dts
    from ..validators import dt_validate as dv
    from ..validators.dt_macros import macros_for
    from ..validators.dtschema_runner import DtSchemaUnavailable

    series = series_bindings(ctx)
    resolve = _tree_resolver(ctx)
    series_header, tree_header = header_readers(ctx)
    for f, view in dts_views(ctx):
        for seg in dts_segments(ctx, f.path, view):
            for node in _added_nodes(seg, view):
                compatibles = node.compatibles()
                bindings = documenting(ctx, compatibles, series)
                if not bindings:
                    continue
                try:
                    schemas = dv.SchemaSet({**series, **bindings}, resolve)
                except (dv.NeedsSchemas, DtSchemaUnavailable):
                    continue
                own = {i for i, s in schemas.bindings.items()
                       if s.get("$filename", "").split("bindings/", 1)[-1] in bindings}
                if not own:
                    continue
                first, last = seg.line(node.line), seg.line(node.end_line)
                text = "\n".join(view.text_of(n) for n in range(first, last + 1))
                cells = _parent_cells(node)
                src, offset = _wrapped(text, cells)
                tree = parse_dts(src)
                macros, _complete = macros_for(_with_file_includes(tree, seg, view.complete), series_header,
                                               tree_header)
                result = dv.validate(tree, schemas, macros, only_schemas=own, line_offset=offset)
                for p in result.problems:
                    if cells is None and p.prop in _ADDRESS_PROPS:
                        continue
                    line = first + p.line - 1
                    if not view.is_added(line):
                        continue
                    yield ctx.finding(anchor="diff", path=f.path, line=line, text=view.text_of(line),
                                      node=node.full_name, problem=p.message, hint=p.hint)


def _added_nodes(seg, view):
    """Outermost nodes of the fragment whose every line the patch adds."""
    out = []
    for node in seg.doc.nodes():
        if node.is_reference or node.end_line is None or node.name == "/":
            continue
        first, last = seg.line(node.line), seg.line(node.end_line)
        if first is None or last is None or not all(view.is_added(n) for n in range(first, last + 1)):
            continue
        if any(a in out for a in node.ancestors()):
            continue
        if node.compatibles() and not _unreadable(node, seg.doc):
            out.append(node)
    return out


def _unreadable(node, doc) -> bool:
    """Parts the model could not read, or a macro invoked as a statement
    (``EFUSE(57, 23);`` expands to properties or nodes we cannot see)."""
    end = node.end_line or node.line
    if any(node.line <= line <= end for line, _ in doc.problems):
        return True
    return any(p.name.isupper() for n in node.walk() for p in n.properties)


def _parent_cells(node) -> tuple[int, int] | None:
    parent = node.parent
    if parent is None or parent.synthetic:
        return None
    vals = []
    for name in ("#address-cells", "#size-cells"):
        p = parent.prop(name)
        cells = p.cells() if p is not None else []
        if not cells or len(cells[0]) != 1 or cells[0][0].value is None:
            return None
        vals.append(cells[0][0].value)
    return vals[0], vals[1]


def _wrapped(text: str, cells: tuple[int, int] | None) -> tuple[str, int]:
    ac, sc = cells or (1, 1)
    from ..validators.dt_validate import example_source

    src, offset = example_source(text, 0)
    if offset:
        src = src.replace("example-0 { #address-cells = <1>; #size-cells = <1>;",
                          f"example-0 {{ #address-cells = <{ac}>; #size-cells = <{sc}>;", 1)
    return src, offset


def _with_file_includes(tree, seg, complete: bool):
    """The wrapped node's document with the file's #includes (macros come from them).

    A hunk seldom shows the includes at the top of the file; then the
    universal headers stand in (their constants mean the same everywhere)."""
    from dataclasses import replace

    from ..syntax.dts import Include
    from ..validators.dt_macros import UNIVERSAL

    includes = tuple(tree.includes) + tuple(seg.doc.includes)
    if not complete:
        includes += tuple(Include(0, path, True) for path in UNIVERSAL)
    return replace(tree, includes=includes)
