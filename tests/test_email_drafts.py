"""Email drafts over the whole corpus: they quote only the mail they answer,
use no placeholder wording, and cite each link once."""

from __future__ import annotations

import email
import email.policy
import io
import mailbox
import re
from collections import Counter

import pytest

from conftest import CORPUS
from reviewtool.report.email import reply_wording
from reviewtool.runner import CheckRequest, run_check

POLICY = email.policy.default


def _text(msg) -> str:
    part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
    try:
        return part.get_content()
    except (LookupError, KeyError, ValueError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def _lines_of(msg) -> set[str]:
    """Every line the mail says: its body and its headers as 'Name: value'."""
    out = {" ".join(ln.split()) for ln in _text(msg).replace("\r", "").split("\n")}
    out |= {f"{k}: {' '.join(str(v).split())}" for k, v in msg.items()}
    return out


def _read(path_or_file) -> list:
    factory = lambda f: email.message_from_binary_file(f, policy=POLICY)  # noqa: E731
    return list(mailbox.mbox(path_or_file, factory=factory))


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> list[tuple[object, dict[str, set[str]]]]:
    if not CORPUS.is_dir():
        pytest.skip(f"real-mail corpus not found at {CORPUS}")
    # Every thread holding a patch (the others are replies only: nothing to answer).
    mboxes = [p for p in sorted(CORPUS.glob("*.mbox")) if b"\ndiff --git " in p.read_bytes()]
    mp = pytest.MonkeyPatch()
    mp.setenv("REVIEWTOOL_FROM", "Rev Iewer <rev@example.org>")
    out = io.StringIO()
    try:
        run_check(CheckRequest(sources=[str(p) for p in mboxes], fmt="email", no_config=True, fail_on="none"),
                  stream=out)
    finally:
        mp.undo()
    originals = {}
    for p in mboxes:
        for m in _read(p):
            originals[str(m["Message-ID"]).strip()] = _lines_of(m)
    path = tmp_path_factory.mktemp("drafts") / "drafts.mbox"
    path.write_text(out.getvalue())
    return [(d, originals) for d in _read(path)]


def test_every_quoted_line_is_in_the_mail_answered(drafts):
    assert len(drafts) >= 10
    for draft, originals in drafts:
        answered = originals[str(draft["In-Reply-To"]).strip()]
        for line in _text(draft).split("\n"):
            if line.startswith(">") and line[1:].strip():
                quoted = " ".join(line[1:].split())
                assert quoted in answered, (draft["Subject"], line)


def test_no_placeholder_wording(drafts):
    for draft, _ in drafts:
        mine = [ln for ln in _text(draft).split("\n") if not ln.startswith(">")]
        for line in mine:
            assert not re.search(r"<[a-z][a-z -]*>|ACME foo", line), (draft["Subject"], line)


def test_each_link_cited_once_per_draft(drafts):
    for draft, _ in drafts:
        mine = [ln for ln in _text(draft).split("\n") if not ln.startswith(">")]
        refs = Counter(ln for ln in mine if ln.startswith("See: "))
        urls = Counter(u.rstrip(").,;") for ln in mine for u in re.findall(r"https?://\S+", ln))
        assert max(refs.values(), default=1) == 1 and max(urls.values(), default=1) == 1, draft["Subject"]


@pytest.mark.parametrize("message, expected", [
    ('The subject describes a driver. Name the device instead (e.g. "Add ACME foo controller").',
     "The subject describes a driver. Name the device instead."),
    ('Use the subject prefix "dt-bindings: <directory>: ", named after the binding\'s directory, '
     'e.g. "dt-bindings: firmware: Add gunyah".',
     'Use the subject prefix "dt-bindings: firmware: ", named after the binding\'s directory, '
     'e.g. "dt-bindings: firmware: Add gunyah".'),
    ('Use the subject prefix "dt-bindings: <directory>: ", named after the binding\'s directory, '
     'e.g. "dt-bindings: <class>: Add Bao".',
     'Use the subject prefix "dt-bindings:" followed by the directory, named after the binding\'s directory.'),
    ("Put it in the directory of its class (e.g. firmware/, misc/).",
     "Put it in the directory of its class (e.g. firmware/, misc/)."),
])
def test_reply_wording(message, expected):
    assert reply_wording(message) == expected
