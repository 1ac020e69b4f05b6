"""The triage table: one row per series, worst first, for a maintainer's queue.

The rows arrive already sorted (see ``reviewtool.triage.ranking.Row.key``); this
module only lays them out.  Each row carries what decides "look at this
first": the E/W/I counts, the rules that fired most, and a lore link to open
the thread.  Plain text when not on a terminal (NO_COLOR respected).
"""

from __future__ import annotations

import os
from typing import IO, Any

from ..catalog import Rule
from ..model import Series, SeriesReport

LORE_LINK = "https://lore.kernel.org/r/{}"
STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
WIDTH = 200  # when not on a terminal: wide enough that lore links are not folded


def link(series: Series) -> str:
    public = series.public_id(series.message_id)  # no lore link for ids we made up
    return LORE_LINK.format(public) if public else ""


def _console(stream: IO[str]):
    from rich.console import Console

    tty = stream.isatty()
    width = None if tty else int(os.environ.get("COLUMNS") or WIDTH)
    return Console(file=stream, highlight=False, soft_wrap=False, no_color=bool(os.environ.get("NO_COLOR")),
                   emoji=False, markup=False, width=width)


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], *, messages: int | None = None,
           reply_threads: int = 0, reply_messages: int = 0, **_: Any) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..triage.ranking import top_rules

    con = _console(stream)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("E", justify="right", style=STYLE["error"], no_wrap=True)
    table.add_column("W", justify="right", style=STYLE["warning"], no_wrap=True)
    table.add_column("I", justify="right", style=STYLE["info"], no_wrap=True)
    table.add_column("series", ratio=1, overflow="fold", min_width=30)
    table.add_column("rev", justify="right", no_wrap=True)
    table.add_column("patches", justify="right", no_wrap=True)
    table.add_column("author", overflow="ellipsis", max_width=24, no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("top rules", overflow="fold", max_width=40)
    for report in reports:
        s = report.series
        c = report.counts()
        first = s.cover or (s.patches[0] if s.patches else None)
        cell = Text(s.title or "(untitled series)", style="bold")
        url = link(s)
        if url:
            cell.append("\n")
            cell.append(url, style=f"dim link {url}")
        if report.error:
            tops = Text("could not check: " + report.error, style=STYLE["error"])
            counts = [Text("-", style="dim")] * 3
        else:
            tops = Text()
            for i, (rule, sev, n) in enumerate(top_rules(report)):
                if i:
                    tops.append("\n")
                tops.append(rule + (f" x{n}" if n > 1 else ""), style=STYLE[sev])
            counts = [Text(str(c[k]), style=STYLE[k] if c[k] else "dim") for k in ("error", "warning", "info")]
        table.add_row(
            *counts,
            cell,
            f"v{s.revision}",
            f"{len(s.patches)}/{s.expected}",
            first.author.name or first.author.email if first else "",
            first.date.strftime("%Y-%m-%d") if first and first.date else "",
            tops,
        )
    if reports:
        con.print(table)
    else:
        con.print(Text("no series with patches found", style="dim"))
    con.print(Text(footer(reports, messages, reply_threads, reply_messages)))


def footer(reports: list[SeriesReport], messages: int | None, reply_threads: int, reply_messages: int) -> str:
    """One summary line: how much was read, how it splits, what was skipped and why."""
    patches = sum(len(r.series.patches) for r in reports)
    failed = sum(1 for r in reports if r.error)
    with_err = sum(1 for r in reports if not r.error and r.counts()["error"])
    with_warn = sum(1 for r in reports if not r.error and not r.counts()["error"] and r.counts()["warning"])
    clean = len(reports) - failed - with_err - with_warn
    parts = [f"{len(reports)} series ({patches} patches"
             + (f", {messages} messages read)" if messages is not None else ")")]
    parts.append(f"{with_err} with errors, {with_warn} with warnings only, {clean} without either")
    if failed:
        parts.append(f"{failed} could not be checked")
    if reply_threads:
        parts.append(f"skipped {reply_threads} thread{'s' if reply_threads != 1 else ''} with only replies "
                     f"({reply_messages} message{'s' if reply_messages != 1 else ''}; their patches are not in "
                     "the input)")
    return "; ".join(parts)
