"""What ``reviewtool check`` does, independent of the CLI library.

Load the rules, load the series, run the engine, render, pick the exit code.
Kept apart from cli.py so tests and other front ends (triage, hooks) call it
directly.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace

from .catalog import Rule, load_catalog
from .engine import Options, check_series, worst_severity
from .errors import InputError
from .model import SEVERITY_RANK, SeriesReport


@dataclass
class CheckRequest:
    sources: list[str]
    fmt: str = "terminal"
    revision: int | None = None
    rules_dirs: list[str] = field(default_factory=list)
    fail_on: str | None = None
    only: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    lore_url: str | None = None
    timeout: float | None = None
    no_cache: bool = False
    newer: bool = False
    tree: str | None = None
    repo: str | None = None
    prep: bool = False
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity (config files)
    no_config: bool = False  # ignore .reviewtool.toml and the user config file
    hook: bool = False  # b4 hook mode: one patch on stdin (see is_hook_input)
    precedents: bool = True  # precedent/* rules read the review archive when one exists
    archive: str | None = None  # the archive database (default: $REVIEWTOOL_ARCHIVE, else under $XDG_DATA_HOME)
    min_severity: str | None = None  # hide findings below; the terminal folds infos by default
    baseline: str | None = None  # a previous JSON report: show only findings not in it
    ignores: list = field(default_factory=list)  # config.Ignore entries ([[ignore]] in config files)
    series_file: str | None = None  # hook mode: an mbox holding the whole series (--series)


def exit_code(reports: list[SeriesReport], fail_on: str) -> int:
    if fail_on == "none":
        return 0
    return 1 if worst_severity(reports) >= SEVERITY_RANK[fail_on] else 0


def select_rules(rules: list[Rule], only: list[str], disable: list[str]) -> None:
    known = {r.id for r in rules}
    for rid in [*only, *disable]:
        if rid not in known:
            raise InputError(f"unknown rule id {rid!r} (see 'reviewtool rules')")


def run_check(req: CheckRequest, stream=None) -> int:
    from .report import FORMATS, render
    from .sources.resolve import LoadOptions, load

    stream = stream or sys.stdout
    cfg = None
    if not req.no_config:
        from .config import apply_config, load_config

        cfg = load_config()
        req = apply_config(req, cfg)
    if req.fmt not in FORMATS:
        raise InputError(f"unknown format {req.fmt!r} (choose from {', '.join(sorted(FORMATS))})")
    fail_on = req.fail_on or "error"
    if fail_on not in ("error", "warning", "info", "none"):
        raise InputError(f"--fail-on must be error, warning, info or none (got {fail_on!r})")
    if req.min_severity is not None and req.min_severity not in SEVERITY_RANK:
        raise InputError(f"--min-severity must be error, warning or info (got {req.min_severity!r})")
    rules = load_catalog(req.rules_dirs)
    if cfg is not None:
        cfg.check_rule_ids({r.id for r in rules})
    select_rules(rules, req.only, req.disable)
    baseline = None
    if req.baseline:
        from .suppress import Baseline

        baseline = Baseline.load(req.baseline)
    opts = LoadOptions(revision=req.revision, lore_url=req.lore_url, timeout=req.timeout, no_cache=req.no_cache,
                       newer=req.newer, repo=req.repo, prep=req.prep)
    series_list = []
    stdin_data: bytes | None = None
    if not req.sources:
        if not req.prep:
            raise InputError("nothing to check: give a SOURCE (mbox, Message-ID, lore URL or git range), or --prep")
        req = replace(req, sources=["HEAD"])
    for source in req.sources:
        if source == "-":
            # Read stdin here (not in the source) so renderers can point at its lines.
            from .sources.mbox import load_bytes

            if stdin_data is not None:
                raise InputError("'-' (standard input) can be given only once")
            stdin_data = sys.stdin.buffer.read()
            series_list.extend(load_bytes(stdin_data, "stdin", req.revision))
            continue
        series_list.extend(load(source, opts))
    # b4 runs hooks at the git top-level, so the cwd's kernel tree (kernel_tree) is the one b4 works in.
    hook = req.hook or is_hook_input(req, series_list)
    if req.series_file and not hook:
        raise InputError("--series is for hook mode (one patch on standard input, or --hook)")
    series_context = None
    if hook and len(series_list) == 1:
        from .sources.companions import find_series

        series_context = find_series(series_list[0], req.series_file)
    options = Options(disabled=frozenset(req.disable), only=frozenset(req.only), tree_path=req.tree,
                      single_patch=hook, severity_overrides=dict(req.severity),
                      extra=precedent_options(req, rules), series_context=series_context)
    tree = kernel_tree(req)
    reports = [
        check_series(s, rules, options if tree is None else replace(options, tree=tree.at(s.base_commit),
                                                                    tree_path=str(tree.root)))
        for s in series_list
    ]
    if req.ignores or baseline is not None:
        from .suppress import apply

        reports = [apply(r, req.ignores, baseline) for r in reports]
    shown = reports
    if req.min_severity is not None and req.fmt != "terminal":  # the terminal folds, counting what it hides
        shown = [at_least(r, req.min_severity) for r in reports]
    render(req.fmt, shown, rules, stream, stdin=stdin_data, hook=hook, min_severity=req.min_severity,
           baseline=baseline is not None)
    return exit_code(reports, fail_on)


def precedent_options(req: CheckRequest, rules: list[Rule]) -> dict:
    """The review archive for the precedent/* rules, when it exists and they run."""
    wanted = [r.id for r in rules if r.id.startswith("precedent/") and r.id not in req.disable
              and (not req.only or r.id in req.only)]
    if not req.precedents or not wanted:
        return {}
    from .archive.store import open_archive

    db = open_archive(req.archive)
    if db is None:
        return {}
    from .archive.precedents import Precedents  # its models load only when there is an archive (start-up)

    return {"precedents": Precedents(db)}


def at_least(report: SeriesReport, min_severity: str) -> SeriesReport:
    """The report without the findings below ``min_severity``."""
    rank = SEVERITY_RANK[min_severity]
    return replace(report, findings=tuple(f for f in report.findings if SEVERITY_RANK[f.severity] >= rank))


def kernel_tree(req: CheckRequest):
    """--tree, else the repository being checked (--repo, or the cwd's) when it
    looks like a kernel tree; None when there is none.  Building its index is
    lazy: nothing is read until a rule asks."""
    from .tree import find_kernel_tree

    return find_kernel_tree(req.tree, req.repo)


HOOK_FORMATS = ("terse", "b4review")


def is_hook_input(req: CheckRequest, series_list: list) -> bool:
    """Hook mode without --hook: a b4-style call, i.e. ``check -`` in a hook
    format with exactly one patch (and no cover letter) on standard input.

    There the tool sees one patch of a series at a time, so rules about the
    whole series (completeness, cover letter, changelog) must stay quiet.
    """
    if req.sources != ["-"] or req.fmt not in HOOK_FORMATS or len(series_list) != 1:
        return False
    s = series_list[0]
    return s.cover is None and len(s.patches) == 1
