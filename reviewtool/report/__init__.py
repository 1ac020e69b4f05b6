"""Renderers: each module has ``render(reports, rules, stream)``.

The registry maps a ``--format`` name to its module so the CLI stays thin and
a renderer is imported only when asked for.
"""

from __future__ import annotations

import importlib
from typing import IO

from ..catalog import Rule
from ..model import SeriesReport

FORMATS: dict[str, str] = {
    "terminal": "terminal",
    "json": "jsonfmt",
    "terse": "terse",
    "sarif": "sarif",
    "email": "email",
    "b4review": "b4review",
}


def render(fmt: str, reports: list[SeriesReport], rules: list[Rule], stream: IO[str], **options) -> None:
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    module.render(reports, rules, stream, **options)
