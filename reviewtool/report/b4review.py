"""``--format b4review``: the JSON that ``b4 review`` reads from a check command.

For ``b4.review-perpatch-check-cmd`` b4 pipes one patch on stdin and reads
stdout as one result object or a list of them, each
``{"tool", "status": "pass"|"warn"|"fail", "summary", "url", "details"}``
(``b4.review.checks._run_external_cmd``).  It stores them in an sqlite
cache, so every value must be a string: ``details`` is therefore the
findings list *encoded as a JSON string*, in the shape b4's TUI renders as a
structured check list (``status``, ``context``, ``state``, ``description``,
``srcline``, ``url`` per entry — the same shape b4 uses for checkpatch and
patchwork results).  Each entry also carries our own fields (rule,
severity, anchor, path, line, message, references) for other readers.

We print a list with one object per checked message; in hook mode that is
exactly one.  Status follows the worst finding: error -> fail, warning ->
warn, info only or nothing -> pass.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import IO, Any

from ..catalog import Rule
from ..model import Finding, Patch, SeriesReport
from .links import first_url

TOOL = "reviewtool"
STATUS = {"error": "fail", "warning": "warn", "info": "pass"}
_ORDER = {"pass": 0, "warn": 1, "fail": 2}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def entry(f: Finding) -> dict[str, Any]:
    where = f"{f.path}:{f.line}: " if f.anchor == "diff" and f.path and f.line else (
        f"{f.path}: " if f.anchor == "diff" and f.path else "")
    srcline = ""
    if f.anchor == "diff" and f.text is not None:
        srcline = "+" + f.text
    elif f.quote:
        srcline = f.quote[0]
    elif f.text:
        srcline = f.text
    return {
        "status": STATUS[f.severity],
        "context": f.rule,
        "state": f.severity,
        "description": where + f.message,
        "srcline": srcline,
        "url": first_url(f.references) or "",
        "rule": f.rule,
        "severity": f.severity,
        "anchor": f.anchor,
        "path": f.path,
        "line": f.line,
        "message": f.message,
        "references": list(f.references),
    }


def result(findings: list[Finding], patch: Patch | None) -> dict[str, Any]:
    entries = [entry(f) for f in findings]
    status = max((e["status"] for e in entries), key=_ORDER.__getitem__, default="pass")
    counts = {sev: sum(1 for f in findings if f.severity == sev) for sev in ("error", "warning", "info")}
    if findings:
        parts = [_plural(n, sev) for sev, n in counts.items() if n]
        ids = sorted({f.rule for f in findings})
        summary = ", ".join(parts) + ": " + ", ".join(ids[:4]) + (" ..." if len(ids) > 4 else "")
    else:
        summary = "passed all checks"
    out: dict[str, Any] = {
        "tool": TOOL,
        "status": status,
        "summary": summary,
        "url": "",
        "details": json.dumps(entries, ensure_ascii=False) if entries else "",
    }
    if patch is not None:
        out["message_id"] = patch.message_id
        out["subject"] = patch.full_subject
    return out


def results(report: SeriesReport) -> list[dict[str, Any]]:
    s = report.series
    if report.error:
        return [{"tool": TOOL, "status": "fail", "summary": f"could not check: {report.error}", "url": "",
                 "details": ""}]
    by_msg = {k: list(v) for k, v in groupby(report.findings, key=lambda f: f.patch)}
    out = []
    if s.cover is not None and by_msg.get(0):
        out.append(result(by_msg[0], s.cover))
    elif by_msg.get(0):  # series findings without a cover letter: shown on patch 1
        first = s.patches[0].n if s.patches else 1
        by_msg[first] = sorted(by_msg.get(first, []) + by_msg[0], key=Finding.sort_key)
    for p in s.patches:
        out.append(result(by_msg.get(p.n, []), p))
    return out


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], **_: Any) -> None:
    out = [r for report in reports for r in results(report)]
    json.dump(out, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
