"""binding/dt-schema and binding/yamllint: the kernel's own binding tools, offline.

Each new or changed binding's post-image is validated the way
``make dt_binding_check`` would (dt-doc-validate's meta-schema check and
the bindings' yamllint settings) and every problem is anchored to its line.
For a modified file only the problems the patch introduces are reported
(the pre-image is checked too and its problems are subtracted).

What cannot be checked is said once per series, at info level: ``$ref``s to
the kernel's own schemas when no kernel tree is given, modified files whose
base is unknown, or dtschema missing from this installation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..artifacts.binding import BindingDoc, binding_docs, build_doc
from ..classify import BINDINGS_DIR
from ..model import Finding, Patch
from . import check
from ..params import INT

DT_SCHEMA_RULE = "binding/dt-schema"


@dataclass
class _Target:
    """One binding post-image to check, and what it needs for that."""

    index: int  # position of its patch in the series
    patch: Patch
    doc: BindingDoc
    base: str | None = None  # pre-image, for modified files


@dataclass
class _Skipped:
    patch: Patch
    doc: BindingDoc
    reason: str


@dataclass
class _Plan:
    targets: list[_Target] = field(default_factory=list)
    skipped: list[_Skipped] = field(default_factory=list)


# -- which files, with which text ----------------------------------------------

def _plan(ctx) -> _Plan:
    """Every binding of the series with a complete post-image, in patch order.

    A file changed by an earlier patch of the series is rebuilt from that
    patch's post-image; otherwise from the kernel tree when one is known.
    """

    def compute() -> _Plan:
        plan = _Plan()
        latest: dict[str, str] = {}
        for index, patch in enumerate(ctx.series.patches):
            for doc in binding_docs(ctx, patch):
                base = None
                if doc.status != "added" and doc.file is not None:
                    old = doc.file.old_path or doc.path
                    earlier = latest.get(old)
                    if earlier is not None:  # the series' own earlier version wins over the tree's
                        base, doc = earlier, build_doc(doc.file, earlier)
                    else:
                        base = _tree_base(ctx, old)
                        if not doc.complete and base is not None:
                            doc = build_doc(doc.file, base)
                if not doc.complete:
                    plan.skipped.append(_Skipped(patch, doc, "it is modified and its current content is unknown"))
                    continue
                plan.targets.append(_Target(index, patch, doc, base))
                if doc.file is not None and doc.file.old_path and doc.file.old_path != doc.path:
                    latest.pop(doc.file.old_path, None)
                latest[doc.path] = doc.text
        return plan

    return ctx.memo("binding-tools:plan", compute)


def _tree_base(ctx, path: str) -> str | None:
    """A file of the kernel tree at the series' base commit (None without a tree)."""
    return ctx.options.tree.read_file(path)


def _tree_resolver(ctx):
    """``rel -> text`` for bindings/<rel> in the kernel tree; None without a tree."""
    if not ctx.options.tree.available:
        return None
    return lambda rel: _tree_base(ctx, BINDINGS_DIR + rel)


def _tree_label(ctx) -> str:
    return ctx.options.tree.label if ctx.options.tree.available else "the kernel tree"


def _mine(ctx, plan: _Plan) -> list[_Target]:
    return [t for t in plan.targets if t.patch is ctx.patch]


def _others(plan: _Plan, target: _Target) -> dict[str, str]:
    """The series' other bindings as they stand once the target's patch is applied."""
    out: dict[str, str] = {}
    for t in plan.targets:
        if t.index > target.index:
            break
        if t.doc.data is not None:
            out[t.doc.rel_path] = t.doc.text
    out.pop(target.doc.rel_path, None)
    return out


# -- anchoring ---------------------------------------------------------------------

def _anchored(ctx, doc: BindingDoc, line: int | None, severity: str | None = None,
              message: str | None = None, **fields: Any) -> Finding:
    """A finding on ``line`` if the patch added it, else on the first added line
    with the line number in the message (never blame a context line)."""
    if line is not None and doc.is_added(line):
        at, where = line, ""
    else:
        at = doc.first_added_line()
        where = f" (line {line} of the file)" if line is not None else ""
    if message is not None:
        message = message + where
    return ctx.finding(anchor="diff", path=doc.path, line=at, text=doc.text_at(at) if at else None,
                       message=message, severity=severity, where=where, **fields)


def _capped(ctx, doc: BindingDoc, findings: Iterable[Finding]) -> Iterator[Finding]:
    """At most ``params.max_per_file`` findings per file, then one summary."""
    limit = int(ctx.params.get("max_per_file", 0) or 0)
    items = list(findings)
    if limit <= 0 or len(items) <= limit:
        yield from items
        return
    yield from items[:limit]
    rest = len(items) - limit
    yield _anchored(ctx, doc, None, message=f"... and {rest} more {ctx.rule.id} problem(s) in this file; "
                    "run the tool on the file to see them all.")


def _new_only(items: list, before: list, key) -> list:
    """Items whose key the pre-image did not already have (a multiset difference)."""
    seen = Counter(key(b) for b in before)
    out = []
    for item in items:
        k = key(item)
        if seen[k] > 0:
            seen[k] -= 1
            continue
        out.append(item)
    return out


# -- dt-schema -----------------------------------------------------------------------

@dataclass
class _Outcome:
    problems: list = field(default_factory=list)
    unresolved: list = field(default_factory=list)
    unavailable: str | None = None


def _dtschema(ctx, plan: _Plan, target: _Target) -> _Outcome:
    key = f"binding-tools:dtschema:{target.index}:{target.doc.path}"

    def compute() -> _Outcome:
        from ..validators import dtschema_runner as runner

        if target.doc.error is not None:
            return _Outcome()  # reported from the parse error; dtschema would only repeat it
        resolve = _tree_resolver(ctx)
        others = _others(plan, target)
        try:
            after = runner.validate(target.doc.rel_path, target.doc.text, others=others, resolve=resolve,
                                    data=target.doc.data)
            before = None
            if target.base is not None:
                old_rel = (target.doc.file.old_path or target.doc.path) if target.doc.file else target.doc.path
                old_rel = old_rel[len(BINDINGS_DIR):] if old_rel.startswith(BINDINGS_DIR) else old_rel
                before = runner.validate(old_rel, target.base, others=others, resolve=resolve)
        except runner.DtSchemaUnavailable as exc:
            return _Outcome(unavailable=str(exc))
        problems = list(after.problems)
        unresolved = list(after.unresolved)
        if before is not None:
            problems = _new_only(problems, list(before.problems), lambda p: p.key)
            unresolved = _new_only(unresolved, list(before.unresolved), lambda u: u.ref)
        return _Outcome(problems=problems, unresolved=unresolved)

    return ctx.memo(key, compute)


@check("binding-dt-schema", params={"max_per_file": INT})
def binding_dt_schema(ctx) -> Iterator[Finding]:
    plan = _plan(ctx)
    tree = _tree_resolver(ctx)
    for target in _mine(ctx, plan):
        doc = target.doc
        if doc.error is not None:
            e = doc.error
            # "unexpected end of stream" points past the last line; the last line is what to fix
            last = len(doc.text.rstrip("\n").split("\n"))
            yield _anchored(ctx, doc, min(e.line, last), problem=f"not valid YAML: {e.message} (line {e.line}, column "
                            f"{e.column}); dt-schema cannot read the file")
            continue
        outcome = _dtschema(ctx, plan, target)
        problems = outcome.problems
        if "binding/closed-schema" in ctx.active:
            problems = [p for p in problems if not _top_level_open(p.message)]
        yield from _capped(ctx, doc, (_anchored(ctx, doc, p.line, problem=p.message) for p in problems))
        if tree is not None:
            for u in outcome.unresolved:
                yield _anchored(ctx, doc, u.line, problem=f"$ref {u.ref}: there is no {u.target} in "
                                f"{_tree_label(ctx)}, nor added by this or an earlier patch of the series")
    note = _series_note(ctx, plan, tree)
    if note is not None and note[0] is ctx.patch:
        yield note[1]


def _top_level_open(message: str) -> bool:
    """dt-schema's complaint that the top level has neither additionalProperties nor
    unevaluatedProperties (no path before it): binding/closed-schema reports that,
    on the line where the keyword goes, so it is not repeated here."""
    return (message.startswith("'unevaluatedProperties' is a required property")
            and "additionalProperties" in message)


def _series_note(ctx, plan: _Plan, tree) -> tuple[Patch, Finding] | None:
    """One info finding per series listing what could not be verified, on the
    first patch concerned."""

    def compute():
        parts: list[str] = []
        first: tuple[_Target | _Skipped, int | None] | None = None
        unavailable = None
        refs: list[str] = []
        for target in plan.targets:
            outcome = _dtschema(ctx, plan, target)
            if outcome.unavailable:
                unavailable = unavailable or outcome.unavailable
                first = first or (target, None)
            if tree is None:
                for u in outcome.unresolved:
                    where = f"{target.doc.rel_path} line {u.line}" if u.line else target.doc.rel_path
                    refs.append(f"{u.target} ({where})")
                    first = first or (target, u.line)
        for s in plan.skipped:
            first = first or (s, None)
        if first is None:
            return None
        if unavailable:
            parts.append(f"dt-schema could not run here ({unavailable}), so the bindings' meta-schema "
                         "validation was skipped.")
        if refs:
            parts.append(f"Without a kernel tree these $ref targets could not be verified: {', '.join(refs)}. "
                         "They are presumably the kernel's own schemas, which dtschema does not ship, so this is "
                         "not a problem in the patch; run with --tree <kernel checkout> to check them.")
        if plan.skipped:
            # each file once, however many patches of the series change it
            names = ", ".join(dict.fromkeys(f"{s.doc.rel_path} ({s.reason})" for s in plan.skipped))
            parts.append(f"dt-schema and yamllint did not run on {names}; run with --tree <kernel checkout> "
                         "to check the whole post-image.")
        item, line = first
        return item.patch, _anchored(ctx, item.doc, line, severity="info", message=" ".join(parts),
                                     patch=item.patch, status_note=True)

    return ctx.memo("binding-tools:series-note", compute)


# -- yamllint --------------------------------------------------------------------------

@check("binding-yamllint", params={"max_per_file": INT})
def binding_yamllint(ctx) -> Iterator[Finding]:
    plan = _plan(ctx)
    mine = _mine(ctx, plan)
    if not mine:
        return
    try:
        from ..validators.yamllint_runner import lint
    except ImportError as exc:  # pragma: no cover - yamllint is a hard dependency
        yield _anchored(ctx, mine[0].doc, None, severity="info", message=f"yamllint could not run here ({exc}).")
        return
    # A file that does not parse is reported by binding/dt-schema, as an error.
    skip_syntax = DT_SCHEMA_RULE in ctx.active  # dt-schema reports syntax errors itself
    for target in mine:
        doc = target.doc
        problems = lint(doc.text, doc.path)
        if target.base is not None:
            old = target.base.split("\n")
            new = doc.lines

            def key_in(lines):
                return lambda p: (p.rule, p.message, lines[p.line - 1].strip() if 0 < p.line <= len(lines) else "")

            before = [(p, key_in(old)(p)) for p in lint(target.base, doc.path)]
            keyed = [(p, key_in(new)(p)) for p in problems]
            problems = [p for p, _ in _new_only(keyed, before, lambda pk: pk[1])]
        found = (
            _anchored(ctx, doc, p.line, problem=p.message, lint_rule=p.rule or "syntax")
            for p in problems
            if not (p.is_syntax_error and skip_syntax)
        )
        yield from _capped(ctx, doc, found)
