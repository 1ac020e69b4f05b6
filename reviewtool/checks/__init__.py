"""Named Python checks, for rule logic a declarative pattern cannot express.

A check is ``fn(ctx) -> Iterable[Finding]``, registered under the name a rule
file gives in ``check:``, with the schema of the ``params`` a rule may give
it (see ``reviewtool.params``).  Check modules are imported on first use so the CLI
starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from ..model import Finding

if TYPE_CHECKING:  # pragma: no cover
    from ..params import ParamType

CheckFn = Callable[["object"], Iterable[Finding]]
_REGISTRY: dict[str, CheckFn] = {}
_PARAMS: dict[str, Mapping[str, "ParamType"]] = {}
_LOADED = False


def check(name: str, params: Mapping[str, "ParamType"] | None = None) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as check ``name``; ``params`` is every param key it reads, typed."""

    def register(fn: CheckFn) -> CheckFn:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise RuntimeError(f"check {name!r} registered twice")
        _REGISTRY[name] = fn
        _PARAMS[name] = dict(params or {})
        return fn

    return register


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    import pkgutil

    # Every module in this package is a check module: adding a file is enough.
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def known_checks() -> set[str]:
    _load()
    return set(_REGISTRY)


def get_check(name: str) -> CheckFn:
    _load()
    return _REGISTRY[name]


def param_schema(name: str) -> Mapping[str, "ParamType"]:
    _load()
    return _PARAMS[name]
