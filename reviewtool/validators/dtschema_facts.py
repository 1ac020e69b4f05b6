"""What dt-schema's own core schemas define (property names, compatibles), cached on disk.

Two checks ask this of every binding series: which property names are
standard (``binding/*`` design rules) and which compatibles dt-schema
documents itself (``series/undocumented-compatible``).  Reading its ~60
YAML files costs about 0.15 s of CPU per process, a sizeable part of a
series check, yet the answer changes only when dtschema does: it is kept in
``reviewtool.jsoncache``, keyed by dtschema's version and each schema file's
name, size and mtime.  dtschema itself is never imported here (slow, and it
installs a signal handler).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .metaschema_cache import _dtschema_version

Facts = tuple[frozenset[str], frozenset[str], tuple[str, ...]]


@cache
def core_facts() -> Facts:
    """(property names, compatibles, compatible patterns) of the installed
    dt-schema's schemas; all empty when dt-schema is not installed."""
    from ..jsoncache import cached, key_of

    files = _schema_files()
    if not files:
        return frozenset(), frozenset(), ()
    try:
        key = key_of(files, _dtschema_version())
    except OSError:
        return _read(files)
    data = cached("dtschema-core-facts", key, lambda: _as_json(_read(files)), _valid)
    return frozenset(data["properties"]), frozenset(data["compatibles"]), tuple(data["patterns"])


def _as_json(facts: Facts) -> dict:
    props, compatibles, patterns = facts
    return {"properties": sorted(props), "compatibles": sorted(compatibles), "patterns": list(patterns)}


def _valid(value) -> bool:
    return (isinstance(value, dict) and set(value) == {"properties", "compatibles", "patterns"}
            and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()))


def _schema_files() -> list[Path]:
    import importlib.util

    try:
        spec = importlib.util.find_spec("dtschema")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(list(spec.submodule_search_locations)[0]) / "schemas"
    return sorted(root.rglob("*.yaml"))


def _read(files: list[Path]) -> Facts:
    import yaml

    from ..artifacts.schema_facts import walk_maps
    from ..tree import yaml_compatibles

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    names: set[str] = set()
    found: set[str] = set()
    pats: list[str] = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except OSError:
            continue
        c, p = yaml_compatibles(text)
        found |= c
        pats += p
        try:
            for m in walk_maps(yaml.load(text, Loader=loader)):
                if isinstance(m.get("properties"), dict):
                    names.update(k for k in m["properties"] if isinstance(k, str))
        except Exception:
            continue
    return frozenset(names), frozenset(found), tuple(pats)
