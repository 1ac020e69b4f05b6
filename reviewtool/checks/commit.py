"""Checks on the commit message that a declarative rule cannot express (see rules/subject.yaml for the rest)."""

from __future__ import annotations

import re

from ..classify import is_binding_schema
from . import check
from ..params import INT

_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*)$")
_IDENT = re.compile(r"[#A-Za-z_][\w#,.-]*[\w]")


def _binding_property_names(patch) -> set[str]:
    names: set[str] = set()
    for f in patch.files:
        if not is_binding_schema(f.path):
            continue
        for ln in f.added_lines():
            m = re.match(r"^    ([#a-z0-9][\w,#.-]*):\s*$", ln.text) or re.match(r"^  ([#a-z0-9][\w,#.-]*):", ln.text)
            if m and m.group(1) not in ("properties", "required", "examples", "description"):
                names.add(m.group(1))
    return names


@check("restates-diff", params={"min_items": INT})
def restates_diff(ctx):
    """A message that enumerates what the diff adds says nothing the diff doesn't."""
    patch = ctx.patch
    msg = patch.commit_message
    min_items = int(ctx.params.get("min_items", 3))
    props = _binding_property_names(patch)
    paths = {f.path for f in patch.files}
    basenames = {p.rsplit("/", 1)[-1] for p in paths}
    words_in_diff: set[str] = set(props) | basenames
    for f in patch.files:
        for ln in f.added_lines():
            words_in_diff.update(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]{3,}\b", ln.text))
    # 1. Bullet lists whose items are mostly identifiers taken from the diff.
    bullets = [(m.group(1), line) for line in msg.splitlines() if (m := _BULLET.match(line))]
    restating = [
        line for item, line in bullets
        if any(tok.strip("`'\"():,") in words_in_diff for tok in item.split()[:4])
    ]
    if len(restating) >= min_items and len(restating) * 2 >= len(bullets):
        yield ctx.finding(anchor="commit-message", text=restating[0], quote=tuple(restating[:4]), count=len(restating))
        return
    # 2. A binding message that names most of the schema's properties.
    if len(props) >= min_items:
        named = sorted(p for p in props if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", msg))
        if len(named) >= min_items and len(named) * 2 >= len(props) - 1:
            hit = next(line for line in msg.splitlines() if any(p in line for p in named))
            yield ctx.finding(anchor="commit-message", text=hit, quote=(hit,), count=len(named))
