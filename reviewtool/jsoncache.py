"""Plain data derived from files, kept as JSON in the user's cache directory.

Some inputs of every run change only when a package is upgraded: the
built-in rule files, dt-schema's core schemas.  Parsing them as YAML on every
run cost a large part of a one-patch b4 hook run (issue 13 item 9); JSON is
read several times faster.  An entry is keyed by the name, size and mtime of
every file it was derived from (plus any version text), so a changed file is
never served stale.  Only JSON is read back, never code; any problem with the
cache (unreadable, damaged, not writable) means computing the value again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterable


def cache_dir(*parts: str) -> Path:
    """The tool's cache directory (``$XDG_CACHE_HOME/reviewtool``), or a part of it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "reviewtool", *parts)


def read_json(path: Path) -> Any:
    """A cache file's JSON value; None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def write_json(path: Path, value: Any) -> bool:
    """Store ``value`` at ``path`` atomically (a reader never sees half a file);
    False when it could not be stored, which only costs speed."""
    try:
        text = json.dumps(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return True
    except (OSError, TypeError, ValueError, RecursionError):
        return False


def key_of(files: Iterable[Path], *extra: str) -> str:
    """A digest of ``extra`` and each file's path, size and mtime."""
    h = hashlib.sha256("\0".join(extra).encode())
    for f in files:
        st = f.stat()
        h.update(f"\0{f}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def cached(name: str, key: str, compute: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """``compute()``'s JSON-able value, read from the cache entry ``name``-``key``
    when one exists and ``valid`` accepts what it holds, else computed and stored."""
    path = cache_dir() / f"{name}-{key}.json"
    value = read_json(path)
    if value is not None and valid(value):
        return value
    value = compute()
    try:
        if json.loads(json.dumps(value)) != value:  # e.g. a date, or an int key: JSON would not give it back as it is
            return value
    except (TypeError, ValueError, RecursionError):
        return value
    write_json(path, value)  # when it cannot be stored, the value is right all the same
    return value
