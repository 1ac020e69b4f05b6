"""Rule examples that need an archive: ``archive:`` lists threads (series specs with
``earlier`` revisions and their replies, as for ``series/prior-feedback``) to
put in an in-memory archive before the example is checked."""

from __future__ import annotations

from typing import Any

from ..engine import Options


def example_options(example: dict[str, Any]) -> Options:
    """Options for checking one rule example: with its archive when it has one."""
    threads = example.get("archive")
    if not threads:
        return Options()
    from ..examples import render_example
    from .add import add_mail_bytes
    from .precedents import Precedents
    from .store import memory

    db = memory()
    for i, spec in enumerate(threads):
        add_mail_bytes(db, render_example(spec, f"archive{i}"))
    return Options(extra={"precedents": Precedents(db)})
