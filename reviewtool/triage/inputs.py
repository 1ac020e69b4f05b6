"""Expand triage SOURCES into raw message slices and lore Message-IDs.

Nothing here parses mail: an mbox is split at its ``From `` separators by
byte offset, so a list archive export of any size costs one pass over the
file and a few integers per message.  The bytes are read again only when a
worker needs them (``RawRef.read``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..errors import InputError
from ..model import Origin

if TYPE_CHECKING:
    from .request import TriageRequest

_MSGID_LINE = re.compile(r"^(?:<?[^\s<>@/]+@[^\s<>@/]+>?|https?://\S+)$")
_FROM_LINE = re.compile(rb"^From \S+.*\d\d:\d\d:\d\d.*\d{4}")  # mbox separator, as git and liblore
_GTFROM = re.compile(rb"(?m)^>(>*From )")


@dataclass(frozen=True)
class RawRef:
    """One message's raw bytes: a slice of a file, or bytes already in memory."""

    source: str  # the SOURCE argument it came from, for messages
    fallback_id: str  # Message-ID to give it when it has none (format-patch output)
    path: str | None = None
    offset: int = 0
    length: int = -1
    mboxrd: bool = False  # undo one level of '>From ' quoting when reading
    data: bytes | None = None

    def origin(self, message_id: str) -> Origin:
        """Where the message came from; its ID is made up when it is our fallback."""
        made_up = message_id == self.fallback_id.strip("<>")
        if self.path is None:
            return Origin("lore" if self.source.startswith("lore ") else "mbox", url=self.source,
                          message_id_made_up=made_up)
        return Origin("mbox", path=self.path, offset=self.offset, length=None if self.length < 0 else self.length,
                      message_id_made_up=made_up)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            raw = fh.read(self.length) if self.length >= 0 else fh.read()
        if self.mboxrd:
            head, sep, body = raw.partition(b"\n\n")
            raw = head + sep + _GTFROM.sub(rb"\1", body)
        return raw


def _mbox_refs(path: Path, source: str) -> Iterator[RawRef]:
    """Split an mbox file into message slices without loading it whole."""
    name = path.name
    size = path.stat().st_size
    with path.open("rb") as fh:
        first = fh.read(5)
        fh.seek(0)
        if first != b"From ":
            # One message without an mbox separator (.eml, .patch).
            yield RawRef(source, f"local-{name}-0@reviewtool", str(path), 0, size, False)
            return
        start: int | None = None
        pos = 0
        i = 0
        for line in fh:
            if line.startswith(b"From ") and _FROM_LINE.match(line):
                if start is not None:
                    yield RawRef(source, f"local-{name}-{i}@reviewtool", str(path), start, pos - start, True)
                    i += 1
                start = pos + len(line)
            pos += len(line)
        if start is not None and pos > start:
            yield RawRef(source, f"local-{name}-{i}@reviewtool", str(path), start, pos - start, True)


def _is_msgid_list(path: Path) -> bool:
    """A small text file whose every line is a Message-ID or lore URL."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    if head.startswith(b"From ") or b"\x00" in head:
        return False
    try:
        lines = [ln.strip() for ln in head.decode("utf-8").splitlines()]
    except UnicodeDecodeError:
        return False
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(lines) and all(_MSGID_LINE.match(ln) for ln in lines)


def _msgid_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


@dataclass
class Inputs:
    """What the sources expanded to: raw messages to group, and lore Message-IDs."""

    refs: list[RawRef] = field(default_factory=list)
    msgids: list[str] = field(default_factory=list)


def collect_inputs(req: TriageRequest) -> Inputs:
    from ..sources import mbox as mbox_source

    out = Inputs()
    for source in req.sources:
        path = Path(source)
        if source == "-":
            data = sys.stdin.buffer.read()
            out.refs.extend(_memory_refs(mbox_source, data, "standard input"))
        elif path.is_file():
            if _is_msgid_list(path):
                out.msgids.extend(_msgid_lines(path))
                continue
            if path.stat().st_size == 0:
                raise InputError(f"{source}: empty input")
            with path.open("rb") as fh:
                if b"\x00" in fh.read(8192):
                    raise InputError(f"{source}: binary data, not a mailbox or patch")
            out.refs.extend(_mbox_refs(path, source))
        elif path.is_dir():
            out.refs.extend(_dir_refs(mbox_source, path, source))
        elif path.exists():
            raise InputError(f"{source}: not a file or directory")
        elif _MSGID_LINE.match(source):
            out.msgids.append(source)
        else:
            raise InputError(f"{source}: no such file or directory")
    if req.query:
        out.refs.extend(_query_refs(req))
    return out


def _dir_refs(mbox_source, path: Path, source: str) -> Iterator[RawRef]:
    if (path / "cur").is_dir() or (path / "new").is_dir():
        files = sorted(p for sub in ("cur", "new") if (path / sub).is_dir()
                       for p in (path / sub).iterdir() if p.is_file())
        for i, f in enumerate(files):
            yield RawRef(source, f"local-{path.name}-{i}@reviewtool", str(f))
        return
    found = False
    for f in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
        if f.suffix not in (".patch", ".eml", ".mbox", ".mbx", ".diff") and not mbox_source._looks_like_mail(f):
            continue
        found = True
        yield from _mbox_refs(f, source)
    if not found:
        raise InputError(f"{source}: no patch or mail files in this directory")


def _memory_refs(mbox_source, data: bytes, where: str) -> list[RawRef]:
    from ..sources import b4setup

    b4 = b4setup.ready()
    msgs = mbox_source._split_bytes(b4, data, where)  # same checks and fallback ids as `check -`
    return [RawRef(where, f"local-{where}-{i}@reviewtool", data=m.as_bytes(policy=b4.emlpolicy))
            for i, m in enumerate(msgs)]


def _query_refs(req: TriageRequest) -> list[RawRef]:
    """Everything a lore search returns (whole threads), as raw messages."""
    from ..sources import b4setup

    b4 = b4setup.ready()
    lore_url = req.lore_url
    if lore_url is None and (req.timeout is not None or req.no_cache):
        lore_url = str(b4.get_main_config().get("midmask", "https://lore.kernel.org/all/%s")).replace("/%s", "")
    b4 = b4setup.ready(lore_url=lore_url, network=True, timeout=req.timeout, cache=not req.no_cache)
    try:
        msgs = b4.get_pi_search_results(req.query, nocache=req.no_cache, full_threads=True)
    except Exception as exc:  # liblore network errors
        raise InputError(f"lore search failed ({type(exc).__name__}: {exc})") from None
    finally:
        b4.can_network = False
    if not msgs:
        raise InputError(f"lore search {req.query!r} returned nothing (no match, or the server failed)")
    where = f"lore search {req.query!r}"
    return [RawRef(where, f"local-search-{i}@reviewtool", data=m.as_bytes(policy=b4.emlpolicy))
            for i, m in enumerate(msgs)]
