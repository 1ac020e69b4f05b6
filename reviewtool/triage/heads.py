"""Pass 1 in a worker: one raw message to the small head that grouping reads.

A ``Head`` keeps the header facts ``grouping.group_families`` needs and
where the raw bytes live, so the parent can group a whole archive without
holding a single body.  In pass 2, ``rehydrate`` gives each head its parsed
message back (``Reparsed``) for ``grouping.build_series``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import InputError
from .inputs import RawRef

_CHANGE_ID = re.compile(r"^change-id:\s*\S+", re.M)


@dataclass
class Head:
    """The part of a b4.LoreMessage that grouping reads, plus where the mail lives."""

    ref: RawRef
    msgid: str
    in_reply_to: str | None
    references: list[str]
    fromname: str
    fromemail: str
    date: datetime | None
    full_subject: str
    has_diff: bool
    body: str  # only the change-id line, the one body fact grouping reads


@dataclass
class Broken:
    """A message b4 could not parse: it becomes its own errored row."""

    ref: RawRef
    msgid: str
    subject: str
    author: str
    date: datetime | None
    error: str


def parse_raw(ref: RawRef):
    from liblore.utils import parse_message

    msg = parse_message(ref.read())
    if msg.get("Subject") is None and msg.get("Message-ID") is None:
        return None  # mbox noise (the same filter as `check`)
    if not msg.get("Message-ID"):
        msg["Message-ID"] = f"<{ref.fallback_id}>"
    return msg


def _index_one(ref: RawRef):
    from ..sources.grouping import parse_messages

    try:
        msg = parse_raw(ref)
    except Exception as exc:  # undecodable bytes
        return Broken(ref, ref.fallback_id, "(unreadable message)", "", None, f"{type(exc).__name__}: {exc}")
    if msg is None:
        return None
    try:
        mails = parse_messages([msg], ref.source)
    except InputError as exc:
        return _broken_from_headers(ref, msg, str(exc))
    if not mails:
        return None
    mail = mails[0]
    lm = mail.lmsg
    cid = _CHANGE_ID.search(lm.body or "")
    mail.lmsg = Head(
        ref=ref, msgid=lm.msgid, in_reply_to=lm.in_reply_to, references=list(lm.references or []),
        fromname=lm.fromname, fromemail=lm.fromemail, date=lm.date, full_subject=lm.full_subject,
        has_diff=bool(lm.has_diff), body=cid.group(0) if cid else "",
    )
    return mail


def _broken_from_headers(ref: RawRef, msg, error: str) -> Broken:
    from email.utils import parsedate_to_datetime

    def header(name: str) -> str:
        try:
            return " ".join(str(msg.get(name) or "").split())
        except Exception:
            return ""

    try:
        date = parsedate_to_datetime(header("Date")) if header("Date") else None
    except (TypeError, ValueError):
        date = None
    return Broken(ref, header("Message-ID").strip("<>") or ref.fallback_id, header("Subject") or "(no subject)",
                  header("From"), date, error)


def index_chunk(refs: list[RawRef]) -> list[Any]:
    """A worker task: each ref to a ``grouping._Mail`` with a ``Head``, a ``Broken``, or None (noise)."""
    return [_index_one(r) for r in refs]


def rehydrate(fam) -> None:
    """Give every head its parsed message back, for ``build_series``."""
    for mails in [*fam.revisions.values(), *fam.replies.values()]:
        for m in mails:
            if isinstance(m.lmsg, Head):
                m.lmsg = Reparsed(m.lmsg, parse_raw(m.lmsg.ref))


class Reparsed:
    """A head plus its parsed mail, standing in for a b4.LoreMessage.

    ``build_series`` hands ``.msg`` to b4's LoreMailbox (which parses it
    itself) and reads replies' header facts and body; building a full
    LoreMessage here as well would parse every mail a third time.  Anything
    else is delegated to a real LoreMessage, built on first use.
    """

    def __init__(self, head: Head, msg) -> None:
        self.msg = msg
        self._head = head
        self._full = None
        self._body: str | None = None

    msgid = property(lambda self: self._head.msgid)
    ref = property(lambda self: self._head.ref)
    in_reply_to = property(lambda self: self._head.in_reply_to)
    references = property(lambda self: self._head.references)
    fromname = property(lambda self: self._head.fromname)
    fromemail = property(lambda self: self._head.fromemail)
    date = property(lambda self: self._head.date)
    full_subject = property(lambda self: self._head.full_subject)
    has_diff = property(lambda self: self._head.has_diff)

    @property
    def body(self) -> str:
        if self._body is None:
            from ..sources import b4setup

            self._body = b4setup.ready().LoreMessage.get_payload(self.msg)[0] or ""
        return self._body

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._full is None:
            from ..sources import b4setup

            self._full = b4setup.ready().LoreMessage(self.msg)
        return getattr(self._full, name)
