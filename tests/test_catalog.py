"""Rule files are validated with precise errors; user rules load beside ours."""

from __future__ import annotations

import textwrap

import pytest

from reviewtool.catalog import load_catalog
from reviewtool.errors import InputError

from conftest import SAMPLES, check_json, run_cli

GOOD_RULE = """
rules:
  - id: local/no-foo
    severity: warning
    summary: Added lines must not say foo.
    rationale: Our team avoids foo.
    references: [internal style guide]
    applies_to: {kinds: [any]}
    match:
      added_line: '\\bfoo_\\w+'
    message: 'Do not add "{match}".'
    examples:
      bad: {files: {drivers/a.c: "int foo_x;\\n"}}
      good: {files: {drivers/a.c: "int bar;\\n"}}
"""


def write(tmp_path, text, name="r.yaml"):
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / name).write_text(textwrap.dedent(text))
    return d


def test_user_rule_directory_is_loaded_and_used(tmp_path):
    d = write(tmp_path, GOOD_RULE)
    ids = {r.id for r in load_catalog([str(d)])}
    assert "local/no-foo" in ids and "subject/redundant-binding" in ids
    p = tmp_path / "x.patch"
    src = (SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch").read_text()
    p.write_text(src.replace("struct acme_pwm {", "struct acme_pwm { int foo_bar;"))
    doc = check_json(str(p), "--rules", str(d))
    hits = [f for f in doc["series"][0]["findings"] if f["rule"] == "local/no-foo"]
    assert hits and hits[0]["anchor"] == "diff" and hits[0]["line"] == 17
    assert hits[0]["message"] == 'Do not add "foo_bar".'


@pytest.mark.parametrize(
    "mutation,expect",
    [
        (("severity: warning", "severity: fatal"), "severity"),
        (("id: local/no-foo", "id: NoFoo"), "'id'"),
        (("added_line: '", "added_line: '(unclosed"), "not a valid regular expression"),
        (("    references: [internal style guide]\n", ""), "references"),
        (("added_line:", "added_lines:"), "unknown key"),
        (("    match:\n", "    check: no-such-check\n    matchx:\n"), "unknown"),
        (("    examples:", "    examplez:"), "unknown key"),
    ],
)
def test_invalid_rules_name_file_rule_and_problem(tmp_path, mutation, expect):
    old, new = mutation
    text = GOOD_RULE.replace(old, new)
    assert text != GOOD_RULE, mutation
    d = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_catalog([str(d)])
    msg = str(exc.value)
    assert "r.yaml" in msg and expect in msg
    if "id: NoFoo" not in text:
        assert "local/no-foo" in msg


def test_invalid_yaml_is_exit_2(tmp_path):
    d = write(tmp_path, "rules:\n  - id: [unclosed\n")
    proc = run_cli("check", str(SAMPLES / "acme-pwm-clean"), "--rules", str(d))
    assert proc.returncode == 2
    assert b"r.yaml" in proc.stderr and b"Traceback" not in proc.stderr


def test_yaml_is_loaded_safely(tmp_path):
    d = write(tmp_path, "rules: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(InputError):
        load_catalog([str(d)])


def test_every_builtin_rule_is_documented():
    for rule in load_catalog():
        assert rule.rationale and rule.references and rule.summary
        assert rule.examples_bad and rule.examples_good


def test_declarative_message_with_unknown_field_is_rejected(tmp_path):
    d = write(tmp_path, GOOD_RULE.replace('Do not add "{match}".', 'Do not add "{mtach}".'))
    with pytest.raises(InputError) as exc:
        load_catalog([str(d)])
    assert "{mtach}" in str(exc.value) and "local/no-foo" in str(exc.value)
