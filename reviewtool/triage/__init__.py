"""``reviewtool triage``: check a whole queue of series at once, worst first.

A list archive export holds hundreds of interleaved threads.  Loading every
parsed series at once would make memory grow with the queue, so the work runs
in two passes over *raw* mail:

1. **Index.**  Every message is parsed once (by the same
   ``grouping.parse_messages`` that ``check`` uses), then shrunk to a small
   ``Head``: the header facts grouping needs plus where its raw bytes live
   (file offset, maildir file, or the bytes of a fetched message).
   ``grouping.group_families`` then splits the queue into series families
   exactly as ``check`` would.
2. **Check, family by family.**  Each family is re-read from its raw bytes,
   assembled with ``grouping.build_series`` (newest revision, earlier ones in
   ``Series.earlier``), checked with ``engine.check_series`` and reduced to a
   slim ``SeriesReport`` (no diffs, no bodies).  Only those slim reports
   stay alive, so memory is flat in the number of series.

Both passes run in worker *processes*; each loads the rule catalogue once.
A family that fails (a truncated or undecodable diff, a message b4 cannot
parse, even a crashing check) becomes one row with ``SeriesReport.error``
set; it never stops the run.  Threads holding only replies (their patches
are not in the input) get no row: they are counted in the table's footer.

Modules, in the order a run uses them:

- ``request``: ``TriageRequest``, the options of one run.
- ``inputs``: SOURCES and ``--query`` to raw message slices and Message-IDs.
- ``heads``: pass 1 in a worker, one raw message to a small ``Head``.
- ``merge``: join unlinked threads that are revisions of one series.
- ``workers``: pass 2 in a worker, one family or Message-ID to a checked row.
- ``rows``: slim rows, and rows for what could not be checked.
- ``pool``: worker processes, or this process for ``--jobs 1``.
- ``ranking``: the sort key, ``--min-severity``, duplicates, top rules.
- ``run``: ``triage()``, the two passes end to end.
- ``command``: ``run_triage()``, the CLI command (config, render, exit code).

The table itself is rendered by ``reviewtool.report.triage_table``.
"""

from __future__ import annotations

from .command import run_triage
from .merge import merge_revisions
from .ranking import Row, top_rules
from .request import FORMATS, TriageRequest
from .rows import slim
from .run import TriageResult, triage

__all__ = ["FORMATS", "Row", "TriageRequest", "TriageResult", "merge_revisions", "run_triage", "slim", "top_rules",
           "triage"]
