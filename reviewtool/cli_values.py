"""Command-line values converted without pydantic, so start-up stays cheap.

typer 0.29 converts every parsed option through a pydantic ``TypeAdapter``
built on first use: importing pydantic and building the adapters cost more
CPU than the rest of ``reviewtool check --help`` (issue 13: 2.5x checkpatch's
``--help``).  Our options are plain ``str``, ``int``, ``float``, ``bool`` and
lists of ``str``; for those a few lines do the same conversion.  Any other
annotation still goes to typer's own adapter, and a typer without this
hook (another release) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, get_args, get_origin

_NAMES = {int: "integer", float: "number", str: "string", bool: "boolean"}
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def _bool(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"{value!r} is not a valid boolean.")


def _convert(kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        try:
            return _bool(value) if kind is bool else kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a valid {_NAMES[kind]}.") from None

    return convert


def _plain(annotation: Any) -> tuple[Callable[[Any], Any], bool] | None:
    """(converter, is a list) for the annotations we convert; None otherwise."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (str,)
        return (_convert(item), True) if item in _NAMES else None
    if annotation in _NAMES:
        return _convert(annotation), False
    return None


def install() -> None:
    """Route plain parameters around typer's pydantic adapters (idempotent)."""
    try:
        import typer.core as core
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:  # another typer: keep its own conversion
        return
    original = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "_reviewtool_plain", False):
        return

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        convert: Callable[[Any], Any] = str
        is_list: bool = False

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                if self.is_list:
                    items = value if isinstance(value, (list, tuple)) else [value]
                    return [self.convert(v) for v in items]
                return self.convert(value)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None

    def build_runtime_param(descriptor: Any) -> Any:
        info = descriptor.parameter_info
        plain = None
        if descriptor.file_annotation is None and getattr(info, "parser", None) is None \
                and getattr(info, "min", None) is None and getattr(info, "max", None) is None:
            plain = _plain(descriptor.annotation)
        if plain is None:
            return original(descriptor)
        convert, is_list = plain
        return PlainRuntimeParam(parameter_info=info, annotation=descriptor.annotation,
                                 convert=convert, is_list=is_list)

    build_runtime_param._reviewtool_plain = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param
