"""Grammar loading, parsing and queries shared by every tree-sitter user.

tree-sitter parsers recover from errors: a hunk cut mid-function or a DTS
example with unknown macros still gives a tree whose intact parts are
typed nodes (broken spans become ``ERROR`` nodes).  Positions are
0-based rows in tree-sitter; ``line_of`` turns them into the 1-based
lines the rest of reviewtool uses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Iterator, Literal

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Language, Node, Parser, Query, Tree

Lang = Literal["c", "dts"]


@lru_cache(maxsize=None)
def language(lang: Lang) -> "Language":
    from tree_sitter import Language

    if lang == "c":
        import tree_sitter_c as grammar
    elif lang == "dts":
        import tree_sitter_devicetree as grammar
    else:  # pragma: no cover - the Literal type keeps callers honest
        raise ValueError(f"no tree-sitter grammar for {lang!r}")
    return Language(grammar.language())


@lru_cache(maxsize=None)
def _parser(lang: Lang) -> "Parser":
    from tree_sitter import Parser

    return Parser(language(lang))


def parse(lang: Lang, text: str) -> "Tree":
    """Parse ``text``; never raises on malformed input (see ``has_errors``)."""
    return _parser(lang).parse(text.encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=256)
def query(lang: Lang, source: str) -> "Query":
    """A compiled query; raises ``tree_sitter.QueryError`` on a bad pattern."""
    from tree_sitter import Query

    return Query(language(lang), source)


def captures(lang: Lang, source: str, node: "Node") -> dict[str, list["Node"]]:
    from tree_sitter import QueryCursor

    return QueryCursor(query(lang, source)).captures(node)


def matches(lang: Lang, source: str, node: "Node",
            rows: tuple[int, int] | None = None) -> list[tuple[int, dict[str, list["Node"]]]]:
    """Every match of the query under ``node``; with ``rows`` (first, last,
    0-based), only matches that reach into those rows (their captures may lie outside)."""
    from tree_sitter import QueryCursor

    cursor = QueryCursor(query(lang, source))
    if rows is not None:
        cursor.set_point_range((rows[0], 0), (rows[1] + 1, 0))
    return cursor.matches(node)


def text_of(node: "Node") -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def line_of(node: "Node") -> int:
    """1-based line of the node's first character."""
    return node.start_point[0] + 1


def end_line_of(node: "Node") -> int:
    """1-based line of the node's last character."""
    return node.end_point[0] + 1


def has_errors(node: "Node") -> bool:
    return node.has_error


def walk(node: "Node") -> Iterator["Node"]:
    """Every named descendant, pre-order, without recursion (deep input is fine)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def ancestors(node: "Node") -> Iterator["Node"]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent
