"""What maintainers said before about lines and submissions like the ones being checked.

Two questions, both answered only with real remarks from the archive (the
reviewer's own first sentence, date and lore link; nothing paraphrased):

* line level: this added line has a shape (``shapes``) that maintainers
  commented on in at least ``min_threads`` distinct submissions, and often
  enough relative to how many submissions added it (``min_rate``): which of
  those remarks is closest to this line?
* series level: which earlier submissions are most like this binding (same
  directory and class, words of its title and description weighted by how
  rare they are in the archive), and what were they told?

One ``Precedents`` object per check run; it reads the archive once, lazily.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any, Iterable, Mapping

from ..history import LORE_LINK
from ..model import Patch
from .ingest import binding_dir, binding_files, describing_words, post_image
from .shapes import file_kind, needle, shape_of


@dataclass(frozen=True)
class PastRemark:
    """One archived remark, as written."""

    message_id: str
    reviewer: str
    reviewer_email: str
    date: str | None
    subject: str  # of the patch it answered
    path: str | None
    target: str | None
    comment: str
    thread: str = ""

    @property
    def link(self) -> str:
        return LORE_LINK.format(msgid=self.message_id)

    @property
    def day(self) -> str:
        return (self.date or "undated")[:10]

    @property
    def first_sentence(self) -> str:
        return first_sentence(self.comment)


@dataclass(frozen=True)
class LinePrecedent:
    shape: str
    threads: int  # distinct submissions whose line of this shape got a remark
    adding: int  # distinct submissions that added a line of this shape
    remark: PastRemark  # the closest one


@dataclass(frozen=True)
class SimilarSubmission:
    subject: str
    author: str
    date: str | None
    message_id: str
    score: float
    shared: tuple[str, ...]  # what makes it similar: the directory, the rare words in common
    remarks: tuple[PastRemark, ...]


@dataclass(frozen=True)
class Settings:
    min_threads: int = 2
    min_rate: float = 0.15  # remarked submissions / submissions adding the shape
    max_per_patch: int = 2
    min_comment_words: int = 4
    min_score: float = 0.25
    top: int = 3
    remarks_per_submission: int = 3

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> "Settings":
        base = cls()
        p = dict(params or {})
        return cls(**{k: type(getattr(base, k))(p.get(k, getattr(base, k))) for k in cls.__dataclass_fields__})


_SENTENCE = re.compile(r"(.+?[.?!])(?:\s|$)")
# A first sentence that only announces the review ("A few comments inline.") or thanks: nothing to show.
_PREAMBLE = re.compile(r"(?i)\b(comments? (are )?inline|inline comments?|(a )?few (more |minor )?comments|"
                       r"some (more |minor )?comments|comments below|thanks?( you)? for (the|your) (patch|review|work)"
                       r"|thank you for the review)\b")


def first_sentence(comment: str) -> str:
    text = " ".join(comment.split())
    m = _SENTENCE.match(text)
    out = m.group(1) if m else text
    return out if len(out) <= 300 else out[:297].rstrip() + "..."


class Precedents:
    """Archive look-ups for one check run."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._by_shape: dict[str, list[PastRemark]] = {}
        self._idf: dict[str, float] = {}  # the words looked up so far
        self._eligible_cache: dict[tuple, tuple] = {}

    # ------------------------------------------------------------------ lines

    def _eligible(self, settings: Settings) -> tuple[dict[str, tuple[int, int]], dict[str, re.Pattern | None]]:
        """Shapes remarked often enough for these settings -> (remarked, adding); and per file kind a
        pattern of words one of them needs (None: a shape of that kind has none, shape every line)."""
        key = (settings.min_threads, settings.min_rate)
        if key not in self._eligible_cache:
            stats = {s: (r, a) for s, r, a in self.db.execute(
                "SELECT shape, remarked, adding FROM shape_stats WHERE remarked >= ? AND remarked >= ? * "
                "max(adding, remarked)", key)}
            needles: dict[str, set[str] | None] = {}
            for shape in stats:
                kind = shape.split(":", 1)[0]
                word = needle(shape)
                if word is None:
                    needles[kind] = None
                elif needles.setdefault(kind, set()) is not None:
                    needles[kind].add(word)  # type: ignore[union-attr]
            prefilter = {k: None if v is None else re.compile("|".join(map(re.escape, sorted(v))))
                         for k, v in needles.items()}
            self._eligible_cache[key] = (stats, prefilter)
        return self._eligible_cache[key]

    def lines(self, patch: Patch, settings: Settings, exclude: frozenset[str] = frozenset()):
        """(file, line, precedent) for the added lines of a patch that have one; only lines holding a word
        an eligible shape keeps are shaped at all (most lines of a big series are not)."""
        stats, prefilter = self._eligible(settings)
        for f in patch.files:
            kind = file_kind(f.path)
            if kind not in prefilter:
                continue  # no shape of this kind was remarked often enough
            words = prefilter[kind]
            for ln, above in post_image(f):
                if words is not None and words.search(ln.text) is None:
                    continue
                got = self._line(f.path, ln.text, above, stats, settings, exclude)
                if got is not None:
                    yield f, ln, got

    def line(self, path: str, text: str, above, settings: Settings, exclude: frozenset[str] = frozenset()
             ) -> LinePrecedent | None:
        """The precedent for one added line, if it has one."""
        return self._line(path, text, above, self._eligible(settings)[0], settings, exclude)

    def _line(self, path: str, text: str, above, stats: dict[str, tuple[int, int]], settings: Settings,
              exclude: frozenset[str]) -> LinePrecedent | None:
        shape = shape_of(path, text, above)
        if shape is None or shape.key not in stats:
            return None
        remarked, adding = stats[shape.key]
        best = None
        for r in self._remarks_for(shape.key):
            if r.thread in exclude or len(r.comment.split()) < settings.min_comment_words \
                    or _PREAMBLE.search(r.first_sentence):
                continue
            score = SequenceMatcher(None, (r.target or "").strip(), text.strip()).ratio()
            score += 0.2 if r.path and path and r.path.rsplit("/", 1)[0] == path.rsplit("/", 1)[0] else 0.0
            key = (score, r.date or "")
            if best is None or key > best[0]:
                best = (key, r)
        if best is None:
            return None
        return LinePrecedent(shape=shape.key, threads=remarked, adding=adding, remark=best[1])

    def _remarks_for(self, shape: str) -> list[PastRemark]:
        if shape in self._by_shape:
            return self._by_shape[shape]
        rows = self.db.execute(
            "SELECT r.msgid, r.reviewer, r.reviewer_email, r.date, p.subject, r.path, r.target, r.comment, r.thread "
            "FROM remarks r JOIN patches p ON p.msgid = r.patch_msgid WHERE r.shape = ? AND r.bot = 0 "
            "AND r.reviewer != p.author", (shape,))
        self._by_shape[shape] = [PastRemark(*row) for row in rows]
        return self._by_shape[shape]

    def threads_of(self, message_ids: Iterable[str]) -> frozenset[str]:
        """The archived threads holding these messages (a series is no precedent for itself)."""
        ids = [m for m in message_ids if m]
        out: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(t for (t,) in self.db.execute(f"SELECT DISTINCT thread FROM messages WHERE msgid IN ({marks})",
                                                     chunk))
        return frozenset(out)

    # ------------------------------------------------------------ submissions

    @cached_property
    def _idf_default(self) -> float:
        got = self.db.execute("SELECT value FROM meta WHERE key = 'idf_default'").fetchone()
        return float(got[0]) if got else 0.0

    def _idf_of(self, words: Iterable[str]) -> dict[str, float]:
        """IDF of these words only (indexed look-ups; unknown words get the default)."""
        ws = [w for w in set(words) if w not in self._idf]
        for i in range(0, len(ws), 500):
            chunk = ws[i:i + 500]
            self._idf.update(self.db.execute(
                f"SELECT word, weight FROM idf WHERE word IN ({','.join('?' * len(chunk))})", chunk))
            self._idf.update((w, self._idf_default) for w in chunk if w not in self._idf)
        return self._idf

    def _norm(self, words) -> float:
        idf = self._idf_of(words)
        return math.sqrt(sum(idf[w] ** 2 for w in words))

    def _dot(self, words: Iterable[str], title_only: bool = False) -> dict[str, float]:
        """Submission -> sum of squared IDF of the words it shares with ``words`` (in its title only, if
        asked): the cosine's numerator, summed by SQLite over the posting list."""
        out: dict[str, float] = {}
        ws = sorted(set(words))
        for i in range(0, len(ws), 500):
            chunk = ws[i:i + 500]
            for msgid, dot in self.db.execute(
                    "SELECT s.msgid, sum(i.weight * i.weight) FROM submission_words s JOIN idf i ON i.word = s.word "
                    f"WHERE s.word IN ({','.join('?' * len(chunk))}){' AND s.title = 1' if title_only else ''} "
                    "GROUP BY s.msgid", chunk):
                out[msgid] = out.get(msgid, 0.0) + dot
        return out

    def _words_of(self, msgid: str, among: Iterable[str]) -> set[str]:
        ws = sorted(set(among))
        return {w for (w,) in self.db.execute(
            f"SELECT word FROM submission_words WHERE msgid = ? AND word IN ({','.join('?' * len(ws))})",
            [msgid, *ws])} if ws else set()

    def _vocab_words(self, vocab: Mapping[str, frozenset[str]]) -> dict[str, set[str]]:
        """Submission -> the device-kind words it uses."""
        out: dict[str, set[str]] = {}
        ws = sorted(set().union(*vocab.values()))
        if ws:
            for word, msgid in self.db.execute(
                    f"SELECT word, msgid FROM submission_words WHERE word IN ({','.join('?' * len(ws))})", ws):
                out.setdefault(msgid, set()).add(word)
        return out

    def _submission_rows(self, ids: Iterable[str]) -> list[tuple]:
        """(msgid, family, date, dir, words norm, title norm, thread) in archive order."""
        rows = []
        ids = sorted(set(ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows += self.db.execute(
                "SELECT msgid, family, date, binding_dir, words_norm, title_norm, thread, rowid "
                f"FROM submissions WHERE msgid IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        return [r[:7] for r in sorted(rows, key=lambda r: r[7])]  # ties keep the earlier row, as a scan would

    def similar(self, patch: Patch, settings: Settings, exclude: frozenset[str] = frozenset(),
                kinds: Mapping[str, Iterable[str]] | None = None) -> list[SimilarSubmission]:
        """The earlier binding submissions most like this patch's binding, best first.

        Only submissions sharing a word with it, or its bindings class, can score (no shared word
        means a cosine of 0, and a device kind is named by words): they come from the posting list,
        and only this patch's words need their IDF (the other norms are stored)."""
        bdir = binding_dir(patch)
        if not bdir or not any(f.status == "added" for f in binding_files(patch)):
            return []  # a new binding is a new submission; a compatible added to one is not
        title, words = describing_words(patch)
        vocab = {k: frozenset(v) for k, v in (kinds or {}).items()}
        my_kind = device_kind(words, vocab)
        own_family = f"{patch.author.email}|{bdir}"
        cls = bdir.split("/")[0]
        dot_words, dot_title = self._dot(words), self._dot(title, title_only=True)
        vocab_words = self._vocab_words(vocab) if my_kind else {}
        same_class = {m for (m,) in self.db.execute("SELECT msgid FROM submissions WHERE binding_class = ?", (cls,))}
        rows = self._submission_rows(dot_words.keys() | vocab_words.keys() | same_class)
        idf = self._idf_of(words)
        norm_words, norm_title = self._norm(words), self._norm(title)
        best: dict[str, tuple[float, tuple, bool, bool]] = {}
        for row in rows:
            msgid, family, date, odir, ow_norm, ot_norm, thread = row
            if thread in exclude or family == own_family:
                continue
            score = 0.5 * _cosine(dot_title.get(msgid, 0.0), norm_title, ot_norm) + \
                0.5 * _cosine(dot_words.get(msgid, 0.0), norm_words, ow_norm)
            same_dir = odir == bdir
            score += 0.2 if same_dir else 0.1 if odir.split("/")[0] == cls else 0.0
            same_kind = msgid in vocab_words and device_kind(vocab_words[msgid], vocab) == my_kind
            score += 0.25 if same_kind else 0.0
            if score >= settings.min_score and (family not in best or score > best[family][0]):
                best[family] = (score, row, same_dir, same_kind)
        ranked = []
        for score, row, same_dir, same_kind in sorted(best.values(), key=lambda t: (-t[0], t[1][2] or ""))[
                : settings.top]:
            shared = tuple(sorted(self._words_of(row[0], words), key=lambda w: (-idf.get(w, 0.0), w))[:4])
            if same_dir:
                shared = (f"bindings/{bdir}/",) + shared
            if same_kind:
                shared = (f"{my_kind} devices",) + shared
            ranked.append((score, row, shared))
        out = []
        for score, row, shared in ranked:
            remarks = self._family_remarks(row[1], settings)
            if remarks:
                subject, author = self.db.execute("SELECT subject, author FROM submissions WHERE msgid = ?",
                                                  (row[0],)).fetchone()
                out.append(SimilarSubmission(subject=subject, author=author, date=row[2], message_id=row[0],
                                             score=round(score, 3), shared=shared, remarks=remarks))
        return out

    def _family_remarks(self, family: str, settings: Settings) -> tuple[PastRemark, ...]:
        """The remarks an earlier submission got: those on its lines first, then general ones; no preambles."""
        rows = self.db.execute(
            "SELECT r.msgid, r.reviewer, r.reviewer_email, r.date, p.subject, r.path, r.target, r.comment, r.thread "
            "FROM remarks r JOIN patches p ON p.msgid = r.patch_msgid WHERE r.family = ? AND r.bot = 0 "
            "AND r.reviewer != p.author ORDER BY r.target IS NULL, r.date, r.msgid, r.seq", (family,))
        seen: set[str] = set()
        out = []
        for row in rows:
            r = PastRemark(*row)
            if r.message_id in seen or len(r.comment.split()) < settings.min_comment_words \
                    or _PREAMBLE.search(r.first_sentence):
                continue
            seen.add(r.message_id)
            out.append(r)
        return tuple(out[: settings.remarks_per_submission])


def _cosine(dot: float, norm_a: float, norm_b: float) -> float:
    """IDF-weighted cosine of two word sets, from their dot product and norms."""
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def device_kind(words: set[str], vocab: Mapping[str, frozenset[str]]) -> str | None:
    """The device kind whose words the text uses most (at least two of them); None when none fits."""
    best = max(((len(words & v), k) for k, v in vocab.items()), default=(0, None))
    return best[1] if best[0] >= 2 else None


def refresh_stats(db: sqlite3.Connection) -> None:
    """Per shape: how many submissions got a remark on it, how many added it (after every add);
    then the similar-submission index."""
    _refresh_submissions(db)
    db.execute("DELETE FROM shape_stats")
    db.execute(
        "INSERT INTO shape_stats SELECT r.shape, count(DISTINCT r.family), 0 FROM remarks r "
        "WHERE r.shape IS NOT NULL AND r.bot = 0 GROUP BY r.shape HAVING count(DISTINCT r.family) >= 2")
    db.execute(
        "UPDATE shape_stats SET adding = (SELECT count(DISTINCT p.family) FROM added a JOIN patches p "
        "ON p.msgid = a.patch_msgid WHERE a.shape = shape_stats.shape)")



def _refresh_submissions(db: sqlite3.Connection) -> None:
    """IDF of binding-patch words, and the binding submissions that got remarks with their norms and postings."""
    rows = db.execute("SELECT words FROM patches WHERE binding_dir != ''").fetchall()
    df: Counter[str] = Counter()
    for (w,) in rows:
        df.update(set(w.split()))
    n = max(len(rows), 1)
    idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
    default = math.log(n + 1)
    db.execute("DELETE FROM idf")
    db.executemany("INSERT INTO idf VALUES (?, ?)", idf.items())
    db.execute("INSERT OR REPLACE INTO meta VALUES ('idf_default', ?)", (repr(default),))

    def norm(words: list[str]) -> float:
        return math.sqrt(sum(idf.get(w, default) ** 2 for w in words))

    subs = db.execute(
        "SELECT p.msgid, p.family, p.subject, p.author, p.date, p.binding_dir, p.thread, p.words, p.title_words "
        "FROM patches p WHERE p.binding_dir != '' "
        "AND EXISTS (SELECT 1 FROM remarks r WHERE r.family = p.family AND r.bot = 0)").fetchall()
    db.execute("DELETE FROM submissions")
    db.execute("DELETE FROM submission_words")
    db.executemany("INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   [(*r[:6], r[5].split("/")[0], *r[6:], norm(set(r[7].split())), norm(set(r[8].split())))
                    for r in subs])
    db.executemany("INSERT OR IGNORE INTO submission_words VALUES (?, ?, ?)",
                   [(w, r[0], int(w in title)) for r in subs for title in [set(r[8].split())]
                    for w in set(r[7].split())])
