"""Headers of the ``--format email`` drafts, built so no input can inject one.

Everything that came from mail or the environment reaches a header only as
an ``email.headerregistry.Address`` (the email package quotes the display
name, so ``"Ada, evil@attacker.example,"`` stays one recipient and ``"A: B;"``
never reads as a group), as a Message-ID token checked against RFC 5322's
``msg-id`` (an encoded word there would be decoded into CR/LF by the email
package when the header is written), or as one cleaned line of text.
An address or Message-ID that fails the check is left out, never passed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import EmailPolicy
from email.utils import parseaddr

from ..model import Person
from ..sources.headers import clean_text

# RFC 5322 dot-atom text on both sides (no-fold-literal on the right),
# the only form a Message-ID we thread under may take.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
_MSG_ID = re.compile(rf"^{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[!-Z^-~]*\])$")
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[bBqQ]\?[^?]*\?=")
MAX_MSG_ID = 998  # a header line's length limit
MAX_REFERENCES = 50


def msg_id(value: str | None) -> str | None:
    """``<id@host>`` when ``value`` is a well-formed Message-ID (brackets optional), else None."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if len(text) > MAX_MSG_ID or not _MSG_ID.match(text) or _ENCODED_WORD.search(text):
        return None
    return f"<{text}>"


def address(name: str | None, addr: str | None) -> Address | None:
    """An Address for one mailbox, or None when ``addr`` is not a usable addr-spec."""
    addr = (addr or "").strip()
    if not addr or clean_text(addr) != addr or " " in addr or addr.count("@") != 1:
        return None
    display = clean_text(_decoded(name or ""))
    if _ENCODED_WORD.search(display):
        display = ""  # the email package would decode it again when writing the header
    try:
        result = Address(display_name=display, addr_spec=addr)
        str(result)  # quoting problems surface only when rendered
    except (ValueError, TypeError, IndexError, AttributeError):
        return None
    if result.addr_spec.lower() != addr.lower():
        return None
    return result


def _decoded(text: str) -> str:
    """RFC 2047 words in a display name decoded (names from in-body headers arrive raw)."""
    if "=?" not in text:
        return text
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeError, AssertionError):
        return text


def person(p: Person) -> Address | None:
    return address(p.name, p.email)


def parse_one(text: str) -> Address | None:
    """One mailbox from configured text (``Name <addr>``); None unless it is
    exactly one address on one line."""
    if clean_text(text) != text.strip():
        return None
    from email.utils import getaddresses

    found = getaddresses([text])
    if len(found) != 1:
        return None
    name, addr = parseaddr(text)
    return address(name, addr)


def subject(text: str) -> str:
    return clean_text(text)


@dataclass(frozen=True)
class DraftHeaders:
    """The headers of one review draft, in the order they are written."""

    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    in_reply_to: str | None
    references: tuple[str, ...]
    rules: str

    def apply(self, msg) -> None:
        msg["From"] = self.sender
        if self.to:
            msg["To"] = list(self.to)
        if self.cc:
            msg["Cc"] = list(self.cc)
        msg["Subject"] = self.subject
        if self.in_reply_to:
            msg["In-Reply-To"] = self.in_reply_to
        if self.references:
            msg["References"] = " ".join(self.references)
        msg["X-Reviewtool-Rules"] = self.rules


def draft_headers(author: Person, recipients: tuple[str, ...], full_subject: str, message_id: str | None,
                  references: tuple[str, ...], rule_ids: list[str], me: Address) -> DraftHeaders:
    """To the author, Cc the patch's recipients (less the author and us),
    threaded under the patch when its Message-ID is well formed."""
    mine = {me.addr_spec.lower()}
    to = person(author)
    taken = set(mine) | ({to.addr_spec.lower()} if to else set())
    cc = []
    for r in dict.fromkeys(recipients):
        a = address("", r)
        if a is not None and a.addr_spec.lower() not in taken:
            taken.add(a.addr_spec.lower())
            cc.append(a)
    subj = re.sub(r"^(?:re:\s*)+", "", subject(full_subject), flags=re.I)
    parent = msg_id(message_id)
    refs: list[str] = []
    if parent:
        for r in [*references, message_id]:
            ok = msg_id(r)
            if ok and ok not in refs and ok != parent:
                refs.append(ok)
        refs = refs[-(MAX_REFERENCES - 1):] + [parent]
    return DraftHeaders(
        sender=me,
        to=(to,) if to else (),
        cc=tuple(cc),
        subject=f"Re: {subj}",
        in_reply_to=parent,
        references=tuple(refs),
        rules=clean_text(", ".join(sorted(set(rule_ids)))),
    )



# ---------------------------------------------------------------------------
# Writing the headers

MAX_LINE = 78  # RFC 5322 2.1.1: lines SHOULD be no more than 78 characters
_PLAIN = re.compile(r"^[ -~]*$")  # printable ASCII only: nothing to encode
_ONE_LINE_HEADERS = ("from", "subject")


class DraftPolicy(EmailPolicy):
    """The email package's policy, except that From and Subject stay on their
    own line when ``Name: value`` fits in 78 columns and, when longer, fold at
    the last space that fits (the email package moves the whole value onto a
    continuation line instead: ``Subject:\n Re: ...``).

    Only plain printable ASCII without an encoded-word look-alike is folded
    here, and only by turning an existing space into CRLF+space, which a
    reader's unfolding undoes; anything else (non-ASCII names, ``=?``, a word
    longer than a line) is left to the email package, which encodes it.  The
    value is the header object built from ``Address`` objects or cleaned
    text (see ``DraftHeaders.apply``), so no input reaches here unquoted."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() in _ONE_LINE_HEADERS:
            lines = fold_plain(name, str(value), self.max_line_length or MAX_LINE)
            if lines is not None:
                return self.linesep.join(lines) + self.linesep
        return super().fold(name, value)


def fold_plain(name: str, value: str, width: int = MAX_LINE) -> list[str] | None:
    """The lines of ``name: value``: one when it fits in ``width`` columns,
    else folded before spaces outside quoted strings (never right after the
    colon); None when the value is not plain ASCII, holds an encoded-word
    look-alike, or has a word too long to fold within ``width``."""
    if not _PLAIN.match(value) or "=?" in value or not value.strip():
        return None
    line = f"{name}: {value}"
    if len(line) <= width:
        return [line]
    points = []  # where a fold may go: a space outside quotes, after the first word of the value
    quoted = escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted and i > len(name) + 1 and line[i - 1] != " ":
            points.append(i)
    lines: list[str] = []
    start, previous = 0, None
    for point in [*points, len(line)]:
        if point - start > width and previous is not None and previous > start:
            lines.append(line[start:previous])
            start = previous
        previous = point
    lines.append(line[start:])
    return lines if all(len(ln) <= width for ln in lines) else None
