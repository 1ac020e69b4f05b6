"""yamllint in-process, with the kernel's bindings settings.

The settings live in ``reviewtool/data/kernel-yamllint.yaml`` (our copy of
what Documentation/devicetree/bindings/.yamllint asks for), so the findings
match what ``make dt_binding_check`` and the DT bot report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

CONFIG_RESOURCE = "data/kernel-yamllint.yaml"


@dataclass(frozen=True)
class LintProblem:
    line: int  # 1-based post-image line
    column: int  # 1-based
    level: str  # yamllint's own level: "error" or "warning"
    rule: str | None  # the yamllint rule id; None for a YAML syntax error
    message: str

    @property
    def is_syntax_error(self) -> bool:
        return self.rule is None


def config_text() -> str:
    return resources.files("reviewtool").joinpath(CONFIG_RESOURCE).read_text(encoding="utf-8")


@functools.cache
def config():
    """yamllint's configuration of the kernel's binding checks (ours, shipped)."""
    from yamllint.config import YamlLintConfig

    return YamlLintConfig(content=config_text())


def lint(text: str, path: str = "binding.yaml") -> list[LintProblem]:
    """Every yamllint problem in ``text``, in line order.

    ``path`` is only used by yamllint's ignore patterns (we have none); the
    text is never read from disk.  The result of an earlier run on the same
    text is reused (``reviewtool.resultcache``: importing yamllint is most of
    its cost in a one-patch hook run).
    """
    from ..resultcache import cached

    return cached("yamllint", [path, text], lambda readers: _lint(text, path),
                  encode=lambda problems: [[p.line, p.column, p.level, p.rule, p.message] for p in problems],
                  decode=_decode)


def _decode(rows: list) -> list[LintProblem]:
    """Cached rows back into problems; a row of the wrong shape raises (the entry is ignored)."""
    out = []
    for line, column, level, rule, message in rows:
        if not (type(line) is int and type(column) is int and isinstance(level, str)
                and (rule is None or isinstance(rule, str)) and isinstance(message, str)):
            raise ValueError("not a yamllint problem")
        out.append(LintProblem(line=line, column=column, level=level, rule=rule, message=message))
    return out


def _lint(text: str, path: str) -> list[LintProblem]:
    from yamllint import linter

    out = []
    try:
        for p in linter.run(text, config(), path):
            desc = p.desc
            if p.rule is None and desc.startswith("syntax error: "):
                desc = desc[len("syntax error: "):]
                desc = desc.removesuffix(" (syntax)")
            out.append(LintProblem(line=p.line, column=p.column, level=p.level, rule=p.rule, message=desc))
    except (Exception, RecursionError) as exc:
        # PyYAML's reader refuses control characters (yaml.ReaderError) and
        # yamllint's own rules crash on some documents (a lone "}"): report
        # it as the syntax error it is, at the line it names when it names one.
        out.append(_crash_problem(text, exc))
    return out


def _crash_problem(text: str, exc: BaseException) -> LintProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    position = getattr(exc, "position", None)  # yaml.ReaderError: an offset into the text
    if mark is None and isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    reason = getattr(exc, "reason", None) or " ".join(str(exc).split())
    char = getattr(exc, "character", None)
    if isinstance(char, str) and len(char) == 1:
        char = ord(char)
    if isinstance(char, int):
        reason = f"{reason} (character #x{char:04x})"
    return LintProblem(line=line, column=column, level="error", rule=None,
                       message=f"yamllint could not read the file: {reason}"[:300])
