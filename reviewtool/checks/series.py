"""Checks that need the whole series: completeness, threading, versions, changelogs."""

from __future__ import annotations


import re

from ..changelog import has_changelog  # noqa: F401  (also imported from here by older code)
from ..classify import DT_HEADERS_DIR, is_binding_path, is_code_path, is_dts_path
from . import check

_DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)")
_INCLUDE = re.compile(r"^\s*#\s*include\s")


@check("binding-mixed-with-code", params={})
def binding_mixed_with_code(ctx):
    patch = ctx.patch
    binding = [f for f in patch.files if is_binding_path(f.path)]
    other = [f for f in patch.files if (is_code_path(f.path) or is_dts_path(f.path)) and f.path != "MAINTAINERS"]
    if not binding or not other or _moved_into_headers(binding, other):
        return
    f = other[0]
    first = next(iter(f.added_lines()), None)
    yield ctx.finding(
        anchor="diff",
        path=f.path,
        line=first.new_line if first else None,
        text=first.text if first else None,
        binding=binding[0].path,
        other=", ".join(o.path for o in other[:3]) + (" ..." if len(other) > 3 else ""),
    )


def _moved_into_headers(binding: list, other: list) -> bool:
    """Whether the code side only hands over to the dt-bindings headers: it
    drops the #defines the patch adds to a header (driver-private clock IDs
    made ABI) and otherwise changes only #include lines and comments (a
    header moved under include/dt-bindings/ and its users repointed).  Such
    a move cannot be split without breaking the build in between."""
    moved = {m.group(1) for f in binding if f.path.startswith(DT_HEADERS_DIR)
             for ln in f.added_lines() if (m := _DEFINE.match(ln.text))}
    handed_over = False
    for f in other:
        for ln in (x for h in f.hunks for x in h.lines if x.kind in "+-"):
            text = ln.text.strip()
            if not text:
                continue
            if _INCLUDE.match(text):
                handed_over = True
                continue
            m = _DEFINE.match(text)
            if ln.kind == "-" and (text.startswith(("/*", "*", "//", "#if", "#endif", "#else"))
                                   or (m and (m.group(1) in moved or m.group(1).endswith("_H")))):
                handed_over = handed_over or bool(m)
                continue
            return False
    return handed_over


@check("incomplete", params={})
def incomplete(ctx):
    series = ctx.series
    present = {p.n for p in series.patches}
    missing = [n for n in range(1, series.expected + 1) if n not in present]
    if missing and series.expected > 1:
        if _partial_copy(series, missing):
            # A partial copy of a thread (one patch saved from a list archive):
            # the rest probably exists, we just were not given it.
            yield ctx.finding(
                anchor="series",
                severity="info",
                status_note=True,
                message=f"Only part of the series is in the input (patches {_ranges(missing)} of "
                f"{series.expected} are absent): series-wide checks are incomplete; check the whole thread.",
            )
        else:
            yield ctx.finding(
                anchor="series",
                message=f"Patches {_ranges(missing)} of {series.expected} are missing from this series: "
                "reviewers and b4 need the whole series; resend it complete.",
            )
    versions = {p.tags.version for p in series.patches if p.tags.version is not None}
    totals = {p.total for p in series.patches}
    if len(versions) > 1:
        yield ctx.finding(
            anchor="series",
            message="The patches carry different revision tags (" + ", ".join(f"v{v}" for v in sorted(versions))
            + "): one series, one revision.",
        )
    if len(totals) > 1:
        yield ctx.finding(
            anchor="series",
            message="The patches disagree on the series length (" + ", ".join(f"n/{t}" for t in sorted(totals))
            + "): were two postings mixed?",
        )


def _answers_absent_mail(series) -> bool:
    """True when the patches reply to a message (their cover?) not in the input."""
    if series.cover is not None:
        return False
    known = {p.message_id for p in series.patches}
    return any(p.in_reply_to and p.in_reply_to not in known for p in series.patches)


def _partial_copy(series, missing: list[int]) -> bool:
    """The input holds part of the thread, not a posting that lacks patches:
    the patches answer mail we were not given, or (no cover letter, mail from
    a file) every missing patch comes after the last one given.  Without a
    cover letter git send-email threads patches 2..N under 1/N, so a saved
    1/N alone says nothing about whether 2..N were sent; a hole before a
    patch that is there, a cover letter, or a whole lore thread does."""
    if _answers_absent_mail(series):
        return True
    if series.cover is not None or series.origin.kind == "lore":
        return False
    return min(missing) > max(p.n for p in series.patches)


def same_posting(msgid: str | None, other: str | None) -> bool:
    """Two Message-IDs of one posting: git send-email and b4 number the mails
    they send, so the IDs are equal but for that number
    ('20231216014850.1011344-1-a@b' and '...-2-a@b'; b4's '...-v4-0-hash@b'
    and '...-v4-1-hash@b')."""
    if not msgid or not other or msgid == other:
        return False
    a, b = msgid.split("-"), other.split("-")
    if len(a) != len(b) or len(a) < 3:
        return False
    differ = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(differ) == 1 and 0 < differ[0] < len(a) - 1 and a[differ[0]].isdigit() and b[differ[0]].isdigit()


def _answers_own_cover(series) -> bool:
    """A patch answers a mail of its own posting that the input lacks (its
    cover letter, e.g. the 0/1 of a one-patch series)."""
    if series.cover is not None:
        return False
    known = {p.message_id for p in series.patches}
    return any(p.in_reply_to not in known and same_posting(p.message_id, p.in_reply_to) for p in series.patches)


def _ranges(nums: list[int]) -> str:
    out, start, prev = [], None, None
    for n in nums + [None]:  # type: ignore[list-item]
        if start is None:
            start = prev = n
        elif n is not None and n == prev + 1:
            prev = n
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = n
    return ", ".join(out)


@check("missing-cover-letter", params={})
def missing_cover_letter(ctx):
    series = ctx.series
    if series.origin.from_git:
        return  # a branch has no cover letter yet; it is written when the series is mailed
    if series.cover is None and series.expected > 1 and not _answers_absent_mail(series):
        yield ctx.finding(anchor="series", count=series.expected)


@check("revision-in-every-subject", params={})
def revision_in_every_subject(ctx):
    series = ctx.series
    want = series.revision
    if want < 2 and not any(p.tags.version for p in series.patches):
        return
    wrong = [p for p in series.patches if p.tags.version != want]
    if not wrong:
        return
    first = wrong[0]
    how = "carry no version tag" if all(p.tags.version is None for p in wrong) else "carry a different version tag"
    names = ", ".join(f"{p.n}/{p.total}" for p in wrong)
    yield ctx.finding(
        anchor="subject",
        patch=first,
        text=first.full_subject,
        quote=tuple(f"Subject: {p.full_subject}" for p in wrong[:3]),
        message=f"This is v{want} (the cover letter says so), but patches {names} {how}: "
        f"every subject should read [PATCH v{want} n/{series.expected}] so reviewers and b4 can tell revisions apart "
        "(git format-patch -v{0} / b4 send do this).".format(want),
    )


@check("threaded-to-old-version", params={})
def threaded_to_old_version(ctx):
    series = ctx.series
    head = series.cover or (series.patches[0] if series.patches else None)
    if head is None or not head.in_reply_to:
        return
    old_ids = {p.message_id for e in series.earlier for p in [e.cover, *e.patches] if p is not None}
    own_ids = {p.message_id for p in series.patches}
    if head.in_reply_to in own_ids or _answers_own_cover(series):
        return  # threaded under its own posting (a cover letter the input lacks)
    if series.cover is None and series.expected > 1 and head.in_reply_to not in old_ids:
        # Most likely the cover letter itself is just missing from the input.
        return
    if head.in_reply_to in old_ids:
        older = next(e for e in series.earlier if head.in_reply_to in {p.message_id for p in [e.cover, *e.patches] if p})
        what = f"v{older.revision} ({head.in_reply_to})"
    else:
        what = f"another thread (<{head.in_reply_to}>)"
    yield ctx.finding(
        anchor="series",
        patch=head,
        text=f"In-Reply-To: <{head.in_reply_to}>",
        quote=(f"In-Reply-To: <{head.in_reply_to}>",),
        what=what,
        revision=series.revision,
    )


@check("changelog-missing", params={})
def changelog_missing(ctx):
    series = ctx.series
    version = max([series.revision] + [p.tags.version or 0 for p in series.patches])
    if version < 2:
        return
    texts = [series.cover.commit_message + "\n" + series.cover.notes] if series.cover else []
    texts += [p.notes for p in series.patches]
    if any(has_changelog(t) for t in texts):
        return
    if (series.cover is None and series.expected > 1 and any(p.in_reply_to for p in series.patches)) \
            or _answers_own_cover(series):
        # The patches answer a cover letter that is not in the input: the
        # changelog may well be there, so say nothing rather than guess.
        return
    where = "the cover letter" if series.cover else "below the '---' of each patch"
    yield ctx.finding(anchor="series", patch=series.cover, revision=version, where=where)
