"""Group raw mail into series and revisions, then let b4 assemble each one.

b4's LoreMailbox is right for one clean revision, but a real mailbox often
holds several: Bao v2 was sent In-Reply-To the v1 cover letter and its patches
carry no "v2", so b4 files them under v1 next to the v1 patches.  We therefore
thread the mail ourselves, give every patch the revision of the cover letter
it answers, hand each revision to its own LoreMailbox, and only then build
our model.  Replies go to the revision whose patch they answer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any, Iterable, Mapping

from ..diffparse import parse_files, split_diff
from ..errors import InputError
from ..limits import MAX_SERIES_PATCHES
from ..model import UNKNOWN_ORIGIN, Message, Origin, Patch, Person, Series, SubjectTags, Trailer
from ..subject import parse_subject

log = logging.getLogger(__name__)

_CHANGE_ID = re.compile(r"^change-id:\s*(\S+)", re.M)
_BASE_COMMIT = re.compile(r"^base-commit:\s*([0-9a-f]{7,40})", re.M)


@dataclass
class _Mail:
    """One message with what grouping needs, parsed once by b4."""

    lmsg: Any  # b4.LoreMessage
    tags: SubjectTags
    kind: str  # "cover", "patch" or "reply"
    revision: int = 1
    root: str = ""


@dataclass
class Family:
    """All revisions of one series found in the input."""

    key: str
    revisions: dict[int, list[_Mail]] = field(default_factory=dict)
    replies: dict[int, list[_Mail]] = field(default_factory=dict)

    def newest_date(self) -> float:
        dates = [m.lmsg.date.timestamp() for ms in self.revisions.values() for m in ms if m.lmsg.date]
        return max(dates) if dates else 0.0


def _b4():
    from . import b4setup

    return b4setup.ready()


def parse_messages(msgs: Iterable[EmailMessage], where: str) -> list[_Mail]:
    from . import headers

    b4 = _b4()
    mails: list[_Mail] = []
    for msg in headers.guard(msgs):
        try:
            lmsg = b4.LoreMessage(msg)
        except (Exception, RecursionError) as exc:  # b4 chokes on some malformed mail
            raise InputError(f"{where}: cannot parse a message ({type(exc).__name__}: {exc})") from None
        if not lmsg.msgid:
            continue
        tags = parse_subject(lmsg.full_subject)
        if tags.is_reply:
            kind = "reply"
        elif tags.counter == 0 and not lmsg.has_diff and "PATCH" in {t.upper() for t in tags.tags}:
            kind = "cover"
        elif lmsg.has_diff:
            kind = "patch"
        else:
            kind = "reply"
        mails.append(_Mail(lmsg=lmsg, tags=tags, kind=kind))
    return mails


def group_families(mails: list[_Mail]) -> list[Family]:
    """Split mail into series families, each with its revisions and replies."""
    by_id = {m.lmsg.msgid: m for m in mails}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    for m in mails:
        parent.setdefault(m.lmsg.msgid, m.lmsg.msgid)
        for ref in [m.lmsg.in_reply_to, *(m.lmsg.references or [])]:
            if ref and ref in by_id:
                union(ref, m.lmsg.msgid)

    # Revisions: explicit vN first, then inherit from the cover/patch answered.
    for m in mails:
        if m.kind in ("cover", "patch") and m.tags.version:
            m.revision = m.tags.version
    for m in mails:
        if m.kind == "patch" and not m.tags.version:
            m.revision = _inherited_revision(m, by_id)
    # A cover letter whose subject forgot the vN its patches carry
    # ("[PATCH 00/21]" answered by "[PATCH v2 01/21]") is their cover.
    answers: dict[str, set[int]] = {}
    for m in mails:
        if m.kind == "patch" and m.tags.version and m.lmsg.in_reply_to:
            answers.setdefault(m.lmsg.in_reply_to, set()).add(m.tags.version)
    for m in mails:
        if m.kind == "cover" and not m.tags.version and len(answers.get(m.lmsg.msgid, ())) == 1:
            m.revision = next(iter(answers[m.lmsg.msgid]))

    # Families: a thread, merged with other threads of the same series
    # (same change-id, or same subject and sender).
    fam_of_root: dict[str, str] = {}
    identity: dict[str, str] = {}
    revs_of: dict[str, set[int]] = {}
    for m in mails:
        m.root = find(m.lmsg.msgid)
        if m.kind in ("cover", "patch"):
            revs_of.setdefault(m.root, set()).add(m.revision)
    for m in mails:
        if m.kind not in ("cover", "patch"):
            continue
        ident = _series_identity(m)
        if ident is None:
            continue
        if ident in identity:
            a, b = find(identity[ident]), find(m.root)
            # Only other revisions are joined: two threads that both hold v1
            # with the same subject are two postings (or two series), not one.
            if a != b and not (revs_of.get(a, set()) & revs_of.get(b, set())):
                union(a, b)
                revs_of[find(a)] = revs_of.get(a, set()) | revs_of.get(b, set())
            continue
        identity[ident] = m.root
    _join_unthreaded(mails, find, union)
    families: dict[str, Family] = {}
    for m in mails:
        root = find(m.lmsg.msgid)
        fam_of_root[m.root] = root
        fam = families.setdefault(root, Family(key=root))
        if m.kind == "reply":
            continue
        fam.revisions.setdefault(m.revision, []).append(m)
    for m in mails:
        if m.kind != "reply":
            continue
        fam = families[find(m.lmsg.msgid)]
        rev = _reply_revision(m, by_id)
        fam.replies.setdefault(rev, []).append(m)
    return [f for f in families.values() if f.revisions] + [
        f for f in families.values() if not f.revisions
    ]


def _join_unthreaded(mails: list[_Mail], find, union) -> None:
    """Attach patches sent without threading to the series they belong to.

    Without a cover letter or --thread, patch 2/N does not reply to 1/N; it
    still belongs with the 1/N from the same sender, revision and length
    posted within a day.
    """
    heads: dict[tuple, list[_Mail]] = {}
    rooted: set[str] = set()
    for m in mails:
        if m.kind == "cover" or (m.kind == "patch" and (m.tags.counter or 1) == 1):
            key = ((m.lmsg.fromemail or "").lower(), m.tags.total or 1, m.revision)
            heads.setdefault(key, []).append(m)
            rooted.add(find(m.lmsg.msgid))
    for m in mails:
        if m.kind != "patch" or find(m.lmsg.msgid) in rooted or (m.tags.total or 1) < 2:
            continue
        key = ((m.lmsg.fromemail or "").lower(), m.tags.total or 1, m.revision)
        when = m.lmsg.date.timestamp() if m.lmsg.date else 0.0
        best = min(
            heads.get(key, []),
            key=lambda h: abs((h.lmsg.date.timestamp() if h.lmsg.date else 0.0) - when),
            default=None,
        )
        if best is not None and abs((best.lmsg.date.timestamp() if best.lmsg.date else 0.0) - when) < 86400:
            union(best.lmsg.msgid, m.lmsg.msgid)


def _inherited_revision(m: _Mail, by_id: dict[str, _Mail]) -> int:
    seen = set()
    cur = m
    while cur.lmsg.in_reply_to and cur.lmsg.in_reply_to in by_id and cur.lmsg.msgid not in seen:
        seen.add(cur.lmsg.msgid)
        up = by_id[cur.lmsg.in_reply_to]
        if up.kind in ("cover", "patch") and up.tags.version:
            return up.tags.version
        if up.kind == "reply":
            break
        cur = up
    return 1


def _reply_revision(m: _Mail, by_id: dict[str, _Mail]) -> int:
    seen = set()
    cur = m
    while cur.lmsg.in_reply_to and cur.lmsg.in_reply_to in by_id and cur.lmsg.msgid not in seen:
        seen.add(cur.lmsg.msgid)
        cur = by_id[cur.lmsg.in_reply_to]
        if cur.kind in ("cover", "patch"):
            return cur.revision
    for ref in reversed(m.lmsg.references or []):
        if ref in by_id and by_id[ref].kind in ("cover", "patch"):
            return by_id[ref].revision
    return m.tags.version or 1


def _series_identity(m: _Mail) -> str | None:
    cid = _CHANGE_ID.search(m.lmsg.body or "")
    if cid:
        return "change-id:" + cid.group(1)
    if m.kind == "cover" or (m.tags.counter or 1) == 1:
        subject = m.tags.subject.lower().strip()
        return f"subject:{subject}|{(m.lmsg.fromemail or '').lower()}|{m.kind}"
    return None


# --------------------------------------------------------------------------
# Building the model from one revision


def build_series(fam: Family, revision: int, source: str, origin: Origin = UNKNOWN_ORIGIN,
                 message_origins: Mapping[str, Origin] | None = None) -> Series:
    """Assemble one revision with b4 and convert it to our Series.

    ``message_origins`` (by Message-ID) says where each mail came from when
    that differs per message (the file and position in a directory of
    patches, the commit of a git range); the others get ``origin``."""
    origins = message_origins or {}
    b4 = _b4()
    mails = fam.revisions[revision]
    lmbx = b4.LoreMailbox()
    for m in mails:
        lmbx.add_message(m.lmsg.msg)
    for m in fam.replies.get(revision, []):
        lmbx.add_message(m.lmsg.msg)
    lsers = []
    for rev in sorted(lmbx.series):
        try:
            lser = lmbx.get_series(revision=rev, codereview_trailers=False)
        except Exception as exc:
            raise InputError(f"{source}: b4 could not assemble v{revision} ({exc})") from None
        if lser is not None:
            lsers.append(lser)
    if not lsers:
        raise InputError(f"{source}: no patches found for v{revision}")

    cover_l = next((s.patches[0] for s in lsers if s.patches and s.patches[0] is not None), None)
    if cover_l is None:
        cover_l = next((m.lmsg for m in mails if m.kind == "cover"), None)
    patch_ls: dict[int, Any] = {}
    for s in lsers:
        for lm in s.patches[1:]:
            if lm is not None and lm.counter not in patch_ls:
                patch_ls[lm.counter or 1] = lm
    expected = max(
        [s.expected or 0 for s in lsers] + [len(patch_ls)] + [m.tags.total or 0 for m in mails if m.kind == "patch"]
    )
    if expected > MAX_SERIES_PATCHES:
        raise InputError(f"{source}: v{revision} claims {expected} patches, over the limit of {MAX_SERIES_PATCHES}")
    patches = tuple(_patch_from_lmsg(patch_ls[n], source, origin=origins.get(patch_ls[n].msgid, origin))
                    for n in sorted(patch_ls))
    cover = (_patch_from_lmsg(cover_l, source, cover=True, origin=origins.get(cover_l.msgid, origin))
             if cover_l is not None else None)
    replies = tuple(
        sorted(
            (_message_from_lmsg(m.lmsg) for m in fam.replies.get(revision, [])),
            key=lambda r: (r.date.timestamp() if r.date else 0, r.message_id),
        )
    )
    texts = [cover.raw_body if cover else ""] + [p.raw_body for p in patches[:1]]
    change_id = next((m.group(1) for t in texts if (m := _CHANGE_ID.search(t))), None)
    base = next((m.group(1) for t in texts if (m := _BASE_COMMIT.search(t))), None)
    title = cover.subject if cover else (patches[0].subject if patches else "")
    return Series(
        title=title,
        revision=revision,
        expected=expected,
        patches=patches,
        cover=cover,
        replies=replies,
        change_id=change_id,
        base_commit=base,
        source=source,
        origin=origin,
    )


def _person(name: str | None, email: str | None) -> Person:
    return Person(name=(name or "").strip(), email=(email or "").strip().lower())


def _patch_from_lmsg(lmsg: Any, source: str, cover: bool = False, origin: Origin = UNKNOWN_ORIGIN) -> Patch:
    b4 = _b4()
    tags = parse_subject(lmsg.full_subject)
    body = lmsg.body or ""
    githeaders, message, trailers, basement, _sig = b4.LoreMessage.get_body_parts(body)
    # An in-body From: overrides the mail sender (patches sent on behalf of others).
    author = _person(lmsg.fromname, lmsg.fromemail)
    for gh in githeaders or []:
        if getattr(gh, "name", "").lower() == "from":
            name, email = getaddresses([gh.value])[0]
            if email:
                author = _person(name, email)
    message, inbody_from = _strip_inbody_headers(message or "")
    if inbody_from:
        name, email = getaddresses([inbody_from])[0]
        if email:
            author = _person(name, email)
    notes, diff = split_diff(basement or "")
    if not diff:
        # Some mail has no '---' separator; look for the diff in the whole body.
        _, diff = split_diff(body)
    files, diff_error = (), ""
    if not cover:
        try:
            files = parse_files(diff, "patch")
        except InputError as exc:
            # One corrupt patch is a finding on that patch (series/corrupt-patch),
            # not a reason to leave the rest of the series unchecked.
            diff_error = str(exc).removeprefix("patch: ")
    recipients = tuple(
        addr.lower() for _, addr in getaddresses(lmsg.msg.get_all("to", []) + lmsg.msg.get_all("cc", [])) if addr
    )
    n = 0 if cover else (tags.counter if tags.counter is not None else (lmsg.counter or 1))
    return Patch(
        n=n,
        total=tags.total or lmsg.expected or 1,
        tags=tags,
        author=author,
        date=lmsg.date,
        message_id=lmsg.msgid,
        in_reply_to=lmsg.in_reply_to,
        commit_message=(message or "").strip("\n"),
        trailers=tuple(Trailer(t.name, t.value) for t in trailers or []),
        notes=notes.strip("\n"),
        files=files,
        recipients=recipients,
        references=tuple(lmsg.references or ()),
        raw_body=body,
        origin=origin,
        diff_error=diff_error,
    )


_INBODY = re.compile(r"^(From|Date|Subject):\s*(.*)$", re.I)


def _strip_inbody_headers(message: str) -> tuple[str, str | None]:
    """Remove the in-body From:/Date: block git send-email adds for other authors."""
    lines = message.lstrip("\n").split("\n")
    found_from = None
    i = 0
    while i < len(lines) and (m := _INBODY.match(lines[i])):
        if m.group(1).lower() == "from":
            found_from = m.group(2)
        i += 1
    if i and (i == len(lines) or not lines[i].strip()):
        return "\n".join(lines[i:]).strip("\n"), found_from
    return message, None


def _message_from_lmsg(lmsg: Any) -> Message:
    return Message(
        message_id=lmsg.msgid,
        subject=lmsg.full_subject,
        author=_person(lmsg.fromname, lmsg.fromemail),
        date=lmsg.date,
        in_reply_to=lmsg.in_reply_to,
        references=tuple(lmsg.references or ()),
        body=lmsg.body or "",
    )


def series_from_messages(
    msgs: list[EmailMessage], source: str, revision: int | None = None, mails: list[_Mail] | None = None,
    origin: Origin = UNKNOWN_ORIGIN, message_origins: Mapping[str, Origin] | None = None,
) -> list[Series]:
    """Every series in the input, each at its newest (or the asked) revision.

    Earlier revisions found in the same input ride along in ``Series.earlier``
    so the prior-feedback rule can read them without another fetch.  A caller
    that already parsed ``msgs`` (the lore source does, to see which
    revisions are missing) passes ``mails`` so nothing is parsed twice.
    """
    if mails is None:
        mails = parse_messages(msgs, source)
    if not mails:
        raise InputError(f"{source}: no mail messages found")
    families = [f for f in group_families(mails) if f.revisions]
    if not families:
        raise InputError(f"{source}: no patches found (only replies or unrelated mail)")
    out: list[Series] = []
    for fam in sorted(families, key=lambda f: f.newest_date()):
        revs = sorted(fam.revisions)
        if revision is not None:
            if revision not in fam.revisions:
                if len(families) == 1:
                    have = ", ".join(f"v{r}" for r in revs)
                    raise InputError(f"{source}: no v{revision} in the input (found {have})")
                continue
            chosen = revision
        else:
            chosen = revs[-1]
        series = build_series(fam, chosen, source, origin, message_origins)
        earlier = tuple(build_series(fam, r, source, origin, message_origins) for r in revs if r < chosen)
        if earlier:
            from dataclasses import replace

            series = replace(series, earlier=earlier)
        out.append(series)
    return out
