"""The rest of the series a hook's one patch belongs to, found without the network.

b4 runs a check hook once per patch (``b4 am --check``, ``b4 shazam``,
``b4 prep --check``) with only that patch on stdin, so a rule judging series
facts ("is this compatible documented?") cannot tell a typo from a binding
that another patch of the same series adds.  The whole series is usually on
this machine already; we look, in order, at:

1. ``--series FILE``: an mbox the user names;
2. b4's cache of lore threads (``$XDG_CACHE_HOME/b4/lore/*.lore.cache``):
   ``b4 am``/``shazam`` fetched the thread moments before running the hook;
3. the ``b4 prep`` branch checked out in the repository b4 runs the hook in.

Each candidate counts only when it holds this very patch (same Message-ID,
or for prep output, which has none, the same subject).  Nothing found means
None, and the rules keep their cautious one-patch-at-a-time notes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..errors import InputError
from ..model import Patch, Series

# b4's lore cache keeps threads for minutes (b4.cache-expire, 10 by default);
# a thread fetched for this very `b4 am` is seconds old.  Bound the scan so a
# big old cache never slows a hook down.
_CACHE_MAX_AGE = 24 * 3600
_CACHE_MAX_FILES = 64
_CACHE_MAX_BYTES = 64 * 1024 * 1024


def find_series(single: Series, series_file: str | None = None, cwd: str | None = None) -> Series | None:
    """The whole series ``single`` (one patch, as a hook sees it) belongs to, or None."""
    if not single.patches:
        return None
    patch = single.patches[0]
    if series_file:
        from . import mbox

        found = _holding(mbox.load(series_file), patch)
        if found is None:
            raise InputError(f"--series {series_file}: no series in it holds the patch checked "
                             f"({patch.full_subject!r})")
        return found
    return _from_b4_cache(patch) or _from_prep_branch(patch, cwd)


def _holding(candidates: list[Series], patch: Patch) -> Series | None:
    """The candidate holding ``patch``: by Message-ID when it has a real one, else by subject."""
    def ids(s: Series) -> set[str]:
        return {p.message_id for p in s.patches if p.message_id}

    if not patch.origin.message_id_made_up and patch.message_id:
        hit = next((s for s in candidates if patch.message_id in ids(s)), None)
        if hit is not None:
            return hit
    return next((s for s in candidates if any(p.subject == patch.subject for p in s.patches)), None)


def b4_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "b4" / "lore"


def _from_b4_cache(patch: Patch) -> Series | None:
    """The thread b4 fetched (and cached) that holds this patch's Message-ID."""
    if patch.origin.message_id_made_up or not patch.message_id:
        return None
    needle = f"<{patch.message_id}>".encode()
    folder = b4_cache_dir()
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".lore.cache") and e.is_file()]
    except OSError:
        return None
    now = time.time()
    fresh = sorted((e for e in entries if now - e.stat().st_mtime < _CACHE_MAX_AGE),
                   key=lambda e: e.stat().st_mtime, reverse=True)[:_CACHE_MAX_FILES]
    for entry in fresh:
        if entry.stat().st_size > _CACHE_MAX_BYTES:
            continue
        try:
            data = Path(entry.path).read_bytes()
        except OSError:
            continue
        if needle not in data or not data.startswith(b"From "):
            continue  # not this thread (or a cached search answer that is not an mbox)
        from . import mbox

        try:
            found = _holding(mbox.load_bytes(data, f"b4 cache {entry.name}"), patch)
        except InputError:
            continue
        if found is not None and len(found.patches) > 1:
            return found
    return None


def _looks_like_prep_branch(cwd: str) -> bool:
    """Cheap test before asking b4: ``b4 prep`` records its cover strategy (or its
    tracking data) in the branch's git config.  b4's own test walks a year of
    history, seconds on a kernel tree, so it must not run on every hook call."""
    import subprocess

    def git(*args: str) -> str:
        try:
            proc = subprocess.run(["git", "-C", cwd, *args], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return proc.stdout.decode(errors="replace").strip() if proc.returncode == 0 else ""

    branch = git("symbolic-ref", "--short", "-q", "HEAD")
    if not branch:
        return False
    return bool(git("config", "--get-regexp", rf"^branch\.{_regex_escape(branch)}\.b4-(prep-cover-strategy|tracking)$"))


def _regex_escape(text: str) -> str:
    import re

    return re.escape(text)


def _from_prep_branch(patch: Patch, cwd: str | None) -> Series | None:
    """The series on the ``b4 prep`` branch checked out where the hook runs."""
    from . import git

    cwd = cwd or os.getcwd()
    if not _looks_like_prep_branch(cwd):
        return None
    try:
        repo = git.open_repo("HEAD", cwd)
        series_list = git.load_prep(repo, None)
    except InputError:
        return None
    return _holding(series_list, patch)
