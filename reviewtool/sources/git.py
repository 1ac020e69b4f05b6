"""A git revision range (or a ``b4 prep`` branch) as a series.

Each commit is rendered by ``git format-patch`` and the mail goes through
the same grouping and parsing as a mailbox, so a branch and the series sent
from it give the same findings.  Message-IDs are derived from the commit ids
so two runs on the same branch give identical reports.

``--prep`` reads the branch the way ``b4 prep`` tracks it: b4's own helpers
(b4.ez) find the cover letter (an empty commit at the start of the branch,
one at its tip, or the branch description), the tracking data (revision,
change-id, prefixes) and the base of the series.

A plain range on a prep branch (``check v6.12..HEAD``) may hold b4's cover
commit too: it is recognised (empty, with b4's tracking marker) and becomes
the cover letter, so it is neither counted nor numbered as a patch.
"""

from __future__ import annotations

import argparse
import contextlib
import email.parser
import os
import re
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from ..model import Origin, Series
from .grouping import series_from_messages

_MBOX_FROM = re.compile(rb"^From ([0-9a-f]{40}) Mon Sep 17 00:00:00 2001$", re.M)
_FORMAT_ARGS = (
    "--stdout",
    "--no-cover-letter",
    "--no-thread",
    "--no-signature",
    "--no-binary",
    "--no-notes",
    "--no-relative",
    "--find-renames",
    "--encoding=utf-8",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


def _git_module():
    try:
        import git  # GitPython: heavy, imported only for git sources
    except ImportError:
        raise InputError("git ranges need GitPython, which is not installed") from None
    return git


def open_repo(source: str, repo_path: str | None) -> Any:
    """The repository named by --repo, else the one containing the cwd."""
    git = _git_module()
    where = repo_path or os.getcwd()
    try:
        return git.Repo(where, search_parent_directories=repo_path is None)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        if repo_path:
            raise InputError(f"--repo {repo_path}: not a git repository") from None
        raise InputError(
            f"{source}: no such file or directory (and {where} is not in a git repository, "
            "so it cannot be read as a revision range)"
        ) from None
    except git.GitCommandNotFound:
        raise InputError("git is not installed (needed to read a revision range)") from None


def _rev(repo: Any, rev: str, source: str) -> Any:
    try:
        return repo.commit(rev)
    except Exception:
        raise InputError(
            f"{source}: no such file, and {rev!r} is not a revision in {repo.working_tree_dir or repo.git_dir}"
        ) from None


def parse_range(repo: Any, source: str) -> tuple[Any, Any]:
    """(base commit, tip commit) for 'A..B', 'A..', '..B' or a single 'A' (= A..HEAD, as format-patch)."""
    if "..." in source:
        raise InputError(f"{source}: symmetric ranges (A...B) are not supported; give A..B")
    if ".." in source:
        a, _, b = source.partition("..")
        return _rev(repo, a or "HEAD", source), _rev(repo, b or "HEAD", source)
    return _rev(repo, source, source), _rev(repo, "HEAD", source)


def range_commits(repo: Any, base: Any, tip: Any, source: str, skip: set[str] = frozenset()) -> list[Any]:
    """Commits of base..tip, oldest first; merges and empty ranges are errors."""
    commits = [c for c in repo.iter_commits(f"{base.hexsha}..{tip.hexsha}", reverse=True) if c.hexsha not in skip]
    if not commits:
        hint = "" if ".." in source else f" ({source} alone means {source}..HEAD, as for git format-patch; " \
            f"for that one commit give {source}~1..{source})"
        raise InputError(f"{source}: no commits in this range (nothing between {base.hexsha[:12]} "
                         f"and {tip.hexsha[:12]}){hint}")
    for c in commits:
        if len(c.parents) > 1:
            raise InputError(
                f"{source}: {c.hexsha[:12]} (\"{c.summary}\") is a merge commit; "
                "check a range of ordinary commits (e.g. the ones after the merge)"
            )
    return commits


def format_patches(repo: Any, commits: list[Any], prefix: str = "PATCH", version: int | None = None) -> list[EmailMessage]:
    """Render the commits as git format-patch would, one message each."""
    args = [*_FORMAT_ARGS, f"--subject-prefix={prefix}"]
    if version and version > 1:
        args.append(f"-v{version}")
    args.append("--numbered" if len(commits) > 1 else "--no-numbered")
    args.extend(["--start-number=1", f"{commits[0].hexsha}~1..{commits[-1].hexsha}"])
    if not commits[0].parents:
        # A root commit has no parent to start from: use --root.
        args[-1:] = ["--root", commits[-1].hexsha]
    git = _git_module()
    try:
        data = repo.git.format_patch(*args, stdout_as_string=False)
    except git.GitCommandError as exc:
        raise InputError(f"git format-patch failed: {exc.stderr.strip() or exc}") from None
    if not data.endswith(b"\n"):
        data += b"\n"  # GitPython strips the final newline
    msgs = _split(data)
    wanted = {c.hexsha for c in commits}
    return [m for sha, m in msgs if sha in wanted]


def _split(data: bytes) -> list[tuple[str, EmailMessage]]:
    """Split format-patch output on its own 'From <sha> <magic date>' lines.

    Body lines starting with 'From ' are not escaped by format-patch, so a
    generic mbox splitter could cut a commit message in two; the magic date
    cannot occur in a commit message by accident.
    """
    starts = list(_MBOX_FROM.finditer(data))
    out: list[tuple[str, EmailMessage]] = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(data)
        chunk = data[m.end() + 1: end]
        msg = email.parser.BytesParser(policy=_policy(), _class=EmailMessage).parsebytes(chunk)
        out.append((m.group(1).decode(), msg))
    return out


def _policy():
    """b4's mail policy, so these messages look exactly like mailbox ones to grouping."""
    from . import b4setup

    return b4setup.ready().emlpolicy


def _set(msg: EmailMessage, name: str, value: str) -> None:
    del msg[name]
    msg[name] = value


def thread(msgs: list[EmailMessage], ids: list[str], cover: EmailMessage | None, cover_id: str) -> list[EmailMessage]:
    """Give every mail a stable Message-ID and thread it like git send-email."""
    out: list[EmailMessage] = []
    root = None
    if cover is not None:
        _set(cover, "Message-ID", cover_id)
        out.append(cover)
        root = cover_id
    for msg, mid in zip(msgs, ids):
        _set(msg, "Message-ID", mid)
        if root is not None:
            _set(msg, "In-Reply-To", root)
            _set(msg, "References", root)
        else:
            root = mid
        out.append(msg)
    return out


def _msgid(sha: str, n: int) -> str:
    return f"<{sha[:16]}-{n}@git.reviewtool>"


def _add_recipients(msgs: list[EmailMessage], tos: list[str], ccs: list[str]) -> None:
    for msg in msgs:
        if tos:
            _set(msg, "To", ", ".join([*(msg.get_all("To") or []), *tos]))
        if ccs:
            _set(msg, "Cc", ", ".join([*(msg.get_all("Cc") or []), *ccs]))


# b4.ez.MAGIC_MARKER: the line separating the cover text from b4's tracking JSON.
_B4_TRACKING_MARKER = "--- b4-submit-tracking ---"


def is_b4_cover_commit(commit: Any) -> bool:
    """b4 prep's cover commit: empty (same tree as its parent) and carrying b4's tracking marker."""
    if _B4_TRACKING_MARKER not in commit.message or len(commit.parents) != 1:
        return False
    return commit.tree.hexsha == commit.parents[0].tree.hexsha


def parse_b4_cover(message: str) -> tuple[str, dict]:
    """(cover text without b4's comment lines, tracking data) of a cover commit, as b4.ez.load_cover."""
    import json

    cover, _, magic = message.partition(_B4_TRACKING_MARKER)
    tracking: dict = {}
    if "{" in magic:
        try:
            loaded = json.loads("{" + magic.split("{", 1)[1])
            tracking = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            tracking = {}
    cover = re.sub(r"^#.*$", "", cover, flags=re.M)
    cover = re.sub(r"^>(#.*)$", r"\1", cover, flags=re.M)
    while "\n\n\n" in cover:
        cover = cover.replace("\n\n\n", "\n\n")
    return cover.strip(), tracking


def _build(msgs: list[EmailMessage], source: str, base: str | None, commits: list[Any],
           kind: str = "git") -> list[Series]:
    """The series, with a git origin: series rules then know a cover letter
    cannot be expected (format-patch --cover-letter or b4 send writes it)."""
    ids = [str(m["Message-ID"]).strip().strip("<>") for m in msgs]
    shas = [None] * (len(ids) - len(commits)) + [c.hexsha for c in commits]  # a made-up cover comes first
    origins = {mid: Origin(kind, commit=sha, message_id_made_up=True)  # type: ignore[arg-type]
               for mid, sha in zip(ids, shas)}
    series = series_from_messages(msgs, source, origin=Origin(kind, url=source),  # type: ignore[arg-type]
                                  message_origins=origins)
    return [replace(s, base_commit=base or s.base_commit, source=source) for s in series]


def load(source: str, opts: Any) -> list[Series]:
    """Entry point used by sources.resolve for anything that is not a file or Message-ID."""
    repo = open_repo(source, getattr(opts, "repo", None))
    if getattr(opts, "prep", False):
        return load_prep(repo, None if source in ("HEAD", "") else source)
    base, tip = parse_range(repo, source)
    commits = range_commits(repo, base, tip, source)
    covers = [c for c in commits if is_b4_cover_commit(c)]
    if covers:
        patches = [c for c in commits if c not in covers]
        if not patches:
            raise InputError(f"{source}: only b4's cover letter commit in this range, no patches")
        cover_text, tracking = parse_b4_cover(covers[-1].message)
        return _prep_series(repo, patches, cover_text, tracking, base.hexsha, tip.hexsha, source)
    msgs = format_patches(repo, commits)
    ids = [_msgid(c.hexsha, i) for i, c in enumerate(commits, 1)]
    msgs = thread(msgs, ids, None, "")
    return _build(msgs, source, base.hexsha, commits)


# --------------------------------------------------------------------------
# b4 prep branches


@contextlib.contextmanager
def _in_dir(path: str) -> Iterator[None]:
    """b4's git helpers run in the current directory; point them at the repo."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def load_prep(repo: Any, branch: str | None) -> list[Series]:
    from . import b4setup

    b4 = b4setup.ready()
    import b4.ez as ez

    workdir = repo.working_tree_dir or repo.git_dir
    if branch is None:
        try:
            branch = repo.active_branch.name
        except TypeError:
            raise InputError("--prep: HEAD is detached; check out the b4 prep branch first") from None
    label = f"{branch} (b4 prep)"
    with _in_dir(workdir):
        try:
            # b4 reads prep settings and the user's identity (it only trusts
            # cover commits by the current committer) from this repository.
            b4.setup_config(argparse.Namespace(config={"b4.attestation-policy": "off"}), topdir=workdir)
            if not ez.is_prep_branch(usebranch=branch):
                raise InputError(
                    f"--prep: {branch} is not a b4 prep branch (no cover letter commit or tracking data "
                    "from 'b4 prep'); check a range instead, e.g. 'reviewtool check origin/master..HEAD'"
                )
            cover_text, tracking = ez.load_cover(strip_comments=True, usebranch=branch)
            base_sha, start_sha, end_sha = ez.get_series_range(usebranch=branch)
            cover_sha = ez.find_cover_commit(usebranch=branch) if ez.get_cover_strategy(branch) != "branch-description" else None
        except InputError:
            raise
        except (SystemExit, RuntimeError, KeyError, ValueError) as exc:
            raise InputError(f"--prep: b4 could not read the prep branch {branch} ({exc or 'see b4 prep --show-info'})") from None
    start = repo.commit(start_sha)
    tip = repo.commit(end_sha)
    commits = range_commits(repo, start, tip, label, skip={cover_sha} if cover_sha else set())
    return _prep_series(repo, commits, cover_text, tracking, base_sha, tip.hexsha, label)


def _prep_series(repo: Any, commits: list[Any], cover_text: str, tracking: Any, base_sha: str, tip_sha: str,
                 label: str) -> list[Series]:
    """The series b4 send would mail from these commits and this cover text and tracking data."""
    from . import b4setup

    b4setup.ready()
    import b4.ez as ez

    series_info = tracking.get("series", {}) if isinstance(tracking, dict) else {}
    try:
        revision = int(series_info.get("revision") or 1)
    except (TypeError, ValueError):
        revision = 1
    change_id = series_info.get("change-id")
    prefixes = [p for p in series_info.get("prefixes", []) if isinstance(p, str) and p]
    csubject, cbody = ez.get_cover_subject_body(cover_text)
    tos, ccs, cbody = ez.get_cover_dests(cbody)
    prefix = " ".join(["PATCH", *prefixes])
    msgs = format_patches(repo, commits, prefix=prefix, version=revision)
    _add_recipients(msgs, tos, ccs)
    footer = f"\n\n---\nbase-commit: {base_sha}\n" + (f"change-id: {change_id}\n" if change_id else "")
    ids = [_msgid(c.hexsha, i) for i, c in enumerate(commits, 1)]
    cover = None
    if len(commits) > 1:
        cover = _cover_mail(msgs[0], csubject.subject or "(no cover subject)", prefix, revision, len(commits),
                            cbody + footer)
        _add_recipients([cover], tos, ccs)
    elif cbody.strip():
        _mix_in(msgs[0], cbody.strip() + footer)
    msgs = thread(msgs, ids, cover, _msgid(tip_sha, 0))
    return _build(msgs, label, base_sha, commits, kind="prep")


def _cover_mail(first: EmailMessage, subject: str, prefix: str, revision: int, total: int, body: str) -> EmailMessage:
    tag = prefix + (f" v{revision}" if revision > 1 else "") + f" 0/{total}"
    msg = EmailMessage(policy=_policy())
    msg["From"] = first["From"]
    msg["Date"] = first["Date"]
    msg["Subject"] = f"[{tag}] {subject}"
    msg.set_content(body.rstrip("\n") + "\n", charset="utf-8", cte="8bit")
    return msg


def _mix_in(msg: EmailMessage, text: str) -> None:
    """A one-patch prep series carries its cover text below '---', as b4 send does."""
    body = msg.get_content()
    head, sep, rest = body.partition("\n---\n")
    if not sep:
        return
    msg.set_content(f"{head}\n---\n{text}\n\n{rest}", charset="utf-8", cte="8bit")

