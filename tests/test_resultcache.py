"""The binding tools' result cache (reviewtool.resultcache): a hit gives what the
tool gives, any change of input, tree read or installed code is a miss, and a
damaged entry is ignored.  (The rest of the suite runs with the cache off.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import SAMPLES
from reviewtool import resultcache
from reviewtool.validators import dtschema_runner, yamllint_runner

from test_binding_tools import binding


@pytest.fixture
def cache_on(tmp_path, monkeypatch):
    monkeypatch.delenv("REVIEWTOOL_NO_RESULT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "reviewtool" / "results"


def _counted(fn):
    calls = []

    def compute(readers):
        calls.append(1)
        return fn(readers)

    return compute, calls


def _plain(kind, inputs, compute, **kw):
    return resultcache.cached(kind, inputs, compute, encode=lambda v: v, decode=lambda v: v, **kw)


def test_hit_and_miss_on_changed_text(cache_on):
    compute, calls = _counted(lambda readers: ["result"])
    assert _plain("k", ["a.yaml", "text"], compute) == ["result"]
    assert _plain("k", ["a.yaml", "text"], compute) == ["result"]
    assert len(calls) == 1
    _plain("k", ["a.yaml", "text "], compute)
    _plain("k", ["b.yaml", "text"], compute)
    _plain("other-kind", ["a.yaml", "text"], compute)
    assert len(calls) == 4


def test_miss_when_installed_code_changes(cache_on, monkeypatch):
    compute, calls = _counted(lambda readers: 1)
    _plain("k", ["t"], compute)
    monkeypatch.setattr(resultcache, "code_fingerprint", lambda: "another dtschema or reviewtool")
    _plain("k", ["t"], compute)
    _plain("k", ["t"], compute)
    assert len(calls) == 2


def test_package_fingerprint_follows_a_changed_file(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "rules.yaml").write_text("a: 1\n")
    before = resultcache.package_fingerprint(package)
    assert resultcache.package_fingerprint(package) == before
    (package / "sub" / "rules.yaml").write_text("a: 12\n")
    assert resultcache.package_fingerprint(package) != before
    assert resultcache.code_fingerprint() == resultcache.code_fingerprint()


def test_tree_reads_are_part_of_the_key(cache_on):
    tree = {"a.yaml": "one"}
    compute, calls = _counted(lambda readers: [readers["resolve"]("a.yaml"), readers["resolve"]("b.yaml")])
    readers = {"resolve": tree.get}
    assert _plain("k", ["t"], compute, readers=readers) == ["one", None]
    assert _plain("k", ["t"], compute, readers=readers) == ["one", None]
    assert len(calls) == 1
    tree["a.yaml"] = "two"
    assert _plain("k", ["t"], compute, readers=readers) == ["two", None]
    tree["b.yaml"] = "now here"
    assert _plain("k", ["t"], compute, readers=readers) == ["two", "now here"]
    assert len(calls) == 3
    # no reader at all (no tree) is another key
    assert _plain("k", ["t"], lambda readers: readers["resolve"], readers={"resolve": None}) is None


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[]", b'{"key": 1}', b"\xff\xfe", b"[" * 100_000, None],
                         ids=["empty", "not-json", "a-list", "bad-key", "not-utf8", "deep", "wrong-types"])
def test_a_damaged_entry_is_ignored(cache_on, damage):
    problem = yamllint_runner.LintProblem(3, 1, "error", "indentation", "wrong indentation")
    compute, calls = _counted(lambda readers: [problem])
    lint_like = dict(encode=lambda v: [[p.line, p.column, p.level, p.rule, p.message] for p in v],
                     decode=yamllint_runner._decode)
    first = resultcache.cached("k", ["t"], compute, **lint_like)
    (entry,) = cache_on.iterdir()
    if damage is None:  # valid JSON, the right key, values of the wrong type
        data = json.loads(entry.read_text())
        data["value"] = [["3", 1, "error", "indentation", "wrong indentation"]]
        entry.write_text(json.dumps(data))
    else:
        entry.write_bytes(damage)
    again = resultcache.cached("k", ["t"], compute, **lint_like)
    assert again == first and len(calls) == 2
    assert resultcache.cached("k", ["t"], compute, **lint_like) == first and len(calls) == 2  # rewritten


def test_results_that_must_not_be_kept_are_not(cache_on):
    compute, calls = _counted(lambda readers: "crash")
    _plain("k", ["t"], compute, keep=lambda v: v != "crash")
    _plain("k", ["t"], compute, keep=lambda v: v != "crash")
    assert len(calls) == 2 and not cache_on.exists()


def test_the_directory_is_bounded(cache_on, monkeypatch):
    monkeypatch.setattr(resultcache, "MAX_ENTRIES", 3)
    for i in range(6):
        _plain("k", [str(i)], lambda readers: i)
    assert len(list(cache_on.iterdir())) == 3


def test_a_full_directory_is_pruned_to_nine_tenths_keeping_the_recent(cache_on, monkeypatch):
    monkeypatch.setattr(resultcache, "MAX_ENTRIES", 20)
    for i in range(20):
        _plain("k", [str(i)], lambda readers: i)
        os.utime(next(p for p in cache_on.iterdir() if json.loads(p.read_text())["value"] == i), ns=(i, i))
    assert len(list(cache_on.iterdir())) == 20
    _plain("k", ["new"], lambda readers: "new")  # the 21st: the 3 least recently used go
    kept = sorted(json.loads(p.read_text())["value"] for p in cache_on.iterdir() if p.stem.startswith("k-")
                  and isinstance(json.loads(p.read_text())["value"], int))
    assert len(list(cache_on.iterdir())) == 18 and kept == list(range(3, 20))


def test_off_switch(cache_on, monkeypatch):
    monkeypatch.setenv("REVIEWTOOL_NO_RESULT_CACHE", "1")
    compute, calls = _counted(lambda readers: 1)
    _plain("k", ["t"], compute)
    _plain("k", ["t"], compute)
    assert len(calls) == 2 and not cache_on.exists()


def test_yamllint_and_dtschema_results_read_back_equal(cache_on, monkeypatch):
    text = binding().replace("title: ACME FOO1 widget", 'title: "ACME FOO1 widget"') + "extra:  x\n"
    lint = yamllint_runner.lint(text, "misc/acme,foo1.yaml")
    assert lint and yamllint_runner.lint(text, "misc/acme,foo1.yaml") == lint
    tree = {"spi/spi-controller.yaml": None}
    spi = text.replace("\nproperties:", "\nallOf:\n  - $ref: /schemas/spi/spi-controller.yaml#\n\nproperties:", 1)
    cold = dtschema_runner.validate("misc/acme,foo1.yaml", spi, resolve=tree.get)
    assert cold.problems and cold.unresolved
    monkeypatch.setattr(dtschema_runner, "_validate", None)  # a hit must not run dtschema again
    monkeypatch.setattr(yamllint_runner, "_lint", None)
    assert yamllint_runner.lint(text, "misc/acme,foo1.yaml") == lint
    assert dtschema_runner.validate("misc/acme,foo1.yaml", spi, resolve=tree.get) == cold
    tree["spi/spi-controller.yaml"] = "changed"
    with pytest.raises(TypeError):  # the tree's answer changed: a miss, which runs dtschema
        dtschema_runner.validate("misc/acme,foo1.yaml", spi, resolve=tree.get)


def test_a_patch_bindings_compatibles_read_back_equal(cache_on, monkeypatch):
    from reviewtool import tree

    text = binding().replace("const: acme,foo1", "enum: ['acme,foo1', 'acme,foo2']").replace(
        "\nproperties:", "\nselect:\n  properties:\n    compatible:\n      pattern: '^acme,foo[0-9]+$'\n\nproperties:", 1)
    first = tree.patch_yaml_compatibles(text)
    assert first == tree.yaml_compatibles(text) and first[0] == {"acme,foo1", "acme,foo2"}
    monkeypatch.setattr(tree, "yaml_compatibles", None)  # a hit must not parse the text again
    assert tree.patch_yaml_compatibles(text) == first
    with pytest.raises(TypeError):  # other text: a miss, which parses
        tree.patch_yaml_compatibles(text + "\n# changed\n")
    for entry in cache_on.glob("yaml-compatibles-*.json"):
        data = json.loads(entry.read_text())
        entry.write_text(json.dumps({**data, "value": [["acme,foo1"], [3]]}))  # wrong shape: ignored
    monkeypatch.setattr(tree, "yaml_compatibles", lambda t: ({"recomputed"}, []))
    assert tree.patch_yaml_compatibles(text) == ({"recomputed"}, [])


def test_a_warm_hook_run_imports_no_binding_tool_and_prints_the_same(tmp_path):
    patch = SAMPLES / "bindings-bad" / "example-schema--unknown-property.patch"
    probe = ("import runpy, sys\nsys.argv = ['reviewtool', 'check', '-', '--format', 'terse', '--no-config']\n"
             "try:\n    runpy.run_module('reviewtool', run_name='__main__')\n"
             "except SystemExit as exc:\n"
             "    print('EXIT', exc.code, sorted(m for m in ('dtschema', 'jsonschema', 'yamllint', 'typer', 'yaml')"
             " if m in sys.modules), file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWTOOL_")}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               REVIEWTOOL_WORKER="0")  # this is about the in-process run's imports
    runs = [subprocess.run([sys.executable, "-c", probe], input=patch.read_bytes(), capture_output=True,
                           env=env, cwd=tmp_path, timeout=120) for _ in range(2)]
    cold, warm = (r.stderr.decode().strip().splitlines()[-1] for r in runs)
    assert cold == "EXIT 1 ['dtschema', 'jsonschema', 'yaml', 'yamllint']"
    assert warm == "EXIT 1 []"
    assert runs[0].stdout == runs[1].stdout and b"binding/example-schema" in runs[1].stdout
