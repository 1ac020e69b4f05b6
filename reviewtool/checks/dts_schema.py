"""dts/schema: DTS changes validated against their bindings (what dtbs_check says).

With ``--tree`` the changed file is built as dtc builds it: read from the
tree with the series applied (up to this patch), its ``.dtsi`` includes read
the same way, every node merged (``validators.dts_tree``).  Each node holding
a line the patch adds (a new node, or a property added to an existing one,
also through ``&label { ... }``) is validated whole, as merged, against the
binding of its nearest compatible (the series' own, else the tree's), and
only problems on lines the patch adds are reported: never a pre-existing
problem of an untouched node ("only new problems, please").

Without a tree only nodes the patch adds whole (every line from header to
``};`` added) can be validated, wrapped like a binding example, with their
parent's ``#address-cells``/``#size-cells`` when the hunk shows them (else
``reg``/``ranges`` are not judged); what could not be validated is said once
per series, in a status note.  References to labels outside the node are
unresolved phandles, as in an overlay.
"""

from __future__ import annotations

from typing import Iterator

from ..model import Finding
from . import check
from .binding_example_schema import header_readers
from .binding_tools import _plan, _tree_resolver
from ..classify import is_dts_path
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
    from .dts_mainline import pre_existing

    series = series_bindings(ctx)
    resolve = _tree_resolver(ctx)
    series_header, tree_header = header_readers(ctx)
    with_tree = ctx.options.tree.available
    for f, view in dts_views(ctx):
        if with_tree:
            found = _tree_findings(ctx, f, view, series, resolve, (series_header, tree_header))
            if found is not None:
                yield from found
                continue
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
                own = _own(schemas, bindings)
                if not own:
                    continue
                first, last = seg.line(node.line), seg.line(node.end_line)
                text = "\n".join(view.text_of(n) for n in range(first, last + 1))
                cells = _parent_cells(node)
                src, offset = _wrapped(text, cells, _fake_interrupt_cells(node, seg.doc.labels()))
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
                    subject = next((n for n in tree.nodes() if n.line == p.subject_line + offset), None) or node
                    if _undocumented_compatible(ctx, subject, p, series):
                        continue  # series/undocumented-compatible makes this point, once per compatible
                    if pre_existing(ctx, subject, p, f.path, _tree_is_base(ctx, f)):
                        continue  # mainline's DTS already fail the same way: not this patch's problem
                    yield ctx.finding(anchor="diff", path=f.path, line=line, text=view.text_of(line),
                                      node=subject.full_name, problem=p.message, hint=p.hint.replace("the example", "the node"))
    note = _series_note(ctx)
    if note is not None and note[0] is ctx.patch:
        yield note[1]


def _own(schemas, bindings: dict[str, str]) -> set[str]:
    return {i for i, s in schemas.bindings.items() if s.get("$filename", "").split("bindings/", 1)[-1] in bindings}


# -- with a tree: the whole DTS, built with the series applied ---------------------------

def series_file(ctx, path: str, upto=None) -> str | None:
    """``path`` in the tree with the series applied up to this patch (or ``upto``);
    None when absent or when a patch does not apply to the tree's version."""
    upto = upto if upto is not None else ctx.patch
    from ..artifacts.binding import apply_hunks

    def compute() -> str | None:
        text = ctx.options.tree.read_file(path)
        for patch in ctx.series.patches:
            for fc in patch.files:
                if fc.path != path and fc.old_path != path:
                    continue
                if fc.status == "removed":
                    text = None
                elif fc.status == "added":
                    text = fc.new_text()
                elif text is not None:
                    applied = apply_hunks(text, fc)
                    if applied is None and _shows_post_image(text, fc):
                        applied = text  # the tree has the change already (a b4 prep branch checked at its HEAD)
                    text = applied
            if patch is upto:
                break
        return text

    return ctx.memo(f"dts-schema:series-file:{upto.n}:{path}", compute)


def _tree_is_base(ctx, fc) -> bool:
    """Whether the tree's version of a changed file is its pre-image (the
    patch applies to it), so that its failures are old ones; not when the tree
    already holds the change (a b4 prep branch checked at its HEAD)."""
    if fc.status == "added":
        return True  # a file the tree already has is re-added: its old failures stay old
    from ..artifacts.binding import apply_hunks

    def compute() -> bool:
        text = ctx.options.tree.read_file(fc.path)
        return text is None or apply_hunks(text, fc) is not None or not _shows_post_image(text, fc)

    return ctx.memo(f"dts-schema:tree-is-base:{ctx.patch.n}:{fc.path}", compute)


def _shows_post_image(text: str, fc) -> bool:
    """Whether ``text`` holds every line of ``fc``'s post-image hunks at its line numbers."""
    lines = text.split("\n")
    for h in fc.hunks:
        for ln in h.lines:
            if ln.kind != "-" and (ln.new_line is None or ln.new_line > len(lines) or lines[ln.new_line - 1] != ln.text):
                return False
    return bool(fc.hunks)


def _tree_findings(ctx, f, view, series: dict[str, str], resolve, headers) -> list | None:
    """Findings of one DTS file built from the tree, or None when it cannot be built."""
    from ..syntax.dts import parse_dts
    from ..validators import dt_validate as dv
    from ..validators.dts_tree import build, cells_of, render
    from ..validators.dtschema_runner import DtSchemaUnavailable
    from .dts_mainline import pre_existing

    merged = ctx.memo(f"dts-schema:merged:{ctx.patch.n}:{f.path}",
                      lambda: build(f.path, lambda p: series_file(ctx, p)))
    post = series_file(ctx, f.path)
    if merged is None or post is None:
        return None
    lines = post.split("\n")
    added = view.added
    touched = _touched(merged, f.path, added)
    targets: dict = {}  # target node -> the nodes of its subtree to render
    for node in touched:
        target = next((n for n in [node, *node.ancestors()] if n.parent is not None and n.compatibles()), None)
        if target is not None and target not in targets:
            targets[target] = _under(touched, target)
    macros = ctx.memo(f"dts-schema:macros:{ctx.patch.n}:{f.path}", lambda: _file_macros(merged, headers))
    out = []
    seen: set[tuple[int, str]] = set()
    for target, keep in targets.items():
        if any(p.name.isupper() for n in [target, *keep] for p, _ in n.props.values()):
            continue  # a macro used as a statement (EFUSE(57, 23);): what it expands to is unknown
        bindings = documenting(ctx, target.compatibles(), series)
        if not bindings:
            continue
        key = tuple(sorted({**series, **bindings}))
        try:
            schemas = ctx.memo(f"dts-schema:schemas:{key}", lambda: dv.SchemaSet({**series, **bindings}, resolve))
        except (dv.NeedsSchemas, DtSchemaUnavailable):
            continue
        own = _own(schemas, bindings)
        if not own:
            continue
        rendered = render(target, keep=keep, providers=merged.root)
        cells = cells_of(target.parent) if target.parent is not None else None
        src, offset = _wrapped(rendered.text, cells, _fake_interrupt_cells(target, merged.labels()))
        doc = parse_dts(src)
        result = dv.validate(doc, schemas, macros, only_schemas=own, line_offset=offset)
        for p in result.problems:
            if cells is None and p.prop in _ADDRESS_PROPS:
                continue
            origin = rendered.origins[p.line - 1] if 1 <= p.line <= len(rendered.origins) else None
            if origin is None or origin[0] != f.path or origin[1] not in added or (origin[1], p.message) in seen:
                continue
            subject = _subject(merged, rendered, p) or target
            if _undocumented_compatible(ctx, subject, p, series):
                continue  # series/undocumented-compatible makes this point, once per compatible
            if pre_existing(ctx, subject, p, f.path, _tree_is_base(ctx, f)):
                continue  # mainline's DTS already fail the same way: not this patch's problem
            seen.add((origin[1], p.message))
            text = lines[origin[1] - 1] if origin[1] <= len(lines) else ""
            out.append(ctx.finding(anchor="diff", path=f.path, line=origin[1], text=text,
                                   node=_path_of(subject), problem=p.message,
                                   hint=p.hint.replace("the example", "the node")))
    return out


def _undocumented_compatible(ctx, node, problem, series: dict[str, str]) -> bool:
    """A failing ``compatible`` of which some entry no binding documents (of
    the series or, known only with one, the tree): the binding that judged
    the node documents another entry (the fallback), and the failure is that
    it does not list this one."""
    if problem.prop != "compatible" or not ctx.options.tree.available:
        return False  # without a tree an entry is not known undocumented (the series rule only notes it)
    return any(not documenting(ctx, [c], series) for c in node.compatibles())


def _file_macros(merged, headers) -> dict:
    """The macros of the built DTS: its headers', then the files' own ``#define``s (cpp order)."""
    from ..syntax.dts import DtsDocument
    from ..validators.dt_macros import macros_for
    from ..validators.dt_validate import macro_table

    doc = DtsDocument(includes=tuple(merged.includes), defines=tuple(merged.defines))
    return macro_table(doc, macros_for(doc, *headers)[0])


def _subject(merged, rendered, problem):
    """The merged node a problem is about (a child, when its parent's binding judged it)."""
    at = problem.subject_line
    origin = rendered.origins[at - 1] if 1 <= at <= len(rendered.origins) else None
    return merged.by_origin.get(origin) if origin is not None else None


def _touched(merged, path: str, added) -> list:
    """Merged nodes holding a line of ``path`` the patch adds (a node header or a property)."""
    out = []
    for node in merged.root.walk():
        hit = False
        for p, where in node.props.values():
            if where == path and any(line in added for line in range(p.line, p.end_line + 1)):
                hit = True
                break
        if hit and node not in out:
            out.append(node)
    for (where, line), node in merged.by_origin.items():
        if where == path and line in added and node not in out:
            out.append(node)
    return out


def _under(touched: list, target) -> set:
    """The touched nodes of ``target``'s subtree (``render`` adds their
    ancestors; an untouched child has nothing new to judge)."""
    return {n for n in touched if n is target or target in n.ancestors()}


def _path_of(node) -> str:
    names = [n.name for n in [node, *node.ancestors()] if n.parent is not None]
    return "/" + "/".join(reversed(names))


# -- without a tree: one note per series on what could not be validated -------------------

def _series_note(ctx):
    """(first patch concerned, status note) listing the DTS changes no node-level
    validation covered, or None when every change was validated.  With a tree:
    the DTS files a patch changes that could not be built from it (the patch
    does not apply to the tree's version)."""
    if ctx.options.tree.available:
        return ctx.memo("dts-schema:series-note", lambda: _tree_note(ctx))
    from ..syntax.source import source_view
    from .dts import dts_segments

    def compute():
        series = series_bindings(ctx)
        first = None
        where: list[str] = []
        for patch in ctx.series.patches:
            for fc in patch.files:
                if not is_dts_path(fc.path) or fc.status == "removed":
                    continue
                view = source_view(None, patch, fc)
                covered: set[int] = set()
                for seg in dts_segments(None, fc.path, view):
                    for node in _added_nodes(seg, view):
                        if documenting(ctx, node.compatibles(), series):
                            covered.update(range(seg.line(node.line), seg.line(node.end_line) + 1))
                left = sorted(_statement_lines(view) - covered)
                if left:
                    first = first or (patch, fc.path, left[0], view.text_of(left[0]))
                    where.append(f"{fc.path} ({_ranges(left)})")
        if first is None:
            return None
        patch, path, line, text = first
        message = ("Without a kernel tree these DTS changes could not be validated against their "
                   f"bindings: {'; '.join(where)}. Run with --tree <kernel checkout> to build each DTS with the "
                   "series applied and validate the changed nodes as dtbs_check would.")
        return patch, ctx.finding(anchor="diff", patch=patch, path=path, line=line, text=text, severity="info",
                                  message=message, status_note=True)

    return ctx.memo("dts-schema:series-note", compute)


def _tree_note(ctx):
    first = None
    where: list[str] = []
    for patch in ctx.series.patches:
        for fc in patch.files:
            if not is_dts_path(fc.path) or fc.status == "removed" or not fc.added_lines():
                continue
            if series_file(ctx, fc.path, upto=patch) is None:
                line = next((ln.new_line for ln in fc.added_lines() if ln.new_line is not None), None)
                first = first or (patch, fc, line)
                where.append(f"{fc.path} (patch {patch.n})")
    if first is None:
        return None
    patch, fc, line = first
    line_of = fc.line_at(line) if line is not None else None
    message = (f"These DTS changes do not apply to {ctx.options.tree.label}, so the DTS could not be built from it "
               f"and only nodes a patch adds whole were validated: {'; '.join(where)}. Use the tree the series is "
               "based on to validate the rest as dtbs_check would.")
    return patch, ctx.finding(anchor="diff", patch=patch, path=fc.path, line=line,
                              text=line_of.text if line_of is not None else None, severity="info", message=message,
                              status_note=True)


def _statement_lines(view) -> set[int]:
    """Added lines holding a property or a node header (not blanks, comments, includes)."""
    from .dts import dts_segments

    out: set[int] = set()
    for seg in dts_segments(None, view.path, view):
        for node in (n for root in seg.doc.roots for n in root.walk()):  # synthetic wrappers too
            line = None if node.synthetic else seg.line(node.line)
            if view.is_added(line):
                out.add(line)
            for p in node.properties:
                for n in range(p.line, p.end_line + 1):
                    ln = seg.line(n)
                    if view.is_added(ln):
                        out.add(ln)
    return out


def _ranges(lines: list[int]) -> str:
    """``line 3`` / ``lines 3-4, 9``."""
    parts = []
    start = prev = lines[0]
    for n in lines[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(parts)


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
    from ..validators.dts_tree import cells_of  # reads only .prop(): a DTS model node will do

    parent = node.parent
    if parent is None or parent.synthetic:
        return None
    return cells_of(parent)


def _fake_interrupt_cells(node, labels) -> int:
    """``#interrupt-cells`` for the wrapper's stand-in interrupt parent: the
    node's real interrupt parent's when the model knows it, else the cell
    count of the first interrupt the node (or a descendant) lists, as
    dt-extract-example guesses for an example (also when it spans lines)."""
    from ..validators.dts_tree import interrupt_parent

    parent = interrupt_parent(node, labels)
    held = parent.prop("#interrupt-cells") if parent is not None else None
    groups = held.cells() if held is not None else []
    if groups and len(groups[0]) == 1 and groups[0][0].value:
        return groups[0][0].value
    for n in node.walk():
        p = n.prop("interrupts")
        groups = p.cells() if p is not None else []
        if groups and groups[0]:
            return len(groups[0])
    return 0


def _wrapped(text: str, cells: tuple[int, int] | None, int_cells: int) -> tuple[str, int]:
    ac, sc = cells or (1, 1)
    from ..validators.dt_validate import example_source

    src, offset = example_source(text, 0, int_cells)
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
