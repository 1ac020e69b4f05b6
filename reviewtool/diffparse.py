"""Turn the diff part of a patch mail into FileChange objects via unidiff.

unidiff reads a whole format-patch mail, but prose lines starting with
'--- '/'+++ ' in a commit message make it invent a file, so we hand it only
the text from the first 'diff --git' on.
"""

from __future__ import annotations

import re

from .errors import InputError
from .model import DiffLine, FileChange, Hunk

_DIFF_START = re.compile(r"^diff --git ", re.M)
_SIG = re.compile(r"^-- ?\n(?:[^\n]*\n){0,3}\Z", re.M)


def split_diff(body: str) -> tuple[str, str]:
    """Return (text before the first 'diff --git', the diff itself)."""
    m = _DIFF_START.search(body)
    if not m:
        return body, ""
    return body[: m.start()], body[m.start():]


def parse_files(diff_text: str, where: str = "patch") -> tuple[FileChange, ...]:
    """Parse a git diff into FileChange objects; a broken diff is an InputError."""
    if not diff_text.strip():
        return ()
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    text = _SIG.sub("", diff_text)
    try:
        patchset = PatchSet(text)
    except UnidiffParseError as exc:
        raise InputError(f"{where}: cannot parse the diff ({exc})") from None
    files = []
    for pf in patchset:
        hunks = []
        for h in pf:
            lines = tuple(
                DiffLine(
                    kind=ln.line_type if ln.line_type in "+- " else " ",
                    text=ln.value.rstrip("\n").rstrip("\r"),
                    new_line=ln.target_line_no,
                    old_line=ln.source_line_no,
                )
                for ln in h
                if ln.line_type in ("+", "-", " ")
            )
            hunks.append(
                Hunk(
                    old_start=h.source_start,
                    old_length=h.source_length,
                    new_start=h.target_start,
                    new_length=h.target_length,
                    section=(h.section_header or "").strip(),
                    lines=lines,
                )
            )
        if pf.is_added_file:
            status = "added"
        elif pf.is_removed_file:
            status = "removed"
        elif pf.is_rename:
            status = "renamed"
        else:
            status = "modified"
        old = _strip_prefix(pf.source_file)
        new = _strip_prefix(pf.target_file)
        path = old if status == "removed" else (new or pf.path)
        files.append(
            FileChange(
                path=path,
                old_path=old if old and old != path else None,
                status=status,
                hunks=tuple(hunks),
                binary=bool(getattr(pf, "is_binary_file", False)),
            )
        )
    _check_truncation(files, where)
    _check_overlong(text, files, where)
    return tuple(files)


def _strip_prefix(name: str | None) -> str | None:
    if not name or name == "/dev/null":
        return None
    return name[2:] if name[:2] in ("a/", "b/") else name


_CHANGED_LINE = re.compile(r"^[+-](?![+-]{2} )", re.M)


def _check_overlong(text: str, files: list[FileChange], where: str) -> None:
    """A hunk header that counts fewer lines than follow it makes unidiff drop
    the rest silently; say so rather than check a file cut short."""
    if "GIT binary patch" in text:
        return
    in_diff = len(_CHANGED_LINE.findall(text))
    parsed = sum(1 for f in files for h in f.hunks for ln in h.lines if ln.kind != " ")
    if in_diff > parsed:
        raise InputError(
            f"{where}: a hunk header counts fewer lines than the hunk holds "
            f"({in_diff - parsed} added/removed line(s) would be ignored); regenerate the patch"
        )


def _check_truncation(files: list[FileChange], where: str) -> None:
    """unidiff accepts a hunk cut short; a truncated mail must not pass silently."""
    for f in files:
        for h in f.hunks:
            new_seen = sum(1 for ln in h.lines if ln.kind != "-")
            old_seen = sum(1 for ln in h.lines if ln.kind != "+")
            if new_seen < h.new_length or old_seen < h.old_length:
                raise InputError(
                    f"{where}: the diff of {f.path} is truncated "
                    f"(hunk @@ -{h.old_start},{h.old_length} +{h.new_start},{h.new_length} @@ is incomplete)"
                )
