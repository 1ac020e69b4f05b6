"""Plain data passed between stages: what a series is, what a finding is.

Nothing here does I/O; sources build these objects, rules read them, reports
render them.  Keeping them frozen means a rule can never change what another
rule sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Severity = Literal["error", "warning", "info"]
Anchor = Literal["subject", "commit-message", "diff", "series"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}

OriginKind = Literal["mbox", "stdin", "lore", "git", "prep", "example"]


@dataclass(frozen=True)
class Origin:
    """Where a message (or a whole series) came from, as typed data.

    Sources fill it in; rules and reports read it instead of decoding
    note strings or Message-IDs.  ``message_id_made_up`` marks the IDs we
    invent for mail that has none (format-patch files, git commits): they
    thread the input but nobody else knows them, so reports show null.
    """

    kind: OriginKind
    path: str | None = None  # the local input file; "-" for standard input
    index: int | None = None  # position of the message in that file
    offset: int | None = None  # byte range of the message in that file, when known
    length: int | None = None
    url: str | None = None  # the lore URL or Message-ID the series was fetched by
    commit: str | None = None  # the git commit a patch was rendered from
    message_id_made_up: bool = False

    @property
    def from_git(self) -> bool:
        """Rendered from commits (a range or a b4 prep branch), not mailed."""
        return self.kind in ("git", "prep")


UNKNOWN_ORIGIN = Origin("example")


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class SubjectTags:
    """The bracket part of a patch subject, e.g. ``[PATCH RFC v3 2/7]``."""

    raw: str  # the whole subject as sent
    subject: str  # the subject proper, tags and "Re:" removed
    tags: tuple[str, ...] = ()  # every word inside the brackets, as written
    version: int | None = None  # None when no vN was written
    counter: int | None = None
    total: int | None = None
    rfc: bool = False
    resend: bool = False
    is_reply: bool = False


@dataclass(frozen=True)
class Trailer:
    name: str
    value: str

    @property
    def email(self) -> str:
        start, end = self.value.rfind("<"), self.value.rfind(">")
        return self.value[start + 1 : end].strip().lower() if 0 <= start < end else ""


@dataclass(frozen=True)
class DiffLine:
    kind: Literal["+", "-", " "]
    text: str  # without the prefix character and without the newline
    new_line: int | None  # line number in the post-image (None for '-')
    old_line: int | None  # line number in the pre-image (None for '+')


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_length: int
    new_start: int
    new_length: int
    section: str
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True)
class FileChange:
    """One file of a patch as unidiff parsed it."""

    path: str  # post-image path (pre-image for removals)
    old_path: str | None
    status: Literal["added", "modified", "removed", "renamed"]
    hunks: tuple[Hunk, ...] = ()
    binary: bool = False

    def added_lines(self) -> list[DiffLine]:
        return [ln for h in self.hunks for ln in h.lines if ln.kind == "+"]

    def new_text(self) -> str | None:
        """Full post-image of a newly added file; None otherwise."""
        if self.status != "added":
            return None
        return "".join(ln.text + "\n" for ln in self.added_lines())

    def line_at(self, new_line: int) -> DiffLine | None:
        for h in self.hunks:
            for ln in h.lines:
                if ln.new_line == new_line:
                    return ln
        return None

    def context_before(self, new_line: int, count: int) -> list[DiffLine]:
        """The diff lines shown before ``new_line`` in its hunk, for quoting."""
        for h in self.hunks:
            for i, ln in enumerate(h.lines):
                if ln.new_line == new_line and ln.kind != "-":
                    return list(h.lines[max(0, i - count) : i])
        return []


@dataclass(frozen=True)
class Message:
    """A mail in the thread that is not a patch: replies, reviews, bot mail."""

    message_id: str
    subject: str
    author: Person
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class Patch:
    n: int  # counter from [PATCH n/N]; 1 for a single patch, 0 for a cover letter
    total: int
    tags: SubjectTags
    author: Person
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    commit_message: str  # the body above the trailers and '---'
    trailers: tuple[Trailer, ...] = ()
    notes: str = ""  # text between '---' and the diff (changelog, diffstat)
    files: tuple[FileChange, ...] = ()
    recipients: tuple[str, ...] = ()  # To and Cc addresses, lower case
    references: tuple[str, ...] = ()
    raw_body: str = ""  # the decoded body as sent, for quoting in replies
    origin: Origin = UNKNOWN_ORIGIN
    # Why git am would refuse this patch's diff (a mailer wrapped a line, a hunk
    # miscounts...); empty when the diff was read.  Such a patch has no files.
    diff_error: str = ""

    @property
    def public_message_id(self) -> str | None:
        """The Message-ID as the world knows it; None when we made it up."""
        return None if self.origin.message_id_made_up else self.message_id

    @property
    def subject(self) -> str:
        """The subject proper, without bracket tags."""
        return self.tags.subject

    @property
    def full_subject(self) -> str:
        return self.tags.raw

    def file(self, path: str) -> FileChange | None:
        return next((f for f in self.files if f.path == path), None)


@dataclass(frozen=True)
class Series:
    title: str
    revision: int
    expected: int
    patches: tuple[Patch, ...]  # in n order; missing ones are simply absent
    cover: Patch | None = None
    replies: tuple[Message, ...] = ()
    change_id: str | None = None
    base_commit: str | None = None
    source: str = ""  # where it came from, for messages
    # Other revisions found in the same input (oldest first); used for history.
    earlier: tuple["Series", ...] = ()
    # Facts the source learned while building the series (e.g. "subject tags
    # disagreed with the thread"), read by series rules.
    notes: tuple[str, ...] = ()
    origin: Origin = UNKNOWN_ORIGIN  # where the series as a whole came from

    def public_id(self, message_id: str | None) -> str | None:
        """``message_id`` as the world knows it: None when it is one we made up
        for a message of this series (or of an earlier revision in the input)."""
        if not message_id:
            return None
        for s in (self, *self.earlier):
            for p in (s.cover, *s.patches):
                if p is not None and p.message_id == message_id:
                    return p.public_message_id
        return message_id

    @property
    def message_id(self) -> str | None:
        if self.cover is not None:
            return self.cover.message_id
        return self.patches[0].message_id if self.patches else None

    def patch(self, n: int) -> Patch | None:
        if n == 0:
            return self.cover
        return next((p for p in self.patches if p.n == n), None)


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not shown as a remark: an ``[[ignore]]`` entry of a
    config file (with its required reason), or a match in a ``--baseline``
    report (a finding someone has already seen)."""

    kind: Literal["ignore", "baseline"]
    reason: str
    source: str  # the config file or the baseline report


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    patch: int  # n of the patch; 0 for the cover letter or the whole series
    message_id: str | None
    anchor: Anchor
    message: str
    path: str | None = None
    line: int | None = None  # post-image line for anchor == "diff"
    text: str | None = None  # the anchored line's text
    references: tuple[str, ...] = ()
    # Lines quoted above the comment when the anchor is not a diff line
    # (e.g. the subject, or a paragraph of the commit message).
    quote: tuple[str, ...] = ()
    # A status note: what this run could not verify (no kernel tree, only
    # part of the series), not a remark on the patch.  Reports gather these
    # into one footer per series instead of showing them among the findings.
    status_note: bool = False
    suppression: Suppression | None = None  # set on the findings in SeriesReport.suppressed
    # When one finding stands for the rule's repeats in a file (see
    # reviewtool.consolidate): every line it covers, the anchor line first.
    lines: tuple[int, ...] = ()
    # Rules whose point on the same line this finding makes too (they were dropped).
    subsumes: tuple[str, ...] = ()

    def sort_key(self) -> tuple:
        return (
            self.patch,
            {"series": 0, "subject": 1, "commit-message": 2, "diff": 3}[self.anchor],
            self.path or "",
            self.line or 0,
            self.rule,
            self.message,
        )


@dataclass(frozen=True)
class SeriesReport:
    """The result of checking one series."""

    series: Series
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    error: str | None = None  # set when the series could not be checked at all
    # Findings silenced by an [[ignore]] entry or a --baseline report; not in
    # ``findings`` (so no count, exit code or renderer sees them by accident).
    suppressed: tuple[Finding, ...] = ()

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    @property
    def remarks(self) -> tuple[Finding, ...]:
        """The findings about the series itself (status notes left out)."""
        return tuple(f for f in self.findings if not f.status_note)

    @property
    def status_notes(self) -> tuple[Finding, ...]:
        """What this run could not verify, in finding order, each message once."""
        seen: set[str] = set()
        out = []
        for f in self.findings:
            if f.status_note and f.message not in seen:
                seen.add(f.message)
                out.append(f)
        return tuple(out)
