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
def _config():
    from yamllint.config import YamlLintConfig

    return YamlLintConfig(content=config_text())


def lint(text: str, path: str = "binding.yaml") -> list[LintProblem]:
    """Every yamllint problem in ``text``, in line order.

    ``path`` is only used by yamllint's ignore patterns (we have none); the
    text is never read from disk.
    """
    from yamllint import linter

    out = []
    for p in linter.run(text, _config(), path):
        desc = p.desc
        if p.rule is None and desc.startswith("syntax error: "):
            desc = desc[len("syntax error: "):]
            desc = desc.removesuffix(" (syntax)")
        out.append(LintProblem(line=p.line, column=p.column, level=p.level, rule=p.rule, message=desc))
    return out
