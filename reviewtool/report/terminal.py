"""The human report: each finding under the lines it is about, as a reviewer replies.

Per patch we print its subject, then for each anchored place the quoted
lines (``> +...`` with a little context) and the comments under them.  Rich
does colour on a terminal and plain text elsewhere (NO_COLOR respected).
"""

from __future__ import annotations

import os
import textwrap
from itertools import groupby
from typing import IO, Any

from ..catalog import Rule
from ..model import Finding, Patch, SeriesReport, public_message_id

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
CONTEXT_LINES = 3
WIDTH = 100


def _console(stream: IO[str]):
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=stream,
        highlight=False,
        soft_wrap=True,
        no_color=no_color,
        emoji=False,
        markup=False,
        width=WIDTH if not stream.isatty() else None,
    )


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], **_: Any) -> None:
    from rich.text import Text

    con = _console(stream)
    totals = {"error": 0, "warning": 0, "info": 0}
    for report in reports:
        s = report.series
        head = Text()
        head.append(f"{s.title or '(untitled series)'}", style="bold")
        head.append(f"  v{s.revision}, {len(s.patches)}/{s.expected} patches", style="dim")
        if public_message_id(s.message_id):
            head.append(f"  <{s.message_id}>", style="dim")
        con.print(head)
        if report.error:
            con.print(Text(f"  could not check this series: {report.error}", style="bold red"))
            con.print()
            continue
        by_patch = {k: list(v) for k, v in groupby(report.findings, key=lambda f: f.patch)}
        for n in sorted(by_patch):
            patch = s.patch(n)
            _patch_block(con, s, patch, n, by_patch[n])
        for k, v in report.counts().items():
            totals[k] += v
        if not report.findings:
            con.print(Text("  no findings", style="green"))
        con.print()
    summary = Text()
    parts = [(totals["error"], "error"), (totals["warning"], "warning"), (totals["info"], "info")]
    summary.append(f"{len(reports)} series checked: ", style="bold")
    for i, (count, sev) in enumerate(parts):
        if i:
            summary.append(", ")
        summary.append(f"{count} {sev}{'s' if count != 1 else ''}", style=STYLE[sev] if count else "dim")
    con.print(summary)


def _patch_block(con, series, patch: Patch | None, n: int, findings: list[Finding]) -> None:
    from rich.rule import Rule as HRule
    from rich.text import Text

    title = patch.full_subject if patch is not None else f"Series: {series.title}"
    con.print(HRule(style="dim"))
    con.print(Text(title, style="bold"))
    # Group by the place quoted: subject, commit message line, or file:line.
    current_path = None
    for key, group in groupby(findings, key=lambda f: (f.anchor, f.path, f.line, f.text if f.anchor != "diff" else None)):
        group = list(group)
        first = group[0]
        if first.anchor == "diff" and first.path and first.path != current_path:
            con.print(Text(first.path, style="bold blue"))
            current_path = first.path
        con.print()
        for line in _quoted(first, patch):
            con.print(Text("  > " + line, style="dim" if not line.startswith("+") else "green"))
        for f in group:
            _comment(con, f)


def _quoted(f: Finding, patch: Patch | None) -> list[str]:
    if f.anchor == "diff" and patch is not None and f.path and f.line:
        fc = patch.file(f.path)
        if fc is not None:
            before = fc.context_before(f.line, CONTEXT_LINES)
            here = fc.line_at(f.line)
            out = [ln.kind + ln.text for ln in before]
            if here is not None:
                out.append(here.kind + here.text)
            return out
    if f.quote:
        return list(f.quote)
    if f.text:
        return [f.text]
    return []


def _comment(con, f: Finding) -> None:
    from rich.text import Text

    label = Text("  ")
    label.append(f"{f.severity:<8}", style=STYLE[f.severity])
    label.append(f"{f.rule}", style="bold")
    if f.anchor == "diff" and f.line:
        label.append(f"  (line {f.line})", style="dim")
    con.print(label)
    for line in textwrap.wrap(f.message, width=WIDTH - 4):
        con.print(Text("  " + line))
    if f.references:
        refs = list(f.references)
        con.print(Text("  ref: " + refs[0], style="dim"))
        for ref in refs[1:3]:
            con.print(Text("       " + ref, style="dim"))
