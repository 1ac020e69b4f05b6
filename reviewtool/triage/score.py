"""How triage ranks a series: one documented number, worst first.

Error counts alone put a series NAKed twice with 24 warnings below one with
a single error.  The score weighs what a maintainer weighs:

=============================================  ======
what                                           points
=============================================  ======
each error finding (at most 5 per rule)            10
each warning finding (at most 5 per rule)           2
each judgement rule that fired (design rules,      5
  prior feedback: a reviewer must look)
each NAK-like reply to this or an earlier          20
  revision (``Nacked-by:``, a "NAK" line, at most 3)
=============================================  ======

Infos do not count: they are notes, not problems.  A per-rule cap keeps one
repeated nit from outweighing a real error.  Ties keep the old order (errors,
warnings, infos, then the older series first).  Judgement rules are the ones
defined in the rule files named in ``JUDGEMENT_RULE_FILES``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from ..model import Message, Series, SeriesReport

ERROR_POINTS = 10
WARNING_POINTS = 2
PER_RULE_CAP = 5
JUDGEMENT_POINTS = 5
NAK_POINTS = 20
NAK_CAP = 3
JUDGEMENT_RULE_FILES = ("binding-design.yaml", "series-history.yaml")

# A NAK is a trailer or a line of its own, never quoted text ("> NAK" is someone else's).
_NAK = re.compile(r"(?im)^(?!>)\s*(?:nacked-by:|nak\b|nack\b|nak[.!,])")


def judgement_rules(rules: Iterable) -> frozenset[str]:
    """Ids of the rules whose findings call for a reviewer's judgement."""
    return frozenset(r.id for r in rules if Path(getattr(r, "source", "") or "").name in JUDGEMENT_RULE_FILES)


def nak_replies(series: Series) -> int:
    """Replies to this revision or an earlier one in the input that NAK it."""
    replies: list[Message] = [*series.replies, *(m for e in series.earlier for m in e.replies)]
    return sum(1 for m in replies if _NAK.search(m.body or ""))


def score(report: SeriesReport, judgement: frozenset[str], naks: int) -> int:
    per_rule: Counter[tuple[str, str]] = Counter((f.rule, f.severity) for f in report.findings)
    points = 0
    for (rule, severity), n in per_rule.items():
        if severity == "error":
            points += ERROR_POINTS * min(n, PER_RULE_CAP)
        elif severity == "warning":
            points += WARNING_POINTS * min(n, PER_RULE_CAP)
    points += JUDGEMENT_POINTS * len({f.rule for f in report.findings if f.rule in judgement})
    points += NAK_POINTS * min(naks, NAK_CAP)
    return points
