"""Modules that a library imports eagerly but we never need on a normal run.

b4 imports ``dkim`` (which pulls dnspython and PyNaCl) and ``patatt`` at
module level, only for attestation, which we switch off.  Those imports were
a third of b4's import time and a large part of a one-patch hook run
(issue 13); requests (for lore only, through liblore) was most of the rest.  ``defer`` puts a stand-in module in ``sys.modules``: the
library's ``import dkim`` binds the stand-in, and the first attribute anyone
reads from it imports the real module and forwards to it, so behaviour is
unchanged whenever the module really is used.

``importlib.util.LazyLoader`` cannot be used: a later ``import`` statement
reads the module's ``__spec__``, which loads it at once.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from contextlib import contextmanager
from typing import Any, Iterator

# Attributes a library may read from a stand-in while it is being imported,
# by module name (see ``annotations_only``).
_ANNOTATING: dict[str, frozenset[str]] = {}
_PLACEHOLDERS: dict[str, type] = {}


class _Deferred(types.ModuleType):
    """Imports the real module on first attribute access and becomes its view."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if attr in _ANNOTATING.get(name, ()):
            return _placeholder(f"{name}.{attr}")
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update({k: v for k, v in vars(real).items() if k != "__getattr__"})
        return getattr(real, attr)


def defer(*names: str) -> None:
    """Stand-ins for ``names`` unless already imported or not installed."""
    for name in names:
        if name in sys.modules or "." in name:
            continue
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except (ImportError, ValueError):
            continue
        sys.modules[name] = _Deferred(name)


@contextmanager
def annotations_only(names: dict[str, tuple[str, ...]]) -> Iterator[None]:
    """While a library is imported in this block, reading the given
    attributes of the stand-in for each module name gives a placeholder class
    instead of loading the module.  For module-level annotations only: b4 evaluates
    ``Optional[requests.Session]`` when it is imported but needs requests
    only to talk to lore, which a local check never does.  The placeholder
    is never stored on the stand-in, so after the block every read of the
    module loads the real one."""
    _ANNOTATING.update({name: frozenset(attrs) for name, attrs in names.items()})
    try:
        yield
    finally:
        for name in names:
            _ANNOTATING.pop(name, None)


def _placeholder(qualname: str) -> type:
    if qualname not in _PLACEHOLDERS:
        module, _, attr = qualname.rpartition(".")
        _PLACEHOLDERS[qualname] = type(attr, (), {"__module__": f"{module} (not imported)"})
    return _PLACEHOLDERS[qualname]


# What b4 imports for attestation only (we run it with attestation off).
B4_ATTESTATION = ("dkim", "patatt")
# What b4 and liblore import to talk to lore or send mail, and the names b4's
# module-level annotations read from them while b4 is being imported.
B4_ANNOTATIONS = {"requests": ("Session",), "smtplib": ("SMTP", "SMTP_SSL")}
B4_NETWORK = tuple(B4_ANNOTATIONS)
# What b4, liblore and shutil import at module level for work a check never
# does: lore downloads (gzip), cache file names (secrets), mbox and maildir
# files (mailbox: we split mail with b4.mailsplit_bytes), compressed archives
# (shutil's lzma and bz2 probes).  ~5 ms of a one-patch hook run.
B4_UNUSED = ("gzip", "secrets", "mailbox", "lzma", "bz2")
# What jsonschema imports at module level for format checkers that only call
# it when a value of that format ("uri", "iri", ...) is checked; binding
# validation rarely meets one.  (idna and jsonpointer are read at import
# time, so deferring them would gain nothing.)
JSONSCHEMA_FORMATS = ("rfc3987",)
