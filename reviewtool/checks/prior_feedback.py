"""series/prior-feedback: put what reviewers said about earlier revisions in front of the reader.

The remarks come from ``reviewtool.history``; each becomes one finding,
anchored on the line it was about when that line is still in the newest
revision (the strongest hint that it was not addressed), else on the series.
"""

from __future__ import annotations

from dataclasses import replace

from ..history import Remark, Settings, prior_remarks
from . import check
from ..params import BOOL, INT, TEXT, ListOf


@check("prior-feedback", params={
    "comment_lines": INT,
    "quote_lines": INT,
    "min_line_length": INT,
    "bot_markers": ListOf(TEXT),
    "include_bots": BOOL,
    "stopwords": ListOf(TEXT),
})
def prior_feedback(ctx):
    series = ctx.series
    settings = Settings.from_params(ctx.params)
    if series.earlier:
        remarks = ctx.memo("history:prior-remarks", lambda: prior_remarks(series, settings))
    elif ctx.options.extra.get("precedents") is not None:
        # Earlier revisions not in the input may be in the review archive.
        from ..archive.history import archived_remarks

        remarks = archived_remarks(ctx.options.extra["precedents"].db, series, settings)
    else:
        return
    for remark in remarks:
        fields = describe(remark, series.revision)
        quote = tuple(remark.quoted)
        if remark.still_present is not None:
            loc = remark.still_present
            finding = ctx.finding(anchor="diff", patch=series.patch(loc.patch), path=loc.path, line=loc.line,
                                  text=loc.text, **fields)
        else:
            finding = ctx.finding(anchor="series", text=remark.target, quote=quote, **fields)
        refs = (remark.link,) + tuple(r for r in finding.references if r != remark.link)
        yield replace(finding, references=refs)


def describe(remark: Remark, newest: int) -> dict[str, str]:
    """Template fields for the rule message (see rules/series-history.yaml)."""
    who = remark.author.name or remark.author.email
    if remark.bot:
        who += " (bot)"
    if remark.patch is None:
        about = "the series"
    elif remark.patch == 0:
        about = "the cover letter"
    else:
        about = f"patch {remark.patch} ({remark.patch_subject})"
    where = f", {remark.path}" if remark.path else ""
    quoted = f' under "+{remark.target.strip()}"' if remark.target else ""
    said = " ".join(" ".join(remark.comment).split())
    if len(said) > 240:
        said = said[:237].rstrip() + "..."
    evidence = remark.evidence
    if remark.still_present is not None:
        status = f"The quoted line is still added unchanged in v{newest}: possibly unaddressed."
    elif evidence is not None and evidence.kind == "line-gone":
        status = f"The quoted line is no longer in v{newest}."
    else:
        status = ""
    if evidence is not None and evidence.kind == "changelog":
        log = f'The v{newest} changelog says: "{evidence.text}".'
    elif evidence is not None:
        log = ""
    elif remark.still_present is None:
        log = f"No evidence either way in v{newest}: say in the changelog how it was handled."
    elif remark.changelog:
        log = f"The v{newest} changelog does not mention it: say how it was handled."
    else:
        log = f"v{newest} has no changelog saying how it was handled."
    return {
        "who": who,
        "when": remark.date.strftime("%Y-%m-%d") if remark.date else "undated",
        "revision": str(remark.revision),
        "about": about,
        "where": where,
        "quoted": quoted,
        "said": said,
        "status": status,
        "changelog": log,
        "link": remark.link,
    }
