"""A loopback HTTP server that answers the few public-inbox requests b4 makes.

It serves real threads from the corpus so tests drive b4's and liblore's own
fetch code instead of a mock:

* ``GET /<list>/<msgid>/t.mbox.gz``: the whole thread holding that message,
  as gzip'd mboxrd sent WITHOUT ``Content-Encoding`` (liblore un-gzips the
  body itself; with the header set, requests would do it first and liblore
  would fail on plain text);
* ``GET /<list>/<msgid>/raw``: one message;
* ``HEAD /<msgid>/``: the redirect probe liblore sends after a 404;
* ``POST /<list>/?x=m[&t=1]&q=...``: a small search understanding the terms
  b4 sends (``nq:``, ``s:``, ``f:``, ``d:A..B``, ``AND``/``OR``/parentheses);
  ``t=1`` expands every hit to its thread; no hit is a 404, like lore.

A "thread" is a list of mbox files served as one: real lore serves Bao v1 and
v2 as one thread because the v2 cover letter replies to the v1 cover.
Every request is logged in ``FakeLore.requests``.  Unknown Message-IDs are
404.  ``delay`` makes every answer wait, to test timeouts.
"""

from __future__ import annotations

import gzip
import http.server
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Iterable

import pytest

_SEPARATOR = re.compile(rb"^From [^\n]*\n", re.M)


@dataclass
class StoredMail:
    """One message as it sits in the archive: its mboxrd bytes plus a few headers."""

    raw: bytes  # mboxrd-escaped message, without the "From " separator line
    msgid: str
    subject: str
    sender: str
    date: datetime | None
    thread: int = 0

    def unescaped(self) -> bytes:
        return re.sub(rb"(?m)^>(>*From )", rb"\1", self.raw)


def read_mbox(path: Path) -> list[bytes]:
    """Split an mboxrd file into raw messages, keeping their bytes exactly."""
    data = path.read_bytes()
    starts = [m.end() for m in _SEPARATOR.finditer(data)]
    bounds = [m.start() for m in _SEPARATOR.finditer(data)][1:] + [len(data)]
    return [data[s:e].rstrip(b"\n") + b"\n" for s, e in zip(starts, bounds)]


def _stored(raw: bytes, thread: int) -> StoredMail:
    head = BytesHeaderParser().parsebytes(raw)
    try:
        date = parsedate_to_datetime(str(head.get("Date", "")))
    except (TypeError, ValueError):
        date = None
    if date is not None and date.tzinfo is None:
        date = date.replace(tzinfo=timezone.utc)
    return StoredMail(
        raw=raw,
        msgid=str(head.get("Message-ID", "")).strip().strip("<>"),
        subject=" ".join(str(head.get("Subject", "")).split()),
        sender=str(head.get("From", "")),
        date=date,
        thread=thread,
    )


def to_mbox_gz(mails: Iterable[StoredMail]) -> bytes:
    out = bytearray()
    for m in mails:
        out += b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + m.raw + b"\n"
    return gzip.compress(bytes(out))


# ----------------------------------------------------------------- search

_TOKEN = re.compile(r'\s*(\(|\)|AND\b|OR\b|NOT\b|[a-z]+:"[^"]*"|[a-z]+:\S+?(?=\)|\s|$)|"[^"]*"|[^\s()]+)')


def _tokens(query: str) -> list[str]:
    pos, out = 0, []
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or not m.group(1):
            break
        out.append(m.group(1))
        pos = m.end()
    return out


def _term_matches(term: str, mail: StoredMail) -> bool:
    prefix, _, value = term.partition(":") if re.match(r"^[a-z]+:", term) else ("", "", term)
    value = value.strip('"')
    if prefix == "nq":
        body = mail.unescaped().decode("utf-8", "replace")
        if value.lower().startswith("change-id:"):
            cid = value.split(":", 1)[1].strip()
            return re.search(r"(?mi)^change-id:\s*" + re.escape(cid) + r"\s*$", body) is not None
        return value.lower() in body.lower()
    if prefix == "s":
        return value.lower() in mail.subject.lower()
    if prefix == "f":
        return value.lower() in mail.sender.lower()
    if prefix == "d":
        if mail.date is None:
            return False
        start, _, end = value.partition("..")
        day = mail.date.astimezone(timezone.utc).strftime("%Y%m%d")
        return (not start or day >= start) and (not end or day <= end)
    if prefix == "patchid":
        return False  # we do not compute patch-ids; lore would, rarely needed here
    return value.lower() in mail.unescaped().decode("utf-8", "replace").lower()


def _evaluate(tokens: list[str], mail: StoredMail) -> bool:
    """AND binds tighter than OR; juxtaposition means AND, as in Xapian."""
    pos = 0

    def expr() -> bool:
        nonlocal pos
        value = conj()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            value = conj() or value
        return value

    def conj() -> bool:
        nonlocal pos
        value = unary()
        while pos < len(tokens) and tokens[pos] not in ("OR", ")"):
            if tokens[pos] == "AND":
                pos += 1
            value = unary() and value
        return value

    def unary() -> bool:
        nonlocal pos
        tok = tokens[pos] if pos < len(tokens) else ""
        pos += 1
        if tok == "NOT":
            return not unary()
        if tok == "(":
            value = expr()
            pos += 1  # ')'
            return value
        return _term_matches(tok, mail)

    return bool(tokens) and expr()


# ----------------------------------------------------------------- server


@dataclass
class FakeLore:
    threads: list[list[Path]]
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)
    mails: list[StoredMail] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        for i, paths in enumerate(self.threads):
            for p in paths:
                self.mails.extend(_stored(raw, i) for raw in read_mbox(Path(p)))
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/all"

    def thread_of(self, msgid: str) -> list[StoredMail]:
        hit = next((m for m in self.mails if m.msgid == msgid), None)
        return [] if hit is None else [m for m in self.mails if m.thread == hit.thread]

    def search(self, query: str, full_threads: bool) -> list[StoredMail]:
        tokens = _tokens(query)
        hits = [m for m in self.mails if _evaluate(tokens, m)]
        if full_threads:
            wanted = {m.thread for m in hits}
            return [m for m in self.mails if m.thread in wanted]
        return hits

    def start(self) -> "FakeLore":
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def count(self, method: str, fragment: str = "") -> int:
        return sum(1 for r in self.requests if r.startswith(method + " ") and fragment in r)


def _handler(lore: FakeLore):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # keep test output clean
            pass

        def _send(self, code: int, body: bytes = b"", ctype: str = "text/plain") -> None:
            if lore.delay:
                time.sleep(lore.delay)
            try:
                self.send_response(code)
                self.send_header("Content-Type", ctype)  # deliberately no Content-Encoding
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
            except OSError:  # the client gave up (timeout tests)
                pass

        def do_HEAD(self):
            lore.requests.append(f"HEAD {self.path}")
            m = re.match(r"^/(?:[^/]+/)?([^/]+)/$", self.path)
            known = m and lore.thread_of(urllib.parse.unquote_plus(m.group(1)))
            self._send(200 if known else 404)

        def do_GET(self):
            lore.requests.append(f"GET {self.path}")
            m = re.match(r"^/[^/]+/([^/]+)/(t\.mbox\.gz|raw)$", self.path)
            if not m:
                return self._send(404, b"not found\n")
            msgid = urllib.parse.unquote_plus(m.group(1))
            thread = lore.thread_of(msgid)
            if not thread:
                return self._send(404, b"not found\n")
            if m.group(2) == "raw":
                one = next(x for x in thread if x.msgid == msgid)
                return self._send(200, one.unescaped(), "text/plain; charset=utf-8")
            return self._send(200, to_mbox_gz(thread), "application/gzip")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            lore.requests.append(f"POST {self.path} body={body.decode(errors='replace')}")
            parts = urllib.parse.urlsplit(self.path)
            qs = urllib.parse.parse_qs(parts.query)
            hits = lore.search(qs.get("q", [""])[0], qs.get("t", ["0"])[0] == "1")
            if not hits:
                return self._send(404, b"no results\n")
            return self._send(200, to_mbox_gz(hits), "application/gzip")

    return Handler


# ----------------------------------------------------------------- fixtures


@pytest.fixture
def fake_lore(corpus):
    """Factory: ``fake_lore(["bao-v1.mbox", "bao-v2.mbox"], ["other.mbox"])``.

    Each argument is one thread (a list of corpus file names served together).
    """
    started: list[FakeLore] = []

    def start(*threads: list[str], delay: float = 0.0) -> FakeLore:
        lore = FakeLore([[corpus / name for name in t] for t in threads], delay=delay).start()
        started.append(lore)
        return lore

    yield start
    for lore in started:
        lore.stop()


@pytest.fixture
def lore_env(tmp_path):
    """Environment for a CLI run against the fake lore: private b4 cache, no internet.

    Any request that is not to the loopback server goes to a proxy on a
    closed port and fails at once, so a wrong URL can never reach the net.
    """
    cache = tmp_path / "xdg-cache"
    cache.mkdir()
    return {
        "XDG_CACHE_HOME": str(cache),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "NO_COLOR": "1",
    }
