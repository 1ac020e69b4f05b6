"""Read archived mail fast: one thread's messages as the model's Patch and Message.

An archive ingest reads thousands of messages; b4's LoreMessage costs ~5 ms
each (policy-based header parsing, patch-id through git), which caps ingest
near 100 messages/s.  Archived threads need less: the standard library's
``compat32`` parser for headers and body, ``subject.parse_subject`` for the
tags, ``diffparse`` for the diff.  Mail that ``check`` reads still goes
through ``sources/`` and b4; this reader only feeds the archive.
"""

from __future__ import annotations

import email.header
import email.parser
import email.policy
import email.utils
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Iterable, Iterator

from ..diffparse import parse_files, split_diff
from ..errors import InputError
from ..model import Message, Patch, Person, Trailer
from ..subject import parse_subject

_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.M)
_MSGID = re.compile(r"<([^<>\s]+)>")
_TRAILER = re.compile(r"^([A-Z][A-Za-z0-9-]*-by|Fixes|Link|Closes|Cc):\s*(\S.*)$")
_PARSER = email.parser.BytesParser(policy=email.policy.compat32)
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)


@dataclass(frozen=True)
class Mail:
    """One archived message: a patch (or cover letter) or a reply."""

    message_id: str
    patch: Patch | None  # set for patches and cover letters
    reply: Message | None  # set for every other message
    list_id: str

    @property
    def date(self) -> datetime | None:
        return self.patch.date if self.patch is not None else self.reply.date  # type: ignore[union-attr]


def split_mbox(data: bytes) -> list[bytes]:
    """mboxrd/mboxo bytes -> raw messages (a bare message is one message)."""
    # "From " lines (with a line end) after a blank line, found with bytes.find: a
    # regex over every line of a big mbox cost a tenth of the ingest's mail reading.
    starts = [0] if data.startswith(b"From ") and data.find(b"\n", 5) >= 0 else []
    at = data.find(b"\nFrom ")
    while at >= 0:
        start = at + 1
        if data[start - 2:start] in (b"\n\n", b"\r\n") and data.find(b"\n", start) >= 0:
            starts.append(start)
        at = data.find(b"\nFrom ", start)
    if not starts:
        return [data] if data.strip() else []
    out = []
    for i, start in enumerate(starts):
        body_at = data.index(b"\n", start) + 1
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        chunk = data[body_at:end]
        out.append(_ESCAPED_FROM.sub(rb"\1", chunk) if b">From " in chunk else chunk)
    return out


def read_path(path: Path) -> Iterator[RawMail]:
    """Every message of an mbox file, a maildir, or a directory of mail files."""
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            files = sorted(p for sub in ("cur", "new") if (path / sub).is_dir() for p in (path / sub).iterdir())
        else:
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        for f in files:
            yield from read_path(f)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192]:
        return
    for raw in split_mbox(data):
        yield parse_bytes(raw)


@dataclass(frozen=True)
class RawMail:
    """Header fields (lower-case name -> values, still folded) and the body as bytes."""

    headers: dict[str, list[str]]
    body: bytes
    raw: bytes

    def get(self, name: str) -> str | None:
        """The first value of a header, unfolded: its lines stripped and joined by one space."""
        values = self.headers.get(name.lower())
        if not values:
            return None
        value = values[0]
        return " ".join(part.strip() for part in value.split("\n")) if "\n" in value else value.strip()


# A header field starts at a line that does not start with a space or a tab (RFC 5322 2.2.3).
_FIELD_START = re.compile(r"\n(?![ \t])")


def parse_bytes(raw: bytes) -> RawMail:
    """Header fields split at the first colon (RFC 5322 2.2); nothing else is parsed yet.

    A mail carries ~90 header lines (Received, DKIM, ARC) and the archive reads ten fields:
    the header is cut into fields with one regex split, and a field is unfolded only when read.
    """
    # (Looking for a CR first: one byte is found far faster than the two of CRLF, and most mail has none.)
    head, _, body = (raw.replace(b"\r\n", b"\n") if b"\r" in raw else raw).partition(b"\n\n")
    fields: dict[str, list[str]] = {}
    for field in _FIELD_START.split(head.decode("utf-8", errors="replace")):
        key, colon, value = field.partition(":")
        if colon and " " not in key and "\n" not in key:
            fields.setdefault(key.strip().lower(), []).append(value)
        else:
            _add_lines(field, fields)
    return RawMail(fields, body, raw)


def _add_lines(field: str, fields: dict[str, list[str]]) -> None:
    """A field whose first line is no header (no colon, or a space in the name): its lines are read
    one by one, as a header reader does -- a continuation line that names a header starts one."""
    found: list[tuple[str, list[str]]] = []
    current: list[str] | None = None  # the lines of the header being read
    for line in field.split("\n"):
        if current is not None and line[:1] in (" ", "\t"):
            current.append(line)
            continue
        key, colon, value = line.partition(":")
        if not colon or " " in key:
            current = None
            continue
        current = [value]
        found.append((key.strip().lower(), current))
    for name, lines in found:
        fields.setdefault(name, []).append("\n".join(lines))


def from_email(msg: EmailMessage) -> RawMail:
    """A message b4 fetched from lore, in the same light form."""
    return parse_bytes(msg.as_bytes(policy=email.policy.compat32))


def mails(messages: Iterable[RawMail]) -> list[Mail]:
    """Messages with a Message-ID as Mail; unreadable ones are skipped, not fatal."""
    out = []
    for msg in messages:
        try:
            mail = to_mail(msg)
        except (InputError, ValueError, LookupError, TypeError, AttributeError):
            continue  # a broken message in a big archive is dropped, the rest goes in
        if mail is not None:
            out.append(mail)
    return out


def to_mail(msg: RawMail) -> Mail | None:
    mid = _first_id(_header(msg, "Message-ID"))
    if mid is None:
        return None
    subject = _header(msg, "Subject")
    tags = parse_subject(subject)
    name, addr = _parseaddr(_header(msg, "From"))
    author = Person(name=name.strip(), email=addr.strip().lower())
    date = _date(_header(msg, "Date"))
    in_reply_to = _first_id(_header(msg, "In-Reply-To"))
    references = tuple(_MSGID.findall(_header(msg, "References")))
    body = _body(msg)
    list_id = _list_id(msg)
    message, diff = split_diff(body)
    diff = _strip_signature(diff)
    is_patch = not tags.is_reply and bool(diff)
    is_cover = (not tags.is_reply and not diff and tags.counter == 0
                and "PATCH" in {t.upper() for t in tags.tags})
    if is_patch or is_cover:
        commit, notes = _split_notes(message)
        commit, inbody_from = _strip_inbody_from(commit)
        if inbody_from is not None:
            author = inbody_from
        trailers = tuple(Trailer(m.group(1), m.group(2).strip())
                         for ln in commit.splitlines() if (m := _TRAILER.match(ln.strip())))
        try:
            files = parse_files(diff, f"<{mid}>") if is_patch else ()
        except InputError:
            files = ()  # a diff git am would refuse: keep the mail, not its lines
        patch = Patch(
            n=0 if is_cover else (tags.counter or 1), total=tags.total or 1, tags=tags, author=author,
            date=date, message_id=mid, in_reply_to=in_reply_to, commit_message=commit.strip("\n"),
            trailers=trailers, notes=notes.strip("\n"), files=files, references=references, raw_body=body,
        )
        return Mail(mid, patch, None, list_id)
    reply = Message(message_id=mid, subject=subject, author=author, date=date, in_reply_to=in_reply_to,
                    references=references, body=body)
    return Mail(mid, None, reply, list_id)


def _header(msg: RawMail, name: str) -> str:
    raw = msg.get(name)
    if raw is None:
        return ""
    if "=?" not in raw:
        return " ".join(raw.split())  # no RFC 2047 encoded words: nothing to decode
    try:
        text = str(email.header.make_header(email.header.decode_header(str(raw))))
    except (LookupError, ValueError, UnicodeError, email.errors.HeaderParseError):
        text = str(raw)
    return " ".join(text.split())


# The same people write most of an archive's mail: their From lines are parsed once.
_parseaddr = lru_cache(maxsize=8192)(email.utils.parseaddr)


def _first_id(value: str) -> str | None:
    m = _MSGID.search(value)
    if m:
        return m.group(1)
    value = value.strip()
    return value if value and "@" in value and " " not in value else None


def _date(value: str) -> datetime | None:
    try:
        got = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if got is None:
        return None
    return got if got.tzinfo else got.replace(tzinfo=timezone.utc)


def _list_id(msg: RawMail) -> str:
    text = _header(msg, "List-Id") or _header(msg, "X-Mailing-List")
    m = re.search(r"<([^<>]+)>", text)
    return (m.group(1) if m else text).strip().lower()


def _body(msg: RawMail) -> str:
    """The text of the mail: its first text/plain part, transfer-decoded, in its declared charset."""
    ctype = (msg.get("Content-Type") or "text/plain").lower()
    if ctype.startswith("multipart/"):
        full = _PARSER.parsebytes(msg.raw)
        part = next((p for p in full.walk() if p.get_content_type() == "text/plain"), None)
        if part is None:
            return ""
        payload = part.get_payload(decode=True)
        charset = part.get_content_charset() or "utf-8"
    else:
        payload = _transfer_decode(msg.body, (msg.get("Content-Transfer-Encoding") or "").strip().lower())
        m = _CHARSET.search(ctype)
        charset = m.group(1) if m else "utf-8"
    if not isinstance(payload, bytes):
        return ""
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n") if "\r" in text else text


_CHARSET = re.compile(r'charset\s*=\s*"?([^";\s]+)')


def _transfer_decode(body: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        import base64
        import binascii

        try:
            return base64.b64decode(b"".join(body.split()), validate=False)
        except (binascii.Error, ValueError):
            return body
    if encoding == "quoted-printable":
        import quopri

        return quopri.decodestring(body)
    return body


_SEPARATOR = re.compile(r"^---\s*$", re.M)


def _strip_signature(diff: str) -> str:
    """Drop git format-patch's "-- \n2.43.0" (and list footers after it): not part of the diff."""
    for sep in ("\n-- \n", "\n--\n"):
        at = diff.rfind(sep)
        if at >= 0 and diff.count("\n", at + len(sep)) <= 12:
            return diff[: at + 1]
    return diff
_INBODY = re.compile(r"^(From|Date|Subject):\s*(.*)$", re.I)


def _split_notes(message: str) -> tuple[str, str]:
    m = _SEPARATOR.search(message)
    if not m:
        return message, ""
    return message[: m.start()], message[m.end():]


def _strip_inbody_from(commit: str) -> tuple[str, Person | None]:
    lines = commit.lstrip("\n").split("\n")
    found = None
    i = 0
    while i < len(lines) and (m := _INBODY.match(lines[i])):
        if m.group(1).lower() == "from":
            name, addr = email.utils.parseaddr(m.group(2))
            if addr:
                found = Person(name=name.strip(), email=addr.strip().lower())
        i += 1
    if i and (i == len(lines) or not lines[i].strip()):
        return "\n".join(lines[i:]), found
    return commit, None
