"""Adapters around external validators (dtschema, yamllint).

Each runner imports its tool lazily, on first use, so ``reviewtool --help``
and series without bindings never pay for it, and turns the tool's output
(exceptions, stderr notes, problem objects) into plain dataclasses with
post-image line numbers that checks can anchor to diff lines.
"""
