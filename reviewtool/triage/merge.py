"""Join series families that are revisions of one series in unlinked threads."""

from __future__ import annotations

from typing import Any


def merge_revisions(families: list) -> list:
    """Join families that are revisions of one series sent as unlinked threads.

    An archive often holds vN and vN+k of a series with no thread between
    them and without their cover letters.  Like b4's search for newer
    revisions without a change-id (same subject, same sender), we merge two
    families when their revision numbers do not overlap and at least half of
    the smaller one's patches have the same subject and author in the other.
    The "half" keeps a shared one-line patch (a vendor-prefix addition sent in
    two different series) from gluing unrelated series together.
    """
    def keys(fam) -> set[tuple[str, str]]:
        return {(m.tags.subject.lower().strip(), (m.lmsg.fromemail or "").lower())
                for ms in fam.revisions.values() for m in ms if m.kind == "patch"}

    with_patches = [f for f in families if f.revisions]
    fam_keys = [keys(f) for f in with_patches]
    owners: dict[tuple[str, str], list[int]] = {}
    for i, ks in enumerate(fam_keys):
        for k in ks:
            owners.setdefault(k, []).append(i)
    parent = list(range(len(with_patches)))
    revs = [set(f.revisions) for f in with_patches]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, ks in enumerate(fam_keys):
        candidates = sorted({j for k in ks for j in owners[k] if j != i})
        for j in candidates:
            a, b = find(i), find(j)
            if a == b or revs[a] & revs[b]:
                continue
            shared = len(fam_keys[i] & fam_keys[j])
            if shared * 2 >= min(len(fam_keys[i]), len(fam_keys[j])):
                parent[b] = a
                revs[a] |= revs[b]
    merged: dict[int, Any] = {}
    for i, fam in enumerate(with_patches):
        root = find(i)
        if root not in merged:
            merged[root] = fam
            continue
        into = merged[root]
        for rev, ms in fam.revisions.items():
            into.revisions.setdefault(rev, []).extend(ms)
        for rev, ms in fam.replies.items():
            into.replies.setdefault(rev, []).extend(ms)
    return list(merged.values()) + [f for f in families if not f.revisions]
