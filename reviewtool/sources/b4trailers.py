"""A linear-time stand-in for b4 0.16's ``LoreMessage.find_trailers``.

b4 runs ``find_trailers`` on every message body it wraps (follow-up
trailers) and on the commit message paragraphs.  Three of its regexes
backtrack badly on hostile or merely unusual mail:

* ``(.*\\S+)(\\s+#[^#]+)$`` on each trailer value is cubic: one 2,000-char
  ``Fixes:`` line takes 26 s;
* the "copypasta" joins ``^(\\S+:\\s+[^<]+)\\n(<[^>]+>)$`` and
  ``^(\\S+:\\s+[\\da-f]+\\s+\\([^)]+)\\n([^\\n]+\\))`` let ``[^<]``/``[^)]``
  run across lines, so a 50 kB body of ``a: b`` lines takes 10 s.

This module does what b4 means (its comments describe two-line shapes:
``Signed-off-by: Long Name`` + ``<email>`` on the next line, and a
``Fixes: abcd (foo`` + ``bar)`` wrap) with the same results on real mail
(tested against b4's own function on the whole corpus) in linear time, and
``install`` puts it in place of b4's.  Trailer values are also clipped to
``limits.MAX_TRAILER_CHARS`` before anything looks at them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..limits import MAX_TRAILER_CHARS

logger = logging.getLogger("b4")

_IGNORES = frozenset({"phone", "mail", "email", "e-mail", "prerequisite-message-id"})
_HEADERS = frozenset({"subject", "date", "from"})
_LINKS = frozenset({"link", "buglink", "closes"})
_NONPERSON = _LINKS | {"fixes", "subject", "date", "obsoleted-by", "change-id", "base-commit"}

# Line-bounded versions of b4's copypasta joins (no class may cross a newline).
_WRAPPED_FIXES = re.compile(r"^(\S+:[ \t]+[\da-f]+[ \t]+\([^)\n]+)\n([^\n]+\))", re.M)
_WRAPPED_EMAIL = re.compile(r"^(\S+:[ \t]+[^<\n]+)\n(<[^>\n]+>)$", re.M)
_TRAILER = re.compile(r"^\s*(\w\S+):\s+(\S.*)", re.I)
_EXTLINE = re.compile(r"^\s*\[[^]]+]\s*$")
_PERSON = re.compile(r"\S+@\S+\.\S+")
_URL = re.compile(r"https?://")
_FIXES_HASH = re.compile(r"^[0-9a-f]{6,}")

_ORIGINAL: Any = None


def split_extinfo(value: str) -> tuple[str, str | None]:
    """b4's ``(.*\\S+)(\\s+#[^#]+)$`` split of ``value # comment``, without backtracking.

    The match needs the last ``#`` to have text after it and whitespace
    before it, and something non-blank before that whitespace; the greedy
    ``.*`` makes the value end at the last non-blank before the whitespace.
    """
    hash_at = value.rfind("#")
    if hash_at <= 0 or hash_at == len(value) - 1 or "\n" in value[hash_at:]:
        return value, None
    k = hash_at
    while k > 0 and value[k - 1].isspace():
        k -= 1
    if k == hash_at or k == 0 or "\n" in value[:k]:
        return value, None
    return value[:k], value[k:]


def find_trailers(body: str, followup: bool = False) -> tuple[list[Any], list[str]]:
    """Same contract as ``b4.LoreMessage.find_trailers`` (b4 0.16)."""
    import b4

    body = body.split("\n-- \n", 1)[0].strip() + "\n"
    body = _WRAPPED_FIXES.sub(r"\1 \2", body)
    body = _WRAPPED_EMAIL.sub(r"\1 \2", body)
    trailers: list[Any] = []
    others: list[str] = []
    was_trailer = False
    for line in body.split("\n"):
        line = line.strip("\r")
        matches = _TRAILER.search(line[: MAX_TRAILER_CHARS * 4]) if ":" in line else None
        if matches:
            oname, ovalue = matches.groups()
            ovalue = ovalue[:MAX_TRAILER_CHARS]
            lname = oname.lower()
            if lname in _IGNORES:
                continue
            if others and lname in _HEADERS:
                continue
            if followup:
                if not lname.isascii():
                    continue
                if not _PERSON.search(ovalue) and lname not in _NONPERSON:
                    continue
                if _URL.search(ovalue) and lname not in _LINKS:
                    continue
            if lname == "fixes" and not _FIXES_HASH.search(ovalue):
                continue
            ovalue, extinfo = split_extinfo(ovalue)
            was_trailer = True
            trailers.append(b4.LoreTrailer(name=oname, value=ovalue, extinfo=extinfo))
            continue
        if len(line) > 2 and was_trailer and _EXTLINE.search(line):
            trailers[-1].extinfo = line
            was_trailer = False
            continue
        was_trailer = False
        others.append(line)
    return trailers, others


def original() -> Any:
    """b4's own function (for the equivalence test)."""
    import b4

    return _ORIGINAL or b4.LoreMessage.find_trailers


def install(b4: Any) -> None:
    """Replace b4's ``find_trailers`` with ours, once per process."""
    global _ORIGINAL
    current = b4.LoreMessage.__dict__.get("find_trailers")
    if _ORIGINAL is None and current is not None:
        _ORIGINAL = current.__func__ if isinstance(current, staticmethod) else current
    b4.LoreMessage.find_trailers = staticmethod(find_trailers)
