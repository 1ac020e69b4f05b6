"""Turn one batch of archived mail (a file, a maildir, a lore thread) into archive rows.

Threads are rebuilt from Message-ID / In-Reply-To / References; each reply is
paired with the patch (or cover letter) it answers, and its remarks come from
``history.remarks_in`` -- the same extraction ``series/prior-feedback`` uses
-- so the archive and the check agree on what a remark is.  Each remark's
quoted ``+`` line is found in the patch to get its file, new-file line and
normalised shape (``shapes``).  Work here is pure (mail in, rows out) so a
process pool can run it.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Sequence

from ..history import DEFAULT_STOPWORDS, Remark, Settings, remarks_in
from ..model import FileChange, Message, Patch, Series
from .shapes import YamlScope, file_kind, line_shape, shape_of

if TYPE_CHECKING:  # pragma: no cover - check's precedents read ingest's helpers without the mail reader
    from .mail import Mail

BINDINGS = "Documentation/devicetree/bindings/"
_REVIEW = re.compile(r"^\s*(Reviewed-by|Acked-by):\s*(.*)$", re.M)
_QUOTED_COMPAT = re.compile(r'"([a-z0-9][a-z0-9-]*,[a-z0-9][\w.+-]*)"')
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")
MAX_PATCH_LINES = 8000  # added lines of one patch we keep (learn measures false hits on them)
MAX_SHAPED_LINES = 3000  # ... and shape, for "how many submissions add this shape"; tables beyond add nothing
STOPWORDS = DEFAULT_STOPWORDS | frozenset(
    "add adds added adding support supports dt-bindings bindings binding document documentation schema yaml "
    "driver drivers new the and for this that use used using convert property properties compatible "
    "signed off reviewed acked link device devices node nodes example description title maintainers "
    "required type items const enum additionalproperties unevaluatedproperties http https www org com "
    "kernel linux git commit".split()
)


@dataclass
class Records:
    """Rows for the archive tables, in insertion order."""

    messages: list[tuple] = field(default_factory=list)
    patches: list[tuple] = field(default_factory=list)
    remarks: list[tuple] = field(default_factory=list)
    reviews: list[tuple] = field(default_factory=list)
    added: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)


class _Above(Sequence[str]):
    """The post-image lines before an index, without copying them."""

    def __init__(self, lines: list[str], end: int) -> None:
        self.lines, self.end = lines, end

    def __len__(self) -> int:
        return self.end

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return self.lines[: self.end][i]
        if i < 0:
            i += self.end
        if not 0 <= i < self.end:
            raise IndexError(i)
        return self.lines[i]


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def records_for(mails: list[Mail], settings: Settings | None = None, known_threads: dict[str, str] | None = None
                ) -> Records:
    """Rows for every thread in ``mails``; ``known_threads`` maps Message-IDs already archived to their thread."""
    settings = settings or Settings()
    out = Records()
    for component in _threads(mails, known_threads or {}):
        _thread_records(component, settings, out)
    return out


def _threads(mails: list[Mail], known: dict[str, str]) -> list[list[Mail]]:
    by_id = {m.message_id: m for m in mails}
    parent: dict[str, str] = {m.message_id: m.message_id for m in mails}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for m in mails:
        ref = m.patch or m.reply
        for r in [ref.in_reply_to, *ref.references]:  # type: ignore[union-attr]
            if r and r in by_id:
                a, b = find(r), find(m.message_id)
                if a != b:
                    parent[b] = a
    groups: dict[str, list[Mail]] = defaultdict(list)
    for m in mails:
        groups[find(m.message_id)].append(m)
    return list(groups.values())


def _thread_records(mails: list[Mail], settings: Settings, out: Records) -> None:
    patches = [m.patch for m in mails if m.patch is not None]
    dated = sorted(mails, key=lambda m: (m.date.timestamp() if m.date else 0.0, m.message_id))
    first = next((m for m in dated if m.patch is not None), dated[0])
    thread = first.message_id
    lists = {m.message_id: m.list_id for m in mails}
    authors = {p.author.email for p in patches if p.author.email}
    # The author answering from another address is still the author, not a reviewer.
    author_names = {p.author.name.lower() for p in patches if p.author.name}
    by_id = {p.message_id: p for p in patches}
    for m in mails:
        kind = "reply" if m.patch is None else ("cover" if m.patch.n == 0 else "patch")
        out.messages.append((m.message_id, thread, kind, iso(m.date), m.list_id))
    families = {p.message_id: _family(p) for p in patches}
    cover_family = {p.in_reply_to: families[p.message_id] for p in patches if p.n and p.in_reply_to}
    for p in patches:
        if p.n == 0 and p.message_id in cover_family:
            families[p.message_id] = cover_family[p.message_id]
        out.patches.append(_patch_row(p, thread, families[p.message_id], lists.get(p.message_id or "", "")))
        if p.files:
            _shape_rows(p, out)
    answered: dict[str, list[Message]] = defaultdict(list)
    for m in mails:
        if m.reply is None:
            continue
        target = _answered(m.reply, by_id)
        if target is None:
            continue
        answered[target.message_id].append(m.reply)  # type: ignore[index]
        body = m.reply.body
        if m.reply.author.email not in authors and ("Reviewed-by:" in body or "Acked-by:" in body):
            for tag, _who in _REVIEW.findall(_unquoted(body)):
                for p in _reviewed(target, patches):
                    out.reviews.append((m.message_id, p.message_id, tag, m.reply.author.email, iso(m.reply.date)))
    for pid, replies in answered.items():
        p = by_id[pid]
        rev = Series(title=p.subject, revision=p.tags.version or 1, expected=p.total,
                     patches=() if p.n == 0 else (p,), cover=p if p.n == 0 else None, replies=tuple(replies))
        seq: dict[str, int] = defaultdict(int)
        remarks = [r for r in remarks_in(rev, settings, authors)
                   if not (r.author.name and r.author.name.lower() in author_names)]
        # Only a remark under a quoted line is located, and only the lines such remarks quote are indexed.
        targets = {r.target for r in remarks if r.target is not None}
        index = _LineIndex(p, targets) if targets else None
        for r in remarks:
            n = seq[r.message_id]
            seq[r.message_id] += 1
            out.remarks.append(_remark_row(r, n, p, index, thread, families[pid], lists.get(r.message_id, "")))


def _answered(reply: Message, by_id: dict[str | None, Patch]) -> Patch | None:
    for ref in [reply.in_reply_to, *reversed(reply.references)]:
        if ref in by_id:
            return by_id[ref]
    return None


def _reviewed(target: Patch, patches: list[Patch]) -> list[Patch]:
    """A tag on a cover letter covers every patch sent under it."""
    if target.n != 0:
        return [target]
    return [p for p in patches if p.n and p.in_reply_to == target.message_id] or [target]


def _unquoted(body: str) -> str:
    return "\n".join(ln for ln in body.split("\n") if not ln.lstrip().startswith(">"))


def binding_files(p: Patch) -> list[FileChange]:
    return [f for f in p.files if f.path.startswith(BINDINGS) and f.path.endswith((".yaml", ".yml"))
            and not f.path.endswith("vendor-prefixes.yaml")]


def binding_dir(p: Patch) -> str:
    files = binding_files(p)
    if not files:
        return ""
    return str(PurePosixPath(files[0].path[len(BINDINGS):]).parent)


def _family(p: Patch) -> str:
    """Revisions of one submission share a family: the author's binding directory, else the subject."""
    bdir = binding_dir(p)
    if bdir:
        return f"{p.author.email}|{bdir}"
    return subject_key(p.subject)


def subject_key(subject: str) -> str:
    return " ".join(subject.lower().split())


def compatibles(p: Patch) -> list[str]:
    """Compatibles the patch adds: a binding's (as the tree index reads them), else quoted ones in C and DTS."""
    from ..tree import yaml_compatibles

    out: list[str] = []
    for f in binding_files(p):
        found, _ = yaml_compatibles(f.new_text() or "\n".join(ln.text for ln in f.added_lines()))
        out.extend(sorted(c for c in found if c not in out))
    for f in p.files:
        if f.path.endswith((".c", ".dts", ".dtsi")):
            for ln in f.added_lines():
                if "compatible" in ln.text:
                    out.extend(c for c in _QUOTED_COMPAT.findall(ln.text) if c not in out)
    return out[:20]


def describing_words(p: Patch) -> tuple[set[str], set[str]]:
    """(title words, all words) saying what the submission is about: the subject and the binding's
    title; then its description and the commit message without trailers and links."""
    title = [re.sub(r"^(dt-bindings:\s*)?([\w,-]+:\s*)*", "", p.subject)]
    text = [_prose(p.commit_message)]
    for f in binding_files(p):
        keep = False
        for ln in f.added_lines()[:80]:
            s = ln.text.strip()
            if s.startswith("title:"):
                title.append(s[6:])
            if s.startswith(("title:", "description:")):
                keep = True
            elif re.match(r"^[a-zA-Z$#][\w$#-]*:", s) and not ln.text.startswith(" " * 4):
                keep = False
            if keep:
                text.append(s)
    t = _terms(" ".join(title))
    return t, t | _terms(" ".join(text))


def _prose(message: str) -> str:
    lines = [ln for ln in message[:3000].split("\n")
             if not _TRAILER_LINE.match(ln) and "://" not in ln and not ln.startswith((">", "[", "  "))]
    return "\n".join(lines)


_TRAILER_LINE = re.compile(r"^\s*[A-Z][A-Za-z-]*(-by|-to)?:\s")


def _terms(text: str) -> set[str]:
    out = set()
    for w in {w.lower() for w in _WORD.findall(text)}:  # each distinct word once: a set comes out
        if w in STOPWORDS or not w.isalpha():  # _WORD's words are ASCII letters and digits
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]  # guests/guest, interrupts/interrupt
        out.add(w)
    return out


def _patch_row(p: Patch, thread: str, family: str, list_id: str) -> tuple:
    bdir = binding_dir(p)
    title, words = describing_words(p)
    own = any(t.name.lower() in ("reviewed-by", "acked-by") and t.email and t.email != p.author.email
              for t in p.trailers)
    return (p.message_id, thread, family, p.tags.version or 1, p.n, p.total, p.full_subject, subject_key(p.subject),
            p.author.name, p.author.email, iso(p.date), list_id, "\n".join(f.path for f in p.files),
            sum(len(f.added_lines()) for f in p.files), " ".join(compatibles(p)), bdir, bdir.split("/")[0],
            " ".join(sorted(words)), " ".join(sorted(title)), int(own))


def post_image(f: FileChange):
    """(line, above) for each added line; ``above`` is the post-image before it in its hunk (a view, not a copy)."""
    for h in f.hunks:
        seen: list[str] = []
        for ln in h.lines:
            if ln.kind == "-":
                continue
            if ln.kind == "+":
                yield ln, _Above(seen, len(seen))
            seen.append(ln.text)


def _shape_rows(p: Patch, out: Records) -> None:
    """The patch's added lines (the first MAX_PATCH_LINES) and the shapes of the first MAX_SHAPED_LINES."""
    shapes: set[str] = set()
    lines: list[str] = []
    shaped = 0
    for f in p.files:
        kind = file_kind(f.path)
        path = f.path
        for h in f.hunks:
            room = MAX_PATCH_LINES - len(lines)
            if room <= 0:
                break
            added = [ln for ln in h.lines if ln.kind == "+"][:room]
            lines.extend([f"{path}\t{ln.new_line}\t{ln.text}" for ln in added])
            if shaped >= MAX_SHAPED_LINES:
                continue
            todo = MAX_SHAPED_LINES - shaped
            shaped += min(todo, len(added))
            if kind == "yaml":
                _yaml_shapes(h, todo, shapes)
            else:
                found = map(line_shape, repeat(kind, min(todo, len(added))), [ln.text for ln in added[:todo]])
                shapes.update([s.key for s in found if s is not None])
    out.added.extend((s, p.message_id) for s in shapes)
    out.lines.append((p.message_id, zlib.compress("\n".join(lines).encode("utf-8", "replace"), 1)))


def _yaml_shapes(h, todo: int, shapes: set[str]) -> None:
    """Shapes of a hunk's first ``todo`` added YAML lines, each under the post-image above it."""
    scope = YamlScope()
    for ln in h.lines:
        kind = ln.kind
        if kind == "-":
            continue
        if kind == "+":
            if todo <= 0:
                return
            todo -= 1
            s = scope.shape(ln.text)
            if s is not None:
                shapes.add(s.key)
        scope.push(ln.text)


class _LineIndex:
    """Added lines of one patch by their text (those the remarks quote), built once for all the remarks on it."""

    def __init__(self, p: Patch, targets: set[str]) -> None:
        self.by_text: dict[str, list[tuple[str, int, list[str], int]]] = defaultdict(list)
        for f in p.files:
            for h in f.hunks:
                seen = [ln.text for ln in h.lines if ln.kind != "-"]  # the hunk's post-image
                at = 0
                for ln in h.lines:
                    if ln.kind == "-":
                        continue
                    if ln.kind == "+" and ln.new_line is not None and (text := ln.text.rstrip()) in targets:
                        self.by_text[text].append((f.path, ln.new_line, seen, at))
                    at += 1

    def locate(self, target: str, context: str | None, path: str | None):
        """(file, line, above) of the added line a remark quotes, best match first; None when not found."""
        best = None
        for fpath, line, seen, n in self.by_text.get(target, ()):
            score = (2 if context is not None and n and seen[n - 1].rstrip() == context else 0) + \
                (1 if path == fpath else 0)
            if best is None or score > best[0]:
                best = (score, fpath, line, _Above(seen, n))
        return best[1:] if best else None


def _remark_row(r: Remark, seq: int, p: Patch, index: "_LineIndex | None", thread: str, family: str, list_id: str
                ) -> tuple:
    path, line, shape = r.path, None, None
    if r.target is not None and index is not None:
        got = index.locate(r.target, r.context, r.path)
        if got is not None:
            path, line, above = got
        else:
            above = [q[1:] for q in r.quoted[:-1] if q[:1] in ("+", " ")]
        s = shape_of(path, r.target, above)
        shape = s.key if s is not None else None
    return (r.message_id, seq, p.message_id, thread, family, r.author.name, r.author.email, iso(r.date), list_id,
            path, line, r.target, "\n".join(r.quoted), "\n".join(r.comment), shape,
            shape.split(":", 1)[0] if shape else None, int(r.bot))
