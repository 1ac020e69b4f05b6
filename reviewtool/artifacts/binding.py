"""A binding schema as data: its post-image text, parsed YAML, and diff line map.

Rules about bindings want to reason about YAML nodes ("reg has maxItems: 64
and no items") but must report a line the patch adds.  ``BindingDoc`` joins
the two: ruamel.yaml keeps line/column for every node, and ``line_map`` ties
each post-image line back to its diff line.

For a new file the post-image is the '+' lines.  For a modified file it is
rebuilt from the base file when a kernel tree provides one; otherwise only
the hunks are known, ``complete`` is False and ``data`` is None, and rules
must fall back to the added lines (and say so when it matters).

``data`` is the strict parse (what dt-schema would accept).  ``lenient`` is
the same file read the way a reviewer reads it despite a TAB indent or a
duplicate key, with ``repairs`` naming what had to be overlooked, so content
rules can still say what else is wrong while the YAML rules report the error
itself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..classify import BINDINGS_DIR
from ..model import DiffLine, FileChange, Patch


@dataclass(frozen=True)
class YamlProblem:
    line: int  # 1-based
    column: int  # 1-based
    message: str


@dataclass
class BindingDoc:
    path: str
    text: str
    complete: bool
    status: str  # the FileChange status
    data: Any = None  # ruamel CommentedMap (or other node) when parsed
    error: YamlProblem | None = None
    line_map: dict[int, DiffLine] = field(default_factory=dict)
    added: frozenset[int] = frozenset()
    file: FileChange | None = None
    _readings: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def rel_path(self) -> str:
        """Path below Documentation/devicetree/bindings/ (what $id must match)."""
        return self.path[len(BINDINGS_DIR):] if self.path.startswith(BINDINGS_DIR) else self.path

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def text_at(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def is_added(self, line: int | None) -> bool:
        return line is not None and line in self.added

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """A reading derived from this document, computed once (rules share it)."""
        if key not in self._readings:
            self._readings[key] = compute()
        return self._readings[key]

    def _lenient_parse(self) -> tuple[Any, tuple[str, ...]]:
        if self.data is not None:
            return self.data, ()
        if not self.complete:
            return None, ()
        return self.cached("lenient", lambda: parse_lenient(self.text))

    @property
    def lenient(self) -> Any:
        """The parsed schema, or the best reading of one that fails only on TAB
        indents or duplicate keys (line numbers kept); None when there is none."""
        return self._lenient_parse()[0]

    @property
    def repairs(self) -> tuple[str, ...]:
        """What ``lenient`` overlooked: () for a clean parse, else some of
        TABS, INDENT_GUESS and DUPLICATE_KEYS (see ``parse_lenient``)."""
        return self._lenient_parse()[1]

    # ruamel line/column helpers (ruamel is 0-based; we return 1-based)
    @staticmethod
    def key_line(node: Any, key: Any) -> int | None:
        try:
            return node.lc.key(key)[0] + 1
        except Exception:
            return None

    @staticmethod
    def value_line(node: Any, key: Any) -> int | None:
        try:
            return node.lc.value(key)[0] + 1
        except Exception:
            return None

    @staticmethod
    def item_line(seq: Any, index: int) -> int | None:
        try:
            return seq.lc.item(index)[0] + 1
        except Exception:
            return None

    def get(self, *keys: Any) -> Any:
        """Walk nested mappings: doc.get('properties', 'reg', 'maxItems')."""
        cur = self.data
        for k in keys:
            if not hasattr(cur, "get"):
                return None
            cur = cur.get(k)
            if cur is None:
                return None
        return cur

    def anchor_line(self, *lines: int | None) -> int | None:
        """The first of ``lines`` the patch adds, else None (never blame context)."""
        return next((ln for ln in lines if self.is_added(ln)), None)

    def first_added_line(self) -> int | None:
        return min(self.added) if self.added else None


def parse_yaml(text: str) -> tuple[Any, YamlProblem | None]:
    """Parse with ruamel (round-trip, so nodes keep line numbers); never raises."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(io.StringIO(text)), None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        msg = " ".join(str(exc.problem or exc.context or exc).split())
        return None, YamlProblem(line, col, msg)
    except YAMLError as exc:
        return None, YamlProblem(1, 1, " ".join(str(exc).split())[:200])
    except Exception as exc:  # ruamel can raise odd errors on odd input
        return None, YamlProblem(1, 1, f"{type(exc).__name__}: {exc}"[:200])


TABS = "tabs"  # every TAB read as 8 spaces, as the kernel's editors show it
INDENT_GUESS = "indent-guess"  # a TAB-indented line put at the previous line's indent
DUPLICATE_KEYS = "duplicate-keys"  # a repeated key ignored (the first one counts)


def parse_lenient(text: str) -> tuple[Any, tuple[str, ...]]:
    """Read a schema that fails the strict parse; (data, repairs) or (None, ()).

    Tried in order, the first that parses wins: the text as is, every TAB as
    8 spaces, then TAB-indented lines moved to the previous line's indent;
    each first strictly, then with duplicate keys allowed.  The TAB
    readings keep every line where it was, so line numbers stay true.
    """
    texts = [(text, ())]
    if "\t" in text:
        texts = [(text.replace("\t", " " * 8), (TABS,)), (_indent_tab_lines(text), (INDENT_GUESS,))]
    for fixed, repairs in texts:
        data, err = parse_yaml(fixed)
        if err is None:
            return data, repairs
        data = _parse_allowing_duplicates(fixed)
        if data is not None:
            return data, (*repairs, DUPLICATE_KEYS)
    return None, ()


def _indent_tab_lines(text: str) -> str:
    fixed = []
    prev_indent = 0
    for line in text.split("\n"):
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead:
            line = " " * prev_indent + line.lstrip(" \t")
        if line.strip():
            prev_indent = len(line) - len(line.lstrip(" "))
        fixed.append(line)
    return "\n".join(fixed)


def _parse_allowing_duplicates(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    try:
        return yaml.load(io.StringIO(text))
    except Exception:
        return None


def apply_hunks(base: str, fc: FileChange) -> str | None:
    """Rebuild the post-image of a modified file; None when the base does not fit."""
    old = base.split("\n")
    if old and old[-1] == "":
        old.pop()
    out: list[str] = []
    pos = 0  # index into old (0-based)
    for h in fc.hunks:
        start = max(h.old_start - 1, 0) if h.old_length else h.old_start
        if start < pos or start > len(old):
            return None
        out.extend(old[pos:start])
        pos = start
        for ln in h.lines:
            if ln.kind == " ":
                if pos >= len(old) or old[pos] != ln.text:
                    return None
                out.append(ln.text)
                pos += 1
            elif ln.kind == "-":
                if pos >= len(old) or old[pos] != ln.text:
                    return None
                pos += 1
            else:
                out.append(ln.text)
    out.extend(old[pos:])
    return "\n".join(out) + "\n"


def _is_schema(fc: FileChange) -> bool:
    return (
        fc.path.startswith(BINDINGS_DIR)
        and fc.path.endswith((".yaml", ".yml"))
        and fc.status in ("added", "modified", "renamed")
        and not fc.binary
        and fc.path.rsplit("/", 1)[-1] != "vendor-prefixes.yaml"
    )


def build_doc(fc: FileChange, base_text: str | None = None) -> BindingDoc:
    added = frozenset(ln.new_line for ln in fc.added_lines() if ln.new_line is not None)
    line_map = {ln.new_line: ln for h in fc.hunks for ln in h.lines if ln.new_line is not None}
    if fc.status == "added":
        text, complete = fc.new_text() or "", True
    elif base_text is not None and (rebuilt := apply_hunks(base_text, fc)) is not None:
        text, complete = rebuilt, True
    else:
        # Only the hunks are known: keep their lines at their post-image numbers.
        last = max(line_map, default=0)
        rows = [""] * last
        for n, ln in line_map.items():
            rows[n - 1] = ln.text
        text, complete = "\n".join(rows) + "\n", False
    from ..errors import InputError
    from ..limits import yaml_alias_problem, yaml_data_problem, yaml_text_problem

    if (problem := yaml_text_problem(text) or yaml_alias_problem(text)) is not None:
        raise InputError(f"{fc.path}: {problem}")
    doc = BindingDoc(path=fc.path, text=text, complete=complete, status=fc.status, line_map=line_map,
                     added=added, file=fc)
    if complete:
        doc.data, doc.error = parse_yaml(text)
        if doc.data is not None and (problem := yaml_data_problem(doc.data)) is not None:
            raise InputError(f"{fc.path}: {problem}")
    return doc


def binding_docs(ctx: Any, patch: Patch | None = None) -> list[BindingDoc]:
    """The binding schemas a patch adds or changes, parsed once per run."""
    patch = patch or ctx.patch
    key = f"binding_docs:{patch.message_id}:{patch.n}"

    def compute() -> list[BindingDoc]:
        tree = ctx.options.tree  # a KernelTree; NO_TREE has no files
        docs = []
        for fc in patch.files:
            if not _is_schema(fc):
                continue
            base = None
            if fc.status != "added" and tree.available:
                base = tree.read_file(fc.old_path or fc.path)
            docs.append(build_doc(fc, base))
        return docs

    return ctx.memo(key, compute)


def walk_properties(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any, Any]]:
    """Yield (path, mapping, key) for every key under every 'properties' and
    'patternProperties' mapping, recursively (child nodes included)."""
    if hasattr(node, "items"):
        for key, value in node.items():
            if key in ("properties", "patternProperties") and hasattr(value, "items"):
                for pkey, pval in value.items():
                    yield (*path, key, pkey), value, pkey
                    yield from walk_properties(pval, (*path, key, pkey))
            elif hasattr(value, "items") or isinstance(value, list):
                yield from walk_properties(value, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk_properties(item, (*path, i))
