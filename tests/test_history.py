"""`reviewtool history` and the remark extraction behind series/prior-feedback."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import check_json, run_cli
from fakelore import fake_lore, lore_env  # noqa: F401  (pytest fixtures)
from reviewtool.history import Settings, split_remarks
from test_lore import BAO_AS_ON_LORE, V1_REPLIES, V2_PATCH3

LINK = "https://lore.kernel.org/r/"


@pytest.fixture
def both_mbox(corpus, tmp_path):
    """v1 and v2 threads in one local file: `cat bao-v1.mbox bao-v2.mbox`."""
    path = tmp_path / "bao-v1-v2.mbox"
    path.write_bytes((corpus / "bao-v1.mbox").read_bytes() + (corpus / "bao-v2.mbox").read_bytes())
    return path


def history_json(*args, env=None) -> dict:
    proc = run_cli("history", *args, "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    return json.loads(proc.stdout)


def v1_remarks(doc: dict) -> list[dict]:
    (s,) = doc["series"]
    revs = {r["revision"]: r for r in s["revisions"]}
    assert set(revs) == {1, 2} and revs[2]["newest"] and not revs[1]["newest"]
    return revs[1]["remarks"]


def test_history_from_lore_lists_every_v1_maintainer_remark(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE)
    doc = history_json(V2_PATCH3, "--lore-url", lore.base, env=lore_env)
    remarks = v1_remarks(doc)
    assert {r["message_id"] for r in remarks} == V1_REPLIES
    for r in remarks:
        assert r["link"] == LINK + r["message_id"]
        assert r["comment"] and r["revision"] == 1
        assert r["author"]["email"] != "joaopeixoto@osyx.tech"
    replies_by = Counter()
    for mid in {r["message_id"] for r in remarks}:
        replies_by[next(r["author"]["name"] for r in remarks if r["message_id"] == mid)] += 1
    assert replies_by == {"Krzysztof Kozlowski": 6, "Greg KH": 2, "Rob Herring (Arm)": 2}
    assert {r["message_id"] for r in remarks if r["bot"]} == {m for m in V1_REPLIES if m.endswith("robh@kernel.org")}

    greg = next(r for r in remarks if r["message_id"] == "2025122401-drainer-pedigree-45ae@gregkh")
    assert greg["patch"] == 2 and greg["path"] == "drivers/virt/bao/ipcshmem/ipcshmem.c"
    assert greg["quoted"] == ["+struct class *cl;"]
    assert greg["comment"][0].startswith("Why not just use the misc device api instead?")
    # v2 has no changelog, but the quoted line is gone: that (and only that) is evidence.
    assert not greg["possibly_unaddressed"] and greg["changelog_mentions"] == []
    assert greg["verdict"] == "addressed" and greg["evidence"] == {"kind": "line-gone", "text": "struct class *cl;"}
    # A remark quoting no line, with no changelog to name it: no evidence either way.
    assert all(r["verdict"] == "no-evidence" for r in remarks if not r["quoted"] and not r["possibly_unaddressed"])

    junk = [r for r in remarks if r["message_id"] == "20251225-translucent-radical-coot-d3f9ee@quoll"]
    comments = [r["comment"][0] for r in junk]
    assert "Irrelevant. Drop." in comments and "Filename matching compatible." in comments
    llm = next(r for r in junk if r["quoted"] and r["quoted"][-1] == "+      type: integer")
    assert llm["path"] == "Documentation/devicetree/bindings/bao/ipcshmem.yaml"
    assert llm["comment"][0].startswith("Don't send us LLM junk")
    assert not llm["possibly_unaddressed"]

    still = [r for r in remarks if r["possibly_unaddressed"]]
    assert [(r["message_id"], r["now_at"]) for r in still] == [
        ("20251225-nippy-umber-inchworm-ced095@quoll",
         {"patch": 2, "path": "drivers/virt/bao/ipcshmem/ipcshmem.c", "line": 100})
    ]
    # No signature, attribution or greeting leaks into a comment.
    for r in remarks:
        assert not any(c.startswith(("Best regards", "thanks,", "On ")) for c in r["comment"]), r
    assert doc["series"][0]["changelog"] is False  # Bao v2 has none


def test_history_of_local_mbox_matches_lore(fake_lore, lore_env, both_mbox):
    lore = fake_lore(BAO_AS_ON_LORE)
    from_lore = history_json(V2_PATCH3, "--lore-url", lore.base, env=lore_env)
    local = history_json(str(both_mbox), env=lore_env)
    assert local == from_lore
    assert not lore.count("GET", "local")  # sanity: the local run used no server


def test_prior_feedback_is_the_same_from_a_local_mbox(fake_lore, lore_env, both_mbox):
    lore = fake_lore(BAO_AS_ON_LORE)
    local = check_json(str(both_mbox), env=lore_env)
    proc = run_cli("check", V2_PATCH3, "--lore-url", lore.base, "--format", "json", "--fail-on", "none",
                   env=lore_env)
    remote = json.loads(proc.stdout)

    def prior(doc):
        return [f for f in doc["series"][0]["findings"] if f["rule"] == "series/prior-feedback"]

    assert prior(local) == prior(remote)
    assert {f["references"][0].removeprefix(LINK) for f in prior(local)} == V1_REPLIES


def test_history_terminal_timeline(both_mbox):
    proc = run_cli("history", str(both_mbox), env={"NO_COLOR": "1"})
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "\x1b[" not in out
    v1 = out.index("v1  2025-12-24")
    v2 = out.index("v2 (newest)")
    assert v1 < v2
    assert "v2 has no changelog" in out
    for mid in V1_REPLIES:
        assert LINK + mid in out[v1:v2]
    assert "    > +struct class *cl;" in out
    assert "possibly unaddressed: still added unchanged in v2 patch 2, drivers/virt/bao/ipcshmem/ipcshmem.c:100" in out
    assert "Rob Herring (Arm) <robh@kernel.org>  [bot]" in out
    assert out.rstrip().splitlines()[-1] == "20 remarks on earlier revisions, 1 possibly unaddressed"


def test_history_bad_input(tmp_path):
    proc = run_cli("history", str(tmp_path / "missing.mbox"))
    assert proc.returncode == 2 and b"no such file" in proc.stderr and b"Traceback" not in proc.stderr
    proc = run_cli("history", str(tmp_path / "missing.mbox"), "--format", "xml")
    assert proc.returncode == 2


# ------------------------------------------------------------------ remark splitting


def comments(body: str) -> list[list[str]]:
    return [[ln for ln in b.comment if ln.strip()] for b in split_remarks(body)]


def test_split_pairs_comments_with_quotes_and_drops_attribution_and_signature():
    body = (
        "On Mon, 3 Mar 2025, Ada Example wrote:\n"
        "> +int acme_state;\n"
        "> +int acme_other;\n"
        "\n"
        "Why global?\n"
        "\n"
        "> +static void acme_probe(void)\n"
        "\n"
        "Probe returns int.\n"
        "\n"
        "Best regards,\n"
        "Krzysztof\n"
    )
    blocks = split_remarks(body)
    assert [b.comment[0] for b in blocks] == ["Why global?", "Probe returns int."]
    assert blocks[0].target == "int acme_other;" and blocks[0].context == "int acme_state;"
    assert blocks[1].quoted == ["+static void acme_probe(void)"]


def test_split_tracks_the_file_of_quoted_diff():
    body = (
        "> diff --git a/drivers/a.c b/drivers/a.c\n"
        "> --- a/drivers/a.c\n"
        "> +++ b/drivers/a.c\n"
        "> @@ -1,2 +1,3 @@\n"
        ">  int x;\n"
        "> +int y;\n"
        "\n"
        "Why y?\n"
        "\n"
        "> diff --git a/drivers/b.c b/drivers/b.c\n"
        "> +int z;\n"
        "\n"
        "And z?\n"
    )
    assert [(b.path, b.target) for b in split_remarks(body)] == [("drivers/a.c", "int y;"), ("drivers/b.c", "int z;")]


def test_quoted_only_and_trailer_only_replies_give_no_remarks():
    from reviewtool.history import _excerpt

    assert split_remarks("On Mon, X wrote:\n> +int a;\n> +int b;\n") == []
    (block,) = split_remarks("> +int a;\n\nReviewed-by: Rob Herring <robh@kernel.org>\n")
    assert _excerpt(block.comment, 4) == ()
    blocks = split_remarks("Hi Ada,\n\n> +int a;\n\nAcked-by: Conor Dooley <conor@kernel.org>\n--\nsig\n")
    assert [b.comment[0] for b in blocks] == ["Hi Ada,", "Acked-by: Conor Dooley <conor@kernel.org>"]
    assert all(_excerpt(b.comment, 4) == () for b in blocks)  # a greeting and a trailer: nothing to show


def test_settings_from_rule_params():
    s = Settings.from_params({"comment_lines": 2, "bot_markers": ["beep"], "stopwords": ["Foo"]})
    assert s.comment_lines == 2 and s.bot_markers == ("beep",) and s.stopwords == frozenset({"foo"})
    assert Settings.from_params(None) == Settings()


def _feedback(spec_changelog: str, comment: str, v2_line: str):
    from reviewtool.catalog import load_catalog
    from reviewtool.examples import render_example
    from reviewtool.history import prior_remarks
    from reviewtool.sources.mbox import load_bytes

    spec = {"version": 2, "cover": {"subject": "Add ACME foo", "body": "Adds foo.\n\n" + spec_changelog},
            "earlier": {"cover": {"subject": "Add ACME foo"},
                        "patches": [{"subject": "misc: acme: Add foo",
                                     "files": {"drivers/misc/acme-foo.c": "static int acme_foo_global_state;\n"}},
                                    {"subject": "misc: acme: Add bar", "files": {"drivers/misc/b.c": "x\n"}}],
                        "replies": [{"to": 1, "body": "> +static int acme_foo_global_state;\n\n" + comment + "\n"}]},
            "patches": [{"subject": "misc: acme: Add foo", "files": {"drivers/misc/acme-foo.c": v2_line + "\n"}},
                        {"subject": "misc: acme: Add bar", "files": {"drivers/misc/b.c": "x\n"}}]}
    (series,) = load_bytes(render_example(spec, "h"), "history test")
    params = next(r for r in load_catalog() if r.id == "series/prior-feedback").params
    (remark,) = prior_remarks(series, Settings.from_params(params))
    return remark


def test_addressed_only_with_evidence():
    same = "static int acme_foo_global_state;"
    # The cover letter uses the remark's words, but in no changelog line naming its subject.
    talk = _feedback("We looked at the state and the global running errors again.\n",
                     "Why is this state global?", same)
    assert talk.verdict == "possibly-unaddressed" and talk.evidence is None and talk.mentions == ()
    # A changelog line naming the quoted identifier is evidence, quoted back.
    logged = _feedback("Changes in v2:\n- Moved acme_foo_global_state into the private struct (Rob)\n",
                       "Why is this state global?", "int acme_foo_probe(void);")
    assert logged.verdict == "addressed" and logged.evidence.kind == "changelog"
    assert logged.evidence.text == "- Moved acme_foo_global_state into the private struct (Rob)"
    # The quoted line is gone and the changelog says nothing about it: the line is the evidence.
    gone = _feedback("Changes in v2:\n- Rebased on v6.13-rc1\n", "Why is this state global?",
                     "int acme_foo_probe(void);")
    assert gone.verdict == "addressed" and gone.evidence.kind == "line-gone"
    # Still there, and a changelog that talks about something else: no evidence it was handled.
    stays = _feedback("Changes in v2:\n- Rebased on v6.13-rc1\n", "Why is this state global?", same)
    assert stays.verdict == "possibly-unaddressed" and stays.evidence is None


def test_newer_says_when_nothing_newer_exists(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE)
    doc = history_json(V2_PATCH3, "--newer", "--lore-url", lore.base, env=lore_env)
    assert doc["series"][0]["newer"] == {"found": False,
                                         "note": "No revision newer than v2 was found on lore."}
    proc = run_cli("history", V2_PATCH3, "--newer", "--lore-url", lore.base, env={**lore_env, "NO_COLOR": "1"})
    assert proc.returncode == 0 and "No revision newer than v2 was found on lore." in proc.stdout.decode()
    older = history_json("20251224135217.25350-3-joaopeixoto@osyx.tech", "--newer", "--lore-url", lore.base,
                         env=lore_env)
    assert older["series"][0]["newer"]["found"] is True
