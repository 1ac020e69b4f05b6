"""`reviewtool check <range>` and `--prep` on real (temporary) git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import check_json, run_cli
from kernel_repo import EMAIL, SOB, KernelRepo

B4 = Path(sys.executable).with_name("b4")


@pytest.fixture
def repo(tmp_path) -> KernelRepo:
    return KernelRepo(tmp_path / "linux")


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    # A private cache and HOME: nothing outside tmp_path is read or written.
    return {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path / "home")}


def _two_commits(repo: KernelRepo) -> None:
    repo.branch("work")
    repo.commit(
        "misc: acme: Add widget helper",
        "From the datasheet: the widget needs a helper.\n\n--- not a diff separator\n+++ nor a file",
        {"drivers/misc/acme-widget.c": "// SPDX-License-Identifier: GPL-2.0\nint acme_widget;\n"},
    )
    repo.commit(
        "misc: acme: Use the widget helper",
        "The existing block now calls the helper.",
        {"drivers/misc/acme-existing.c": "// SPDX-License-Identifier: GPL-2.0\nint acme_existing;\n"},
    )


def _series(doc: dict) -> dict:
    (s,) = doc["series"]
    return s


def test_range_becomes_numbered_series(repo, env):
    _two_commits(repo)
    s = _series(check_json("master..work", cwd=repo.path, env=env))
    assert [p["subject"] for p in s["patches"]] == [
        "[PATCH 1/2] misc: acme: Add widget helper",
        "[PATCH 2/2] misc: acme: Use the widget helper",
    ]
    assert s["expected"] == 2 and s["revision"] == 1
    # Deterministic ids: a second run gives the same report.
    assert check_json("master..work", cwd=repo.path, env=env) == check_json("master..work", cwd=repo.path, env=env)


def test_same_content_as_format_patch_mail(repo, tmp_path):
    """The git source and 'git format-patch' + the mbox source agree on every field."""
    _two_commits(repo)
    from reviewtool.sources.git import load
    from reviewtool.sources.mbox import load as load_mbox
    from reviewtool.sources.resolve import LoadOptions

    mbox = tmp_path / "series.mbox"
    mbox.write_bytes(subprocess.run(["git", "format-patch", "--stdout", "master..work"], cwd=repo.path,
                                    capture_output=True, check=True).stdout)
    old = os.getcwd()
    os.chdir(repo.path)
    try:
        (from_git,) = load("master..work", LoadOptions())
    finally:
        os.chdir(old)
    (from_mail,) = load_mbox(str(mbox))
    assert from_git.base_commit == repo.base
    for a, b in zip(from_git.patches, from_mail.patches, strict=True):
        assert (a.n, a.total, a.subject, a.author, a.date) == (b.n, b.total, b.subject, b.author, b.date)
        assert a.commit_message == b.commit_message
        assert a.trailers == b.trailers
        assert a.files == b.files
    first = from_git.patches[0]
    assert first.commit_message.startswith("From the datasheet")  # not split as an mbox 'From ' line
    assert [t.value for t in first.trailers] == [SOB.split(": ", 1)[1]]
    assert first.author.email == EMAIL
    assert [(f.path, f.status) for f in first.files] == [("drivers/misc/acme-widget.c", "added")]


def test_range_forms_and_repo_option(repo, env, tmp_path):
    _two_commits(repo)
    tip = repo.git("rev-parse", "HEAD")
    one = _series(check_json("HEAD~1..", cwd=repo.path, env=env))
    assert [p["subject"] for p in one["patches"]] == ["[PATCH] misc: acme: Use the widget helper"]
    since = _series(check_json("master", cwd=repo.path, env=env))  # like format-patch: master..HEAD
    assert len(since["patches"]) == 2
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    remote = _series(check_json(f"{repo.base}..{tip}", "--repo", str(repo.path), cwd=elsewhere, env=env))
    assert len(remote["patches"]) == 2


def test_merge_commit_is_a_clear_error(repo, env):
    repo.branch("side")
    repo.commit("misc: acme: Side change", "Side.", {"drivers/misc/side.c": "int side;\n"})
    repo.branch("main2")
    repo.commit("misc: acme: Main change", "Main.", {"drivers/misc/main.c": "int main2;\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
    proc = run_cli("check", "master..main2", cwd=repo.path, env=env)
    assert proc.returncode == 2
    err = proc.stderr.decode().strip()
    assert "merge commit" in err and "Merge side" in err and len(err.splitlines()) == 1


def test_empty_range_and_bad_revision(repo, env, tmp_path):
    proc = run_cli("check", "master..master", cwd=repo.path, env=env)
    assert proc.returncode == 2 and b"no commits in this range" in proc.stderr
    proc = run_cli("check", "no-such-branch..master", cwd=repo.path, env=env)
    assert proc.returncode == 2 and b"not a revision" in proc.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    proc = run_cli("check", "missing.mbox", cwd=plain, env=env)
    assert proc.returncode == 2 and b"no such file" in proc.stderr and b"Traceback" not in proc.stderr
    proc = run_cli("check", "HEAD", "--repo", str(plain), cwd=plain, env=env)
    assert proc.returncode == 2 and b"not a git repository" in proc.stderr


def test_prep_without_b4_branch_is_explained(repo, env):
    _two_commits(repo)
    proc = run_cli("check", "--prep", cwd=repo.path, env=env)
    assert proc.returncode == 2
    assert b"not a b4 prep branch" in proc.stderr and b"Traceback" not in proc.stderr


def test_no_source_needs_prep(repo, env):
    proc = run_cli("check", cwd=repo.path, env=env)
    assert proc.returncode == 2 and b"--prep" in proc.stderr


def _b4(repo: KernelRepo, *args: str, env: dict) -> None:
    full = dict(os.environ)
    full.update(env)
    proc = subprocess.run([str(B4), *args], cwd=repo.path, capture_output=True, env=full)
    assert proc.returncode == 0, proc.stderr.decode()


@pytest.mark.skipif(not B4.exists() or shutil.which("git") is None, reason="b4 command not installed")
@pytest.mark.parametrize("strategy", ["commit", "branch-description"])
def test_prep_branch_with_cover_letter(repo, env, strategy):
    (Path(env["HOME"])).mkdir(exist_ok=True)
    repo.git("config", "b4.prep-cover-strategy", strategy)
    repo.branch("start")
    _b4(repo, "prep", "-n", "acme-widget", env=env)
    repo.commit("misc: acme: Add widget helper", "The widget needs a helper.",
                {"drivers/misc/acme-widget.c": "// SPDX-License-Identifier: GPL-2.0\nint acme_widget;\n"})
    repo.commit("misc: acme: Use the widget helper", "The existing block now calls the helper.",
                {"drivers/misc/acme-existing.c": "// SPDX-License-Identifier: GPL-2.0\nint acme_existing;\n"})
    s = _series(check_json("--prep", cwd=repo.path, env=env))
    assert s["subject"] == "EDITME: cover title for acme-widget"
    assert [p["n"] for p in s["patches"]] == [1, 2]  # the cover commit is not a patch
    assert s["patches"][0]["subject"] == "[PATCH 1/2] misc: acme: Add widget helper"
    assert not any(f["rule"] == "series/missing-cover-letter" for f in s["findings"])

    from reviewtool.sources.git import load
    from reviewtool.sources.resolve import LoadOptions

    (series,) = load("HEAD", LoadOptions(repo=str(repo.path), prep=True))
    assert series.base_commit == repo.base
    assert series.change_id and "acme-widget" in series.change_id
    assert series.cover is not None and series.cover.n == 0


def test_reflog_ranges_are_git_not_message_ids(repo, env):
    from reviewtool.sources.resolve import kind_of

    assert kind_of("HEAD@{1}..HEAD") == "git" and kind_of("@{u}..") == "git"
    assert kind_of("<20251225-nippy-umber-inchworm-ced095@quoll>") == "lore"
    _two_commits(repo)
    s = _series(check_json("HEAD@{1}..HEAD", cwd=repo.path, env=env))
    assert [p["subject"] for p in s["patches"]] == ["[PATCH] misc: acme: Use the widget helper"]


@pytest.mark.skipif(not B4.exists() or shutil.which("git") is None, reason="b4 command not installed")
def test_range_on_a_prep_branch_takes_the_cover_commit_as_cover_letter(repo, env):
    """`check master..HEAD` on a b4 prep branch: b4's empty cover commit is the
    cover letter, not patch 1 of 3 (no false "patch 1 is missing", no renumbering)."""
    (Path(env["HOME"])).mkdir(exist_ok=True)
    repo.branch("start")
    _b4(repo, "prep", "-n", "acme-widget", env=env)
    repo.commit("misc: acme: Add widget helper", "The widget needs a helper.",
                {"drivers/misc/acme-widget.c": "// SPDX-License-Identifier: GPL-2.0\nint acme_widget;\n"})
    repo.commit("misc: acme: Use the widget helper", "The existing block now calls the helper.",
                {"drivers/misc/acme-existing.c": "// SPDX-License-Identifier: GPL-2.0\nint acme_existing;\n"})
    s = _series(check_json("master..HEAD", cwd=repo.path, env=env))
    assert [p["n"] for p in s["patches"]] == [1, 2]
    assert s["expected"] == 2 and s["subject"] == "EDITME: cover title for acme-widget"
    assert [p["subject"] for p in s["patches"]] == ["[PATCH 1/2] misc: acme: Add widget helper",
                                                    "[PATCH 2/2] misc: acme: Use the widget helper"]
    rules = {f["rule"] for f in s["findings"]}
    assert not rules & {"series/incomplete", "series/missing-cover-letter"}, rules
    assert "series/unedited-cover-letter" in rules  # b4's own "EDITME: cover title for ..."

    from reviewtool.sources.git import is_b4_cover_commit, load, open_repo
    from reviewtool.sources.resolve import LoadOptions

    (series,) = load("master..HEAD", LoadOptions(repo=str(repo.path)))
    assert series.cover is not None and series.cover.n == 0 and series.origin.from_git
    assert series.change_id and "acme-widget" in series.change_id
    git_repo = open_repo("HEAD", str(repo.path))
    assert sum(is_b4_cover_commit(c) for c in git_repo.iter_commits("master..HEAD")) == 1
    # An ordinary empty commit is not b4's cover letter.
    assert not any(is_b4_cover_commit(c) for c in git_repo.iter_commits("master"))


def test_cover_commit_at_the_tip_of_a_range(repo, env):
    """b4's tip-commit strategy keeps the cover commit last: still the cover letter."""
    _two_commits(repo)
    tracking = '{"series": {"revision": 3, "change-id": "20250101-widget-0123456789ab", "prefixes": ["RFC"]}}'
    repo.commit("acme: widget rework", "The widget rework, in two steps.\n\n--- b4-submit-tracking ---\n"
                "# This section is used internally by b4 prep for tracking purposes.\n" + tracking,
                signoff=False, allow_empty=True)
    s = _series(check_json("master..HEAD", cwd=repo.path, env=env))
    assert s["subject"] == "acme: widget rework" and s["revision"] == 3
    assert [p["subject"] for p in s["patches"]] == ["[PATCH RFC v3 1/2] misc: acme: Add widget helper",
                                                    "[PATCH RFC v3 2/2] misc: acme: Use the widget helper"]
    # Only the cover commit in the range: a clear error, not an empty series.
    proc = run_cli("check", "HEAD~1..HEAD", cwd=repo.path, env=env)
    assert proc.returncode == 2 and b"cover letter commit" in proc.stderr
