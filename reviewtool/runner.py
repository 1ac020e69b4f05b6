"""What ``reviewtool check`` does, independent of the CLI library.

Load the rules, load the series, run the engine, render, pick the exit code.
Kept apart from cli.py so tests and other front ends (triage, hooks) call it
directly.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

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
    if req.fmt not in FORMATS:
        raise InputError(f"unknown format {req.fmt!r} (choose from {', '.join(sorted(FORMATS))})")
    fail_on = req.fail_on or "error"
    if fail_on not in ("error", "warning", "info", "none"):
        raise InputError(f"--fail-on must be error, warning, info or none (got {fail_on!r})")
    rules = load_catalog(req.rules_dirs)
    select_rules(rules, req.only, req.disable)
    opts = LoadOptions(revision=req.revision, lore_url=req.lore_url, timeout=req.timeout, no_cache=req.no_cache,
                       newer=req.newer, repo=req.repo, prep=req.prep)
    series_list = []
    for source in req.sources:
        series_list.extend(load(source, opts))
    options = Options(disabled=frozenset(req.disable), only=frozenset(req.only), tree_path=req.tree)
    reports = [check_series(s, rules, options) for s in series_list]
    render(req.fmt, reports, rules, stream)
    return exit_code(reports, fail_on)
