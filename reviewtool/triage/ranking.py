"""Order and filter triage rows: worst first, the same for any ``--jobs``.

Rows come back from the workers in completion order; ``Row.key`` sorts them
by the documented score (``triage.score``), then by a key that ends in the
Message-ID, so the output never depends on which worker finished first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model import SEVERITY_RANK, SeriesReport


@dataclass(frozen=True)
class Row:
    """One triage row: a slim report and the key it sorts by."""

    report: SeriesReport
    date: float  # submission timestamp, 0 when unknown
    score: int = 0  # triage.score: worst first
    naks: int = 0  # NAK-like replies to this or an earlier revision
    fetched_ids: frozenset[str] = frozenset()  # Message-IDs read from lore for this row (footer counts)

    @property
    def key(self) -> tuple:
        c = self.report.counts()
        return (0 if self.report.error else 1, -self.score, -c["error"], -c["warning"], -c["info"], self.date,
                self.report.series.message_id or "")


def at_least(report: SeriesReport, min_rank: int) -> SeriesReport:
    """``--min-severity``: drop findings ranked below ``min_rank``."""
    if min_rank <= 0:
        return report
    kept = tuple(f for f in report.findings if SEVERITY_RANK[f.severity] >= min_rank)
    return SeriesReport(series=report.series, findings=kept, error=report.error)


def dedupe(rows: list[Row], existing: list[Row]) -> list[Row]:
    """Several Message-IDs of one thread fetch the same series: keep it once."""
    seen = {r.report.series.message_id for r in existing}
    out = []
    for r in rows:
        mid = r.report.series.message_id
        if mid in seen and mid is not None:
            continue
        seen.add(mid)
        out.append(r)
    return out


def top_rules(report: SeriesReport, limit: int = 3) -> list[tuple[str, str, int]]:
    """The rules that fired most, worst severity first: (rule, severity, count)."""
    worst: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for f in report.findings:
        counts[f.rule] += 1
        if f.rule not in worst or SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst[f.rule]]:
            worst[f.rule] = f.severity
    ranked = sorted(counts, key=lambda r: (-SEVERITY_RANK[worst[r]], -counts[r], r))
    return [(r, worst[r], counts[r]) for r in ranked[:limit]]
