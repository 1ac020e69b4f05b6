"""``--format email``: draft review replies, one per patch with findings, as an mbox.

Each draft is what a maintainer would write by hand: ``Re:`` subject,
threaded under the patch (``In-Reply-To`` and ``References``), addressed to
the author with the patch's recipients in Cc, an attribution line, then the
patch quoted with ``> `` and every comment under the lines it is about.
Everything nobody comments on is cut and the cut marked ``[...]``.  Comments
on the subject or the series go under the quoted ``Subject:`` (or the line
the finding quotes) at the top; comments on the commit message under the
quoted message lines; diff comments under the diff line plus a few lines of
its hunk, after the ``diff --git`` line naming the file.

The tool never sends anything.  ``From:`` is ``$REVIEWTOOL_FROM``, else the
git ``user.name``/``user.email`` of the current directory, else a
placeholder.  No ``Date:`` or ``Message-ID:`` is written: the mail client
sets them when the draft is sent, and the output stays reproducible.  The
rule ids are listed in an ``X-Reviewtool-Rules`` header, out of the prose.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from typing import IO, Any

from ..catalog import Rule
from ..model import Finding, Patch, Series, SeriesReport

PLACEHOLDER_FROM = "Your Name <your.name@example.org>"
UNIXFROM = "From reviewtool Thu Jan  1 00:00:00 1970"
CONTEXT = 3  # hunk lines quoted above a commented diff line
WIDTH = 72
TRIM = "[...]"
QUOTE_SPAN = 8  # quoted message lines this close together are quoted with the lines between
SMALL_GAP = 2  # uncommented lines between two quoted stretches that are quoted rather than cut
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass
class _Body:
    """The patch body as lines, with what to quote and what to say where."""

    lines: list[str]
    keep: set[int] = field(default_factory=set)
    comments: dict[int, list[Finding]] = field(default_factory=dict)

    def comment(self, idx: int, f: Finding) -> None:
        self.keep.add(idx)
        self.comments.setdefault(idx, []).append(f)


def sender() -> Address:
    """Who the drafts are from, as one checked address (see report.mailheaders)."""
    from . import mailheaders

    env = os.environ.get("REVIEWTOOL_FROM", "").strip()
    if env:
        got = mailheaders.parse_one(env)
        if got is None:
            from ..errors import InputError

            raise InputError("REVIEWTOOL_FROM must be one address on one line, such as 'Your Name <you@example.org>'")
        return got
    try:
        name = _git_config("user.name")
        mail = _git_config("user.email")
    except (OSError, subprocess.SubprocessError, ValueError):
        name = mail = ""
    got = mailheaders.address(name, mail) if mail else None
    return got if got is not None else mailheaders.parse_one(PLACEHOLDER_FROM)


def _git_config(key: str) -> str:
    proc = subprocess.run(["git", "config", "--get", key], capture_output=True, text=True, timeout=10)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _separator(lines: list[str]) -> int:
    """Index of the '---' between the commit message and the notes/diff."""
    for i, ln in enumerate(lines):
        if ln == "---" or ln.startswith("diff --git "):
            return i
    return len(lines)


def _file_start(lines: list[str], path: str) -> int | None:
    for i, ln in enumerate(lines):
        if ln.startswith("diff --git ") and (ln.endswith(" b/" + path) or ln.endswith(" a/" + path)):
            return i
    for i, ln in enumerate(lines):  # a diff without git headers
        if ln in (f"+++ b/{path}", f"+++ {path}"):
            return i
    return None


def _diff_line(lines: list[str], start: int, line: int) -> tuple[int, int] | None:
    """(index of post-image ``line`` of the file starting at ``start``, index of its hunk header)."""
    new = None
    hunk = start
    for i in range(start + 1, len(lines)):
        ln = lines[i]
        if ln.startswith("diff --git "):
            break
        m = _HUNK.match(ln)
        if m:
            new, hunk = int(m.group(1)), i
            continue
        if new is None:
            continue
        if ln.startswith("+"):
            if new == line:
                return i, hunk
            new += 1
        elif ln.startswith(" ") or ln == "":
            if new == line:
                return i, hunk
            new += 1
    return None


def _find_quote(lines: list[str], end: int, wanted: tuple[str, ...]) -> list[int]:
    """Indices of the lines (before ``end``) equal to the wanted quote lines."""
    found = []
    for w in wanted:
        target = w.strip()
        if not target:
            continue
        hit = next((i for i in range(end) if lines[i].strip() == target and i not in found), None)
        if hit is not None:
            found.append(hit)
    return found


def _plan(patch: Patch, findings: list[Finding]) -> tuple[list[Finding], _Body]:
    """Split findings into top comments and comments placed in the body."""
    body = _Body(lines=[ln.rstrip("\r") for ln in patch.raw_body.rstrip("\n").split("\n")])
    lines = body.lines
    sep = _separator(lines)
    top: list[Finding] = []
    for f in findings:
        if f.anchor == "diff" and f.path:
            start = _file_start(lines, f.path)
            if start is None:
                top.append(f)
                continue
            body.keep.add(start)
            hit = _diff_line(lines, start, f.line) if f.line else None
            if hit is None:
                body.comment(start, f)
                continue
            idx, hunk = hit
            body.keep.update(range(max(hunk + 1, idx - CONTEXT), idx))
            body.comment(idx, f)
        elif f.anchor == "commit-message":
            idxs = _find_quote(lines, sep, tuple(f.quote) or ((f.text,) if f.text else ()))
            if not idxs:
                last = max((i for i in range(sep) if lines[i].strip()), default=None)
                if last is None:
                    top.append(f)
                    continue
                idxs = [last]
            span = max(idxs) - min(idxs)
            body.keep.update(range(min(idxs), max(idxs) + 1) if span < QUOTE_SPAN else idxs)
            body.comment(max(idxs), f)
        else:
            top.append(f)
    return top, body


def _quote(line: str) -> str:
    return "> " + line if line else ">"


# Wording meant for a rule catalogue, not for a reply: "<directory>"-style
# slots and the catalogue's stock device.
_PLACEHOLDER = re.compile(r"<[a-z][a-z -]*>|\bACME foo\b")
_SLOT = re.compile(r"(<[a-z][a-z -]*>)")
_EXAMPLE_PAREN = re.compile(r"\s*\((?:e\.g\.|for example)[^()]*\)")
_EXAMPLE_QUOTE = re.compile(r'[,;]?\s*(?:e\.g\.|for example),?\s*"[^"]*"')
_QUOTED = re.compile(r'"[^"]*"')
_SINGLE_QUOTED_SLOT = re.compile(r"'[^'\s]*(?:<[a-z][a-z -]*>[^'\s]*)+'")  # 'name@<first address of reg>'


def reply_wording(message: str) -> str:
    """A finding's message as a reviewer would write it to the author: an
    example made of placeholders is dropped, and a quoted template such as
    "dt-bindings: <directory>: " takes its values from the message's own
    concrete example (or names the slot in words when there is none)."""
    def unless_placeholder(m: re.Match) -> str:
        return "" if _PLACEHOLDER.search(m.group(0)) else m.group(0)

    text = _EXAMPLE_PAREN.sub(unless_placeholder, message)
    text = _EXAMPLE_QUOTE.sub(unless_placeholder, text)
    examples = [q[1:-1] for q in _QUOTED.findall(text) if not _PLACEHOLDER.search(q)]

    def fill(m: re.Match) -> str:
        template = m.group(0)[1:-1]
        if not _PLACEHOLDER.search(template):
            return m.group(0)
        parts = _SLOT.split(template)
        pattern = "".join(re.escape(p) if i % 2 == 0 else r"(\S.*?)" for i, p in enumerate(parts))
        for example in examples:
            hit = re.match(pattern, example)
            if hit:
                return m.group(0)[0] + example[: hit.end()] + m.group(0)[0]
        slot = _PLACEHOLDER.search(template)
        literal = template[: slot.start()].strip()
        what = slot.group(0).strip("<>")
        mark = m.group(0)[0]
        return f"{mark}{literal}{mark} followed by the {what}" if literal else f"the {what}"

    text = _QUOTED.sub(fill, text)
    text = _SINGLE_QUOTED_SLOT.sub(fill, text)
    text = re.sub(r"\s+([.,;:])", r"\1", " ".join(text.split()))
    return text


def _comment_lines(f: Finding, cited: set[str]) -> list[str]:
    """The comment under a quote; its first reference not yet cited in this
    draft as "See:" (each link once per mail)."""
    out = textwrap.wrap(reply_wording(f.message), width=WIDTH, break_long_words=False, break_on_hyphens=False)
    ref = next((r for r in f.references if r not in cited), None)
    if ref is not None:
        cited.add(ref)
        out.append(f"See: {ref}")
    return out


def _mail_lines(patch: Patch) -> set[str]:
    """What the mail being answered says, line by line (its body and the
    headers a reply may quote), whitespace-normalised: quotes come from here."""
    lines = {" ".join(ln.split()) for ln in patch.raw_body.split("\n")}
    lines.add(" ".join(f"Subject: {patch.full_subject}".split()))
    if patch.in_reply_to:
        irt = patch.in_reply_to.strip("<>")
        lines.update({f"In-Reply-To: <{irt}>", f"In-Reply-To: {irt}"})
    lines.discard("")
    return lines


def _own_quote(patch: Patch, quote: tuple[str, ...]) -> tuple[str, ...]:
    """The lines of ``quote`` that the answered mail itself contains; its
    Subject line when none does (another patch's subject, an older revision)."""
    mine = _mail_lines(patch)
    kept = tuple(q for q in quote if " ".join(q.split()) in mine)
    return kept or (f"Subject: {patch.full_subject}",)


def body_text(patch: Patch, findings: list[Finding]) -> str:
    top, body = _plan(patch, findings)
    blocks: list[list[str]] = []
    who = patch.author.name or patch.author.email
    when = patch.date.strftime("%a, %d %b %Y %H:%M:%S %z") if patch.date else None
    blocks.append([f"On {when}, {who} wrote:" if when else f"{who} wrote:"])
    # Top: subject / series comments, grouped by what they quote.
    groups: dict[tuple[str, ...], list[Finding]] = {}
    cited: set[str] = set()
    for f in top:
        groups.setdefault(_own_quote(patch, tuple(f.quote)), []).append(f)
    for quote, fs in groups.items():
        blocks.append([_quote(q) for q in quote])
        for f in fs:
            blocks.append(_comment_lines(f, cited))
    # The body: kept lines quoted, comments under their line, gaps trimmed
    # (a gap of a line or two is quoted instead: "[...]" would be longer).
    kept = sorted(body.keep)
    for a, b in zip(kept, kept[1:]):
        if 1 < b - a <= SMALL_GAP + 1:
            body.keep.update(range(a + 1, b))
    quoted: list[str] = []
    prev = -1
    for idx in sorted(body.keep):
        if idx != prev + 1 and (prev >= 0 or idx > 0):
            if quoted:
                blocks.append(quoted)
                quoted = []
            blocks.append([TRIM])
        quoted.append(_quote(body.lines[idx]))
        prev = idx
        if idx in body.comments:
            blocks.append(quoted)
            quoted = []
            for f in body.comments[idx]:
                blocks.append(_comment_lines(f, cited))
    if quoted:
        blocks.append(quoted)
    blocks = [b for b in blocks if b]
    if len(blocks) > 1 and blocks[1][0].startswith(">"):
        blocks[0:2] = [blocks[0] + blocks[1]]  # "X wrote:" directly above the quote
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"


def reply(patch: Patch, findings: list[Finding], me: Address) -> EmailMessage:
    from .mailheaders import draft_headers

    msg = EmailMessage()
    draft_headers(patch.author, patch.recipients, patch.full_subject, patch.message_id, patch.references,
                  [f.rule for f in findings], me).apply(msg)
    msg.set_content(body_text(patch, findings), charset="utf-8", cte="8bit")
    return msg


def replies(report: SeriesReport, me: Address) -> list[EmailMessage]:
    """One draft per message with findings, in series order (cover first)."""
    s: Series = report.series
    mails = [p for p in (s.cover, *s.patches) if p is not None]
    by_id = {p.message_id: p for p in mails if p.message_id}
    grouped: dict[int, list[Finding]] = {}
    order = {id(p): i for i, p in enumerate(mails)}
    target_of: dict[int, Patch] = {}
    for f in report.remarks:  # status notes are about this run, not something to tell the author
        target = by_id.get(f.message_id) or s.patch(f.patch) or (mails[0] if mails else None)
        if target is None:
            continue
        grouped.setdefault(id(target), []).append(f)
        target_of[id(target)] = target
    return [reply(target_of[k], grouped[k], me) for k in sorted(grouped, key=order.__getitem__)]


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], **_: Any) -> None:
    from email.generator import Generator

    from .mailheaders import MAX_LINE, DraftPolicy

    me = sender()
    pol = DraftPolicy(linesep="\n", max_line_length=MAX_LINE)
    for report in reports:
        for msg in replies(report, me):
            msg.set_unixfrom(UNIXFROM)
            Generator(stream, mangle_from_=True, policy=pol).flatten(msg, unixfrom=True)
            stream.write("\n")
