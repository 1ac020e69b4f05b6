"""Named Python checks, for rule logic a declarative pattern cannot express.

A check is ``fn(ctx) -> Iterable[Finding]``, registered under the name a rule
file gives in ``check:``, with the schema of the ``params`` a rule may give
it (see ``reviewtool.params``).  Check modules are imported on first use, and
a run imports only the modules of the checks it runs (``MODULE_CHECKS``), so
the CLI and a one-patch hook start fast.
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

# Which module registers which checks, so ``get_check`` imports one module
# instead of all of them (all of them cost a third of a one-patch hook run).
# tests/test_check_registry.py fails when this disagrees with what the modules
# register; a check missing here still works (every module is then imported).
MODULE_CHECKS: dict[str, tuple[str, ...]] = {
    "binding_compatibles": (
        "binding-compatible-format", "binding-compatible-too-generic", "binding-vendor-prefix-company",
    ),
    "binding_design": (
        "binding-describes-driver", "binding-hypervisor-interface", "binding-one-node-per-device",
        "binding-resourceless-child", "binding-reuse-existing",
    ),
    "binding_design_props": (
        "binding-instance-index-property", "binding-redundant-with-reg", "binding-unit-suffix",
        "binding-vendor-property-prefix",
    ),
    "binding_example_schema": ("binding-example-schema",),
    "binding_examples": (
        "binding-example-defines", "binding-example-node-name", "binding-example-style",
        "binding-example-unused-label",
    ),
    "binding_schema": (
        "binding-closed-schema", "binding-directory", "binding-filename-compatible", "binding-required-order",
        "binding-schema-simplify",
    ),
    "binding_schema_props": ("binding-items-not-described", "binding-names-without-list"),
    "binding_tools": ("binding-dt-schema", "binding-yamllint"),
    "commit": ("restates-diff",),
    "driver": ("module-device-table", "of-match-sentinel", "undocumented-property"),
    "dts": ("dts-generic-node-name", "dts-node-name", "dts-property-order"),
    "dts_schema": ("dts-schema",),
    "precedents": ("precedent-line", "precedent-series"),
    "prior_feedback": ("prior-feedback",),
    "series": (
        "binding-mixed-with-code", "changelog-missing", "incomplete", "missing-cover-letter",
        "revision-in-every-subject", "threaded-to-old-version",
    ),
    "series_structure": (
        "binding-after-user", "dt-header-split", "dts-before-driver", "fixup-of-earlier-patch",
        "undocumented-compatible", "vendor-prefix-undocumented",
    ),
    "series_submission": ("corrupt-patch", "dts-vendor-subject", "maintainers-entry", "unedited-cover-letter"),
}
_MODULE_OF = {name: module for module, names in MODULE_CHECKS.items() for name in names}


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


def _ensure(name: str) -> None:
    """Import the module of check ``name``; every module when the index does not name it."""
    if name in _REGISTRY:
        return
    module = _MODULE_OF.get(name)
    if module is not None:
        importlib.import_module(f"{__name__}.{module}")
    if name not in _REGISTRY:
        _load()


def known_checks() -> set[str]:
    """Every check name (imports every check module)."""
    _load()
    return set(_REGISTRY)


def get_check(name: str) -> CheckFn:
    _ensure(name)
    return _REGISTRY[name]


def param_schema(name: str) -> Mapping[str, "ParamType"]:
    _ensure(name)
    return _PARAMS[name]
