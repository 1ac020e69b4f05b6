"""Turn a rule reference into a link a reader can open.

Rule files cite references the way maintainers do: a kernel document with a
section in brackets, a checkpatch message type, a lore link or a bare
Message-ID.  Renderers that can show links (explain, SARIF, the b4 review
JSON) use these; the text of the reference itself is always kept as well.
"""

from __future__ import annotations

import re

LORE = "https://lore.kernel.org/r/"
DOCS = "https://docs.kernel.org/"
GIT_TREE = "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/"
CHECKPATCH_DOC = "https://docs.kernel.org/dev-tools/checkpatch.html"
B4_DOC = "https://b4.docs.kernel.org/"

_URL = re.compile(r"https?://\S+")
_MSGID = re.compile(r"^<?([^\s<>@/]+@[^\s<>@/]+)>?$")
_DOC_PATH = re.compile(r"^(Documentation/\S+?|[a-z][\w./-]*/\S+?)(?:\s+\((.*)\))?$")


def reference_url(ref: str) -> str | None:
    """A URL for one reference string, or None when there is nothing to open."""
    ref = ref.strip()
    url = _URL.search(ref)
    if url:
        return url.group(0).rstrip(").,;")
    mid = _MSGID.match(ref)
    if mid:
        return LORE + mid.group(1)
    if ref.startswith("checkpatch"):
        return CHECKPATCH_DOC
    if re.match(r"^b4\b", ref):
        return B4_DOC
    m = _DOC_PATH.match(ref)
    if m:
        path = m.group(1)
        if path.startswith("Documentation/") and path.endswith(".rst"):
            return DOCS + path[len("Documentation/"):-len(".rst")] + ".html"
        return GIT_TREE + path
    return None


def first_url(refs: tuple[str, ...] | list[str]) -> str | None:
    for ref in refs:
        url = reference_url(ref)
        if url:
            return url
    return None
