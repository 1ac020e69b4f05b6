"""``--format terse``: one checkpatch-like line per finding.

    path:line: SEVERITY: rule: message

for editors (``%f:%l: %m``), CI logs and b4's per-patch check hooks.  A diff
finding names the patched file and its post-image line.  A finding about the
subject, the commit message or the series names the mail instead: the input
file (``-`` for standard input, as checkpatch does) and the line of the
``Subject:`` header or of the quoted commit-message line; without a local
input (lore, git) it names the Message-ID with line 0.

b4 (``b4.am-perpatch-check-cmd`` / ``b4.prep-perpatch-check-cmd``) reads
stdout line by line: a line containing ``ERROR:`` is a failure, any other
line a warning, and a leading ``-:`` is dropped.  So: severities print as
ERROR / WARNING / INFO, only error findings may contain ``ERROR:``, a clean
patch prints nothing at all (b4 then says "passed all checks"), and nothing
here ever writes to stderr (b4 counts each stderr line as a failure).

In hook mode (see ``runner.is_hook_input``) info findings are left out: b4
has no level for them and would show each as a warning, so a patch with
nothing to fix would never read "passed all checks".  Outside hook mode
(editors, CI logs) they are printed as INFO.
"""

from __future__ import annotations

from typing import IO, Any

from ..catalog import Rule
from ..model import Finding, Series, SeriesReport
from .locate import Locator, fallback_label

LEVEL = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def location(f: Finding, series: Series, locator: Locator) -> str:
    if f.anchor == "diff" and f.path:
        return f"{f.path}:{f.line or 0}"
    place = locator.place(series, f)
    if place is not None:
        return f"{place[0]}:{place[1]}"
    return f"{fallback_label(f)}:0"


def line(f: Finding, series: Series, locator: Locator) -> str:
    message = " ".join(f.message.split())
    if f.severity != "error":
        # b4 marks any line containing "ERROR:" as a failure.
        message = message.replace("ERROR:", "ERROR -")
    return f"{location(f, series, locator)}: {LEVEL[f.severity]}: {f.rule}: {message}"


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], *, stdin: bytes | None = None,
           hook: bool = False, **_: Any) -> None:
    locator = Locator(stdin)
    for report in reports:
        if report.error:
            # A series that could not be checked is a real failure, not a finding.
            stream.write(f"{report.series.source or '-'}:0: ERROR: reviewtool: could not check this series: "
                         f"{' '.join(report.error.split())}\n")
            continue
        for f in report.findings:
            if hook and f.severity == "info":
                continue
            stream.write(line(f, report.series, locator) + "\n")
