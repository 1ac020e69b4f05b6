"""User rule directories: bad input is one line and exit 2, user regexes cannot hang a run.

The reproducers 25-28 of ``../shared/fuzz-repros/`` (issue 15) run as they
were reported; the rest build small rule files in ``tmp_path``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from reviewtool import matcher
from reviewtool.catalog import load_catalog, load_rule_file
from reviewtool.errors import InputError

REPROS = REPO.parent / "shared" / "fuzz-repros"


def _repro(name: str) -> Path:
    path = REPROS / name
    if not path.is_dir():
        pytest.skip(f"fuzz reproducers not found at {REPROS}")
    return path


def _one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert err.count("\n") == 1 and err.startswith("reviewtool: error: "), err
    assert "internal error" not in err
    for needle in needles:
        assert needle in err, err
    return err


def test_repro_25_user_regex_redos_is_bounded_and_reported_once(monkeypatch):
    """(a+)+$ is harmless for the regex engine; (a|aa)+$ is not. Either way
    the run ends, and a rule that runs out of time is reported once and skipped."""
    d = _repro("25-user-rule-redos")
    proc = run_cli("check", str(d / "victim.patch"), "--rules", str(d), "--no-config", "--format", "json",
                   "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr.decode()

    monkeypatch.setattr(matcher, "REGEX_TIMEOUT", 0.05)
    from reviewtool.engine import Options, check_series
    from reviewtool.sources.mbox import load_bytes

    rule = _user_rule({"added_line": "(a|aa)+$"})
    text = (d / "victim.patch").read_bytes()
    series = load_bytes(text, "victim")[0]
    from dataclasses import replace

    doubled = replace(series, patches=series.patches * 2)
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        report = check_series(doubled, [rule], Options())
    assert report.findings == ()
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and "user/slow" in lines[0] and "time bound" in lines[0], lines


def _user_rule(match: dict):
    import yaml

    from reviewtool.catalog import _parse_rule

    raw = yaml.safe_load(textwrap.dedent("""
        id: user/slow
        severity: warning
        summary: s
        rationale: r
        references: [https://example.org]
        message: hit
        examples: {bad: {subject: "x: y"}, good: {subject: "x: y"}}
    """))
    raw["match"] = match
    return _parse_rule(Path("user.yaml"), 0, raw)


def test_repro_26_misspelled_or_mistyped_param_of_an_overridden_check():
    d = _repro("26-user-rule-bad-params")
    proc = run_cli("explain", "binding/describes-driver", "--rules", str(d), "--no-config")
    _one_line_error(proc, "rules.yaml", "binding/describes-driver", "compatible_pattern")


@pytest.mark.parametrize("params,needle", [
    ({"compatible_patern": "x"}, "unknown param 'compatible_patern'"),
    ({"patterns": [{"pattern": "x", "unles_before": "y"}]}, "unles_before"),
    ({"patterns": [{"pattern": "(x"}]}, "params.patterns[0].pattern"),
    ({"skip_properties": ["^linux,"]}, "params.skip_properties"),
])
def test_check_params_are_typed(tmp_path, params, needle):
    import yaml

    rule = {"id": "binding/describes-driver", "severity": "warning", "summary": "s", "rationale": "r",
            "references": ["https://example.org"], "check": "binding-describes-driver", "params": params,
            "message": "m", "examples": {"bad": {"subject": "x: y"}, "good": {"subject": "x: y"}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    with pytest.raises(InputError) as exc:
        load_catalog([str(tmp_path)])
    msg = str(exc.value)
    assert "r.yaml" in msg and "binding/describes-driver" in msg and needle in msg and "\n" not in msg


def test_every_builtin_check_param_is_declared():
    """The built-in catalogue passes its own schemas (each key declared, each type right)."""
    from reviewtool.checks import param_schema

    rules = load_catalog()
    for r in rules:
        if r.check:
            assert set(r.params) <= set(param_schema(r.check)), r.id


def test_repro_27_unchecked_rule_fields():
    d = _repro("27-user-rule-bad-fields")
    proc = run_cli("rules", "--rules", str(d), "--no-config")
    _one_line_error(proc, "rules.yaml", "user/a", "applies_to.kinds")


@pytest.mark.parametrize("fields,needle", [
    ({"message": "{x.y}"}, "plain name"),
    ({"message": "{x[a]}"}, "plain name"),
    ({"message": "{match:99999999999}"}, "plain name"),
    ({"match": {"added_line": "a{99999999999}"}}, "match.added_line"),
    ({"match": {"added_line": 5}}, "match.added_line"),
    ({"match": {"any": []}}, "match.any"),
    ({"match": {"inside": {"c": "(declaration"}}}, "tree-sitter query"),
    ({"match": {"yaml": {"path": "title", "matchs": "x"}}}, "matchs"),
    ({"applies_to": {"paths": [None]}}, "applies_to.paths"),
    ({"params": {"a": 1}}, "'params' go with a named 'check'"),
])
def test_rule_fields_are_checked(tmp_path, fields, needle):
    import yaml

    rule = {"id": "user/a", "severity": "warning", "summary": "s", "rationale": "r",
            "references": ["https://example.org"], "match": {"added_line": "x"}, "message": "m",
            "examples": {"bad": {"subject": "x: y"}, "good": {"subject": "x: y"}}}
    rule.update(fields)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({"rules": [rule]}))
    with pytest.raises(InputError) as exc:
        load_rule_file(path)
    msg = str(exc.value)
    assert str(path) in msg and "user/a" in msg and needle in msg and "\n" not in msg, msg


def test_repro_28_bad_example_in_explain():
    d = _repro("28-user-rule-bad-example")
    proc = run_cli("explain", "user/b", "--rules", str(d), "--no-config")
    _one_line_error(proc, "rules.yaml", "user/b", "examples.bad[0].subject")


@pytest.mark.parametrize("example,needle", [
    ({"subject": "x: y", "from": "A" * 5_000}, "examples.bad[0].from"),
    ({"subject": "x: y", "files": {"a.c": 5}}, "examples.bad[0].files.a.c"),
    ({"patches": [{"subject": None}]}, "examples.bad[0].patches[0].subject"),
    ({"subject": "x: y", "modify": {"a.c": {"before": "x"}}}, "needs 'after'"),
    ({"subject": "x: y", "expect": [{"line": 3}]}, "needs 'anchor'"),
])
def test_example_shapes_are_checked(tmp_path, example, needle):
    import yaml

    rule = {"id": "user/b", "severity": "warning", "summary": "s", "rationale": "r",
            "references": ["https://example.org"], "match": {"added_line": "x"}, "message": "m",
            "examples": {"bad": example, "good": {"subject": "x: y"}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    proc = run_cli("explain", "user/b", "--rules", str(tmp_path), "--no-config")
    _one_line_error(proc, "user/b", needle)


def test_python_tags_in_a_rule_file_are_refused(tmp_path):
    """The catalogue is read with a safe loader: a python tag is an error, never a call."""
    marker = tmp_path / "executed"
    (tmp_path / "r.yaml").write_text(textwrap.dedent(f"""
        rules:
          - id: user/evil
            severity: !!python/object/apply:os.system ["touch {marker}"]
            summary: s
            rationale: r
            references: [https://example.org]
            match: {{added_line: x}}
            message: m
            examples: {{bad: {{subject: "x: y"}}, good: {{subject: "x: y"}}}}
    """))
    with pytest.raises(InputError) as exc:
        load_catalog([str(tmp_path)])
    assert "r.yaml" in str(exc.value) and "invalid YAML" in str(exc.value)
    assert not marker.exists()


def test_builtin_catalogue_is_loaded_safely(monkeypatch, tmp_path):
    """Loading must go through a safe loader: an unsafe one would pass this
    catalogue too, so the loader itself is checked."""
    import yaml

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # an empty JSON cache: the YAML is parsed

    seen = []
    real = yaml.load

    def spy(stream, Loader=None):  # noqa: N803 - PyYAML's name
        seen.append(Loader)
        return real(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", spy)
    load_catalog()
    from yaml.constructor import FullConstructor, SafeConstructor

    assert seen and all(issubclass(L, SafeConstructor) and not issubclass(L, FullConstructor) for L in seen)


def test_cli_internal_error_is_one_line(monkeypatch, capsys):
    """The last net: an unexpected exception is one line on stderr, exit 2, no traceback."""
    from reviewtool import cli, ruledocs

    def boom(*_a, **_k):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(ruledocs, "load", boom)
    monkeypatch.delenv("REVIEWTOOL_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["reviewtool", "rules", "--no-config"])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err == "reviewtool: internal error: RuntimeError: something broke\n"


def test_readme_inside_example_works_as_a_user_rule(tmp_path):
    """The README's 'no .owner = THIS_MODULE inside a platform_driver initialiser'
    rule, copied as a maintainer would, fires there and nowhere else."""
    loaded = _readme_rule(tmp_path, "      added_line: '\\.owner", "local/no-owner")

    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    source = textwrap.dedent("""\
        static const struct file_operations acme_fops = {
        	.owner = THIS_MODULE,
        };

        static struct platform_driver acme_driver = {
        	.driver = {
        		.name = "acme",
        		.owner = THIS_MODULE,
        	},
        };
        """)
    (series,) = load_bytes(render_example({"subject": "misc: acme: Add driver",
                                           "files": {"drivers/misc/acme.c": source}}, "t"), "t")
    findings = check_series(series, [loaded], Options()).findings
    assert [(f.line, f.message) for f in findings] == [
        (8, 'Remove ".owner = THIS_MODULE": the platform_driver registration helper sets it.')]


def test_rules_json_marks_each_rules_form():
    import json

    proc = run_cli("rules", "--format", "json", "--no-config")
    assert proc.returncode == 0, proc.stderr.decode()
    forms = {r["id"]: r["form"] for r in json.loads(proc.stdout)}
    assert set(forms.values()) == {"declarative", "check"}
    assert forms["driver/platform-owner"] == "declarative" and forms["series/incomplete"] == "check"
    assert sum(v == "declarative" for v in forms.values()) >= 22


def _readme_rule(tmp_path, first_condition: str, rule_id: str):
    """The README snippet whose 'match:' starts with ``first_condition``, loaded as a user rule."""
    import yaml

    lines = (REPO / "README.md").read_text().split("\n")
    start = next(i for i, ln in enumerate(lines)
                 if ln == "    match:" and lines[i + 1].startswith(first_condition))
    end = next(i for i in range(start, len(lines)) if lines[i] and not lines[i].startswith("    "))
    snippet = yaml.safe_load(textwrap.dedent("\n".join(lines[start:end])))
    rule = {"id": rule_id, "severity": "warning", "summary": "s", "rationale": "r",
            "references": ["https://example.org"], **snippet,
            "examples": {"bad": {"subject": "x: y"}, "good": {"subject": "x: y"}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    (loaded,) = load_rule_file(tmp_path / "r.yaml")
    return loaded


def test_readme_unless_example_works_as_a_user_rule(tmp_path):
    """The README's 'unless:' example (probe naming, except in a driver with
    .id_table), copied as a maintainer would, leaves that driver alone only."""
    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    loaded = _readme_rule(tmp_path, "      added_line: '\\.probe", "local/probe-name")
    assert loaded.match.children[1].unless  # the README example really uses unless:
    source = textwrap.dedent("""\
        static struct pci_driver acme_pci_driver = {
        	.id_table = acme_pci_ids,
        	.probe = acme_init_one,
        };

        static struct platform_driver acme_driver = {
        	.probe = acme_register,
        };
        """)
    (series,) = load_bytes(render_example({"subject": "misc: acme: Add driver",
                                           "files": {"drivers/misc/acme.c": source}}, "t"), "t")
    findings = check_series(series, [loaded], Options()).findings
    assert [(f.line, f.message) for f in findings] == [
        (7, ".probe = acme_register: name the probe callback *_probe in the platform_driver.")]


@pytest.mark.parametrize("inside,needle", [
    ({"c": "(initializer_list) @inside", "unless": "(initializer_list"}, "match.inside.unless"),
    ({"c": "(initializer_list) @inside", "unless": ""}, "match.inside.unless"),
    ({"c": "(initializer_list) @inside", "unles": "(initializer_list) @x"}, "unless"),
])
def test_inside_unless_is_checked(tmp_path, inside, needle):
    import yaml

    rule = {"id": "user/a", "severity": "warning", "summary": "s", "rationale": "r",
            "references": ["https://example.org"], "match": {"inside": inside}, "message": "m",
            "examples": {"bad": {"subject": "x: y"}, "good": {"subject": "x: y"}}}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    proc = run_cli("rules", "--rules", str(tmp_path), "--no-config")
    _one_line_error(proc, "rules.yaml", "user/a", needle)


@pytest.mark.parametrize("pattern,local", [
    (r"\.(?P<field>probe)\s*=\s*(?P<name>(?!\w*probe)\w+)", True),  # the lookahead cannot reach a newline
    (r"^\s+(?P<name>status):\s*(?:true|#.*)?$", True),
    (r"(?<![\w-])foo", True),
    (r"foo(?!\s)", False),  # at a line's end: true alone, false before the joining newline
    (r"foo(?![^;])", False),
    (r"\Afoo", False),
    (r"foo\Z", False),
])
def test_line_local_patterns(pattern, local):
    from reviewtool.matcher import line_local

    assert line_local(pattern) is local


@pytest.mark.parametrize("pattern", [r"foo(?!\s)", r"foo\b", r"\Afoo"])
def test_added_line_finds_the_same_lines_with_the_whole_file_tried_first(tmp_path, pattern):
    """The one-search-per-file shortcut never hides a line's match (a pattern
    that could behave differently across a line end is tried line by line)."""
    import yaml

    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    rule = {"id": "user/foo", "severity": "warning", "summary": "s", "rationale": "r",
            "references": ["https://example.org"], "match": {"added_line": pattern}, "message": "m",
            "examples": {"bad": {"subject": "x: y"}, "good": {"subject": "x: y"}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    (loaded,) = load_rule_file(tmp_path / "r.yaml")
    source = "int a;\nint b;\nint c;\nint d;\nint e;\nfoo\nint f;\n"
    (series,) = load_bytes(render_example({"subject": "misc: acme: Add driver",
                                           "files": {"drivers/misc/acme.c": source}}, "t"), "t")
    assert [f.line for f in check_series(series, [loaded], Options()).findings] == [6]
