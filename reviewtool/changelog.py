"""Whether a text carries a changelog ("Changes in v2:", "v1 -> v2", "since v3").

One answer shared by the series rules (changelog-missing) and ``history``,
so neither has to import the other.
"""

from __future__ import annotations

import re

_CHANGELOG = re.compile(
    r"(?im)^\s*(?:changes|changelog|change log|changes in v\d|revision history)\b"
    r"|^\s*[-*]?\s*v\d+\s*(?:->|→|to|\.\.|vs\.?)\s*v?\d+"
    r"|^\s*[-*]?\s*(?:since|from)\s+v\d+"
    r"|^\s*[-*]?\s*v\d+\s*:"
)


def has_changelog(text: str) -> bool:
    return bool(_CHANGELOG.search(text or ""))
