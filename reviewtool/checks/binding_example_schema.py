"""binding/example-schema: each example validated against its binding, like the DT bot.

``make dt_binding_check`` turns every example into a devicetree and runs
dt-validate on it; its failures are the first thing Rob Herring's bot mails
back.  We build the same devicetree from the DTS model and validate it with
dtschema's own validator (``validators.dt_validate``) against the binding's
post-image, the series' other bindings and the core schemas (with a tree,
the tree's schemas its ``$ref``s name).  Each error is anchored on the
example line it is about: the property, or the node for a missing required
property.

A binding that fails dt-schema's meta-schema is not used (dt_binding_check
ignores it too; binding/dt-schema reports why), nor one whose ``$ref``s
need the kernel's schemas when no tree is given (binding/dt-schema's series
note asks for ``--tree``).  A macro whose value is unknown is named once,
at info level, never guessed.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..artifacts.binding_facts import doc_facts
from ..artifacts.schema_facts import binding_examples
from ..classify import BINDINGS_DIR
from ..model import Finding
from . import check
from ._schema_common import findings_only
from .binding_tools import _mine, _others, _plan, _tree_base, _tree_resolver
from ._util import added_finding

DT_BINDINGS = "include/dt-bindings/"


def series_headers(ctx) -> dict[str, str]:
    """``dt-bindings/...`` headers the series adds or changes (complete post-images only)."""

    def compute() -> dict[str, str]:
        from ..syntax.source import source_view

        out: dict[str, str] = {}
        for patch in ctx.series.patches:
            for f in patch.files:
                if not f.path.startswith(DT_BINDINGS) or f.status == "removed":
                    continue
                view = source_view(ctx, patch, f)
                if view.complete and view.segments:
                    out[f.path[len("include/"):]] = view.segments[0].text
        return out

    return ctx.memo("dt-validate:series-headers", compute)


def header_readers(ctx):
    series = series_headers(ctx)
    tree_header = None
    if _tree_resolver(ctx) is not None:
        def tree_header(path: str) -> str | None:
            return _tree_base(ctx, "include/" + path)
    return series.get, tree_header


@check("binding-example-schema")
@findings_only
def binding_example_schema(ctx) -> Iterator[Finding]:
    from ..validators.dtschema_runner import DtSchemaUnavailable

    plan = _plan(ctx)
    resolve = _tree_resolver(ctx)
    series_header, tree_header = header_readers(ctx)
    for target in _mine(ctx, plan):
        doc = target.doc
        if doc.error is not None or doc.data is None or _fails_meta_schema(ctx, plan, target):
            continue  # dt_binding_check ignores a schema that fails the meta-schema; dt-schema reports it
        blocks = binding_examples(ctx, doc)
        if not blocks:
            continue
        try:
            outcome = _outcome(doc, _others(plan, target), blocks, resolve, series_headers(ctx), tree_header)
        except DtSchemaUnavailable as exc:
            yield _note(ctx, doc, blocks[0].dash_line, f"The examples were not validated: dt-schema could not "
                        f"run here ({exc}).")
            continue
        for line, fields in outcome:
            if "message" in fields:
                yield _note(ctx, doc, line, fields["message"])
            elif (defined := _unexpected_yet_defined(doc, fields.get("problem", ""))):
                names = ", ".join(f"'{n}'" for n in defined)
                hint = (f"the binding defines {names} (in a branch or child schema this example may meet): "
                        "confirm with 'make dt_binding_check' before changing it")
                yield added_finding(ctx, doc, line, severity="info", **{**fields, "hint": hint})
            else:
                yield added_finding(ctx, doc, line, **fields)


_UNEXPECTED = re.compile(r"(?:Unevaluated|Additional) properties are not allowed \((.*?) (?:was|were) unexpected\)")


def _unexpected_yet_defined(doc, problem: str) -> list[str]:
    """The properties a problem calls unexpected when the binding itself
    defines every one of them (BindingFacts: branches and child schemas
    included): our validation then misread a condition, as on 6.12's
    marvell,xenon-sdhci.yaml 'marvell,pad-type' under its if/then, which
    dt_binding_check accepts.  [] when the problem is another, or any name
    is really undefined (the error stands)."""
    m = _UNEXPECTED.search(problem)
    if m is None:
        return []
    names = re.findall(r"'([^']+)'", m.group(1))
    defined = doc_facts(doc).defined
    return names if names and all(defined.defines(n) for n in names) else []


def _outcome(doc, others: dict[str, str], blocks, resolve, headers: dict[str, str],
             tree_header) -> list[tuple[int, dict[str, str]]]:
    """The example findings of one binding as (post-image line, fields) pairs; a
    ``message`` field marks the info note.  Reused from an earlier run on the
    same binding, other bindings and headers, with the same tree reads
    (``reviewtool.resultcache``: dtschema's import and the validation are most
    of a one-patch hook run)."""
    from ..resultcache import cached

    inputs = [doc.rel_path, doc.text, *(x for rel in sorted(others) for x in (rel, others[rel])),
              "headers", *(x for h in sorted(headers) for x in (h, headers[h]))]
    return cached("example-schema", inputs,
                  lambda readers: _validate_examples(doc, others, blocks, readers["resolve"], headers.get,
                                                     readers["tree_header"]),
                  readers={"resolve": resolve, "tree_header": tree_header},
                  encode=lambda items: [[line, fields] for line, fields in items], decode=_decode_outcome)


def _decode_outcome(rows: list) -> list[tuple[int, dict[str, str]]]:
    out = []
    for line, fields in rows:
        if not (type(line) is int and isinstance(fields, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())):
            raise ValueError("not an example-schema result")
        out.append((line, fields))
    return out


def _validate_examples(doc, others: dict[str, str], blocks, resolve, series_header,
                       tree_header) -> list[tuple[int, dict[str, str]]]:
    from ..syntax.dts import DtsDocument, parse_dts
    from ..validators import dt_validate as dv
    from ..validators.dt_macros import macros_for

    out: list[tuple[int, dict[str, str]]] = []
    bindings = {doc.rel_path: doc.text, **others}
    try:
        schemas = dv.SchemaSet(bindings, resolve)
    except dv.NeedsSchemas:
        # $refs to kernel schemas without a tree: binding/dt-schema's series
        # note already asks for --tree; a guessed verdict would be worse.
        return out
    own = _own_ids(doc, schemas)
    if not own:
        return out  # dtschema ignores this binding (meta-schema errors: binding/dt-schema says why)
    unknown: dict[str, int] = {}
    # dt-extract-example writes every example into one file for cpp: an
    # example sees the includes and #defines of the examples before it.
    earlier_includes: tuple = ()
    earlier_defines: tuple = ()
    for block in blocks:
        src, offset = dv.example_source("\n".join(block.lines), block.index)
        tree = parse_dts(src)
        seen_by_cpp = DtsDocument(includes=earlier_includes + tree.includes,
                                  defines=earlier_defines + tree.defines)
        earlier_includes, earlier_defines = seen_by_cpp.includes, seen_by_cpp.defines
        macros, complete = macros_for(seen_by_cpp, series_header, tree_header)
        macros = dv.macro_table(DtsDocument(defines=seen_by_cpp.defines[:len(seen_by_cpp.defines)
                                                                          - len(tree.defines)]), macros)
        result = dv.validate(tree, schemas, macros, only_schemas=own | _core_ids(schemas),
                             line_offset=offset)
        for p in result.problems:
            rel = p.line if 0 < p.line <= len(block.lines) else 1
            out.append((block.post_line(rel), {"problem": p.message, "node": p.node, "hint": p.hint}))
        for m, rel in result.unknown_macros:
            line = block.post_line(rel if 0 < rel <= len(block.lines) else 1)
            # cpp's view: a name any #define so far makes (an empty one too, as
            # arasan,sdhci.yaml's '#define LGM_CLK_NGI'); a call of a defined
            # function-like macro whose arguments we do not read ('A' in
            # STM32_PINMUX('A', 9, AF7)) is defined, its value unknown
            name = m.split("(", 1)[0].strip()
            if complete and not _looks_like_value(m) and name not in macros and \
                    all(d.name != name for d in seen_by_cpp.defines):
                includes = ", ".join(f"<{i.path}>" for i in seen_by_cpp.includes) or "no header"
                out.append((line, {"node": f"example {block.index}",
                                   "problem": f"'{m}' is not defined (the example includes {includes}); cpp "
                                              "leaves it as it is and dtc fails with a syntax error",
                                   "hint": f"#include the dt-bindings header that defines {m}, or write "
                                           "the value"}))
            else:
                unknown.setdefault(m, line)
    if unknown:
        names = sorted(unknown)
        out.append((unknown[names[0]], {"message": (
            f"The examples use {_names(names)}, whose value is not known here (no header of the "
            "series defines it, no --tree, and it is not one of the universal constants): the "
            "properties using it were not validated.")}))
    return out


def _fails_meta_schema(ctx, plan, target) -> bool:
    from .binding_tools import _dtschema

    return any(p.kind in ("parse", "meta-schema", "crash") for p in _dtschema(ctx, plan, target).problems)


def _looks_like_value(name: str) -> bool:
    return not name or not (name[0].isalpha() or name[0] == "_")


def _own_ids(doc, schemas) -> set[str]:
    want = f"{BINDINGS_DIR}{doc.rel_path}"
    return {i for i, s in schemas.bindings.items() if s.get("$filename") == want}


def _core_ids(schemas) -> set[str]:
    from ..validators.dt_validate import core_schemas

    return {k.rstrip("#") for k in core_schemas()}


def _names(items: list[str]) -> str:
    return ", ".join(items[:6]) + (f" and {len(items) - 6} more" if len(items) > 6 else "")


def _note(ctx, doc, line: int, message: str) -> Any:
    f = added_finding(ctx, doc, line, severity="info", message=message, problem="", node="", hint="")
    if f is None:
        f = added_finding(ctx, doc, doc.first_added_line(), severity="info", message=message, problem="",
                          node="", hint="")
    return f
