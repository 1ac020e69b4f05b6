"""The stable JSON report (``--format json``): the contract other tools read."""

from __future__ import annotations

import json
from typing import IO, Any

from .. import __version__
from ..catalog import Rule
from ..model import Finding, Series, SeriesReport


def finding_dict(f: Finding, series: Series | None = None) -> dict[str, Any]:
    """``series`` (the finding's) says whether its Message-ID is one we made up (shown as null)."""
    return {
        "rule": f.rule,
        "severity": f.severity,
        "patch": f.patch,
        "message_id": series.public_id(f.message_id) if series is not None else f.message_id,
        "anchor": f.anchor,
        "path": f.path,
        "line": f.line,
        "text": f.text,
        "message": f.message,
        "references": list(f.references),
        # added in 0.1: true for a note on what this run could not verify (no
        # kernel tree, part of the series), which is not a remark on the patch
        "status_note": f.status_note,
        "lines": list(f.lines or ((f.line,) if f.line else ())),
        "subsumes": list(f.subsumes),
    }


def series_dict(report: SeriesReport) -> dict[str, Any]:
    s = report.series
    out: dict[str, Any] = {
        "subject": s.title,
        "revision": s.revision,
        "message_id": s.public_id(s.message_id),
        "expected": s.expected,
        "patches": [{"n": p.n, "subject": p.full_subject, "message_id": p.public_message_id} for p in s.patches],
        "findings": [finding_dict(f, s) for f in report.findings],
        "summary": report.counts(),
    }
    if report.error:
        out["error"] = report.error
    if report.suppressed:  # added in 0.1, only when [[ignore]] or --baseline silenced something
        out["suppressed"] = [suppressed_dict(f, s) for f in report.suppressed]
    return out


def suppressed_dict(f: Finding, series: Series | None = None) -> dict[str, Any]:
    """A silenced finding: the usual fields plus why ("ignore": a config
    entry and its reason; "baseline": already in the --baseline report)."""
    out = finding_dict(f, series)
    if f.suppression is not None:
        out["suppression"] = {"kind": f.suppression.kind, "reason": f.suppression.reason,
                              "source": f.suppression.source}
    return out


def document(reports: list[SeriesReport]) -> dict[str, Any]:
    return {"tool": "reviewtool", "version": __version__, "series": [series_dict(r) for r in reports]}


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], **_: Any) -> None:
    json.dump(document(reports), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
