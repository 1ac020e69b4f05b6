"""The review archive: ingest, idempotence, remark anchoring, precedents, learn, the commands.

Archives are built once per session from a few real threads (``../shared``;
skipped when absent) or from rule-example style mail made here.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, SAMPLES, run_cli
from fakelore import fake_lore, lore_env  # noqa: F401  (pytest fixtures)

from reviewtool.archive.add import add_mail_bytes, add_sources, stats
from reviewtool.archive.learn import (Cited, Draft, LearnSettings, _drafts_for, _measure, area_of, in_new_node, learn, literal_regex,
                                      ref_beside, remark_gist, shape_regex, write_drafts)
from reviewtool.archive.precedents import Precedents
from reviewtool.archive.shapes import needle, shape_of
from reviewtool.archive.store import memory, open_archive
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load, load_bytes

DEV = REPO.parent / "shared" / "archive" / "dev"
GUNYAH = "gunyah"
GENIEZONE = "GenieZone"


def _corpus_threads() -> list[str]:
    if not CORPUS.is_dir():
        pytest.skip(f"real-mail corpus not found at {CORPUS}")
    return sorted(str(p) for p in CORPUS.glob("*.mbox") if not p.name.startswith("bao-"))


@pytest.fixture(scope="session")
def corpus_archive(tmp_path_factory) -> Path:
    """The corpus minus the Bao threads (the acceptance archive)."""
    files = _corpus_threads()
    path = tmp_path_factory.mktemp("archive") / "corpus.sqlite"
    add_sources(open_archive(path, create=True), files, jobs=1)
    return path


@pytest.fixture(scope="session")
def dev_archive(tmp_path_factory) -> Path:
    """Six real dev threads: enough for reviews, remarks on lines and shapes; two are revisions of one series."""
    if not DEV.is_dir():
        pytest.skip(f"dev archive not found at {DEV}")
    files = sorted(DEV.glob("*.mbox"))[:4] + sorted(DEV.glob("2023-01-add-support-for-clocks-on-mt7981-soc-*.mbox"))
    path = tmp_path_factory.mktemp("archive") / "dev.sqlite"
    add_sources(open_archive(path, create=True), [str(f) for f in files], jobs=1)
    return path


def _rules(*ids: str):
    return [r for r in load_catalog() if r.id in ids]


def _series_findings(archive: Path, mbox: Path, rule_id: str):
    prec = Precedents(open_archive(archive))
    out = []
    for s in load(str(mbox)):
        out.extend(check_series(s, _rules(rule_id), Options(extra={"precedents": prec})).findings)
    return out


# --------------------------------------------------------------------------
# Acceptance: Bao is pointed at Gunyah and GenieZone; an unrelated binding is not


def test_bao_binding_patches_get_gunyah_and_geniezone(corpus_archive):
    findings = _series_findings(corpus_archive, CORPUS / "bao-v1.mbox", "precedent/series")
    by_patch: dict[int, list[str]] = {}
    for f in findings:
        by_patch.setdefault(f.patch, []).append(f.message)
    assert set(by_patch) == {1, 3}  # the two binding patches, nothing on the drivers
    for n, messages in by_patch.items():
        assert len(messages) == 1  # one finding naming the top three
        (text,) = messages
        named = text.split("1) ", 1)[1]
        assert "4) " not in named
        assert GUNYAH in named and GENIEZONE in named, (n, text)
        # Every precedent is a real remark with its lore link.
        assert all("https://lore.kernel.org/r/" in m for m in messages)


def test_unrelated_binding_gets_neither(corpus_archive):
    sample = SAMPLES / "bindings-good" / "0001-dt-bindings-leds-Add-ACME-LC4108-LED-controller.patch"
    if not sample.is_file():
        sample = next((SAMPLES / "bindings-good").glob("*leds*"))
    findings = _series_findings(corpus_archive, sample, "precedent/series")
    text = "\n".join(f.message for f in findings)
    assert GUNYAH not in text and GENIEZONE not in text


def test_check_cli_reads_the_archive_and_no_precedents_switches_it_off(corpus_archive):
    args = ["check", str(CORPUS / "bao-v1.mbox"), "--format", "json", "--fail-on", "none", "--only",
            "precedent/series"]
    doc = json.loads(run_cli(*args, "--archive", str(corpus_archive)).stdout)
    assert any(f["rule"] == "precedent/series" for s in doc["series"] for f in s["findings"])
    off = json.loads(run_cli(*args, "--archive", str(corpus_archive), "--no-precedents").stdout)
    assert not any(f["rule"].startswith("precedent/") for s in off["series"] for f in s["findings"])
    # The environment names the archive too; a missing archive is simply no precedents.
    env = json.loads(run_cli(*args, env={"REVIEWTOOL_ARCHIVE": str(corpus_archive)}).stdout)
    assert env == doc
    none = json.loads(run_cli(*args, "--archive", str(corpus_archive) + ".missing").stdout)
    assert not any(f["rule"].startswith("precedent/") for s in none["series"] for f in s["findings"])


def test_own_thread_is_no_precedent(corpus_archive):
    """Checking a thread that is in the archive must not cite the thread itself."""
    findings = _series_findings(corpus_archive, CORPUS / "gunyah-v5-binding.mbox", "precedent/series")
    assert findings  # GenieZone and VMBus are still like it
    named = [part.split("), told:")[0] for f in findings for part in f.message.split(") \"")[1:]]
    assert named and not any("gunyah" in n.lower() for n in named)


# --------------------------------------------------------------------------
# What the archive holds


def test_remarks_are_anchored_on_the_patch_line_they_quote(corpus_archive, dev_archive):
    for archive in (corpus_archive, dev_archive):
        db = open_archive(archive)
        rows = db.execute("SELECT r.patch_msgid, r.path, r.line, r.target, r.reviewer_email, p.author_email "
                          "FROM remarks r JOIN patches p ON p.msgid = r.patch_msgid").fetchall()
        anchored = [r for r in rows if r[2] is not None]
        assert anchored and len(anchored) >= len(rows) // 3
        for patch, path, line, target, reviewer, author in rows:
            assert reviewer != author  # the author answering is not a remark
        for patch, path, line, target, _, _ in anchored:
            (blob,) = db.execute("SELECT body FROM patch_lines WHERE patch_msgid = ?", (patch,)).fetchone()
            lines = {tuple(ln.split("\t", 2)[:2]): ln.split("\t", 2)[2]
                     for ln in zlib.decompress(blob).decode().split("\n")}
            assert lines[(path, str(line))].rstrip() == target


def test_outcome_and_binding_facts(dev_archive, corpus_archive):
    db = open_archive(dev_archive)
    reviews = db.execute("SELECT v.reviewer_email, p.author_email FROM reviews v JOIN patches p "
                         "ON p.msgid = v.patch_msgid").fetchall()
    assert reviews and all(r != a for r, a in reviews)
    got = stats(db)
    assert got["messages"] >= got["patches"] + got["cover_letters"] > 0
    assert 0 < got["patches_with_a_later_revision"] < got["patches"]
    for later, reviewed, subject, version in db.execute(
            "SELECT o.later_revisions, o.reviewed_by, p.subject_key, p.version FROM outcomes o "
            "JOIN patches p ON p.msgid = o.msgid WHERE o.later_revisions > 0"):
        newer = db.execute("SELECT max(version) FROM patches WHERE subject_key = ?", (subject,)).fetchone()[0]
        assert newer > version
    assert got["remarks"] > 0 and got["reviewers"] > 0
    row = open_archive(corpus_archive).execute(
        "SELECT binding_dir, binding_class, compatibles FROM patches WHERE files LIKE '%gunyah-hypervisor.yaml%'"
    ).fetchone()
    assert row[0] == "firmware" and row[1] == "firmware" and "gunyah-hypervisor" in row[2]


def test_adding_twice_changes_nothing_and_new_mail_is_added(tmp_path):
    files = _corpus_threads()[:3]
    db = open_archive(tmp_path / "a.sqlite", create=True)
    first = add_sources(db, files[:2], jobs=1)
    assert first.new_messages > 0 and first.messages == first.new_messages
    before = stats(db)
    again = add_sources(db, files[:2], jobs=1)
    assert again.skipped == 2 and again.new_messages == 0 and stats(db) == before
    # A file that changed is read again; only what is new goes in.
    copy = tmp_path / "copy.mbox"
    copy.write_bytes(Path(files[0]).read_bytes())
    third = add_sources(db, [str(copy)], jobs=1)
    assert third.messages > 0 and third.new_messages == 0 and stats(db) == before
    more = add_sources(db, files, jobs=1)
    assert more.new_messages > 0 and stats(db)["messages"] > before["messages"]


def test_archive_add_by_message_id_fetches_through_lore(fake_lore, lore_env, tmp_path):  # noqa: F811
    lore = fake_lore(["gunyah-v5-binding.mbox"])
    raw = (CORPUS / "gunyah-v5-binding.mbox").read_bytes()
    msgid = raw.split(b"Message-ID:", 1)[1].split(b"\n", 1)[0].strip().decode().strip("<>")
    db_path = tmp_path / "lore.sqlite"
    proc = run_cli("archive", "add", msgid, "--archive", str(db_path), "--lore-url", lore.base, env=lore_env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "new messages" in proc.stdout.decode()
    db = open_archive(db_path)
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == raw.count(b"\nFrom mboxrd@z") + 1
    assert db.execute("SELECT count(*) FROM remarks").fetchone()[0] > 0


def test_stats_command_and_errors(corpus_archive, tmp_path):
    proc = run_cli("archive", "stats", "--archive", str(corpus_archive), "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["remarks"] > 0
    missing = run_cli("archive", "stats", "--archive", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 2 and missing.stderr.decode().count("\n") == 1
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 10)
    bad = run_cli("archive", "stats", "--archive", str(junk))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr.decode()
    nothing = run_cli("archive", "add", "--archive", str(tmp_path / "x.sqlite"))
    assert nothing.returncode == 2


# --------------------------------------------------------------------------
# Shapes


@pytest.mark.parametrize("path,text,above,expected", [
    ("a/b.yaml", "      type: integer", ["properties:", "  reg:", "    items:"], "yaml:properties/reg/items/type: integer"),
    ("a/b.yaml", "    const: acme,foo", ["properties:", "  compatible:"], "yaml:properties/compatible/const: COMPATIBLE"),
    ("a/b.yaml", "  vendor,thing-ms:", ["properties:"], "yaml:properties/VENDOR,thing-ms:"),
    ("x.c", '\tret = devm_clk_get(&pdev->dev, "bus");', [], "c:ID = devm_clk_get(_,_);"),
    ("x.c", "\t\t.of_match_table = of_match_ptr(foo_of_match),", [], "c:.of_match_table = of_match_ptr(_),"),
    ("x.dts", '\t\tstatus = "okay";', [], "dts:status = STR;"),
    ("x.dts", "\tpmic: pmic@1a {", [], "dts:L: pmic@N {"),
    ("x.c", "\t}", [], None),
    ("a/b.yaml", "  Some prose in a description.", ["description: |"], None),
])
def test_shapes(path, text, above, expected):
    got = shape_of(path, text, above)
    assert (got.key if got else None) == expected
    if got is not None and needle(got.key) is not None:
        assert needle(got.key) in text  # the check's prefilter: a line of this shape holds its needle


def test_yaml_scope_gives_the_shapes_shape_of_gives():
    """Two readings of a YAML line's parents: ingest's stack (YamlScope, a hunk
    top-down) and check's scan back over the lines above (shape_of).  They must
    give the same shape for every line of every sample binding."""
    from reviewtool.archive.shapes import YamlScope

    compared = 0
    for path in sorted(SAMPLES.glob("bindings-*/*.patch")):
        for f in load(str(path))[0].patches[0].files:
            if not f.path.endswith(".yaml"):
                continue
            for h in f.hunks:
                scope, above = YamlScope(), []
                for ln in h.lines:
                    if ln.kind == "-":
                        continue
                    if ln.kind == "+":
                        a, b = scope.shape(ln.text), shape_of(f.path, ln.text, above)
                        assert (a and a.key) == (b and b.key), f"{path.name}: {ln.text!r}"
                        compared += b is not None
                    scope.push(ln.text)
                    above.append(ln.text)
    assert compared > 500


@pytest.mark.parametrize("shape,expected", [
    ("c:.of_match_table = of_match_ptr(_),", "of_match_table"),
    ("yaml:properties/VENDOR,pmN-regulators:", "regulators"),  # digits are N: only the runs between
    ("yaml:properties/compatible/enum/-: COMPATIBLE", None),  # nothing of the line itself kept
    ("dts:#include FILE", "include"),
])
def test_needle_is_a_word_the_line_keeps(shape, expected):
    assert needle(shape) == expected


def test_archive_without_the_similarity_index_is_a_one_line_error(corpus_archive, tmp_path):
    old = tmp_path / "old.sqlite"
    old.write_bytes(corpus_archive.read_bytes())
    db = sqlite3.connect(old)
    db.executescript("DROP TABLE submission_words; DROP TABLE submissions; DROP TABLE idf;")
    db.close()
    proc = run_cli("check", str(CORPUS / "bao-v1.mbox"), "--archive", str(old), "--format", "json")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "archive add" in err
    assert run_cli("archive", "add", "--archive", str(old), str(CORPUS / "bao-v1.mbox")).returncode == 0
    assert run_cli("check", str(CORPUS / "bao-v1.mbox"), "--archive", str(old)).returncode in (0, 1)


def test_add_rate_counts_the_whole_command(tmp_path):
    """The messages/s archive add prints is over the whole command, start-up included: the time since
    the process started is at least the time this test has run, and the output says which time it is."""
    import time

    from reviewtool.archive.command import _since_start

    began = time.perf_counter()
    first = _since_start()
    time.sleep(0.05)
    later = _since_start()
    assert first is not None and later is not None
    assert later - first >= 0.03 and later >= time.perf_counter() - began
    proc = run_cli("archive", "add", "--archive", str(tmp_path / "a.sqlite"), str(CORPUS / "bao-v1.mbox"))
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "s, the whole command (" in out and " messages/s)" in out


def test_shape_regex_matches_lines_of_its_shape_only():
    import re

    rx = re.compile(shape_regex("c:.of_match_table = of_match_ptr(_),"))
    assert rx.search("\t\t.of_match_table = of_match_ptr(bar_ids),")
    assert not rx.search("\t\t.of_match_table = bar_ids,")
    rx = re.compile(shape_regex("yaml:properties/reg/items/type: integer"))
    assert rx.search("      type: integer") and not rx.search("      type: object")


# --------------------------------------------------------------------------
# learn: drafts from recurring remarks, measured, loadable


def _thread(i: int, reviewer: str, clean: bool = False) -> dict:
    name = f"drv{i}"
    line = f"\t\t.of_match_table = of_match_ptr({name}_of_match),"
    body = f"static struct platform_driver {name}_driver = {{\n\t.driver = {{\n{line}\n\t}},\n}};\n"
    if clean:
        line = f"\t\t.of_match_table = {name}_of_match,"
        body = f"static struct platform_driver {name}_driver = {{\n\t.driver = {{\n{line}\n\t}},\n}};\n"
    patch = {"subject": f"misc: {name}: Add {name.upper()} driver", "from": f"Dev {i} <dev{i}@example.org>",
             "files": {f"drivers/misc/{name}.c": body}}
    reply = ("Reviewed-by: " + reviewer + "\n") if clean else (
        f"> +{line}\n\nDrop of_match_ptr(), it breaks ACPI PRP0001 matching and the table is always built.\n")
    return {"earlier": {"patches": [patch], "replies": [{"to": 1, "from": reviewer, "body": reply}]},
            "patches": [dict(patch, files={f"drivers/misc/{name}.c": "int x;\n"})]}


@pytest.fixture(scope="session")
def learn_archive() -> sqlite3.Connection:
    db = memory()
    reviewers = ["Jonathan Cameron <jic23@kernel.org>", "Krzysztof Kozlowski <krzk@kernel.org>"]
    for i in range(4):
        add_mail_bytes(db, render_example(_thread(i, reviewers[i % 2]), f"t{i}"))
    for i in range(4, 7):
        add_mail_bytes(db, render_example(_thread(i, reviewers[0], clean=True), f"t{i}"))
    return db


def test_learn_drafts_a_rule_that_loads_and_fires(learn_archive, tmp_path):
    result = learn(learn_archive, LearnSettings())
    assert len(result.kept) == 1
    draft = result.kept[0]
    assert draft.keyword == "of_match_ptr()" or "of_match_ptr" in draft.keyword
    assert draft.hits == 4 and draft.false_hits == 0 and draft.precision == 1.0
    assert draft.clean_patches >= 3
    path = write_drafts(result.kept, str(tmp_path / "learned"))
    rules = [r for r in load_catalog([str(path.parent)]) if r.id.startswith("learned/")]
    assert [r.id for r in rules] == [draft.rule_id]
    rule = rules[0]
    assert set(rule.references) == {c.link for c in draft.cited}
    for kind, examples in (("bad", rule.examples_bad), ("good", rule.examples_good)):
        for i, ex in enumerate(examples):
            fired = [f for s in load_bytes(render_example(ex, f"x{i}"), "x")
                     for f in check_series(s, [rule], Options()).findings]
            assert bool(fired) == (kind == "bad"), (kind, ex)


def test_learn_drops_a_draft_that_fires_on_reviewed_patches(learn_archive):
    db = sqlite3.connect(":memory:")
    learn_archive.backup(db)
    # The same line shape in many patches that were reviewed without a remark.
    for i in range(10, 30):
        thread = _thread(i, "Rob Herring <robh@kernel.org>", clean=True)
        patch = thread["earlier"]["patches"][0]
        patch["files"] = {f"drivers/misc/x{i}.c": f"\t\t.of_match_table = of_match_ptr(x{i}_ids),\n"}
        add_mail_bytes(db, render_example(thread, f"u{i}"))
    result = learn(db, LearnSettings())
    assert not result.kept and result.dropped and result.dropped[0].false_hits >= 10


def test_learn_literal_and_subsystem_drafts_are_measured_where_they_apply():
    import re

    from reviewtool.classify import path_matches

    assert area_of("drivers/iio/adc/acme.c") == "drivers/iio"
    assert area_of("Documentation/devicetree/bindings/iio/adc/acme.yaml") == "Documentation/devicetree/bindings/iio"
    assert area_of("arch/arm64/boot/dts/qcom/acme.dts") == "arch/arm64/boot/dts/qcom"
    assert area_of("Makefile") is None
    rx = re.compile(literal_regex("c", 'MODULE_LICENSE("GPL");'))
    assert rx.search('\tMODULE_LICENSE("GPL");') and not rx.search('MODULE_LICENSE("GPL v2");')
    assert re.search(literal_regex("yaml", "- const: syscon"), "      - const: syscon  # fallback")
    clean = [("a", [("drivers/iio/adc/x.c", "\tmutex_lock(&st->lock);")], {}),
             ("b", [("drivers/gpio/y.c", "\tmutex_lock(&chip->lock);")], {})]
    scoped, everywhere = (Draft(shape="c:mutex_lock(...)", keyword="lock", pattern=r"\bmutex_lock\s*\(", kind="c",
                                cited=[], threads=3, reviewers=1, sources=["mutex_lock(&st->lock);"], area=area)
                          for area in ("drivers/iio", None))
    _measure(scoped, clean)
    _measure(everywhere, clean)
    assert (scoped.hits, scoped.false_hits, everywhere.false_hits) == (1, 1, 2)
    assert path_matches("drivers/iio/adc/x.c", tuple(scoped.paths))
    assert not path_matches("drivers/gpio/y.c", tuple(scoped.paths))
    assert scoped.rule_id != everywhere.rule_id


def test_a_group_within_one_subsystem_also_gets_its_area_draft():
    # (shape, family, reviewer e-mail, reviewer, day, msgid, path, target, comment, kind, patch, line)
    rows = [("c:struct mutex lock;", f"f{i}", f"r{i % 2}@x", f"R{i % 2}", f"2023-0{i + 1}-01", f"m{i}@x",
             f"drivers/iio/adc/a{i}.c", "struct mutex lock;", "Locks must be commented.", "c", f"p{i}@x", 3)
            for i in range(3)]
    drafts = _drafts_for("c:struct mutex lock;", "c", literal_regex("c", "struct mutex lock;"), rows, LearnSettings())
    # The same remarks, measured once everywhere and once in drivers/iio only: the area one may hold alone.
    assert [d.area for d in drafts] == [None, "drivers/iio"]


def test_remark_gist_keeps_short_remarks_that_say_something():
    assert remark_gist("Drop quotes.\n\nAnd elsewhere.") == "drop quotes"
    assert remark_gist("Node names should be generic. https://example.org/x") == "node names should be generic"
    assert remark_gist("Ditto.") is None and remark_gist("Why?") is None
    assert remark_gist("GENMASK() ?") is None  # one word is a hint, not a remark to build a rule on
    assert remark_gist("Thanks, Konrad", "Konrad Dybcio") is None


_SCHEMA = ["$id: x", "properties:", "  child:", "    type: object", "    $ref: /schemas/a.yaml#",
           "    unevaluatedProperties: false", "  other:", "    type: object", "    unevaluatedProperties: false",
           "allOf:", "  - $ref: /schemas/b.yaml#", "unevaluatedProperties: false"]


def test_context_of_a_key_and_of_a_dts_line():
    lines = {i + 1: t for i, t in enumerate(_SCHEMA)}
    assert [ref_beside(lines, n) for n in (6, 9, 12)] == [True, False, True]
    assert ref_beside({2: "a: 1"}, 2) is None  # not a file the patch adds whole: not read
    dts = {10: "&uart0 {", 11: '\tstatus = "okay";', 12: "};", 13: "\tfoo: widget@1 {", 14: '\t\tstatus = "okay";'}
    assert (in_new_node(dts, 11), in_new_node(dts, 14)) == (False, True)
    assert in_new_node({20: '\tstatus = "okay";'}, 20) is None  # the node's opening line is not added


def test_context_drafts_write_key_path_and_inside_matchers_that_fire(tmp_path):
    yaml_draft = Draft(shape="yaml:unevaluatedProperties: false (without a $ref)", keyword="additionalProperties",
                       pattern=literal_regex("yaml", "unevaluatedProperties: false"), kind="yaml",
                       cited=[Cited("m1@x", "R", "2023-01-01", "a.yaml", "unevaluatedProperties: false", "Drop.")],
                       threads=3, reviewers=2, context=False)
    dts_draft = Draft(shape='dts:status = "okay"; (in a node it defines)', keyword="default",
                      pattern=literal_regex("dts", 'status = "okay";'), kind="dts",
                      cited=[Cited("m2@x", "R", "2023-01-01", "a.dts", '\tstatus = "okay";', "Drop.")],
                      threads=3, reviewers=2, context=True)
    path = write_drafts([yaml_draft, dts_draft], str(tmp_path / "learned"))
    rules = {r.id: r for r in load_catalog([str(path.parent)]) if r.id.startswith("learned/")}
    assert "inside" in path.read_text() and "lacks" in path.read_text()
    for rule in rules.values():
        for kind, examples in (("bad", rule.examples_bad), ("good", rule.examples_good)):
            for i, ex in enumerate(examples):
                fired = [f for s in load_bytes(render_example(ex, f"x{i}"), "x")
                         for f in check_series(s, [rule], Options()).findings]
                assert bool(fired) == (kind == "bad"), (rule.id, kind, ex)
    # The key-path matcher tells the contexts apart: only the mapping without a $ref is found.
    schema = "\n".join(_SCHEMA[1:]) + "\n"
    ex = {"subject": "dt-bindings: misc: add acme", "files": {"Documentation/devicetree/bindings/misc/acme.yaml": schema}}
    (series,) = load_bytes(render_example(ex, "s"), "s")
    found = check_series(series, [rules[yaml_draft.rule_id]], Options()).findings
    assert [f.line for f in found] == [8]


def test_learn_command(tmp_path, learn_archive):
    path = tmp_path / "l.sqlite"
    disk = sqlite3.connect(path)
    learn_archive.backup(disk)
    disk.close()
    out = tmp_path / "drafts"
    proc = run_cli("learn", "--archive", str(path), "--out", str(out), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert len(doc["kept"]) == 1 and (out / "learned.yaml").is_file()
    assert run_cli("check", str(SAMPLES / "acme-pwm-clean"), "--rules", str(out), "--fail-on", "none").returncode == 0
    bad = run_cli("learn", "--archive", str(path), "--out", str(out), "--min-precision", "2")
    assert bad.returncode == 2


# --------------------------------------------------------------------------
# history and series/prior-feedback read the archive when the input lacks earlier revisions


_V1_REMARK = "Why is this state global? Keep it in the driver data instead."
_HISTORY_SPEC = {
    "version": 2,
    "earlier": {
        "cover": {"subject": "Add ACME foo"},
        "patches": [{"subject": "misc: acme: Add foo",
                     "files": {"drivers/misc/acme-foo.c": "static int acme_foo_global_state;\nint acme_foo_probe(void);\n"}}],
        "replies": [{"to": 1, "from": "Rob Herring <robh@kernel.org>",
                     "body": f"> +static int acme_foo_global_state;\n\n{_V1_REMARK}\n"}],
    },
    "cover": {"subject": "Add ACME foo", "body": "Changes in v2:\n- rebased\n"},
    "patches": [{"subject": "misc: acme: Add foo",
                 "files": {"drivers/misc/acme-foo.c": "static int acme_foo_global_state;\nint acme_foo_probe(void);\n"}}],
}
_V2_ALONE = {k: v for k, v in _HISTORY_SPEC.items() if k != "earlier"}


@pytest.fixture(scope="session")
def history_archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "history.sqlite"
    db = open_archive(path, create=True)
    add_mail_bytes(db, render_example(_HISTORY_SPEC, "thread"))
    db.close()
    return path


def test_prior_feedback_finds_earlier_revisions_in_the_archive(history_archive):
    (series,) = load_bytes(render_example(_V2_ALONE, "alone"), "v2 alone")
    assert not series.earlier
    rules = _rules("series/prior-feedback")
    assert not check_series(series, rules, Options()).findings  # no archive: nothing earlier known
    prec = Precedents(open_archive(history_archive))
    findings = check_series(series, rules, Options(extra={"precedents": prec})).findings
    assert len(findings) == 1
    (f,) = findings
    assert "Rob Herring on v1" in f.message and _V1_REMARK in f.message
    assert f.anchor == "diff" and f.line == 1 and "possibly unaddressed" in f.message
    assert any(r.startswith("https://lore.kernel.org/r/thread-v1-") for r in f.references)


def test_history_command_reads_the_archive(history_archive, tmp_path):
    mbox = tmp_path / "v2.mbox"
    mbox.write_bytes(render_example(_V2_ALONE, "alone"))
    plain = json.loads(run_cli("history", str(mbox), "--format", "json").stdout)
    assert [r["revision"] for r in plain["series"][0]["revisions"]] == [2]
    doc = json.loads(run_cli("history", str(mbox), "--format", "json",
                             env={"REVIEWTOOL_ARCHIVE": str(history_archive)}).stdout)
    revisions = doc["series"][0]["revisions"]
    assert [r["revision"] for r in revisions] == [1, 2]
    (remark,) = revisions[0]["remarks"]
    assert remark["comment"] == [_V1_REMARK] and remark["possibly_unaddressed"]
