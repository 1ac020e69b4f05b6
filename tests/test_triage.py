"""`reviewtool triage`: a queue of many threads, one row per series, worst first."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import CORPUS, REPO, SAMPLES, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))
import gen_mailbox  # noqa: E402

BAO_V1 = "20251224135217.25350-1-joaopeixoto@osyx.tech"
BAO_V2 = "20260107162829.416885-1-joaopeixoto@osyx.tech"
GENIEZONE_V10 = "20240412065718.29105-4-yi-de.wu@mediatek.com"
REPLY_ONLY = ["gunyah-v2-binding-replies.mbox", "geniezone-v2-binding-replies.mbox", "gunyah-v6-binding-replies.mbox",
              "geniezone-v4-driver-reply.mbox"]


def triage_json(*args: str, **kw) -> tuple[dict, str]:
    proc = run_cli("triage", *args, "--format", "json", **kw)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout), proc.stderr.decode()


def rank_key(s: dict) -> tuple:
    """Rows that could not be checked first, then by the documented score (triage/score.py)."""
    return (0 if "error" in s else 1, -s["score"])


@pytest.fixture(scope="module")
def corpus_runs():
    """The whole corpus triaged at --jobs 1 and --jobs 2 (shared by several tests)."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-mail corpus not found at {CORPUS}")
    files = [str(p) for p in sorted(CORPUS.glob("*.mbox"))]
    one = run_cli("triage", *files, "--format", "json", "--jobs", "1")
    two = run_cli("triage", *files, "--format", "json", "--jobs", "2")
    table = run_cli("triage", *files, "--jobs", "2", env={"NO_COLOR": "1"})
    for proc in (one, two, table):
        assert proc.returncode == 0, proc.stderr.decode()
    return one, two, table


def test_corpus_lists_each_series_once_worst_first(corpus_runs):
    one, _, _ = corpus_runs
    doc = json.loads(one.stdout)
    assert set(doc) == {"tool", "version", "series"}
    ids = [s["message_id"] for s in doc["series"]]
    assert len(ids) == len(set(ids))
    # Bao v1 and v2 are one series (v2's cover replies to v1's): one row, at v2.
    assert BAO_V2 in ids and BAO_V1 not in ids
    assert next(s for s in doc["series"] if s["message_id"] == BAO_V2)["revision"] == 2
    # GenieZone v3, v6 and v10 (same patch, same author, unlinked threads) are one row at v10.
    gz = [s for s in doc["series"] if "GenieZone hypervisor" in s["subject"] and "binding for" not in s["subject"]]
    assert [(s["message_id"], s["revision"]) for s in gz] == [(GENIEZONE_V10, 10)]
    keys = [rank_key(s) for s in doc["series"]]
    assert keys == sorted(keys)
    top = doc["series"][0]
    assert top["score"] == max(s["score"] for s in doc["series"]) and top["summary"]["error"] + top["summary"]["warning"]
    # Every row says who sent it, when, and where it is on lore.
    bao = next(s for s in doc["series"] if s["message_id"] == BAO_V2)
    assert bao["author"] == {"name": "João Peixoto", "email": "joaopeixoto@osyx.tech"}
    assert bao["date"].startswith("2026-01-07") and bao["link"] == f"https://lore.kernel.org/r/{BAO_V2}"


def test_corpus_same_output_for_any_jobs(corpus_runs):
    one, two, _ = corpus_runs
    assert one.stdout == two.stdout


def test_reply_only_threads_get_no_row_but_are_counted(corpus_runs):
    one, _, table = corpus_runs
    doc = json.loads(one.stdout)
    reply_ids = set()
    for name in REPLY_ONLY:
        text = (CORPUS / name).read_text(errors="replace")
        reply_ids |= {line.split("<", 1)[1].split(">", 1)[0] for line in text.splitlines()
                      if line.lower().startswith("message-id:") and "<" in line}
    assert not reply_ids & {s["message_id"] for s in doc["series"]}
    assert "with only replies" in one.stderr.decode()
    out = table.stdout.decode()
    assert "skipped" in out and "with only replies" in out


def test_table_row_has_counts_rules_and_lore_link(corpus_runs):
    one, _, table = corpus_runs
    out = table.stdout.decode()
    assert f"https://lore.kernel.org/r/{BAO_V2}" in out
    lines = out.splitlines()
    at = next(i for i, ln in enumerate(lines) if "Bao hypervisor" in ln)
    bao = lines[at]
    s = next(s for s in json.loads(one.stdout)["series"] if s["message_id"] == BAO_V2)
    counts = [s["summary"][k] for k in ("error", "warning", "info")]
    assert bao.split()[:3] == [str(c) for c in counts]
    assert "v2" in bao and "6/6" in bao and "João Peixoto" in bao and "2026-01-07" in bao
    # The worst, most frequent rule of the series is named in its row (ties by rule id,
    # the order triage.ranking.top_rules documents).
    worst = min(s["findings"], key=lambda f: (-["info", "warning", "error"].index(f["severity"]),
                                               -sum(g["rule"] == f["rule"] for g in s["findings"]), f["rule"]))
    assert worst["rule"] in "\n".join(lines[at:at + 3])


def test_json_is_checks_schema(corpus):
    """check's JSON with fields added per row (author, date, link, score, naks), none changed."""
    doc, _ = triage_json(str(corpus / "gunyah-v5-binding.mbox"), "--jobs", "1")
    proc = run_cli("check", str(corpus / "gunyah-v5-binding.mbox"), "--format", "json", "--fail-on", "none")
    added = {"author", "date", "link", "score", "naks"}
    (row,) = doc["series"]
    assert added <= set(row)
    assert {**doc, "series": [{k: v for k, v in row.items() if k not in added}]} == json.loads(proc.stdout)


@pytest.fixture
def big_mailbox(tmp_path):
    """A generated queue of 12 series, one with a truncated diff, plus a real
    thread and a patch claiming more patches than a series may hold."""
    out = tmp_path / "queue.mbox"
    counts = gen_mailbox.generate(str(out), series=12, seed=3, corrupt=1)
    with out.open("ab") as fh:
        fh.write((CORPUS / "other-amd-sbtsi-v2-binding.mbox").read_bytes())
        over = (SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch").read_bytes()
        fh.write(b"\n" + over.replace(b"[PATCH 2/3]", b"[PATCH 2/2500]"))
    return out, counts


def _cheap_rule() -> str:
    from reviewtool.catalog import load_catalog

    return next(r.id for r in load_catalog() if r.id.startswith("subject/"))


def test_unreadable_thread_is_one_errored_row(corpus, big_mailbox):
    path, counts = big_mailbox
    doc, _ = triage_json(str(path), "--jobs", "2", "--only", _cheap_rule(), "--only", "series/corrupt-patch",
                         "--keep-going")
    rows = doc["series"]
    assert len(rows) == counts["series"] + 2
    errored = [s for s in rows if "error" in s]
    assert len(errored) == 1
    err = errored[0]["error"]
    assert "over the limit" in err
    assert rows[0] is errored[0]  # could not be checked: listed first
    assert errored[0]["findings"] == []
    # The truncated diff is read: a row with the corrupt-patch error naming why.
    corrupt = [f for s in rows for f in s.get("findings", []) if f["rule"] == "series/corrupt-patch"]
    assert len(corrupt) == 1 and corrupt[0]["severity"] == "error"
    assert "truncated" in corrupt[0]["message"] or "cannot parse the diff" in corrupt[0]["message"]
    # Without --keep-going a row that could not be checked fails the run.
    proc = run_cli("triage", str(path), "--jobs", "1", "--only", _cheap_rule(), "--format", "json")
    assert proc.returncode == 1 and b"could not be checked" in proc.stderr
    assert json.loads(proc.stdout)["series"][0]["error"] == err


def test_filters_only_and_min_severity(corpus):
    files = [str(corpus / "bao-v1.mbox"), str(corpus / "bao-v2.mbox")]
    full, _ = triage_json(*files, "--jobs", "1")
    sevs = {f["severity"] for s in full["series"] for f in s["findings"]}
    assert "info" in sevs or "warning" in sevs
    warn, _ = triage_json(*files, "--jobs", "1", "--min-severity", "warning")
    assert all(f["severity"] in ("warning", "error") for s in warn["series"] for f in s["findings"])
    assert warn["series"][0]["summary"]["info"] == 0
    only, _ = triage_json(*files, "--jobs", "1", "--only", "subject/dt-bindings-prefix")
    assert {f["rule"] for s in only["series"] for f in s["findings"]} == {"subject/dt-bindings-prefix"}
    bad = run_cli("triage", *files, "--only", "no/such-rule")
    assert bad.returncode == 2 and b"unknown rule id" in bad.stderr


def test_bad_input_is_one_line_error(tmp_path):
    proc = run_cli("triage")
    assert proc.returncode == 2 and b"SOURCE" in proc.stderr
    proc = run_cli("triage", str(tmp_path / "missing.mbox"))
    assert proc.returncode == 2 and b"no such file" in proc.stderr and b"Traceback" not in proc.stderr
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    proc = run_cli("triage", str(empty))
    assert proc.returncode == 2 and b"empty" in proc.stderr


def test_maildir_and_stdin_sources(corpus, tmp_path):
    import mailbox

    md = mailbox.Maildir(str(tmp_path / "md"), create=True)
    for name in ("other-amd-sbtsi-v2-binding.mbox", "gunyah-v5-binding.mbox"):
        for msg in mailbox.mbox(str(corpus / name)):
            md.add(msg)
    rule = _cheap_rule()
    doc, _ = triage_json(str(tmp_path / "md"), "--jobs", "2", "--only", rule)
    assert sorted(s["revision"] for s in doc["series"]) == [2, 5]
    piped, _ = triage_json("-", "--jobs", "1", "--only", rule,
                           input=(corpus / "other-amd-sbtsi-v2-binding.mbox").read_bytes())
    assert [s["revision"] for s in piped["series"]] == [2]


def test_slim_rows_keep_no_diffs(corpus):
    from reviewtool.triage import TriageRequest, triage

    result = triage(TriageRequest(sources=[str(corpus / "bao-v2.mbox")], jobs=1, only=[_cheap_rule()]))
    (row,) = result.rows
    s = row.report.series
    assert [p.n for p in s.patches] == [1, 2, 3, 4, 5, 6]
    assert all(p.files == () and p.raw_body == "" for p in s.patches)
    assert s.replies == () and s.earlier == ()


def test_generator_is_deterministic_and_big_enough(tmp_path):
    a, b = tmp_path / "a.mbox", tmp_path / "b.mbox"
    counts = gen_mailbox.generate(str(a), seed=7, min_patches=1000)
    gen_mailbox.generate(str(b), seed=7, min_patches=1000)
    assert a.read_bytes() == b.read_bytes()
    assert counts["patches"] >= 1000 and counts["series"] >= 200 and counts["replies"] > 0


from fakelore import fake_lore, lore_env  # noqa: E402,F401  (pytest fixtures)


def test_message_id_file_and_query(fake_lore, lore_env, tmp_path):
    lore = fake_lore(["bao-v1.mbox", "bao-v2.mbox"], ["gunyah-v5-binding.mbox"])
    ids = tmp_path / "queue.txt"
    # Two Message-IDs of the same thread give one row.
    ids.write_text(f"# this week's queue\n<{BAO_V2}>\n20260107162829.416885-3-joaopeixoto@osyx.tech\n")
    doc, _ = triage_json(str(ids), "--jobs", "2", "--lore-url", lore.base, env=lore_env)
    assert [s["message_id"] for s in doc["series"]] == [BAO_V2]
    # The footer counts the mail fetched from lore (it said "0 messages read").
    table = run_cli("triage", str(ids), "--jobs", "1", "--lore-url", lore.base, env=lore_env)
    footer = table.stdout.decode().strip().splitlines()[-1]
    n_mails = sum(1 for name in ("bao-v1.mbox", "bao-v2.mbox")
                  for ln in (CORPUS / name).read_text(errors="replace").splitlines()
                  if ln.lower().startswith("message-id:"))
    import re

    read = re.search(r", (\d+) messages read\)", footer)
    assert read and 0 < int(read.group(1)) <= n_mails, footer
    found, _ = triage_json("--query", 's:"gunyah"', "--jobs", "1", "--lore-url", lore.base, env=lore_env)
    assert [s["revision"] for s in found["series"]] == [5]
    assert lore.count("POST", "gunyah") == 1
