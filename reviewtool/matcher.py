"""The declarative rule matcher: conditions a maintainer writes as data.

A rule's ``match`` is a tree of conditions.  Leaves look at one thing:

* the mail: ``subject``, ``commit_message``, ``trailer``, ``recipients``;
* a changed file: ``file_kind``, ``file_status``, ``path``;
* lines of a file: ``added_line``, ``line_number``, ``source`` (a regex over
  the post-image text), ``inside`` (a tree-sitter query over the
  C or DTS post-image), ``hunk_header``, ``yaml`` (a key path in a binding's
  parsed post-image and a predicate on what is there).

``all`` / ``any`` / ``not`` combine them; several keys in one mapping are an
``all``.  A rule with any file or line condition is judged file by file, so
``not: {added_line: X}`` means "this file adds no line matching X".  Line
conditions under one ``all`` must hold on the same line.  The finding goes
on the most precise place the matched conditions give: a line, else the
commit message (or trailer), else the subject, else the file's first added
line.  See README "Writing rules" for the user's view.

Every regular expression runs through ``regex``; a user rule's with a time
bound, so it cannot hang a run (see ``RuleTimeout``).
"""

from __future__ import annotations

import dataclasses
import re
import string
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable

from .classify import BINDINGS_DIR, DT_HEADERS_DIR, is_binding_path, is_binding_schema, is_code_path, \
    is_docs_path, is_dts_path

# Seconds one regular expression may spend on one text before its rule is
# given up for the run; generous for any sane pattern on a kernel line.
REGEX_TIMEOUT = 1.0

LEVELS = {"patch": 0, "file": 1, "line": 2}
ANCHOR_RANK = {"diff": 3, "commit-message": 2, "subject": 1}
STATUSES = ("added", "modified", "removed", "renamed")


class MatchSyntaxError(ValueError):
    """A ``match`` tree that cannot be compiled; the catalogue names file and rule."""


class RuleTimeout(Exception):
    """A rule's regular expression ran past ``REGEX_TIMEOUT``."""


# ---------------------------------------------------------------------------
# Regular expressions with a time bound


# Whether patterns compiled now get the time bound: yes for user rules; the
# built-in catalogue (reviewed, and tested on every example) skips the timer,
# which costs more than most of its searches.
_BOUNDED: ContextVar[bool] = ContextVar("bounded_regexes", default=True)
# Whether a pattern is compiled on first use instead of now: the built-in
# catalogue's, when it is loaded without validation (a run compiles only the
# patterns of the rules that apply; the suite compiles every one).
_LAZY: ContextVar[bool] = ContextVar("lazy_regexes", default=False)


@contextmanager
def trusted_patterns(lazy: bool = False):
    """Compile the built-in catalogue's patterns without the time bound;
    ``lazy``: on first use rather than now."""
    token = _BOUNDED.set(False)
    lazy_token = _LAZY.set(lazy)
    try:
        yield
    finally:
        _LAZY.reset(lazy_token)
        _BOUNDED.reset(token)


@dataclass(frozen=True)
class Pattern:
    """A compiled regex (``regex`` module, multi-line), searched with a timeout when it came from a user."""

    source: str
    compiled: Any = field(compare=False, repr=False)
    bounded: bool = True

    @classmethod
    def compile(cls, source: Any, where: str) -> "Pattern":
        if not isinstance(source, str):
            raise MatchSyntaxError(f"'{where}' must be a regular expression string (got {type(source).__name__})")
        if _LAZY.get():
            return cls(source, None, _BOUNDED.get())
        import regex

        try:
            return cls(source, _compile(source), _BOUNDED.get())
        except (regex.error, OverflowError, MemoryError, RecursionError, ValueError) as exc:
            raise MatchSyntaxError(f"'{where}' is not a valid regular expression ({exc})") from None

    def _regex(self) -> Any:
        if self.compiled is None:  # a lazily loaded built-in pattern, compiled on first use
            object.__setattr__(self, "compiled", _compile(self.source))
        return self.compiled

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self._regex().groupindex)

    def search(self, text: str):
        if not self.bounded:
            return self._regex().search(text)
        try:
            return self._regex().search(text, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RuleTimeout(self.source) from None

    def searcher(self) -> Callable[[str], Any]:
        """``search`` as a plain function, for loops over many texts (no wrapper per call when unbounded)."""
        if not self.bounded:
            return self._regex().search
        return self.search

    def finditer(self, text: str) -> list:
        if not self.bounded:
            return list(self._regex().finditer(text))
        try:
            return list(self._regex().finditer(text, timeout=REGEX_TIMEOUT))
        except TimeoutError:
            raise RuleTimeout(self.source) from None


# Constructs that may match a newline, or see past a line's ends.
_CROSSES_LINES = re.compile(r"\\[sWDnvRXhpP]|\\x0*[aA]\b|\[\^|\(\?[a-zA-Z]*s")
_STRING_ANCHOR = re.compile(r"\\[AZzG]")


@lru_cache(maxsize=None)
def line_local(source: str) -> bool:
    """Whether a pattern that matches a line alone also matches somewhere in
    the lines joined by newlines: no string anchors, and no negative lookaround
    whose body could match a newline (that could fail at a line's end in the
    joined text).  Such a pattern can be tried once on all of a file's added
    lines before it is tried line by line."""
    if _STRING_ANCHOR.search(source):
        return False
    for m in re.finditer(r"\(\?<?!", source):
        depth, i = 1, m.end()
        while i < len(source) and depth:
            c = source[i]
            if c == "\\":
                i += 1
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            i += 1
        if _CROSSES_LINES.search(source[m.end(): i]):
            return False
    return True


def compile_patterns(tree: Any) -> None:
    """Compile now every lazily loaded pattern in a condition tree (see ``keep_builtin``)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, Pattern):
            node._regex()
        elif isinstance(node, (tuple, list)):
            pending.extend(node)
        elif isinstance(node, dict):
            pending.extend(node.values())
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            pending.extend(getattr(node, f.name) for f in dataclasses.fields(node))


def _compile(source: str) -> Any:
    import regex

    return regex.compile(source, regex.M | regex.V0)


def match_fields(hit) -> dict[str, str]:
    """``match`` (first group, else the whole match) and every named group."""
    out = {k: v for k, v in hit.groupdict().items() if v is not None}
    first = hit.group(1) if hit.re.groups and hit.group(1) is not None else hit.group(0)
    out["match"] = first
    return out


# ---------------------------------------------------------------------------
# What evaluation produces


@dataclass(frozen=True)
class Hit:
    """A place a finding may go, with the template fields found there."""

    anchor: str  # "diff", "commit-message" or "subject"
    text: str | None
    path: str | None = None
    line: int | None = None
    quote: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    message: str | None = None  # a branch's own message, overriding the rule's

    def with_message(self, message: str | None) -> "Hit":
        if message is None or self.message is not None:
            return self
        return Hit(self.anchor, self.text, self.path, self.line, self.quote, self.fields, message)

    def merged(self, other: "Hit") -> "Hit":
        """The same line reached by two conditions: keep both's fields."""
        fields = dict(other.fields)
        fields.update(dict(self.fields))
        return Hit(self.anchor, self.text, self.path, self.line, self.quote, tuple(fields.items()),
                   self.message or other.message)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    lines: dict[int, Hit] | None = None  # None: no line condition took part
    hits: tuple[Hit, ...] = ()  # mail-level places (subject, commit message)
    fields: tuple[tuple[str, str], ...] = ()  # found by conditions without a place (a path's groups)


FALSE = Outcome(False)


@dataclass
class Env:
    """What a condition is judged against."""

    patch: Any
    file: Any  # a FileChange, or None for a patch-level rule
    ctx: Any  # the engine Context (memo, options.tree) for post-image views
    only: frozenset[int] | None = None  # lines an enclosing 'all' already narrowed to

    def added(self) -> list:
        lines = self.file.added_lines()
        return lines if self.only is None else [ln for ln in lines if ln.new_line in self.only]


# ---------------------------------------------------------------------------
# Conditions


@dataclass(frozen=True)
class Cond:
    level: str = field(init=False, default="patch")
    message: str | None = field(init=False, default=None, compare=False)
    collapse: str | None = field(init=False, default=None, compare=False)  # root only: see ``run``

    def evaluate(self, env: Env) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def patterns(self) -> Iterable[Pattern]:
        return ()

    def field_names(self) -> set[str]:
        return {g for p in self.patterns() for g in p.groups}


_COSTS = {"Inside": 4.0, "Yaml": 3.0, "Source": 3.0, "LineNumber": 2.5, "HunkHeader": 2.5}


def _cost(cond: "Cond") -> float:
    """Rough evaluation cost, for ordering an ``all``: parsing last (computed once per condition)."""
    cached = cond.__dict__.get("_cost")
    if cached is not None:
        return cached
    own = _COSTS.get(type(cond).__name__)
    if own is None:
        children = getattr(cond, "children", ()) or ((cond.child,) if isinstance(cond, Not) else ())
        own = max((_cost(c) for c in children), default=float(LEVELS[cond.level]))
    object.__setattr__(cond, "_cost", own)
    return own


def _set(obj: Cond, **values: Any) -> None:
    for k, v in values.items():
        object.__setattr__(obj, k, v)


@dataclass(frozen=True)
class All(Cond):
    children: tuple[Cond, ...] = ()

    def __post_init__(self) -> None:
        _set(self, level=max((c.level for c in self.children), key=LEVELS.__getitem__))

    def evaluate(self, env: Env) -> Outcome:
        lines: dict[int, Hit] | None = None
        hits: list[Hit] = []
        fields: dict[str, str] = {}
        # Cheap conditions first (mail, file, then line regexes before parses):
        # the first that fails ends the evaluation.
        outer = env.only
        for child in sorted(self.children, key=_cost):
            if lines is not None:
                env.only = frozenset(lines) if outer is None else frozenset(lines) & outer
            try:
                out = child.evaluate(env)
            finally:
                env.only = outer
            if not out.ok:
                return FALSE
            fields.update(dict(out.fields))
            if out.lines is not None:
                if lines is None:
                    lines = dict(out.lines)
                else:
                    lines = {n: h.merged(out.lines[n]) for n, h in lines.items() if n in out.lines}
                if not lines:
                    return FALSE
            hits.extend(out.hits)
        if fields:
            extra = Hit("subject", None, fields=tuple(fields.items()))
            hits = [h.merged(extra) for h in hits]
            lines = None if lines is None else {n: h.merged(extra) for n, h in lines.items()}
        return _tag(Outcome(True, lines, tuple(hits), tuple(fields.items())), self.message)

    def patterns(self) -> Iterable[Pattern]:
        return [p for c in self.children for p in c.patterns()]

    def field_names(self) -> set[str]:
        return set().union(*(c.field_names() for c in self.children))


@dataclass(frozen=True)
class Any_(Cond):
    children: tuple[Cond, ...] = ()

    def __post_init__(self) -> None:
        _set(self, level=max((c.level for c in self.children), key=LEVELS.__getitem__))

    def evaluate(self, env: Env) -> Outcome:
        ok = False
        lines: dict[int, Hit] | None = None
        unconstrained = False
        hits: list[Hit] = []
        fields: dict[str, str] = {}
        spoken = False
        for child in self.children:
            out = child.evaluate(env)
            if not out.ok:
                continue
            for k, v in out.fields:
                fields.setdefault(k, v)
            if spoken:  # only the first place-less branch that holds speaks for a place-less outcome
                out = Outcome(True, out.lines, tuple(h for h in out.hits if h.text is not None), out.fields)
            spoken = spoken or out.lines is None
            ok = True
            if out.lines is None:
                unconstrained = True
            else:
                lines = lines or {}
                for n, h in out.lines.items():
                    lines.setdefault(n, h)
            hits.extend(out.hits)
        if not ok:
            return FALSE
        return _tag(Outcome(True, None if unconstrained else lines, tuple(hits), tuple(fields.items())), self.message)

    def patterns(self) -> Iterable[Pattern]:
        return [p for c in self.children for p in c.patterns()]

    def field_names(self) -> set[str]:
        return set().union(*(c.field_names() for c in self.children))


@dataclass(frozen=True)
class Not(Cond):
    child: Cond | None = None

    def __post_init__(self) -> None:
        _set(self, level=self.child.level)  # type: ignore[union-attr]

    def evaluate(self, env: Env) -> Outcome:
        outer, env.only = env.only, None  # 'not' speaks of the whole file, not of the lines in hand
        try:
            held = self.child.evaluate(env).ok  # type: ignore[union-attr]
        finally:
            env.only = outer
        return FALSE if held else Outcome(True)

    def patterns(self) -> Iterable[Pattern]:
        return self.child.patterns()  # type: ignore[union-attr]

    def field_names(self) -> set[str]:
        return set()  # a negated condition has matched nothing to report


def _tag(out: Outcome, message: str | None) -> Outcome:
    if message is None or not out.ok:
        return out
    lines = None if out.lines is None else {n: h.with_message(message) for n, h in out.lines.items()}
    return Outcome(True, lines, tuple(h.with_message(message) for h in out.hits)
                   or (Hit("subject", None, fields=out.fields, message=message),), out.fields)


# -- mail ---------------------------------------------------------------------

@dataclass(frozen=True)
class Subject(Cond):
    pattern: Pattern | None = None

    def evaluate(self, env: Env) -> Outcome:
        hit = self.pattern.search(env.patch.subject)  # type: ignore[union-attr]
        if not hit:
            return FALSE
        return _tag(Outcome(True, None, (_subject_hit(env.patch, match_fields(hit)),)), self.message)

    def patterns(self):
        return [self.pattern]


def _subject_hit(patch: Any, fields: dict[str, str]) -> Hit:
    return Hit("subject", patch.full_subject, quote=(f"Subject: {patch.full_subject}",),
               fields=tuple(fields.items()))


@dataclass(frozen=True)
class CommitMessage(Cond):
    pattern: Pattern | None = None

    def evaluate(self, env: Env) -> Outcome:
        text = env.patch.commit_message
        hits: dict[str, Hit] = {}
        for m in self.pattern.finditer(text):  # type: ignore[union-attr]
            line = _line_at(text, m.start())
            hits.setdefault(line, Hit("commit-message", line, quote=(line,), fields=tuple(match_fields(m).items())))
        if not hits:
            return FALSE
        return _tag(Outcome(True, None, tuple(hits.values())), self.message)

    def patterns(self):
        return [self.pattern]


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start: end if end >= 0 else len(text)]


@dataclass(frozen=True)
class Trailer(Cond):
    """A trailer (``Name: value`` below the message) by name and/or value regex;
    ``by_author`` keeps only trailers naming (or not naming) the patch's author."""

    name: Pattern | None = None
    value: Pattern | None = None
    by_author: bool | None = None

    def evaluate(self, env: Env) -> Outcome:
        author = (env.patch.author.email or "").lower()
        hits = []
        for t in env.patch.trailers:
            fields: dict[str, str] = {"trailer": t.name}
            for pat, text in ((self.name, t.name), (self.value, t.value)):
                if pat is None:
                    continue
                m = pat.search(text)
                if not m:
                    break
                fields.update(match_fields(m))
            else:
                if self.by_author is not None and ((t.email or "").lower() == author) != self.by_author:
                    continue
                line = f"{t.name}: {t.value}"
                fields.setdefault("match", line)
                hits.append(Hit("commit-message", line, quote=(line,), fields=tuple(fields.items())))
        if not hits:
            return FALSE
        return _tag(Outcome(True, None, tuple(hits)), self.message)

    def patterns(self):
        return [p for p in (self.name, self.value) if p is not None]

    def field_names(self) -> set[str]:
        return super().field_names() | {"trailer"}


@dataclass(frozen=True)
class Recipients(Cond):
    """Some To/Cc address of the patch mail matches (lower-case addresses)."""

    pattern: Pattern | None = None

    def evaluate(self, env: Env) -> Outcome:
        ok = any(self.pattern.search(a) for a in env.patch.recipients)  # type: ignore[union-attr]
        return _tag(Outcome(True), self.message) if ok else FALSE

    def patterns(self):
        return [self.pattern]


# -- files ---------------------------------------------------------------------

def _is_kconfig(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith("Kconfig")


FILE_KINDS: dict[str, Callable[[str], bool]] = {
    "binding": is_binding_path,  # a schema, a .txt binding or a dt-bindings header
    "binding-schema": is_binding_schema,
    "binding-txt": lambda p: p.startswith(BINDINGS_DIR) and p.endswith(".txt"),
    "dt-header": lambda p: p.startswith(DT_HEADERS_DIR) and p.endswith(".h"),
    "dts": is_dts_path,
    "c": lambda p: p.endswith(".c") and is_code_path(p),
    "c-header": lambda p: p.endswith(".h") and is_code_path(p),
    "kconfig": _is_kconfig,
    "makefile": lambda p: p.rsplit("/", 1)[-1] in ("Makefile", "Kbuild"),
    "docs": is_docs_path,
    "maintainers": lambda p: p == "MAINTAINERS",
    "code": is_code_path,
}


@dataclass(frozen=True)
class FileKind(Cond):
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, level="file")

    def evaluate(self, env: Env) -> Outcome:
        ok = any(FILE_KINDS[k](env.file.path) for k in self.kinds)
        return Outcome(True) if ok else FALSE


@dataclass(frozen=True)
class FileStatus(Cond):
    statuses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, level="file")

    def evaluate(self, env: Env) -> Outcome:
        return Outcome(True) if env.file.status in self.statuses else FALSE


@dataclass(frozen=True)
class PathGlob(Cond):
    globs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, level="file")

    def evaluate(self, env: Env) -> Outcome:
        from .classify import path_matches

        return Outcome(True) if path_matches(env.file.path, self.globs) else FALSE


@dataclass(frozen=True)
class PathRegex(Cond):
    """The file path matches a regex; its named groups fill message fields."""

    pattern: Pattern | None = None

    def __post_init__(self) -> None:
        _set(self, level="file")

    def evaluate(self, env: Env) -> Outcome:
        m = self.pattern.search(env.file.path)  # type: ignore[union-attr]
        if not m:
            return FALSE
        return Outcome(True, fields=tuple((k, v) for k, v in m.groupdict().items() if v is not None))

    def patterns(self):
        return [self.pattern]


# -- lines -----------------------------------------------------------------------

def _file_fields(path: str) -> dict[str, str]:
    rel = path[len(BINDINGS_DIR):] if path.startswith(BINDINGS_DIR) else path
    return {"path_name": path, "rel_path": rel}


def _line_hit(env: Env, line: int, text: str, fields: dict[str, str]) -> Hit:
    for k, v in _file_fields(env.file.path).items():
        fields.setdefault(k, v)
    return Hit("diff", text, path=env.file.path, line=line, fields=tuple(fields.items()))


def _lines(hits: dict[int, Hit], message: str | None) -> Outcome:
    if not hits:
        return FALSE
    return _tag(Outcome(True, hits), message)


@dataclass(frozen=True)
class AddedLine(Cond):
    pattern: Pattern | None = None

    def __post_init__(self) -> None:
        _set(self, level="line")

    def evaluate(self, env: Env) -> Outcome:
        hits = {}
        search = self.pattern.searcher()  # type: ignore[union-attr]
        lines = env.added()
        # One search over all the added lines rules out most files at once
        # (a search call costs more than scanning a line).
        if env.only is None and len(lines) > 4 and line_local(self.pattern.source) \
                and not search(_added_text(env)):  # type: ignore[union-attr]
            return FALSE
        for ln in lines:
            m = search(ln.text)
            if m and ln.new_line not in hits:
                hits[ln.new_line] = _line_hit(env, ln.new_line, ln.text, match_fields(m))
        return _lines(hits, self.message)

    def patterns(self):
        return [self.pattern]


def _added_text(env: Env) -> str:
    """The file's added lines joined by newlines, once per file and run."""
    f = env.file
    return env.ctx.memo(f"matcher-added:{env.patch.message_id}:{env.patch.n}:{f.path}",
                        lambda: "\n".join(ln.text for ln in f.added_lines()))


@dataclass(frozen=True)
class LineNumber(Cond):
    """Added lines whose post-image line number is within ``min``..``max``."""

    low: int = 1
    high: int | None = None

    def __post_init__(self) -> None:
        _set(self, level="line")

    def evaluate(self, env: Env) -> Outcome:
        hits = {ln.new_line: _line_hit(env, ln.new_line, ln.text, {})
                for ln in env.added()
                if ln.new_line is not None and ln.new_line >= self.low and (self.high is None or ln.new_line <= self.high)}
        return _lines(hits, self.message)


@dataclass(frozen=True)
class Source(Cond):
    """A regex over the file's post-image text (the whole file when known, else
    each hunk), for facts spanning lines; the place is where the named group
    ``at`` (else the match) starts, when that line is added."""

    pattern: Pattern | None = None

    def __post_init__(self) -> None:
        _set(self, level="line")

    def evaluate(self, env: Env) -> Outcome:
        view = _source_view(env)
        hits: dict[int, Hit] = {}
        for seg in view.segments:
            if not any(view.is_added(n) for n, _ in seg.lines):
                continue
            for m in self.pattern.finditer(seg.text + "\n"):  # type: ignore[union-attr]
                start = m.start("at") if "at" in m.re.groupindex and m.start("at") >= 0 else m.start()
                n = seg.line_of(start)
                if view.is_added(n) and n not in hits:
                    hits[n] = _line_hit(env, n, view.text_of(n), match_fields(m))
        return _lines(hits, self.message)

    def patterns(self):
        return [self.pattern]


@dataclass(frozen=True)
class HunkHeader(Cond):
    """Added lines of hunks whose header names (git's function context) the
    construct they sit in, e.g. ``struct platform_driver foo = {``, up to the
    first line in the hunk that starts a new top-level definition."""

    pattern: Pattern | None = None

    def __post_init__(self) -> None:
        _set(self, level="line")

    def evaluate(self, env: Env) -> Outcome:
        hits = {}
        for h in env.file.hunks:
            m = self.pattern.search(h.section or "")  # type: ignore[union-attr]
            if not m:
                continue
            for ln in h.lines:
                if ln.kind != "-" and (ln.text[:1].isalpha() or ln.text[:1] == "_"):
                    break  # a new top-level definition: the header no longer applies
                if ln.kind == "+" and ln.new_line is not None:
                    hits[ln.new_line] = _line_hit(env, ln.new_line, ln.text, match_fields(m))
        return _lines(hits, self.message)

    def patterns(self):
        return [self.pattern]


@dataclass(frozen=True)
class Inside(Cond):
    """Added lines within the nodes a tree-sitter query captures as ``@inside``
    (every line of the node) or ``@at`` (its first line only); without such
    captures, the first capture of each match.  ``unless`` is a second query:
    a node it captures too (same span and type, under any capture name) is
    left out, e.g. a driver initialiser that sets ``.id_table``.  The text is
    the file's post-image (the whole file when known, else each hunk); C is
    read through the C model's parse (annotation macros blanked, a hunk cut
    mid-construct read after its header), so no file is parsed twice."""

    lang: str = "c"
    query: str = ""
    unless: str | None = None

    def __post_init__(self) -> None:
        _set(self, level="line")

    def evaluate(self, env: Env) -> Outcome:
        from .syntax import treesitter as ts

        view = _source_view(env)
        hits: dict[int, Hit] = {}
        for root, seg, skip in _parsed_segments(env, self.lang, view):
            numbers = [n for n, _ in seg.lines]
            rows = None
            if env.only is not None:  # an enclosing 'all' has the lines in hand: query only around them
                wanted = [i + skip for i, n in enumerate(numbers) if n in env.only]
                if not wanted:
                    continue
                rows = (wanted[0], wanted[-1])
            excluded = set()
            if self.unless is not None:
                excluded = {(n.start_byte, n.end_byte, n.type)
                            for _i, caps in ts.matches(self.lang, self.unless, root, rows)
                            for nodes in caps.values() for n in nodes}
            for _i, caps in ts.matches(self.lang, self.query, root, rows):
                spans = [(n.start_point[0], n.end_point[0], n) for n in caps.get("inside", [])]
                spans += [(n.start_point[0], n.start_point[0], n) for n in caps.get("at", [])]
                if not spans:
                    spans = [(n.start_point[0], n.end_point[0], n) for n in next(iter(caps.values()), [])]
                fields = {k: ts.text_of(v[0]) for k, v in caps.items() if v and k not in ("inside", "at")}
                for first, last, node in spans:
                    if (node.start_byte, node.end_byte, node.type) in excluded:
                        continue
                    for row in range(max(first, skip), min(last, skip + len(numbers) - 1) + 1):
                        n = numbers[row - skip]
                        if view.is_added(n) and n not in hits:
                            hits[n] = _line_hit(env, n, view.text_of(n), dict(fields))
        return _lines(hits, self.message)

    def field_names(self) -> set[str]:
        import re

        # capture names as written (no grammar load: the catalogue loads fast)
        return set(re.findall(r"@([A-Za-z_][\w.-]*)", self.query)) - {"inside", "at"}


def _parsed_segments(env: Env, lang: str, view: Any):
    """(syntax tree root, segment, rows of header text before the segment) for
    each segment with added lines, parsed once per run and shared with the C model."""
    if lang == "c":
        from .syntax.c import c_file

        for unit in c_file(env.ctx, env.patch, env.file).units:
            if any(view.is_added(n) for n, _ in unit.segment.lines):
                yield unit.root, unit.segment, unit.prefix_rows
        return
    from .syntax import treesitter as ts

    for i, seg in enumerate(view.segments):
        if not seg.lines or not any(view.is_added(n) for n, _ in seg.lines):
            continue
        key = f"matcher-ts:{lang}:{env.patch.message_id}:{env.patch.n}:{env.file.path}:{i}"
        tree = env.ctx.memo(key, lambda: ts.parse(lang, seg.text))  # noqa: B023 - called at once
        yield tree.root_node, seg, 0


def _source_view(env: Env):
    from .syntax.source import source_view

    return source_view(env.ctx, env.patch, env.file)


# -- binding YAML --------------------------------------------------------------------

YAML_PREDICATES = ("key", "exists", "matches", "not_matches", "equals", "not_equals", "in", "not_in", "type", "has",
                   "lacks", "style", "min_length", "max_length", "with", "without", "at", "not_under",
                   "blank_before", "after_multiline", "after_key")
_PLACE_TESTS = ("key", "at", "not_under", "blank_before", "after_multiline", "after_key")
YAML_TYPES = ("map", "list", "string", "number", "bool", "null")


@dataclass(frozen=True)
class Yaml(Cond):
    """A key path in a binding schema's parsed post-image (``properties/*/type``;
    ``*`` is any one key or list index, ``**`` any depth) and predicates on
    the value found there.  The hit is the line of the last key, when added."""

    path: tuple[str, ...] = ()
    tests: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        _set(self, level="line")
        tests = dict(self.tests)
        not_under = frozenset(tests.get("not_under", ()))
        # what evaluate needs of the tests, worked out once per rule rather than per file
        _set(self, _tests=tests, _key_rx=tests.get("key"), _at=tests.get("at"), _not_under=not_under,
             _layout=bool({"blank_before", "after_multiline", "after_key"} & set(tests)),
             _walk_key=f"matcher-walk:{'/'.join(self.path)}:{','.join(sorted(not_under))}")

    def evaluate(self, env: Env) -> Outcome:
        if not is_binding_schema(env.file.path):
            return FALSE
        doc, data = _schema_of(env)
        if data is None:
            return FALSE
        hits: dict[int, Hit] = {}
        held = False  # somewhere in the file, added or not ('not: {yaml: ...}' reads this)
        tests = self._tests  # type: ignore[attr-defined]
        key_rx = self._key_rx  # type: ignore[attr-defined]
        search = key_rx.searcher() if key_rx is not None else None
        # Many conditions walk the same paths ('**/properties/*'): walk once per document.
        reached = doc.cached(self._walk_key,  # type: ignore[attr-defined]
                             lambda: _walk_path(data, self.path, self._not_under, doc))  # type: ignore[attr-defined]
        for parent, key, value in reached:
            key_hit = None
            if search is not None:
                key_hit = search(key if isinstance(key, str) else str(key))
                if not key_hit:
                    continue
            if self._layout and not _layout_holds(tests, doc, parent, key):  # type: ignore[attr-defined]
                continue
            fields = _passes(self.tests, value, doc)
            if fields is None:
                continue
            if key_hit is not None:
                fields = {**match_fields(key_hit), **fields}
            held = True
            at = self._at  # type: ignore[attr-defined]
            if at is not None:
                line = _line_at_path(doc, value, at)
            else:
                line = doc.key_line(parent, key) if hasattr(parent, "lc") and not isinstance(parent, list) \
                    else doc.item_line(parent, key)
            if doc.is_added(line) and line not in hits:
                fields.setdefault("key", str(key))
                if isinstance(value, (str, int, float, bool)):
                    fields.setdefault("value", str(value))
                fields.setdefault("match", str(value) if isinstance(value, (str, int, float)) else str(key))
                hits[line] = _line_hit(env, line, doc.text_at(line), fields)
        if held and not hits:
            return Outcome(True, {})  # true of the file, but on no line this patch adds
        return _lines(hits, self.message)

    def patterns(self):
        return _test_patterns(self.tests)


def _schema_of(env: Env) -> tuple[Any, Any]:
    """(the file's BindingDoc, its parsed schema), looked up once per file and run."""
    def compute() -> tuple[Any, Any]:
        from .artifacts.binding import binding_docs
        from .artifacts.schema_facts import schema_data

        doc = next((d for d in binding_docs(env.ctx, env.patch) if d.path == env.file.path), None)
        return doc, (schema_data(doc) if doc is not None else None)

    return env.ctx.memo(f"matcher-schema:{env.patch.message_id}:{env.patch.n}:{env.file.path}", compute)


def _layout_holds(tests: dict[str, Any], doc: Any, parent: Any, key: Any) -> bool:
    """The text layout around a key: a blank line before it (comment lines
    skipped), a previous sibling spanning several lines, the previous key's name."""
    if not {"blank_before", "after_multiline", "after_key"} & set(tests):
        return True
    if not hasattr(parent, "keys"):
        return False
    keys = list(parent.keys())
    i = keys.index(key)
    if i == 0:
        return False
    prev = keys[i - 1]
    la, lb = doc.key_line(parent, prev), doc.key_line(parent, key)
    if la is None or lb is None or lb <= la:
        return False
    if "after_key" in tests and not tests["after_key"].search(str(prev)):
        return False
    lines = doc.cached("matcher-lines", lambda: doc.text.split("\n"))

    def text_at(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    if "after_multiline" in tests:
        spans = any(text_at(n).strip() and not text_at(n).lstrip().startswith("#") for n in range(la + 1, lb))
        if spans != tests["after_multiline"]:
            return False
    if "blank_before" in tests:
        n = lb - 1
        while n >= 1 and text_at(n).lstrip().startswith("#"):
            n -= 1
        if (n < 1 or not text_at(n).strip()) != tests["blank_before"]:
            return False
    return True


def _line_at_path(doc: Any, value: Any, at: str) -> int | None:
    """The line of the key (or list item) that ``at`` ('items/0/type') names below ``value``."""
    *steps, last = at.split("/")
    for step in steps:
        if hasattr(value, "keys") and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    if hasattr(value, "keys") and last in value:
        return doc.key_line(value, last)
    if isinstance(value, list) and last.isdigit() and int(last) < len(value):
        return doc.item_line(value, int(last))
    return None


_MISSING = object()


def _child(value: Any, key: str) -> Any:
    """A mapping's key or a list's index (written as digits); _MISSING when absent."""
    if hasattr(value, "keys") and key in value:
        return value[key]
    if isinstance(value, list) and key.isdigit() and int(key) < len(value):
        return value[int(key)]
    return _MISSING


def _test_patterns(tests: tuple[tuple[str, Any], ...]) -> list[Pattern]:
    out = [arg for _name, arg in tests if isinstance(arg, Pattern)]
    for name, arg in tests:
        if name in ("with", "without"):
            out += [p for _name, sub in arg for p in _test_patterns(sub)]
    return out


def _passes(tests: tuple[tuple[str, Any], ...], value: Any, doc: Any) -> dict[str, str] | None:
    """The fields the predicates found, or None when one fails."""
    fields: dict[str, str] = {}
    for name, arg in tests:
        if name in _PLACE_TESTS:
            continue  # the key and its place are tested, and the place chosen, in evaluate
        if name == "without":
            for child, sub in arg:
                inner = _child(value, child)
                if inner is not _MISSING and _passes(sub, inner, doc) is not None:
                    return None
            continue
        if name == "with":
            for child, sub in arg:
                inner = _child(value, child)
                if inner is _MISSING or (found := _passes(sub, inner, doc)) is None:
                    return None
                fields.update({k: v for k, v in found.items() if k != "match"})
            continue
        if name == "exists":
            if not arg:
                return None  # 'exists: false' is written as 'not: {yaml: ...}'
        elif name in ("matches", "not_matches"):
            m = arg.search(str(value)) if isinstance(value, (str, int, float)) else None
            if (m is not None) != (name == "matches"):
                return None
            if m is not None:
                fields.update(match_fields(m))
        elif name in ("equals", "not_equals"):
            want = arg.format(rel_path=doc.rel_path, path=doc.path) if isinstance(arg, str) else arg
            fields.setdefault("expected", str(want))
            if (value == want) != (name == "equals"):
                return None
        elif name in ("in", "not_in"):
            if (value in arg) != (name == "in"):
                return None
        elif name == "type":
            if _type_name(value) not in arg:
                return None
        elif name in ("has", "lacks"):
            keys = set(value) if hasattr(value, "keys") else set()
            if (name == "has" and not set(arg) <= keys) or (name == "lacks" and keys & set(arg)):
                return None
        elif name == "style":
            if _style(value) not in arg:
                return None
        elif name in ("min_length", "max_length"):
            if not isinstance(value, (str, list)) and not hasattr(value, "keys"):
                return None
            if (len(value) < arg) if name == "min_length" else (len(value) > arg):
                return None
    return fields


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if hasattr(value, "keys"):
        return "map"
    return "list" if isinstance(value, list) else "string"


def _style(value: Any) -> str:
    from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString,
                                          SingleQuotedScalarString)

    if isinstance(value, LiteralScalarString):
        return "literal"
    if isinstance(value, FoldedScalarString):
        return "folded"
    if isinstance(value, SingleQuotedScalarString):
        return "single"
    if isinstance(value, DoubleQuotedScalarString):
        return "double"
    return "plain"


def _walk_path(node: Any, path: tuple[str, ...], not_under: frozenset[str] = frozenset(),
               doc: Any = None) -> list[tuple[Any, Any, Any]]:
    """(parent, key, value) for every value the key path reaches (``**`` not
    descending through keys in ``not_under``).  With ``doc``, a leading ``**``
    reads the document's descendants listed once per ``not_under`` set (every
    ``**/...`` path of the run shares that one traversal)."""
    frontier: list[tuple[Any, Any, Any]] = [(None, None, node)]
    for i, seg in enumerate(path):
        nxt: list[tuple[Any, Any, Any]] = []
        if seg == "**" and i == 0 and doc is not None:
            frontier = doc.cached(f"matcher-descendants:{','.join(sorted(not_under))}",
                                  lambda: _descendants(node, not_under))
            continue
        for _p, _k, cur in frontier:
            if seg == "**":
                nxt.extend(_descendants(cur, not_under))
                continue
            if seg == "*":
                nxt.extend((cur, key, child) for key, child in _children(cur))
            elif hasattr(cur, "keys"):  # a named key: looked up, not searched for
                for key in (seg, int(seg)) if seg.isdigit() else (seg,):
                    if key in cur:
                        nxt.append((cur, key, cur[key]))
                        break
            elif isinstance(cur, list) and seg.isdigit() and int(seg) < len(cur):
                nxt.append((cur, int(seg), cur[int(seg)]))
        frontier = nxt
    return [(parent, key, value) for parent, key, value in frontier if parent is not None]


def _children(node: Any):
    if hasattr(node, "items"):
        return list(node.items())
    if isinstance(node, list):
        return list(enumerate(node))
    return []


def _descendants(node: Any, not_under: frozenset[str] = frozenset()) -> list[tuple[Any, Any, Any]]:
    """The node itself (as its own pseudo-parent entry) and every value below it."""
    out: list[tuple[Any, Any, Any]] = [(None, None, node)]
    stack = [node]
    while stack:
        cur = stack.pop()
        for key, child in _children(cur):
            if isinstance(key, str) and key in not_under:
                continue
            out.append((cur, key, child))
            stack.append(child)
    return out


# ---------------------------------------------------------------------------
# Parsing a match tree

MATCH_KEYS = ("collapse", "all", "any", "not", "subject", "not_subject", "commit_message", "not_commit_message", "trailer",
              "recipients", "file_kind", "file_status", "path", "added_line", "not_added_line", "line_number",
              "source", "inside", "hunk_header", "yaml", "message")
_NEGATED = {"not_subject": "subject", "not_commit_message": "commit_message", "not_added_line": "added_line"}


def compile_match(raw: Any, where: str = "match") -> Cond:
    """The condition tree for a ``match`` mapping; ``MatchSyntaxError`` says what is wrong where."""
    if not isinstance(raw, dict) or not raw:
        raise MatchSyntaxError(f"'{where}' must be a non-empty mapping")
    if where == "match" and "collapse" in raw:
        field_name = raw["collapse"]
        if not isinstance(field_name, str) or not field_name.isidentifier():
            raise MatchSyntaxError("'match.collapse' must name a message field (e.g. a capture such as function)")
        cond = compile_match({k: v for k, v in raw.items() if k != "collapse"}, where)
        if not _LAZY.get() and field_name not in cond.field_names() | BASE_FIELDS:  # the suite checks built-ins
            raise MatchSyntaxError(f"'match.collapse' names {field_name!r}, which no condition fills")
        _set(cond, collapse=field_name)
        return cond
    unknown = sorted(str(k) for k in raw if k not in MATCH_KEYS)
    if unknown:
        raise MatchSyntaxError(f"'{where}' has unknown key(s): {', '.join(unknown)}; known: "
                               f"{', '.join(k for k in MATCH_KEYS)}")
    message = raw.get("message")
    if message is not None and (not isinstance(message, str) or not message.strip()):
        raise MatchSyntaxError(f"'{where}.message' must be text")
    parts = [_compile_key(k, v, f"{where}.{k}") for k, v in raw.items() if k != "message"]
    if not parts:
        raise MatchSyntaxError(f"'{where}' needs a condition besides 'message'")
    cond = parts[0] if len(parts) == 1 else All(tuple(parts))
    if message is not None:
        if cond is parts[0] and len(parts) == 1:
            cond = All((cond,))
        _set(cond, message=" ".join(message.split()))
    return cond


def _compile_list(value: Any, where: str) -> tuple[Cond, ...]:
    if not isinstance(value, list) or not value:
        raise MatchSyntaxError(f"'{where}' must be a non-empty list of conditions")
    return tuple(compile_match(v, f"{where}[{i}]") for i, v in enumerate(value))


def _strings(value: Any, where: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(s, str) for s in items):
        raise MatchSyntaxError(f"'{where}' must be a string or a non-empty list of strings")
    if allowed is not None:
        bad = [s for s in items if s not in allowed]
        if bad:
            raise MatchSyntaxError(f"'{where}' has unknown value(s) {', '.join(bad)}; known: {', '.join(allowed)}")
    return tuple(items)


def _compile_key(key: str, value: Any, where: str) -> Cond:
    if key in _NEGATED:
        return Not(_compile_key(_NEGATED[key], value, where))
    if key == "all":
        return All(_compile_list(value, where))
    if key == "any":
        return Any_(_compile_list(value, where))
    if key == "not":
        return Not(compile_match(value, where))
    if key in ("subject", "commit_message", "recipients", "added_line", "hunk_header", "source"):
        cls = {"subject": Subject, "commit_message": CommitMessage, "recipients": Recipients,
               "added_line": AddedLine, "hunk_header": HunkHeader, "source": Source}[key]
        return cls(pattern=Pattern.compile(value, where))
    if key == "trailer":
        return _compile_trailer(value, where)
    if key == "file_kind":
        return FileKind(kinds=_strings(value, where, FILE_KINDS))
    if key == "file_status":
        return FileStatus(statuses=_strings(value, where, STATUSES))
    if key == "path":
        if isinstance(value, dict):
            if set(value) != {"regex"}:
                raise MatchSyntaxError(f"'{where}' must be glob(s) or a mapping with just 'regex'")
            return PathRegex(pattern=Pattern.compile(value["regex"], f"{where}.regex"))
        return PathGlob(globs=_strings(value, where))
    if key == "inside":
        return _compile_inside(value, where)
    if key == "line_number":
        return _compile_line_number(value, where)
    if key == "yaml":
        return _compile_yaml(value, where)
    raise MatchSyntaxError(f"'{where}' is not a condition")  # pragma: no cover - MATCH_KEYS guards


def _compile_trailer(value: Any, where: str) -> Trailer:
    if isinstance(value, str):
        return Trailer(name=Pattern.compile(value, where))
    if not isinstance(value, dict) or not value:
        raise MatchSyntaxError(f"'{where}' must be a regex on the trailer name or a mapping "
                               "(name, value, by_author)")
    unknown = sorted(str(k) for k in set(value) - {"name", "value", "by_author"})
    if unknown:
        raise MatchSyntaxError(f"'{where}' has unknown key(s): {', '.join(unknown)}; known: by_author, name, value")
    by_author = value.get("by_author")
    if by_author is not None and not isinstance(by_author, bool):
        raise MatchSyntaxError(f"'{where}.by_author' must be true or false")
    return Trailer(
        name=Pattern.compile(value["name"], f"{where}.name") if "name" in value else None,
        value=Pattern.compile(value["value"], f"{where}.value") if "value" in value else None,
        by_author=by_author,
    )


def _compile_line_number(value: Any, where: str) -> LineNumber:
    if isinstance(value, int) and not isinstance(value, bool):
        value = {"min": value, "max": value}
    if not isinstance(value, dict) or not value or set(value) - {"min", "max"} or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value.values()):
        raise MatchSyntaxError(f"'{where}' must be a line number or a mapping with 'min' and/or 'max' (from 1)")
    return LineNumber(low=value.get("min", 1), high=value.get("max"))


def _compile_inside(value: Any, where: str) -> Inside:
    langs = [k for k in value if k in ("c", "dts")] if isinstance(value, dict) else []
    if len(langs) != 1 or set(value) - {langs[0], "unless"}:
        raise MatchSyntaxError(f"'{where}' must be one of 'c: <tree-sitter query>' or 'dts: <tree-sitter query>' "
                               "(and optionally 'unless: <tree-sitter query>')")
    lang = langs[0]
    source, unless = value[lang], value.get("unless")
    if not isinstance(source, str) or not source.strip():
        raise MatchSyntaxError(f"'{where}.{lang}' must be a tree-sitter query")
    if "unless" in value and (not isinstance(unless, str) or not unless.strip()):
        raise MatchSyntaxError(f"'{where}.unless' must be a tree-sitter query")
    if _BOUNDED.get():  # a user rule: compiled now (built-in ones on first use; the suite runs each one)
        _check_query(lang, source, f"{where}.{lang}")
        if unless is not None:
            _check_query(lang, unless, f"{where}.unless")
    return Inside(lang=lang, query=source, unless=unless)


def _check_query(lang: str, source: str, where: str) -> None:
    from .syntax import treesitter as ts

    try:
        q = ts.query(lang, source)
    except Exception as exc:  # tree_sitter.QueryError and friends
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MatchSyntaxError(f"'{where}' is not a valid tree-sitter query ({first})") from None
    if q.capture_count == 0:
        raise MatchSyntaxError(f"'{where}' must capture a node (e.g. @inside)")


def _compile_yaml(value: Any, where: str) -> Yaml:
    if not isinstance(value, dict) or "path" not in value:
        raise MatchSyntaxError(f"'{where}' must be a mapping with a 'path' (e.g. properties/*/type) and predicates")
    path = value["path"]
    if not isinstance(path, str) or not path.strip("/"):
        raise MatchSyntaxError(f"'{where}.path' must be a key path such as 'properties/*/description'")
    tests = _compile_tests({k: v for k, v in value.items() if k != "path"}, where, top=True)
    return Yaml(path=tuple(s for s in path.strip("/").split("/")), tests=tests)


def _compile_tests(value: dict, where: str, top: bool = False) -> tuple[tuple[str, Any], ...]:
    allowed = YAML_PREDICATES if top else tuple(p for p in YAML_PREDICATES if p not in _PLACE_TESTS)
    unknown = sorted(str(k) for k in set(value) - set(allowed))
    if unknown:
        raise MatchSyntaxError(f"'{where}' has unknown key(s): {', '.join(unknown)}; known: "
                               f"{'path, ' if top else ''}{', '.join(allowed)}")
    tests: list[tuple[str, Any]] = []
    for name in allowed:
        if name not in value:
            continue
        arg = value[name]
        w = f"{where}.{name}"
        if name == "exists":
            if not isinstance(arg, bool):
                raise MatchSyntaxError(f"'{w}' must be true or false")
        elif name in ("matches", "not_matches", "key"):
            arg = Pattern.compile(arg, w)
        elif name in ("in", "not_in"):
            if not isinstance(arg, list):
                raise MatchSyntaxError(f"'{w}' must be a list of values")
        elif name == "type":
            arg = _strings(arg, w, YAML_TYPES)
        elif name in ("has", "lacks"):
            arg = _strings(arg, w)
        elif name == "style":
            arg = _strings(arg, w, ("literal", "folded", "plain", "single", "double"))
        elif name in ("min_length", "max_length"):
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
                raise MatchSyntaxError(f"'{w}' must be a non-negative integer")
        elif name == "not_under":
            arg = _strings(arg, w)
        elif name in ("blank_before", "after_multiline"):
            if not isinstance(arg, bool):
                raise MatchSyntaxError(f"'{w}' must be true or false")
        elif name == "after_key":
            arg = Pattern.compile(arg, w)
        elif name == "at":
            if not isinstance(arg, str):
                raise MatchSyntaxError(f"'{w}' must name a key below the value, e.g. 'type' or 'items/type'")
        elif name in ("with", "without"):
            if not isinstance(arg, dict) or not arg or not all(isinstance(v, dict) for v in arg.values()):
                raise MatchSyntaxError(f"'{w}' must map child keys to predicates, e.g. {{maxItems: {{equals: 1}}}}")
            arg = tuple((str(k), _compile_tests(v, f"{w}.{k}")) for k, v in arg.items())
        elif name in ("equals", "not_equals") and isinstance(arg, str):
            try:
                arg.format(rel_path="", path="")
            except (KeyError, IndexError, ValueError, AttributeError) as exc:
                raise MatchSyntaxError(f"'{w}' may only use {{rel_path}} and {{path}} ({exc})") from None
        tests.append((name, arg))
    return tuple(tests)


def template_fields(message: str) -> set[str]:
    """Field names a message template uses (raises ValueError on a bad template)."""
    return {f for _, f, _, _ in string.Formatter().parse(message) if f is not None and f != ""}


BASE_FIELDS = {"match", "path_name", "rel_path", "author", "key", "value", "expected", "trailer", "more"}


def messages(cond: Cond) -> list[str]:
    """Every branch ``message`` in a tree."""
    out = [cond.message] if cond.message else []
    for child in (*getattr(cond, "children", ()), *([cond.child] if isinstance(cond, Not) else [])):
        out.extend(messages(child))
    return out


# ---------------------------------------------------------------------------
# Running a rule


def run(cond: Cond, patch: Any, files: list[Any], ctx: Any) -> list[Hit]:
    """The places a rule's match tree reports on in one patch."""
    if cond.level == "patch":
        return _places(cond, Env(patch, None, ctx), file_level=False)
    out: list[Hit] = []
    seen: set[tuple] = set()
    for f in sorted(files, key=lambda f: f.path):  # a mail-level place speaks for the first path
        places = _places(cond, Env(patch, f, ctx), file_level=True)
        for hit in _collapsed(places, cond.collapse) if cond.collapse else places:
            if hit.anchor != "diff":  # a subject or message place is reported once, for the first file
                key = (hit.anchor, hit.text)
                if key in seen:
                    continue
                seen.add(key)
            out.append(hit)
    return out


def _collapsed(hits: list[Hit], field_name: str) -> list[Hit]:
    """One finding per value of ``field_name`` (e.g. per function): the first
    place, its ``{more}`` field naming the others' lines.  Places without the
    field stay as they are."""
    groups: dict[str, list[Hit]] = {}
    out = []
    for h in hits:
        value = dict(h.fields).get(field_name)
        if value is None:
            out.append(h)  # a branch without the field is not collapsed
        else:
            groups.setdefault(value, []).append(h)
    for group in groups.values():
        first, rest = group[0], [h.line for h in group[1:] if h.line is not None]
        more = f" The same pattern is on lines {', '.join(map(str, rest))}." if rest else ""
        out.append(first.merged(Hit(first.anchor, None, fields=(("more", more),))))
    return out


def _places(cond: Cond, env: Env, file_level: bool) -> list[Hit]:
    out = cond.evaluate(env)
    if not out.ok:
        return []
    if out.lines is not None:
        return [out.lines[n] for n in sorted(out.lines)]
    real = [h for h in out.hits if h.text is not None]
    message = next((h.message for h in out.hits if h.text is None and h.message), None)
    if real:
        best = max(ANCHOR_RANK[h.anchor] for h in real)
        return [h.with_message(message) for h in real if ANCHOR_RANK[h.anchor] == best]
    extra = dict(out.fields)
    if file_level:
        f = env.file
        first = next(iter(f.added_lines()), None)
        fields = {"match": f.path, **_file_fields(f.path), **extra}
        return [Hit("diff", first.text if first else f.path, path=f.path, line=first.new_line if first else None,
                    fields=tuple(fields.items()), message=message)]
    hit = _subject_hit(env.patch, {"match": "", **extra})
    return [hit.with_message(message)]
