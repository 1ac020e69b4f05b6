"""Build triage rows: slim checked reports, and rows for what could not be checked.

Only rows outlive a family's check, so they carry what the table and the
JSON contract read and nothing else (no diffs, bodies or replies): that is
what keeps triage's memory flat in the number of series.
"""

from __future__ import annotations

from datetime import datetime

from ..model import Patch, Person, Series, SeriesReport
from .heads import Broken
from .ranking import Row


def date_ts(d: datetime | None) -> float:
    return d.timestamp() if d is not None else 0.0


def _slim_patch(p: Patch) -> Patch:
    return Patch(n=p.n, total=p.total, tags=p.tags, author=p.author, date=p.date, message_id=p.message_id,
                 in_reply_to=p.in_reply_to, commit_message="", origin=p.origin)


def slim(report: SeriesReport) -> SeriesReport:
    """Keep what the table and the JSON contract read; drop diffs, bodies, replies."""
    s = report.series
    series = Series(
        title=s.title, revision=s.revision, expected=s.expected,
        patches=tuple(_slim_patch(p) for p in s.patches),
        cover=_slim_patch(s.cover) if s.cover is not None else None,
        change_id=s.change_id, base_commit=s.base_commit, source=s.source, notes=s.notes, origin=s.origin,
    )
    return SeriesReport(series=series, findings=report.findings, error=report.error)


def series_date(s: Series) -> datetime | None:
    first = s.cover or (s.patches[0] if s.patches else None)
    return first.date if first is not None else None


def error_row(fam, revision: int, where: str, error: str) -> Row:
    """A row for a family that could not be assembled, from its header facts."""
    mails = fam.revisions[revision]
    patches: list[Patch] = []
    cover = None
    for m in sorted(mails, key=lambda m: (m.tags.counter or 0, m.lmsg.msgid)):
        lm = m.lmsg
        p = Patch(n=0 if m.kind == "cover" else (m.tags.counter or 1), total=m.tags.total or 1, tags=m.tags,
                  author=Person((lm.fromname or "").strip(), (lm.fromemail or "").lower()), date=lm.date,
                  message_id=lm.msgid, in_reply_to=lm.in_reply_to, commit_message="", origin=lm.ref.origin(lm.msgid))
        if m.kind == "cover" and cover is None:
            cover = p
        elif m.kind != "cover":
            patches.append(p)
    first = cover or (patches[0] if patches else None)
    series = Series(
        title=first.subject if first else "", revision=revision,
        expected=max([m.tags.total or 0 for m in mails] + [len(patches)]),
        patches=tuple(patches), cover=cover, source=where,
    )
    return Row(SeriesReport(series=series, error=error), date_ts(first.date if first else None))


def broken_row(b: Broken) -> Row:
    """A row for one message b4 could not parse, from whatever headers it has."""
    from ..subject import parse_subject

    tags = parse_subject(b.subject)
    name, _, email = b.author.rpartition("<")
    person = Person(name.strip().strip('"'), email.strip(">").strip().lower()) if email else Person("", b.author)
    p = Patch(n=tags.counter or 1, total=tags.total or 1, tags=tags, author=person, date=b.date,
              message_id=b.msgid, in_reply_to=None, commit_message="", origin=b.ref.origin(b.msgid))
    series = Series(title=tags.subject, revision=tags.version or 1, expected=tags.total or 1, patches=(p,),
                    source=b.ref.source)
    return Row(SeriesReport(series=series, error=f"cannot parse this message: {b.error}"), date_ts(b.date))


def unfetched_row(msgid: str, error: str) -> Row:
    """A row for a Message-ID the lore source could not load."""
    from ..subject import parse_subject

    title = msgid.strip("<>")
    p = Patch(n=1, total=1, tags=parse_subject(title), author=Person("", ""), date=None, message_id=title,
              in_reply_to=None, commit_message="")
    return Row(SeriesReport(series=Series(title=title, revision=1, expected=1, patches=(p,), source=msgid),
                            error=error), 0.0)
