"""Turn the diff part of a patch mail into FileChange objects via unidiff.

unidiff reads a whole format-patch mail, but prose lines starting with
'--- '/'+++ ' in a commit message make it invent a file, so we hand it only
the text from the first 'diff --git' on.

What is read follows ``git am``/``git apply``: a hunk is as long as its
header counts, and what follows the last hunk of a file before the next
``diff --git`` is not diff (git skips it).  We drop such trailing text when
it is a mail footer -- a signature (``--`` with or without its trailing
space), b4's blank line + ``---``/``base-commit:`` block, git's version
line -- and still refuse changed lines a hunk header does not count, or a
``diff --git`` that changes nothing (a patch cut short), as git does.
"""

from __future__ import annotations

import re

from .errors import InputError
from .model import DiffLine, FileChange, Hunk

_HUNK_HEADER = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_FOOTER_START = re.compile(r"^(?:--|-- |---|base-commit: .*|change-id: .*|prerequisite-[\w-]+: .*)\r?\n?$")
# git diff header lines saying a file changed without any hunk.
_METADATA = re.compile(r"^(?:new file mode|deleted file mode|old mode|new mode|rename from|rename to|"
                       r"copy from|copy to|similarity index 100%|Binary files |GIT binary patch)", re.M)


def split_diff(body: str) -> tuple[str, str]:
    """Return (text before the first 'diff --git', the diff itself)."""
    at = _diff_start(body, 0)
    return body[:at], body[at:]


def _diff_start(text: str, start: int) -> int:
    """Where the first line starting with 'diff --git ' at or after ``start`` begins; ``len(text)`` if none.
    (``str.find``: a multi-line regex search tried every position of a mail body in Python's re.)"""
    if text.startswith("diff --git ", start) and (start == 0 or text[start - 1] == "\n"):
        return start
    at = text.find("\ndiff --git ", max(start - 1, 0))
    return at + 1 if at >= 0 else len(text)


def parse_files(diff_text: str, where: str = "patch") -> tuple[FileChange, ...]:
    """Parse a git diff into FileChange objects; a broken diff is an InputError."""
    if not diff_text.strip():
        return ()
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    text = trim_footers(diff_text)
    _check_cut_headers(text, where)
    try:
        # unidiff reads the file headers (paths, status, hunk headers) with its fast metadata-only
        # pass; the hunk lines come from one walk of our own that reads them exactly as unidiff does
        # (``_hunk_bodies``), several times cheaper than unidiff's Line objects.
        patchset = PatchSet(text, metadata_only=True)
        bodies = _hunk_bodies(text)
        if bodies is None or len(bodies) != sum(len(pf) for pf in patchset):
            patchset, bodies = PatchSet(text), None  # not seen on a diff unidiff accepts; then its own lines
    except (UnidiffParseError, ValueError, IndexError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise InputError(f"{where}: cannot parse the diff ({detail})") from None
    files = []
    at = 0
    for pf in patchset:
        hunks = []
        for h in pf:
            if bodies is not None:
                lines = bodies[at]
                at += 1
            else:
                lines = unidiff_lines(h)
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
    for f in files:
        for name in (f.path, f.old_path):
            if name is not None and not safe_path(name):
                raise InputError(f"{where}: invalid path {name[:200]!r} in the diff (git apply refuses it too)")
    _check_truncation(files, where)
    _check_overlong(text, files, where)
    return tuple(files)


def unidiff_lines(hunk) -> tuple[DiffLine, ...]:
    """The lines of a hunk unidiff parsed in full (the reference ``_hunk_bodies`` reads as)."""
    return tuple(
        DiffLine(
            kind=ln.line_type if ln.line_type in "+- " else " ",
            text=ln.value.rstrip("\n").rstrip("\r"),
            new_line=ln.target_line_no,
            old_line=ln.source_line_no,
        )
        for ln in hunk
        if ln.line_type in ("+", "-", " ")
    )


def _hunk_bodies(text: str) -> list[tuple[DiffLine, ...]] | None:
    """The lines of every hunk, in order, read as unidiff's hunk parser reads them: lines split at
    ``\\n`` only, a hunk as long as its header counts (at least one line), ``\\`` lines counted as
    nothing, an empty line (or one starting with ``\\r``) as empty context.  None where unidiff would
    refuse the diff (the caller then lets unidiff say why)."""
    from unidiff.constants import RE_HUNK_HEADER

    out: list[tuple[DiffLine, ...]] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the text's final newline ends the last line; it does not start another
    i, n = 0, len(lines)
    new_diffline = DiffLine
    while i < n:
        line = lines[i]
        i += 1
        if line[:2] != "@@":
            continue
        m = RE_HUNK_HEADER.match(line)
        if m is None:
            continue
        old_no, old_len, new_no, new_len = (int(m.group(1)), int(m.group(2) or 1), int(m.group(3)),
                                            int(m.group(4) or 1))
        old_end, new_end = old_no + old_len, new_no + new_len
        got: list[DiffLine] = []
        while True:
            if i >= n:
                return None  # cut short
            line = lines[i]
            i += 1
            kind = line[:1]
            if kind == "+":
                got.append(new_diffline("+", line[1:].rstrip("\r"), new_no, None))
                new_no += 1
            elif kind == "-":
                got.append(new_diffline("-", line[1:].rstrip("\r"), None, old_no))
                old_no += 1
            elif kind == " ":
                got.append(new_diffline(" ", line[1:].rstrip("\r"), new_no, old_no))
                new_no += 1
                old_no += 1
            elif kind == "" or kind == "\r":
                got.append(new_diffline(" ", "", new_no, old_no))
                new_no += 1
                old_no += 1
            elif kind != "\\":
                return None
            if old_no > old_end or new_no > new_end:
                return None
            if old_no == old_end and new_no == new_end:
                break
        out.append(tuple(got))
    return out


def trim_footers(text: str) -> str:
    """The diff without the mail footer that follows a file's last complete hunk.

    Hunks are walked by their header counts, as git apply does; an empty
    line inside a hunk is a context line (as git reads it).
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        m = _HUNK_HEADER.match(line)
        out.append(line)
        i += 1
        if m is None:
            continue
        old = int(m.group(1)) if m.group(1) is not None else 1
        new = int(m.group(2)) if m.group(2) is not None else 1
        while i < n and (old > 0 or new > 0):
            ln = lines[i]
            kind = ln[:1]
            if kind == " " or ln in ("\n", "\r\n"):
                old, new = old - 1, new - 1
            elif kind == "-":
                old -= 1
            elif kind == "+":
                new -= 1
            elif kind != "\\":
                break  # cut short: the truncation check says so
            out.append(ln)
            i += 1
        while i < n and lines[i].startswith("\\"):
            out.append(lines[i])
            i += 1
        i = _footer_end(lines, i)
    return "".join(out)


def _footer_end(lines: list[str], i: int) -> int:
    """Where the text after a complete hunk (from ``i`` to the next ``diff --git``) ends when it is a
    mail footer -- blank lines, then a signature or b4/format-patch footer line, and no further hunk --
    else ``i``.  It stops at the first line that decides: usually the next hunk's header, so a file
    of many hunks is not scanned to its end after each one."""
    n = len(lines)
    first = i
    while first < n and not lines[first].strip():
        first += 1
    if first == n or lines[first].startswith("diff --git "):
        return first  # only blank lines
    if lines[first].startswith("@@ -") or not _FOOTER_START.match(lines[first]):
        return i
    end = first
    while end < n and not lines[end].startswith("diff --git "):
        if lines[end].startswith("@@ -"):
            return i
        end += 1
    return end


def _check_cut_headers(text: str, where: str) -> None:
    """A ``diff --git`` section with neither a hunk nor a metadata change is a
    patch cut short: git apply refuses it ("patch with only garbage")."""
    starts = [_diff_start(text, 0)]
    while starts[-1] < len(text):
        starts.append(_diff_start(text, starts[-1] + 1))
    for a, b in zip(starts, starts[1:]):
        section = text[a:b]
        if "\n@@ " not in section and not _METADATA.search(section):
            name = section.split("\n", 1)[0][len("diff --git "):][:200]
            raise InputError(f"{where}: the diff of {name} has no hunks (the patch is cut short); regenerate it")


_CONTROL = re.compile(r"[\x00-\x1f]")  # characters below 32


def safe_path(name: str) -> bool:
    """A path git apply would write: relative, no empty, ``.`` or ``..``
    component, no ``.git`` directory, no control characters (verify_path)."""
    if not name or name.startswith("/") or "\\" in name or _CONTROL.search(name):
        return False
    parts = name.split("/")
    return all(p not in ("", ".", "..") and p.lower() != ".git" for p in parts)


def _strip_prefix(name: str | None) -> str | None:
    if not name or name == "/dev/null":
        return None
    return name[2:] if name[:2] in ("a/", "b/") else name


# A changed line (not a ---/+++ file header): counted as a line start (the text's or one after a newline)
# with a literal newline, which re scans for quickly, not with a multi-line "^" tried at every position.
_CHANGED = "[+-](?![+-]{2} )"
_CHANGED_LINE_START = re.compile(_CHANGED)
_CHANGED_LINE_AFTER_NL = re.compile("\n" + _CHANGED)


def _check_overlong(text: str, files: list[FileChange], where: str) -> None:
    """A hunk header that counts fewer lines than follow it makes unidiff drop
    the rest silently; say so rather than check a file cut short."""
    if "GIT binary patch" in text:
        return
    in_diff = len(_CHANGED_LINE_AFTER_NL.findall(text)) + (1 if _CHANGED_LINE_START.match(text) else 0)
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
