"""Every rule's own examples: the bad ones must fire it, the good ones must not.

The examples live in the rule files, so documentation and tests come from
one source; adding a rule adds its tests.
"""

from __future__ import annotations

import pytest

from reviewtool.archive.examples import example_options
from reviewtool.catalog import load_catalog
from reviewtool.engine import check_series
from reviewtool.examples import render_example
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


@pytest.mark.parametrize("rule,kind,index,example", CASES)
def test_rule_example(rule, kind, index, example):
    series_list = load_bytes(render_example(example, f"ex{index}"), f"{rule.id} {kind} example {index}")
    findings = [
        f
        for s in series_list
        for f in check_series(s, [rule], example_options(example)).findings
        if f.rule == rule.id
    ]
    if kind == "bad":
        assert findings, f"{rule.id}: bad example {index} did not fire"
        for f in findings:
            assert f.message and "{" not in f.message, f"unfilled message template: {f.message}"
            assert f.anchor in ("subject", "commit-message", "diff", "series")
            if f.anchor == "diff":
                assert f.path, f"{rule.id}: diff finding without a path"
    else:
        assert not findings, f"{rule.id}: good example {index} fired: {[f.message for f in findings]}"
