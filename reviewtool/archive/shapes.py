"""The normalised shape of an added line: what makes two lines "the same kind of line".

Maintainers repeat themselves about kinds of lines, not about exact text:
``type: integer`` under ``properties/reg/items``, ``of_match_ptr(...)`` in a
driver table, ``status = "okay";`` in a SoC .dtsi.  A shape keeps what the
remark is about (YAML key paths and keywords, C callees and keywords, DTS
property and node names) and abstracts what varies (identifiers, numbers,
strings, labels).  Shapes are plain strings: the archive indexes them and
``learn`` turns them back into a regular expression for ``added_line``.

Lines are a line thing here: a YAML key path is read from the indentation of
the lines above (the post-image as the diff shows it, which may be invalid
YAML, the very files reviewers comment on); C and DTS lines are tokenised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

KINDS = ("yaml", "dts", "c", "other")

# One token grammar for C and DTS values: string, char, number, identifier, operator.
_TOKEN_KINDS = (
    ("s", r""""(?:[^"\\]|\\.)*"?"""),
    ("ch", r"""'(?:[^'\\]|\\.)*'"""),
    ("n", r"""0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*"""),
    ("id", r"""[A-Za-z_][A-Za-z0-9_]*"""),
    ("op", r"""->|<<|>>|&&|\|\||[=!<>]=|\S"""),
)
_TOKEN = re.compile("|".join(f"(?P<{kind}>{rx})" for kind, rx in _TOKEN_KINDS))
# The same alternatives without groups, so findall gives the token texts; _c_shape reads the kind
# from the first character (cheaper than a match object per token).
_C_TOKEN = re.compile("|".join(rx for _, rx in _TOKEN_KINDS))
_C_KEYWORDS = frozenset(
    "if else for while do switch case default return goto break continue sizeof static const struct enum union "
    "unsigned signed int long short char bool void u8 u16 u32 u64 s8 s16 s32 s64 true false NULL inline "
    "extern volatile typeof".split()
)
_KEEP_CAPS = re.compile(r"^(E[A-Z0-9]+|GFP_\w+|IRQF?_\w+|MODULE_\w+|IS_ERR\w*|PTR_ERR\w*|ERR_PTR|BIT|GENMASK\w*"
                        r"|FIELD_\w+|ARRAY_SIZE|DEFINE_\w+|EXPORT_\w+|MODULE_DEVICE_TABLE|OF_\w+)$")
_YAML_KEY = re.compile(r"""^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s:'"][^:]*?)\s*:(?:\s+(.*?))?\s*$""")
_YAML_ITEM = re.compile(r"^(\s*)-\s+(.*?)\s*$")
_DTS_PROP = re.compile(r"^\s*([A-Za-z0-9,._+#?-]+)\s*(=\s*(.*?))?\s*;\s*(//.*|/\*.*)?$")
_DTS_NODE = re.compile(r"^\s*(?:([A-Za-z_][\w]*)\s*:\s*)?(&?[A-Za-z_/][\w,.+-]*)(@[\w,.]+)?\s*\{\s*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z_-]{2,}")
# Compiled once (these run for most shaped lines; re's module functions look the pattern up per call).
_DIGITS = re.compile(r"\d+")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_YAML_NUMBER = re.compile(r"^-?(0x[0-9a-fA-F]+|\d+)$")
_URL = re.compile(r"^https?://")
_QUOTED = re.compile(r"""(["'])[^"']*\1""")
_WORD_NUMBER = re.compile(r"\b\d+\b")
_COMPATIBLE = re.compile(r"^[a-z0-9-]+,[\w.,+-]+$")
_N_RUN = re.compile(r"(\bN\b)(\s+N\b)+")
_M_RUN = re.compile(r"(\bM\b)(\s+M\b)+")
_STR_RUN = re.compile(r"(STR)(\s*,\s*STR)+")
_DQ_STRING = re.compile(r'"[^"]*"')
_C_NUMBER = re.compile(r"\b(0x[0-9a-fA-F]+|\d+)\b")


@dataclass(frozen=True)
class Shape:
    kind: str  # yaml, dts, c, other
    key: str  # the normalised line, e.g. "yaml:properties/reg/items/type: integer"


def file_kind(path: str | None) -> str:
    p = (path or "").lower()
    if p.endswith((".yaml", ".yml")):
        return "yaml"
    if p.endswith((".dts", ".dtsi", ".dtso")):
        return "dts"
    if p.endswith((".c", ".h")):
        return "c"
    return "other"


def shape_of(path: str | None, text: str, above: Sequence[str] = ()) -> Shape | None:
    """The shape of one added line; ``above`` are the post-image lines before it (nearest last).

    None for lines that say nothing on their own (blank, braces, comments, prose).
    """
    kind = file_kind(path)
    if kind != "yaml":
        return line_shape(kind, text)
    if len(text.strip()) < 3:
        return None
    return _shape(kind, _yaml_shape(text, above))


@lru_cache(maxsize=65536)
def line_shape(kind: str, text: str) -> Shape | None:
    """The shape of a line whose shape depends on the line alone (C, DTS, other files); cached,
    as a series and an archive repeat the same lines many times."""
    if len(text.strip()) < 3:
        return None
    if kind == "dts":
        key = _dts_shape(text)
    elif kind == "c":
        key = _c_shape(text)
    else:
        key = _other_shape(text)
    return _shape(kind, key)


@lru_cache(maxsize=65536)
def _shape(kind: str, key: str | None) -> Shape | None:
    """The Shape of a normalised line, None when it keeps no word; cached, as far fewer shapes than
    lines occur (``ID = ID;`` stands for thousands)."""
    if key is None or not _WORD.search(key.replace("ID", "").replace("STR", "")):
        return None
    return Shape(kind, f"{kind}:{key}")


# --------------------------------------------------------------------------
# YAML (binding schemas)


def _yaml_shape(text: str, above: Sequence[str] | "YamlScope") -> str | None:
    stripped = text.strip()
    if stripped.startswith("#") or stripped in ("---", "...", "|", ">"):
        return None
    m = _YAML_KEY.match(text)
    indent = len(text) - len(text.lstrip())
    if m:
        key, value = _yaml_key(m.group(3)), m.group(4)
        value_shape = _yaml_value(value)
    else:
        item = _YAML_ITEM.match(text)
        if not item:
            return None  # prose in a block scalar (description text)
        key, value_shape = "-", _yaml_value(item.group(2))
    chain = above.chain(indent) if isinstance(above, YamlScope) else _scan_chain(indent, above)
    parents = _yaml_parents(chain)
    if parents is None:
        return None  # inside a description block: prose, not schema
    path = "/".join([*parents[-3:], key])
    return f"{path}: {value_shape}" if value_shape else f"{path}:"


class YamlScope:
    """A hunk's post-image read top-down for YAML shapes.

    It keeps the lines that can still be a later line's parents (each less indented than the next),
    so a line's key path costs its depth; ``shape_of`` with the lines ``above`` scans back over the
    hunk instead, and gives the same shape.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def shape(self, text: str) -> Shape | None:
        """The shape of ``text`` under the lines pushed so far (as ``shape_of`` with them as ``above``)."""
        if len(text.strip()) < 3:
            return None
        return _shape("yaml", _yaml_shape(text, self))

    def push(self, line: str) -> None:
        """The next post-image line."""
        body = line.lstrip()
        if not body.strip() or body.startswith("#"):
            return
        ind = len(line) - len(body)
        stack = self._stack
        while stack and stack[-1][0] >= ind:
            stack.pop()
        stack.append((ind, line))

    def chain(self, indent: int) -> Iterator[tuple[int, str]]:
        for ind, line in reversed(self._stack):
            if ind < indent:
                yield ind, line


def _scan_chain(indent: int, above: Sequence[str]) -> Iterator[tuple[int, str]]:
    """The lines above that can be parents, nearest first: each the closest one less indented than the last."""
    level = indent
    for line in reversed(above):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        ind = len(line) - len(line.lstrip())
        if ind >= level:
            continue
        yield ind, line
        level = ind


def _yaml_parents(chain: Iterable[tuple[int, str]]) -> list[str] | None:
    parents: list[str] = []
    for ind, line in chain:
        got = _parent_line(line)
        if got is None:
            return None if not parents else parents
        key, value = got
        if key is None:
            continue  # a list item
        if value in ("|", ">", "|-", ">-", "|+", ">+") and not parents:
            return None  # the line is inside a block scalar
        parents.insert(0, key)
        if ind == 0:
            break
    # Property names are what a binding defines: keep standard ones, abstract vendor ones.
    out = []
    for i, key in enumerate(parents):
        if i > 0 and parents[i - 1] in ("properties", "patternProperties"):
            key = _property_name(key)
        out.append(key)
    return out


@lru_cache(maxsize=16384)
def _parent_line(line: str) -> tuple[str | None, str | None] | None:
    """A line above as a parent: (its key, its value) for a key line, (None, None) for a list item,
    None for anything else.  Cached: each line is read as a parent by every line under it, and
    bindings repeat the same parent lines (``properties:``, ``items:``)."""
    m = _YAML_KEY.match(line)
    if m is not None:
        return _yaml_key(m.group(3)), m.group(4)
    return (None, None) if _YAML_ITEM.match(line) else None


def _yaml_key(raw: str) -> str:
    key = raw.strip().strip("'\"")
    return _property_name(key) if ("," in key or key.startswith("^") or "@" in key) else key


def _property_name(name: str) -> str:
    if name.startswith("^") or "@" in name or "[" in name:
        return "PATTERN"
    if "," in name:
        return "VENDOR," + _DIGITS.sub("N", name.split(",", 1)[1])
    return _DIGITS.sub("N", name)


def _yaml_value(value: str | None) -> str:
    if value is None or value == "":
        return ""
    v = value.strip()
    if v.startswith("#"):
        return ""
    if v in ("|", ">", "|-", ">-", "|+", ">+"):
        return "BLOCK"
    if v.startswith(("'", '"')):
        return "STR"
    if _YAML_NUMBER.match(v):
        return "N"
    if _URL.match(v):
        return "URL"
    if v.startswith("[") or v.startswith("{"):
        return _WORD_NUMBER.sub("N", _QUOTED.sub("STR", v))
    if "/schemas/" in v or v.startswith(("/", "#")):
        return v  # a $ref names a fact: keep it
    if _COMPATIBLE.match(v):
        return "COMPATIBLE"
    if len(v.split()) > 2:
        return "TEXT"
    return _DIGITS.sub("N", v)


# --------------------------------------------------------------------------
# DTS


def _dts_shape(text: str) -> str | None:
    stripped = text.strip()
    if stripped.startswith(("//", "/*", "*")) or stripped in ("};", "}", "{"):
        return None
    m = _DTS_NODE.match(text)
    if m:
        label = "L: " if m.group(1) else ""
        name = m.group(2)
        if name.startswith("&"):
            return f"{label}&REF {{"
        return f"{label}{_ASCII_DIGITS.sub('N', name)}{'@N' if m.group(3) else ''} {{"
    m = _DTS_PROP.match(text)
    if m:
        name = _property_name(m.group(1)) if "," in m.group(1) else m.group(1)
        if m.group(2) is None:
            return f"{name};"
        return f"{name} = {_dts_value(m.group(3))};"
    if stripped.startswith("#include"):
        return "#include " + ("<dt-bindings/...>" if "dt-bindings" in stripped else "FILE")
    return None


def _dts_value(value: str) -> str:
    parts = []
    for tok in _TOKEN.finditer(value):
        kind = tok.lastgroup
        t = tok.group()
        if kind == "s":
            parts.append("STR")
        elif kind == "n":
            parts.append("N")
        elif kind == "id":
            parts.append("M" if t.isupper() or "_" in t else "ID")
        elif t == "&":
            parts.append("&")
        else:
            parts.append(t)
    out = " ".join(parts).replace("& ID", "&REF").replace("& M", "&REF")
    # Cell lists vary in length; keep their kinds only: <N N N> -> <N...>.
    out = _N_RUN.sub("N...", out)
    out = _M_RUN.sub("M...", out)
    out = _STR_RUN.sub("STR...", out)
    return out


# --------------------------------------------------------------------------
# C


def _c_shape(text: str) -> str | None:
    stripped = text.strip()
    if stripped.startswith(("//", "/*", "*", "#include")) or stripped in ("{", "}", "};", "},", "});"):
        return None
    toks = []
    texts = _C_TOKEN.findall(stripped)
    last = len(texts) - 1
    for i, t in enumerate(texts):
        c = t[0]
        if c == "_" or "a" <= c <= "z" or "A" <= c <= "Z":  # an identifier
            if (i < last and texts[i + 1] == "(") or t in _C_KEYWORDS or (i and texts[i - 1] in (".", "->")) \
                    or ("A" <= c <= "Z" and _KEEP_CAPS.match(t)):
                toks.append(t)
            elif t.isupper() and len(t) > 1:
                toks.append("M")
            else:
                toks.append("ID")
        elif c == '"':
            toks.append("STR")
        elif c == "'" and len(t) > 1:  # a lone quote is an operator token
            toks.append("CHR")
        elif c.isdecimal():
            toks.append("N")
        else:
            toks.append(t)
    return _collapse_args(toks)


_NOT_CALLS = frozenset({"if", "while", "for", "switch", "sizeof", "return"})
_SPACING = re.compile(r" ?([(),;.\[\]]|->) ?")


def _collapse_args(toks: list[str]) -> str:
    """Arguments without a call become '_': ``dev_err(_,_,_)``; nested calls keep their shape."""
    out = " ".join(_collapse(toks) if "(" in toks else toks)
    # What _SPACING.sub(r"\1", out) gives (one space either side of punctuation dropped), with
    # str.replace: the regex's per-match template expansion was a tenth of the C shape's cost.
    for p in _SPACED:
        if p in out:
            out = out.replace(" " + p, p).replace(p + " ", p)
    return out


_SPACED = ("(", ")", ",", ";", ".", "[", "]", "->")


def _collapse(toks: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if t == "(" and out and out[-1].isidentifier() and out[-1] not in _NOT_CALLS:
            depth, j, args, cur = 1, i + 1, [], []
            while j < n:
                tj = toks[j]
                if tj == "(":
                    depth += 1
                elif tj == ")":
                    depth -= 1
                    if depth == 0:
                        break
                if tj == "," and depth == 1:
                    args.append(cur)
                    cur = []
                else:
                    cur.append(tj)
                j += 1
            if cur:
                args.append(cur)
            shown = []
            for a in args:
                if "(" in a:
                    inner = _collapse(a)
                    shown.append(" ".join(inner) if any(x.endswith(")") and "(" in x for x in inner) else "_")
                else:
                    shown.append("_")
            out.append("(" + ",".join(shown) + ")")
            i = j + 1
            continue
        out.append(t)
        i += 1
    return out


# --------------------------------------------------------------------------
# Everything else (Kconfig, Makefile, MAINTAINERS, docs)


def _other_shape(text: str) -> str | None:
    out = _DQ_STRING.sub("STR", text.strip())
    out = _C_NUMBER.sub("N", out)
    out = " ".join(out.split())
    return out if len(out.split()) >= 2 else None


# Placeholders a shape writes for what it abstracts (not words of the line).
_PLACEHOLDERS = frozenset("ID N M STR CHR TEXT BLOCK COMPATIBLE URL PATTERN VENDOR REF FILE".split())
_NEEDLE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def needle(shape_key: str) -> str | None:
    """A word every line of this shape contains verbatim (its longest), so a line without it need not
    be shaped; None when the shape keeps no such word (it must be computed)."""
    kind, _, body = shape_key.partition(":")
    if kind == "yaml":
        path, _, value = body.partition(": ")
        body = path.rsplit("/", 1)[-1] + " " + value  # the key and value come from the line; the path does not
    found = []
    for w in _NEEDLE_WORD.findall(body):
        if w in _PLACEHOLDERS:
            continue
        # YAML keys and values and DTS names have their digits written as N: only the runs between are verbatim.
        found.extend(w.split("N") if kind in ("yaml", "dts") else [w])
    found = [w for w in found if len(w) >= 3 and w not in _PLACEHOLDERS]
    return max(found, key=len) if found else None


def words(text: str) -> set[str]:
    """Lower-case words of three or more letters: the comparison unit for comments."""
    return {w.lower() for w in _WORD.findall(text)}
