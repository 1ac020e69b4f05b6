"""Decide what a SOURCE argument is and load it with the right source module.

A path that exists is local mail; ``-`` is stdin; a Message-ID (with or
without angle brackets) or a lore / patch.msgid.link URL goes to lore;
anything else is taken as a git revision range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..model import Series

MAX_SOURCE_CHARS = 4096  # PATH_MAX; no real source argument is longer
_URL = re.compile(r"^https?://", re.I)
_MSGID = re.compile(r"^<?[^\s<>@/]+@[^\s<>@/]+>?$")


@dataclass
class LoadOptions:
    revision: int | None = None
    lore_url: str | None = None
    timeout: float | None = None
    no_cache: bool = False
    newer: bool = False
    repo: str | None = None
    prep: bool = False


def kind_of(source: str) -> str:
    if source == "-":
        return "stdin"
    if not source or len(source) > MAX_SOURCE_CHARS or any(c in source for c in "\0\r\n"):
        raise InputError(f"{source[:80]!r}: not a file, Message-ID, URL or git range")
    try:
        if Path(source).exists():
            return "local"
    except (OSError, ValueError):  # a name too long for the file system, or otherwise unusable
        pass
    if "@{" in source:  # git reflog/upstream syntax (HEAD@{1}..HEAD, @{u}..), never a Message-ID
        return "git"
    if _URL.match(source) or _MSGID.match(source):
        return "lore"
    return "git"


def load(source: str, opts: LoadOptions) -> list[Series]:
    kind = kind_of(source)
    if kind in ("stdin", "local"):
        from . import mbox

        return mbox.load(source, opts.revision)
    if kind == "lore":
        try:
            from . import lore
        except ImportError:
            raise InputError(f"{source}: fetching from lore is not available in this build") from None
        return lore.load(source, opts)
    try:
        from . import git
    except ImportError:
        raise InputError(f"{source}: no such file, and git ranges are not available in this build") from None
    return git.load(source, opts)
