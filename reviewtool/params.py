"""Typed params for named checks: each check declares what its rule may set.

A check registers a schema beside its code (``@check("name", params={...})``);
the catalogue validates every rule's ``params`` against it when the rule is
loaded, so a misspelled key or a number where a regex belongs is a one-line
error naming the file, the rule and the key, not a crash mid-run or a param
silently ignored.  Types are values, composed: ``ListOf(REGEX)``,
``MapOf(TEXT)``, ``Record({"pattern": REGEX}, required=("pattern",))``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping


class ParamType:
    """A param type: ``problem(value, where)`` says what is wrong, or None;
    ``label`` names it in messages."""

    def problem(self, value: Any, where: str) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError


def _got(value: Any) -> str:
    return "null" if value is None else type(value).__name__


@dataclass(frozen=True)
class _Scalar(ParamType):
    label: str
    kinds: tuple[type, ...]

    def problem(self, value: Any, where: str) -> str | None:
        if isinstance(value, bool) and bool not in self.kinds:
            return f"'{where}' must be {self.label} (got bool)"
        if not isinstance(value, self.kinds):
            return f"'{where}' must be {self.label} (got {_got(value)})"
        return None


@dataclass(frozen=True)
class _Regex(ParamType):
    label: str = "a regular expression"

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str):
            return f"'{where}' must be {self.label} (got {_got(value)})"
        try:
            re.compile(value)
        except (re.error, OverflowError, RecursionError, MemoryError, ValueError) as exc:
            return f"'{where}' is not a valid regular expression ({str(exc).splitlines()[0] if str(exc) else exc!r})"
        return None


@dataclass(frozen=True)
class ShortText(ParamType):
    """Text of at most ``limit`` characters (one header line, say)."""

    limit: int

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"text of at most {self.limit} characters"

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str) or len(value) > self.limit:
            return f"'{where}' must be {self.label} (got {_got(value) if not isinstance(value, str) else len(value)})"
        return None


TEXT: ParamType = _Scalar("text", (str,))
INT: ParamType = _Scalar("an integer", (int,))
NUMBER: ParamType = _Scalar("a number", (int, float))
BOOL: ParamType = _Scalar("true or false", (bool,))
REGEX: ParamType = _Regex()


@dataclass(frozen=True)
class ListOf(ParamType):
    item: ParamType

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"a list of {self.item.label}"

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, list):
            return f"'{where}' must be {self.label} (got {_got(value)})"
        for i, v in enumerate(value):
            if (p := self.item.problem(v, f"{where}[{i}]")) is not None:
                return p
        return None


@dataclass(frozen=True)
class MapOf(ParamType):
    item: ParamType

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"a mapping of names to {self.item.label}"

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"'{where}' must be {self.label} (got {_got(value)})"
        for k, v in value.items():
            if not isinstance(k, str):
                return f"'{where}' keys must be text (got {_got(k)})"
            if (p := self.item.problem(v, f"{where}.{k}")) is not None:
                return p
        return None


@dataclass(frozen=True)
class OneOf(ParamType):
    options: tuple[ParamType, ...]

    @property
    def label(self) -> str:  # type: ignore[override]
        return " or ".join(o.label for o in self.options)

    def problem(self, value: Any, where: str) -> str | None:
        problems = [o.problem(value, where) for o in self.options]
        if all(p is not None for p in problems):
            return f"'{where}' must be {self.label} (got {_got(value)})"
        return None


@dataclass(frozen=True)
class Record(ParamType):
    fields: Mapping[str, ParamType] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    label: str = "a mapping"

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"'{where}' must be {self.label} (got {_got(value)})"
        for k in value:
            if k not in self.fields:
                return f"'{where}' has an unknown key '{k}' (known: {', '.join(sorted(self.fields))})"
        for k in self.required:
            if k not in value:
                return f"'{where}' needs '{k}'"
        for k, v in value.items():
            if (p := self.fields[k].problem(v, f"{where}.{k}")) is not None:
                return p
        return None


def params_problem(schema: Mapping[str, ParamType], params: Any, check: str) -> str | None:
    """What is wrong with a rule's ``params`` for ``check``, or None."""
    if not isinstance(params, dict):
        return "'params' must be a mapping"
    for key, value in params.items():
        if key not in schema:
            known = ", ".join(sorted(schema)) or "none"
            return f"unknown param '{key}' for check {check!r} (it takes: {known})"
        if (p := schema[key].problem(value, f"params.{key}")) is not None:
            return p
    return None
