"""Findings someone has already answered: ``[[ignore]]`` entries and ``--baseline``.

A maintainer who has decided a point ("this legacy compatible stays") writes
an ``[[ignore]]`` entry with the reason; a CI job that only wants what a new
revision adds passes the previous JSON report as ``--baseline``.  Either way
the finding moves from ``SeriesReport.findings`` to ``SeriesReport.suppressed``
with a ``Suppression`` saying why, so counts and exit codes see only what is
left, and JSON/SARIF can still show what was silenced.

A baseline finding is recognised by rule, file and the text of its line (or
its message when it has no line), never by line number: a new revision moves
lines.  Each baseline finding answers at most one finding of the new run.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from .errors import InputError
from .model import Finding, SeriesReport, Suppression

Key = tuple[str, str, str]


def finding_key(rule: str, path: str | None, text: str | None, message: str) -> Key:
    """What identifies a finding across revisions: rule, file, line text."""
    what = text if text is not None and text.strip() else message
    return rule, path or "", " ".join(what.split())


class Baseline:
    """The findings of an earlier JSON report, as a multiset of keys."""

    def __init__(self, keys: Iterable[Key], source: str):
        self.keys = Counter(keys)
        self.source = source

    @classmethod
    def load(cls, path: str) -> "Baseline":
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: the baseline is not JSON ({exc})") from None
        series = doc.get("series") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or doc.get("tool") != "reviewtool" or not isinstance(series, list):
            raise InputError(f"{path}: not a reviewtool JSON report (make one with 'check --format json')")
        keys = []
        for s in series:
            findings = s.get("findings") if isinstance(s, dict) else None
            if not isinstance(findings, list):
                raise InputError(f"{path}: not a reviewtool JSON report (a series without a findings list)")
            for f in findings:
                if not isinstance(f, dict) or not isinstance(f.get("rule"), str):
                    raise InputError(f"{path}: not a reviewtool JSON report (a finding without a rule)")
                keys.append(finding_key(f["rule"], _str(f.get("path")), _str(f.get("text")),
                                        _str(f.get("message")) or ""))
        return cls(keys, path)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def apply(report: SeriesReport, ignores: Iterable = (), baseline: Baseline | None = None) -> SeriesReport:
    """The report with ignored and already-known findings moved to ``suppressed``.

    ``ignores`` are ``config.Ignore`` entries; the baseline's counts are used
    up as findings match, so pass one Baseline per run.
    """
    ignores = list(ignores)
    if not ignores and baseline is None:
        return report
    kept: list[Finding] = []
    suppressed: list[Finding] = list(report.suppressed)
    for f in report.findings:
        why = _ignored(f, ignores)
        if why is None and baseline is not None and not f.status_note:
            key = finding_key(f.rule, f.path, f.text, f.message)
            if baseline.keys[key] > 0:
                baseline.keys[key] -= 1
                why = Suppression("baseline", "already in the baseline report", baseline.source)
        if why is None:
            kept.append(f)
        else:
            suppressed.append(replace(f, suppression=why))
    return replace(report, findings=tuple(kept), suppressed=tuple(suppressed))


def _ignored(f: Finding, ignores: list) -> Suppression | None:
    for ign in ignores:
        if ign.matches(f.rule, f.path, f.text):
            return Suppression("ignore", ign.reason, ign.source)
    return None
