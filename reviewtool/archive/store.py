"""The archive database: SQLite (standard library), one file, FTS5 on remark text where present.

Where it lives: ``--archive PATH``, else ``$REVIEWTOOL_ARCHIVE``, else
``$XDG_DATA_HOME/reviewtool/archive.sqlite`` (``~/.local/share`` without XDG).
Rows are keyed by Message-ID, so adding the same mail twice changes nothing
and adding a thread's new replies later only adds those (idempotent and
incremental).  The schema is created on first open; reading never creates a file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import InputError

ENV_ARCHIVE = "REVIEWTOOL_ARCHIVE"
SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sources(path TEXT PRIMARY KEY, size INTEGER, mtime REAL);
CREATE TABLE IF NOT EXISTS messages(msgid TEXT PRIMARY KEY, thread TEXT, kind TEXT, date TEXT, list TEXT);
CREATE TABLE IF NOT EXISTS patches(
    msgid TEXT PRIMARY KEY, thread TEXT, family TEXT, version INTEGER, n INTEGER, total INTEGER,
    subject TEXT, subject_key TEXT, author TEXT, author_email TEXT, date TEXT, list TEXT,
    files TEXT, added INTEGER, compatibles TEXT, binding_dir TEXT, binding_class TEXT, words TEXT, title_words TEXT,
    own_review INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS patches_thread ON patches(thread);
CREATE INDEX IF NOT EXISTS patches_subject ON patches(subject_key);
CREATE TABLE IF NOT EXISTS remarks(
    msgid TEXT, seq INTEGER, patch_msgid TEXT, thread TEXT, family TEXT, reviewer TEXT, reviewer_email TEXT,
    date TEXT, list TEXT, path TEXT, line INTEGER, target TEXT, quoted TEXT, comment TEXT,
    shape TEXT, shape_kind TEXT, bot INTEGER, PRIMARY KEY(msgid, seq));
CREATE INDEX IF NOT EXISTS remarks_shape ON remarks(shape);
CREATE INDEX IF NOT EXISTS remarks_patch ON remarks(patch_msgid);
CREATE INDEX IF NOT EXISTS remarks_family ON remarks(family, bot);
CREATE INDEX IF NOT EXISTS patches_author ON patches(author_email, subject_key);
CREATE TABLE IF NOT EXISTS reviews(msgid TEXT, patch_msgid TEXT, tag TEXT, reviewer_email TEXT, date TEXT,
    PRIMARY KEY(msgid, patch_msgid, tag));
CREATE INDEX IF NOT EXISTS reviews_patch ON reviews(patch_msgid);
CREATE TABLE IF NOT EXISTS added(shape TEXT, patch_msgid TEXT, PRIMARY KEY(shape, patch_msgid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS patch_lines(patch_msgid TEXT PRIMARY KEY, body BLOB);
CREATE TABLE IF NOT EXISTS shape_stats(shape TEXT PRIMARY KEY, remarked INTEGER, adding INTEGER);
-- Similar-submission index (derived after every add): binding submissions that got remarks, their words
-- with IDF norms precomputed, a word -> submission posting list, and the IDF of every word.
CREATE TABLE IF NOT EXISTS submissions(msgid TEXT PRIMARY KEY, family TEXT, subject TEXT, author TEXT, date TEXT,
    binding_dir TEXT, binding_class TEXT, thread TEXT, words TEXT, title_words TEXT, words_norm REAL,
    title_norm REAL);
CREATE INDEX IF NOT EXISTS submissions_class ON submissions(binding_class);
CREATE TABLE IF NOT EXISTS submission_words(word TEXT, msgid TEXT, title INTEGER, PRIMARY KEY(word, msgid))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idf(word TEXT PRIMARY KEY, weight REAL) WITHOUT ROWID;
-- A patch's outcome: later revisions of it (same subject and author, higher version) and its tags.
CREATE VIEW IF NOT EXISTS outcomes AS
    SELECT p.msgid,
        (SELECT count(*) FROM patches q WHERE q.subject_key = p.subject_key AND q.author_email = p.author_email
            AND q.version > p.version) AS later_revisions,
        (SELECT count(*) FROM reviews v WHERE v.patch_msgid = p.msgid AND v.tag = 'Reviewed-by') + p.own_review
            AS reviewed_by,
        (SELECT count(*) FROM reviews v WHERE v.patch_msgid = p.msgid AND v.tag = 'Acked-by') AS acked_by
    FROM patches p;
"""
FTS = "CREATE VIRTUAL TABLE IF NOT EXISTS remark_text USING fts5(comment, content='remarks', content_rowid='rowid')"


def default_path() -> Path:
    env = os.environ.get(ENV_ARCHIVE)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "reviewtool" / "archive.sqlite"


def resolve(path: str | None) -> Path:
    return Path(path) if path else default_path()


def open_archive(path: str | os.PathLike | None = None, create: bool = False) -> sqlite3.Connection | None:
    """The archive database; None when it does not exist and ``create`` is false."""
    p = Path(path) if path else default_path()
    if not create and not p.is_file():
        return None
    if create:
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{p.parent}: cannot create the archive directory ({exc.strerror or exc})") from None
    try:
        db = sqlite3.connect(str(p) if create else f"file:{p}?mode=ro", uri=not create)
        if create:
            db.executescript(SCHEMA)
            try:
                db.execute(FTS)
            except sqlite3.OperationalError:
                pass  # no FTS5 in this SQLite: text search falls back to LIKE
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            db.commit()
        else:
            got = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if got is None or got[0] != SCHEMA_VERSION:
                raise InputError(f"{p}: not a reviewtool archive of schema {SCHEMA_VERSION} (rebuild it)")
            if db.execute("SELECT 1 FROM sqlite_master WHERE name='submissions'").fetchone() is None:
                raise InputError(f"{p}: archive without the similarity index; run 'reviewtool archive add' "
                                 "once with any source to build it")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{p}: not a readable archive database ({exc})") from None
    return db


def memory() -> sqlite3.Connection:
    """An empty archive in memory (rule examples, tests)."""
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    return db


def has_fts(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name='remark_text'").fetchone() is not None
