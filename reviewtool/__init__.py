"""reviewtool: review kernel patch series the way maintainers do."""

import os

__version__ = "0.1.0"


def builtin_rules_path() -> str | None:
    """The built-in catalogue's directory: shipped in the package (a wheel's
    ``_rules``) or beside it (a checkout's ``rules``); None when missing.  Here
    rather than in ``catalog`` so the hook's caller can key the resident worker
    by it without importing the catalogue's modules."""
    here = os.path.dirname(os.path.realpath(__file__))
    for candidate in (os.path.join(here, "_rules"), os.path.join(os.path.dirname(here), "rules")):
        if os.path.isdir(candidate):
            return candidate
    return None
