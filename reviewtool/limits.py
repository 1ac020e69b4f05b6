"""Budgets for every input, in one place, so hostile or broken input ends in a
one-line error (exit 2) or a bounded run instead of a hang or an OOM.

Each number is generous for real kernel mail (the largest thread in our
717-thread archive is a few MB; no real trailer is near 256 characters) and
small enough that the slowest parser behind it stays within seconds.  The
README states them; ``reviewtool`` never silently drops content because of
them except where a docstring below says so.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

MiB = 1 << 20

# Mail read from a file, a directory (all files together), stdin or lore.
MAX_INPUT_BYTES = 64 * MiB
# Messages in one input, and patches one series may claim ([PATCH 1/N]).
MAX_MESSAGES = 20_000
MAX_SERIES_PATCHES = 2_000
# A lore answer: bytes on the wire, bytes after gunzip, and the wall-clock
# time for the whole answer (``--timeout`` alone is per socket read).
MAX_LORE_BYTES = 64 * MiB
MAX_LORE_SECONDS = 120.0
# b4's trailer regex is cubic in the value: trailer-shaped lines are cut to
# this many characters before b4 parses them (256 chars: ~20 ms each).
MAX_TRAILER_CHARS = 256
# One YAML document (a binding, a user rule, an example): its text, its
# nesting depth and the nodes reachable once aliases are expanded.
MAX_YAML_BYTES = 1 * MiB
MAX_YAML_LINE = 64 * 1024
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000
# DTS nodes nested in one source or binding example.
MAX_DTS_DEPTH = 64
# A config file (TOML) and a rule file.
MAX_CONFIG_BYTES = 1 * MiB


def read_capped(path: Path | str, limit: int = MAX_INPUT_BYTES, what: str | None = None) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them; more is an InputError.

    A FIFO, a device (``/dev/zero``) or a socket is refused before it is
    opened for reading, so nothing can block or stream forever.
    """
    import stat

    label = what or str(path)
    try:
        st = Path(path).stat()
    except OSError as exc:
        raise InputError(f"{label}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{label}: not a regular file")
    if st.st_size > limit:
        raise InputError(f"{label}: {st.st_size} bytes, over the {limit} byte input limit")
    try:
        with open(path, "rb") as fh:
            return read_stream(fh, limit, label)
    except OSError as exc:
        raise InputError(f"{label}: {exc.strerror or exc}") from None


def read_stream(fh: BinaryIO | io.BufferedIOBase, limit: int = MAX_INPUT_BYTES, what: str = "input") -> bytes:
    """Read a stream to its end, refusing more than ``limit`` bytes."""
    data = fh.read(limit + 1)
    if data is None:
        data = b""
    if len(data) > limit:
        raise InputError(f"{what}: more than {limit} bytes, over the input limit")
    return data


def clip_trailer_lines(text: str, limit: int = MAX_TRAILER_CHARS) -> str:
    """``text`` with every ``Name: value`` line longer than ``limit`` cut to it.

    Only for what b4's trailer parser sees (its value regex is cubic); the
    body we quote and check is left whole.
    """
    if len(text) <= limit or not any(len(ln) > limit for ln in text.split("\n")):
        return text
    out = []
    for ln in text.split("\n"):
        if len(ln) > limit and ":" in ln[:limit]:
            ln = ln[:limit]
        out.append(ln)
    return "\n".join(out)


_QUOTED = None


def nesting_depth(text: str) -> int:
    """How deep ``text`` nests: flow brackets (``[``/``{``, quoted strings and
    comments skipped, so DTS ``{`` in a block scalar counts too) plus block
    indentation levels.  An over-estimate at worst, in one pass."""
    import re

    global _QUOTED
    if _QUOTED is None:
        _QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|(?:^|\s)#[^\n]*|//[^\n]*")
    flow = deepest = 0
    stack: list[int] = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        if body and not body.startswith("#"):
            indent = len(line) - len(body)
            while stack and stack[-1] >= indent:
                stack.pop()
            stack.append(indent)
        for ch in _QUOTED.sub("", line):
            if ch in "[{":
                flow += 1
                deepest = max(deepest, flow + len(stack))
            elif ch in "]}":
                flow = max(flow - 1, 0)
        deepest = max(deepest, flow + len(stack))
    return deepest


def brace_depth(text: str) -> int:
    """How deep ``{``/``[`` nest in ``text`` (strings and comments skipped)."""
    nesting_depth("")  # compiles the pattern once
    depth = deepest = 0
    for ch in _QUOTED.sub("", text):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest


def dts_text_problem(text: str) -> str | None:
    """Why DTS source is over budget (nodes nested too deep), or None."""
    depth = brace_depth(text)
    if depth > MAX_DTS_DEPTH:
        return f"DTS nested {depth} levels deep, over the limit of {MAX_DTS_DEPTH}"
    return None


def yaml_text_problem(text: str) -> str | None:
    """Why ``text`` is over the YAML budget (size, line length, nesting), or None."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        return f"{size} bytes, over the {MAX_YAML_BYTES} byte limit for one YAML document"
    longest = max((len(ln) for ln in text.split("\n")), default=0)
    if longest > MAX_YAML_LINE:
        return f"a line of {longest} characters, over the {MAX_YAML_LINE} character limit"
    depth = nesting_depth(text)
    if depth > MAX_YAML_DEPTH:
        return f"nested {depth} levels deep, over the limit of {MAX_YAML_DEPTH}"
    return None


def yaml_alias_problem(text: str) -> str | None:
    """Why ``text`` would expand past the node budget through its aliases, or
    None; decided on the composed node graph (ruamel's composer, aliases
    shared), before any loader expands or prints them (ruamel renders a
    duplicate key's whole expanded value into its error message)."""
    if "*" not in text:
        return None
    import warnings

    from ruamel.yaml import YAML

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel warns on a reused anchor and goes on, as its loader will
            nodes = list(YAML(typ="rt").compose_all(text))
    except Exception:  # noqa: BLE001 - the real parse reports what is wrong
        return None
    size: dict[int, int] = {}
    for root in nodes:
        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            value = getattr(node, "value", None)
            if not isinstance(value, list):
                continue
            kids = [x for item in value for x in (item if isinstance(item, tuple) else (item,))]
            if done:
                size[id(node)] = len(kids) + sum(size.get(id(k), 0) for k in kids)
                if size[id(node)] > MAX_YAML_NODES:
                    return f"{size[id(node)]}+ nodes once aliases are expanded, over the limit of {MAX_YAML_NODES}"
            elif id(node) not in size:
                size[id(node)] = 0  # a cycle counts nothing more
                stack.append((node, True))
                stack.extend((k, False) for k in kids if id(k) not in size)
    return None


def yaml_data_problem(data: object) -> str | None:
    """Why parsed YAML is over budget once aliases are expanded, or None.

    Counts the nodes every walk over the document would visit (an alias
    counts its whole target again) without expanding anything: the count of
    a node is remembered by identity, so an alias bomb costs its text size.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    pending: list[tuple[object, bool]] = [(data, False)]
    on_path: set[int] = set()
    while pending:
        node, done = pending.pop()
        key = id(node)
        if isinstance(node, dict):
            children = [*node.keys(), *node.values()]
        elif isinstance(node, (list, tuple)):
            children = list(node)
        else:
            continue
        if done:
            on_path.discard(key)
            kids = [c for c in children if isinstance(c, (dict, list, tuple))]
            size[key] = len(children) + sum(size.get(id(c), 0) for c in kids)
            depth[key] = 1 + max((depth.get(id(c), 0) for c in kids), default=0)
            if size[key] > MAX_YAML_NODES:
                return f"{size[key]}+ nodes once aliases are expanded, over the limit of {MAX_YAML_NODES}"
            if depth[key] > MAX_YAML_DEPTH:
                return f"nested {depth[key]} levels deep, over the limit of {MAX_YAML_DEPTH}"
            continue
        if key in size:
            continue
        if key in on_path:
            return "an alias that contains itself"
        on_path.add(key)
        pending.append((node, True))
        pending.extend((c, False) for c in children if isinstance(c, (dict, list, tuple)) and id(c) not in size)
    return None
