"""`reviewtool check <Message-ID | lore URL>` through b4's real fetch, against a loopback lore.

The fake server (tests/fakelore.py) serves the corpus threads; b4 and liblore
do the HTTP themselves.  Nothing here reaches the internet: the environment
routes anything but 127.0.0.1 to a closed proxy port.
"""

from __future__ import annotations

import json
import socket

import pytest

from conftest import run_cli
from fakelore import fake_lore, lore_env  # noqa: F401  (pytest fixtures)
from reviewtool.errors import InputError
from reviewtool.sources.lore import LoreRef, lore_base, parse_source

V1_COVER = "20251224135217.25350-1-joaopeixoto@osyx.tech"
V2_COVER = "20260107162829.416885-1-joaopeixoto@osyx.tech"
V2_PATCH3 = "20260107162829.416885-4-joaopeixoto@osyx.tech"
V1_PATCH2 = "20251224135217.25350-3-joaopeixoto@osyx.tech"
# Every maintainer reply to v1 (corpus README section 1).
V1_REPLIES = {
    "3538f671-8a16-4b71-b15f-3ef5cfeacd40@kernel.org",
    "20251225-translucent-radical-coot-d3f9ee@quoll",
    "176659309602.2305345.1814998732546100865.robh@kernel.org",
    "176659309471.2305281.17349642622422527927.robh@kernel.org",
    "20251225-modest-faithful-mouflon-1c7d63@quoll",
    "2025122401-drainer-pedigree-45ae@gregkh",
    "2025122459-blimp-bobble-c772@gregkh",
    "20251225-nippy-umber-inchworm-ced095@quoll",
    "20251225-friendly-raptor-of-lightning-fbafc4@quoll",
    "15fcc60d-b12e-4e20-9c3d-2426a4762c55@kernel.org",
}
BAO_AS_ON_LORE = ["bao-v1.mbox", "bao-v2.mbox"]  # v2's cover replies to v1's: one thread


def check(lore, source, *extra, env):
    args = ["check", source, "--format", "json", "--fail-on", "none", *extra]
    if lore is not None and "--lore-url" not in extra:
        args += ["--lore-url", lore.base]
    proc = run_cli(*args, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b"", proc.stderr.decode()  # no b4/liblore noise
    return json.loads(proc.stdout)


def one_line_error(proc) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert proc.stdout == b""
    return lines[0]


def prior_feedback_links(series: dict) -> set[str]:
    out = set()
    for f in series["findings"]:
        if f["rule"] == "series/prior-feedback":
            assert f["severity"] == "info"
            link = f["references"][0]
            assert link.startswith("https://lore.kernel.org/r/") and link in f["message"]
            out.add(link.removeprefix("https://lore.kernel.org/r/"))
    return out


def assert_bao_v2(series: dict) -> None:
    assert series["revision"] == 2 and series["expected"] == 6
    assert [p["n"] for p in series["patches"]] == [1, 2, 3, 4, 5, 6]
    assert all(p["message_id"].startswith("20260107162829.416885-") for p in series["patches"])
    assert series["message_id"] == V2_COVER
    rules = {f["rule"] for f in series["findings"]}
    assert {"series/threaded-to-old-version", "series/revision-in-every-subject"} <= rules


# ------------------------------------------------------------------ fetching


def test_v2_patch_in_one_thread_checks_v2_with_v1_feedback(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE)
    doc = check(lore, V2_PATCH3, env=lore_env)
    (s,) = doc["series"]
    assert_bao_v2(s)
    assert prior_feedback_links(s) == V1_REPLIES
    # b4 fetched the thread itself (from v2's cover, as it breaks the thread
    # above a cover letter), then searched for v1 as `b4 diff` would.
    assert lore.requests[0] == f"GET /all/{V2_PATCH3.replace('@', '%40')}/t.mbox.gz"
    assert lore.count("POST", "s%3A%22virt%3A+Add+Bao+hypervisor") == 1


def test_v2_cover_thread_already_holds_v1(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE)
    (s,) = check(lore, f"<{V2_COVER}>", env=lore_env)["series"]
    assert_bao_v2(s)
    assert prior_feedback_links(s) == V1_REPLIES
    assert lore.count("GET") == 1 and lore.count("POST") == 0  # nothing missing, no search


def test_v1_as_its_own_thread_is_found_by_subject_and_sender(fake_lore, lore_env):
    lore = fake_lore(["bao-v1.mbox"], ["bao-v2.mbox"])
    (s,) = check(lore, V2_COVER, env=lore_env)["series"]
    assert_bao_v2(s)
    assert prior_feedback_links(s) == V1_REPLIES
    (search,) = [r for r in lore.requests if r.startswith("POST")]
    # b4 diff's query: subject AND sender, bounded to the year before v2.
    assert "f%3A%22joaopeixoto%40osyx.tech%22" in search and "d%3A20250107..20260107" in search


def test_prior_feedback_anchors_on_a_line_still_present(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE)
    (s,) = check(lore, V2_COVER, env=lore_env)["series"]
    on_lines = [f for f in s["findings"] if f["rule"] == "series/prior-feedback" and f["anchor"] == "diff"]
    assert [(f["patch"], f["path"], f["line"], f["text"]) for f in on_lines] == [
        (2, "drivers/virt/bao/ipcshmem/ipcshmem.c", 100, "\tstruct bao_ipcshmem *bao;")
    ]
    assert "possibly unaddressed" in on_lines[0]["message"]
    assert "20251225-nippy-umber-inchworm-ced095@quoll" in on_lines[0]["references"][0]
    greg = next(f for f in s["findings"] if "2025122401-drainer-pedigree-45ae@gregkh" in f["references"][0])
    assert greg["anchor"] == "series" and "Greg KH" in greg["message"] and "misc device api" in greg["message"]
    assert "+struct class *cl;" in greg["message"] and "no longer in v2" in greg["message"]


def test_revision_option_checks_v1(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE)
    (s,) = check(lore, V2_PATCH3, "--revision", "1", env=lore_env)["series"]
    assert s["revision"] == 1 and s["expected"] == 5 and s["message_id"] == V1_COVER
    assert not prior_feedback_links(s)


def test_newer_finds_the_next_revision(fake_lore, lore_env):
    lore = fake_lore(["bao-v1.mbox"], ["bao-v2.mbox"])
    (old,) = check(lore, V1_PATCH2, env=lore_env)["series"]
    assert old["revision"] == 1 and lore.count("POST") == 0
    (new,) = check(lore, V1_PATCH2, "--newer", env=lore_env)["series"]
    assert_bao_v2(new)
    assert prior_feedback_links(new) == V1_REPLIES
    assert lore.count("POST", "d%3A20251224..") == 1  # b4 am -c: from v1's date on
    # b4 keeps only the v2 cover (its patches say "[PATCH n/6]"): its thread was fetched too.
    assert lore.count("GET", V2_COVER.replace("@", "%40")) == 1


@pytest.mark.parametrize("form", ["own-host", "canonical"])
def test_url_forms_end_to_end(fake_lore, lore_env, form):
    lore = fake_lore(BAO_AS_ON_LORE)
    if form == "own-host":  # a mirror URL names its own archive: no --lore-url needed
        doc = check(None, f"{lore.base.removesuffix('/all')}/linux-doc/{V2_COVER}/T/", env=lore_env)
        assert lore.requests[0].startswith("GET /linux-doc/")
    else:  # a lore.kernel.org link is fetched from the configured archive
        doc = check(None, f"https://lore.kernel.org/linux-doc/{V2_COVER}/", env=dict(lore_env, REVIEWTOOL_LORE_URL=lore.base))
        assert lore.requests[0].startswith("GET /all/")
    assert_bao_v2(doc["series"][0])


@pytest.mark.parametrize(
    "source,msgid,base",
    [
        (f"<{V2_COVER}>", V2_COVER, None),
        (V2_COVER, V2_COVER, None),
        (f"https://lore.kernel.org/all/{V2_COVER}/", V2_COVER, None),
        (f"https://lore.kernel.org/linux-doc/{V2_COVER}/T/#u", V2_COVER, None),
        (f"https://lore.kernel.org/linux-doc/{V2_COVER}/t.mbox.gz", V2_COVER, None),
        (f"https://lore.kernel.org/r/{V2_COVER}", V2_COVER, None),
        (f"https://lore.kernel.org/{V2_COVER.replace('@', '%40')}", V2_COVER, None),
        (f"https://patch.msgid.link/{V2_COVER}", V2_COVER, None),
        (f"http://127.0.0.1:8080/devicetree/{V2_COVER}/raw", V2_COVER, "http://127.0.0.1:8080/devicetree"),
        (f"https://mirror.example.org/r/{V2_COVER}", V2_COVER, "https://mirror.example.org/all"),
    ],
)
def test_parse_source_forms(source, msgid, base):
    assert parse_source(source) == LoreRef(msgid, base)


def test_lore_base_precedence(monkeypatch):
    monkeypatch.delenv("REVIEWTOOL_LORE_URL", raising=False)
    assert lore_base(LoreRef("a@b"), None) == "https://lore.kernel.org/all"
    assert lore_base(LoreRef("a@b"), "http://127.0.0.1:1/all/%s") == "http://127.0.0.1:1/all"
    assert lore_base(LoreRef("a@b"), "http://127.0.0.1:1") == "http://127.0.0.1:1/all"
    monkeypatch.setenv("REVIEWTOOL_LORE_URL", "http://127.0.0.1:2/lkml/")
    assert lore_base(LoreRef("a@b"), None) == "http://127.0.0.1:2/lkml"
    assert lore_base(LoreRef("a@b", "http://m.example/x"), "http://127.0.0.1:1") == "http://m.example/x"
    with pytest.raises(InputError, match="expected an http"):
        lore_base(LoreRef("a@b"), "ftp://lore.kernel.org/all")


# ------------------------------------------------------------------ cache


def test_b4_cache_by_default_and_no_cache_disables_it(fake_lore, lore_env, tmp_path):
    lore = fake_lore(BAO_AS_ON_LORE)
    check(lore, V2_COVER, env=lore_env)
    check(lore, V2_COVER, env=lore_env)
    assert lore.count("GET") == 1  # the second run read b4's cache
    cached = list((tmp_path / "xdg-cache" / "b4" / "lore").glob("*.lore.cache"))
    assert cached

    fresh = dict(lore_env, XDG_CACHE_HOME=str(tmp_path / "other-cache"))
    check(lore, V2_COVER, "--no-cache", env=fresh)
    check(lore, V2_COVER, "--no-cache", env=fresh)
    assert lore.count("GET") == 3
    assert not list((tmp_path / "other-cache").rglob("*.lore.cache"))


# ------------------------------------------------------------------ errors


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lore_down(lore_env):
    base = f"http://127.0.0.1:{closed_port()}/all"
    line = one_line_error(run_cli("check", V2_COVER, "--lore-url", base, env=lore_env))
    assert base in line and "cannot reach" in line and "connection refused" in line and V2_COVER in line


def test_unknown_message_id(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE)
    line = one_line_error(run_cli("check", "<no-such-id@example.org>", "--lore-url", lore.base, env=lore_env))
    assert "no-such-id@example.org" in line and "404" in line and lore.base in line


def test_timeout(fake_lore, lore_env):
    lore = fake_lore(BAO_AS_ON_LORE, delay=3.0)
    line = one_line_error(run_cli("check", V2_COVER, "--lore-url", lore.base, "--timeout", "0.5", env=lore_env))
    assert "did not answer within 0.5 s" in line and lore.base in line


def test_thread_without_patches(fake_lore, lore_env):
    lore = fake_lore(["gunyah-v2-binding-replies.mbox"])
    line = one_line_error(run_cli("check", "0ad6bd7b-b5cb-6f9a-eeca-b493c5bfa8b3@linaro.org",
                                  "--lore-url", lore.base, env=lore_env))
    assert "no patches" in line and "0ad6bd7b-b5cb-6f9a-eeca-b493c5bfa8b3@linaro.org" in line


@pytest.mark.parametrize("url", [
    "https://lore.kernel.org/all/",
    "https://lore.kernel.org/all/not-a-message-id/",
    f"https://lore.kernel.org/all/{V2_COVER}/bogus/extra",
])
def test_malformed_url(lore_env, url):
    line = one_line_error(run_cli("check", url, env=lore_env))
    assert url in line and "not a lore message URL" in line


# ------------------------------------------------------------------ change-id


def _mail(mid: str, subject: str, date: str, body: str, sender: str = "Ada Example <ada@example.org>",
          irt: str | None = None) -> str:
    head = [f"From: {sender}", "To: devicetree@vger.kernel.org", f"Subject: {subject}", f"Date: {date}",
            f"Message-ID: <{mid}>"]
    if irt:
        head += [f"In-Reply-To: <{irt}>", f"References: <{irt}>"]
    head += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    return "From mboxrd@z Thu Jan  1 00:00:00 1970\n" + "\n".join(head) + "\n\n" + body + "\n"


def _patch_body(line: str) -> str:
    return (f"Add the driver.\n\nSigned-off-by: Ada Example <ada@example.org>\n---\n"
            f"diff --git a/drivers/misc/acme.c b/drivers/misc/acme.c\nnew file mode 100644\n"
            f"--- /dev/null\n+++ b/drivers/misc/acme.c\n@@ -0,0 +1,2 @@\n+{line}\n+int acme_probe(void);\n")


def test_earlier_revision_found_by_change_id(tmp_path, lore_env):
    """v2 was renamed, so only b4's change-id query can find v1 (sent as its own thread)."""
    from fakelore import FakeLore

    cid = "change-id: 20250301-acme-widget-0123456789ab"
    v1 = tmp_path / "v1.mbox"
    v1.write_text(
        _mail("acme-v1-0@example.org", "[PATCH 0/1] misc: Add ACME widget", "Sat, 1 Mar 2025 10:00:00 +0000",
              f"Widget support.\n\n---\nbase-commit: 1234567\n{cid}\n")
        + _mail("acme-v1-1@example.org", "[PATCH 1/1] misc: acme: Add widget driver",
                "Sat, 1 Mar 2025 10:00:01 +0000", _patch_body("static int acme_global_state;"),
                irt="acme-v1-0@example.org")
        + _mail("review-1@kernel.org", "Re: [PATCH 1/1] misc: acme: Add widget driver",
                "Sun, 2 Mar 2025 09:00:00 +0000",
                "> +static int acme_global_state;\n\nWhy is this state global?\n\nThanks,\nRob\n",
                sender="Rob Herring <robh@kernel.org>", irt="acme-v1-1@example.org")
    )
    v2 = tmp_path / "v2.mbox"
    v2.write_text(
        _mail("acme-v2-0@example.org", "[PATCH v2 0/1] misc: Add the ACME widget driver",
              "Mon, 10 Mar 2025 10:00:00 +0000", f"Widget support.\n\nChanges in v2:\n- renamed\n\n---\n{cid}\n")
        + _mail("acme-v2-1@example.org", "[PATCH v2 1/1] misc: acme: Add widget driver",
                "Mon, 10 Mar 2025 10:00:01 +0000", _patch_body("static int acme_global_state;"),
                irt="acme-v2-0@example.org")
    )
    lore = FakeLore([[v1], [v2]]).start()
    try:
        (s,) = check(lore, "acme-v2-0@example.org", env=lore_env)["series"]
    finally:
        lore.stop()
    assert s["revision"] == 2
    (search,) = [r for r in lore.requests if r.startswith("POST")]
    assert "nq%3A%22change-id%3A+20250301-acme-widget-0123456789ab%22" in search
    assert "d%3A20240310..20250310" in search  # b4 diff looks back one year
    (f,) = [f for f in s["findings"] if f["rule"] == "series/prior-feedback"]
    assert f["references"][0] == "https://lore.kernel.org/r/review-1@kernel.org"
    assert (f["anchor"], f["path"], f["line"]) == ("diff", "drivers/misc/acme.c", 1)
    assert "Rob Herring" in f["message"] and "Why is this state global?" in f["message"]
    assert "possibly unaddressed" in f["message"]
