"""Answered findings: [[ignore]] entries (with a required reason) and --baseline reports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import SAMPLES
from reviewtool.config import parse_file
from reviewtool.errors import InputError
from reviewtool.runner import CheckRequest, run_check

BAD = str(SAMPLES / "acme-mbox-v2-bad")
DRIVER = "drivers/mailbox/acme-mailbox.c"


def _run(fmt: str = "json", *, no_config: bool = True, **kw) -> dict:
    out = io.StringIO()
    run_check(CheckRequest(sources=[BAD], fmt=fmt, no_config=no_config, fail_on="none", **kw), stream=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def plain() -> dict:
    return _run()


def _findings(doc: dict) -> list[dict]:
    return [f for s in doc["series"] for f in s["findings"]]


def _suppressed(doc: dict) -> list[dict]:
    return [f for s in doc["series"] for f in s.get("suppressed", [])]


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-user-config"))
    return tmp_path


# ------------------------------------------------------------------ baseline

def test_baseline_shows_only_new_findings_matched_without_line_numbers(plain, tmp_path):
    findings = _findings(plain)
    assert "suppressed" not in plain["series"][0]  # nothing silenced: the shape is unchanged
    new = next(f for f in findings if f["rule"] == "driver/of-match-ptr")
    old = json.loads(json.dumps(plain))
    old["series"][0]["findings"] = [f for f in old["series"][0]["findings"] if f != new]
    for f in old["series"][0]["findings"]:
        if f["line"] is not None:
            f["line"] += 7  # the earlier revision had the same lines elsewhere
    base = tmp_path / "before.json"
    base.write_text(json.dumps(old))
    doc = _run(baseline=str(base))
    notes = [f for f in findings if f["status_note"]]  # limits of the run stay in their footer
    assert notes and _findings(doc) == [f for f in findings if f == new or f["status_note"]]
    known = _suppressed(doc)
    assert len(known) == len(findings) - 1 - len(notes)
    assert {f["suppression"]["kind"] for f in known} == {"baseline"}

    sarif = _run("sarif", baseline=str(base))
    states = [r["baselineState"] for r in sarif["runs"][0]["results"]]
    assert states.count("new") == 1 + len(notes) and states.count("unchanged") == len(known)


def test_baseline_matches_each_earlier_finding_once(plain, tmp_path):
    """Two findings with the same rule, file and text: a baseline holding one leaves one new."""
    findings = _findings(plain)
    key = lambda f: (f["rule"], f["path"], f["text"])  # noqa: E731
    twice = next(k for k in {key(f) for f in findings} if sum(key(f) == k for f in findings) == 2)
    old = json.loads(json.dumps(plain))
    dropped = next(f for f in old["series"][0]["findings"] if key(f) == twice)
    old["series"][0]["findings"].remove(dropped)
    base = tmp_path / "before.json"
    base.write_text(json.dumps(old))
    assert [key(f) for f in _findings(_run(baseline=str(base))) if not f["status_note"]] == [twice]


def test_bad_baseline_is_a_one_line_error(tmp_path):
    for content, why in [("{", "not JSON"), ('{"series": []}', "not a reviewtool JSON report"),
                         ('{"tool": "reviewtool", "series": [{"findings": [{}]}]}', "without a rule")]:
        path = tmp_path / "b.json"
        path.write_text(content)
        with pytest.raises(InputError, match=why):
            _run(baseline=str(path))
    with pytest.raises(InputError, match="cannot read"):
        _run(baseline=str(tmp_path / "missing.json"))


# ------------------------------------------------------------------ [[ignore]]

def test_ignore_entry_suppresses_matching_findings_with_its_reason(plain, repo):
    (repo / ".reviewtool.toml").write_text(
        '[[ignore]]\nrule = "driver/of-match-ptr"\npath = "drivers/mailbox/*.c"\ntext = "of_match_ptr\\\\("\n'
        'reason = "kept for the ACPI build, see the v1 thread"\n'
        '[[ignore]]\nrule = "driver/platform-owner"\npath = "drivers/other/*.c"\n'
        'reason = "another driver"\n')
    doc = _run(no_config=False)
    (gone,) = _suppressed(doc)
    assert (gone["rule"], gone["path"]) == ("driver/of-match-ptr", DRIVER)
    assert gone["suppression"] == {"kind": "ignore", "reason": "kept for the ACPI build, see the v1 thread",
                                   "source": str(repo / ".reviewtool.toml")}
    assert [f for f in _findings(plain) if f["rule"] != "driver/of-match-ptr"] == _findings(doc)
    assert doc["series"][0]["summary"]["warning"] == plain["series"][0]["summary"]["warning"] - 1

    sarif = _run("sarif", no_config=False)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["driver/of-match-ptr"]
    (sup,) = suppressed[0]["suppressions"]
    assert sup["kind"] == "external" and sup["justification"] == "kept for the ACPI build, see the v1 thread"


def test_ignore_text_regex_must_match(plain, repo):
    (repo / ".reviewtool.toml").write_text(
        '[[ignore]]\nrule = "driver/of-match-ptr"\ntext = "no such line"\nreason = "r"\n')
    assert _findings(_run(no_config=False)) == _findings(plain)


@pytest.mark.parametrize("entry, why", [
    ('rule = "driver/of-match-ptr"\n', "reason"),
    ('rule = "driver/of-match-ptr"\nreason = "  "\n', "reason"),
    ('rule = "driver/of-match-ptr"\nreason = "r"\ntext = "("\n', "not a valid regular expression"),
    ('rule = "driver/of-match-ptr"\nreason = "r"\nwhy = "x"\n', "unknown key 'why'"),
    ('rule = "of-match-ptr"\nreason = "r"\n', "is not a rule id"),
])
def test_ignore_entries_are_validated(tmp_path, entry, why):
    path = tmp_path / ".reviewtool.toml"
    path.write_text("[[ignore]]\n" + entry)
    with pytest.raises(InputError, match=why) as exc:
        parse_file(path)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


def test_ignore_of_an_unknown_rule_is_an_error(repo):
    (repo / ".reviewtool.toml").write_text('[[ignore]]\nrule = "driver/of-match-pointer"\nreason = "r"\n')
    with pytest.raises(InputError, match="did you mean 'driver/of-match-ptr'"):
        _run(no_config=False)
