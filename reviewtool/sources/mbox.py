"""Local mail: mbox (mboxrd/mboxo), maildir, format-patch directory, .patch/.eml, stdin.

Every read is capped (``limits.MAX_INPUT_BYTES`` over the whole input) and
refuses FIFOs and devices; every message reads its headers through
``headers.guard``.  In a maildir or a patch directory a file that is not
mail is skipped, so one junk file never rejects the rest.
"""

from __future__ import annotations

import sys
from email.message import EmailMessage
from pathlib import Path

from .. import limits
from ..errors import InputError
from ..model import Origin, Series
from . import headers
from .grouping import series_from_messages

_MAIL_SUFFIXES = (".patch", ".eml", ".mbox", ".mbx", ".diff")
_STDIN_NAMES = ("-", "stdin", "standard input")
Origins = dict[str, Origin]


def read_messages(source: str, origins: Origins | None = None) -> list[EmailMessage]:
    """Load every message from a local path (or '-' for stdin); ``origins``,
    when given, receives where each one came from (by Message-ID)."""
    from . import b4setup

    b4 = b4setup.ready()
    if source == "-":
        data = limits.read_stream(sys.stdin.buffer, limits.MAX_INPUT_BYTES, "standard input")
        return _split_bytes(b4, data, "standard input", origins)
    path = Path(source)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except (OSError, ValueError) as exc:
        raise InputError(f"{source!r}: cannot be a file name ({exc})") from None
    if not exists:
        raise InputError(f"{source}: no such file or directory")
    if is_dir:
        if (path / "cur").is_dir() or (path / "new").is_dir():
            return _read_maildir(b4, path, source, origins)
        return _read_patch_dir(b4, path, source, origins)
    return _split_bytes(b4, limits.read_capped(path), source, origins)


def _regular_files(directory: Path) -> list[Path]:
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        raise InputError(f"{directory}: {exc.strerror or exc}") from None
    return [p for p in entries if not p.name.startswith(".") and p.is_file() and not p.is_symlink()]


def _read_patch_dir(b4, path: Path, source: str, origins: Origins | None = None) -> list[EmailMessage]:
    msgs: list[EmailMessage] = []
    budget = limits.MAX_INPUT_BYTES
    for f in _regular_files(path):
        if f.suffix not in _MAIL_SUFFIXES and not _looks_like_mail(f):
            continue
        data = limits.read_capped(f, budget)
        budget -= len(data)
        try:
            msgs.extend(_split_bytes(b4, data, str(f), origins))
        except InputError:
            continue  # not mail after all: the other files still count
    if not msgs:
        raise InputError(f"{source}: no patch or mail files in this directory")
    return msgs


def _read_maildir(b4, path: Path, source: str, origins: Origins | None = None) -> list[EmailMessage]:
    """One message per file in cur/ and new/; a file that is not mail is skipped."""
    msgs: list[EmailMessage] = []
    budget = limits.MAX_INPUT_BYTES
    for sub in ("cur", "new"):
        if not (path / sub).is_dir():
            continue
        for f in _regular_files(path / sub):
            data = limits.read_capped(f, budget)
            budget -= len(data)
            if data.startswith(b"From "):
                data = data.split(b"\n", 1)[-1]
            try:
                msgs.extend(_split_bytes(b4, data, str(f), origins))
            except InputError:
                continue
    if not msgs:
        raise InputError(f"{source}: no mail messages in this maildir")
    return msgs


def _looks_like_mail(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.startswith(b"From ") or b"\nSubject:" in head or head.startswith(b"Subject:")


def _split_bytes(b4, data: bytes, where: str, origins: Origins | None = None) -> list[EmailMessage]:
    if not data.strip():
        raise InputError(f"{where}: empty input")
    if b"\x00" in data[:8192]:
        raise InputError(f"{where}: binary data, not a mailbox or patch")
    if not data.startswith(b"From "):
        # A single message (.eml, or a patch piped by b4 without the mbox line).
        data = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + data
    try:
        msgs = headers.guard(b4.mailsplit_bytes(data))
    except (Exception, RecursionError) as exc:
        raise InputError(f"{where}: not a readable mailbox ({type(exc).__name__}: {exc})") from None
    msgs = [m for m in msgs if m.get("Subject") is not None or m.get("Message-ID") is not None]
    if not msgs:
        raise InputError(f"{where}: no mail messages found (not an mbox or patch file)")
    if len(msgs) > limits.MAX_MESSAGES:
        raise InputError(f"{where}: {len(msgs)} messages, over the limit of {limits.MAX_MESSAGES}")
    stdin = where in _STDIN_NAMES
    for i, m in enumerate(msgs):
        made_up = not b4.LoreMessage.get_clean_msgid(m)
        if made_up:
            # format-patch output without Message-ID (or one nobody can use):
            # give it a stable one.
            del m["Message-ID"]
            m["Message-ID"] = f"<local-{_token(Path(where).name)}-{i}@reviewtool>"
        if origins is not None:
            origins[b4.LoreMessage.get_clean_msgid(m) or ""] = Origin(
                "stdin" if stdin else "mbox", path="-" if stdin else where, index=i, message_id_made_up=made_up)
    return msgs


def _token(name: str) -> str:
    """A file name as Message-ID text (stable across runs; its Origin marks it made up): the
    name itself when it is printable ASCII without brackets or blanks."""
    if name and len(name) <= 200 and all("!" <= c <= "~" and c not in "<>@\\" for c in name):
        return name
    return "".join(c if c.isascii() and c.isalnum() or c in "._-+" else "_" for c in name)[:64] or "input"


def load(source: str, revision: int | None = None) -> list[Series]:
    origins: Origins = {}
    msgs = read_messages(source, origins)
    stdin = source == "-"
    return series_from_messages(msgs, "stdin" if stdin else source, revision,
                                origin=Origin("stdin" if stdin else "mbox", path="-" if stdin else source),
                                message_origins=origins)


def load_bytes(data: bytes, where: str, revision: int | None = None) -> list[Series]:
    """Series from mbox bytes already in memory (rule examples, hooks)."""
    from . import b4setup

    origins: Origins = {}
    msgs = _split_bytes(b4setup.ready(), data, where, origins)
    stdin = where in _STDIN_NAMES
    return series_from_messages(msgs, where, revision, origin=Origin("stdin" if stdin else "mbox",
                                                                     path="-" if stdin else where),
                                message_origins=origins)
