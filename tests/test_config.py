"""Configuration files: where they are found, precedence, and every error being one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLES, run_cli
from reviewtool.config import apply_config, load_config, parse_file, repo_top, user_config_path
from reviewtool.errors import InputError
from reviewtool.runner import CheckRequest

BAD_SAMPLE = SAMPLES / "acme-mbox-v2-bad"


@pytest.fixture
def places(tmp_path) -> dict[str, Path]:
    """A git work tree with a subdirectory, and a user config dir; nothing from the real HOME."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub" / "deeper").mkdir(parents=True)
    user = tmp_path / "xdg" / "reviewtool"
    user.mkdir(parents=True)
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    return {"repo": repo, "user": user / "config.toml", "repofile": repo / ".reviewtool.toml", "env": env,
            "cwd": repo / "sub" / "deeper", "tmp": tmp_path}


def test_files_are_found_from_a_subdirectory(places):
    assert repo_top(places["cwd"]) == places["repo"]
    assert user_config_path(places["env"]) == places["user"]
    assert user_config_path({"HOME": "/h"}) == Path("/h/.config/reviewtool/config.toml")
    places["user"].write_text('fail-on = "warning"\n')
    places["repofile"].write_text('fail-on = "info"\n')
    cfg = load_config(places["cwd"], places["env"])
    assert cfg.files == [places["user"], places["repofile"]]


def test_precedence_cli_over_repo_over_user_over_defaults(places):
    (places["repo"] / "myrules").mkdir()
    (places["user"].parent / "userrules").mkdir()
    places["user"].write_text(
        'fail-on = "none"\n'
        'lore-url = "https://user.example.org/all"\n'
        'timeout = 5\n'
        'rules-dirs = ["userrules"]\n'
        'disable = ["commit/empty-body"]\n'
        '[severity]\n"binding/license" = "info"\n"commit/change-id" = "error"\n'
    )
    places["repofile"].write_text(
        'fail-on = "warning"\n'
        'cache = false\n'
        'rules-dirs = ["myrules"]\n'
        'disable = ["subject/redundant-binding"]\n'
        '[severity]\n"binding/license" = "error"\n'
    )
    cfg = load_config(places["cwd"], places["env"])
    # Defaults: nothing given anywhere.
    req = apply_config(CheckRequest(sources=["x"]), cfg)
    assert req.fail_on == "warning"  # repo over user
    assert req.lore_url == "https://user.example.org/all" and req.timeout == 5.0  # user over default
    assert req.no_cache is True
    assert req.severity == {"binding/license": "error", "commit/change-id": "error"}  # merged per rule
    assert req.disable == ["commit/empty-body", "subject/redundant-binding"]  # lists accumulate
    assert req.rules_dirs == [str((places["user"].parent / "userrules").resolve()),
                              str((places["repo"] / "myrules").resolve())]  # relative to their file
    # The command line wins.
    req = apply_config(CheckRequest(sources=["x"], fail_on="error", lore_url="https://cli.example.org/all",
                                    timeout=1.0, only=["subject/redundant-binding"], disable=["commit/signed-off-by"],
                                    rules_dirs=["/cli/rules"]), cfg)
    assert (req.fail_on, req.lore_url, req.timeout) == ("error", "https://cli.example.org/all", 1.0)
    assert req.disable == ["commit/empty-body", "commit/signed-off-by"]  # --only re-enables
    assert req.rules_dirs[-1] == "/cli/rules"
    # A file can only be stronger than defaults, never than what is absent from it.
    assert apply_config(CheckRequest(sources=["x"]), load_config(places["tmp"], {"HOME": "/nonexistent"})) == \
        CheckRequest(sources=["x"])


@pytest.mark.parametrize(("text", "expected"), [
    ('fail_on = "warning"\n', "unknown key 'fail_on'; did you mean 'fail-on'?"),
    ('colour = true\n', "unknown key 'colour' (known: rules-dirs,"),
    ('fail-on = "fatal"\n', "fail-on: got 'fatal'"),
    ('timeout = -1\n', "timeout: got -1"),
    ('timeout = "10"\n', "timeout: got '10'"),
    ('cache = "no"\n', "cache: got 'no'"),
    ('lore-url = "lore.kernel.org"\n', "lore-url: got 'lore.kernel.org'"),
    ('disable = "subject"\n', "disable: 'subject' is not a rule id like 'family/name'"),
    ('disable = [1]\n', "disable: got [1]"),
    ('rules-dirs = ["nowhere"]\n', "rules-dirs: 'nowhere' is not a directory"),
    ('tree = "nowhere"\n', "tree: 'nowhere' is not a directory"),
    ('severity = "error"\n', "severity: got 'error'"),
    ('[severity]\n"binding/license" = "fatal"\n', "severity.binding/license: must be error, warning or info (got 'fatal')"),
    ('[severity]\nlicense = "error"\n', "severity: 'license' is not a rule id"),
    ('fail-on = \n', "invalid TOML"),
])
def test_bad_values_name_the_file_and_key(places, text, expected):
    places["repofile"].write_text(text)
    with pytest.raises(InputError) as exc:
        parse_file(places["repofile"])
    msg = str(exc.value)
    assert msg.startswith(f"{places['repofile']}: ") and expected in msg and "\n" not in msg


def _cli(places, *args):
    env = {**places["env"], "NO_COLOR": "1"}
    return run_cli(*args, cwd=places["cwd"], env=env)


def test_unknown_rule_id_in_a_file_is_an_error(places):
    places["repofile"].write_text('disable = ["subject/redundant-bindings"]\n')
    proc = _cli(places, "check", str(BAD_SAMPLE))
    assert proc.returncode == 2
    err = proc.stderr.decode().strip()
    assert err == (f"reviewtool: error: {places['repofile']}: disable: unknown rule id "
                   "'subject/redundant-bindings'; did you mean 'subject/redundant-binding'?")
    places["repofile"].write_text('[severity]\n"nope/nope" = "info"\n')
    proc = _cli(places, "check", str(BAD_SAMPLE))
    assert proc.returncode == 2 and b"severity: unknown rule id 'nope/nope'" in proc.stderr
    # --no-config skips the broken file.
    assert _cli(places, "check", str(BAD_SAMPLE), "--no-config", "--fail-on", "none").returncode == 0


def test_bad_user_file_is_reported_with_its_path(places):
    places["user"].write_text("fail-on = [\n")
    proc = _cli(places, "check", str(BAD_SAMPLE))
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith(f"reviewtool: error: {places['user']}: invalid TOML")
    assert len(proc.stderr.decode().strip().splitlines()) == 1


def _findings(proc) -> dict[str, str]:
    doc = json.loads(proc.stdout)
    return {f["rule"]: f["severity"] for s in doc["series"] for f in s["findings"]}


def test_config_changes_a_real_run(places):
    base = _findings(_cli(places, "check", str(BAD_SAMPLE), "--format", "json", "--fail-on", "none", "--no-config"))
    assert base["binding/license"] == "warning" and "subject/redundant-binding" in base
    places["user"].write_text('fail-on = "none"\n[severity]\n"binding/license" = "info"\n')
    places["repofile"].write_text('fail-on = "warning"\ndisable = ["subject/redundant-binding"]\n'
                                  '[severity]\n"binding/license" = "error"\n')
    proc = _cli(places, "check", str(BAD_SAMPLE), "--format", "json")
    got = _findings(proc)
    assert got["binding/license"] == "error"  # repo over user
    assert "subject/redundant-binding" not in got  # switched off
    assert proc.returncode == 1  # fail-on warning from the repo file
    assert _cli(places, "check", str(BAD_SAMPLE), "--format", "json", "--fail-on", "none").returncode == 0  # CLI wins
    got = _findings(_cli(places, "check", str(BAD_SAMPLE), "--format", "json", "--only", "subject/redundant-binding"))
    assert set(got) == {"subject/redundant-binding"}  # --only beats the file's disable


def test_rules_dirs_from_the_repo_file(places):
    rules = places["repo"] / "review-rules"
    rules.mkdir()
    (rules / "local.yaml").write_text(
        "rules:\n"
        "  - id: local/acme-word\n"
        "    severity: info\n"
        "    summary: Subject says ACME.\n"
        "    rationale: A local house rule.\n"
        "    references: [\"https://lore.kernel.org/r/house-rule@example.org\"]\n"
        "    match: {subject: 'ACME'}\n"
        "    message: ACME is mentioned.\n"
        "    examples: {bad: [{subject: 'misc: ACME thing'}], good: [{subject: 'misc: thing'}]}\n")
    places["repofile"].write_text('rules-dirs = ["review-rules"]\n')
    got = _findings(_cli(places, "check", str(BAD_SAMPLE), "--format", "json", "--fail-on", "none"))
    assert got.get("local/acme-word") == "info"
    listed = json.loads(_cli(places, "rules", "--format", "json").stdout)
    assert "local/acme-word" in {r["id"] for r in listed}
