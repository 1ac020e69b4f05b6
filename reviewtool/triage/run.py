"""Drive a triage run: expand the sources, index and group in workers, check family by family.

Only slim rows stay alive between families; they are sorted by a stable key
at the end, so the output is the same for any ``--jobs``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..model import SEVERITY_RANK
from . import workers
from .heads import Broken, index_chunk
from .inputs import RawRef, collect_inputs
from .merge import merge_revisions
from .pool import Inline, Pool
from .ranking import Row, dedupe
from .request import TriageRequest
from .rows import broken_row

_CHUNK = 64  # messages per indexing task: big enough to amortise IPC


@dataclass
class TriageResult:
    rows: list[Row]
    messages: int = 0
    reply_threads: int = 0  # families with replies only: no row
    reply_messages: int = 0


def _progress(enabled: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # auto_refresh=False: no refresh thread, so forking workers stays safe.
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True, auto_refresh=False, disable=not enabled,
    )


def triage(req: TriageRequest) -> TriageResult:
    """Index, group and check every series in the request's sources."""
    from ..catalog import load_catalog
    from ..runner import select_rules
    from ..sources.resolve import LoadOptions

    if not req.sources and not req.query:
        raise InputError("give at least one SOURCE (mbox, maildir, file of Message-IDs) or --query")
    if req.min_severity not in SEVERITY_RANK:
        raise InputError(f"--min-severity must be error, warning or info (got {req.min_severity!r})")
    rules = load_catalog(req.rules_dirs)
    select_rules(rules, req.only, req.disable)
    from ..tree import find_kernel_tree

    find_kernel_tree(req.tree, None)  # a bad --tree is one error here, not one per worker
    inputs = collect_inputs(req)
    if inputs.msgids:
        import importlib.util

        if importlib.util.find_spec("..sources.lore", __package__) is None:
            raise InputError("fetching Message-IDs from lore is not available in this build")
    jobs = max(1, req.jobs or os.cpu_count() or 1)
    lore_opts = LoadOptions(lore_url=req.lore_url, timeout=req.timeout, no_cache=req.no_cache)
    init = (tuple(req.rules_dirs), tuple(req.only), tuple(req.disable), req.tree, tuple(sorted(req.severity.items())),
            SEVERITY_RANK[req.min_severity], lore_opts)
    show = req.progress if req.progress is not None else sys.stderr.isatty()

    # Loaded here first: with the fork start method every worker inherits
    # the imports and the parsed catalogue instead of redoing them.
    workers.CATALOGS[tuple(req.rules_dirs)] = rules
    from ..checks import known_checks
    from ..sources import b4setup

    known_checks()
    b4setup.ready()
    pool: Any = Inline() if jobs == 1 else Pool(jobs, init)
    if jobs == 1:
        workers.init_worker(*init)
    result = TriageResult(rows=[])
    try:
        with _progress(show) as progress:
            families, broken = _index(pool, inputs.refs, progress, result)
            result.rows.extend(broken_row(b) for b in broken)
            work = [f for f in families if f.revisions]
            for f in families:
                if not f.revisions:
                    result.reply_threads += 1
                    result.reply_messages += sum(len(ms) for ms in f.replies.values())
            # Largest families first: better load balance across workers.
            work.sort(key=lambda f: -sum(len(ms) for ms in [*f.revisions.values(), *f.replies.values()]))
            calls = [(workers.check_family, f) for f in work] + [(workers.check_msgid, m) for m in inputs.msgids]
            del work, families
            task = progress.add_task("checking series", total=len(calls))
            lore_rows: dict[int, list[Row]] = {}
            for i, out in pool.run_all(calls):
                if isinstance(out, list):
                    lore_rows[i] = out
                else:
                    result.rows.append(out)
                progress.update(task, advance=1)
                progress.refresh()
            fetched = [r for i in sorted(lore_rows) for r in lore_rows[i]]
            result.messages += len(frozenset().union(*(r.fetched_ids for r in fetched)))
            result.rows.extend(dedupe(fetched, result.rows))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    result.rows.sort(key=lambda r: r.key)
    return result


def _index(pool, refs: list[RawRef], progress, result: TriageResult):
    """Pass 1: every message to a small head, deduplicated by Message-ID, then grouped."""
    from ..sources.grouping import _Mail, group_families

    task = progress.add_task("reading mail", total=len(refs))
    chunks = [refs[i:i + _CHUNK] for i in range(0, len(refs), _CHUNK)]
    mails: list[_Mail] = []
    broken: list[Broken] = []
    seen: set[str] = set()
    for out in pool.map(index_chunk, chunks):
        for item in out:
            if item is None:
                continue
            if isinstance(item, Broken):
                broken.append(item)
                continue
            result.messages += 1
            if item.lmsg.msgid in seen:
                continue  # the same mail twice (cross-posted lists): b4 keeps the first too
            seen.add(item.lmsg.msgid)
            mails.append(item)
        progress.update(task, advance=len(out))
        progress.refresh()
    if not mails and not broken and refs:
        raise InputError("no mail messages found in the input")
    return merge_revisions(group_families(mails)), broken
