"""Review remarks earlier revisions of a series received, checked against the newest.

The most costly resend is one that ignores what maintainers already said.
From every reply by someone other than the author we take each comment with
the patch lines it quotes (``> +...``), so the submitter and the reviewer see
the earlier feedback next to the new revision.  A remark whose quoted ``+``
line is still added, unchanged, by the newest revision is "possibly
unaddressed".  A remark is said to be addressed only with evidence: its
quoted line is gone or changed in the newest revision, or a changelog line
names the remark's own subject (an identifier of the quoted line, a quoted
name from the comment, the file).  Otherwise there is "no evidence either
way": keyword hits in a cover letter prove nothing.

Used by the ``series/prior-feedback`` rule and ``reviewtool history``.
Nothing here does I/O; input is the Series a source already built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import PurePosixPath
from typing import Any, Iterable, Mapping

from .model import Message, Patch, Person, Series

LORE_LINK = "https://lore.kernel.org/r/{msgid}"

# Fallbacks; the rule's params (rules/series-history.yaml) are the tunable copy.
DEFAULT_BOT_MARKERS = (
    "My bot found errors running",
    "This is the friendly patch-bot of",
    "kernel test robot",
)
DEFAULT_STOPWORDS = frozenset(
    "about after again also because been before being could does done even from have here into just "
    "like look make more much need only other please really should some something still such than "
    "that them then there these they thing this those very want were what when where which while "
    "will with would your instead patch patches series version thanks regards best".split()
)


@dataclass(frozen=True)
class Settings:
    """Thresholds and word lists, normally the rule's ``params``."""

    comment_lines: int = 4  # lines of each comment to keep
    quote_lines: int = 3  # quoted lines shown above each comment
    min_line_length: int = 12  # shorter quoted lines must match with their context
    bot_markers: tuple[str, ...] = DEFAULT_BOT_MARKERS
    stopwords: frozenset[str] = DEFAULT_STOPWORDS
    include_bots: bool = True

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> "Settings":
        p = dict(params or {})
        base = cls()
        return cls(
            comment_lines=int(p.get("comment_lines", base.comment_lines)),
            quote_lines=int(p.get("quote_lines", base.quote_lines)),
            min_line_length=int(p.get("min_line_length", base.min_line_length)),
            bot_markers=tuple(p.get("bot_markers", base.bot_markers)),
            stopwords=frozenset(w.lower() for w in p.get("stopwords", base.stopwords)),
            include_bots=bool(p.get("include_bots", base.include_bots)),
        )


@dataclass(frozen=True)
class Location:
    """Where a quoted line sits in the newest revision."""

    patch: int
    path: str
    line: int
    text: str


@dataclass
class Remark:
    """One comment of one reviewer, with the lines it was written under."""

    revision: int
    message_id: str
    author: Person
    date: datetime | None
    patch: int | None  # n of the patch answered (0: cover letter), None if unknown
    patch_subject: str
    path: str | None  # file of the quoted diff lines, when known
    quoted: tuple[str, ...]  # the quoted lines nearest the comment, '+'/'-' kept
    target: str | None  # the last quoted '+' line (without '+'): what the comment is about
    comment: tuple[str, ...]  # first lines of the comment
    bot: bool = False
    context: str | None = None  # the quoted diff line just before the target
    still_present: Location | None = None  # the target line, unchanged, in the newest revision
    changelog: bool = False  # the newest revision has a changelog
    mentions: tuple[str, ...] = ()  # the remark's subject names a changelog line of the newest revision carries
    evidence: Evidence | None = None  # why we say the remark was addressed; None: no evidence either way

    @property
    def link(self) -> str:
        return LORE_LINK.format(msgid=self.message_id)

    @property
    def possibly_unaddressed(self) -> bool:
        return self.still_present is not None

    @property
    def verdict(self) -> str:
        """"possibly-unaddressed", "addressed" (with evidence) or "no-evidence"."""
        if self.still_present is not None:
            return "possibly-unaddressed"
        return "addressed" if self.evidence is not None else "no-evidence"


@dataclass(frozen=True)
class Evidence:
    """What in the newest revision says a remark was handled."""

    kind: str  # "changelog": a changelog line names the remark's subject; "line-gone": the quoted line changed
    text: str  # the changelog line, or the quoted line that is gone


@dataclass
class RevisionHistory:
    """The remarks one revision received."""

    revision: int
    title: str
    message_id: str | None
    date: datetime | None
    newest: bool
    remarks: list[Remark] = field(default_factory=list)


# --------------------------------------------------------------------------
# Public entry points


def series_history(series: Series, settings: Settings | None = None, include_newest: bool = True
                   ) -> list[RevisionHistory]:
    """Per revision, oldest first: the remarks each one got."""
    settings = settings or Settings()
    authors = _author_emails(series)
    out = []
    for rev in series.earlier:
        remarks = [_assess(r, series, settings) for r in remarks_in(rev, settings, authors)]
        out.append(_revision_entry(rev, remarks, newest=False))
    if include_newest:
        out.append(_revision_entry(series, remarks_in(series, settings, authors), newest=True))
    return out


def prior_remarks(series: Series, settings: Settings | None = None) -> list[Remark]:
    """Remarks on earlier revisions only, each checked against ``series``."""
    return [r for h in series_history(series, settings, include_newest=False) for r in h.remarks]


def remarks_in(rev: Series, settings: Settings, authors: set[str] | None = None) -> list[Remark]:
    """Every remark in the replies of one revision, oldest reply first."""
    authors = authors if authors is not None else _author_emails(rev)
    mails = {p.message_id: p for p in [rev.cover, *rev.patches] if p is not None and p.message_id}
    out: list[Remark] = []
    adding: dict[str | None, dict[str, list[str]]] = {}  # per answered patch: added line -> files adding it
    for reply in rev.replies:
        if reply.author.email.lower() in authors:
            continue
        body = reply.body.lower()  # once per reply, not once per marker
        bot = any(m.lower() in body for m in settings.bot_markers)
        if bot and not settings.include_bots:
            continue
        answered = _answered_patch(reply, mails)
        for block in split_remarks(reply.body):
            comment = _excerpt(block.comment, settings.comment_lines)
            if not comment:
                continue
            path = block.path
            if path is None and block.target is not None and answered is not None:
                if answered.message_id not in adding:
                    adding[answered.message_id] = _files_adding(answered)
                path = _file_adding(adding[answered.message_id], block.target)
            out.append(
                Remark(
                    revision=rev.revision,
                    message_id=reply.message_id,
                    author=reply.author,
                    date=reply.date,
                    patch=answered.n if answered is not None else None,
                    patch_subject=answered.full_subject if answered is not None else reply.subject,
                    path=path,
                    quoted=tuple(ln for ln in block.quoted if ln.strip())[-settings.quote_lines:],
                    target=block.target,
                    comment=comment,
                    bot=bot,
                    context=block.context,
                )
            )
    out.sort(key=lambda r: (r.date.timestamp() if r.date else 0.0, r.message_id))
    return out


# --------------------------------------------------------------------------
# Splitting one reply into (quoted lines, comment) blocks

_QUOTE = re.compile(r"^[ \t]?>")
_QUOTE_STARTS = (">", " >", "\t>")  # what _QUOTE matches, for str.startswith
_UNQUOTE = re.compile(r"^(?:[ \t]?>[ \t]?)+")
_ATTRIBUTION = re.compile(r"(?i)\b(wrote|writes|schrieb|a écrit)\s*:\s*$")
_SALUTATION = re.compile(
    r"(?i)^\s*(best regards|kind regards|regards|thanks|thank you|thanks again|cheers|br|greetings|ciao)"
    r"\b[\s,.!]*$"
)
_GREETING = re.compile(r"(?i)^\s*(hi|hello|hey|dear)\b[^.?!]{0,40}[,!]?\s*$")
_ELISION = re.compile(r"(?i)^\s*(\.\.\.|\[\s*\.\.\.\s*\]|<\s*snip\s*>|\[\s*snip\s*\]|\.\.\.\s*snip\s*\.\.\.)\s*$")
_TRAILER = re.compile(r"^\s*[A-Z][A-Za-z-]*-by:\s+\S|^\s*(Fixes|Link|Closes|Cc):\s+\S")


@dataclass
class Block:
    quoted: list[str]  # unquoted text of the quoted lines above the comment
    comment: list[str]
    path: str | None  # the file the quoted diff lines belong to
    target: str | None  # last quoted '+' line, without its '+'
    context: str | None = None  # the quoted line before the target


def split_remarks(body: str) -> list[Block]:
    """Pair every comment paragraph run with the quoted lines just above it."""
    # An elision line holds ".", "[" or "<"; a line without any is not tried against the regex.
    if "\r" in body:  # a CR is found far faster than CRLF, and most bodies have none
        body = body.replace("\r\n", "\n")
    lines = [ln for ln in body.split("\n")
             if not (("." in ln or "[" in ln or "<" in ln) and _ELISION.match(ln))]
    lines = _drop_attribution(_strip_signature(lines))
    blocks: list[Block] = []
    quoted: list[str] = []
    comment: list[str] = []
    path: str | None = None
    block_path: str | None = None

    def flush() -> None:
        nonlocal quoted, comment
        text = [c for c in comment]
        while text and not text[-1].strip():
            text.pop()
        if any(c.strip() for c in text):
            target, context = _target(quoted)
            blocks.append(Block(quoted=quoted, comment=text, path=block_path if target or _has_diff(quoted) else None,
                                target=target, context=context))
        quoted, comment = [], []

    for line in lines:
        if line.startswith(_QUOTE_STARTS):  # _QUOTE, without a regex call for every line of every reply
            if comment and any(c.strip() for c in comment):
                flush()
            comment = []
            content = line[_UNQUOTE.match(line).end():]  # type: ignore[union-attr]
            if content.startswith(_PATH_LINES):  # most quoted lines name no file: no call
                path = _track_path(content, path)
            block_path = path
            quoted.append(content)
        elif line.strip() or comment:
            comment.append(line)
    flush()
    return blocks


def _strip_signature(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if line in ("-- ", "--") and not _QUOTE.match(line):
            lines = lines[:i]
            break
    # A closing "Best regards,\nName" (at most a few short lines after it).
    for i in range(len(lines) - 1, -1, -1):
        if _QUOTE.match(lines[i]):
            break
        if _SALUTATION.match(lines[i]):
            rest = [ln for ln in lines[i + 1:] if ln.strip()]
            if len(rest) <= 3 and all(len(ln) <= 40 for ln in rest):
                return lines[:i]
            break
    return lines


def _drop_attribution(lines: list[str]) -> list[str]:
    """Remove "On <date>, <someone> wrote:" lines that introduce a quote."""
    out: list[str] = []
    kept = 0  # lines[:kept] are decided
    # Only a line ending in a colon can match _ATTRIBUTION (":" then white space at its end); the
    # lines between such lines are copied as they are.  The look-ahead (the next non-blank line is
    # quoted) only for attribution-like lines: scanning the rest for every line was quadratic.
    for i in [i for i, line in enumerate(lines) if ":" in line and line.rstrip().endswith(":")]:
        if _ATTRIBUTION.search(lines[i]) and \
                _QUOTE.match(next((ln for ln in islice(lines, i + 1, None) if ln.strip()), "")):
            out.extend(lines[kept:i])
            if out and out[-1].strip() and not _QUOTE.match(out[-1]) and re.match(r"(?i)^\s*on\b", out[-1]):
                out.pop()  # the first half of a wrapped attribution
            kept = i + 1
    out.extend(lines[kept:])
    return out


_DIFF_GIT = re.compile(r"^diff --git a/(\S+) b/(\S+)")
_PLUS_PATH = re.compile(r"^\+\+\+ b/(\S+)")


_PATH_LINES = ("diff --git a/", "+++ b/")


def _track_path(content: str, path: str | None) -> str | None:
    if not content.startswith(_PATH_LINES):  # most quoted lines: no regex call
        return path
    m = _DIFF_GIT.match(content)
    if m:
        return m.group(2)
    m = _PLUS_PATH.match(content)
    if m:
        return m.group(1)
    return path


def _has_diff(quoted: list[str]) -> bool:
    return any(q.startswith(("@@", "diff --git", "+++ ", "--- a/")) for q in quoted)


def _target(quoted: list[str]) -> tuple[str | None, str | None]:
    """The last added line quoted (what a reviewer comments on) and the one before it."""
    for i in range(len(quoted) - 1, -1, -1):
        q = quoted[i]
        if q.startswith("+") and not q.startswith("+++ ") and q[1:].strip():
            prev = next((p for p in reversed(quoted[:i]) if p.startswith(("+", " ")) and p[1:].strip()), None)
            return q[1:].rstrip(), (prev[1:].rstrip() if prev else None)
    return None, None


def _excerpt(comment: list[str], limit: int) -> tuple[str, ...]:
    """The first lines of a comment, or () when it says nothing reviewable."""
    text = [ln.rstrip() for ln in comment if ln.strip()]
    if not text:
        return ()
    if all(_TRAILER.match(ln) for ln in text):
        return ()  # a pure Reviewed-by/Acked-by reply
    if len(text) == 1 and _GREETING.match(text[0]):
        return ()
    if text and _GREETING.match(text[0]) and len(text) > 1:
        text = text[1:]
    return tuple(text[:limit])


# --------------------------------------------------------------------------
# Relating remarks to patches


def _author_emails(series: Series) -> set[str]:
    out = set()
    for rev in (series, *series.earlier):
        for p in (rev.cover, *rev.patches):
            if p is not None and p.author.email:
                out.add(p.author.email.lower())
    return out


def _answered_patch(reply: Message, mails: dict[str, Patch]) -> Patch | None:
    if reply.in_reply_to in mails:
        return mails[reply.in_reply_to]
    for ref in reversed(reply.references):
        if ref in mails:
            return mails[ref]
    return None


def _files_adding(patch: Patch) -> dict[str, list[str]]:
    """Each added line (right-stripped) -> the files adding it, in patch order; built once per patch,
    not scanned again for every remark."""
    out: dict[str, list[str]] = {}
    for f in patch.files:
        for text in dict.fromkeys(ln.text.rstrip() for ln in f.added_lines()):
            out.setdefault(text, []).append(f.path)
    return out


def _file_adding(files_adding: dict[str, list[str]], text: str) -> str | None:
    hits = files_adding.get(text, ())
    return hits[0] if len(hits) == 1 else None


def _assess(remark: Remark, newest: Series, settings: Settings) -> Remark:
    """Fill in what the newest revision says about an earlier remark."""
    if remark.target is not None:
        remark.still_present = _locate(remark.target, remark.context, remark.path, newest, settings)
    texts = _changelog_texts(newest)
    remark.changelog = any(has for has, _ in texts)
    subject = remark_subject(remark, settings)
    for line in (ln.strip() for has, t in texts if has for ln in t.split("\n")):
        named = tuple(w for w in subject if re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", line.lower()))
        if named and line:
            remark.mentions, remark.evidence = named[:6], Evidence("changelog", line)
            break
    if remark.evidence is None and remark.target is not None and remark.still_present is None:
        remark.evidence = Evidence("line-gone", remark.target.strip())
    return remark


# Words every line of C or YAML has: they name no subject.
_COMMON_CODE = frozenset("struct static const return unsigned signed sizeof include define ifdef endif "
                         "properties required description items maxitems minitems compatible".split())
_CODEISH = re.compile(r"[_,.\-0-9()]|[a-z][A-Z]")
_QUOTED_NAME = re.compile(r"""[`'"]([^`'"\s]{3,})[`'"]""")


def remark_subject(remark: Remark, settings: Settings) -> tuple[str, ...]:
    """What the remark is about, as names a changelog line would repeat: the
    identifiers of the quoted line, names the comment quotes, the file's name.
    Plain English words are left out: "errors" or "running" name nothing."""
    names: list[str] = []
    words = _topic_words(Remark(**{**remark.__dict__, "comment": ()}), settings) if remark.target else []
    names += [w for w in words if _CODEISH.search(w) or len(w) >= 6]
    for line in remark.comment:
        names += [m.strip(".,:;()").lower() for m in _QUOTED_NAME.findall(line)]
    if remark.path:
        stem = PurePosixPath(remark.path).name.rsplit(".", 1)[0].lower()
        if len(stem) >= 4:
            names.append(stem)
    out: list[str] = []
    for n in names:
        if len(n) >= 4 and n not in settings.stopwords and n not in _COMMON_CODE and n not in out:
            out.append(n)
    return tuple(out)


def _locate(target: str, context: str | None, old_path: str | None, newest: Series,
            settings: Settings) -> Location | None:
    distinctive = len(target.strip()) >= settings.min_line_length
    best: tuple[int, Location] | None = None
    for p in newest.patches:
        for f in p.files:
            for h in f.hunks:
                prev = None
                for ln in h.lines:
                    if ln.kind == "+" and ln.text.rstrip() == target and ln.new_line is not None:
                        score = 0
                        if context is not None and prev is not None and prev.text.rstrip() == context:
                            score += 2
                        if old_path and _similar_path(old_path, f.path):
                            score += 1
                        if distinctive or score >= 2:
                            loc = Location(patch=p.n, path=f.path, line=ln.new_line, text=ln.text)
                            if best is None or score > best[0]:
                                best = (score, loc)
                    if ln.kind != "-":
                        prev = ln
    return best[1] if best else None


def _similar_path(old: str, new: str) -> bool:
    if old == new:
        return True
    a, b = PurePosixPath(old), PurePosixPath(new)
    return a.parent == b.parent and (a.stem in b.stem or b.stem in a.stem)


def _changelog_texts(series: Series) -> list[tuple[bool, str]]:
    """(is a changelog, text) for the cover letter and each patch's notes."""
    from .changelog import has_changelog

    out = []
    if series.cover is not None:
        # The cover's shortlog and diffstat name every file: not a changelog.
        text = _SHORTLOG.split(series.cover.commit_message, maxsplit=1)[0] + "\n" + series.cover.notes
        out.append((has_changelog(text), _DIFFSTAT.sub("", text)))
    for p in series.patches:
        notes = _DIFFSTAT.sub("", p.notes)
        if notes.strip():
            out.append((has_changelog(notes), notes))
    return out


def has_changelog_in(series: Series) -> bool:
    """Whether the cover letter or any patch notes of ``series`` carry a changelog."""
    return any(has for has, _ in _changelog_texts(series))


_DIFFSTAT = re.compile(
    r"(?m)^ ?\S.*\|\s+(\d+ [+-]*|Bin .*)$\n?|^ \d+ files? changed.*$\n?|^ (create|delete) mode \d+ .*$\n?"
    r"|^ (rename|copy) .*\(\d+%\)$\n?"
)
_SHORTLOG = re.compile(r"(?m)^\S[^\n]* \(\d+\):$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[-,.][A-Za-z0-9_]+)*")


def _topic_words(remark: Remark, settings: Settings) -> list[str]:
    """Distinctive words of the remark: identifiers it quotes and words it uses."""
    text = " ".join([remark.target or ""] + list(remark.comment))
    # Paths and URLs name places, not topics.
    text = " ".join(tok for tok in text.split() if "/" not in tok)
    seen: list[str] = []
    for w in _WORD.findall(text):
        lw = w.lower()
        if len(lw) < 4 or lw in settings.stopwords or lw in seen:
            continue
        seen.append(lw)
    return seen


def _revision_entry(rev: Series, remarks: Iterable[Remark], newest: bool) -> RevisionHistory:
    head = rev.cover or (rev.patches[0] if rev.patches else None)
    return RevisionHistory(
        revision=rev.revision,
        title=rev.title,
        message_id=rev.message_id,
        date=head.date if head is not None else None,
        newest=newest,
        remarks=list(remarks),
    )


# --------------------------------------------------------------------------
# Plain data for JSON


def remark_dict(r: Remark) -> dict[str, Any]:
    return {
        "revision": r.revision,
        "author": {"name": r.author.name, "email": r.author.email},
        "date": r.date.isoformat() if r.date else None,
        "message_id": r.message_id,
        "link": r.link,
        "patch": r.patch,
        "patch_subject": r.patch_subject,
        "path": r.path,
        "quoted": list(r.quoted),
        "comment": list(r.comment),
        "bot": r.bot,
        "possibly_unaddressed": r.possibly_unaddressed,
        "now_at": None if r.still_present is None else {
            "patch": r.still_present.patch, "path": r.still_present.path, "line": r.still_present.line,
        },
        "changelog": r.changelog,
        "changelog_mentions": list(r.mentions),
        "verdict": r.verdict,
        "evidence": None if r.evidence is None else {"kind": r.evidence.kind, "text": r.evidence.text},
    }


def history_dict(series: Series, revisions: list[RevisionHistory]) -> dict[str, Any]:
    return {
        "subject": series.title,
        "revision": series.revision,
        "message_id": series.message_id,
        "changelog": has_changelog_in(series),
        "revisions": [
            {
                "revision": h.revision,
                "subject": h.title,
                "message_id": h.message_id,
                "date": h.date.isoformat() if h.date else None,
                "newest": h.newest,
                "remarks": [remark_dict(r) for r in h.remarks],
            }
            for h in revisions
        ],
    }


def assess(remark: Remark, newest: Series, settings: Settings | None = None) -> Remark:
    """Fill in what ``newest`` says about a remark found elsewhere (the review archive)."""
    return _assess(remark, newest, settings or Settings())
