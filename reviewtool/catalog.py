"""Load and validate the rule catalogue (``rules/*.yaml`` plus user directories).

A rule is data: id, severity, rationale, references, where it applies, and
either a declarative ``match`` or the name of a Python ``check``.  Files are
read with ``yaml.safe_load`` only; nothing in them is ever executed.  Every
problem is reported with the file, the rule and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from .matcher import Cond

SEVERITIES = ("error", "warning", "info")
KINDS = ("any", "cover", "binding", "binding-only", "driver", "dts", "code", "docs", "maintainers")
_ID = re.compile(r"^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")
_RULE_KEYS = {
    "id",
    "severity",
    "summary",
    "rationale",
    "references",
    "applies_to",
    "scope",
    "match",
    "check",
    "params",
    "message",
    "examples",
    "silence",
    "precision",
    "subsumes",
    "per_file",
}


@dataclass(frozen=True)
class AppliesTo:
    kinds: tuple[str, ...] = ("any",)
    paths: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Precision:
    """A rule's measured precision: ``right`` of ``sample`` seeded findings
    judged right by reading them, on ``corpus``, on ``date``."""

    right: int
    sample: int
    date: str
    corpus: str

    @property
    def rate(self) -> float:
        return self.right / self.sample if self.sample else 0.0

    def describe(self) -> str:
        return f"{self.right}/{self.sample} ({100 * self.rate:.0f} %) right on {self.corpus}, {self.date}"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    rationale: str
    references: tuple[str, ...]
    message: str
    applies_to: AppliesTo = AppliesTo()
    scope: str = "patch"  # "patch" or "series"
    match: "Cond | None" = None  # the declarative condition tree (reviewtool.matcher)
    check: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    examples_bad: tuple[Any, ...] = ()
    examples_good: tuple[Any, ...] = ()
    source: str = ""  # the file the rule came from
    precision: tuple[Precision, ...] = ()  # measured samples, newest last (see README: severity policy)
    subsumes: tuple[str, ...] = ()  # rules whose point on the same line this rule makes too
    # A style point about the file (names with underscores, raw numbers): its
    # findings in one file become one listing every place (reviewtool.consolidate).
    per_file: bool = False

    @property
    def family(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def form(self) -> str:
        """'declarative' (a match tree in the rule file) or 'check' (named Python)."""
        return "declarative" if self.match is not None else "check"


def builtin_rules_dir() -> Path:
    """The catalogue shipped with the package (wheel) or beside it (checkout)."""
    from . import builtin_rules_path

    path = builtin_rules_path()
    if path is None:
        raise InputError("the built-in rule catalogue is missing from this installation")
    return Path(path)


def load_catalog(extra_dirs: list[str] | tuple[str, ...] = (), *, verify_checks: bool = False) -> list[Rule]:
    """Every built-in rule plus the user's; a user rule may replace a built-in one.

    User rule files are always validated in full.  The built-in catalogue is
    reviewed and validated by the test suite (``verify_checks=True``), so a
    run only reads it: no check module is imported to confirm the ``check:``
    names and params, examples and message templates are not re-validated,
    and regular expressions are compiled on first use.  That was most of the
    start-up cost of a run, which imports only the check modules of the rules
    that apply (``checks.get_check``)."""
    rules: dict[str, Rule] = {}
    dirs = [builtin_rules_dir(), *(Path(d) for d in extra_dirs)]
    for i, d in enumerate(dirs):
        if not d.is_dir():
            raise InputError(f"{d}: rule directory not found")
        files = sorted([*d.glob("*.yaml"), *d.glob("*.yml")])
        if i > 0 and not files:
            raise InputError(f"{d}: no rule files (*.yaml) in this directory")
        seen_here: set[str] = set()
        for f in files:
            for rule in _rule_file(f, verify_checks=verify_checks or i > 0, builtin=(i == 0)):
                if rule.id in seen_here:
                    raise InputError(f"{f}: rule {rule.id}: defined twice")
                seen_here.add(rule.id)
                rules[rule.id] = rule
    return sorted(rules.values(), key=lambda r: r.id)


# The built-in rule files already read by this process, once ``keep_builtin``
# has been called (by the hook worker, whose children then share them).
_BUILTIN_KEPT: dict[tuple[Path, bool], list[Rule]] | None = None


def keep_builtin() -> None:
    """From now on read each built-in rule file once per process and keep its
    rules, every pattern compiled.  Only for a process whose installed files
    cannot change under it (the worker's socket is keyed by them)."""
    global _BUILTIN_KEPT
    _BUILTIN_KEPT = {}
    from .matcher import compile_patterns

    for rule in load_catalog():
        compile_patterns(rule.match)


def _rule_file(path: Path, *, verify_checks: bool, builtin: bool) -> list[Rule]:
    if not builtin or _BUILTIN_KEPT is None:
        return load_rule_file(path, verify_checks=verify_checks, trusted=builtin)
    key = (path, verify_checks)
    if key not in _BUILTIN_KEPT:
        _BUILTIN_KEPT[key] = load_rule_file(path, verify_checks=verify_checks, trusted=True)
    return _BUILTIN_KEPT[key]


def load_rule_file(path: Path, *, verify_checks: bool = True, trusted: bool = False) -> list[Rule]:
    """The rules of one file; ``trusted`` (the built-in catalogue) skips the
    time bound on regular expressions that user rules get, and with
    ``verify_checks`` false it is read without validation (see ``load_catalog``);
    PyYAML is imported only when a file is parsed, not when its cache entry is read."""
    from .limits import MAX_YAML_BYTES, read_capped, yaml_data_problem, yaml_text_problem

    reviewed = trusted and not verify_checks
    try:  # capped, and never a FIFO or device named *.yaml
        text = read_capped(path, MAX_YAML_BYTES, f"{path}: cannot read rule file").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read rule file ({exc})") from None
    if not reviewed and (problem := yaml_text_problem(text)) is not None:
        raise InputError(f"{path}: {problem}")
    if reviewed:  # the built-in files change only with the package: parsed once, then read as JSON
        from .jsoncache import cached, key_of

        data = cached(f"rules-{path.stem}", key_of([path]), lambda: _parse_yaml(path, text),
                      lambda d: isinstance(d, dict) and isinstance(d.get("rules"), list))
    else:
        data = _parse_yaml(path, text)
    if data is None:
        return []
    if not reviewed and (problem := yaml_data_problem(data)) is not None:
        raise InputError(f"{path}: {problem}")
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise InputError(f"{path}: a rule file must be a mapping with a 'rules:' list")
    if trusted:
        from .matcher import trusted_patterns

        with trusted_patterns(lazy=reviewed):
            return [_parse_rule(path, i, raw, verify_checks, reviewed) for i, raw in enumerate(data["rules"])]
    return [_parse_rule(path, i, raw, verify_checks) for i, raw in enumerate(data["rules"])]


def _parse_yaml(path: Path, text: str) -> Any:
    """The data of a rule file (safe loader only); bad YAML is an InputError."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{where}: invalid YAML ({getattr(exc, 'problem', exc)})") from None


def _parse_rule(path: Path, index: int, raw: Any, verify_checks: bool = True, reviewed: bool = False) -> Rule:
    """One rule; ``reviewed`` (the built-in catalogue on a run) skips what
    only needs checking once: examples and message templates."""
    label = f"rule #{index + 1}"

    def fail(problem: str) -> InputError:
        return InputError(f"{path}: {label}: {problem}")

    if not isinstance(raw, dict):
        raise fail("must be a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise fail(f"'id' must look like 'family/name' in lower case (got {rid!r})")
    label = f"rule {rid}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise fail(f"unknown key(s): {', '.join(sorted(unknown))}")
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise fail(f"'severity' must be one of {', '.join(SEVERITIES)} (got {severity!r})")
    for key in ("summary", "rationale", "message"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(f"'{key}' is required and must be text")
    refs = raw.get("references")
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        raise fail("'references' must be a non-empty list of strings (document sections, lore links)")
    scope = raw.get("scope", "patch")
    if scope not in ("patch", "series"):
        raise fail(f"'scope' must be 'patch' or 'series' (got {scope!r})")
    applies = _parse_applies(raw.get("applies_to"), fail)
    match = _parse_match(raw.get("match"), fail) if "match" in raw else None
    check = raw.get("check")
    if (match is None) == (check is None):
        raise fail("needs exactly one of 'match' (declarative) or 'check' (a named Python check)")
    if check is not None:
        if not isinstance(check, str):
            raise fail(f"'check' must name a Python check (got {check!r})")
        if verify_checks:
            from .checks import known_checks

            if check not in known_checks():
                raise fail(f"'check' names an unknown Python check {check!r}")
    if scope == "series" and match is not None:
        raise fail("series-scope rules need a Python 'check'")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise fail("'params' must be a mapping")
    if check is None and params:
        raise fail("'params' go with a named 'check'; a declarative rule writes its values in 'match'")
    if check is not None and verify_checks:
        from .checks import param_schema
        from .params import params_problem

        problem = params_problem(param_schema(check), params, check)
        if problem is not None:
            raise fail(problem)
    examples = raw.get("examples")
    if not isinstance(examples, dict) or not examples.get("bad") or not examples.get("good"):
        raise fail("'examples' must have at least one 'bad' and one 'good' example")
    bad = examples["bad"] if isinstance(examples["bad"], list) else [examples["bad"]]
    good = examples["good"] if isinstance(examples["good"], list) else [examples["good"]]
    if not reviewed:
        _check_examples(bad, good, fail)
        _check_template(raw["message"], fail)
    if match is not None and not reviewed:
        from .matcher import BASE_FIELDS, messages

        known = BASE_FIELDS | match.field_names()
        for template in (raw["message"], *messages(match)):
            fields = _check_template(template, fail)
            unknown_fields = sorted(f for f in fields if f not in known)
            if unknown_fields:
                raise fail(f"'message' uses {{{unknown_fields[0]}}}, but this declarative rule only fills "
                           f"{', '.join('{' + k + '}' for k in sorted(known))}")
    precision = _parse_precision(raw.get("precision"), fail)
    subsumes = raw.get("subsumes", [])
    if not isinstance(subsumes, list) or not all(isinstance(x, str) and _ID.match(x) for x in subsumes):
        raise fail("'subsumes' must be a list of rule ids")
    per_file = raw.get("per_file", False)
    if not isinstance(per_file, bool):
        raise fail("'per_file' must be true or false")
    return Rule(
        id=rid,
        severity=severity,
        summary=" ".join(raw["summary"].split()),
        rationale=raw["rationale"].strip(),
        references=tuple(refs),
        message=" ".join(raw["message"].split()),
        applies_to=applies,
        scope=scope,
        match=match,
        check=check,
        params=params,
        examples_bad=tuple(bad),
        examples_good=tuple(good),
        source=str(path),
        precision=precision,
        subsumes=tuple(subsumes),
        per_file=per_file,
    )


def _check_examples(bad: list, good: list, fail) -> None:
    from .examples import example_problem

    for kind, exs in (("bad", bad), ("good", good)):
        for i, ex in enumerate(exs):
            problem = example_problem(ex, f"examples.{kind}[{i}]")
            if problem is not None:
                raise fail(problem)


def _parse_precision(raw: Any, fail) -> tuple[Precision, ...]:
    """``precision:`` is one measurement or a list of them: {right, sample, date, corpus}."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"right", "sample", "date", "corpus"}:
            raise fail("'precision' entries need exactly: right, sample, date, corpus")
        right, sample = item["right"], item["sample"]
        if not (isinstance(right, int) and isinstance(sample, int) and 0 <= right <= sample and sample > 0):
            raise fail("'precision' needs whole numbers 0 <= right <= sample, sample > 0")
        out.append(Precision(right, sample, str(item["date"]), str(item["corpus"])))
    return tuple(out)


def _check_template(message: str, fail) -> set[str]:
    """The fields a message fills: plain names only (no attributes, indexes,
    format specs or conversions, which a finding never needs)."""
    import string

    try:
        parts = list(string.Formatter().parse(message))
    except ValueError as exc:
        raise fail(f"'message' is not a valid template ({exc})") from None
    fields = set()
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise fail(f"'message' field {{{name}{'!' + conversion if conversion else ''}"
                       f"{':' + spec if spec else ''}}} must be a plain name such as {{match}}")
        fields.add(name)
    return fields


def _parse_applies(raw: Any, fail) -> AppliesTo:
    if raw is None:
        return AppliesTo()
    if not isinstance(raw, dict):
        raise fail("'applies_to' must be a mapping")
    unknown = set(raw) - {"kinds", "paths", "exclude_paths"}
    if unknown:
        raise fail(f"'applies_to' has unknown key(s): {', '.join(sorted(map(str, unknown)))}")

    def strings(key: str, default: list[str], what: str) -> tuple[str, ...]:
        value = raw.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"'applies_to.{key}' must be a list of {what}")
        return tuple(value)

    kinds = strings("kinds", ["any"], "kinds")
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise fail(f"'applies_to.kinds' has unknown kind(s) {bad}; known: {', '.join(KINDS)}")
    paths = strings("paths", [], "glob strings")
    excl = strings("exclude_paths", [], "glob strings")
    return AppliesTo(kinds=kinds, paths=paths, exclude_paths=excl)


def _parse_match(raw: Any, fail) -> "Cond":
    from .matcher import MatchSyntaxError, compile_match

    try:
        return compile_match(raw)
    except MatchSyntaxError as exc:
        raise fail(str(exc)) from None
