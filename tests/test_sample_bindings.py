"""The sample binding patches against the whole rule catalogue.

``sample_series/bindings-good/``: twelve bindings in current kernel style;
no rule may raise a warning or an error on them (the false-positive guard for
every rule, present and future).  ``sample_series/bindings-bad/``: one defect
each; the rule the file name names (``<rule>--<defect>.patch`` ->
``binding/<rule>``) must fire.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from conftest import SAMPLES
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.sources.mbox import load_bytes

GOOD = sorted((SAMPLES / "bindings-good").glob("*.patch"))
BAD = sorted((SAMPLES / "bindings-bad").glob("*.patch"))
RULES = load_catalog()
RULE_IDS = {r.id for r in RULES}

# Bad variants a present rule does not catch yet (judgement calls, reported).
KNOWN_MISSES: dict[str, str] = {}


@cache
def findings(path) -> tuple:
    (series,) = load_bytes(path.read_bytes(), path.name)
    return check_series(series, RULES, Options()).findings


def test_ten_good_bindings_of_different_device_classes():
    dirs = set()
    for path in GOOD:
        text = path.read_text()
        (binding,) = re.findall(r"^\+\+\+ b/Documentation/devicetree/bindings/(\S+)\.yaml$", text, re.M)
        dirs.add(binding.rsplit("/", 1)[0])
        assert "devicetree@vger.kernel.org" in text and "Signed-off-by: " in text
        assert re.search(r"^Subject: \[PATCH\] (dt-bindings: [\w/-]+(: [\w-]+)?|regulator: dt-bindings): Add ", text,
                         re.M), path.name
    assert len(GOOD) >= 10 and len(dirs) == len(GOOD)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_binding_gives_no_warning_or_error(path):
    loud = [(f.rule, f.line, f.message) for f in findings(path) if f.severity != "info"]
    assert loud == []


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_binding_is_clean_for_dt_schema_and_yamllint(path):
    tools = [f for f in findings(path) if f.rule in ("binding/dt-schema", "binding/yamllint")]
    # At most the once-per-series note about kernel schemas that cannot be checked offline.
    assert all(f.severity == "info" and "could not be verified" in f.message for f in tools)
    assert len(tools) <= 1


def _bad_params():
    for path in BAD:
        rule = "binding/" + path.stem.split("--", 1)[0]
        marks = []
        if path.name in KNOWN_MISSES:
            marks.append(pytest.mark.xfail(strict=False, reason=KNOWN_MISSES[path.name]))
        yield pytest.param(path, rule, marks=marks, id=path.name)


@pytest.mark.parametrize("path,rule", list(_bad_params()))
def test_bad_variant_triggers_its_rule(path, rule):
    assert rule in RULE_IDS, f"{path.name} names a rule that does not exist"
    fired = [f for f in findings(path) if f.rule == rule]
    assert fired, f"{rule} did not fire on {path.name}: {sorted({f.rule for f in findings(path)})}"
    for f in fired:
        if f.anchor == "diff" and f.text is not None:
            # a quoted diff line is one the patch adds, never context
            assert f"\n+{f.text}\n" in path.read_text()


def test_every_binding_rule_has_a_bad_variant_and_the_readme_lists_them():
    readme = (SAMPLES / "bindings-bad" / "README.md").read_text()
    rules_with_variant = {"binding/" + p.stem.split("--", 1)[0] for p in BAD}
    binding_rules = {r for r in RULE_IDS if r.startswith("binding/")}
    assert binding_rules <= rules_with_variant, sorted(binding_rules - rules_with_variant)
    for path in BAD:
        rule = "binding/" + path.stem.split("--", 1)[0]
        assert f"| `{path.name}` | `{rule}` |" in readme
