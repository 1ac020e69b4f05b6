"""The lore session's caps hold for redirect bodies too (issue 15): requests
reads a 3xx body whole before following it, so an endless or huge one must be
cut by the same size and time budget as the answer itself."""

from __future__ import annotations

import http.server
import threading

import pytest

from reviewtool.sources.bounded_http import AnswerLate, AnswerRefused, BoundedSession


class _Handler(http.server.BaseHTTPRequestHandler):
    redirect_body = b""
    chunks = 0

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path == "/final":
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            return
        self.send_response(302)
        self.send_header("Location", "/final")
        self.send_header("Content-Length", str(len(self.redirect_body) + self.chunks * 65536))
        self.end_headers()
        try:
            self.wfile.write(self.redirect_body)
            for _ in range(self.chunks):
                self.wfile.write(b"x" * 65536)
        except OSError:
            pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_small_redirect_is_followed(server):
    _Handler.redirect_body, _Handler.chunks = b"moved", 0
    assert BoundedSession(deadline=10, max_bytes=1 << 20).get(server + "/start").content == b"ok"


def test_a_huge_redirect_body_is_refused(server):
    _Handler.redirect_body, _Handler.chunks = b"", 64  # 4 MiB against a 1 MiB cap
    with pytest.raises(AnswerRefused, match="byte limit"):
        BoundedSession(deadline=10, max_bytes=1 << 20).get(server + "/start")


def test_a_late_redirect_body_is_cut_at_the_deadline(server):
    _Handler.redirect_body, _Handler.chunks = b"", 0
    slow = type("Slow", (_Handler,), {})

    def trickle(self):
        self.send_response(302)
        self.send_header("Location", "/final")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                threading.Event().wait(0.1)
        except OSError:
            pass

    slow.do_GET = trickle
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), slow)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(AnswerLate):
            BoundedSession(deadline=1, max_bytes=1 << 20).get(f"http://127.0.0.1:{httpd.server_address[1]}/x")
    finally:
        httpd.shutdown()
        httpd.server_close()
