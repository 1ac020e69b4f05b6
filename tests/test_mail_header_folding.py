"""Draft headers: From and Subject on one line when they fit in 78 columns,
folded at a space (RFC 5322 2.2.3) only when longer, still built from
``Address`` objects so nothing can inject a header."""

from __future__ import annotations

import email
import email.policy
import io
from email.generator import Generator
from email.message import EmailMessage

import pytest

from reviewtool.model import Person
from reviewtool.report.mailheaders import MAX_LINE, DraftPolicy, address, draft_headers, fold_plain

AUTHOR = Person("Ada Author", "ada@example.org")


def _draft(sender_name: str, subject: str, sender_mail: str = "rev@example.org") -> tuple[list[str], EmailMessage]:
    """The header lines of a draft as written, and the draft read back."""
    me = address(sender_name, sender_mail)
    assert me is not None
    msg = EmailMessage()
    draft_headers(AUTHOR, ("list@vger.example.org",), subject, "<1@example.org>", (), ["binding/x"], me).apply(msg)
    msg.set_content("body\n")
    out = io.StringIO()
    Generator(out, policy=DraftPolicy(linesep="\n", max_line_length=MAX_LINE)).flatten(msg)
    text = out.getvalue()
    head = text.split("\n\n", 1)[0].split("\n")
    return head, email.message_from_string(text, policy=email.policy.default)


def _header_lines(head: list[str], name: str) -> list[str]:
    start = next(i for i, ln in enumerate(head) if ln.startswith(f"{name}:"))
    end = start + 1
    while end < len(head) and head[end].startswith((" ", "\t")):
        end += 1
    return head[start:end]


@pytest.mark.parametrize("width", [60, 77, 78])
def test_headers_that_fit_stay_on_one_line(width):
    subject = "[PATCH 1/2] dt-bindings: " + "x" * (width - len("Subject: Re: [PATCH 1/2] dt-bindings: "))
    name = "N" * (width - len("From: N <rev@example.org>") + 1)
    head, back = _draft(name, subject)
    assert _header_lines(head, "Subject") == [f"Subject: Re: {subject}"]
    assert len(head[head.index(f"Subject: Re: {subject}")]) == width
    assert _header_lines(head, "From") == [f"From: {name} <rev@example.org>"]
    assert back["Subject"] == f"Re: {subject}"
    assert back["From"].addresses[0].display_name == name


def test_longer_headers_fold_at_a_space_not_after_the_colon():
    subject = "[PATCH v2 0/6] virt: Add Bao hypervisor IPC and I/O dispatcher drivers for real"
    name = "Seed b1ddf3da maintainers"
    mail = "maintainers@users.noreply.r-seed-b1ddf3da.example"
    head, back = _draft(name, subject, mail)
    subj_lines = _header_lines(head, "Subject")
    assert len(subj_lines) == 2 and subj_lines[0].startswith("Subject: Re: [PATCH v2 0/6] virt:")
    assert all(len(ln) <= MAX_LINE for ln in subj_lines)
    assert len(subj_lines[0]) + len(subj_lines[1].split()[0]) + 1 > MAX_LINE  # greedy: no room left on line 1
    assert back["Subject"] == f"Re: {subject}"  # unfolding gives the value back
    from_lines = _header_lines(head, "From")
    assert from_lines == [f"From: {name}", f" <{mail}>"]
    assert back["From"].addresses[0].addr_spec == mail and back["From"].addresses[0].display_name == name


def test_quoted_display_name_is_never_folded_inside_its_quotes():
    name = "Reviewer, Long Display Name With Many Words In One Quoted String"
    head, back = _draft(name, "[PATCH] x")
    lines = _header_lines(head, "From")
    assert len(lines) == 2 and lines[0] == f'From: "{name}"'
    assert [a.display_name for a in back["From"].addresses] == [name]  # still one mailbox


def test_non_ascii_and_encoded_word_look_alikes_are_left_to_the_email_package():
    assert fold_plain("Subject", "Re: caf\u00e9 " + "w " * 40) is None
    assert fold_plain("Subject", "Re: =?utf-8?q?x?= " + "w " * 40) is None
    assert fold_plain("Subject", "Re: " + "x" * 90) is None  # a word longer than a line
    head, back = _draft("J\u00f5ao P\u0119ixoto", "[PATCH] caf\u00e9 " + "word " * 15)
    assert all(len(ln) <= MAX_LINE for ln in head)
    assert back["Subject"] == "Re: [PATCH] caf\u00e9 " + " ".join(["word"] * 15)
    assert back["From"].addresses[0].display_name == "J\u00f5ao P\u0119ixoto"


def test_folding_adds_no_header():
    """A value that looks like a header after a space still unfolds into the same one header."""
    subject = "[PATCH] x " + "y " * 30 + "Bcc: victim@example.org"
    head, back = _draft("Rev", subject)
    assert back["Bcc"] is None and back["Subject"] == f"Re: {subject}"
    assert all(not ln.startswith("Bcc") for ln in head)
