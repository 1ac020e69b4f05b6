"""Run the rule catalogue over a series and collect findings.

Declarative rules are evaluated here; named checks get a ``Context`` with
the series, the patch, their rule (for its message, params and references)
and a per-run cache for artifacts such as parsed bindings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from .catalog import Rule
from .classify import patch_kinds, path_matches
from .consolidate import consolidate
from .kerneltree import NO_TREE, KernelTree
from .model import SEVERITY_RANK, Finding, Patch, Series, SeriesReport


@dataclass
class Options:
    """Run-wide settings rules may consult."""

    single_patch: bool = False  # hook mode: one patch at a time, no series rules
    # Hook mode: the whole series the one patch belongs to, when found locally
    # (sources.companions); rules judge series facts with it.
    series_context: Series | None = None
    tree: KernelTree = NO_TREE  # the kernel tree at the series' base; NO_TREE when none is known
    tree_path: str | None = None  # a kernel tree directory given without a view (tests, --tree)
    severity_overrides: dict[str, str] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()  # when non-empty, run just these rule ids
    extra: dict[str, Any] = field(default_factory=dict)  # for sources to pass hints

    def __post_init__(self) -> None:
        if self.tree is None:
            self.tree = NO_TREE
        if not self.tree.available and self.tree_path:
            from pathlib import Path

            from .tree import BINDINGS, SourceTree

            if (Path(self.tree_path) / BINDINGS).is_dir():
                self.tree = SourceTree(self.tree_path).at(None)


@dataclass
class Context:
    """What a named check sees."""

    series: Series
    patch: Patch | None
    rule: Rule
    options: Options
    cache: dict[str, Any]
    # Every rule that runs in this check, by id: a check may share another
    # rule's predicate and params, or leave a point to that rule.
    active: dict[str, Rule] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        return self.rule.params

    def finding(
        self,
        *,
        anchor: str,
        message: str | None = None,
        patch: Patch | None = None,
        path: str | None = None,
        line: int | None = None,
        text: str | None = None,
        quote: Iterable[str] = (),
        severity: str | None = None,
        status_note: bool = False,
        **fields: Any,
    ) -> Finding:
        """A finding of this rule; ``severity`` lowers or raises one finding
        (e.g. an info-level "could not verify" note from an error rule);
        ``status_note`` marks such a note as a limit of this run, not a remark on
        the patch (see ``Finding.status_note``)."""
        target = patch if patch is not None else self.patch
        if message is None:
            message = self.rule.message.format_map(_Fields(fields))
        return Finding(
            rule=self.rule.id,
            severity=severity or self.rule.severity,  # user overrides are applied by the engine
            patch=target.n if target is not None else 0,
            message_id=target.message_id if target is not None else self.series.message_id,
            anchor=anchor,  # type: ignore[arg-type]
            message=" ".join(message.split()),
            path=path,
            line=line,
            text=text,
            references=self.rule.references,
            quote=tuple(quote),
            status_note=status_note,
        )

    def params_of(self, rule_id: str) -> dict[str, Any]:
        """Params of another rule: this run's copy, else the built-in one (a check
        may share another rule's predicate even when that rule is not running)."""
        rule = self.active.get(rule_id)
        if rule is None:
            def builtin() -> dict[str, Rule]:
                from .catalog import load_catalog

                return {r.id: r for r in load_catalog()}

            rule = self.memo("builtin-rules-by-id", builtin).get(rule_id)
        return rule.params if rule is not None else {}

    def memo(self, key: str, compute):
        """Compute an artifact once per run (parsed bindings, tree lookups, ...)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def rule_applies(rule: Rule, patch: Patch) -> bool:
    kinds = patch_kinds(patch)
    if not (set(rule.applies_to.kinds) & kinds):
        return False
    if rule.applies_to.paths and not any(
        path_matches(f.path, rule.applies_to.paths) and not path_matches(f.path, rule.applies_to.exclude_paths)
        for f in patch.files
    ):
        return False
    return True


def _files_for(rule: Rule, patch: Patch):
    for f in patch.files:
        if rule.applies_to.paths and not path_matches(f.path, rule.applies_to.paths):
            continue
        if rule.applies_to.exclude_paths and path_matches(f.path, rule.applies_to.exclude_paths):
            continue
        yield f


def run_declarative(rule: Rule, series: Series, patch: Patch, options: Options | None = None,
                    cache: dict[str, Any] | None = None) -> list[Finding]:
    """Findings of a rule written as a ``match`` tree (see ``reviewtool.matcher``)."""
    from .matcher import run

    assert rule.match is not None
    ctx = Context(series, patch, rule, options or Options(), cache if cache is not None else {})
    out = []
    for hit in run(rule.match, patch, list(_files_for(rule, patch)), ctx):
        fields = _Blank(hit.fields)
        fields.setdefault("author", str(patch.author))
        template = hit.message or rule.message
        out.append(ctx.finding(anchor=hit.anchor, path=hit.path, line=hit.line, text=hit.text,  # type: ignore[arg-type]
                               quote=hit.quote, message=template.format_map(fields)))
    return out


class _Blank(dict):
    """Template fields a branch did not fill read as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def check_series(series: Series, rules: list[Rule], options: Options | None = None) -> SeriesReport:
    """All findings of all applicable rules, deterministically ordered."""
    from .checks import get_check

    options = options or Options()
    active = {r.id: r for r in rules
              if r.id not in options.disabled and (not options.only or r.id in options.only)}
    cache: dict[str, Any] = {}
    findings: list[Finding] = []
    targets: list[Patch] = list(series.patches)
    if series.cover is not None:
        targets.insert(0, series.cover)
    for rule in active.values():
        if rule.scope == "series":
            if options.single_patch:
                continue
            ctx = Context(series, None, rule, options, cache, active)
            findings.extend(get_check(rule.check)(ctx))  # type: ignore[arg-type]
            continue
        for patch in targets:
            if not rule_applies(rule, patch):
                continue
            if rule.match is not None:
                findings.extend(_declarative_or_skip(rule, series, patch, options, cache))
            else:
                ctx = Context(series, patch, rule, options, cache, active)
                findings.extend(get_check(rule.check)(ctx))  # type: ignore[arg-type]
    if options.severity_overrides:
        findings = [
            replace(f, severity=options.severity_overrides[f.rule]) if f.rule in options.severity_overrides else f
            for f in findings
        ]
    findings = consolidate(findings, active)
    unique = {(f.sort_key(), f.text): f for f in findings}
    return SeriesReport(series=series, findings=tuple(sorted(unique.values(), key=Finding.sort_key)))


def _declarative_or_skip(rule: Rule, series: Series, patch: Patch, options: Options,
                         cache: dict[str, Any]) -> list[Finding]:
    """A rule whose regex runs out of time is reported once and skipped for the run."""
    from .matcher import RuleTimeout

    skipped = cache.setdefault("timed_out_rules", set())
    if rule.id in skipped:
        return []
    try:
        return run_declarative(rule, series, patch, options, cache)
    except RuleTimeout as exc:
        skipped.add(rule.id)
        import sys

        print(f"reviewtool: rule {rule.id} ({rule.source}): a regular expression ran over its time bound "
              f"({str(exc)[:60]!r}); rule skipped", file=sys.stderr)
        return []


def worst_severity(reports: Iterable[SeriesReport]) -> int:
    """The highest severity rank over all findings; -1 when there are none."""
    return max((SEVERITY_RANK[f.severity] for r in reports for f in r.findings), default=-1)
