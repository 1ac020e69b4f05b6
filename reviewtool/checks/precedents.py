"""precedent/line and precedent/series: what maintainers told earlier submissions like this one.

Both read the review archive (``reviewtool.archive``) that the runner opens
when one exists; without an archive (or with ``--no-precedents``) they are
silent.  Every finding quotes a real remark and links it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from . import check
from ..params import INT, NUMBER, TEXT, ListOf, MapOf

if TYPE_CHECKING:  # pragma: no cover - the archive code loads only when there is an archive (start-up)
    from ..archive.precedents import Precedents

# Settings (archive.precedents) read from either rule's params.
_SETTINGS = {"min_threads": INT, "min_rate": NUMBER, "max_per_patch": INT, "min_comment_words": INT,
             "min_score": NUMBER, "top": INT, "remarks_per_submission": INT}


def _precedents(ctx) -> Precedents | None:
    return ctx.options.extra.get("precedents")


def _exclude(ctx, prec: Precedents) -> frozenset[str]:
    s = ctx.series
    ids = [p.message_id for rev in (s, *s.earlier) for p in (rev.cover, *rev.patches) if p is not None]
    return ctx.memo("precedents:own-threads", lambda: prec.threads_of(ids))


@check("precedent-line", params=_SETTINGS)
def precedent_line(ctx):
    prec = _precedents(ctx)
    if prec is None or ctx.patch is None or not ctx.patch.files:
        return
    from ..archive.precedents import Settings

    settings = Settings.from_params(ctx.params)
    exclude = _exclude(ctx, prec)
    hits = {}
    for f, ln, got in prec.lines(ctx.patch, settings, exclude):
        if got.shape not in hits:
            hits[got.shape] = (f, ln, got)
    strongest = sorted(hits.values(), key=lambda t: (-t[2].threads / max(t[2].adding, 1), t[1].new_line or 0))
    for f, ln, got in strongest[: settings.max_per_patch]:
        r = got.remark
        finding = ctx.finding(anchor="diff", path=f.path, line=ln.new_line, text=ln.text,
                              who=r.reviewer or r.reviewer_email, when=r.day, threads=str(got.threads),
                              about=r.subject, quoted=(r.target or "").strip(), said=r.first_sentence, link=r.link)
        yield replace(finding, references=(r.link,) + finding.references)


@check("precedent-series", params={**_SETTINGS, "kinds": MapOf(ListOf(TEXT))})
def precedent_series(ctx):
    """One finding per new binding naming the most similar earlier submissions, each with its remarks."""
    prec = _precedents(ctx)
    if prec is None or ctx.patch is None or not ctx.patch.files:
        return
    from ..archive.precedents import Settings

    settings = Settings.from_params(ctx.params)
    subs = prec.similar(ctx.patch, settings, _exclude(ctx, prec), kinds=ctx.params.get("kinds"))
    if not subs:
        return
    parts = []
    for i, sub in enumerate(subs, 1):
        said = "; ".join(f'{r.reviewer or r.reviewer_email} on {r.day}: "{r.first_sentence}" {r.link}'
                         for r in sub.remarks)
        parts.append(f'{i}) "{sub.subject}" ({sub.author}, {(sub.date or "undated")[:10]}; in common: '
                     f'{", ".join(sub.shared)}), told: {said}')
    finding = ctx.finding(anchor="subject", text=ctx.patch.full_subject,
                          quote=(f"Subject: {ctx.patch.full_subject}",), count=str(len(subs)),
                          submissions=" ".join(parts))
    links = tuple(r.link for sub in subs for r in sub.remarks)
    yield replace(finding, references=links + finding.references)
