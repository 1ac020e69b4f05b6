"""Local mail: mbox (mboxrd/mboxo), maildir, format-patch directory, .patch/.eml, stdin."""

from __future__ import annotations

import os
import sys
from email.message import EmailMessage
from pathlib import Path

from ..errors import InputError
from ..model import Series
from .grouping import series_from_messages


def read_messages(source: str) -> list[EmailMessage]:
    """Load every message from a local path (or '-' for stdin)."""
    from . import b4setup

    b4 = b4setup.ready()
    if source == "-":
        data = sys.stdin.buffer.read()
        return _split_bytes(b4, data, "standard input")
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file or directory")
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            try:
                return list(b4.get_msgs_from_mailbox_or_maildir(str(path)))
            except Exception as exc:
                raise InputError(f"{source}: cannot read maildir ({exc})") from None
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        msgs: list[EmailMessage] = []
        for f in files:
            if f.suffix not in (".patch", ".eml", ".mbox", ".mbx", ".diff") and not _looks_like_mail(f):
                continue
            msgs.extend(_split_bytes(b4, _read(f), str(f)))
        if not msgs:
            raise InputError(f"{source}: no patch or mail files in this directory")
        return msgs
    return _split_bytes(b4, _read(path), source)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def _looks_like_mail(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.startswith(b"From ") or b"\nSubject:" in head or head.startswith(b"Subject:")


def _split_bytes(b4, data: bytes, where: str) -> list[EmailMessage]:
    if not data.strip():
        raise InputError(f"{where}: empty input")
    if b"\x00" in data[:8192]:
        raise InputError(f"{where}: binary data, not a mailbox or patch")
    if not data.startswith(b"From "):
        # A single message (.eml, or a patch piped by b4 without the mbox line).
        data = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + data
    try:
        msgs = b4.mailsplit_bytes(data)
    except Exception as exc:
        raise InputError(f"{where}: not a readable mailbox ({type(exc).__name__}: {exc})") from None
    msgs = [m for m in msgs if m.get("Subject") is not None or m.get("Message-ID") is not None]
    if not msgs:
        raise InputError(f"{where}: no mail messages found (not an mbox or patch file)")
    for i, m in enumerate(msgs):
        if not m.get("Message-ID"):
            # format-patch output without Message-ID: give it a stable one.
            m["Message-ID"] = f"<local-{os.path.basename(where)}-{i}@reviewtool>"
    return msgs


def load(source: str, revision: int | None = None) -> list[Series]:
    msgs = read_messages(source)
    return series_from_messages(msgs, "stdin" if source == "-" else source, revision)


def load_bytes(data: bytes, where: str, revision: int | None = None) -> list[Series]:
    """Series from mbox bytes already in memory (rule examples, hooks)."""
    from . import b4setup

    msgs = _split_bytes(b4setup.ready(), data, where)
    return series_from_messages(msgs, where, revision)
