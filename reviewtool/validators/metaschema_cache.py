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

from functools import cache
from pathlib import Path
from typing import Any


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
    from ..jsoncache import cached, key_of

    files = sorted(Path(schema_mod.schema_basedir, "meta-schemas").glob("*.yaml"))

    def parse() -> list[dict]:
        import ruamel.yaml

        yaml = ruamel.yaml.YAML(typ="safe")
        yaml.allow_duplicate_keys = False
        return [yaml.load(f.read_text(encoding="utf-8")) for f in files]

    return cached("dtschema/meta-schemas", key_of(files, _dtschema_version()), parse,
                  lambda docs: isinstance(docs, list) and len(docs) == len(files)
                  and all(isinstance(d, dict) for d in docs))


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
