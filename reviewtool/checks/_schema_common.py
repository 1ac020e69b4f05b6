"""Helpers shared by the binding schema-content checks (not a check module)."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterator

from ..artifacts.binding import BindingDoc, binding_docs
from ..artifacts.schema_facts import schema_data


def docs_with_data(ctx: Any, statuses: tuple[str, ...] = ("added", "modified", "renamed")
                   ) -> Iterator[tuple[BindingDoc, Any]]:
    """Each binding schema of the patch with its parsed data (None when the
    post-image is incomplete or does not parse even without TABs)."""
    for doc in binding_docs(ctx):
        if doc.status in statuses:
            yield doc, schema_data(doc)


def hunk_lines(doc: BindingDoc) -> list[tuple[int, str]]:
    """Added lines of a modified binding whose full text is unknown (no tree):
    the only material line-level checks may use, conservatively."""
    if doc.complete:
        return []
    return sorted((n, doc.text_at(n)) for n in doc.added)


def findings_only(fn: Callable) -> Callable:
    """Drop the None that ``added_finding`` returns for lines the patch did not add."""
    @functools.wraps(fn)
    def wrapper(ctx: Any):
        return [f for f in fn(ctx) if f is not None]

    return wrapper
