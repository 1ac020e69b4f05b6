"""The CLI's ``triage`` command: apply the config, run, render, pick the exit code."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import IO

from ..errors import InputError
from .request import FORMATS, TriageRequest
from .run import TriageResult, triage


def run_triage(req: TriageRequest, stream: IO[str] | None = None) -> int:
    """The CLI's ``triage``: run, render, pick the exit code."""
    from ..catalog import load_catalog
    from ..runner import exit_code

    stream = stream or sys.stdout
    if req.fmt == "terminal":  # check's name for the human format
        req = replace(req, fmt="table")
    if req.fmt not in FORMATS:
        raise InputError(f"unknown format {req.fmt!r} for triage (choose from {', '.join(FORMATS)})")
    cfg = None
    if not req.no_config:
        from ..config import apply_config, load_config

        cfg = load_config()
        req = apply_config(req, cfg)
    fail_on = req.fail_on or "none"
    if fail_on not in ("error", "warning", "info", "none"):
        raise InputError(f"--fail-on must be error, warning, info or none (got {fail_on!r})")
    if cfg is not None:
        cfg.check_rule_ids({r.id for r in load_catalog(req.rules_dirs)})
    result = triage(req)
    reports = [r.report for r in result.rows]
    rules = load_catalog(req.rules_dirs)
    if req.fmt == "json":
        import json

        json.dump(json_document(result), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
        if result.reply_threads:
            print(f"reviewtool: skipped {_replies_note(result)}", file=sys.stderr)
    else:
        from ..report import triage_table

        triage_table.render(reports, rules, stream, messages=result.messages,
                            reply_threads=result.reply_threads, reply_messages=result.reply_messages)
    rc = exit_code(reports, fail_on)
    failed = sum(1 for r in reports if r.error)
    if failed and not req.keep_going:
        print(f"reviewtool: {failed} series could not be checked (exit 1; --keep-going to exit 0)", file=sys.stderr)
        rc = max(rc, 1)
    return rc


def json_document(result: TriageResult) -> dict:
    """check's JSON document, each series with the row's facts added: author, date, lore link, score."""
    from ..report import jsonfmt
    from ..report.triage_table import link

    doc = jsonfmt.document([r.report for r in result.rows])
    for row, out in zip(result.rows, doc["series"]):
        s = row.report.series
        first = s.cover or (s.patches[0] if s.patches else None)
        out["author"] = ({"name": first.author.name, "email": first.author.email} if first is not None
                         and (first.author.name or first.author.email) else None)
        out["date"] = first.date.isoformat() if first is not None and first.date else None
        out["link"] = link(s) or None
        out["score"] = row.score
        out["naks"] = row.naks
    return doc


def _replies_note(result: TriageResult) -> str:
    t, m = result.reply_threads, result.reply_messages
    return (f"{t} thread{'s' if t != 1 else ''} with only replies ({m} message{'s' if m != 1 else ''}); "
            "their patches are not in the input")
