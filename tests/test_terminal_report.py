"""The terminal report: summary first, infos folded, references once per rule,
wrapped to COLUMNS between words only, status notes in one footer per series."""

from __future__ import annotations

import io
import json
import re

import pytest

from reviewtool.runner import CheckRequest, run_check

from conftest import CORPUS


def _run(*sources: str, fmt: str = "terminal", **kw) -> str:
    out = io.StringIO()
    run_check(CheckRequest(sources=list(sources), fmt=fmt, no_config=True, fail_on="none", **kw), stream=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bao() -> tuple[str, dict]:
    if not CORPUS.is_dir():
        pytest.skip(f"real-mail corpus not found at {CORPUS}")
    path = str(CORPUS / "bao-v2.mbox")
    mp = pytest.MonkeyPatch()
    mp.setenv("COLUMNS", "80")
    mp.setenv("NO_COLOR", "1")
    try:
        text = _run(path)
        full = _run(path, min_severity="info")
    finally:
        mp.undo()
    return text, full, json.loads(_run(path, fmt="json"))


def test_report_starts_with_the_summary(bao):
    text, _, doc = bao
    lines = text.splitlines()
    assert lines[0].startswith("Summary of virt: Add Bao hypervisor IPC"), lines[:3]
    first_finding = next(i for i, ln in enumerate(lines) if ln.startswith("─"))
    summary = "\n".join(lines[:first_finding])
    counts = doc["series"][0]["summary"]
    assert f"{counts['warning']} warnings" in summary
    assert "By patch:" in summary and "Rules that fired:" in summary
    for f in doc["series"][0]["findings"]:
        assert f["rule"] in summary  # every rule that fired is named before the first finding
    assert not re.search(r"^\s*\(\d+\)", summary, re.M)  # a rule's count stays on its line


def test_infos_are_folded_unless_asked_for(bao):
    text, full, doc = bao
    infos = [f for f in doc["series"][0]["findings"] if f["severity"] == "info" and not f["status_note"]]
    assert infos
    assert not re.search(r"^  info {4}\S", text, re.M)
    folded = sum(int(n) for n in re.findall(r"^  \+(\d+) infos?: --min-severity info to show$", text, re.M))
    assert folded == len(infos)
    assert len(re.findall(r"^  info {4}\S", full, re.M)) == len(infos)
    assert "--min-severity info to show" not in full


def test_each_reference_once_per_rule(bao):
    text, full, doc = bao
    citing: dict[str, set[str]] = {}
    for f in doc["series"][0]["findings"]:
        for ref in f["references"]:
            citing.setdefault(ref, set()).add(f["rule"])
    for out in (text, full):
        listed = re.findall(r"^  (?:ref:|    ) (https?://\S+)$", out, re.M)
        assert listed
        for url in set(listed):
            rules = {r for ref, rs in citing.items() if url in ref for r in rs}
            assert listed.count(url) <= len(rules), (url, listed.count(url), rules)


def test_no_word_is_split_at_80_columns(bao):
    text, full, doc = bao
    for out in (text, full):
        tokens = set(out.split())
        for line in out.splitlines():
            if line.startswith("  > ") or line.strip().startswith("─"):
                continue  # quoted patch lines are never wrapped; the rule is one glyph repeated
            assert len(line) <= 80 or len(line.split()) == 1 or line.split()[-1].startswith("http"), line
        for f in doc["series"][0]["findings"]:
            if f["severity"] == "info" and out is text:
                continue
            missing = [w for w in f["message"].split() if w not in tokens]
            assert not missing, (f["rule"], missing)


def test_status_notes_go_to_one_footer(corpus, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    path = str(corpus / "gunyah-v5-binding.mbox")
    doc = json.loads(_run(path, fmt="json"))
    notes = [f for f in doc["series"][0]["findings"] if f["status_note"]]
    assert [f["rule"] for f in notes] == ["series/incomplete"]
    assert all(f["severity"] == "info" for f in notes)
    text = _run(path, min_severity="info")
    footer = text.index("Not verified in this run")
    assert text.count("Only part of the series") == 1 and text.index("Only part of the series") > footer
    assert "series/incomplete" not in text[:footer]  # neither in the summary nor among the findings


def test_min_severity_filters_machine_formats(corpus):
    path = str(corpus / "bao-v2.mbox")
    doc = json.loads(_run(path, fmt="json", min_severity="warning"))
    sevs = {f["severity"] for f in doc["series"][0]["findings"]}
    assert sevs == {"warning"}
    with pytest.raises(Exception, match="min-severity"):
        _run(path, min_severity="loud")
