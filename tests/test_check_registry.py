"""The lazy check registry: a run imports only the check modules of the rules
it runs, the index saying which module registers which check is right, and
the built-in catalogue (read without validation on a run) passes every check
a user rule file gets."""

from __future__ import annotations

import subprocess
import sys

from conftest import CORPUS

import reviewtool.checks as checks
from reviewtool.catalog import load_catalog


def test_index_names_exactly_what_each_module_registers():
    registered = {name: fn.__module__.rsplit(".", 1)[1] for name, fn in
                  ((n, checks.get_check(n)) for n in checks.known_checks())}
    indexed = {name: module for module, names in checks.MODULE_CHECKS.items() for name in names}
    assert indexed == registered


def test_builtin_catalogue_passes_full_validation_and_reads_the_same():
    strict = {r.id: r for r in load_catalog(verify_checks=True)}
    fast = {r.id: r for r in load_catalog()}
    assert strict.keys() == fast.keys() and len(strict) > 50
    for rid, rule in strict.items():
        other = fast[rid]
        assert (other.check, other.params, other.severity, other.message, other.applies_to, other.scope) == \
               (rule.check, rule.params, rule.severity, rule.message, rule.applies_to, rule.scope), rid
        assert other.match == rule.match, rid  # patterns compare by source; compiled on first use
        if rule.check is not None:
            assert rule.check in checks.known_checks()


_PROBE = """
import sys
from reviewtool.cli import main
sys.argv = ["reviewtool", "check", "-", "--format", "terse", "--no-config"]
try:
    main()
except SystemExit:
    pass
print("CHECKS", sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("reviewtool.checks.")), file=sys.stderr)
"""


def test_one_binding_patch_imports_only_the_modules_of_rules_that_apply(tmp_path):
    import pytest

    patch = CORPUS / "geniezone-v3-binding-patch.mbox"
    if not patch.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    proc = subprocess.run([sys.executable, "-c", _PROBE], input=patch.read_bytes(), capture_output=True,
                          timeout=300, cwd=tmp_path)
    line = proc.stderr.decode().strip().splitlines()[-1]
    assert line.startswith("CHECKS"), proc.stderr.decode()[-2000:]
    loaded = set(eval(line.split(" ", 1)[1]))  # a list of module names printed by the probe
    assert {"binding_schema", "binding_tools"} <= loaded  # binding rules ran
    assert not loaded & {"driver", "dts", "dts_schema"}  # no driver or DTS rule applies
    assert b"binding/" in proc.stdout  # and the binding findings are there


def test_a_check_missing_from_the_index_still_loads(monkeypatch):
    name = "restates-diff"
    checks.get_check(name)
    monkeypatch.setattr(checks, "_MODULE_OF", {})
    monkeypatch.delitem(checks._REGISTRY, name)
    monkeypatch.setattr(checks, "_LOADED", False)
    monkeypatch.delitem(sys.modules, "reviewtool.checks.commit")
    fn = checks.get_check(name)
    assert fn.__name__ and checks._REGISTRY[name] is fn
