"""Modules that a library imports eagerly but we never need on a normal run.

b4 imports ``dkim`` (which pulls dnspython and PyNaCl) and ``patatt`` at
module level, only for attestation, which we switch off.  Those imports were
a third of b4's import time and a large part of a one-patch hook run
(issue 13).  ``defer`` puts a stand-in module in ``sys.modules``: the
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
from typing import Any


class _Deferred(types.ModuleType):
    """Imports the real module on first attribute access and becomes its view."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
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


# What b4 imports for attestation only (we run it with attestation off).
B4_ATTESTATION = ("dkim", "patatt")
