"""The human report: what matters first, then each finding under the lines it is about.

Per series: a summary (counts per severity, per patch, the rules that
fired), then per patch its errors and warnings in line order, each under the
quoted lines (``> +...`` with a little context) as a reviewer replies.
Findings below the shown severity (infos by default) are folded into one
"+N infos" line.  A rule's references are listed once per report, under its
first shown finding.  Status notes (what this run could not verify) go to
one footer per series.  Text is wrapped to the terminal width (``COLUMNS``),
only between words; quoted patch lines are never wrapped.  Rich does colour
on a terminal and plain text elsewhere (NO_COLOR respected).
"""

from __future__ import annotations

import os
from collections import Counter
from itertools import groupby
from typing import IO, Any

from ..catalog import Rule
from ..model import SEVERITY_RANK, Finding, Patch, SeriesReport
from ..textlayout import pack, width_for, wrap

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITIES = ("error", "warning", "info")
CONTEXT_LINES = 3
DEFAULT_MIN_SEVERITY = "warning"  # infos are folded unless asked for


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def counts_text(findings: list[Finding] | tuple[Finding, ...]) -> str:
    c = Counter(f.severity for f in findings)
    return ", ".join(plural(c[s], s) for s in SEVERITIES if c[s]) or "no findings"


def _console(stream: IO[str], width: int | None = None):
    """A rich console on ``stream`` (also used by the history timeline)."""
    from rich.console import Console

    return Console(
        file=stream,
        highlight=False,
        soft_wrap=True,  # we wrap prose ourselves; quoted code is never wrapped
        no_color=bool(os.environ.get("NO_COLOR")),
        emoji=False,
        markup=False,
        width=width or width_for(stream),
    )


class _Printer:
    """Prints one report; remembers which rules' references were listed."""

    def __init__(self, stream: IO[str], min_severity: str):
        self.width = width_for(stream)
        self.con = _console(stream, self.width)
        self.threshold = SEVERITY_RANK[min_severity]
        self.min_severity = min_severity
        self.referenced: set[str] = set()

    def line(self, text: str = "", style: str | None = None) -> None:
        from rich.text import Text

        self.con.print(Text(text, style=style or ""))

    def prose(self, text: str, indent: str = "  ", rest: str | None = None, style: str | None = None) -> None:
        for ln in wrap(text, self.width, indent, rest):
            self.line(ln, style)

    def shown(self, f: Finding) -> bool:
        return SEVERITY_RANK[f.severity] >= self.threshold

    # -- one series ------------------------------------------------------------

    def series(self, report: SeriesReport) -> None:
        s = report.series
        head = f"{s.title or '(untitled series)'} (v{s.revision}, {len(s.patches)}/{s.expected} patches)"
        if s.public_id(s.message_id):
            head += f"  <{s.message_id}>"
        # The report opens with the summary, the series named on its first line.
        self.prose(("Summary of " if not report.error else "") + head, indent="", rest="  ", style="bold")
        if report.error:
            self.prose(f"could not check this series: {report.error}", style="bold red")
            self.line()
            return
        remarks = report.remarks
        self.summary(report, remarks)
        for n, group in groupby(remarks, key=lambda f: f.patch):
            self.patch_block(report, s.patch(n), n, list(group))
        self.footer(report)
        self.line()

    def summary(self, report: SeriesReport, remarks: tuple[Finding, ...]) -> None:
        s = report.series
        notes = report.status_notes
        text = counts_text(remarks)
        hidden = [f for f in remarks if not self.shown(f)]
        if hidden:
            text += f" ({len(hidden)} folded: --min-severity {hidden_level(hidden)} to show)"
        if notes:
            text += f"; {plural(len(notes), 'note')} on what could not be verified at the end"
        silenced = Counter(f.suppression.kind for f in report.suppressed if f.suppression is not None)
        if silenced["ignore"]:
            text += f"; {silenced['ignore']} ignored by [[ignore]] entries"
        if silenced["baseline"]:
            text += f"; {silenced['baseline']} already in the baseline, not shown"
        self.prose(text, indent="  ", rest="    ", style="bold")
        if not remarks:
            return
        self.line("By patch:")
        labels = {n: (f"{n}/{s.expected}" if n else ("0/" + str(s.expected) if s.cover else "series"))
                  for n in {f.patch for f in remarks}}
        label_w = max(len(v) for v in labels.values())
        per_patch = {n: counts_text(list(g)) for n, g in groupby(remarks, key=lambda f: f.patch)}
        count_w = max(len(v) for v in per_patch.values())
        for n, counts in per_patch.items():
            patch = s.patch(n)
            subject = patch.subject if patch is not None else (s.title or "the series")
            lead = f"  {labels[n]:<{label_w}}  {counts:<{count_w}}  "
            if len(lead) + 20 > self.width:  # too narrow for columns: subject on its own lines
                self.line(lead.rstrip())
                self.prose(subject, indent="      ")
            else:
                self.prose(subject, indent=lead, rest=" " * len(lead))
        self.line("Rules that fired:")
        for sev in SEVERITIES:
            fired = Counter(f.rule for f in remarks if f.severity == sev)
            if not fired:
                continue
            items = [f"{rid} ({n})" if n > 1 else rid for rid, n in sorted(fired.items())]
            for ln in pack(items, self.width, indent=f"  {sev:<8} ", rest=" " * 11):
                self.line(ln)

    def patch_block(self, report: SeriesReport, patch: Patch | None, n: int, findings: list[Finding]) -> None:
        from rich.rule import Rule as HRule

        s = report.series
        self.con.print(HRule(style="dim"))
        title = patch.full_subject if patch is not None else f"Series: {s.title}"
        self.prose(title, indent="", rest="  ", style="bold")
        shown = [f for f in findings if self.shown(f)]
        current_path = None
        for _key, group in groupby(shown, key=lambda f: (f.anchor, f.path, f.line,
                                                         f.text if f.anchor != "diff" else None)):
            group = list(group)
            first = group[0]
            if first.anchor == "diff" and first.path and first.path != current_path:
                self.line(first.path, "bold blue")
                current_path = first.path
            self.line()
            for quoted in _quoted(first, patch):
                self.line("  > " + quoted, "green" if quoted.startswith("+") else "dim")
            for f in group:
                self.comment(f)
        hidden = [f for f in findings if not self.shown(f)]
        if hidden:
            self.line()
            self.prose(f"+{counts_text(hidden)}: --min-severity {hidden_level(hidden)} to show", style="dim")

    def comment(self, f: Finding) -> None:
        from rich.text import Text

        label = Text("  ")
        label.append(f"{f.severity:<8}", style=STYLE[f.severity])
        label.append(f.rule, style="bold")
        if f.anchor == "diff" and f.line:
            label.append(f"  (line {f.line})", style="dim")
        self.con.print(label)
        self.prose(f.message)
        if f.references and f.rule not in self.referenced:
            self.referenced.add(f.rule)
            for i, ref in enumerate(f.references):
                self.prose(ref, indent="  ref: " if i == 0 else "       ", rest="       ", style="dim")

    def footer(self, report: SeriesReport) -> None:
        notes = report.status_notes
        if not notes:
            return
        self.con.print()
        self.line("Not verified in this run (limits of the input, not problems in the series):", "bold")
        for f in notes:
            self.prose(f"{f.message} [{f.rule}]", indent="  - ", rest="    ", style="dim")


def hidden_level(hidden: list[Finding]) -> str:
    """The --min-severity value that would show every hidden finding."""
    return min((f.severity for f in hidden), key=SEVERITY_RANK.__getitem__)


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], *,
           min_severity: str | None = None, **_: Any) -> None:
    printer = _Printer(stream, min_severity or DEFAULT_MIN_SEVERITY)
    for report in reports:
        printer.series(report)
    totals: Counter[str] = Counter()
    for report in reports:
        totals.update(f.severity for f in report.remarks)
    from rich.text import Text

    summary = Text()
    summary.append(f"{len(reports)} series checked: ", style="bold")
    for i, sev in enumerate(SEVERITIES):
        if i:
            summary.append(", ")
        summary.append(plural(totals[sev], sev), style=STYLE[sev] if totals[sev] else "dim")
    printer.con.print(summary)


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
