"""Where in the *input* a finding about the subject or commit message lives.

Diff findings have a natural place: the patched file and its post-image line.
Subject, commit-message and series findings do not, so line formats (terse,
SARIF) point at the mail itself: the input file and the line of its
``Subject:`` header or of the commit-message line quoted.  That is what
checkpatch does for stdin (``-:7:``) and what lets an editor jump there.

Inputs are the local files a series came from (``Series.source``: an mbox,
a patch file, a directory of them) or the bytes read from standard input
(shown as ``-``).  A series from lore or git has no such file; callers then
fall back to the Message-ID.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Finding, Series

_HEADER = re.compile(r"^([A-Za-z0-9-]+):\s*(.*)$")
# An mbox separator: "From <sender> <asctime date>", e.g. "From abc Mon Sep 17 00:00:00 2001".
_FROM_LINE = re.compile(r"^From \S+\s+\w{3} \w{3}\s+\d+ \d\d:\d\d:\d\d \d{4}\s*$")


@dataclass
class MailText:
    """One message inside an input file, with 1-based line numbers."""

    path: str  # as shown to the user ("-" for standard input)
    message_id: str | None
    index: int  # position of the message in its file
    subject_line: int | None
    body_start: int  # line number of the first body line
    lines: list[str] = field(repr=False, default_factory=list)  # the body lines

    def find(self, wanted: str) -> int | None:
        """The line number of the first body line equal to ``wanted`` (stripped)."""
        target = wanted.strip()
        if not target:
            return None
        for i, ln in enumerate(self.lines):
            if ln.strip() == target:
                return self.body_start + i
        return None


def split_mail(path: str, text: str) -> list[MailText]:
    """Messages in an mbox, a single message, or a format-patch file."""
    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines) if _FROM_LINE.match(ln) and (i == 0 or not lines[i - 1].strip())]
    if not starts or starts[0] != 0:
        starts.insert(0, -1)  # a message without an mbox separator line
    out = []
    for k, s in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        msgid, subj, i = None, None, s + 1
        last_header = None
        while i < end and lines[i].strip():
            ln = lines[i]
            if ln[:1] in (" ", "\t") and last_header == "message-id" and msgid is None:
                msgid = ln.strip().strip("<>") or None
            m = _HEADER.match(ln)
            if m:
                last_header = m.group(1).lower()
                if last_header == "message-id":
                    msgid = m.group(2).strip().strip("<>") or None
                elif last_header == "subject" and subj is None:
                    subj = i + 1
            i += 1
        body_start = i + 2  # skip the blank line; 1-based
        out.append(MailText(path, msgid, k, subj, body_start, lines[i + 1 : end]))
    return out


class Locator:
    """Finds messages by Message-ID in the inputs of the reports being rendered."""

    def __init__(self, stdin: bytes | None = None) -> None:
        self._stdin = stdin
        self._by_source: dict[str, list[MailText]] = {}

    def _mails(self, source: str) -> list[MailText]:
        if source not in self._by_source:
            self._by_source[source] = self._load(source)
        return self._by_source[source]

    def _load(self, source: str) -> list[MailText]:
        if source == "stdin":
            if self._stdin is None:
                return []
            return split_mail("-", self._stdin.decode("utf-8", errors="replace"))
        p = Path(source)
        files = []
        if p.is_file():
            files = [p]
        elif p.is_dir() and not ((p / "cur").is_dir() or (p / "new").is_dir()):
            files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        out: list[MailText] = []
        for f in files:
            try:
                data = f.read_bytes()
            except OSError:
                continue
            if b"\x00" in data[:8192]:
                continue
            out.extend(split_mail(str(f), data.decode("utf-8", errors="replace")))
        return out

    def message(self, series: Series, message_id: str | None) -> MailText | None:
        if not message_id:
            return None
        mails = self._mails(series.source)
        hit = next((m for m in mails if m.message_id == message_id), None)
        if hit is None:
            # Mail without a Message-ID: its origin says which file and position it was.
            origin = next((p.origin for s in (series, *series.earlier) for p in (s.cover, *s.patches)
                           if p is not None and p.message_id == message_id), None)
            if origin is not None and origin.message_id_made_up and origin.index is not None:
                hit = next((x for x in mails if x.message_id is None and x.index == origin.index
                            and os.path.normpath(x.path) == os.path.normpath(origin.path or "")), None)
        return hit

    def place(self, series: Series, f: Finding) -> tuple[str, int] | None:
        """(input path, line) for a finding anchored in a mail rather than a file."""
        mail = self.message(series, f.message_id)
        if mail is None:
            return None
        line = None
        if f.anchor == "commit-message":
            for wanted in (*f.quote, f.text or ""):
                line = mail.find(wanted)
                if line is not None:
                    break
        if line is None:
            line = mail.subject_line or mail.body_start
        return mail.path, line


def fallback_label(f: Finding) -> str:
    """Where a message finding is when its mail is not in a local file."""
    return f.message_id or "-"
