"""Results of the binding tools for one binding text, kept between runs.

b4 runs the per-patch hook once per patch, and a submitter re-runs
``b4 prep --check`` on the same patches many times.  dt-schema's meta-schema
check, yamllint and the examples' validation give the same answer for the
same binding text every time, and importing and running them is most of a
one-patch hook run (issue 13 item 9).  Like ruff's cache, their results are
kept as JSON under ``$XDG_CACHE_HOME/reviewtool/results/``.

An entry's key is a SHA-256 of everything the result is computed from: the
caller's inputs (the binding text, its path, the series' other bindings),
the installed packages (every ``*.dist-info`` name beside dtschema and
yamllint, so an upgrade of any of them is a miss) and reviewtool's own code
(name, size and mtime of every file of the package).  Files a computation
reads from the kernel tree (``$ref`` targets, dt-bindings headers) go
through *readers*: each read is recorded with a digest of what it returned,
and an entry is used only when every recorded read returns the same again.

Only JSON is read back; an unreadable, damaged or unexpected entry is
ignored and the result computed again.  The directory holds at most
``MAX_ENTRIES`` files: a write that goes past it removes the least
recently used, down to nine tenths of it, so that a full cache does not
stat every entry again on each write.
``REVIEWTOOL_NO_RESULT_CACHE=1`` switches the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TypeVar

from .jsoncache import cache_dir, write_json

T = TypeVar("T")
Reader = Callable[[str], "str | None"]

MAX_ENTRIES = 2000
FORMAT = "1"  # bump when an entry's layout changes


def results_dir() -> Path:
    return cache_dir() / "results"


def enabled() -> bool:
    return os.environ.get("REVIEWTOOL_NO_RESULT_CACHE", "") in ("", "0")


def _digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def code_fingerprint() -> str:
    """reviewtool's own files and the installed packages, as one digest."""
    import importlib.util

    h = hashlib.sha256(FORMAT.encode())
    h.update(package_fingerprint(Path(__file__).resolve().parent).encode())
    sites: set[Path] = set()
    for module in ("dtschema", "yamllint", "jsonschema", "ruamel", "tree_sitter"):
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            sites.add(Path(spec.origin).resolve().parent.parent)
        h.update(f"\0{module}:{spec is not None}".encode())
    for site in sorted(sites):
        try:
            names = sorted(n for n in os.listdir(site) if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            names = []
        h.update(("\0" + str(site) + "\0" + "\0".join(names)).encode())
    return h.hexdigest()


def package_fingerprint(package: Path) -> str:
    """A digest of the name, size and mtime of a package's source and data files."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".yaml", ".json")):
                path = Path(root, name)
                try:
                    st = path.stat()
                except OSError:
                    continue
                h.update(f"\0{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()


class _Recorder:
    """Wraps the readers and remembers each read and a digest of its answer."""

    def __init__(self, readers: Mapping[str, Reader | None]):
        self.reads: list[list[Any]] = []
        self.readers = {name: (None if fn is None else self._wrap(name, fn)) for name, fn in readers.items()}

    def _wrap(self, name: str, fn: Reader) -> Reader:
        def read(arg: str) -> str | None:
            value = fn(arg)
            self.reads.append([name, arg, _digest(value) if isinstance(value, str) else None])
            return value

        return read


def _reads_match(reads: Any, readers: Mapping[str, Reader | None]) -> bool:
    if not isinstance(reads, list):
        return False
    for item in reads:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and isinstance(item[1], str)):
            return False
        fn = readers.get(item[0])
        if fn is None:
            return False
        try:
            value = fn(item[1])
        except Exception:
            return False
        if (_digest(value) if isinstance(value, str) else None) != item[2]:
            return False
    return True


def cached(kind: str, inputs: Iterable[str], compute: Callable[[Mapping[str, Reader | None]], T], *,
           encode: Callable[[T], Any], decode: Callable[[Any], T],
           readers: Mapping[str, Reader | None] | None = None,
           keep: Callable[[T], bool] = lambda value: True) -> T:
    """``compute(readers)``, or its result from an earlier run on the same inputs.

    ``inputs`` are the texts the result depends on besides what it reads
    through ``readers`` (name -> function, or None where there is none: that
    is part of the key).  ``encode`` turns the result into JSON data and
    ``decode`` back; ``keep`` says whether a result may be stored at all
    (e.g. not when it reports an environment problem).
    """
    readers = dict(readers or {})
    if not enabled():
        return compute(readers)
    h = hashlib.sha256(f"{kind}\0{code_fingerprint()}".encode())
    for name in sorted(readers):
        h.update(f"\0reader:{name}:{readers[name] is not None}".encode())
    for text in inputs:
        h.update(b"\0" + (_digest(text) or "-").encode())
    key = h.hexdigest()
    path = results_dir() / f"{kind}-{key[:40]}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(entry, dict) and entry.get("key") == key and _reads_match(entry.get("reads"), readers):
            value = decode(entry["value"])
            _touch(path)
            return value
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        pass  # no entry, or a damaged one: compute again
    recorder = _Recorder(readers)
    value = compute(recorder.readers)
    if keep(value):
        _store(path, {"key": key, "reads": recorder.reads, "value": encode(value)})
    return value


def _touch(path: Path) -> None:
    """Mark an entry as used, so the size bound removes the least recently used."""
    try:
        os.utime(path)
    except OSError:
        pass


def _store(path: Path, entry: dict) -> None:
    if write_json(path, entry):  # when it cannot be stored, the result is right all the same
        _bound(path.parent)


def _bound(directory: Path) -> None:
    """When the directory holds more than MAX_ENTRIES, remove the least recently
    used down to nine tenths of it (the next writes then need no stat of every entry)."""
    try:
        entries = [e for e in os.scandir(directory) if e.name.endswith(".json")]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in entries[: len(entries) - (MAX_ENTRIES - MAX_ENTRIES // 10)]:
            try:
                os.unlink(e.path)
            except OSError:
                continue
    except OSError:
        pass
