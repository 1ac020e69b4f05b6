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

