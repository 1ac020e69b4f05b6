"""The HTTP session liblore fetches lore through, with a size and time cap per answer.

liblore reads ``resp.content`` whole and gunzips it whole, and its timeout
is per socket read: a gzip bomb (4 MiB on the wire, 4 GiB unpacked), an
endless chunked body or a server trickling one byte per second (of the
body or of the status line) defeat it.  Here every answer

* must arrive whole within ``deadline`` seconds (``--timeout`` when given,
  else ``limits.MAX_LORE_SECONDS``): a watchdog shuts the request's sockets
  down when the time is up, which ends a read blocked on a trickle;
* may hold at most ``limits.MAX_LORE_BYTES`` on the wire and, when it is
  gzip data (lore's ``t.mbox.gz``), as many once unpacked; the body of a
  redirect on the way is held to the same caps (requests reads it whole).

Going over the size raises ``AnswerRefused`` (a ``requests.ConnectionError``),
over the time ``AnswerLate`` (a ``requests.Timeout``), so liblore treats
either as a failed host and ``lore._failure`` names the cause.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .. import limits

_CHUNK = 64 * 1024
_OPEN = threading.local()  # sockets opened by this thread's current request


class AnswerRefused(requests.ConnectionError):
    """A lore answer over the size budget."""


class AnswerLate(requests.exceptions.ReadTimeout):
    """A lore answer that did not arrive whole in time (reported as a timeout)."""


def _track(conn: Any) -> None:
    sockets = getattr(_OPEN, "sockets", None)
    if sockets is not None and getattr(conn, "sock", None) is not None:
        sockets.append(conn.sock)


class _TrackedHTTP(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _track(self)


class _TrackedHTTPS(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _track(self)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPS


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class BoundedSession(requests.Session):
    """A requests session whose every answer is read whole under a size and time cap."""

    def __init__(self, deadline: float | None = None, max_bytes: int = limits.MAX_LORE_BYTES) -> None:
        super().__init__()
        self.deadline = float(deadline) if deadline else limits.MAX_LORE_SECONDS
        self.max_bytes = max_bytes
        for scheme in ("http://", "https://"):
            self.mount(scheme, _Adapter())

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs["stream"] = True
        headers = dict(kwargs.pop("headers", None) or {})
        headers["Connection"] = "close"  # a fresh socket per answer: the watchdog owns it
        kwargs["headers"] = headers
        start = time.monotonic()
        _OPEN.sockets = sockets = []
        expired = threading.Event()

        def stop() -> None:
            expired.set()
            for s in list(sockets):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def read_redirect(resp: requests.Response, **_: Any) -> requests.Response:
            # requests reads a 3xx's body whole (resp.content) before following
            # it; read it here first, under the same caps.
            if resp.is_redirect:
                resp._content = self._read(resp, expired)
                resp._content_consumed = True
            return resp

        hooks = dict(kwargs.pop("hooks", None) or {})
        hooks["response"] = [*_as_list(hooks.get("response")), read_redirect]
        kwargs["hooks"] = hooks
        watchdog = threading.Timer(self.deadline, stop)
        watchdog.daemon = True
        watchdog.start()
        try:
            try:
                resp = super().request(method, url, *args, **kwargs)
                body = self._read(resp, expired)
            except (AnswerRefused, AnswerLate):
                raise
            except Exception as exc:
                if expired.is_set():
                    raise AnswerLate(self._late(url)) from exc
                raise
            if expired.is_set() or time.monotonic() - start > self.deadline:
                raise AnswerLate(self._late(url))
        finally:
            watchdog.cancel()
            _OPEN.sockets = None
        resp._content = body  # what .content and .text return from now on
        resp._content_consumed = True
        return resp

    def _late(self, url: str) -> str:
        return f"{url}: the answer did not arrive whole within {self.deadline:g} s"

    def _read(self, resp: requests.Response, expired: threading.Event) -> bytes:
        parts: list[bytes] = []
        size = 0
        try:
            for chunk in resp.raw.stream(_CHUNK, decode_content=True):
                size += len(chunk)
                if size > self.max_bytes:
                    raise AnswerRefused(f"{resp.url}: answer over the {self.max_bytes} byte limit")
                if expired.is_set():
                    raise AnswerLate(self._late(resp.url))
                parts.append(chunk)
        finally:
            resp.close()
        body = b"".join(parts)
        if body[:2] == b"\x1f\x8b":
            _check_gunzipped_size(body, self.max_bytes, resp.url)
        return body


def _as_list(hook: Any) -> list[Any]:
    if hook is None:
        return []
    return list(hook) if isinstance(hook, (list, tuple)) else [hook]


def _check_gunzipped_size(data: bytes, limit: int, url: str) -> None:
    """Refuse gzip data that unpacks to more than ``limit`` bytes, in bounded memory."""
    total = 0
    while data:
        unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            pending = data
            while True:
                out = unpack.decompress(pending, _CHUNK)
                total += len(out)
                if total > limit:
                    raise AnswerRefused(f"{url}: answer unpacks to over the {limit} byte limit")
                pending = unpack.unconsumed_tail
                if unpack.eof or (not out and not pending):
                    break
        except zlib.error:
            return  # not valid gzip: liblore says so itself
        if not unpack.eof:
            return
        data = unpack.unused_data  # gzip.decompress reads concatenated members too
