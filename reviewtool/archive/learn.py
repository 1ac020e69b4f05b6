"""``reviewtool learn``: recurring remarks -> draft rules, each measured before it is written.

A candidate is a normalised line shape (``shapes``) whose remarks say the
same thing: at least ``min_threads`` distinct submissions, from at least two
reviewers or on at least two dates, whose comments share a distinctive word
(an identifier or term the reviewers keep using, e.g. ``of_match_ptr`` or
``maxItems``).  Its matcher is an ``added_line`` regular expression built
from the shape (the catalogue's key that will stay), limited to the files of
that kind.  Before a draft is kept it is measured on the archive:

* hits: the remarked lines it came from that it matches;
* false hits: patches that got a Reviewed-by/Acked-by and no remark at all
  (with ``before``: only those dated on or after it, i.e. held out) that it
  fires on.

Drafts below ``min_precision`` = hits / (hits + false hits) are dropped.
The message is left for a person to write; the cited remarks are quoted in
the rationale with their links and become the bad examples.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError
from .ingest import STOPWORDS
from .precedents import first_sentence
from .shapes import file_kind

PATHS = {
    "yaml": ["Documentation/devicetree/bindings/**/*.yaml"],
    "dts": ["arch/**/*.dts", "arch/**/*.dtsi", "arch/**/*.dtso"],
    "c": ["**/*.c", "**/*.h"],
    "other": [],
}
_COMMENT_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_,#-]{3,}(?:\(\))?")
_EXTRA_STOP = frozenset(
    "this that here there with without also please drop remove instead just need needs needed should would could "
    "line lines same above below there's it's don't doesn't isn't wrong right correct fine better make sure "
    "because which where when what does used uses using value values name names thing want example code".split()
)


@dataclass(frozen=True)
class LearnSettings:
    before: str | None = None  # learn from remarks dated before this day; measure on the rest
    min_precision: float = 0.8
    min_threads: int = 3
    min_hits: int = 3
    max_drafts: int = 60


@dataclass(frozen=True)
class Cited:
    message_id: str
    reviewer: str
    date: str
    path: str
    target: str
    comment: str

    @property
    def link(self) -> str:
        return f"https://lore.kernel.org/r/{self.message_id}"


@dataclass
class Draft:
    shape: str
    keyword: str
    pattern: str
    kind: str
    cited: list[Cited]  # one remark per thread, the first five: references and examples
    threads: int
    reviewers: int
    sources: list[str] = field(default_factory=list)  # every remarked line the draft came from
    area: str | None = None  # a subsystem directory the draft is limited to (learned and measured there only)
    remarks: frozenset[tuple[str, str]] = frozenset()  # (remark Message-ID, line) of every source remark
    context: bool | None = None  # YAML key drafts: only where its mapping has a $ref (True) / has none (False);
    # DTS property drafts: only in nodes the file defines (True) / in &label overrides (False)
    hits: int = 0
    misses: int = 0  # source remark lines the regex does not match
    false_hits: int = 0
    clean_patches: int = 0
    false_examples: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        total = self.hits + self.false_hits
        return self.hits / total if total else 0.0

    @property
    def rule_id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.keyword.lower()).strip("-")[:30] or "line"
        digest = hashlib.sha1((self.shape + (f"@{self.area}" if self.area else "")
                               + ("" if self.context is None else f"#ref={self.context}")).encode()).hexdigest()[:6]
        return f"learned/{self.kind}-{slug}-{digest}"

    @property
    def paths(self) -> list[str]:
        """The files the draft applies to: its kind's files, within its area when it has one."""
        globs = PATHS.get(self.kind) or []
        if self.area:
            return [f"{self.area}/**/{g.rsplit('/', 1)[-1]}" for g in globs] or [f"{self.area}/**"]
        return list(globs)  # a copy: no YAML anchors between drafts

    def summary_dict(self) -> dict[str, Any]:
        return {"id": self.rule_id, "shape": self.shape, "keyword": self.keyword, "added_line": self.pattern,
                "area": self.area,
                "threads": self.threads, "reviewers": self.reviewers, "hits": self.hits, "misses": self.misses,
                "false_hits": self.false_hits, "clean_patches": self.clean_patches,
                "precision": round(self.precision, 3), "references": [c.link for c in self.cited]}


@dataclass
class LearnResult:
    kept: list[Draft]
    dropped: list[Draft]


# --------------------------------------------------------------------------
# Shape -> regular expression


_PLACEHOLDER = {
    "ID": r"[A-Za-z_]\w*",
    "N": r"(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*",
    "N...": r"(?:0[xX][0-9a-fA-F]+|\d+)(?:\s+(?:0[xX][0-9a-fA-F]+|\d+))*",
    "STR": r'"[^"]*"',
    "STR...": r'"[^"]*"(?:\s*,\s*"[^"]*")*',
    "CHR": r"'(?:[^'\\]|\\.)*'",
    "M": r"[A-Z][A-Z0-9_]*",
    "M...": r"[A-Z][A-Z0-9_]*(?:\s+[A-Z][A-Z0-9_]*)*",
    "&REF": r"&[A-Za-z_]\w*",
    "_": r"[^,()]*(?:\([^()]*\)[^,()]*)*",
    "COMPATIBLE": r"[a-z0-9][a-z0-9-]*,[\w.+-]+",
    "URL": r"https?://\S+",
    "TEXT": r"\S.*",
    "BLOCK": r"[|>][-+]?",
}
_SHAPE_TOKEN = re.compile(r"N\.\.\.|STR\.\.\.|M\.\.\.|&REF|\bCOMPATIBLE\b|\bURL\b|\bTEXT\b|\bBLOCK\b|\bSTR\b|\bCHR\b"
                          r"|\bID\b|\bN\b|\bM\b|(?<=[(,])_(?=[,)])|[A-Za-z_][A-Za-z0-9_]*|\s+|.", re.S)


_DTS_NODE_SHAPE = re.compile(r"^(L: )?([^\s@{]+)(@N)? \{$")


def _dts_node_regex(body: str) -> str | None:
    """A DTS node shape (``L: pcaN@N {``): an optional label, the name with its digits, a unit address."""
    m = _DTS_NODE_SHAPE.match(body)
    if m is None or m.group(2) == "&REF":
        return None
    name = r"\d+".join(re.escape(part) for part in m.group(2).split("N"))
    return (r"^\s*(?:[A-Za-z_]\w*\s*:\s*)?" + name + (r"@[0-9a-fA-F,.]+" if m.group(3) else "")
            + r"\s*\{\s*$")


def shape_regex(shape: str) -> str | None:
    """The ``added_line`` pattern for a shape: its line part as a regex over the whole line."""
    kind, _, body = shape.partition(":")
    if kind == "dts" and body.endswith(" {"):
        return _dts_node_regex(body)
    if kind == "yaml":
        path, _, value = body.partition(": ")
        key = path.rsplit("/", 1)[-1]
        if key == "-" or key in ("PATTERN",) or key.startswith("VENDOR,"):
            return None
        head = re.escape(key) if key != "-" else "-"
        line = f"{key}: {value}" if value else f"{key}:"
        body = line
        del head
    # YAML shapes fold both quote styles into STR; C and DTS strings are double-quoted.
    placeholder = dict(_PLACEHOLDER, STR=r"""(?:"[^"]*"|'[^']*')""") if kind == "yaml" else _PLACEHOLDER
    parts = []
    for tok in _SHAPE_TOKEN.findall(body):
        if tok in placeholder and (tok != "_" or not parts or parts[-1].endswith(("(", ",", r"\s*"))):
            parts.append(placeholder[tok])
        elif tok[0].isalpha() or tok[0] == "_":
            parts.append((r"\b" if tok[0].isalnum() else "") + re.escape(tok))
        elif tok.isspace():
            parts.append(r"\s*")
        else:
            parts.append(re.escape(tok) + (r"\s*" if tok in "(),;=<>" else ""))
    pattern = "".join(parts)
    pattern = re.sub(r"(\\s\*)+", r"\\s*", pattern)
    if kind == "yaml":
        return r"^\s*(?:-\s+)?" + pattern + r"\s*(?:#.*)?$"
    return r"^\s*" + pattern + r"\s*$"


# --------------------------------------------------------------------------
# Mining


def learn(db: sqlite3.Connection, settings: LearnSettings | None = None) -> LearnResult:
    settings = settings or LearnSettings()
    rows = _remark_rows(db, settings)
    # Finest first: the literal line, its normalised shape, the call/key/property it names; each
    # also limited to a subsystem directory where the remarks cluster there.
    drafts = _candidates(rows, settings) + _literal_candidates(rows, settings) + _token_candidates(rows, settings) \
        + _comment_candidates(rows, settings) + _context_candidates(db, rows, settings)
    clean = _clean_patch_lines(db, settings)
    kept: list[Draft] = []
    dropped: list[Draft] = []
    for d in drafts:
        _measure(d, clean)
        ok = d.precision >= settings.min_precision and d.hits >= settings.min_hits
        # A draft citing only remarks an already kept one cites, or whose every source line a kept
        # one over its files already flags, adds nothing for a reader.
        if ok and any(d.remarks <= k.remarks or _covers(k, d) for k in kept):
            continue
        (kept if ok else dropped).append(d)
    kept.sort(key=lambda d: (-d.precision, -d.threads, d.rule_id))
    return LearnResult(kept[: settings.max_drafts], dropped)


def _covers(k: Draft, d: Draft) -> bool:
    if k.kind != d.kind or k.area not in (None, d.area):
        return False
    rx = re.compile(k.pattern)
    return all(rx.search(line) for line in d.sources)


def _remark_rows(db: sqlite3.Connection, settings: LearnSettings) -> list[tuple]:
    """(shape, family, reviewer e-mail, reviewer, day, msgid, path, target, comment, kind, patch msgid,
    new-file line) of the remarks to learn from."""
    where = "r.shape IS NOT NULL AND r.bot = 0 AND r.target IS NOT NULL"
    args: list[Any] = []
    if settings.before:
        where += " AND r.date < ?"
        args.append(settings.before)
    return db.execute(
        "SELECT r.shape, r.family, r.reviewer_email, r.reviewer, substr(r.date, 1, 10), r.msgid, r.path, r.target, "
        f"r.comment, r.shape_kind, r.patch_msgid, r.line FROM remarks r WHERE {where} ORDER BY r.date", args
    ).fetchall()


def area_of(path: str) -> str | None:
    """The subsystem directory a file belongs to: a bindings class, a DTS vendor, else the top two directories."""
    parts = path.split("/")
    depth = 4 if path.startswith("Documentation/devicetree/bindings/") else 5 if parts[:1] == ["arch"] and \
        parts[2:4] == ["boot", "dts"] else 2
    return "/".join(parts[:depth]) if len(parts) > depth else None


def _recurring(rows: list[tuple], settings: LearnSettings) -> bool:
    """In enough submissions, from two reviewers or on two days: one opinion once is not a recurring remark."""
    return len({r[1] for r in rows}) >= settings.min_threads and (
        len({r[2] for r in rows}) >= 2 or len({r[4] for r in rows}) >= 2)


def _drafts_for(shape: str, kind: str, pattern: str, remarks: list[tuple], settings: LearnSettings,
                pick: Callable[[list[tuple]], tuple[str, list[tuple]] | None] | None = None) -> list[Draft]:
    """The draft for the similar remarks among ``remarks``, plus one per subsystem directory where
    similar remarks recur (similar there may mean another word: one subsystem's habit; the same remarks
    measured in their directory only may hold where they do not everywhere)."""
    pick = pick or (lambda rows: _best_keyword(rows, settings))
    out = []
    whole = pick(remarks)
    if whole is not None:
        out.append(_draft(shape, kind, pattern, whole[0], whole[1], None))
    areas: dict[str, list[tuple]] = defaultdict(list)
    for r in remarks:
        area = area_of(r[6] or "")
        if area:
            areas[area].append(r)
    for area, sub in sorted(areas.items()):
        if len({r[1] for r in sub}) < settings.min_threads:
            continue
        got = pick(sub)
        if got is not None:  # measured in its area only: it may hold where the whole does not
            out.append(_draft(shape, kind, pattern, got[0], got[1], area))
    return out


def _draft(shape: str, kind: str, pattern: str, keyword: str, group: list[tuple], area: str | None) -> Draft:
    cited, seen = [], set()
    for r in group:
        if r[1] not in seen:
            seen.add(r[1])
            cited.append(Cited(message_id=r[5], reviewer=r[3] or r[2], date=r[4], path=r[6] or "",
                               target=r[7], comment=r[8]))
    return Draft(shape=shape, keyword=keyword, pattern=pattern, kind=kind, cited=cited[:5], threads=len(seen),
                 reviewers=len({r[2] for r in group}), sources=[r[7] for r in group], area=area,
                 remarks=frozenset((r[5], r[7]) for r in group))


def _candidates(rows: list[tuple], settings: LearnSettings) -> list[Draft]:
    by_shape: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_shape[row[0]].append(row)
    out = []
    for shape, remarks in by_shape.items():
        if len({r[1] for r in remarks}) < settings.min_threads:
            continue
        pattern = shape_regex(shape)
        if pattern is None:
            continue
        out += _drafts_for(shape, shape.split(":", 1)[0], pattern, remarks, settings)
    return out


def literal_regex(kind: str, text: str) -> str:
    """The ``added_line`` pattern for one exact line, spacing aside (``MODULE_LICENSE("GPL");``)."""
    words = text.split()
    if kind == "yaml" and words[:1] == ["-"]:
        words = words[1:]
    body = r"\s*".join(re.escape(w) for w in words)
    if kind == "yaml":
        return r"^\s*(?:-\s+)?" + body + r"\s*(?:#.*)?$"
    return r"^\s*" + body + r"\s*$"


def _literal_candidates(rows: list[tuple], settings: LearnSettings) -> list[Draft]:
    """The finest granularity: the very same line (a string, a number, a header kept), where the
    normalised shape is too coarse to say what the reviewers objected to."""
    by_line: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in rows:
        text = " ".join(row[7].split())
        if len(text) >= 4 and row[9]:
            by_line[(row[9], text)].append(row)
    out = []
    for (kind, text), remarks in by_line.items():
        if len({r[1] for r in remarks}) < settings.min_threads:
            continue
        if f"{kind}:{text}" in {r[0] for r in remarks}:
            continue  # the shape is the line itself: the shape candidate covers it
        out += _drafts_for(f"{kind}:{text}", kind, literal_regex(kind, text), remarks, settings)
    return out


_CALLEE = re.compile(r"\b([A-Za-z_]\w{2,})\s*\(")
_YAML_LINE_KEY = re.compile(r"^\s*(?:-\s+)?([$#A-Za-z][\w$#,.-]*)\s*:")
_DTS_LINE_PROP = re.compile(r"^\s*([#A-Za-z][\w,.#+-]*)\s*(?:=|;)")
_GENERIC_TOKENS = frozenset("if for while switch sizeof return description type items const enum properties "
                            "required title compatible maxItems minItems".split())


def line_tokens(kind: str, text: str) -> list[str]:
    """The names a line is about, at the coarsest shape: C callees, a YAML key, a DTS property."""
    if kind == "c":
        return [t for t in _CALLEE.findall(text) if t not in _GENERIC_TOKENS]
    m = (_YAML_LINE_KEY if kind == "yaml" else _DTS_LINE_PROP if kind == "dts" else None)
    got = m.match(text) if m is not None else None
    return [got.group(1)] if got and got.group(1) not in _GENERIC_TOKENS and len(got.group(1)) > 3 else []


def token_regex(kind: str, token: str) -> str:
    t = re.escape(token)
    if kind == "c":
        return rf"\b{t}\s*\("
    if kind == "yaml":
        return rf"^\s*(?:-\s+)?['\"]?{t}['\"]?\s*:"
    return rf"^\s*{t}\s*(?:=|;)"


def _token_candidates(rows: list[tuple], settings: LearnSettings) -> list[Draft]:
    """Remarks that name the call, key or property of the line they quote ("drop of_match_ptr()",
    "no need for msleep here"): the coarsest line shape, grouped by that name."""
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in rows:
        for tok in set(line_tokens(row[9], row[7])):
            groups[(row[9], tok)].append(row)
    out = []
    for (kind, tok), group in groups.items():
        if len({r[1] for r in group}) < settings.min_threads:
            continue
        out += _drafts_for(f"{kind}:{tok}" + ("(...)" if kind == "c" else ""), kind, token_regex(kind, tok),
                           group, settings, lambda rows, tok=tok: _similar_about(tok, rows, settings))
    return out


_GENERIC_REMARK = frozenset("ditto same here why yes no ok okay hmm really indeed sure right thanks applied "
                            "agreed correct fine nope".split())


def remark_gist(comment: str, reviewer: str = "") -> str | None:
    """A short first sentence that says something on its own ("Drop quotes.", "Node names should be
    generic."), normalised; None for long ones, "Ditto."/"Why?" and signatures."""
    first = re.sub(r"[^a-z0-9' ]+", " ", first_sentence(comment).lower())
    words = first.split()
    names = set(re.split(r"[^a-z]+", reviewer.lower()))
    # Two to eight words: one word ("GENMASK?") is a hint, not a remark a rule can stand on.
    if not 2 <= len(words) <= 8 or words[0] in _GENERIC_REMARK or any(w in names for w in words):
        return None
    if not any(len(w) >= 4 and w not in STOPWORDS and w not in _EXTRA_STOP and w not in _GENERIC_REMARK
               for w in words):
        return None
    return " ".join(words)


def _comment_candidates(rows: list[tuple], settings: LearnSettings) -> list[Draft]:
    """Comment first: the same short remark ("drop quotes") on lines of several shapes, in enough
    submissions; the matcher is any of those shapes (the reviewers said the one thing about each)."""
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in rows:
        gist = remark_gist(row[8], row[3] or "")
        if gist and row[9]:
            groups[(row[9], gist)].append(row)
    out = []
    for (kind, gist), group in groups.items():
        if not _recurring(group, settings):
            continue
        lines = sorted({r[0].split(":", 1)[1] for r in group})
        patterns = list(dict.fromkeys(p for p in (shape_regex(r[0]) for r in group) if p))
        if len(lines) < 2 or not patterns:
            continue  # one shape: the shape candidate says it already
        pattern = patterns[0] if len(patterns) == 1 else "|".join(f"(?:{p})" for p in patterns)
        out.append(_draft(f"{kind}:" + " | ".join(lines), kind, pattern, gist, group, None))
    return out


_REF_KEY = re.compile(r"^(\s*)(-\s+)?([$\w-]+)\s*:")
_CONTEXT_KEYS = frozenset({"additionalProperties", "unevaluatedProperties"})


def ref_beside(lines: dict[int, str], number: int) -> bool | None:
    """Whether the mapping holding the key on line ``number`` has a ``$ref`` (itself, or in an
    allOf/oneOf/anyOf of it), in a file the patch adds whole (lines 1..n); None when that cannot be read."""
    if number not in lines or sorted(lines) != list(range(1, len(lines) + 1)):
        return None
    text = [lines[i] for i in range(1, len(lines) + 1)]
    i = number - 1
    indent = len(text[i]) - len(text[i].lstrip())
    start = i
    while start > 0:
        ln = text[start - 1]
        if ln.strip() and not ln.lstrip().startswith("#") and len(ln) - len(ln.lstrip()) < indent:
            break
        start -= 1
    end = i + 1
    while end < len(text):
        ln = text[end]
        if ln.strip() and not ln.lstrip().startswith("#") and len(ln) - len(ln.lstrip()) < indent:
            break
        end += 1
    combinator = False
    for ln in text[start:end]:
        m = _REF_KEY.match(ln)
        if m is None:
            continue
        depth = len(m.group(1))
        if depth == indent:
            combinator = m.group(3) in ("allOf", "oneOf", "anyOf")
            if m.group(3) == "$ref":
                return True
        elif combinator and m.group(3) == "$ref":
            return True
    return False


def _context_candidates(db: sqlite3.Connection, rows: list[tuple], settings: LearnSettings) -> list[Draft]:
    """YAML keys whose right value depends on a ``$ref`` beside them (``additionalProperties`` /
    ``unevaluatedProperties``): the remarks on such a key, split by whether its mapping has a $ref, in
    the files a patch adds whole; each side with remarks in enough submissions is a draft."""
    blobs: dict[str, dict[str, dict[int, str]]] = {}
    groups: dict[tuple[str, bool], list[tuple]] = defaultdict(list)
    for row in rows:
        if row[9] != "yaml" or row[11] is None:
            continue
        key, _, value = row[0].split(":", 1)[1].rpartition("/")[2].partition(": ")
        if key not in _CONTEXT_KEYS or value not in ("false", "true"):
            continue
        if row[10] not in blobs:
            got = db.execute("SELECT body FROM patch_lines WHERE patch_msgid = ?", (row[10],)).fetchone()
            blobs[row[10]] = _added_by_file(got[0]) if got else {}
        beside = ref_beside(blobs[row[10]].get(row[6] or "", {}), row[11])
        if beside is not None:
            groups[(f"{key}: {value}", beside)].append(row)
    out = []
    for (line, beside), group in groups.items():
        if len({r[1] for r in group}) < settings.min_threads:
            continue
        key = line.split(":")[0]
        other = next(iter(_CONTEXT_KEYS - {key}))
        named = [r for r in group if other.lower() in r[8].lower()]
        got = (other, group) if 2 * len(named) >= len(group) else _best_keyword(group, settings)
        if got is None:
            continue
        d = _draft(f"yaml:{line} ({'beside' if beside else 'without'} a $ref)", "yaml", literal_regex("yaml", line),
                   got[0], got[1], None)
        d.context = beside
        out.append(d)
    out += _dts_context_candidates(db, rows, settings, blobs)
    return out


def in_new_node(lines: dict[int, str], number: int) -> bool | None:
    """Whether the DTS line ``number`` sits in a node the patch defines (``name@1 {``) rather than in an
    override of one (``&label {``), read from the node's opening line when the patch adds it too
    (the added lines above it, without a gap); None when that line is not among them."""
    if number not in lines:
        return None
    indent = len(lines[number].expandtabs(8)) - len(lines[number].expandtabs(8).lstrip())
    n = number - 1
    while n in lines:
        ln = lines[n].expandtabs(8)
        if ln.strip() and len(ln) - len(ln.lstrip()) < indent and ln.rstrip().endswith("{"):
            return not ln.strip().startswith("&")
        n -= 1
    return None


_NODE_QUERY = {True: "(node name: (identifier)) @inside", False: "(node name: (reference)) @inside"}


def _dts_context_candidates(db: sqlite3.Connection, rows: list[tuple], settings: LearnSettings,
                            blobs: dict[str, dict[str, dict[int, str]]]) -> list[Draft]:
    """DTS properties remarked on in nodes the patch defines, or in &label overrides ("okay is the
    default: drop status" is said of new nodes only): split by the node the line sits in."""
    groups: dict[tuple[str, bool], list[tuple]] = defaultdict(list)
    for row in rows:
        if row[9] != "dts" or row[11] is None or row[0].endswith("{"):
            continue
        if row[10] not in blobs:
            got = db.execute("SELECT body FROM patch_lines WHERE patch_msgid = ?", (row[10],)).fetchone()
            blobs[row[10]] = _added_by_file(got[0]) if got else {}
        new = in_new_node(blobs[row[10]].get(row[6] or "", {}), row[11])
        if new is not None:
            groups[(" ".join(row[7].split()), new)].append(row)
    out = []
    for (line, new), group in groups.items():
        if len({r[1] for r in group}) < settings.min_threads:
            continue
        got = _best_keyword(group, settings)
        if got is not None:
            d = _draft(f"dts:{line} (in {'a node it defines' if new else 'a &label override'})", "dts",
                       literal_regex("dts", line), got[0], got[1], None)
            d.context = new
            out.append(d)
    return out


def _similar_about(tok: str, rows: list[tuple], settings: LearnSettings) -> tuple[str, list[tuple]] | None:
    """Similar comments on a name: those naming it, else those sharing the most common word."""
    named = [r for r in rows if re.search(r"(?<![\w-])" + re.escape(tok.lower()) + r"(?![\w-])", r[8].lower())]
    return (tok, named) if _recurring(named, settings) else _best_keyword(rows, settings)


def _best_keyword(remarks: list[tuple], settings: LearnSettings) -> tuple[str, list[tuple]] | None:
    """The word most remarks on this shape share: 'similar comments', kept simple and inspectable."""
    groups: dict[str, list[tuple]] = defaultdict(list)
    names = {n for r in remarks for n in re.split(r"[^a-z]+", (r[3] or "").lower())}  # a signature is no topic
    for r in remarks:
        for w in {w.lower().rstrip(",") for w in _COMMENT_WORD.findall(r[8])}:
            if w in STOPWORDS or w in _EXTRA_STOP or w.isdigit() or w in names:
                continue
            groups[w].append(r)
    best = None
    for w, group in groups.items():
        families = {r[1] for r in group}
        if len(families) < settings.min_threads:
            continue
        if len({r[2] for r in group}) < 2 and len({r[4] for r in group}) < 2:
            continue  # one reviewer on one day is one opinion, not a recurring remark
        key = (len(families), len({r[2] for r in group}), "_" in w or "(" in w, w)
        if best is None or key > best[0]:
            best = (key, w, group)
    return (best[1], best[2]) if best else None


def _clean_patch_lines(db: sqlite3.Connection, settings: LearnSettings
                       ) -> list[tuple[str, list[tuple[str, str]], dict[str, dict[int, str]]]]:
    """(message-id, [(path, line text)], added lines by file and line number) of patches reviewed with no
    remark (held out when ``before`` is set)."""
    where = ("(p.own_review = 1 OR EXISTS (SELECT 1 FROM reviews v WHERE v.patch_msgid = p.msgid)) "
             "AND NOT EXISTS (SELECT 1 FROM remarks r WHERE r.patch_msgid = p.msgid AND r.bot = 0) AND p.n > 0")
    args: list[Any] = []
    if settings.before:
        where += " AND p.date >= ?"
        args.append(settings.before)
    out = []
    for msgid, blob in db.execute(f"SELECT p.msgid, l.body FROM patches p JOIN patch_lines l "
                                  f"ON l.patch_msgid = p.msgid WHERE {where}", args):
        files = _added_by_file(blob)
        out.append((msgid, [(path, text) for path, by_line in files.items() for text in by_line.values()], files))
    return out


def _added_by_file(blob: bytes) -> dict[str, dict[int, str]]:
    files: dict[str, dict[int, str]] = {}
    for ln in zlib.decompress(blob).decode("utf-8", "replace").split("\n"):
        path, _, rest = ln.partition("\t")
        number, _, text = rest.partition("\t")
        files.setdefault(path, {})[int(number) if number.isdigit() else -len(files.get(path, ()))] = text
    return files


def _measure(d: Draft, clean: list[tuple]) -> None:
    rx = re.compile(d.pattern)
    for target in d.sources or [c.target for c in d.cited]:
        if rx.search(target):
            d.hits += 1
        else:
            d.misses += 1
    d.clean_patches = len(clean)
    within = f"{d.area}/" if d.area else ""
    for msgid, lines, files in clean:
        for path, text in lines:
            if d.context is not None and file_kind(path) == d.kind and rx.search(text):
                # A context draft is judged where the context can be read: files the patch adds whole.
                judge = ref_beside if d.kind == "yaml" else in_new_node
                if any(judge(files[path], n) == d.context for n, t in files[path].items() if t == text):
                    d.false_hits += 1
                    if len(d.false_examples) < 3:
                        d.false_examples.append(msgid)
                    break
                continue
            if d.context is None and file_kind(path) == d.kind and path.startswith(within) and rx.search(text):
                d.false_hits += 1
                if len(d.false_examples) < 3:
                    d.false_examples.append(msgid)
                break


# --------------------------------------------------------------------------
# Writing drafts


_EXAMPLE_PATH = {"yaml": "Documentation/devicetree/bindings/misc/acme,widget.yaml",
                 "dts": "arch/arm64/boot/dts/acme/acme-board.dts", "c": "drivers/misc/acme-widget.c",
                 "other": "drivers/misc/Kconfig"}


def draft_rule(d: Draft) -> dict[str, Any]:
    cites = "\n".join(f'- {c.reviewer}, {c.date}, under "+{c.target.strip()}": "{first_sentence(c.comment)}" {c.link}'
                      for c in d.cited)
    applies: dict[str, Any] = {"kinds": ["any"]}
    if d.paths:
        applies["paths"] = d.paths
    path = _EXAMPLE_PATH[d.kind]
    if d.area:
        path = f"{d.area}/{path.rsplit('/', 1)[-1]}"
    return {
        "id": d.rule_id,
        "severity": "info",
        "summary": f"DRAFT (learned): lines shaped like \"{d.shape.split(':', 1)[1]}\" drew remarks about "
                   f"'{d.keyword}' in {d.threads} threads" + (f" under {d.area}/." if d.area else "."),
        "rationale": (f"DRAFT learned by 'reviewtool learn' from {d.threads} threads, {d.reviewers} reviewers; "
                      f"measured: {d.hits} of {d.hits + d.misses} source lines matched, {d.false_hits} false hits "
                      f"on {d.clean_patches} reviewed patches without a remark (precision {d.precision:.0%}). "
                      f"Write why this matters in our words. What the reviewers said:\n{cites}\n"),
        "references": [c.link for c in d.cited],
        "applies_to": applies,
        "match": {"added_line": d.pattern} if d.context is None else _context_match(d) if d.kind == "yaml" else
        {"added_line": d.pattern, "inside": {"dts": _NODE_QUERY[d.context]}},
        "message": f"TODO: write the message (reviewers said this about '{d.keyword}'): {{match}}",
        "examples": {
            "bad": [{"subject": f"acme: learned example {i + 1}",
                     "files": {path: c.target.rstrip() + "\n" if d.context is None else _context_example(d, c.target)
                               if d.kind == "yaml" else _dts_example(d, c.target)}}
                    for i, c in enumerate(d.cited[:3]) if re.search(d.pattern, c.target)][: 1 if d.context is not None else 3],
            "good": [{"subject": "acme: learned counter-example", "files": {path: _neutral_line(d.kind) + "\n"}}],
        },
    }


_COMBINATORS = ("allOf", "oneOf", "anyOf")


def _context_match(d: Draft) -> dict[str, Any]:
    """The ``yaml`` key-path matcher of a context draft: the key with its value, in a mapping with (or
    without) a ``$ref`` of its own or in its allOf/oneOf/anyOf; the top level, or any mapping below."""
    key, _, raw = d.shape.split(":", 1)[1].split(" (")[0].partition(": ")
    value = {"false": False, "true": True}[raw.strip()]
    refs = [{"yaml": {"path": "$ref", "exists": True}}] + \
        [{"yaml": {"path": f"{c}/*/$ref", "exists": True}} for c in _COMBINATORS]
    top = [{"yaml": {"path": key, "equals": value}}]
    nested: dict[str, Any] = {"path": "**", "type": "map", "with": {key: {"equals": value}}, "at": key}
    if d.context:
        top.append({"any": refs})
        nested["has"] = ["$ref"]
    else:
        top += [{"not": r} for r in refs]
        nested["lacks"] = ["$ref", *_COMBINATORS]
    return {"any": [{"all": top}, {"yaml": nested}]}


def _context_example(d: Draft, target: str) -> str:
    """A whole small schema around the remarked line, so the key-path matcher has its context."""
    ref = "$ref: /schemas/acme/widget-common.yaml#\n" if d.context else ""
    return ("# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)\n%YAML 1.2\n---\n"
            "$id: http://devicetree.org/schemas/misc/acme,widget.yaml#\n"
            "$schema: http://devicetree.org/meta-schemas/core.yaml#\n\ntitle: Acme widget\n\n"
            "maintainers:\n  - Ann Acme <ann@acme.example>\n\n" + ref +
            "properties:\n  compatible:\n    const: acme,widget\n\nrequired:\n  - compatible\n\n"
            + target.strip() + "\n")


def _dts_example(d: Draft, target: str) -> str:
    head = "\tacme: widget@1000 {\n\t\tcompatible = \"acme,widget\";\n" if d.context else "&acme {\n"
    body = f"\t\t{target.strip()}\n\t}};\n" if d.context else f"\t{target.strip()}\n}};\n"
    return ("/dts-v1/;\n\n/ {\n" + head + body + "};\n") if d.context else head + body


def _neutral_line(kind: str) -> str:
    return {"yaml": "additionalProperties: false", "dts": "/dts-v1/;", "c": "#include <linux/module.h>",
            "other": "# SPDX-License-Identifier: GPL-2.0"}[kind]


def write_drafts(drafts: list[Draft], out: str) -> Path:
    """Write ``learned.yaml`` into ``out`` (created if needed); a --rules directory."""
    import yaml

    d = Path(out)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output directory ({exc.strerror or exc})") from None
    path = d / "learned.yaml"
    rules = [draft_rule(x) for x in drafts]
    rules = [r for r in rules if r["examples"]["bad"]]
    header = ("# Draft rules learned from the review archive by 'reviewtool learn'.\n"
              "# Each was measured before it was written (see its rationale); read the cited remarks,\n"
              "# write the message and rationale in our words, then move it into a rule file.\n")
    path.write_text(header + yaml.safe_dump({"rules": rules}, sort_keys=False, allow_unicode=True, width=110),
                    encoding="utf-8")
    return path
