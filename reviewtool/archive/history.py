"""Earlier revisions' remarks from the review archive, for ``history`` and ``series/prior-feedback``.

When the input holds only the newest revision (a single thread from lore, a
local mbox of one posting), the archive may still hold the earlier ones: the
same subject from the same author, in another thread, with a lower version
or an earlier date.  Their remarks become ordinary ``history.Remark`` objects,
checked against the newest revision like any other.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import datetime

from ..history import Remark, RevisionHistory, Settings, assess
from ..model import Person, Series
from .ingest import subject_key
from .store import open_archive


def archived_remarks(db: sqlite3.Connection, series: Series, settings: Settings | None = None) -> list[Remark]:
    """Remarks the archive holds on earlier revisions of ``series``, oldest first, assessed against it."""
    own = {p.message_id for rev in (series, *series.earlier) for p in (rev.cover, *rev.patches) if p is not None}
    out: list[Remark] = []
    for p in (series.cover, *series.patches):
        if p is None or not p.author.email:
            continue
        rows = db.execute(
            "SELECT q.msgid, q.version, q.n, q.subject, q.date, r.msgid, r.reviewer, r.reviewer_email, r.date, "
            "r.path, r.quoted, r.target, r.comment, r.bot FROM patches q JOIN remarks r ON r.patch_msgid = q.msgid "
            "WHERE q.subject_key = ? AND q.author_email = ? ORDER BY r.date, r.msgid, r.seq",
            (subject_key(p.subject), p.author.email)).fetchall()
        for (pid, version, n, subject, pdate, mid, name, email, date, path, quoted, target, comment, bot) in rows:
            if pid in own:
                continue
            earlier = version < series.revision or (p.date is not None and pdate is not None
                                                     and pdate < _iso(p.date) and version <= series.revision)
            if not earlier:
                continue
            remark = Remark(revision=version, message_id=mid, author=Person(name or "", email or ""),
                            date=_parse(date), patch=n, patch_subject=subject, path=path,
                            quoted=tuple(quoted.split("\n")) if quoted else (), target=target,
                            comment=tuple(comment.split("\n")), bot=bool(bot))
            out.append(assess(remark, series, settings))
    out.sort(key=lambda r: (r.date.timestamp() if r.date else 0.0, r.message_id))
    return out


def with_archive(series: Series, revisions: list[RevisionHistory], settings: Settings | None = None,
                 archive: str | None = None) -> list[RevisionHistory]:
    """``revisions`` (from the input) with the archive's earlier revisions put first when the input has none."""
    if any(not h.newest for h in revisions):
        return revisions
    db = open_archive(archive)
    if db is None:
        return revisions
    by_rev: dict[int, list[Remark]] = defaultdict(list)
    for r in archived_remarks(db, series, settings):
        by_rev[r.revision].append(r)
    earlier = [RevisionHistory(revision=v, title=rs[0].patch_subject, message_id=None,
                               date=rs[0].date, newest=False, remarks=rs) for v, rs in sorted(by_rev.items())]
    return earlier + revisions


def _iso(dt: datetime) -> str:
    from .ingest import iso

    return iso(dt) or ""


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
