"""dtschema's meta-schemas read from a JSON cache instead of 24 YAML files.

Every process that validates a binding makes dtschema parse its
meta-schemas with ruamel (about 0.15 s of CPU, a fifth of a one-patch b4
hook run; issue 13 item 9).  They are plain data and change only when
dtschema does, so the parsed documents are kept as JSON under
``$XDG_CACHE_HOME/reviewtool/dtschema/``, keyed by dtschema's version and
the name, size and mtime of every meta-schema file.  The registry is then
built exactly as dtschema builds it.  Any problem with the cache (unreadable,
stale, not writable) falls back to dtschema's own loader.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reviewtool" / "dtschema"


def _key(files: list[Path]) -> str:
    h = hashlib.sha256(_dtschema_version().encode())
    for f in files:
        st = f.stat()
        h.update(f"\0{f.name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


@cache
def _dtschema_version() -> str:
    """What identifies the installed dtschema in a cache key: its generated
    ``version.py`` (read as text: importing dtschema or asking
    ``importlib.metadata`` costs ~50 ms of CPU per process)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("dtschema")
        if spec is not None and spec.submodule_search_locations:
            return (Path(list(spec.submodule_search_locations)[0]) / "version.py").read_text(encoding="utf-8")
    except (ImportError, ValueError, OSError):
        pass
    try:
        from importlib.metadata import version

        return version("dtschema")
    except Exception:
        return ""


def _documents(schema_mod: Any) -> list[dict]:
    files = sorted(Path(schema_mod.schema_basedir, "meta-schemas").glob("*.yaml"))
    path = _cache_dir() / f"meta-schemas-{_key(files)}.json"
    try:
        docs = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(docs, list) and len(docs) == len(files) and all(isinstance(d, dict) for d in docs):
            return docs
    except (OSError, ValueError):
        pass
    import ruamel.yaml

    yaml = ruamel.yaml.YAML(typ="safe")
    yaml.allow_duplicate_keys = False
    docs = [yaml.load(f.read_text(encoding="utf-8")) for f in files]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(docs), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass  # no cache this time; the documents are right all the same
    return docs


def install(dtschema_mod: Any) -> None:
    """Make dtschema build its meta-schema registry from the cache (idempotent)."""
    schema_mod = getattr(dtschema_mod, "schema", None)
    original = getattr(schema_mod, "create_meta_schema_registry", None)
    if original is None or getattr(original, "_reviewtool_cached", False):
        return

    @cache
    def create_meta_schema_registry():
        try:
            from referencing import Registry

            docs = _documents(schema_mod)
            return Registry().with_resources(
                [(d["$id"], schema_mod.DRAFT201909.create_resource(d)) for d in docs])
        except Exception:
            return original()

    create_meta_schema_registry._reviewtool_cached = True  # type: ignore[attr-defined]
    schema_mod.create_meta_schema_registry = create_meta_schema_registry
