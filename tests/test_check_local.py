"""`reviewtool check` on local files: corpus acceptance, clean series, bad input."""

from __future__ import annotations

import json
import os

import pytest

from conftest import SAMPLES, check_json, findings_by_patch, run_cli


@pytest.mark.parametrize("name", ["bao-v1.mbox", "bao-v2.mbox"])
def test_bao_binding_subject_findings(corpus, name):
    doc = check_json(str(corpus / name))
    series = doc["series"]
    assert len(series) == 1
    target = "dt-bindings: Add Bao I/O dispatcher driver binding"
    patch = next(p for p in series[0]["patches"] if p["subject"].endswith(target))
    rules = {f["rule"] for f in findings_by_patch(doc)[patch["n"]] if f["anchor"] == "subject"}
    assert {"subject/dt-bindings-prefix", "subject/redundant-binding", "subject/driver-in-binding"} <= rules


def test_bao_v2_is_one_six_patch_v2_series(corpus):
    doc = check_json(str(corpus / "bao-v2.mbox"))
    (s,) = doc["series"]
    assert s["revision"] == 2 and s["expected"] == 6
    assert [p["n"] for p in s["patches"]] == [1, 2, 3, 4, 5, 6]
    assert s["message_id"] == "20260107162829.416885-1-joaopeixoto@osyx.tech"
    rules = {f["rule"] for f in s["findings"]}
    assert {"series/revision-in-every-subject", "series/changelog-missing", "series/threaded-to-old-version"} <= rules


def test_json_shape_is_the_contract(corpus):
    doc = check_json(str(corpus / "bao-v2.mbox"))
    assert set(doc) == {"tool", "version", "series"} and doc["tool"] == "reviewtool"
    s = doc["series"][0]
    assert set(s) == {"subject", "revision", "message_id", "expected", "patches", "findings", "summary"}
    for f in s["findings"]:
        # The contract's fields, plus those added since (adding is allowed, never removing).
        assert set(f) == {"rule", "severity", "patch", "message_id", "anchor", "path", "line", "text",
                          "message", "references", "status_note", "lines", "subsumes"}
        assert isinstance(f["status_note"], bool)
        assert f["severity"] in ("error", "warning", "info")
        assert f["anchor"] in ("subject", "commit-message", "diff", "series")
        assert isinstance(f["references"], list) and f["references"]
    assert s["summary"] == {sev: sum(1 for f in s["findings"] if f["severity"] == sev)
                            for sev in ("error", "warning", "info")}
    # Deterministic: a second run gives the same bytes.
    assert check_json(str(corpus / "bao-v2.mbox")) == doc


def test_revision_option_picks_older(corpus, tmp_path):
    both = tmp_path / "both.mbox"
    both.write_bytes((corpus / "bao-v1.mbox").read_bytes() + (corpus / "bao-v2.mbox").read_bytes())
    assert check_json(str(both))["series"][0]["revision"] == 2
    older = check_json(str(both), "--revision", "1")["series"][0]
    assert older["revision"] == 1 and older["expected"] == 5
    proc = run_cli("check", str(both), "--revision", "7")
    assert proc.returncode == 2 and b"no v7" in proc.stderr


def test_clean_sample_series_exits_zero_without_warnings():
    proc = run_cli("check", str(SAMPLES / "acme-pwm-clean"), "--format", "json", "--fail-on", "warning")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    doc = json.loads(proc.stdout)
    (s,) = doc["series"]
    assert s["expected"] == 3 and len(s["patches"]) == 3
    assert s["summary"]["error"] == 0 and s["summary"]["warning"] == 0


def test_single_patch_file_and_stdin():
    patch = SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch"
    doc = check_json(str(patch))
    assert doc["series"][0]["patches"][0]["n"] == 2
    doc2 = check_json("-", input=patch.read_bytes())
    assert doc2["series"][0]["patches"] == doc["series"][0]["patches"]


def test_terminal_report_quotes_like_a_reply(corpus):
    proc = run_cli("check", str(corpus / "bao-v2.mbox"), env={"NO_COLOR": "1"})
    out = proc.stdout.decode()
    assert proc.returncode in (0, 1)
    assert "> Subject: [PATCH 3/6] dt-bindings: Add Bao I/O dispatcher driver binding" in out
    assert "subject/redundant-binding" in out
    assert "\x1b[" not in out  # plain text when not a terminal
    assert out.rstrip().splitlines()[-1].startswith("1 series checked:")


def test_fail_on_controls_exit_status():
    bad = SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch"
    text = bad.read_bytes().replace(b"Signed-off-by: Ada Example <ada@example.org>\n", b"")
    assert run_cli("check", "-", input=text).returncode == 1
    assert run_cli("check", "-", "--fail-on", "none", input=text).returncode == 0


# ---------------------------------------------------------------- bad input

def _one_line_error(proc) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err, proc.stdout[:500])
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_missing_path():
    assert "no such file" in _one_line_error(run_cli("check", "/nonexistent/file.mbox"))


def test_empty_file(tmp_path):
    p = tmp_path / "empty.mbox"
    p.write_bytes(b"")
    assert "empty" in _one_line_error(run_cli("check", str(p)))


def test_random_bytes(tmp_path):
    p = tmp_path / "random.mbox"
    p.write_bytes(os.urandom(4096) + b"\x00")
    _one_line_error(run_cli("check", str(p)))


def test_random_text_without_null(tmp_path):
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(range(32, 127)) * 50)
    _one_line_error(run_cli("check", str(p)))


def test_truncated_diff(tmp_path):
    src = (SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch").read_text()
    cut = src[: src.index("+static int acme_pwm_probe")]
    p = tmp_path / "trunc.patch"
    p.write_text(cut)
    proc = run_cli("check", str(p), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    (finding,) = [f for f in json.loads(proc.stdout)["series"][0]["findings"] if f["rule"] == "series/corrupt-patch"]
    assert ("truncated" in finding["message"] or "shorter than expected" in finding["message"])
    assert finding["severity"] == "error" and finding["patch"] == 2


def test_mbox_without_patches(corpus):
    assert "no patches" in _one_line_error(run_cli("check", str(corpus / "gunyah-v2-binding-replies.mbox")))


def test_undecodable_header_bytes(tmp_path):
    src = (SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch").read_bytes()
    src = src.replace(b"From: Ada Example", b"From: Ada \xff\xfe\xc3 Example", 1)
    src = src.replace(b"Subject: [PATCH 2/3]", b"Subject: [PATCH 2/3] \xe9\xff", 1)
    p = tmp_path / "badhdr.patch"
    p.write_bytes(src)
    proc = run_cli("check", str(p), "--format", "json", "--fail-on", "none")
    assert "Traceback" not in proc.stderr.decode()
    if proc.returncode == 0:
        doc = json.loads(proc.stdout)
        assert doc["series"][0]["patches"]
    else:
        _one_line_error(proc)


def test_directory_of_unrelated_files(tmp_path):
    (tmp_path / "notes.txt").write_text("just some notes\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    _one_line_error(run_cli("check", str(tmp_path)))


def test_binary_diff_is_reported_not_crashed(tmp_path):
    src = (SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch").read_text()
    head, _, _ = src.partition("diff --git")
    binary = ("diff --git a/firmware/acme.bin b/firmware/acme.bin\nnew file mode 100644\n"
              "index 0000000..1234567\nBinary files /dev/null and b/firmware/acme.bin differ\n-- \n2.43.0\n")
    p = tmp_path / "bin.patch"
    p.write_text(head + binary)
    proc = run_cli("check", str(p), "--format", "json", "--fail-on", "none")
    assert "Traceback" not in proc.stderr.decode()
    assert proc.returncode in (0, 2)


def test_unknown_format_and_rule():
    patch = str(SAMPLES / "acme-pwm-clean")
    assert "unknown format" in _one_line_error(run_cli("check", patch, "--format", "xml"))
    assert "unknown rule" in _one_line_error(run_cli("check", patch, "--only", "nope/nope"))


def test_help_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = ("import sys\nfrom reviewtool.cli import app\n"
            "try:\n    app(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "heavy=[m for m in ('b4','git','dtschema','yamllint','unidiff','liblore') if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "HEAVY []" in out, out


def test_partial_thread_is_not_blamed_for_what_is_absent(corpus):
    """A single patch saved from a bigger thread: its cover letter exists, we just lack it."""
    doc = check_json(str(corpus / "gunyah-v5-binding.mbox"))
    series_rules = {(f["rule"], f["severity"]) for s in doc["series"] for f in s["findings"]
                    if f["rule"].startswith("series/")}
    assert ("series/incomplete", "info") in series_rules
    assert not {r for r, sev in series_rules if sev != "info"}, series_rules
    assert not any(r == "series/missing-cover-letter" for r, _ in series_rules)


@pytest.mark.parametrize("args", [
    ("triage", "--bogus"),
    ("check", "x", "--format"),
    ("bogus-command",),
    ("check", "--revision", "notanumber", "x"),
])
def test_usage_errors_are_one_line_exit_2(args):
    proc = run_cli(*args)
    line = _one_line_error(proc)
    assert line.startswith("reviewtool: error:")


def test_unexpected_exception_is_one_line(tmp_path):
    """Even a bug must not print a traceback (REVIEWTOOL_DEBUG=1 shows it)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    proc = run_cli("check", str(SAMPLES / "acme-pwm-clean"), "--rules", str(rules / "missing"))
    _one_line_error(proc)


def test_directory_of_single_patches_sharing_a_subject_keeps_every_patch():
    """Same subject and sender, same revision, separate threads: separate series, none dropped."""
    bad = SAMPLES / "bindings-bad"
    doc = check_json(str(bad))
    assert sum(len(s["patches"]) for s in doc["series"]) == len(list(bad.glob("*.patch")))
    assert not any(f["rule"] == "series/incomplete" for s in doc["series"] for f in s["findings"])


def test_made_up_message_ids_are_null_in_json(tmp_path):
    src = (SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch").read_text()
    p = tmp_path / "noid.patch"
    p.write_text("".join(ln for ln in src.splitlines(True) if not ln.startswith(("Message-ID:", "In-Reply-To:",
                                                                                 "References:"))))
    doc = check_json(str(p))
    s = doc["series"][0]
    assert s["message_id"] is None and s["patches"][0]["message_id"] is None
    assert all(f["message_id"] is None for f in s["findings"])


def test_hunk_header_shorter_than_its_hunk(tmp_path):
    """unidiff would silently drop the lines past the count; the user must hear of it."""
    src = (SAMPLES / "acme-pwm-clean" / "0002-pwm-Add-ACME-A1-PWM-driver.patch").read_text()
    p = tmp_path / "short-header.patch"
    p.write_text(src.replace("@@ -0,0 +1,61 @@", "@@ -0,0 +1,40 @@"))
    proc = run_cli("check", str(p), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    (finding,) = [f for f in json.loads(proc.stdout)["series"][0]["findings"] if f["rule"] == "series/corrupt-patch"]
    assert "hunk header counts fewer lines" in finding["message"]
