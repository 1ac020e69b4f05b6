"""Every rule's own examples: the bad ones must fire it where they say, the good ones must not.

The examples live in the rule files, so documentation and tests come from
one source; adding a rule adds its tests.  A bad example marks the lines
that must carry the finding (``ruleid:`` comments, ``expect:``; see
``reviewtool.examples``), and the findings must be exactly there.
"""

from __future__ import annotations

import pytest

from reviewtool.archive.examples import example_options
from reviewtool.catalog import load_catalog
from reviewtool.engine import check_series
from reviewtool.examples import expected_places, render_example
from reviewtool.sources.mbox import load_bytes

RULES = load_catalog()
CASES = [
    pytest.param(rule, kind, i, ex, id=f"{rule.id}-{kind}{i}")
    for rule in RULES
    for kind, examples in (("bad", rule.examples_bad), ("good", rule.examples_good))
    for i, ex in enumerate(examples)
]


def test_catalog_is_not_empty():
    assert len(RULES) >= 15


def _findings(rule, example, index):
    series_list = load_bytes(render_example(example, f"ex{index}"), f"{rule.id} example {index}")
    return [
        f
        for s in series_list
        for f in check_series(s, [rule], example_options(example)).findings
        if f.rule == rule.id
    ]


def place_mismatch(rule, example, findings) -> str | None:
    """How the findings differ from the places the example marks, or None."""
    want = expected_places(example, rule.id)
    if not want:
        return f"{rule.id}: a bad example must mark where its finding goes (ruleid: comment or expect:)"
    # a finding standing for repeats in a file (reviewtool.consolidate) covers each of its lines
    got = {(f.patch, f.anchor, f.path, line) for f in findings for line in (f.lines or (f.line,))}
    if got != want:
        return f"{rule.id}: findings at {sorted(got, key=str)}, example marks {sorted(want, key=str)}"
    return None


@pytest.mark.parametrize("rule,kind,index,example", CASES)
def test_rule_example(rule, kind, index, example):
    findings = _findings(rule, example, index)
    if kind == "bad":
        assert findings, f"{rule.id}: bad example {index} did not fire"
        for f in findings:
            assert f.message and "{" not in f.message, f"unfilled message template: {f.message}"
            assert f.anchor in ("subject", "commit-message", "diff", "series")
            if f.anchor == "diff":
                assert f.path, f"{rule.id}: diff finding without a path"
        assert (problem := place_mismatch(rule, example, findings)) is None, problem
    else:
        assert not findings, f"{rule.id}: good example {index} fired: {[f.message for f in findings]}"


def _move_marker(example: dict, rule_id: str, delta: int) -> dict:
    """The example with its first ruleid marker moved ``delta`` lines (content unchanged)."""
    import copy
    import re

    moved = copy.deepcopy(example)
    for path, text in (moved.get("files") or {}).items():
        lines = text.split("\n")
        for i, line in enumerate(lines):
            m = re.search(r"\s*(?:#|//)\s*ruleid:\s*" + re.escape(rule_id) + r"\s*$", line)
            if m and 0 <= i + delta < len(lines):
                lines[i] = line[:m.start()]
                lines[i + delta] += f" // ruleid: {rule_id}"
                moved["files"][path] = "\n".join(lines)
                return moved
    raise AssertionError("no marker to move")


@pytest.mark.parametrize("rule_id,delta", [("driver/of-match-ptr", -1), ("binding/license", 1),
                                           ("driver/platform-owner", 1)])
def test_moving_a_marked_line_breaks_the_example(rule_id, delta):
    """The check is exact: the same finding against a marker one line off is a failure."""
    rule = next(r for r in RULES if r.id == rule_id)
    example = rule.examples_bad[0]
    findings = _findings(rule, example, 0)
    assert place_mismatch(rule, example, findings) is None
    moved = _move_marker(example, rule_id, delta)
    assert _findings(rule, moved, 0) == findings  # the marker is not part of the checked text
    assert place_mismatch(rule, moved, findings) is not None


def test_not_added_line_spares_a_file_that_adds_the_excluded_text(tmp_path):
    """not_added_line vetoes the whole file it matches in, and only that file."""
    import yaml

    from reviewtool.catalog import load_rule_file

    rule = {"id": "user/foo-without-bar", "severity": "warning", "summary": "s", "rationale": "r",
            "references": ["https://example.org"], "match": {"added_line": r"\bfoo\(", "not_added_line": r"\bbar\("},
            "message": "m", "examples": {"bad": {"subject": "x: y"}, "good": {"subject": "x: y"}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    (loaded,) = load_rule_file(tmp_path / "r.yaml")
    example = {"subject": "misc: acme: x", "files": {"a.c": "foo();\nbar();\n", "b.c": "int x;\nfoo();\n"}}
    found = {(f.path, f.line) for f in _findings(loaded, example, 0)}
    assert found == {("b.c", 2)}
