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
        from ..report import jsonfmt

        jsonfmt.render(reports, rules, stream)
        if result.reply_threads:
            print(f"reviewtool: skipped {_replies_note(result)}", file=sys.stderr)
    else:
        from ..report import triage_table

        triage_table.render(reports, rules, stream, messages=result.messages,
                            reply_threads=result.reply_threads, reply_messages=result.reply_messages)
    return exit_code(reports, fail_on)


def _replies_note(result: TriageResult) -> str:
    t, m = result.reply_threads, result.reply_messages
    return (f"{t} thread{'s' if t != 1 else ''} with only replies ({m} message{'s' if m != 1 else ''}); "
            "their patches are not in the input")
