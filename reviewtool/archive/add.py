"""``reviewtool archive add`` and ``archive stats``: fill the archive and say what it holds.

Local mail (mbox files, maildirs, directories of them) is read by ``mail``;
Message-IDs and lore searches are fetched through b4 exactly as ``check``
and ``triage --query`` fetch them.  Many files are parsed in a process pool;
the database is written by this process only.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError
from . import mail as mailmod
from .ingest import Records, records_for
from .store import has_fts


@dataclass(frozen=True)
class AddResult:
    files: int
    skipped: int  # files unchanged since they were last added
    messages: int  # messages read
    new_messages: int  # messages not in the archive before
    remarks: int  # remarks added
    seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


def add_sources(db: sqlite3.Connection, sources: list[str], query: str | None = None, opts: Any = None,
                jobs: int | None = None) -> AddResult:
    """Add local mail, Message-IDs / lore URLs and a lore search to the archive."""
    from ..sources.resolve import kind_of

    start = time.perf_counter()
    before = _counts(db)
    files: list[Path] = []
    fetched: list[list[mailmod.Mail]] = []
    for src in sources:
        kind = kind_of(src)
        if kind == "local":
            files.extend(_mail_files(Path(src)))
        elif kind == "lore":
            fetched.append(_lore_thread(src, opts))
        elif "/" in src or src.endswith((".mbox", ".eml", ".patch")):
            raise InputError(f"{src}: no such file or directory")
        else:
            raise InputError(f"{src}: not a mail file, maildir, directory or Message-ID")
    if query:
        fetched.append(_lore_search(query, opts))
    todo, skipped = _changed(db, files)
    # A 64 MB page cache: rows go into indexes keyed by Message-ID and shape, in no useful order, and
    # with SQLite's default 2 MB the pages they touch are written out and read back (~30 % of the
    # time spent writing the dev slice).  It lasts as long as this connection.
    db.execute("PRAGMA cache_size=-65536")
    n_messages = 0
    for recs, n, path in _parse_files(todo, jobs):
        _write(db, recs)
        n_messages += n
        if path is not None:
            st = path.stat()
            db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?)", (str(path.resolve()), st.st_size,
                                                                           st.st_mtime))
    for mails in fetched:
        _write(db, records_for(mails))
        n_messages += len(mails)
    finish(db)
    after = _counts(db)
    return AddResult(files=len(files), skipped=skipped, messages=n_messages,
                     new_messages=after["messages"] - before["messages"],
                     remarks=after["remarks"] - before["remarks"], seconds=time.perf_counter() - start)


def finish(db: sqlite3.Connection) -> None:
    """Derived tables after new rows: remark text index, per-shape counts."""
    from .precedents import refresh_stats

    if has_fts(db):
        db.execute("INSERT INTO remark_text(remark_text) VALUES ('rebuild')")
    refresh_stats(db)
    db.commit()


def add_mail_bytes(db: sqlite3.Connection, data: bytes) -> int:
    """Add the messages of one mbox held in memory (rule examples, tests); returns how many."""
    mails = mailmod.mails(mailmod.parse_bytes(raw) for raw in mailmod.split_mbox(data))
    _write(db, records_for(mails))
    finish(db)
    return len(mails)


def _mail_files(path: Path) -> list[Path]:
    """A file, a maildir (one unit), or a directory: its mbox files and maildirs, recursively."""
    if path.is_file():
        return [path]
    if (path / "cur").is_dir() or (path / "new").is_dir():
        return [path]
    out: list[Path] = []
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            out.extend(_mail_files(child))
        elif child.suffix in (".mbox", ".mbx", ".eml", ".patch", ".mail") or _looks_like_mail(child):
            out.append(child)
    return out


def _looks_like_mail(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return head.startswith(b"From ") or b"\nMessage-ID:" in head or b"\nMessage-Id:" in head


def _changed(db: sqlite3.Connection, files: list[Path]) -> tuple[list[Path], int]:
    """Files not added before, or changed since (size or mtime)."""
    todo, skipped = [], 0
    for f in files:
        try:
            st = f.stat()
        except OSError as exc:
            raise InputError(f"{f}: {exc.strerror or exc}") from None
        row = db.execute("SELECT size, mtime FROM sources WHERE path=?", (str(f.resolve()),)).fetchone()
        if row is not None and f.is_file() and row[0] == st.st_size and row[1] == st.st_mtime:
            skipped += 1
        else:
            todo.append(f)
    return todo, skipped


def parse_file(path: Path) -> tuple[Records, int]:
    """One unit of local mail -> rows (the pool's task)."""
    mails = mailmod.mails(mailmod.read_path(path))
    return records_for(mails), len(mails)


def _parse_files(files: list[Path], jobs: int | None) -> Iterable[tuple[Records, int, Path | None]]:
    jobs = jobs if jobs is not None else min(len(files), os.cpu_count() or 1)
    if jobs <= 1 or len(files) < 8:
        for f in files:
            recs, n = parse_file(f)
            yield recs, n, f
        return
    import concurrent.futures as cf
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_start) as pool:
        for f, (recs, n) in zip(files, pool.map(parse_file, files, chunksize=4)):
            yield recs, n, f


def _worker_start() -> None:
    """A parsing worker makes several small objects per diff line, nearly all kept until its file is
    done: Python's default collector thresholds (700, 10, 10) then spend ~4 % of the parse walking
    them.  Objects from before the fork are frozen (never collected here) and young ones collected
    less often."""
    import gc

    gc.freeze()
    gc.set_threshold(10000, 10, 10)


def _write(db: sqlite3.Connection, r: Records) -> None:
    db.executemany("INSERT OR IGNORE INTO messages VALUES (?,?,?,?,?)", r.messages)
    db.executemany("INSERT OR IGNORE INTO patches VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", r.patches)
    db.executemany("INSERT OR IGNORE INTO remarks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", r.remarks)
    db.executemany("INSERT OR IGNORE INTO reviews VALUES (?,?,?,?,?)", r.reviews)
    db.executemany("INSERT OR IGNORE INTO added VALUES (?,?)", r.added)
    db.executemany("INSERT OR IGNORE INTO patch_lines VALUES (?,?)", r.lines)


def _lore_thread(source: str, opts: Any) -> list[mailmod.Mail]:
    from ..sources import lore

    got = lore.fetch(source, opts)
    return mailmod.mails(mailmod.from_email(m) for m in got.messages)


def _lore_search(query: str, opts: Any) -> list[mailmod.Mail]:
    """Whole threads of a lore search, as ``triage --query`` fetches them."""
    from ..sources import b4setup

    lore_url = getattr(opts, "lore_url", None)
    b4 = b4setup.ready(lore_url=lore_url, network=True, timeout=getattr(opts, "timeout", None),
                       cache=not getattr(opts, "no_cache", False))
    try:
        msgs = b4.get_pi_search_results(query, nocache=bool(getattr(opts, "no_cache", False)), full_threads=True)
    except Exception as exc:  # liblore network errors
        raise InputError(f"lore search failed ({type(exc).__name__}: {exc})") from None
    finally:
        b4.can_network = False
    if not msgs:
        raise InputError(f"lore search {query!r} returned nothing (no match, or the server failed)")
    return mailmod.mails(mailmod.from_email(m) for m in msgs)


def _counts(db: sqlite3.Connection) -> dict[str, int]:
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("messages", "remarks")}


def stats(db: sqlite3.Connection) -> dict[str, Any]:
    """What the archive holds."""
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "threads": one("SELECT count(DISTINCT thread) FROM messages"),
        "messages": one("SELECT count(*) FROM messages"),
        "patches": one("SELECT count(*) FROM patches WHERE n > 0"),
        "cover_letters": one("SELECT count(*) FROM patches WHERE n = 0"),
        "remarks": one("SELECT count(*) FROM remarks"),
        "remarks_on_lines": one("SELECT count(*) FROM remarks WHERE line IS NOT NULL"),
        "reviewers": one("SELECT count(DISTINCT reviewer_email) FROM remarks WHERE bot = 0"),
        "reviewed_patches": one("SELECT count(DISTINCT patch_msgid) FROM reviews"),
        "patches_with_a_later_revision": one("SELECT count(*) FROM outcomes o JOIN patches p ON p.msgid = o.msgid "
                                             "WHERE p.n > 0 AND o.later_revisions > 0"),
        "binding_patches": one("SELECT count(*) FROM patches WHERE binding_dir != ''"),
        "first_date": one("SELECT min(date) FROM messages"),
        "last_date": one("SELECT max(date) FROM messages"),
        "full_text_search": has_fts(db),
    }
