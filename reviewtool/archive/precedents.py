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
from .shapes import shape_of


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

    # ------------------------------------------------------------------ lines

    @cached_property
    def _shape_stats(self) -> dict[str, tuple[int, int]]:
        """shape -> (remarked submissions, submissions adding it), for shapes remarked at least twice."""
        return {s: (r, a) for s, r, a in self.db.execute("SELECT shape, remarked, adding FROM shape_stats")}

    def line(self, path: str, text: str, above, settings: Settings, exclude: frozenset[str] = frozenset()
             ) -> LinePrecedent | None:
        shape = shape_of(path, text, above)
        if shape is None:
            return None
        got = self._shape_stats.get(shape.key)
        if got is None:
            return None
        remarked, adding = got
        if remarked < settings.min_threads or remarked < settings.min_rate * max(adding, remarked):
            return None
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
    def _submissions(self) -> list[tuple]:
        """Binding patches that got remarks: (msgid, family, subject, author, date, dir, words, title, thread),
        their words as sets with their IDF norms precomputed."""
        rows = self.db.execute(
            "SELECT p.msgid, p.family, p.subject, p.author, p.date, p.binding_dir, p.words, p.title_words, p.thread "
            "FROM patches p WHERE p.binding_dir != '' "
            "AND EXISTS (SELECT 1 FROM remarks r WHERE r.family = p.family AND r.bot = 0)"
        ).fetchall()
        out = []
        for row in rows:
            words, title = frozenset(row[6].split()), frozenset(row[7].split())
            out.append((*row[:6], (words, self._norm(words)), (title, self._norm(title)), row[8]))
        return out

    def _norm(self, words) -> float:
        idf, default = self._idf, self._idf[""]
        return math.sqrt(sum(idf.get(w, default) ** 2 for w in words))

    @cached_property
    def _idf(self) -> dict[str, float]:
        rows = self.db.execute("SELECT words FROM patches WHERE binding_dir != ''").fetchall()
        df: Counter[str] = Counter()
        for (w,) in rows:
            df.update(set(w.split()))
        n = max(len(rows), 1)
        return {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()} | {"": math.log(n + 1)}

    def similar(self, patch: Patch, settings: Settings, exclude: frozenset[str] = frozenset(),
                kinds: Mapping[str, Iterable[str]] | None = None) -> list[SimilarSubmission]:
        """The earlier binding submissions most like this patch's binding, best first."""
        bdir = binding_dir(patch)
        if not bdir or not any(f.status == "added" for f in binding_files(patch)):
            return []  # a new binding is a new submission; a compatible added to one is not
        title, words = describing_words(patch)
        vocab = {k: frozenset(v) for k, v in (kinds or {}).items()}
        my_kind = device_kind(words, vocab)
        own_family = f"{patch.author.email}|{bdir}"
        best: dict[str, tuple[float, tuple, tuple[str, ...]]] = {}
        mine_words, mine_title = (words, self._norm(words)), (title, self._norm(title))
        for row in self._submissions:
            msgid, family, subject, author, date, odir, (ow, ow_norm), (ot, ot_norm), thread = row
            if thread in exclude or family == own_family:
                continue
            score = 0.5 * self._cosine(mine_title, (ot, ot_norm)) + 0.5 * self._cosine(mine_words, (ow, ow_norm))
            common = sorted(words & ow, key=lambda w: (-self._idf.get(w, 0.0), w))[:4]
            shared = tuple(common)
            if odir == bdir:
                score += 0.2
                shared = (f"bindings/{bdir}/",) + shared
            elif odir.split("/")[0] == bdir.split("/")[0]:
                score += 0.1
            if my_kind and device_kind(ow, vocab) == my_kind:
                score += 0.25
                shared = (f"{my_kind} devices",) + shared
            if score >= settings.min_score and (family not in best or score > best[family][0]):
                best[family] = (score, row, shared)
        ranked = sorted(best.values(), key=lambda t: (-t[0], t[1][4] or ""))[: settings.top]
        out = []
        for score, row, shared in ranked:
            remarks = self._family_remarks(row[1], settings)
            if remarks:
                out.append(SimilarSubmission(subject=row[2], author=row[3], date=row[4], message_id=row[0],
                                             score=round(score, 3), shared=shared, remarks=remarks))
        return out

    def _cosine(self, a: tuple[frozenset[str] | set[str], float], b: tuple[frozenset[str], float]) -> float:
        """IDF-weighted cosine of two word sets, each given with its norm."""
        (wa, na), (wb, nb) = a, b
        if not na or not nb:
            return 0.0
        idf, default = self._idf, self._idf[""]
        return sum(idf.get(w, default) ** 2 for w in wa & wb) / (na * nb)

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


def device_kind(words: set[str], vocab: Mapping[str, frozenset[str]]) -> str | None:
    """The device kind whose words the text uses most (at least two of them); None when none fits."""
    best = max(((len(words & v), k) for k, v in vocab.items()), default=(0, None))
    return best[1] if best[0] >= 2 else None


def refresh_stats(db: sqlite3.Connection) -> None:
    """Per shape: how many submissions got a remark on it, how many added it (after every add)."""
    db.execute("DELETE FROM shape_stats")
    db.execute(
        "INSERT INTO shape_stats SELECT r.shape, count(DISTINCT r.family), 0 FROM remarks r "
        "WHERE r.shape IS NOT NULL AND r.bot = 0 GROUP BY r.shape HAVING count(DISTINCT r.family) >= 2")
    db.execute(
        "UPDATE shape_stats SET adding = (SELECT count(DISTINCT p.family) FROM added a JOIN patches p "
        "ON p.msgid = a.patch_msgid WHERE a.shape = shape_stats.shape)")


def line_candidates(patch: Patch):
    """(file, line, above) for every added line of a patch."""
    for f in patch.files:
        for ln, above in post_image(f):
            yield f, ln, above
