"""``reviewtool rules`` and ``reviewtool explain``: the catalogue documents itself."""

from __future__ import annotations

import io
import json

import pytest

from conftest import run_cli
from reviewtool import ruledocs
from reviewtool.catalog import load_catalog
from reviewtool.report.links import reference_url


@pytest.fixture(scope="module")
def catalogue():
    return ruledocs.load([], use_config=False)


def test_rules_json_lists_the_whole_catalogue(tmp_path):
    proc = run_cli("rules", "--format", "json", "--no-config")
    assert proc.returncode == 0, proc.stderr.decode()
    listed = json.loads(proc.stdout)
    rules = load_catalog()
    assert [r["id"] for r in listed] == [r.id for r in rules]
    for entry, rule in zip(listed, rules):
        assert entry["severity"] == rule.severity and entry["enabled"] is True
        assert entry["family"] == rule.id.split("/")[0] and entry["summary"] == rule.summary
        assert entry["scope"] in ("patch", "series") and entry["references"] == list(rule.references)


def test_rules_table_has_every_id_severity_and_family():
    proc = run_cli("rules", "--no-config", env={"NO_COLOR": "1"})
    assert proc.returncode == 0
    rows = proc.stdout.decode().splitlines()
    assert rows[0].split()[:4] == ["id", "severity", "family", "summary"]
    for rule in load_catalog():
        row = next(r for r in rows if r.startswith(rule.id + " "))
        assert row.split()[1:3] == [rule.severity, rule.family]


def test_rules_show_config_overrides(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".reviewtool.toml").write_text(
        'disable = ["commit/empty-body"]\n[severity]\n"binding/license" = "error"\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path / "none"), "NO_COLOR": "1"}
    listed = {r["id"]: r for r in json.loads(run_cli("rules", "--format", "json", cwd=tmp_path, env=env).stdout)}
    assert (listed["binding/license"]["severity"], listed["binding/license"]["default_severity"]) == ("error", "warning")
    assert listed["commit/empty-body"]["enabled"] is False
    rows = run_cli("rules", cwd=tmp_path, env=env).stdout.decode().splitlines()
    assert next(r for r in rows if r.startswith("binding/license ")).split()[1] == "error*"
    assert next(r for r in rows if r.startswith("commit/empty-body ")).split()[1] == "off"


def test_explain_every_rule(catalogue):
    """Rationale, references with links, both examples as patch mail, the finding, how to silence."""
    for rule in catalogue.rules:
        out = io.StringIO()
        ruledocs.explain(catalogue, rule.id, out)
        text = out.getvalue()
        flat = " ".join(text.split())
        assert text.startswith(f"{rule.id} — {rule.severity}, family {rule.family}, scope {rule.scope}")
        assert " ".join(rule.rationale.split()) in flat
        for ref in rule.references:
            assert f"  - {ref}\n" in text
            url = reference_url(ref)
            if url:
                assert url in text
        assert text.count("(bad) — Fires on:") == len(rule.examples_bad)
        assert text.count("(good) — Does not fire on:") == len(rule.examples_good)
        assert "  | Subject: [PATCH" in text  # examples are shown as the mail the tool reads
        assert "(could not run this example" not in text
        # The bad example is run for real and what the rule says on it is shown.
        assert text.count("reviewtool says:") == len(rule.examples_bad), rule.id
        assert f"--disable {rule.id}" in text and f'disable = ["{rule.id}"]' in text


def test_explain_cli_and_unknown_id():
    proc = run_cli("explain", "subject/redundant-binding", "--no-config")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "https://lore.kernel.org/r/8a1a9ebf-a3ed-4077-aa07-48cc98e071f9@kernel.org" in out
    assert "https://docs.kernel.org/devicetree/bindings/submitting-patches.html" in out
    assert "  | Subject: [PATCH] dt-bindings: misc: Add binding for ACME foo" in out
    assert 'subject: warning: Drop "binding" from the subject' in out
    proc = run_cli("explain", "subject/redundant-bindings", "--no-config")
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().startswith(
        "reviewtool: error: unknown rule id 'subject/redundant-bindings'; did you mean subject/redundant-binding")


@pytest.mark.parametrize(("ref", "url"), [
    ("Documentation/devicetree/bindings/writing-bindings.rst (Overall design)",
     "https://docs.kernel.org/devicetree/bindings/writing-bindings.html"),
    ("Documentation/process/submitting-patches.rst", "https://docs.kernel.org/process/submitting-patches.html"),
    ("Documentation/devicetree/bindings/vendor-prefixes.yaml",
     "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/"
     "Documentation/devicetree/bindings/vendor-prefixes.yaml"),
    ("https://lore.kernel.org/r/20200331192932.GA22905@bogus", "https://lore.kernel.org/r/20200331192932.GA22905@bogus"),
    ("<20200331192932.GA22905@bogus>", "https://lore.kernel.org/r/20200331192932.GA22905@bogus"),
    ("checkpatch.pl DT_SCHEMA_BINDING_PATCH", "https://docs.kernel.org/dev-tools/checkpatch.html"),
    ("b4 am (series completeness)", "https://b4.docs.kernel.org/"),
    ("the DT spec, chapter 2", None),
])
def test_reference_links(ref, url):
    assert reference_url(ref) == url
