"""Parse the bracket tags of a patch subject.

b4 parses these too, but keeps only some of them; rules need every tag as
written (e.g. to see that a cover letter says v2 while its patches do not).
"""

from __future__ import annotations

import re

from .model import SubjectTags

_REPLY = re.compile(r"^\s*((re|aw|fwd?)\s*:\s*)+", re.I)
_BRACKETS = re.compile(r"^\s*\[([^\]]*)\]\s*")
# Nine digits at most: a longer number is not a revision or a count (and
# int() of thousands of digits is refused by Python, or slow).
_VERSION = re.compile(r"^v(\d{1,9})$", re.I)
_COUNTER = re.compile(r"^(\d{1,9})/(\d{1,9})$")


def parse_subject(raw: str) -> SubjectTags:
    """Split ``Re: [PATCH RFC v2 3/7] foo: bar`` into tags and the subject proper."""
    text = " ".join((raw or "").split())
    is_reply = False
    m = _REPLY.match(text)
    if m:
        is_reply = True
        text = text[m.end():]
    tags: list[str] = []
    while True:
        m = _BRACKETS.match(text)
        if not m:
            break
        tags.extend(m.group(1).replace(",", " ").split())
        text = text[m.end():]
    version = counter = total = None
    for tag in tags:
        if vm := _VERSION.match(tag):  # "[PATCH v2 v3 1/2]": the last revision written is meant
            version = max(version or 0, int(vm.group(1)))
        elif (cm := _COUNTER.match(tag)) and counter is None:
            counter, total = int(cm.group(1)), int(cm.group(2))
    upper = {t.upper() for t in tags}
    return SubjectTags(
        raw=raw or "",
        subject=text.strip(),
        tags=tuple(tags),
        version=version,
        counter=counter,
        total=total,
        rfc="RFC" in upper,
        resend="RESEND" in upper,
        is_reply=is_reply,
    )
