"""The one guarded path by which mail headers are read and decoded.

Python's header parser crashes on shapes real list mail has
(``To: undisclosed-recipients:; (comment)`` -> AttributeError, gh-83281;
``Message-ID: <>`` -> IndexError; 1,000 nested comments -> RecursionError;
an encoded display name holding CR/LF -> ValueError), and a decoded value
may carry CR/LF, control characters or lone surrogates from 8-bit bytes
that later break a report or inject a header.

Every message we read (local mail, git, lore) is given ``POLICY`` by
``guard``: b4's own policy, except that a header that cannot be parsed,
or whose decoded value is not one clean line of text, is returned as its
raw text made safe (one line, no control characters, undecodable bytes as
U+FFFD).  b4 and our code both read headers through ``msg.get`` /
``get_all``, so this covers every reader.
"""

from __future__ import annotations

import re
from email.message import Message
from email.policy import EmailPolicy
from typing import Any, Iterable

_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
_BLANKS = re.compile(r"[ \t]+")


def clean_text(value: str) -> str:
    """One line of printable text: CR/LF and other controls become spaces,
    lone surrogates (undecodable 8-bit bytes) become U+FFFD."""
    value = _UNSAFE.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else " ", value)
    return _BLANKS.sub(" ", value).strip()


class RawHeader(str):
    """A header value we could not (or must not) parse: its cleaned raw text.

    A plain ``str`` to every reader, with the attributes code written
    against the header registry's objects may ask for.
    """

    name: str = ""
    defects: tuple = ()

    def __new__(cls, name: str, value: str) -> "RawHeader":
        obj = super().__new__(cls, clean_text(value))
        obj.name = name
        return obj

    @property
    def addresses(self) -> tuple:
        return ()

    @property
    def groups(self) -> tuple:
        return ()


class GuardedPolicy(EmailPolicy):
    """b4's mail policy with a raw fallback per header (see the module doc)."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        try:
            header = super().header_fetch_parse(name, value)
            text = str(header)
            if _UNSAFE.search(text):
                return RawHeader(name, text)
            if hasattr(header, "addresses"):
                header.addresses  # noqa: B018 - some address crashes surface only here
            return header
        except (Exception, RecursionError):
            return RawHeader(name, value)


def _policy() -> GuardedPolicy:
    import b4

    base = b4.emlpolicy
    return GuardedPolicy(**{k: getattr(base, k) for k in ("utf8", "cte_type", "max_line_length",
                                                          "message_factory", "linesep")})


_POLICY: GuardedPolicy | None = None


def policy() -> GuardedPolicy:
    global _POLICY
    if _POLICY is None:
        _POLICY = _policy()
    return _POLICY


_RAW_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _raw_clean(value: str) -> str:
    """A raw header value with 8-bit bytes read as UTF-8 (else U+FFFD) and no
    control characters but folding whitespace."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _RAW_UNSAFE.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else " ", text)


def guard(msgs: Iterable[Message]) -> list[Message]:
    """The same messages (and their parts) reading headers through ``policy()``.

    b4 and liblore also read ``raw_items()`` (Message-IDs are taken from
    the raw text), so the raw values are cleaned too: the parser keeps
    8-bit bytes as lone surrogates, which no output encoding accepts.
    """
    pol = policy()
    out = []
    for msg in msgs:
        try:
            parts = list(msg.walk())
        except (Exception, RecursionError):
            parts = [msg]
        for part in parts:
            part.policy = pol
            raw = getattr(part, "_headers", None)  # email.message.Message's own list of (name, raw value)
            if isinstance(raw, list):
                for i, item in enumerate(raw):
                    if isinstance(item, tuple) and len(item) == 2 and type(item[1]) is str \
                            and _RAW_UNSAFE.search(item[1]):
                        raw[i] = (item[0], _raw_clean(item[1]))
        out.append(msg)
    return out


def get(msg: Message, name: str, default: str = "") -> str:
    """One header as clean text (``default`` when absent)."""
    value = msg.get(name)
    return default if value is None else clean_text(str(value))
