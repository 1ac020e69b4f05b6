"""Pass 2 in a worker: assemble one series family (or fetch one Message-ID) and check it.

Each worker process loads the rule catalogue, b4 and the kernel tree once,
in its initializer, into the module-level ``_STATE``.  A family that fails
to assemble, or a check that crashes, becomes one errored row: it never
stops the queue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InputError
from ..model import SeriesReport
from .heads import rehydrate
from .ranking import Row, at_least
from .rows import date_ts, error_row, series_date, slim, unfetched_row


@dataclass
class WorkerState:
    rules: list
    options: Any
    min_rank: int
    lore_opts: Any
    tree: Any = None  # reviewtool.tree.SourceTree, indexed lazily per process


_STATE: WorkerState | None = None
CATALOGS: dict[tuple[str, ...], list] = {}  # filled before forking, so workers inherit it


def init_worker(rules_dirs: tuple[str, ...], only: tuple[str, ...], disable: tuple[str, ...], tree: str | None,
                severity: tuple[tuple[str, str], ...], min_rank: int, lore_opts: Any) -> None:
    """Load the catalogue, b4 and the kernel tree (if any) once per process."""
    global _STATE
    from ..catalog import load_catalog
    from ..engine import Options
    from ..sources import b4setup
    from ..tree import find_kernel_tree

    b4 = b4setup.ready()
    b4.LORENODE = None  # never share the parent's HTTP connections after a fork
    options = Options(disabled=frozenset(disable), only=frozenset(only), tree_path=tree,
                      severity_overrides=dict(severity))
    rules = CATALOGS.get(rules_dirs)
    if rules is None:
        rules = CATALOGS[rules_dirs] = load_catalog(list(rules_dirs))
    _STATE = WorkerState(rules, options, min_rank, lore_opts, find_kernel_tree(tree, None))


def init_child(*init) -> None:
    """Initializer of a worker process: Ctrl-C is the parent's to handle."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(*init)


def _checked(series) -> Row:
    from ..engine import check_series
    from .score import judgement_rules, nak_replies, score

    assert _STATE is not None
    options = _STATE.options
    if _STATE.tree is not None:
        options = replace(options, tree=_STATE.tree.at(series.base_commit), tree_path=str(_STATE.tree.root))
    try:
        report = check_series(series, _STATE.rules, options)
    except Exception as exc:  # a crashing check must not stop the queue
        if os.environ.get("REVIEWTOOL_DEBUG"):
            raise
        report = SeriesReport(series=series, error=f"internal error in a check: {type(exc).__name__}: {exc}")
    naks = nak_replies(series)
    points = 0 if report.error else score(report, judgement_rules(_STATE.rules), naks)
    return Row(slim(at_least(report, _STATE.min_rank)), date_ts(series_date(series)), points, naks)


def check_family(fam) -> Row:
    """Re-read a family's raw mail, assemble its newest revision, check it."""
    from ..sources.grouping import build_series

    newest = max(fam.revisions)
    where = fam.revisions[newest][0].lmsg.ref.source
    try:
        rehydrate(fam)
        origins = {m.lmsg.msgid: m.lmsg.ref.origin(m.lmsg.msgid)
                   for mails in [*fam.revisions.values(), *fam.replies.values()] for m in mails}
        series = build_series(fam, newest, where, message_origins=origins)
        earlier = []
        for rev in sorted(r for r in fam.revisions if r < newest):
            try:
                earlier.append(build_series(fam, rev, where, message_origins=origins))
            except InputError:
                pass  # a broken older revision must not hide the newest one
        if earlier:
            series = replace(series, earlier=tuple(earlier))
    except InputError as exc:
        return error_row(fam, newest, where, str(exc))
    except Exception as exc:
        if os.environ.get("REVIEWTOOL_DEBUG"):
            raise
        return error_row(fam, newest, where, f"internal error: {type(exc).__name__}: {exc}")
    return _checked(series)


def check_msgid(msgid: str) -> list[Row]:
    """Fetch one Message-ID through the lore source and check what it yields."""
    from ..sources.resolve import load

    assert _STATE is not None
    try:
        series_list = load(msgid, _STATE.lore_opts)
    except InputError as exc:
        return [unfetched_row(msgid, str(exc))]
    return [replace(_checked(s), fetched_ids=_message_ids(s)) for s in series_list]


def _message_ids(series) -> frozenset[str]:
    """Every mail a fetched series was built from (footer counts for lore input)."""
    out: set[str] = set()
    for s in (series, *series.earlier):
        out.update(p.message_id for p in (s.cover, *s.patches) if p is not None and p.message_id)
        out.update(m.message_id for m in s.replies)
    return frozenset(out)
