"""dtschema_runner's per-process savings change no result.

The $ref target cache (dtschema's ``retrieve`` answers, keyed by URI and file
content) and the reused scratch tree must give exactly what a cold, uncached
run gives: over the sample bindings, the accepted mainline bindings and the
Bao v1/v2 binding patches, and when a kernel tree's schema changes between
two validations.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import SAMPLES
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes
from reviewtool.validators import dtschema_runner as runner

from test_accepted_bindings import wrap_as_patch
from test_binding_tools import LED_CHILD, binding

DT = [r for r in load_catalog() if r.id == "binding/dt-schema"]


@pytest.fixture
def uncached():
    """Run the body with the cache off, then put it back on, empty."""
    runner.set_cache(False)
    try:
        yield
    finally:
        runner.set_cache(True)
        runner.clear_cache()


def _series_under_test(corpus: Path) -> list[tuple[str, object]]:
    out = []
    for path in sorted((SAMPLES / "bindings-good").glob("*.patch")) + sorted((SAMPLES / "bindings-bad").glob("*.patch")):
        (series,) = load_bytes(path.read_bytes(), path.name)
        out.append((path.name, series))
    accepted = corpus / "accepted-bindings"
    for path in sorted(accepted.rglob("*.yaml")):
        rel = str(path.relative_to(accepted))
        (series,) = load_bytes(render_example(wrap_as_patch(rel, path.read_text(encoding="utf-8")), "acc"), rel)
        out.append((rel, series))
    for name in ("bao-v1.mbox", "bao-v2.mbox"):
        for series in load_bytes((corpus / name).read_bytes(), name):
            out.append((name, series))
    return out


def _run(all_series, options: Options | None = None) -> dict[str, tuple]:
    return {name: check_series(series, DT, options or Options()).findings for name, series in all_series}


def test_cached_and_uncached_findings_are_identical(corpus):
    all_series = _series_under_test(corpus)
    assert len(all_series) >= 12 + 44 + 20 + 2
    runner.set_cache(False)
    try:
        cold = _run(all_series)
    finally:
        runner.set_cache(True)
    runner.clear_cache()
    warm_first = _run(all_series)  # fills the cache: misses on the first use of each schema
    warm_again = _run(all_series)  # every bundled schema now comes from the cache
    assert warm_first == cold
    assert warm_again == cold
    info = runner.cache_info()
    assert info["hits"] > info["misses"] > 0
    # the comparison is not vacuous: the bad samples and Bao v1 do draw dt-schema errors
    assert sum(1 for f in cold.values() for x in f if x.severity == "error") >= 5


def test_cached_and_uncached_runner_results_are_identical_with_data(corpus):
    """The runner itself, on the parsed-data path the check uses, problem by problem."""
    from reviewtool.artifacts.binding import parse_yaml

    accepted = corpus / "accepted-bindings"
    texts = [(str(p.relative_to(accepted)), p.read_text(encoding="utf-8")) for p in sorted(accepted.rglob("*.yaml"))]
    runner.set_cache(False)
    try:
        cold = [runner.validate(rel, text, data=parse_yaml(text)[0]) for rel, text in texts]
    finally:
        runner.set_cache(True)
    runner.clear_cache()
    for _ in range(2):
        assert [runner.validate(rel, text, data=parse_yaml(text)[0]) for rel, text in texts] == cold


COMMON = "leds/common.yaml"
# a child node that $refs leds/common.yaml and does not close itself: an error
# exactly when the tree's common.yaml is open
USER = binding("leds/acme,led2.yaml", top=LED_CHILD.replace("    unevaluatedProperties: false\n", ""))


def _common(closed: bool) -> str:
    return textwrap.dedent(f"""\
        # SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
        %YAML 1.2
        ---
        $id: http://devicetree.org/schemas/leds/common.yaml#
        $schema: http://devicetree.org/meta-schemas/core.yaml#

        title: Common LED properties

        maintainers:
          - Ada Example <ada@example.org>

        properties:
          label:
            $ref: /schemas/types.yaml#/definitions/string

        additionalProperties: {'false' if closed else 'true'}
        """)


def test_a_tree_schema_that_changes_is_read_again():
    """Same URI, different content (another tree state): never a stale answer."""
    closed, opened = _common(True), _common(False)
    answers = {}
    runner.set_cache(False)
    try:
        for name, text in (("closed", closed), ("open", opened)):
            answers[name] = runner.validate("leds/acme,led2.yaml", USER, resolve=lambda rel, t=text: t if rel == COMMON else None)
    finally:
        runner.set_cache(True)
    runner.clear_cache()
    # the two tree states really differ for dt-schema ...
    assert answers["closed"].problems == ()
    assert any("unevaluatedProperties" in p.message for p in answers["open"].problems)
    # ... and alternating them with the cache on gives the uncached answer each time
    for name in ("closed", "open", "closed", "open"):
        text = closed if name == "closed" else opened
        got = runner.validate("leds/acme,led2.yaml", USER, resolve=lambda rel, t=text: t if rel == COMMON else None)
        assert got == answers[name], name


def test_a_file_of_an_earlier_run_is_gone_from_the_scratch_tree():
    """The scratch tree is reused: what one run placed must not resolve in the next."""
    common = binding("misc/acme,foo-common.yaml").replace("title: ACME FOO1 widget", "title: ACME FOO common")
    user = binding("misc/acme,foo1.yaml", top="\nallOf:\n  - $ref: acme,foo-common.yaml#\n", closing="unevaluated")
    assert runner.validate("misc/acme,foo-common.yaml", common) == runner.SchemaResult()
    alone = runner.validate("misc/acme,foo1.yaml", user)
    assert [u.target for u in alone.unresolved] == ["misc/acme,foo-common.yaml"]
    together = runner.validate("misc/acme,foo1.yaml", user, others={"misc/acme,foo-common.yaml": common})
    assert together == runner.SchemaResult()
    root = runner._SCRATCH._bindings()
    assert [p for p in root.rglob("*") if p.is_file()] == []


def test_an_empty_directory_left_by_an_earlier_run_does_not_block_a_file():
    runner.validate("misc/acme,foo1.yaml", binding(), others={"misc/acme,foo2.yaml/x.yaml": "a: 1\n"})
    assert runner.validate("misc/acme,foo2.yaml", binding("misc/acme,foo2.yaml")) == runner.SchemaResult()


def test_an_abandoned_scratch_tree_is_replaced():
    runner.validate("misc/acme,foo1.yaml", binding())
    first = runner._SCRATCH._bindings()
    runner._SCRATCH.abandon()
    assert not first.parent.parent.parent.exists()
    assert runner.validate("misc/acme,foo1.yaml", binding()) == runner.SchemaResult()
    assert runner._SCRATCH._bindings() != first


def test_unexpected_dtschema_internals_bypass_the_cache():
    """No ``paths`` (or an odd one): dtschema's own retrieve answers, every time."""
    calls = []

    class Odd:
        paths = "not a list of (url, directory)"

    def original(uri):
        calls.append(uri)
        return f"resource for {uri}"

    retrieve = runner._cached_retrieve(Odd(), original)
    before = runner.cache_info()["bypassed"]
    assert retrieve("http://devicetree.org/schemas/types.yaml#") == "resource for http://devicetree.org/schemas/types.yaml#"
    assert retrieve("http://devicetree.org/schemas/types.yaml#") == "resource for http://devicetree.org/schemas/types.yaml#"
    assert len(calls) == 2 and runner.cache_info()["bypassed"] == before + 2


def test_a_failing_retrieve_is_not_cached(tmp_path):
    """dtschema's own error comes back each time; nothing is remembered for it."""
    (tmp_path / "bad.yaml").write_text("a: 1\na: 2\n")  # duplicate key: dtschema's loader refuses it

    class Sch:
        paths = [("http://devicetree.org/schemas/", str(tmp_path) + "/")]

    dts = runner.load()
    original = dts.DTSchema.retrieve.__get__(Sch())
    retrieve = runner._cached_retrieve(Sch(), original)
    size = runner.cache_info()["size"]
    for _ in range(2):
        with pytest.raises(Exception):
            retrieve("http://devicetree.org/schemas/bad.yaml#")
    assert runner.cache_info()["size"] == size


def _validate_in_worker() -> tuple[str, bool]:
    result = runner.validate("misc/acme,foo1.yaml", binding())
    return str(runner._SCRATCH._base), result == runner.SchemaResult()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_worker_process_removes_its_scratch_tree_when_it_exits(method):
    """Pool workers leave by os._exit (no atexit): their scratch tree must still go."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    runner.validate("misc/acme,foo1.yaml", binding())  # the parent has its own tree, before forking
    parent = runner._SCRATCH._base
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method)) as pool:
        base, clean = pool.submit(_validate_in_worker).result()
    assert clean and base != str(parent)
    assert not Path(base).exists()
    assert parent.is_dir()  # the worker's exit did not touch the parent's
