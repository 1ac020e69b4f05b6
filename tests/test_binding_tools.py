"""binding/dt-schema and binding/yamllint: dtschema and yamllint run offline on the post-image."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes
from reviewtool.validators import dtschema_runner, yamllint_runner

RULES = {r.id: r for r in load_catalog()}
DT, YL = RULES["binding/dt-schema"], RULES["binding/yamllint"]
TOOLS = [DT, YL]
BIND = "Documentation/devicetree/bindings/"

HEAD = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/{rel}#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME FOO1 widget

maintainers:
  - Ada Example <ada@example.org>
"""


def binding(rel: str = "misc/acme,foo1.yaml", props: str = "", top: str = "", closing: str = "additional") -> str:
    """A valid binding; ``props`` adds indented property text, ``top`` top-level keys."""
    compat = rel.rsplit("/", 1)[-1].removesuffix(".yaml")
    return (HEAD.format(rel=rel) + top + textwrap.dedent(f"""
        properties:
          compatible:
            const: {compat}

          reg:
            maxItems: 1
        """) + props + textwrap.dedent(f"""
        required:
          - compatible
          - reg

        {closing}Properties: false
        """))


def run(spec, options: Options | None = None, rules=TOOLS):
    data = spec if isinstance(spec, bytes) else render_example(spec, "bt")
    (series,) = load_bytes(data, "test")
    return check_series(series, list(rules), options or Options()).findings


def patch(files: dict | None = None, modify: dict | None = None, subject="dt-bindings: misc: Add ACME FOO1"):
    out = {"subject": subject}
    if files:
        out["files"] = files
    if modify:
        out["modify"] = modify
    return out


def lines_of(findings, rule, path_end="", severity=None):
    return sorted(f.line for f in findings if f.rule == rule and (f.path or "").endswith(path_end)
                  and (severity is None or f.severity == severity))


# -- the corpus -------------------------------------------------------------------------

def test_bao_v1_matches_the_dt_bot(corpus):
    findings = run((corpus / "bao-v1.mbox").read_bytes())
    # the same remark on several lines is one finding listing them (reviewtool.consolidate)
    by_patch = lambda n, rule: sorted(ln for f in findings if f.patch == n and f.rule == rule  # noqa: E731
                                      for ln in (f.lines or (f.line,)))
    # Rob's bot: quoted-strings at ipcshmem.yaml 4-5 (then the TAB stops yamllint) and io-dispatcher 4, 5, 20.
    assert by_patch(1, "binding/yamllint") == [4, 5]
    assert by_patch(3, "binding/yamllint") == [4, 5, 20]
    assert all("quoted" in f.message for f in findings if f.rule == "binding/yamllint")
    # The TAB on ipcshmem.yaml line 17: the file does not parse, reported with the parser's line.
    (parse,) = [f for f in findings if f.patch == 1 and f.rule == "binding/dt-schema"]
    assert parse.line == 17 and parse.severity == "error" and "'\\t'" in parse.message
    assert parse.text.startswith("\t")
    # io-dispatcher: type: array under reg/interrupts, and interrupt-parent declared as a property.
    dt3 = {f.line: f for f in findings if f.patch == 3 and f.rule == "binding/dt-schema"}
    assert {23, 27, 31, 34, 40} <= set(dt3)
    assert "properties:reg" in dt3[23].message and "'array'" in dt3[27].message
    assert "interrupt-parent" in dt3[40].message and dt3[40].text == "  interrupt-parent:"
    assert all(f.severity == "error" for f in dt3.values())


def test_bao_v2_bindings_pass_both_tools(corpus):
    assert run((corpus / "bao-v2.mbox").read_bytes()) == ()


def test_vmbus_tab_in_example_is_a_parse_error(corpus):
    findings = run((corpus / "other-hyperv-vmbus-v1-binding.mbox").read_bytes())
    (parse,) = [f for f in findings if f.rule == "binding/dt-schema"]
    assert parse.line == 30 and "not valid YAML" in parse.message
    assert [f.line for f in findings if f.rule == "binding/yamllint"] == [20]  # 'ranges :'


def _accepted(corpus):
    root = corpus / "accepted-bindings"
    return sorted(p for p in root.rglob("*.yaml"))


def test_accepted_mainline_bindings_are_clean(corpus):
    for path in _accepted(corpus):
        rel = str(path.relative_to(corpus / "accepted-bindings"))
        subdir = rel.split("/")[0]
        findings = run(patch({BIND + rel: path.read_text()}, subject=f"dt-bindings: {subdir}: Add {path.stem}"))
        loud = [(f.rule, f.line, f.message) for f in findings if f.severity != "info"]
        assert loud == [], rel
        # kernel-only $refs (e.g. leds/common.yaml) are an info note, at most one per series
        assert len(findings) <= 1
        for f in findings:
            assert "could not be verified" in f.message and "--tree" in f.message


# -- malformed YAML never crashes ---------------------------------------------------------

@pytest.mark.parametrize("text,line,words", [
    ("title: x\ndescription: |\n  a\n\tb\n", 7, "'\\t'"),
    ("title: x\nproperties:\n  compatible:\n    const: acme,foo1\n   reg:\n  maxItems: 1\n", 8, "expected"),
    ("title: x\ntitle: y\n", 5, "duplicate key"),
    ("title: [x\n", 4, "expected ',' or ']'"),
])
def test_malformed_yaml_is_a_finding_with_the_parser_line(text, line, words):
    body = "# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)\n%YAML 1.2\n---\n" + text
    findings = run(patch({BIND + "misc/acme,foo1.yaml": body}))
    (f,) = [f for f in findings if f.rule == "binding/dt-schema"]
    assert f.line == line and f.severity == "error" and words in f.message
    # the syntax error is not reported twice (yamllint's copy is dropped while dt-schema runs)
    assert not [g for g in findings if g.rule == "binding/yamllint" and "(syntax)" in g.message]


@pytest.mark.parametrize("mutate,words", [
    (lambda t: "", "not a YAML mapping"),
    (lambda t: t.split("$id:")[0] + "- a\n- b\n", "not a YAML mapping"),
    (lambda t: t.replace("http://devicetree.org/schemas/misc/acme,foo1.yaml#", "http://example.com/acme,foo1.yaml#"),
     "$id"),
    (lambda t: t.replace("meta-schemas/core.yaml#", "meta-schemas/nope.yaml#"), "$schema"),
    (lambda t: t.replace("$schema: http://devicetree.org/meta-schemas/core.yaml#", "$schema: 5"), "$schema"),
    (lambda t: t.replace("$schema: http://devicetree.org/meta-schemas/core.yaml#\n", ""), "$schema"),
    (lambda t: t.replace("$id: http://devicetree.org/schemas/misc/acme,foo1.yaml#\n", ""), "$id"),
    (lambda t: t.replace("acme,foo1.yaml#", "acme,bar.yaml#"), "does not match the file's path"),
])
def test_odd_input_gives_findings_not_tracebacks(mutate, words):
    text = mutate(binding())
    findings = [f for f in run(patch({BIND + "misc/acme,foo1.yaml": text})) if f.rule == "binding/dt-schema"]
    assert findings and any(words in f.message for f in findings), [f.message for f in findings]
    assert all(f.severity == "error" for f in findings)


def test_check_schema_refs_crash_becomes_a_problem(monkeypatch):
    dts = dtschema_runner.load()

    def boom(self):
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(dts.DTSchema, "check_schema_refs", boom)
    result = dtschema_runner.validate("misc/acme,foo1.yaml", binding())
    (p,) = result.problems
    assert p.kind == "crash" and "TypeError" in p.message and p.line == 4


# -- $refs: once-per-series note without a tree, errors with one ----------------------------

REFS = """
  acme,mode:
    $ref: /schemas/types.yaml#/definitions/uint32
    enum: [0, 1]
    description: Output mode.
"""
SPI_TOP = "\nallOf:\n  - $ref: /schemas/spi/spi-peripheral-props.yaml#\n"
LED_CHILD = """
patternProperties:
  "^led@[0-3]$":
    type: object
    $ref: /schemas/leds/common.yaml#
    unevaluatedProperties: false
"""


def test_unresolvable_kernel_refs_are_one_info_note_per_series():
    a = binding("misc/acme,foo1.yaml", REFS, SPI_TOP, closing="unevaluated")
    b = binding("leds/acme,led2.yaml", top=LED_CHILD)
    spec = {"patches": [patch({BIND + "misc/acme,foo1.yaml": a}), patch({BIND + "leds/acme,led2.yaml": b},
                                                                     subject="dt-bindings: leds: Add ACME LED2")]}
    findings = run(spec)
    assert [f.severity for f in findings] == ["info"]
    (note,) = findings
    assert note.patch == 1 and note.line == a.split("\n").index("  - $ref: /schemas/spi/spi-peripheral-props.yaml#") + 1
    assert "spi/spi-peripheral-props.yaml" in note.message and "leds/common.yaml" in note.message
    assert "--tree" in note.message and "not a problem in the patch" in note.message


def _tree(tmp_path: Path) -> Path:
    """A minimal kernel tree with one common schema."""
    spi = tmp_path / BIND / "spi"
    spi.mkdir(parents=True)
    (spi / "spi-peripheral-props.yaml").write_text(textwrap.dedent("""\
        # SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
        %YAML 1.2
        ---
        $id: http://devicetree.org/schemas/spi/spi-peripheral-props.yaml#
        $schema: http://devicetree.org/meta-schemas/core.yaml#

        title: Peripheral-specific properties for a SPI bus

        maintainers:
          - Ada Example <ada@example.org>

        select: false

        properties:
          spi-max-frequency:
            $ref: /schemas/types.yaml#/definitions/uint32

        additionalProperties: true
        """))
    (tmp_path / BIND / "misc").mkdir()
    (tmp_path / BIND / "misc" / "acme,other.yaml").write_text("unrelated: true\n")
    return tmp_path


def test_with_a_tree_refs_resolve_and_missing_ones_are_errors(tmp_path):
    tree = _tree(tmp_path)
    text = binding("misc/acme,foo1.yaml", REFS, SPI_TOP + LED_CHILD,
                   closing="unevaluated")
    findings = run(patch({BIND + "misc/acme,foo1.yaml": text}), Options(tree_path=str(tree)))
    assert [f.severity for f in findings] == ["error"]
    (f,) = findings
    assert f.rule == "binding/dt-schema" and "leds/common.yaml" in f.message
    assert f.text == "    $ref: /schemas/leds/common.yaml#"
    # the tree itself is untouched: we validated in a scratch copy
    assert sorted(p.name for p in (tree / BIND / "misc").iterdir()) == ["acme,other.yaml"]


def test_series_bindings_resolve_each_other_in_patch_order():
    common = binding("misc/acme,foo-common.yaml").replace("title: ACME FOO1 widget", "title: ACME FOO common")
    user = binding("misc/acme,foo1.yaml", top="\nallOf:\n  - $ref: acme,foo-common.yaml#\n", closing="unevaluated")
    first = patch({BIND + "misc/acme,foo-common.yaml": common})
    second = patch({BIND + "misc/acme,foo1.yaml": user})
    assert run({"patches": [first, second]}) == ()
    reversed_order = run({"patches": [second, first]})
    assert [f.severity for f in reversed_order] == ["info"] and "acme,foo-common.yaml" in reversed_order[0].message


def test_missing_constraint_note_from_check_schema_refs():
    common = textwrap.dedent("""\
        # SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
        %YAML 1.2
        ---
        $id: http://devicetree.org/schemas/misc/acme,chan.yaml#
        $schema: http://devicetree.org/meta-schemas/core.yaml#

        title: ACME channel

        maintainers:
          - Ada Example <ada@example.org>

        properties:
          acme,gain:
            $ref: /schemas/types.yaml#/definitions/uint32
            description: Gain.

        additionalProperties: true
        """)
    child = "\n  channel:\n    type: object\n    $ref: acme,chan.yaml#\n"
    result = dtschema_runner.validate("misc/acme,foo1.yaml", binding(props=child),
                                      others={"misc/acme,chan.yaml": common})
    (p,) = result.problems
    assert "channel" in p.message and "unevaluatedProperties" in p.message
    assert binding(props=child).split("\n")[p.line - 1] == "  channel:"


# -- modified files: new problems only -------------------------------------------------------

BASE = binding(props='\n  interrupt-parent:\n    description: x\n    type: string\n').replace(
    "const: acme,foo1", 'const: "acme,foo1"')
AFTER = BASE.replace("  reg:\n    maxItems: 1\n",
                     "  reg:\n    maxItems: 1\n\n  clocks:\n    type: array\n\n  acme,mode:\n    const: \"x\"\n")


def test_modified_binding_with_tree_reports_only_what_the_patch_adds(tmp_path):
    tree = tmp_path
    (tree / BIND / "misc").mkdir(parents=True)
    (tree / BIND / "misc" / "acme,foo1.yaml").write_text(BASE)
    spec = patch(modify={BIND + "misc/acme,foo1.yaml": {"before": BASE, "after": AFTER}},
                 subject="dt-bindings: misc: acme,foo1: Add clocks")
    findings = run(spec, Options(tree_path=str(tree)))
    after = AFTER.split("\n")
    yl = [after[f.line - 1] for f in findings if f.rule == "binding/yamllint"]
    assert yl == ['    const: "x"']  # the quoted compatible (line 12) was already there
    dt = [after[f.line - 1] for f in findings if f.rule == "binding/dt-schema"]
    assert "  clocks:" in dt or "    type: array" in dt
    assert not any("interrupt-parent" in f.message for f in findings)  # pre-existing


def test_modified_binding_without_base_is_said_once(tmp_path):
    spec = patch(modify={BIND + "misc/acme,foo1.yaml": {"before": BASE, "after": AFTER}},
                 subject="dt-bindings: misc: acme,foo1: Add clocks")
    (note,) = run(spec)
    assert note.severity == "info" and "did not run on misc/acme,foo1.yaml" in note.message


def test_a_file_two_patches_modify_without_base_is_named_once():
    third = AFTER.replace("  acme,mode:", "  acme,level:\n    const: \"y\"\n\n  acme,mode:")
    spec = {"cover": {"subject": "ACME foo1 updates"}, "patches": [
        patch(modify={BIND + "misc/acme,foo1.yaml": {"before": BASE, "after": AFTER}},
              subject="dt-bindings: misc: acme,foo1: Add clocks"),
        patch(modify={BIND + "misc/acme,foo1.yaml": {"before": AFTER, "after": third}},
              subject="dt-bindings: misc: acme,foo1: Add a level")]}
    notes = [f for f in run(spec) if f.status_note]
    assert len(notes) == 1 and notes[0].message.count("misc/acme,foo1.yaml") == 1, [f.message for f in notes]


def test_file_added_then_modified_in_the_series_is_rebuilt_from_the_earlier_patch():
    first = patch({BIND + "misc/acme,foo1.yaml": BASE.replace('"acme,foo1"', "acme,foo1").replace(
        "\n  interrupt-parent:\n    description: x\n    type: string\n", "")})
    good_after = binding(props="\n  clocks:\n    maxItems: 1\n")
    second = patch(modify={BIND + "misc/acme,foo1.yaml": {"before": binding(), "after": good_after}},
                   subject="dt-bindings: misc: acme,foo1: Add clocks")
    assert run({"patches": [first, second]}) == ()
    bad_after = binding(props='\n  clocks:\n    maxItems: 1\n    description: "x"\n')
    second = patch(modify={BIND + "misc/acme,foo1.yaml": {"before": binding(), "after": bad_after}},
                   subject="dt-bindings: misc: acme,foo1: Add clocks")
    (f,) = run({"patches": [first, second]})
    assert f.patch == 2 and f.rule == "binding/yamllint" and f.text == '    description: "x"'


# -- engine integration details ------------------------------------------------------------------

def test_problem_on_a_line_the_patch_did_not_add_anchors_on_the_first_added_line(tmp_path):
    # Removing 'clocks' leaves two blank context lines together; the only added line is the title.
    base = binding(props="\n  clocks:\n    maxItems: 1\n\n  acme,wide:\n    type: boolean\n    description: x\n")
    after = base.replace("  clocks:\n    maxItems: 1\n", "").replace("title: ACME FOO1 widget",
                                                                   "title: ACME FOO1 widget controller")
    (tmp_path / BIND / "misc").mkdir(parents=True)
    (tmp_path / BIND / "misc" / "acme,foo1.yaml").write_text(base)
    spec = patch(modify={BIND + "misc/acme,foo1.yaml": {"before": base, "after": after}})
    (f,) = run(spec, Options(tree_path=str(tmp_path)))
    blank = after.split("\n").index("  acme,wide:")  # the second blank line is just above it
    assert f.rule == "binding/yamllint" and f"(line {blank} of the file)" in f.message
    assert f.line == after.split("\n").index("title: ACME FOO1 widget controller") + 1
    assert f.text == "title: ACME FOO1 widget controller"


def test_max_per_file_caps_and_summarises():
    capped = dataclasses.replace(YL, params={"max_per_file": 2})
    text = binding().replace("const: acme,foo1", 'const: "acme,foo1"').replace(
        "$schema: http://devicetree.org/meta-schemas/core.yaml#", '$schema: "http://devicetree.org/meta-schemas/core.yaml#"'
    ).replace("title: ACME FOO1 widget", 'title: "ACME FOO1 widget"')
    findings = run(patch({BIND + "misc/acme,foo1.yaml": text}), rules=[capped])
    assert sum(len(f.lines or (f.line,)) for f in findings) == 3  # repeats of one remark are one finding
    assert any("1 more" in f.message for f in findings)


def test_dtschema_unavailable_is_an_info_note(monkeypatch):
    def unavailable(*a, **k):
        raise dtschema_runner.DtSchemaUnavailable("dtschema is not installed (test)")

    monkeypatch.setattr(dtschema_runner, "validate", unavailable)
    (note,) = run(patch({BIND + "misc/acme,foo1.yaml": binding()}))
    assert note.severity == "info" and "dt-schema could not run" in note.message and "(test)" in note.message


def test_meta_schema_registry_is_built_once_per_process():
    from dtschema.schema import create_meta_schema_registry

    dtschema_runner.validate("misc/acme,foo1.yaml", binding())
    before = create_meta_schema_registry.cache_info()
    dtschema_runner.validate("misc/acme,foo2.yaml", binding("misc/acme,foo2.yaml"))
    after = create_meta_schema_registry.cache_info()
    assert after.misses == before.misses == 1 and after.hits > before.hits


def test_yamllint_config_is_package_data_with_the_kernel_settings():
    from yamllint.config import YamlLintConfig

    conf = YamlLintConfig(content=yamllint_runner.config_text())
    assert conf.rules["line-length"]["max"] == 110 and conf.rules["line-length"]["level"] == "warning"
    assert conf.rules["quoted-strings"]["required"] == "only-when-needed"
    assert conf.rules["indentation"]["spaces"] == 2 and conf.rules["indentation"]["indent-sequences"] is True
    assert conf.rules["document-start"]["present"] is True
    assert conf.rules["empty-lines"]["max"] == 1
    # regexes and JSON pointers may stay quoted, as in the kernel
    assert yamllint_runner.lint('---\na:\n  "^led@[0-3]$": 1\nb: "/"\nc: "[x]"\n') == []
    problems = yamllint_runner.lint('---\na: "plain"\n' + "b: " + "x" * 120 + " y\n")
    assert [(p.line, p.rule) for p in problems] == [(2, "quoted-strings"), (3, "line-length")]


# -- process-level behaviour (fresh interpreters) -------------------------------------------------

def _python(code: str) -> subprocess.CompletedProcess:
    # A child of a background job inherits SIGINT ignored and Python then installs
    # no handler; start it with the default disposition, as a terminal would.
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=REPO / "tests", timeout=300,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_works_from_a_worker_thread_and_keeps_sigint():
    code = f"""
        import json, signal, threading
        from test_binding_tools import run, patch, binding, BIND
        out = {{}}
        def work():
            try:
                text = binding().replace("const: acme,foo1", "const: acme,foo1\\n    type: string")
                out["rules"] = [f.rule for f in run(patch({{BIND + "misc/acme,foo1.yaml": text}}))]
            except BaseException as exc:
                out["error"] = repr(exc)
        before = signal.getsignal(signal.SIGINT)
        t = threading.Thread(target=work); t.start(); t.join()
        out["sigint_kept"] = signal.getsignal(signal.SIGINT) is before
        print(json.dumps(out))
    """
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "error" not in out and out["sigint_kept"] is True
    assert "binding/dt-schema" in out["rules"]


def test_main_thread_import_restores_the_sigint_handler():
    proc = _python("""
        import signal
        from reviewtool.validators import dtschema_runner
        dtschema_runner.load()
        print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"


def test_no_binding_no_import():
    proc = _python("""
        import sys
        from test_binding_tools import run, patch
        spec = {"subject": "misc: acme: Add driver", "files": {"drivers/misc/acme.c": "int x;\\n"}}
        run(spec)
        print(sorted(m for m in ("dtschema", "yamllint") if m in sys.modules))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_cli_tree_option_resolves_refs_through_the_tree_view(tmp_path):
    from conftest import check_json

    tree = _tree(tmp_path / "linux")
    text = binding("misc/acme,foo1.yaml", REFS, SPI_TOP, closing="unevaluated")
    mbox = tmp_path / "p.mbox"
    mbox.write_bytes(render_example(patch({BIND + "misc/acme,foo1.yaml": text}), "cli"))
    only = ("--only", "binding/dt-schema", "--only", "binding/yamllint")
    assert check_json(str(mbox), *only, "--tree", str(tree), cwd=tmp_path)["series"][0]["findings"] == []
    (note,) = check_json(str(mbox), *only, cwd=tmp_path)["series"][0]["findings"]
    assert note["severity"] == "info" and "spi/spi-peripheral-props.yaml" in note["message"]


def test_with_a_tree_an_open_child_on_an_open_common_schema_is_reported(tmp_path):
    """leds/common.yaml allows anything: a child that $refs it must close itself
    (dt-doc-validate's 'Missing additionalProperties/unevaluatedProperties')."""
    leds = tmp_path / BIND / "leds"
    leds.mkdir(parents=True)
    (leds / "common.yaml").write_text(textwrap.dedent("""\
        # SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
        %YAML 1.2
        ---
        $id: http://devicetree.org/schemas/leds/common.yaml#
        $schema: http://devicetree.org/meta-schemas/core.yaml#

        title: Common leds properties

        maintainers:
          - Ada Example <ada@example.org>

        properties:
          label:
            $ref: /schemas/types.yaml#/definitions/string

        additionalProperties: true
        """))
    closed = binding("leds/acme,led2.yaml", top=LED_CHILD)
    open_child = closed.replace("    $ref: /schemas/leds/common.yaml#\n    unevaluatedProperties: false\n",
                                "    $ref: /schemas/leds/common.yaml#\n")
    opts = Options(tree_path=str(tmp_path))
    assert run(patch({BIND + "leds/acme,led2.yaml": closed}), opts) == ()
    (f,) = run(patch({BIND + "leds/acme,led2.yaml": open_child}), opts)
    assert f.rule == "binding/dt-schema" and f.severity == "error" and "unevaluatedProperties" in f.message
    assert f.text == '  "^led@[0-3]$":'


def test_validating_parsed_data_gives_what_parsing_the_file_gives(corpus):
    """validate(data=...) skips dtschema's own parse; it must not change a single problem."""
    from reviewtool.artifacts.binding import parse_yaml

    texts = [(str(p.relative_to(corpus / "accepted-bindings")), p.read_text()) for p in _accepted(corpus)]
    (series,) = load_bytes((corpus / "bao-v1.mbox").read_bytes(), "bao")
    texts += [(f.path.split("bindings/", 1)[1], f.new_text()) for p in series.patches for f in p.files
              if f.path.endswith(".yaml") and f.status == "added" and "vendor-prefixes" not in f.path]
    texts.append(("misc/acme,foo1.yaml", binding(props='\n  reg-names:\n    const: "x"\n').replace(
        "acme,foo1.yaml#", "acme,bar.yaml#")))
    for rel, text in texts:
        data, error = parse_yaml(text)
        if error is not None:
            continue
        assert dtschema_runner.validate(rel, text, data=data) == dtschema_runner.validate(rel, text), rel
    assert len(texts) > 20


def test_open_top_level_is_left_to_closed_schema_when_it_runs():
    """dt-schema's "unevaluatedProperties is a required property" is what
    binding/closed-schema reports, on a better line: said once, not twice."""
    spec = patch({BIND + "misc/acme,foo1.yaml": binding().replace("additionalProperties: false\n", "")})
    alone = run(spec)
    assert any("'unevaluatedProperties' is a required property" in f.message for f in alone)
    both = run(spec, rules=[*TOOLS, RULES["binding/closed-schema"]])
    assert [f.rule for f in both if "nevaluatedProperties" in f.message] == ["binding/closed-schema"]
