"""Every reproducer of issue 15 (``../shared/fuzz-repros/``, except the user-rule
ones 25-28 which tests/test_catalog.py covers) through the real command line.

Each run must end as a report (exit 0/1) or as exactly one line on stderr
(exit 2), within a time bound and under a 2 GiB address-space limit; email
drafts must parse with ``mailbox`` and carry exactly the intended headers and
recipients.  The runs are independent processes, started together once per
module so the file costs about one slow run of wall time.
"""

from __future__ import annotations

import gzip
import http.server
import json
import mailbox
import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import getaddresses
from pathlib import Path

import pytest

from conftest import REPO

REPROS = REPO.parent / "shared" / "fuzz-repros"
MEMORY_LIMIT = 2 << 30  # bytes of address space per run
TIME_LIMIT = 90.0  # seconds per run, on a busy 2-core machine
SECRET = "/tmp/rt-secret/secret.yaml"

pytestmark = pytest.mark.skipif(not REPROS.is_dir(), reason=f"fuzz reproducers not found at {REPROS}")


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    rc: int
    stdout: bytes
    stderr: str
    seconds: float

    def one_line_error(self) -> str:
        lines = self.stderr.splitlines()
        assert self.rc == 2, f"{self.args}: exit {self.rc}, stderr {self.stderr[:300]!r}"
        assert len(lines) == 1, f"{self.args}: {len(lines)} stderr lines: {self.stderr[:500]!r}"
        assert "internal error" not in lines[0] and "Traceback" not in lines[0], lines[0]
        return lines[0]

    def report(self) -> bytes:
        assert self.rc in (0, 1), f"{self.args}: exit {self.rc}, stderr {self.stderr[:300]!r}"
        assert self.stderr == "", f"{self.args}: stderr {self.stderr[:300]!r}"
        return self.stdout


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path = REPROS) -> Run:
    full = dict(os.environ)
    full.pop("REVIEWTOOL_DEBUG", None)
    full["XDG_CONFIG_HOME"] = str(REPO / "tests" / "no-user-config")
    full["REVIEWTOOL_FROM"] = "Reviewer <reviewer@example.org>"
    full.update(env or {})
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "reviewtool", *args], capture_output=True, cwd=cwd, env=full,
                          timeout=TIME_LIMIT, preexec_fn=_limit_memory, stdin=subprocess.DEVNULL)
    return Run(args, proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"),
               time.monotonic() - start)


# -- loopback lore servers (the tests/fakelore.py pattern: 127.0.0.1, port 0) ------------------

class _Server:
    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/all"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _bomb() -> bytes:
    """128 MiB of zeros, gzip'd: twice the unpacked-size limit, 128 kB on the wire."""
    return gzip.compress(b"\0" * (128 << 20), compresslevel=1)


class _BombHandler(http.server.BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *a):  # noqa: D401 - quiet
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


class _TrickleHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(10 << 20))
        self.end_headers()
        try:
            for _ in range(120):
                self.wfile.write(b"\x1f")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass

    do_HEAD = do_GET


def _huge_line_patch(path: Path) -> Path:
    """13-huge-line-binding.sh, written out: a binding whose title is one 10 MB line."""
    t = ("$id: http://devicetree.org/schemas/misc/acme,x.yaml#\n$schema: http://devicetree.org/meta-schemas/core.yaml#\n"
         "title: " + "T" * 10_000_000 + "\n")
    lines = t.rstrip("\n").split("\n")
    p = "Documentation/devicetree/bindings/misc/acme,x.yaml"
    d = (f"diff --git a/{p} b/{p}\nnew file mode 100644\n--- /dev/null\n+++ b/{p}\n@@ -0,0 +1,{len(lines)} @@\n"
         + "".join("+" + line + "\n" for line in lines))
    path.write_text("From: A <a@example.org>\nSubject: [PATCH] dt-bindings: misc: Add x\nMessage-ID: <h@x>\n\nAdd.\n---\n" + d)
    return path


def _plain_tree(tmp: Path) -> Path:
    """A kernel-shaped directory that is not a git repository (repro 15's --tree)."""
    tree = tmp / "plain-tree"
    (tree / "Documentation/devicetree/bindings/misc").mkdir(parents=True)
    (tree / "Documentation/devicetree/bindings/misc/ok.yaml").write_text("title: fine\n")
    return tree


def _added_binding(text: str) -> str:
    p = "Documentation/devicetree/bindings/misc/acme,x.yaml"
    lines = text.rstrip("\n").split("\n")
    d = (f"diff --git a/{p} b/{p}\nnew file mode 100644\n--- /dev/null\n+++ b/{p}\n@@ -0,0 +1,{len(lines)} @@\n"
         + "".join("+" + line + "\n" for line in lines))
    return ("From: A <a@example.org>\nSubject: [PATCH] dt-bindings: misc: Add x\nMessage-ID: <an@x>\n\n"
            "Add a binding for it.\n\nSigned-off-by: A <a@example.org>\n---\n" + d)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    """Every reproducer's command, run in parallel once for the module."""
    tmp = tmp_path_factory.mktemp("repros")
    huge = _huge_line_patch(tmp / "13-huge-line-binding.patch")
    anchors = tmp / "reused-anchor.patch"  # found by benchmarks/fuzz.py: ruamel warned on stderr
    anchors.write_text(_added_binding("a: &l7 1\nb: &l7 2\n"))
    dup_bomb = tmp / "duplicate-key-alias-bomb.patch"  # found by benchmarks/fuzz.py: ruamel printed the expansion
    dup_bomb.write_text(_added_binding("l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n" + "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 7)) + "l6: 1\n"))
    _BombHandler.body = _bomb()
    bomb, trickle = _Server(_BombHandler), _Server(_TrickleHandler)
    refused = "http://127.0.0.1:9/all"  # the discard port: connection refused, never the internet
    jobs = {
        "01": ("check", "01-email-from-group.patch", "--format", "email"),
        "01-terminal": ("check", "01-email-from-group.patch"),
        "02": ("check", "02-empty-message-id.patch", "--format", "json"),
        "03": ("check", "03-message-id-nested-comments.patch", "--format", "json"),
        "04": ("check", "04-binding-control-char.patch", "--format", "json"),
        "05": ("check", "05-binding-lone-brace.patch", "--format", "json"),
        "06": ("check", "06-multiline-diff-error.patch", "--format", "json"),
        "07": ("check", "07-huge-series-total.patch", "--format", "json"),
        "08": ("check", "/dev/zero"),
        "09": ("check", "09-non-utf8-message-id.patch", "--format", "json"),
        "10": ("check", "10-binding-custom-tag.patch", "--format", "json"),
        "11": ("check", "11-binding-ref-bad-ipv6.patch", "--format", "json"),
        "11-lore-url": ("check", "<x@example.org>", "--lore-url", "http://[::1"),
        "12": ("check", "12-binding-billion-laughs.patch"),
        "13": ("check", str(huge), "--format", "terse"),
        "14": ("check", "14-email-recipient-injection.patch", "--format", "email"),
        "15": ("check", "15-tree-read-traversal.patch", "--tree", str(_plain_tree(tmp)), "--format", "json"),
        "16": ("check", "16-ref-url-traversal.patch", "--format", "json"),
        "17": ("check", "17-binding-path-prefix-clash.patch", "--format", "json"),
        "18": ("check", "18-dts-example-deep-nodes.patch"),
        "19-long": ("check", "a" * 300),
        "19-long-msgid": ("check", "<" + "a" * 300 + "@example.org>", "--lore-url", refused, "--timeout", "5"),
        "19-newline": ("check", "HEAD~1..HEAD\nX"),
        "20": ("check", "20-email-header-injection-msgid.patch", "--format", "email"),
        "21": ("check", "21-crlf-in-cc-display-name.patch", "--format", "email"),
        "22": ("check", "22-crlf-in-inbody-from.patch", "--format", "email"),
        "22-sender": ("check", "22-crlf-in-inbody-from.patch", "--format", "email"),
        "23": ("check", "<bomb@example.org>", "--lore-url", bomb.url, "--no-cache", "--timeout", "20"),
        "24": ("check", "<trickle@example.org>", "--lore-url", trickle.url, "--no-cache", "--timeout", "3"),
        "31": ("check", "31-long-trailer-line.patch", "--format", "json"),
        "anchor": ("check", str(anchors), "--format", "json"),
        "dup-bomb": ("check", str(dup_bomb)),
    }
    envs = {
        "09": {"PYTHONIOENCODING": "utf-8:strict"},
        "22-sender": {"REVIEWTOOL_FROM": "Reviewer\r\nBcc: evil@attacker.example <reviewer@example.org>"},
        "29": {"XDG_CONFIG_HOME": str(REPROS / "29-config-tilde-user")},
        "30": {"XDG_CONFIG_HOME": str(REPROS / "30-config-deep-array")},
    }
    jobs["29"] = ("check", "06-multiline-diff-error.patch")
    jobs["30"] = ("check", "06-multiline-diff-error.patch")
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {k: pool.submit(cli, *a, env=envs.get(k)) for k, a in jobs.items()}
            return {k: f.result() for k, f in futures.items()}
    finally:
        bomb.close()
        trickle.close()


def _mbox(run: Run, tmp_path: Path) -> list[mailbox.mboxMessage]:
    path = tmp_path / "drafts.mbox"
    path.write_bytes(run.report())
    return list(mailbox.mbox(str(path)))


def _addresses(msg, name: str) -> list[str]:
    return [a.lower() for _, a in getaddresses(msg.get_all(name, []))]


EXPECTED_HEADERS = {"From", "To", "Subject", "X-Reviewtool-Rules", "Content-Type", "Content-Transfer-Encoding",
                    "MIME-Version"}
THREADING = {"In-Reply-To", "References"}


def _only_intended_headers(msg, threaded: bool, cc: bool = False) -> None:
    want = EXPECTED_HEADERS | (THREADING if threaded else set()) | ({"Cc"} if cc else set())
    assert set(msg.keys()) == want
    assert all(len(msg.get_all(h)) == 1 for h in want)


def test_all_within_bounds(runs):
    slow = {k: round(r.seconds) for k, r in runs.items() if r.seconds > 60}
    assert not slow
    for key, run in runs.items():
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, (key, run.stderr[:300])
        assert len(run.stderr.splitlines()) <= 1, (key, run.stderr[:500])


def test_01_display_name_with_group_syntax(runs, tmp_path):
    (msg,) = _mbox(runs["01"], tmp_path)
    _only_intended_headers(msg, threaded=True)
    assert _addresses(msg, "To") == ["a@example.org"]
    assert msg["In-Reply-To"] == "<r@x>"
    assert b"A: B;" in runs["01-terminal"].report()


@pytest.mark.parametrize("key", ["02", "03"])
def test_unusable_message_id_gets_a_local_one(runs, key):
    doc = json.loads(runs[key].report())
    (series,) = doc["series"]
    assert series["patches"] and series["patches"][0]["message_id"] is None  # made up: null in JSON


@pytest.mark.parametrize("key", ["04", "05", "10", "11", "17"])
def test_broken_bindings_are_reported_not_crashed(runs, key):
    doc = json.loads(runs[key].report())
    rules = {f["rule"] for s in doc["series"] for f in s["findings"]}
    assert rules & {"binding/dt-schema", "binding/yamllint", "binding/id-path"}, rules


def _corrupt_patch_messages(run: Run) -> list[str]:
    doc = json.loads(run.report())
    return [f["message"] for s in doc["series"] for f in s["findings"] if f["rule"] == "series/corrupt-patch"]


def test_06_diff_error_is_one_finding_on_one_line(runs):
    """The diff git am would refuse is an error finding on that patch, its reason on one line."""
    (message,) = _corrupt_patch_messages(runs["06"])
    assert "cannot parse the diff" in message and "\n" not in message


def test_15_dotdot_path_is_refused_as_git_apply_refuses_it(runs):
    (message,) = _corrupt_patch_messages(runs["15"])
    assert "invalid path" in message


def test_07_huge_total_is_not_a_counter(runs):
    doc = json.loads(runs["07"].report())
    assert doc["series"][0]["expected"] == 1


@pytest.mark.parametrize("key,needle", [
    ("08", "not a regular file"),
    ("12", "aliases are expanded"),
    ("dup-bomb", "aliases are expanded"),
    ("13", "limit"),
    ("22-sender", "REVIEWTOOL_FROM must be one address"),
    ("18", "levels deep"),
    ("19-long", "no such file"),
    ("19-long-msgid", "cannot reach"),
    ("19-newline", "not a file, Message-ID"),
    ("11-lore-url", "lore"),
    ("23", "byte limit"),
    ("24", "did not answer within 3 s"),
    ("29", "not a usable path"),
    ("30", "nested too deeply"),
])
def test_one_line_errors(runs, key, needle):
    assert needle in runs[key].one_line_error()


def test_09_non_utf8_message_id_gives_valid_json(runs):
    raw = runs["09"].report()
    doc = json.loads(raw.decode("utf-8"))  # strict: the output is valid UTF-8
    assert doc["series"][0]["message_id"] == "a\ufffdb@x"


def test_14_display_name_cannot_add_recipients(runs, tmp_path):
    (msg,) = _mbox(runs["14"], tmp_path)
    _only_intended_headers(msg, threaded=True)
    assert _addresses(msg, "To") == ["ada@example.org"]
    assert "evil@attacker.example" not in _addresses(msg, "To") + _addresses(msg, "Cc")


def test_16_ref_with_dot_segments_is_unresolved(runs):
    doc = json.loads(runs["16"].report())
    assert "rt-secret" not in json.dumps(doc) or all(
        "secret" not in f["message"].lower() or "$ref" in f["message"] for s in doc["series"] for f in s["findings"])


def test_20_encoded_message_id_cannot_inject(runs, tmp_path):
    msgs = _mbox(runs["20"], tmp_path)
    assert len(msgs) == 1
    _only_intended_headers(msgs[0], threaded=False)  # the Message-ID is not one: no threading headers
    assert msgs[0]["Bcc"] is None


def test_21_crlf_in_cc_name(runs, tmp_path):
    (msg,) = _mbox(runs["21"], tmp_path)
    _only_intended_headers(msg, threaded=True, cc=True)
    assert _addresses(msg, "Cc") == ["cc@example.org"]


def test_22_crlf_in_inbody_from_and_sender(runs, tmp_path):
    (msg,) = _mbox(runs["22"], tmp_path)
    _only_intended_headers(msg, threaded=True)
    assert _addresses(msg, "To") == ["other@example.org"]
    assert _addresses(msg, "From") == ["reviewer@example.org"]
    assert msg["Bcc"] is None and "\n" not in msg["To"] and "\n" not in msg["From"]


def test_library_warnings_stay_off_stderr(runs):
    doc = json.loads(runs["anchor"].report())  # report() also asserts an empty stderr
    assert doc["series"][0]["findings"]


def test_31_long_trailer_is_quick(runs):
    doc = json.loads(runs["31"].report())
    assert doc["series"][0]["patches"]
    assert runs["31"].seconds < 60


def test_internal_error_is_the_last_net():
    """An unexpected exception becomes one 'internal error' line and exit 2."""
    code = ("import sys, reviewtool.runner as r\n"
            "def boom(*a, **k):\n    raise RuntimeError('first line\\nsecond line')\n"
            "r.run_check = boom\n"
            "from reviewtool.cli import main\nsys.argv = ['reviewtool', 'check', 'x']\nmain()\n")
    env = {k: v for k, v in os.environ.items() if k != "REVIEWTOOL_DEBUG"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["reviewtool: internal error: RuntimeError: first line second line"]


# -- the real shapes of issue 15, in process ---------------------------------------------------------

_PATCH = """From: Ada Example <ada@example.org>
Date: Mon, 3 Mar 2025 10:00:00 +0000
Subject: [PATCH] x: y
Message-ID: <shape@example.org>
To: undisclosed-recipients:; (comment)
Cc: list@example.org

Explain the change for the reviewer.

Signed-off-by: Ada Example <ada@example.org>
---
diff --git a/x.c b/x.c
index 1111111..2222222 100644
--- a/x.c
+++ b/x.c
@@ -1,2 +1,3 @@
 int a;
+int b;
 int c;
{footer}"""


@pytest.mark.parametrize("footer", ["--\n2.43.0\n", "-- \n2.43.0\n", "\n---\nbase-commit: 0123456789abcdef\nchange-id: x\n"])
def test_real_shapes_are_read_whole(footer):
    """A signature without its trailing space, b4's footer and an empty address
    group: the diff is read whole and the group is ignored."""
    from reviewtool.sources.mbox import load_bytes

    (series,) = load_bytes(_PATCH.format(footer=footer).encode(), "shape")
    (patch,) = series.patches
    (fc,) = patch.files
    assert [(ln.kind, ln.text) for h in fc.hunks for ln in h.lines] == [(" ", "int a;"), ("+", "int b;"), (" ", "int c;")]
    assert patch.recipients == ("list@example.org",)


def test_one_junk_file_does_not_reject_a_maildir(tmp_path):
    from reviewtool.sources.mbox import read_messages

    for sub in ("cur", "new", "tmp"):
        (tmp_path / sub).mkdir()
    (tmp_path / "cur" / "1.eml").write_text(_PATCH.format(footer=""))
    (tmp_path / "cur" / "2.junk").write_bytes(b"\x00\x01\x02 not mail at all")
    (tmp_path / "new" / "3.eml").write_bytes(b"")
    msgs = read_messages(str(tmp_path))
    assert [m["Message-ID"] for m in msgs] == ["<shape@example.org>"]
