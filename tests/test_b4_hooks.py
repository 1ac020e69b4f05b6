"""reviewtool as a b4 check hook, run by the real b4 (0.16) and read by b4's own parsers.

``b4 am --check`` runs ``b4.am-perpatch-check-cmd`` once per patch with the
patch on stdin and the git top-level as cwd, and prints what it parsed:
a blinking red dot for a failure (a line with ``ERROR:``, or stderr), a red
dot for a warning, a green one with "passed all checks" for empty output.
It also caches each parsed result as JSON ``[[flag, text], ...]`` under
``$XDG_CACHE_HOME/b4/*.checks``; we read those too, so the flags asserted
are b4's own, not our reading of its colours.

``b4 review`` reads JSON instead; ``b4.review.checks.run_perpatch_checks`` is
the function its TUI calls, and we call it directly.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES

B4 = Path(sys.executable).with_name("b4")
pytestmark = pytest.mark.skipif(not B4.exists(), reason=f"b4 not installed next to {sys.executable}")

DOT = "\u25cf"
FLAG_OF_COLOUR = {"\x1b[31;5m": "fail", "\x1b[31m": "warning", "\x1b[32m": "success", "\x1b[90m": "pending"}
CHECK_LINE = re.compile(r"^\s+(\x1b\[[0-9;]+m)" + DOT + r"\x1b\[0m (.*)$")
PATCH_LINE = re.compile(r"^  \[PATCH[^\]]*\] (.*)$")
FINDING = re.compile(r"^(?:\S+:)?\d+: (ERROR|WARNING|INFO): ([a-z][a-z0-9-]*/[a-z0-9-]+): \S")


def series_scope_rules() -> set[str]:
    from reviewtool.catalog import load_catalog

    return {r.id for r in load_catalog() if r.scope == "series"}


def hook_cmd(fmt: str = "terse") -> str:
    return f"{shlex.quote(sys.executable)} -m reviewtool check - --format {fmt}"


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWTOOL_", "GIT_", "B4_"))}
    env.update(HOME=str(tmp / "home"), XDG_CACHE_HOME=str(tmp / "cache"), XDG_CONFIG_HOME=str(tmp / "config"),
               XDG_DATA_HOME=str(tmp / "data"), GIT_CONFIG_NOSYSTEM="1", NO_COLOR="",
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
               # The resident hook worker stays on, as users have it, but in the test's own
               # runtime dir and short-lived (conftest also stops it when the session ends).
               XDG_RUNTIME_DIR=str(tmp / "run"), REVIEWTOOL_WORKER_IDLE="120")
    for d in ("home", "cache", "config", "data", "run"):
        (tmp / d).mkdir(exist_ok=True)
    return env


def _repo(tmp: Path, env: dict[str, str], config_toml: str | None = None) -> Path:
    repo = tmp / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.name", "Mae Ntainer")
    git("config", "user.email", "mae@example.org")
    git("config", "b4.attestation-policy", "off")
    git("config", "--add", "b4.am-perpatch-check-cmd", hook_cmd())
    if config_toml is not None:
        (repo / ".reviewtool.toml").write_text(config_toml)
    git("commit", "-q", "--allow-empty", "-m", "base")
    return repo


def _b4_am_check(tmp: Path, repo: Path, env: dict[str, str], mbox: Path) -> tuple[dict[str, list], list]:
    proc = subprocess.run([str(B4), "--offline-mode", "am", "--check", "-m", str(mbox), "-o", str(tmp / "out")],
                          cwd=repo, env=env, capture_output=True, timeout=600)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out
    sections: dict[str, list] = {}
    current = None
    for line in out.splitlines():
        if m := PATCH_LINE.match(line):
            current = sections.setdefault(m.group(1), [])
        elif (m := CHECK_LINE.match(line)) and current is not None:
            current.append((FLAG_OF_COLOUR[m.group(1)], m.group(2)))
    cached = []
    for f in sorted((tmp / "cache" / "b4").glob("*.checks")):
        cached.extend(tuple(x) for x in json.loads(f.read_text()))
    return sections, cached


def _strip_cmd(text: str) -> str:
    """b4 prefixes every line with the command's basename."""
    prefix = os.path.basename(sys.executable) + ": "
    assert text.startswith(prefix), text
    return text[len(prefix):]


@pytest.fixture(scope="module")
def bao_am(tmp_path_factory):
    """One ``b4 am --check`` run on Bao v2 (each patch costs a reviewtool start-up)."""
    from conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"real-mail corpus not found at {CORPUS}")
    tmp = tmp_path_factory.mktemp("b4am")
    env = _env(tmp)
    # A repository config makes one rule fatal: b4 must show it as a failure.
    repo = _repo(tmp, env, '[severity]\n"subject/dt-bindings-prefix" = "error"\n')
    sections, cached = _b4_am_check(tmp, repo, env, CORPUS / "bao-v2.mbox")
    return {"sections": sections, "cached": cached, "env": env}


def test_b4_am_check_shows_findings_errors_fail(bao_am):
    sections, cached = bao_am["sections"], bao_am["cached"]

    assert len(sections) == 6, sections
    binding_patches = [s for s in sections if s.startswith("dt-bindings:")]
    assert len(binding_patches) == 2
    for subject in binding_patches:
        lines = {_strip_cmd(text): flag for flag, text in sections[subject]}
        by_rule = {FINDING.match(t).group(2): (FINDING.match(t).group(1), flag) for t, flag in lines.items()}
        assert by_rule["subject/dt-bindings-prefix"] == ("ERROR", "fail")
        assert by_rule["subject/redundant-binding"] == ("WARNING", "warning")
        assert by_rule["subject/driver-in-binding"] == ("WARNING", "warning")
    every = [(flag, _strip_cmd(text)) for lines in sections.values() for flag, text in lines]
    series_rules = series_scope_rules()
    for flag, text in every:
        if text == "passed all checks":
            assert flag == "success"
            continue
        m = FINDING.match(text)
        assert m, f"not a finding line (stderr noise?): {text!r}"
        assert flag == ("fail" if m.group(1) == "ERROR" else "warning"), text
        # One patch at a time: nothing about the series as a whole.
        assert m.group(2) not in series_rules, text
    # What b4 cached is exactly what it printed: its own parse of our output.
    assert sorted(cached) == sorted((flag, text) for lines in sections.values() for flag, text in lines)


def test_b4_am_check_matches_reviewtool_per_patch(bao_am, corpus):
    """Per patch, b4 shows the subject findings reviewtool reports for that patch."""
    sections, env = bao_am["sections"], bao_am["env"]
    proc = subprocess.run([sys.executable, "-m", "reviewtool", "check", str(corpus / "bao-v2.mbox"), "--format",
                           "json", "--fail-on", "none", "--no-config"], capture_output=True, env=env, timeout=300)
    doc = json.loads(proc.stdout)
    (series,) = doc["series"]
    for p in series["patches"]:
        subject = re.sub(r"^\[[^\]]*\] ", "", p["subject"])
        want = {f["rule"] for f in series["findings"] if f["patch"] == p["n"] and f["rule"].startswith("subject/")}
        shown = {FINDING.match(_strip_cmd(t)).group(2) for _, t in sections[subject]
                 if FINDING.match(_strip_cmd(t))}
        assert {r for r in shown if r.startswith("subject/")} == want, subject


def test_b4_am_check_clean_series_passes(tmp_path):
    env = _env(tmp_path)
    repo = _repo(tmp_path, env)
    mbox = tmp_path / "clean.mbox"
    mbox.write_bytes(b"".join(p.read_bytes().rstrip(b"\n") + b"\n\n"
                              for p in sorted((SAMPLES / "acme-pwm-clean").glob("*.patch"))))
    sections, cached = _b4_am_check(tmp_path, repo, env, mbox)
    assert len(sections) == 3
    for subject, lines in sections.items():
        assert [(flag, _strip_cmd(t)) for flag, t in lines] == [("success", "passed all checks")], subject
    assert len(cached) == 3


# --------------------------------------------------------------------------- b4 review (JSON)


def _messages(mbox: Path) -> list[email.message.EmailMessage]:
    import mailbox

    return [email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
            for m in mailbox.mbox(str(mbox))]


def test_b4_review_parser_accepts_our_json(corpus, tmp_path, monkeypatch):
    from b4.review import checks

    env = _env(tmp_path)
    repo = _repo(tmp_path, env)
    for k in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "PYTHONPATH"):
        monkeypatch.setenv(k, env[k])
    # A binding patch and a driver patch (each check is a full reviewtool start-up).
    msgs = [m for m in _messages(corpus / "bao-v2.mbox")
            if re.match(r"\[PATCH [23]/6\]", str(m["Subject"]))]
    patches = [(str(m["Message-ID"]).strip("<>"), m) for m in msgs]
    assert len(patches) == 2
    results = checks.run_perpatch_checks(patches, [hook_cmd("b4review")], str(repo))

    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.executescript(checks.SCHEMA_SQL)
    statuses = {}
    for msgid, res in results.items():
        assert len(res) == 1, res  # one result per patch, not an error fallback
        (r,) = res
        assert r["tool"] == "reviewtool", r
        assert not r["summary"].startswith(("invalid JSON", "exited with")), r
        statuses[msgid] = r["status"]
        if r["status"] == "pass":
            assert r["summary"] == "passed all checks" or "info" in r["summary"]
        else:
            details = json.loads(r["details"])  # a structured check list, as the TUI renders it
            assert details and all({"status", "context", "description", "srcline"} <= set(d) for d in details)
            assert {d["status"] for d in details} <= {"pass", "warn", "fail"}
        checks.store_results(db, msgid, res)  # b4 stores them as they are: every value must be text
    subjects = {str(m["Message-ID"]).strip("<>"): str(m["Subject"]) for m in msgs}
    for msgid, status in statuses.items():
        if "dt-bindings:" in subjects[msgid]:
            assert status == "warn", subjects[msgid]
    cached = checks.get_cached_results(db, list(results))
    assert set(cached) == set(results)
    binding = next(mid for mid, s in subjects.items() if "[PATCH 3/6]" in s)
    details = json.loads(cached[binding][0]["details"])
    rules = {d["context"] for d in details}
    assert {"subject/dt-bindings-prefix", "subject/redundant-binding"} <= rules
    assert not rules & series_scope_rules()  # one patch at a time: nothing about the whole series
    sub = next(d for d in details if d["context"] == "subject/dt-bindings-prefix")
    assert sub["srcline"] == "Subject: " + subjects[binding]


# --------------------------------------------------------------------------- the tree b4 runs in

VENDORS = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/vendor-prefixes.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: Devicetree Vendor Prefix Registry

patternProperties:
  "^acme,.*":
    description: ACME Corporation

additionalProperties: false
"""

DRIVER = """\
// SPDX-License-Identifier: GPL-2.0
#include <linux/mod_devicetable.h>
#include <linux/module.h>

static const struct of_device_id foo_of_match[] = {
\t{ .compatible = "acme,foo" },
\t{ .compatible = "zzqx,foo" },
\t{ /* sentinel */ }
};
MODULE_DEVICE_TABLE(of, foo_of_match);
"""


def test_hook_uses_the_kernel_tree_b4_runs_in(tmp_path):
    """In hook mode a tree-aware rule reads the tree at b4's cwd: "acme" is in its
    vendor-prefixes.yaml, "zzqx" is not, and only "zzqx" is reported."""
    from reviewtool.catalog import load_catalog
    from reviewtool.examples import render_example

    rule = "series/vendor-prefix-undocumented"
    if rule not in {r.id for r in load_catalog()}:
        pytest.skip(f"{rule} is not in the catalogue yet")
    env = _env(tmp_path)
    repo = _repo(tmp_path, env)
    bindings = repo / "Documentation" / "devicetree" / "bindings"
    bindings.mkdir(parents=True)
    (bindings / "vendor-prefixes.yaml").write_text(VENDORS)
    (repo / "MAINTAINERS").write_text("List of maintainers\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "tree"], cwd=repo, env=env, check=True)
    mbox = tmp_path / "one.mbox"
    mbox.write_bytes(render_example({"subject": "misc: foo: Add foo driver", "files": {"drivers/misc/foo.c": DRIVER}},
                                    "tree"))
    # b4 am: the tree is the base the series goes onto. Another patch of the
    # series may add the prefix, so the hook must not warn (info is not shown).
    sections, _ = _b4_am_check(tmp_path, repo, env, mbox)
    (lines,) = sections.values()
    texts = [_strip_cmd(t) for _, t in lines]
    assert not [t for t in texts if f"{rule}:" in t], texts
    # b4 prep: the branch already holds the series, so what the tree lacks,
    # the series lacks: "zzqx" is reported, "acme" (in the tree) is not.
    (repo / "drivers" / "misc").mkdir(parents=True)
    (repo / "drivers" / "misc" / "foo.c").write_text(DRIVER)
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "misc: foo: Add foo driver"], cwd=repo, env=env, check=True)
    again = tmp_path / "again"
    again.mkdir()
    env = dict(env, XDG_CACHE_HOME=str(again / "cache"))  # b4 caches check results per Message-ID
    sections, _ = _b4_am_check(again, repo, env, mbox)
    (lines,) = sections.values()
    texts = [_strip_cmd(t) for _, t in lines]
    hits = [t for t in texts if f"WARNING: {rule}:" in t]
    assert len(hits) == 1 and '"zzqx"' in hits[0] and str(repo) in hits[0], texts
    assert hits[0].startswith("drivers/misc/foo.c:7: ")
