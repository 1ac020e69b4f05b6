"""What a ``triage`` run was asked to do: the CLI's options as one plain value."""

from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("table", "json")


@dataclass
class TriageRequest:
    sources: list[str]
    query: str | None = None
    fmt: str = "table"
    jobs: int | None = None
    rules_dirs: list[str] = field(default_factory=list)
    only: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    min_severity: str = "info"
    fail_on: str | None = None  # None: the config file's, else "none" (triage informs, it does not gate)
    lore_url: str | None = None
    timeout: float | None = None
    no_cache: bool = False
    tree: str | None = None
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity (config files)
    no_config: bool = False  # ignore .reviewtool.toml and the user config file
    progress: bool | None = None  # None: only when stderr is a terminal
    keep_going: bool = False  # exit 0 even when some rows could not be checked
