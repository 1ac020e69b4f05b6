"""Settings from TOML files: the repository's ``.reviewtool.toml``, then the user's.

Why files at all: a subsystem tree wants its own rule directory and its own
idea of what is fatal, and a b4 hook cannot take command-line options per
repository.  Precedence, lowest first: built-in defaults, the user file
(``$XDG_CONFIG_HOME/reviewtool/config.toml``), the repository file (at the
top of the git work tree containing the current directory), then the command
line.  Scalars are replaced by the stronger source; lists (rule directories,
disabled rules) accumulate; severity overrides merge per rule.

Every problem is one line naming the file and the key, raised as InputError
(the CLI exits 2).  Rule ids are checked against the catalogue later, once it
is loaded (``Config.check_rule_ids``), because extra rule directories from
the same files may define them.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import InputError

REPO_FILE = ".reviewtool.toml"
USER_FILE = Path("reviewtool") / "config.toml"
SEVERITIES = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "info", "none")
_RULE_ID = re.compile(r"^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")

# key -> one-line description (shown in errors and documentation)
KEYS: dict[str, str] = {
    "rules-dirs": "list of extra rule directories (relative to the file)",
    "disable": "list of rule ids to switch off",
    "severity": "table: rule id = \"error\" | \"warning\" | \"info\"",
    "fail-on": "\"error\" | \"warning\" | \"info\" | \"none\"",
    "lore-url": "lore base URL, e.g. \"https://lore.kernel.org/all\"",
    "timeout": "lore request timeout in seconds (a positive number)",
    "cache": "true | false (false is --no-cache)",
    "tree": "path of a kernel tree to check against (relative to the file)",
    "ignore": "array of tables [[ignore]]: rule = id, reason = text (required), optional path = glob, text = regex",
}
IGNORE_KEYS = ("rule", "reason", "path", "text")


@dataclass(frozen=True)
class Ignore:
    """One ``[[ignore]]`` entry: silence ``rule`` where the finding's file
    matches ``path`` (a glob) and its line matches ``text`` (a regex)."""

    rule: str
    reason: str
    path: str | None = None
    text: re.Pattern[str] | None = None
    source: str = ""  # the file it came from

    def matches(self, rule: str, path: str | None, text: str | None) -> bool:
        from fnmatch import fnmatchcase

        if rule != self.rule:
            return False
        if self.path is not None and (path is None or not fnmatchcase(path, self.path)):
            return False
        return self.text is None or bool(self.text.search(text or ""))


@dataclass
class Config:
    """Merged settings; ``None`` means "not set by any file"."""

    rules_dirs: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    lore_url: str | None = None
    timeout: float | None = None
    cache: bool | None = None
    tree: str | None = None
    ignores: list[Ignore] = field(default_factory=list)  # accumulate over the files
    files: list[Path] = field(default_factory=list)  # the files read, weakest first
    # (key, rule id) -> the file that named it, for error messages
    origin: dict[tuple[str, str], Path] = field(default_factory=dict)

    def check_rule_ids(self, known: set[str]) -> None:
        """Reject rule ids the catalogue does not have, naming the file and key."""
        for (key, rid), path in self.origin.items():
            if rid not in known:
                hint = difflib.get_close_matches(rid, sorted(known), n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else " (see 'reviewtool rules')"
                raise InputError(f"{path}: {key}: unknown rule id {rid!r}{extra}")


def repo_top(cwd: str | Path | None = None) -> Path | None:
    """The top of the git work tree holding ``cwd`` (a ``.git`` dir or file marks it)."""
    here = Path(cwd or os.getcwd()).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    return None


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".config"
    return root / USER_FILE


def config_files(cwd: str | Path | None = None, env: Mapping[str, str] | None = None) -> list[Path]:
    """The files that apply, weakest first: user, then repository."""
    out = []
    user = user_config_path(env)
    if user.is_file():
        out.append(user)
    top = repo_top(cwd)
    if top is not None and (top / REPO_FILE).is_file():
        out.append(top / REPO_FILE)
    return out


def load_config(cwd: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    cfg = Config()
    for path in config_files(cwd, env):
        merge(cfg, path, parse_file(path))
    return cfg


def parse_file(path: Path) -> dict[str, Any]:
    """Read and validate one file; values come back normalised (paths absolute)."""
    import tomllib

    from .limits import MAX_CONFIG_BYTES, read_capped

    data = read_capped(path, MAX_CONFIG_BYTES, f"{path}: cannot read")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: invalid TOML (not UTF-8)") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise InputError(f"{path}: invalid TOML (nested too deeply)") from None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in KEYS:
            hint = difflib.get_close_matches(key.replace("_", "-"), list(KEYS), n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(KEYS)})"
            raise InputError(f"{path}: unknown key {key!r}{extra}")
        out[key] = _value(path, key, value)
    return out


def _value(path: Path, key: str, value: Any) -> Any:
    def bad(why: str) -> InputError:
        return InputError(f"{path}: {key}: {why} (expected {KEYS[key]})")

    base = path.parent
    if key in ("rules-dirs", "disable"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise bad(f"got {value!r}")
        if key == "disable":
            for rid in value:
                if not _RULE_ID.match(rid):
                    raise bad(f"{rid!r} is not a rule id like 'family/name'")
            return list(value)
        dirs = []
        for v in value:
            d = _directory(path, key, base, v)
            if not d.is_dir():
                raise InputError(f"{path}: {key}: {v!r} is not a directory ({d})")
            dirs.append(str(d))
        return dirs
    if key == "severity":
        if not isinstance(value, dict):
            raise bad(f"got {value!r}")
        for rid, sev in value.items():
            if not _RULE_ID.match(rid):
                raise InputError(f"{path}: severity: {rid!r} is not a rule id like 'family/name'")
            if sev not in SEVERITIES:
                raise InputError(f"{path}: severity.{rid}: must be error, warning or info (got {sev!r})")
        return dict(value)
    if key == "fail-on":
        if value not in FAIL_ON:
            raise bad(f"got {value!r}")
        return value
    if key == "lore-url":
        if not isinstance(value, str) or not re.match(r"^https?://\S+$", value):
            raise bad(f"got {value!r}")
        return value
    if key == "timeout":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise bad(f"got {value!r}")
        return float(value)
    if key == "cache":
        if not isinstance(value, bool):
            raise bad(f"got {value!r}")
        return value
    if key == "ignore":
        return _ignores(path, value)
    if key == "tree":
        if not isinstance(value, str) or not value.strip():
            raise bad(f"got {value!r}")
        d = _directory(path, key, base, value)
        if not d.is_dir():
            raise InputError(f"{path}: tree: {value!r} is not a directory ({d})")
        return str(d)
    raise AssertionError(key)  # pragma: no cover - KEYS and this function agree


def _ignores(path: Path, value: Any) -> list[Ignore]:
    if not isinstance(value, list):
        raise InputError(f"{path}: ignore: write each entry as an [[ignore]] table (expected {KEYS['ignore']})")
    out = []
    for i, entry in enumerate(value, 1):
        where = f"{path}: ignore #{i}"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: must be a table with rule, reason, and optional path and text")
        unknown = sorted(set(entry) - set(IGNORE_KEYS))
        if unknown:
            raise InputError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(IGNORE_KEYS)})")
        rule, reason = entry.get("rule"), entry.get("reason")
        if not isinstance(rule, str) or not _RULE_ID.match(rule):
            raise InputError(f"{where}: rule: {rule!r} is not a rule id like 'family/name'")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(f"{where}: reason: say why this finding is ignored (a non-empty string)")
        glob = entry.get("path")
        if glob is not None and (not isinstance(glob, str) or not glob.strip()):
            raise InputError(f"{where}: path: expected a glob such as 'drivers/foo/*.c' (got {glob!r})")
        text = entry.get("text")
        pattern = None
        if text is not None:
            if not isinstance(text, str) or not text:
                raise InputError(f"{where}: text: expected a regular expression (got {text!r})")
            try:
                pattern = re.compile(text)
            except (re.error, OverflowError, RecursionError) as exc:  # a{99999999999} overflows, not re.error
                raise InputError(f"{where}: text: not a valid regular expression ({exc})") from None
        out.append(Ignore(rule=rule, reason=" ".join(reason.split()), path=glob, text=pattern, source=str(path)))
    return out


def _directory(path: Path, key: str, base: Path, value: str) -> Path:
    """A directory named in a config file: ``~`` expanded, relative to the file, resolved."""
    try:
        return (base / Path(value).expanduser()).resolve()
    except (RuntimeError, ValueError, OSError) as exc:  # ~nosuchuser, a NUL byte, a name too long
        raise InputError(f"{path}: {key}: {value!r} is not a usable path ({exc})") from None


def merge(cfg: Config, path: Path, values: dict[str, Any]) -> None:
    """Lay one file's values over ``cfg`` (the file is the stronger source)."""
    cfg.files.append(path)
    for d in values.get("rules-dirs", []):
        if d not in cfg.rules_dirs:
            cfg.rules_dirs.append(d)
    for rid in values.get("disable", []):
        if rid not in cfg.disable:
            cfg.disable.append(rid)
        cfg.origin[("disable", rid)] = path
    for rid, sev in values.get("severity", {}).items():
        cfg.severity[rid] = sev
        cfg.origin[("severity", rid)] = path
    for ign in values.get("ignore", []):
        cfg.ignores.append(ign)
        cfg.origin[("ignore", ign.rule)] = path
    for key, attr in (("fail-on", "fail_on"), ("lore-url", "lore_url"), ("timeout", "timeout"),
                      ("cache", "cache"), ("tree", "tree")):
        if key in values:
            setattr(cfg, attr, values[key])


def apply_config(req: Any, cfg: Config) -> Any:
    """A copy of a CheckRequest with the file settings filled in under the CLI's.

    Command-line values win: a scalar given on the command line is kept; a
    rule named with --only is run even if a file disables it.
    """
    only = set(getattr(req, "only", []) or [])
    disable = [r for r in cfg.disable if r not in only]
    disable += [r for r in req.disable if r not in disable]
    severity = {**cfg.severity, **(getattr(req, "severity", None) or {})}
    return replace(
        req,
        rules_dirs=[*cfg.rules_dirs, *(d for d in req.rules_dirs if d not in cfg.rules_dirs)],
        disable=disable,
        severity=severity,
        fail_on=req.fail_on if req.fail_on is not None else cfg.fail_on,
        lore_url=req.lore_url if req.lore_url is not None else cfg.lore_url,
        timeout=req.timeout if req.timeout is not None else cfg.timeout,
        no_cache=req.no_cache or cfg.cache is False,
        tree=req.tree if req.tree is not None else cfg.tree,
        **({"ignores": [*cfg.ignores, *req.ignores]} if hasattr(req, "ignores") else {}),
    )
