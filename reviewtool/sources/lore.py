"""A series from lore (or any public-inbox mirror), fetched through b4.

The SOURCE is a Message-ID (with or without angle brackets) or a URL:
``https://lore.kernel.org/<list>/<msgid>/`` (also ``.../T/``, ``.../t/``,
``.../raw``, ``.../t.mbox.gz``), ``https://lore.kernel.org/r/<msgid>`` or
``https://patch.msgid.link/<msgid>``.  A URL on another host names its own
archive; lore.kernel.org and patch.msgid.link URLs use the configured base
(``--lore-url``, ``REVIEWTOOL_LORE_URL``, else https://lore.kernel.org/all),
so a mirror can stand in for lore.

We go through b4's own code path (``get_pi_thread_by_msgid`` and, for other
revisions, ``b4.mbox.get_extra_series`` as ``b4 am -c`` and ``b4 diff`` use
it), then hand the mail to ``grouping.series_from_messages``, which splits
revisions even when a vN was threaded under v(N-1).  When an earlier
revision is not in the fetched thread we look for it the way ``b4 diff``
does (change-id, else subject and sender, within a year), so the review
history works when each revision is its own thread.

b4 reports fetch failures by logging and returning None; we capture its log
records to turn them into one-line errors (exit 2) and keep stderr clean.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from ..errors import InputError
from ..model import Series

DEFAULT_LORE = "https://lore.kernel.org/all"
ENV_LORE = "REVIEWTOOL_LORE_URL"
# Hosts whose URLs name a message, not an archive to fetch from.
CANONICAL_HOSTS = frozenset({"lore.kernel.org", "patch.msgid.link", "msgid.link", "lkml.kernel.org"})
# What may follow the Message-ID in a lore URL.
URL_SUFFIXES = frozenset({"", "T", "t", "raw", "t.mbox.gz", "t.atom", "d", "R"})

_MSGID = re.compile(r"^[^\s<>@/]+@[^\s<>@/]+$")


@dataclass(frozen=True)
class LoreRef:
    msgid: str
    base: str | None = None  # archive named by a URL on a non-canonical host


def parse_source(source: str) -> LoreRef:
    """Message-ID or URL -> the bare Message-ID (and the archive a URL names)."""
    text = source.strip()
    if re.match(r"(?i)^https?://", text):
        return _parse_url(text, source)
    msgid = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    if msgid.lower().startswith(("id:", "mid:")):
        msgid = msgid.split(":", 1)[1]
    if not _MSGID.match(msgid):
        raise InputError(f"{source!r}: not a Message-ID (expected something like <id@host>)")
    return LoreRef(msgid)


def _parse_url(url: str, source: str) -> LoreRef:
    expected = "expected https://lore.kernel.org/<list>/<message-id>/ or https://patch.msgid.link/<message-id>"
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. http://[::1 (an IPv6 host never closed)
        raise InputError(f"{source}: not a lore message URL ({expected})") from None
    segments = [urllib.parse.unquote(s) for s in parts.path.split("/") if s]
    at = next((i for i, s in enumerate(segments) if _MSGID.match(s)), None)
    if not host or at is None:
        raise InputError(f"{source}: not a lore message URL ({expected})")
    msgid, before, after = segments[at], segments[:at], segments[at + 1:]
    if len(before) > 1 or len(after) > 1 or (after and after[0] not in URL_SUFFIXES):
        raise InputError(f"{source}: not a lore message URL ({expected})")
    if host in CANONICAL_HOSTS:
        return LoreRef(msgid)
    inbox = before[0] if before and before[0] != "r" else "all"
    return LoreRef(msgid, base=f"{parts.scheme.lower()}://{parts.netloc}/{inbox}")


def lore_base(ref: LoreRef, configured: str | None) -> str:
    """The archive URL to fetch from: the URL's own host, else the configured one."""
    raw = ref.base or configured or os.environ.get(ENV_LORE) or DEFAULT_LORE
    base = raw.strip()
    if base.endswith("/%s"):
        base = base[:-3]
    base = base.rstrip("/")
    try:
        parts = urllib.parse.urlsplit(base)
        parts.port  # noqa: B018 - a bad port or IPv6 host raises only here
    except ValueError:
        raise InputError(f"lore URL {raw!r}: not a valid URL; expected an http(s) URL such as {DEFAULT_LORE}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"lore URL {raw!r}: expected an http(s) URL such as {DEFAULT_LORE}")
    if not parts.path:
        base += "/all"  # as b4 does: public-inbox needs an inbox path
    return base


@dataclass
class Fetched:
    """What came back from lore, before it becomes Series."""

    ref: LoreRef
    base: str
    messages: list[EmailMessage]
    # ``messages`` already parsed for grouping (None: not parsed yet).
    mails: list | None = None


def fetch(source: str, opts: Any) -> Fetched:
    """The thread of ``source`` (plus newer/earlier revisions when needed), as mail."""
    ref = parse_source(source)
    base = lore_base(ref, getattr(opts, "lore_url", None))
    b4 = _b4(base, opts)
    nocache = bool(getattr(opts, "no_cache", False))
    msgs = _thread(b4, ref.msgid, base, opts)
    if getattr(opts, "newer", False):
        # b4 am -c: newer revisions, always asked fresh.
        msgs = _extra(msgs, direction=1, wantvers=None, nocache=True)
    missing, parsed = _missing_earlier(msgs, ref.msgid, base, getattr(opts, "revision", None))
    if missing:
        msgs = _extra(msgs, direction=-1, wantvers=missing, nocache=nocache)
    mails = None
    if parsed is not None:
        # Parse only what the search added; the rest was parsed above.
        mails = []
        for m in msgs:
            pm = parsed.get(id(m))
            if pm is None:
                from .grouping import parse_messages

                pm = next(iter(parse_messages([m], f"<{ref.msgid}>")), None)
            if pm is not None:
                mails.append(pm)
    return Fetched(ref, base, msgs, mails)


def load(source: str, opts: Any) -> list[Series]:
    """Series for a Message-ID or lore URL: the newest revision (or ``opts.revision``)."""
    got = fetch(source, opts)
    return to_series(got, getattr(opts, "revision", None))


def to_series(got: Fetched, revision: int | None) -> list[Series]:
    from .grouping import series_from_messages

    label = _label(got)
    from ..model import Origin

    series = series_from_messages(got.messages, label, revision, mails=got.mails,
                                  origin=Origin("lore", url=got.ref.msgid))
    mine = [s for s in series if got.ref.msgid in _ids(s)]
    return mine or series


# --------------------------------------------------------------------------
# b4 calls


def _b4(base: str, opts: Any):
    from . import b4setup

    timeout = getattr(opts, "timeout", None)
    if timeout is not None and timeout <= 0:
        raise InputError(f"--timeout must be a positive number of seconds (got {timeout:g})")
    return b4setup.ready(lore_url=base, network=True, timeout=timeout,
                         cache=not getattr(opts, "no_cache", False))


def _thread(b4, msgid: str, base: str, opts: Any) -> list[EmailMessage]:
    from . import b4setup

    with b4setup.capture_logs() as log:
        try:
            msgs = b4.get_pi_thread_by_msgid(msgid, nocache=bool(getattr(opts, "no_cache", False)))
        except Exception as exc:  # b4 lets some failures through (bad gzip, odd HTTP errors)
            raise InputError(_failure(exc, msgid, base, opts)) from None
    if not msgs:
        errors = log.exceptions()
        if errors:
            raise InputError(_failure(errors[0], msgid, base, opts))
        raise InputError(f"<{msgid}>: {base} returned no messages for this Message-ID")
    return list(msgs)


def _extra(msgs: list[EmailMessage], direction: int, wantvers: list[int] | None, nocache: bool
           ) -> list[EmailMessage]:
    """Other revisions of the series, by b4's own search; the thread alone if that fails."""
    import b4.mbox as b4mbox  # b4's am/diff helpers

    from . import b4setup

    with b4setup.capture_logs():
        try:
            more = list(b4mbox.get_extra_series(list(msgs), direction=direction, wantvers=wantvers,
                                                nocache=nocache))
        except Exception:
            # A failed search must not lose the thread we have: the check
            # still runs, only without the other revisions.
            return msgs
        return _complete_revisions(msgs, more, nocache)


def _complete_revisions(before: list[EmailMessage], after: list[EmailMessage], nocache: bool
                        ) -> list[EmailMessage]:
    """Fetch the threads of revisions the search found only in part.

    b4 keeps a search hit only when its subject carries the revision it
    looks for, so a v2 whose patches say "[PATCH n/N]" (Bao) comes back as
    a cover letter alone; its thread has the rest.
    """
    import b4

    seen = {b4.LoreMessage.get_clean_msgid(m) for m in after}
    known = {b4.LoreMessage.get_clean_msgid(m) for m in before}
    out = list(after)
    for msg in after[len(before):]:
        mid = b4.LoreMessage.get_clean_msgid(msg)
        subj = b4.LoreSubject(msg.get("Subject", ""))
        if mid in known or subj.reply or subj.counter != 0 or not subj.expected:
            continue
        answers = sum(1 for m in out if b4.LoreMessage.get_clean_msgid(m, "In-Reply-To") == mid
                      and not b4.LoreSubject(m.get("Subject", "")).reply)
        if answers >= subj.expected:
            continue
        thread = b4.get_pi_thread_by_msgid(mid, nocache=nocache, quiet=True) or []
        for m in thread:
            tid = b4.LoreMessage.get_clean_msgid(m)
            if tid not in seen:
                seen.add(tid)
                out.append(m)
    return out


def _missing_earlier(msgs: list[EmailMessage], msgid: str, base: str, revision: int | None
                     ) -> tuple[list[int], dict[int, Any] | None]:
    """Revisions below the one to check that the fetched mail does not hold,
    and the parsed mail (keyed by id() of each message) for reuse."""
    import b4

    from .grouping import group_families, parse_messages

    subjects = [b4.LoreSubject(str(m.get("Subject", ""))) for m in msgs]
    if max((s.revision for s in subjects if not s.reply), default=1) <= 1 and (revision or 1) <= 1:
        return [], None  # a first posting: nothing earlier to look for
    parsed: dict[int, Any] = {}
    for m in msgs:
        got = parse_messages([m], f"<{msgid}>")
        if got:
            parsed[id(m)] = got[0]
    mails = list(parsed.values())
    families = [f for f in group_families(mails) if f.revisions]
    if not families:
        raise InputError(f"<{msgid}>: the thread on {base} has no patches (only replies or discussion)")
    fam = next((f for f in families if msgid in _family_ids(f)), families[-1])
    top = revision or max(fam.revisions)
    return [r for r in range(1, top + 1) if r not in fam.revisions], parsed


def _family_ids(fam) -> set[str]:
    return {m.lmsg.msgid for ms in [*fam.revisions.values(), *fam.replies.values()] for m in ms}


def _ids(series: Series) -> set[str]:
    out: set[str] = set()
    for s in (series, *series.earlier):
        out.update(p.message_id for p in [s.cover, *s.patches] if p is not None and p.message_id)
        out.update(r.message_id for r in s.replies)
    return out


def _label(got: Fetched) -> str:
    return f"<{got.ref.msgid}>"


# --------------------------------------------------------------------------
# Errors


def _failure(exc: BaseException, msgid: str, base: str, opts: Any) -> str:
    """One line saying what was tried and why it failed."""
    import requests

    tried = f"{base}/{urllib.parse.quote_plus(msgid)}/t.mbox.gz"
    status = getattr(exc, "status_code", None)
    chain = [exc]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        nxt = chain[-1].__cause__ or chain[-1].__context__
        if nxt in chain:
            break
        chain.append(nxt)
    from .bounded_http import AnswerRefused

    refused = next((e for e in chain if isinstance(e, AnswerRefused)), None)
    if refused is not None:
        return f"<{msgid}>: {base} answer refused ({str(refused).rsplit(': ', 1)[-1]}; GET {tried})"
    if status == 404:
        return f"<{msgid}>: no such Message-ID on {base} (GET {tried} answered 404)"
    if any(isinstance(e, requests.Timeout) for e in chain):
        timeout = getattr(opts, "timeout", None)
        within = f"within {timeout:g} s" if timeout else "within the request timeout"
        return f"<{msgid}>: {base} did not answer {within} (GET {tried}; raise --timeout to wait longer)"
    if any(isinstance(e, requests.ConnectionError) for e in chain):
        return f"<{msgid}>: cannot reach {base} ({_reason(chain)}; tried GET {tried})"
    if status:
        return f"<{msgid}>: {base} answered HTTP {status} (GET {tried})"
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return f"<{msgid}>: fetching {tried} failed ({type(exc).__name__}{': ' + detail if detail else ''})"


def _reason(chain: list[BaseException]) -> str:
    text = " ".join(str(e) for e in chain)
    if "Connection refused" in text or any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if re.search(r"Name or service not known|nodename nor servname|Failed to resolve|NameResolution|getaddrinfo",
                 text):
        return "host name not found"
    if "ProxyError" in text or "proxy" in text.lower():
        return "proxy error"
    if "SSL" in text or "certificate" in text:
        return "TLS error"
    return "connection failed"
