"""Which MAINTAINERS entry covers a file, read as scripts/get_maintainer.pl does.

An entry is a title line followed by ``X:`` lines; files are matched by its
``F:`` patterns (a trailing ``/`` covers the whole directory, ``*`` and ``?``
stay within one path component, a plain path covers that file or directory)
and its ``N:`` regexes.  ``X:`` excludes.  Pure text in, typed entries out:
the rules decide what counts as covered.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_FIELD = re.compile(r"^([A-Z]):\s*(.*?)\s*$")


@dataclass(frozen=True)
class Entry:
    title: str
    files: tuple[str, ...] = ()  # F: patterns
    regexes: tuple[str, ...] = ()  # N: patterns
    excludes: tuple[str, ...] = ()  # X: patterns

    def covers(self, path: str) -> bool:
        if any(pattern_matches(x, path) for x in self.excludes):
            return False
        if any(pattern_matches(f, path) for f in self.files):
            return True
        for rx in self.regexes:
            try:
                if re.search(rx, path):
                    return True
            except re.error:
                continue
        return False


def parse(text: str) -> list[Entry]:
    """Every entry of a MAINTAINERS text (the preamble before the first entry is skipped)."""
    return list(_parse(text))


@functools.lru_cache(maxsize=2)
def _parse(text: str) -> tuple[Entry, ...]:
    """parse's work, kept for the last texts: one tree's MAINTAINERS (~20k lines, ~0.1 s)
    serves every series checked against that tree in one process (the b4 hook, bench runs)."""
    entries: list[Entry] = []
    title: str | None = None
    fields: dict[str, list[str]] = {}

    def flush() -> None:
        if title is not None and fields:
            entries.append(Entry(title, tuple(fields.get("F", ())), tuple(fields.get("N", ())),
                                 tuple(fields.get("X", ()))))

    for line in text.split("\n"):
        m = _FIELD.match(line)
        if m and title is not None:
            fields.setdefault(m.group(1), []).append(m.group(2))
        elif line.strip() and not line[:1].isspace() and not m:
            flush()
            title, fields = line.strip(), {}
        elif not line.strip() and fields:
            flush()
            title, fields = None, {}
    flush()
    return tuple(entries)


def added_entries(added_lines: list[str]) -> list[Entry]:
    """Entries made of the lines a patch adds to MAINTAINERS (new entries, or F:/N: added to one)."""
    fields: dict[str, list[str]] = {}
    for line in added_lines:
        m = _FIELD.match(line)
        if m:
            fields.setdefault(m.group(1), []).append(m.group(2))
    if not fields:
        return []
    return [Entry("(added by this series)", tuple(fields.get("F", ())), tuple(fields.get("N", ())),
                  tuple(fields.get("X", ())))]


def pattern_matches(pattern: str, path: str) -> bool:
    """get_maintainer.pl's file_match_pattern: ``*`` and ``?`` are wildcards; a
    pattern ending in ``/`` (or naming a directory) covers everything below it,
    any other one only paths as deep as itself."""
    if not pattern:
        return False
    if "*" not in pattern and "?" not in pattern:  # most patterns: plain string tests
        if pattern.endswith("/") or path.startswith(pattern + "/"):
            return path.startswith(pattern.rstrip("/") + "/")
        return path.startswith(pattern) and path.count("/") == pattern.count("/")
    rx = _prefix_regex(pattern)
    if pattern.endswith("/"):
        return rx.match(path) is not None
    if rx.match(path) is not None and path.count("/") == pattern.count("/"):
        return True
    return False


@functools.lru_cache(maxsize=None)
def _prefix_regex(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))
