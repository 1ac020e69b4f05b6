"""``reviewtool history`` output: the remarks each revision got, as a timeline.

Terminal (rich; plain text when not a terminal or with NO_COLOR) or JSON.
Per revision, oldest first, each reply by date with who wrote it, the patch
and file, the quoted lines, the start of the comment and its lore link; a
remark on an earlier revision whose quoted line is still in the newest one
is marked "possibly unaddressed".
"""

from __future__ import annotations

import json
from datetime import timezone
from itertools import groupby
from typing import IO, Any

from .. import __version__
from ..history import RevisionHistory, has_changelog_in, history_dict
from ..model import Series

WIDTH = 100


def render(items: list[tuple[Series, list[RevisionHistory]]], fmt: str, stream: IO[str],
           newer: dict[int, tuple[bool, str]] | None = None) -> None:
    """``newer``: per item index, (a newer revision was found, what to say) when --newer was asked."""
    newer = newer or {}
    if fmt == "json":
        series = []
        for i, (s, revs) in enumerate(items):
            out = history_dict(s, revs)
            if i in newer:
                out["newer"] = {"found": newer[i][0], "note": newer[i][1]}
            series.append(out)
        doc = {"tool": "reviewtool", "version": __version__, "series": series}
        json.dump(doc, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
        return
    _terminal(items, stream, newer)


def newer_note(source: str, series: Series) -> tuple[bool, str]:
    """For --newer: whether a revision newer than the one asked for was found, in words."""
    from ..sources.resolve import kind_of

    if kind_of(source) != "lore":
        return False, (f"--newer looks on lore; {source} is local, and its newest revision is v{series.revision}")
    from ..sources.lore import parse_source

    asked = parse_source(source).msgid
    newest_ids = {p.message_id for p in (series.cover, *series.patches) if p is not None}
    newest_ids |= {m.message_id for m in series.replies}
    if asked in newest_ids:
        return False, f"No revision newer than v{series.revision} was found on lore."
    return True, f"Found a newer revision on lore: v{series.revision} is the newest."


def _terminal(items: list[tuple[Series, list[RevisionHistory]]], stream: IO[str],
              newer: dict[int, tuple[bool, str]] | None = None) -> None:
    from rich.rule import Rule
    from rich.text import Text

    from .terminal import _console

    con = _console(stream)
    for i, (series, revisions) in enumerate(items):
        head = Text()
        head.append(series.title or "(untitled series)", style="bold")
        head.append(f"  review history up to v{series.revision}", style="dim")
        con.print(head)
        if newer and i in newer:
            con.print(Text(newer[i][1], style="bold" if newer[i][0] else "yellow"))
        if series.earlier:
            has = has_changelog_in(series)
            con.print(Text(f"v{series.revision} {'has a changelog' if has else 'has no changelog'} "
                           "(cover letter or notes below '---')", style="dim" if has else "yellow"))
        for rev in revisions:
            con.print(Rule(style="dim"))
            line = Text()
            line.append(f"v{rev.revision}", style="bold")
            if rev.newest:
                line.append(" (newest)", style="bold")
            if rev.date:
                line.append(f"  {rev.date:%Y-%m-%d}", style="dim")
            if rev.message_id:
                line.append(f"  <{rev.message_id}>", style="dim")
            people = {r.author.email for r in rev.remarks}
            line.append(f"  {len(rev.remarks)} remark{'s' if len(rev.remarks) != 1 else ''}"
                        f" from {len(people)} {'person' if len(people) == 1 else 'people'}")
            open_ = sum(1 for r in rev.remarks if r.possibly_unaddressed)
            if open_ and not rev.newest:
                line.append(f", {open_} possibly unaddressed", style="yellow")
            con.print(line)
            if not rev.remarks:
                con.print(Text("  no review remarks", style="dim"))
            for _, group in groupby(rev.remarks, key=lambda r: r.message_id):
                _reply(con, list(group), rev.newest, series.revision)
            con.print()
    total = sum(len(r.remarks) for _, revs in items for r in revs if not r.newest)
    open_total = sum(1 for _, revs in items for r in revs for m in r.remarks if m.possibly_unaddressed)
    summary = Text(f"{total} remark{'s' if total != 1 else ''} on earlier revisions", style="bold")
    if open_total:
        summary.append(f", {open_total} possibly unaddressed", style="yellow")
    con.print(summary)


def _reply(con: Any, remarks: list, newest: bool, newest_rev: int) -> None:
    from rich.text import Text

    first = remarks[0]
    con.print()
    head = Text("  ")
    when = first.date.astimezone(timezone.utc) if first.date else None
    head.append(f"{when:%Y-%m-%d %H:%M} UTC" if when else "undated", style="dim")
    head.append(f"  {first.author}", style="bold")
    if first.bot:
        head.append("  [bot]", style="dim")
    on = "cover letter" if first.patch == 0 else first.patch_subject
    head.append(f"  on {on}")
    con.print(head)
    con.print(Text(f"    {first.link}", style="dim"))
    for r in remarks:
        if r.path:
            con.print(Text(f"    {r.path}", style="blue"))
        for q in r.quoted:
            con.print(Text("    > " + q, style="green" if q.startswith("+") else "dim"))
        for c in r.comment:
            con.print(Text("    " + c))
        if not newest:
            if r.still_present is not None:
                loc = r.still_present
                con.print(Text(f"    possibly unaddressed: still added unchanged in v{newest_rev} patch {loc.patch}, "
                               f"{loc.path}:{loc.line}", style="bold yellow"))
            elif r.evidence is not None and r.evidence.kind == "changelog":
                con.print(Text(f'    addressed: the v{newest_rev} changelog says "{r.evidence.text}"', style="green"))
            elif r.evidence is not None:
                con.print(Text(f"    addressed: the quoted line is gone or changed in v{newest_rev}", style="green"))
            else:
                con.print(Text(f"    no evidence either way in v{newest_rev}", style="dim"))
        if r is not remarks[-1]:
            con.print()


def run_history(source: str, fmt: str = "terminal", revision: int | None = None, lore_url: str | None = None,
                timeout: float | None = None, no_cache: bool = False, newer: bool = False,
                no_config: bool = False, stream: IO[str] | None = None) -> int:
    """What ``reviewtool history`` does: load the series, collect remarks, render."""
    import sys

    from ..errors import InputError
    from ..history import Settings, series_history
    from ..sources.resolve import LoadOptions, load

    if fmt not in ("terminal", "json"):
        raise InputError(f"unknown format {fmt!r} for history (choose from json, terminal)")
    rules_dirs: list[str] = []
    if not no_config:
        from ..config import load_config

        cfg = load_config()
        lore_url = lore_url if lore_url is not None else cfg.lore_url
        timeout = timeout if timeout is not None else cfg.timeout
        no_cache = no_cache or cfg.cache is False
        rules_dirs = list(cfg.rules_dirs)
    settings = Settings.from_params(_rule_params(rules_dirs))
    opts = LoadOptions(revision=revision, lore_url=lore_url, timeout=timeout, no_cache=no_cache, newer=newer)
    from ..archive.history import with_archive

    # The review archive (when there is one) supplies earlier revisions the input lacks.
    items = [(s, with_archive(s, series_history(s, settings), settings)) for s in load(source, opts)]
    notes = {i: newer_note(source, s) for i, (s, _) in enumerate(items)} if newer else None
    render(items, fmt, stream or sys.stdout, notes)
    return 0


def _rule_params(rules_dirs: list[str]) -> dict[str, Any]:
    """The prior-feedback rule's params (word lists, thresholds), as users tuned them."""
    from ..catalog import load_catalog

    rule = next((r for r in load_catalog(rules_dirs) if r.id == "series/prior-feedback"), None)
    return dict(rule.params) if rule is not None else {}
