"""Build real patch mail from the compact examples in rule files.

A rule's ``examples`` describe a patch (or a series) in a few keys; this
module renders them as ``git format-patch`` style mail so the examples go
through exactly the same parsing as user input.  The test suite runs every
rule's examples; ``reviewtool explain`` shows them.

One example is either a single patch::

    subject: "dt-bindings: clock: Add ACME foo"   # '[PATCH]' is added when missing
    body: "Commit message."                       # default: a plain sentence
    from: "Name <mail>"                           # default: Ada Example
    signoff: true                                  # add the author's Signed-off-by
    trailers: ["Reviewed-by: ..."]
    notes: "v2: ..."                               # text below '---'
    files: {path: content}                         # new files
    modify: {path: {before: text, after: text}}    # modified files
    remove: {path: text}
    diff: "raw diff text"                          # appended verbatim
    to / cc / in_reply_to / message_id

or a series: ``{version: 2, cover: {...} | null, patches: [patch, ...],
in_reply_to: ...}``.

A series may carry the revisions before it, with the replies they got, for
rules about review history (``series/prior-feedback``)::

    earlier:                  # one series spec, or a list of them (oldest first)
      version: 1              # default: one less than the series it precedes
      cover: {...}            # as for any series; dated a week earlier
      patches: [...]
      replies:
        - to: 1               # the patch answered (0: the cover letter)
          from: "Rob Herring <robh@kernel.org>"
          body: "> +int foo;\n\nWhy is this global?\n"

Every mail also takes ``date`` (an RFC 2822 date) to override the default.

A bad example says where its finding goes, like semgrep's tests: a file line
that must carry the finding ends with a ``ruleid: RULE-ID`` comment (``#``,
``//`` or ``/* */``), removed before the mail is rendered; other places are
listed under ``expect:`` (``{anchor: subject}``, ``{anchor: diff, path: p,
line: 3}``; ``patch: N`` in a series).  ``expected_places`` reads both.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

DEFAULT_FROM = "Ada Example <ada@example.org>"
DEFAULT_DATE = "Mon, 3 Mar 2025 10:00:00 +0000"
EARLIER_DATE = "Mon, 24 Feb 2025 10:00:00 +0000"
REPLY_DATE = "Tue, 25 Feb 2025 09:00:00 +0000"
DEFAULT_BODY = "The ACME widget is a small block found on ACME SoCs; describe it so boards can use it."
DT_LIST = "devicetree@vger.kernel.org"


# -- the shape of an example, checked when the rule is loaded ----------------

def _example_schemas():
    from .params import BOOL, INT, TEXT, ListOf, MapOf, OneOf, Record, ShortText

    line = ShortText(1000)  # header fields and trailers: one line each, as mail has them
    threads = ListOf(_SeriesRef())  # 'archive:' threads for precedent rules (reviewtool.archive.examples)
    where = Record({"anchor": TEXT, "path": TEXT, "line": INT, "patch": INT}, required=("anchor",))
    patch_keys = {
        "subject": line, "body": TEXT, "from": line, "signoff": BOOL, "trailers": ListOf(line),
        "notes": TEXT, "files": MapOf(TEXT), "modify": MapOf(Record({"before": TEXT, "after": TEXT},
                                                                     required=("before", "after"))),
        "remove": MapOf(TEXT), "diff": TEXT, "to": line, "cc": line, "in_reply_to": line,
        "message_id": line, "date": line, "expect": ListOf(where), "archive": threads,
    }
    patch = Record(patch_keys, label="a patch (subject, body, files, ...)")
    reply = Record({"to": INT, "from": line, "body": TEXT, "date": line, "message_id": line, "cc": line})
    series_keys = {"version": INT, "cover": OneOf((patch, _NULL)), "patches": ListOf(patch), "in_reply_to": line,
                   "expect": ListOf(where), "archive": threads}
    earlier = Record({**series_keys, "replies": ListOf(reply)}, required=("patches",),
                     label="an earlier revision (version, cover, patches, replies)")
    series = Record({**series_keys, "earlier": OneOf((earlier, ListOf(earlier)))}, required=("patches",),
                    label="a series (version, cover, patches, ...)")
    _SeriesRef.target = series
    return patch, series


class _SeriesRef:
    """The series shape, referred to from inside itself (archive threads)."""

    target = None
    label = "a series (version, cover, patches, ...)"

    def problem(self, value: Any, where: str) -> str | None:
        return self.target.problem(value, where)  # type: ignore[union-attr]


class _Null:
    label = "null"

    def problem(self, value: Any, where: str) -> str | None:
        return None if value is None else f"'{where}' must be null"


_NULL = _Null()


def example_problem(example: Any, where: str) -> str | None:
    """What is wrong with one example's shape (a one-line message), or None."""
    patch, series = _example_schemas()
    if not isinstance(example, dict):
        return f"'{where}' must be a mapping (subject, body, files, ...)"
    return (series if "patches" in example else patch).problem(example, where)


def render_example(example: dict[str, Any], name: str = "example") -> bytes:
    """An mbox (bytes) for one example."""
    if "patches" in example:
        return _render_series(example, name)
    return _mbox([_render_patch(example, name, 1, 1, version=None, message_id=None, in_reply_to=None)])


def _render_series(spec: dict[str, Any], name: str) -> bytes:
    mails: list[str] = []
    earlier = spec.get("earlier") or []
    earlier = earlier if isinstance(earlier, list) else [earlier]
    for i, old in enumerate(earlier):
        version = old.get("version", (spec.get("version") or 2) - len(earlier) + i)
        mails.extend(_earlier_mails(dict(old, version=version), f"{name}-v{version}"))
    return _mbox(mails + _series_mails(spec, name))


def _earlier_mails(spec: dict[str, Any], name: str) -> list[str]:
    """An earlier revision (dated before the current one) and the replies it got."""
    dated = dict(spec, patches=[dict(p, date=p.get("date", EARLIER_DATE)) for p in spec["patches"]])
    if spec.get("cover", {}) is not None:
        cover = spec.get("cover") or {}
        dated["cover"] = dict(cover, date=cover.get("date", EARLIER_DATE))
    mails = _series_mails(dated, name)
    subjects = {_header(m, "Message-ID"): _header(m, "Subject") for m in mails}
    for i, reply in enumerate(spec.get("replies") or [], 1):
        n = int(reply.get("to", 1))
        target = f"<{name}-{n}@example.org>"
        subject = "Re: " + subjects.get(target, "[PATCH] misc: acme: Add widget driver")
        frm = reply.get("from", "Rob Herring <robh@kernel.org>")
        headers = dict(reply, date=reply.get("date", REPLY_DATE), to=DEFAULT_FROM)
        mid = reply.get("message_id", f"<{name}-r{i}@example.org>")
        mails.append(_headers(frm, subject, mid, target, headers) + reply.get("body", "").rstrip("\n") + "\n")
    return mails


def _header(mail: str, key: str) -> str:
    for line in mail.split("\n\n", 1)[0].split("\n"):
        if line.startswith(key + ": "):
            return line.split(": ", 1)[1]
    return ""


def _series_mails(spec: dict[str, Any], name: str) -> list[str]:
    version = spec.get("version")
    patches = spec["patches"]
    total = len(patches)
    mails = []
    cover = spec.get("cover", {}) if spec.get("cover", {}) is not None else None
    cover_id = f"<{name}-0@example.org>"
    irt = spec.get("in_reply_to")
    if cover is not None and total > 1:
        mails.append(_render_cover(cover, name, total, version, cover_id, irt))
        irt_patches = cover_id
    else:
        irt_patches = irt
    for i, p in enumerate(patches, 1):
        mails.append(
            _render_patch(p, name, i, total, version=version, message_id=f"<{name}-{i}@example.org>",
                          in_reply_to=p.get("in_reply_to", irt_patches))
        )
        if irt_patches is None:  # no cover letter: git send-email threads to patch 1
            irt_patches = f"<{name}-1@example.org>"
    return mails


def _tag(version: int | None, n: int, total: int) -> str:
    parts = ["PATCH"]
    if version and version > 1:
        parts.append(f"v{version}")
    if total > 1 or n == 0:
        parts.append(f"{n}/{total}")
    return "[" + " ".join(parts) + "]"


def _headers(frm: str, subject: str, message_id: str, in_reply_to: str | None, spec: dict[str, Any]) -> str:
    to = spec.get("to", f"Rob Herring <robh@kernel.org>, {DT_LIST}")
    lines = [
        f"From: {frm}",
        f"To: {to}",
    ]
    if spec.get("cc"):
        lines.append(f"Cc: {spec['cc']}")
    lines += [
        f"Subject: {subject}",
        f"Date: {spec.get('date', DEFAULT_DATE)}",
        f"Message-ID: {message_id}",
    ]
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
        lines.append(f"References: {in_reply_to}")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return "\n".join(lines) + "\n\n"


def _render_cover(spec: dict[str, Any], name: str, total: int, version: int | None, mid: str,
                  irt: str | None) -> str:
    frm = spec.get("from", DEFAULT_FROM)
    subject = spec.get("subject", "Add support for the ACME widget")
    if not subject.startswith("["):
        subject = f"{_tag(version, 0, total)} {subject}"
    body = spec.get("body", "This series adds the ACME widget: binding, driver and board support.")
    return _headers(frm, subject, mid, irt, spec) + body.rstrip("\n") + "\n\n-- \n2.43.0\n"


def _render_patch(spec: dict[str, Any], name: str, n: int, total: int, version: int | None,
                  message_id: str | None, in_reply_to: str | None) -> str:
    frm = spec.get("from", DEFAULT_FROM)
    subject = spec.get("subject", "misc: acme: Add widget driver")
    if not subject.startswith("["):
        subject = f"{_tag(version, n, total)} {subject}"
    body = spec.get("body", DEFAULT_BODY).rstrip("\n")
    trailers = list(spec.get("trailers", []))
    if spec.get("signoff", True):
        trailers.append(f"Signed-off-by: {frm}")
    msg = body + "\n\n" + ("\n".join(trailers) + "\n" if trailers else "")
    diff = _diff(spec)
    notes = spec.get("notes")
    msg += "---\n" + (notes.rstrip("\n") + "\n\n" if notes else "") + diff + "-- \n2.43.0\n"
    mid = spec.get("message_id", message_id or f"<{name}-{n}@example.org>")
    return _headers(frm, subject, mid, spec.get("in_reply_to", in_reply_to), spec) + msg


def _diff(spec: dict[str, Any]) -> str:
    out = []
    for path, content in (spec.get("files") or {}).items():
        lines = _lines(content)
        out.append(f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
                   f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n")
        out.extend("+" + ln + "\n" for ln in lines)
    for path, change in (spec.get("modify") or {}).items():
        before, after = _lines(change["before"]), _lines(change["after"])
        udiff = list(difflib.unified_diff(before, after, f"a/{path}", f"b/{path}", lineterm="", n=3))
        out.append(f"diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n")
        out.extend(ln + "\n" for ln in udiff)
    for path, content in (spec.get("remove") or {}).items():
        lines = _lines(content)
        out.append(f"diff --git a/{path} b/{path}\ndeleted file mode 100644\nindex 1111111..0000000\n"
                   f"--- a/{path}\n+++ /dev/null\n@@ -1,{len(lines)} +0,0 @@\n")
        out.extend("-" + ln + "\n" for ln in lines)
    if spec.get("diff"):
        out.append("\n".join(strip_marker(ln) for ln in spec["diff"].rstrip("\n").split("\n")) + "\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    return [strip_marker(ln) for ln in text.rstrip("\n").split("\n")] if text else []


# -- where a bad example's findings must be -----------------------------------

MARKER = re.compile(r"[ \t]*(?:#|//|/\*)[ \t]*ruleid:[ \t]*(?P<id>[a-z][a-z0-9-]*/[a-z0-9][a-z0-9-]*)"
                    r"[ \t]*(?:\*/)?[ \t]*$")

Place = tuple[int, str, "str | None", "int | None"]  # (patch n, anchor, path, line)


def strip_marker(line: str) -> str:
    return MARKER.sub("", line)


def expected_places(example: dict[str, Any], rule_id: str) -> set[Place]:
    """The places a bad example says its rule's findings go: marked file lines
    (``ruleid:`` comments in ``files`` and ``modify: after``) plus ``expect:``."""
    places: set[Place] = set()
    patches = example["patches"] if "patches" in example else [example]
    for n, spec in enumerate(patches, 1):
        texts = {**(spec.get("files") or {}),
                 **{p: c.get("after", "") for p, c in (spec.get("modify") or {}).items()}}
        for path, text in texts.items():
            for i, line in enumerate((text or "").rstrip("\n").split("\n"), 1):
                m = MARKER.search(line)
                if m and m.group("id") == rule_id:
                    places.add((n, "diff", path, i))
        for where in spec.get("expect") or []:
            places.add((where.get("patch", n), where["anchor"], where.get("path"), where.get("line")))
    if "patches" in example:
        for where in example.get("expect") or []:
            places.add((where.get("patch", 0), where["anchor"], where.get("path"), where.get("line")))
    return places


def _mbox(mails: list[str]) -> bytes:
    out = []
    for m in mails:
        escaped = "\n".join(">" + ln if ln.lstrip(">").startswith("From ") else ln for ln in m.split("\n"))
        out.append("From mboxrd@z Thu Jan  1 00:00:00 1970\n" + escaped.rstrip("\n") + "\n\n")
    return "".join(out).encode("utf-8")
