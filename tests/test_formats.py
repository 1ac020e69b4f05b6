"""The line, SARIF, email and b4-review formats, checked against what reads them.

One small v2 series (built with the rule-example renderer) carries findings
of every anchor kind: a subject finding, two commit-message findings (one an
error), a diff finding on line 1 of a new binding and one deep in a driver
from a user rule directory.  Each format must show every one of them, in the
right place.
"""

from __future__ import annotations

import json
import mailbox
import re
from pathlib import Path

import pytest

from conftest import SAMPLES, run_cli
from reviewtool.examples import render_example

TODO_RULE = """\
rules:
  - id: local/todo
    severity: warning
    summary: A TODO left in added code.
    rationale: Unfinished work should be finished, or described in the commit message.
    references: ["https://lore.kernel.org/r/todo-rule@example.org"]
    match: {added_line: 'TODO'}
    message: Finish this or drop the TODO.
    examples:
      bad: [{files: {drivers/misc/a.c: "/* TODO */\\n"}}]
      good: [{files: {drivers/misc/a.c: "int x;\\n"}}]
"""

DRIVER = """// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>

static int acme_probe(void)
{
\t/* TODO: reset the block */
\treturn 0;
}
"""

SERIES = {
    "version": 2,
    "cover": {"subject": "Add ACME foo", "body": "Adds the ACME foo block.\n\nChanges in v2:\n- new driver\n"},
    "patches": [
        {
            "subject": "dt-bindings: misc: Add binding for ACME foo",
            "body": "The ACME foo is a small block on ACME SoCs.",
            "trailers": ["Change-Id: I1d3a5f0e9c7b2a4d6f8e0c1b3a5d7f9e2c4b6a8d"],
            "files": {"Documentation/devicetree/bindings/misc/acme,foo.yaml":
                      "# SPDX-License-Identifier: GPL-2.0\n%YAML 1.2\n---\n"},
        },
        {
            "subject": "misc: acme: Add foo driver",
            "body": "Add a driver for the ACME foo block so boards can use it.\n\nIt only probes for now.",
            "signoff": False,
            "files": {"drivers/misc/acme-foo.c": DRIVER},
        },
    ],
}
ONLY = ["subject/redundant-binding", "commit/change-id", "binding/license", "commit/signed-off-by", "local/todo"]
LINE = re.compile(r"^(?P<loc>.+):(?P<line>\d+): (?P<sev>ERROR|WARNING|INFO): (?P<rule>[a-z][a-z0-9-]*/[a-z0-9-]+): (?P<msg>.+)$")


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("series")
    mbox = d / "series.mbox"
    mbox.write_bytes(render_example(SERIES, "fmt"))
    rules = d / "rules"
    rules.mkdir()
    (rules / "local.yaml").write_text(TODO_RULE)
    args = [str(mbox), "--rules", str(rules), "--no-config", *[a for r in ONLY for a in ("--only", r)]]
    proc = run_cli("check", *args, "--format", "json", "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    return {"mbox": mbox, "args": args, "doc": doc, "findings": doc["series"][0]["findings"], "dir": d}


def _run(series, fmt: str, *extra: str, env: dict | None = None, input: bytes | None = None, args=None):
    proc = run_cli("check", *(args or series["args"]), "--format", fmt, *extra, env=env, input=input)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc


def test_fixture_covers_every_anchor(series):
    got = {(f["patch"], f["rule"], f["anchor"]) for f in series["findings"]}
    assert got == {
        (1, "subject/redundant-binding", "subject"),
        (1, "commit/change-id", "commit-message"),
        (1, "binding/license", "diff"),
        (2, "commit/signed-off-by", "commit-message"),
        (2, "local/todo", "diff"),
    }


# --------------------------------------------------------------------------- terse


def test_terse_one_checkpatch_line_per_finding(series):
    proc = _run(series, "terse")
    assert proc.returncode == 1 and proc.stderr == b""
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == len(series["findings"])
    parsed = [LINE.match(ln) for ln in lines]
    assert all(parsed), lines
    by_rule = {m["rule"]: m for m in parsed}
    mbox_lines = series["mbox"].read_text().split("\n")

    lic = by_rule["binding/license"]
    assert (lic["loc"], lic["line"], lic["sev"]) == ("Documentation/devicetree/bindings/misc/acme,foo.yaml", "1", "WARNING")
    todo = by_rule["local/todo"]
    assert (todo["loc"], todo["line"]) == ("drivers/misc/acme-foo.c", "6")
    # Mail anchors point into the input file: the Subject header, the quoted line.
    subj = by_rule["subject/redundant-binding"]
    assert subj["loc"] == str(series["mbox"])
    assert mbox_lines[int(subj["line"]) - 1] == "Subject: [PATCH v2 1/2] dt-bindings: misc: Add binding for ACME foo"
    cid = by_rule["commit/change-id"]
    assert mbox_lines[int(cid["line"]) - 1].startswith("Change-Id: I1d3a5f0e")
    sob = by_rule["commit/signed-off-by"]
    assert sob["sev"] == "ERROR"
    assert mbox_lines[int(sob["line"]) - 1] == "It only probes for now."
    # Only error lines may contain b4's failure marker.
    assert [ln for ln in lines if "ERROR:" in ln] == [sob.string]


def test_terse_message_location_from_stdin_is_dash(series):
    proc = _run(series, "terse", args=[a if a != str(series["mbox"]) else "-" for a in series["args"]],
                input=series["mbox"].read_bytes())
    lines = proc.stdout.decode().splitlines()
    subj = next(LINE.match(ln) for ln in lines if "subject/redundant-binding" in ln)
    stdin_lines = series["mbox"].read_text().split("\n")
    assert subj["loc"] == "-"
    assert stdin_lines[int(subj["line"]) - 1].startswith("Subject: [PATCH v2 1/2]")


def test_terse_clean_series_prints_no_warning_or_error():
    proc = run_cli("check", str(SAMPLES / "acme-pwm-clean"), "--format", "terse", "--no-config", "--fail-on", "warning")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert proc.stderr == b""
    assert all(LINE.match(ln)["sev"] == "INFO" for ln in proc.stdout.decode().splitlines())


def test_terse_hook_mode_prints_nothing_for_a_clean_patch():
    """b4 says "passed all checks" only when stdout is empty: info notes stay out."""
    for patch in sorted((SAMPLES / "acme-pwm-clean").glob("000[1-9]-*.patch")):
        proc = run_cli("check", "-", "--format", "terse", "--no-config", input=patch.read_bytes())
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b""), patch.name


def test_terse_never_marks_a_warning_as_failure():
    from reviewtool.model import Finding, Series
    from reviewtool.report.locate import Locator
    from reviewtool.report.terse import line

    f = Finding(rule="x/y", severity="warning", patch=1, message_id=None, anchor="diff",
                message="the tool said ERROR: foo", path="a.c", line=3)
    out = line(f, Series(title="t", revision=1, expected=1, patches=()), Locator())
    assert "ERROR:" not in out and out.startswith("a.c:3: WARNING: x/y: ")


def _lone_patch(series) -> bytes:
    """Patch 2/2 alone, as b4 pipes it: headers and body, no mbox From line."""
    mails = series["mbox"].read_text().split("From mboxrd@z Thu Jan  1 00:00:00 1970\n")
    return next(m for m in mails if "Subject: [PATCH v2 2/2]" in m).encode()


def test_hook_mode_keeps_series_rules_quiet(series):
    lone = _lone_patch(series)
    base = ["-", "--no-config", "--fail-on", "none"]
    # Not hook mode: a lone 2/2 is an incomplete series.
    doc = json.loads(run_cli("check", *base, "--format", "json", input=lone).stdout)
    assert "series/incomplete" in {f["rule"] for f in doc["series"][0]["findings"]}
    # Hook mode, explicit or implied by a hook format with one patch on stdin.
    doc = json.loads(run_cli("check", *base, "--format", "json", "--hook", input=lone).stdout)
    rules = {f["rule"] for f in doc["series"][0]["findings"]}
    assert "commit/signed-off-by" in rules and not any(r.startswith("series/") for r in rules)
    out = run_cli("check", *base, "--format", "terse", input=lone).stdout.decode()
    assert "commit/signed-off-by" in out and "series/" not in out


# --------------------------------------------------------------------------- SARIF

# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) we rely on,
# with their required keys, types and enums as the standard states them.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "rules": {"type": "array", "items": {"$ref": "#/definitions/rule"}},
                    }}}},
                "results": {"type": "array", "items": {"$ref": "#/definitions/result"}},
            }}},
    },
    "definitions": {
        "message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        "rule": {
            "type": "object", "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "shortDescription": {"$ref": "#/definitions/message"},
                "fullDescription": {"$ref": "#/definitions/message"},
                "help": {"$ref": "#/definitions/message"},
                "helpUri": {"type": "string", "format": "uri"},
                "defaultConfiguration": {"type": "object", "properties": {
                    "level": {"enum": ["none", "note", "warning", "error"]}}},
            },
        },
        "result": {
            "type": "object", "required": ["message"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": {"enum": ["none", "note", "warning", "error"]},
                "message": {"$ref": "#/definitions/message"},
                "locations": {"type": "array", "items": {"type": "object", "properties": {
                    "physicalLocation": {"type": "object", "properties": {
                        "artifactLocation": {"type": "object", "properties": {
                            "uri": {"type": "string", "format": "uri-reference"},
                            "uriBaseId": {"type": "string"}}},
                        "region": {"type": "object", "properties": {
                            "startLine": {"type": "integer", "minimum": 1},
                            "snippet": {"type": "object", "properties": {"text": {"type": "string"}}}}},
                    }},
                    "logicalLocations": {"type": "array", "items": {"type": "object"}},
                }}},
                "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    },
}


def test_sarif_structure_and_one_result_per_finding(series):
    import jsonschema

    doc = json.loads(_run(series, "sarif").stdout)
    jsonschema.validate(doc, SARIF_SUBSET)
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    for r in rules:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
        assert r["helpUri"].startswith("https://")
    ids = [r["id"] for r in rules]
    assert "local/todo" in ids and "subject/redundant-binding" in ids
    results = run["results"]
    assert len(results) == len(series["findings"])
    level = {"error": "error", "warning": "warning", "info": "note"}
    mbox_lines = series["mbox"].read_text().split("\n")
    for res, f in zip(results, series["findings"]):
        assert res["ruleId"] == f["rule"] and ids[res["ruleIndex"]] == f["rule"]
        assert res["level"] == level[f["severity"]] and res["message"]["text"] == f["message"]
        (loc,) = res["locations"]
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == f["message_id"]
        phys = loc["physicalLocation"]
        if f["anchor"] == "diff":
            assert phys["artifactLocation"]["uri"] == f["path"]
            assert phys["region"]["startLine"] == f["line"]
            assert phys["region"]["snippet"]["text"] == f["text"]
        else:
            assert phys["artifactLocation"]["uri"].endswith("series.mbox")
            line = mbox_lines[phys["region"]["startLine"] - 1]
            if f["anchor"] == "subject":
                assert line.startswith("Subject: [PATCH v2 1/2]")
            else:  # the quoted commit-message line
                assert line.strip() == phys["region"]["snippet"]["text"].strip()
    assert len({r["partialFingerprints"]["reviewtoolFinding/v1"] for r in results}) == len(results)


# --------------------------------------------------------------------------- email


def _paragraph_after(lines: list[str], quoted: str) -> str:
    """The unquoted paragraph that follows the quoted line (and its quote block)."""
    i = lines.index(quoted)
    while i < len(lines) and lines[i].startswith(">"):
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    out = []
    while i < len(lines) and lines[i].strip() and not lines[i].startswith(">"):
        out.append(lines[i])
        i += 1
    return " ".join(out)


def test_email_replies_parse_thread_and_quote(series, tmp_path):
    proc = _run(series, "email", env={"REVIEWTOOL_FROM": "Rita Reviewer <rita@example.org>"})
    out = tmp_path / "replies.mbox"
    out.write_bytes(proc.stdout)
    msgs = list(mailbox.mbox(str(out)))
    assert len(msgs) == 2  # the two patches with findings; the cover letter has none
    message = {f["rule"]: f["message"] for f in series["findings"]}
    first, second = msgs

    assert first["Subject"] == "Re: [PATCH v2 1/2] dt-bindings: misc: Add binding for ACME foo"
    assert first["In-Reply-To"] == "<fmt-1@example.org>"
    assert first["References"].split() == ["<fmt-0@example.org>", "<fmt-1@example.org>"]
    assert first["From"] == "Rita Reviewer <rita@example.org>"
    assert first["To"] == "Ada Example <ada@example.org>"
    assert "devicetree@vger.kernel.org" in first["Cc"]
    assert first["Date"] is None and first["Message-ID"] is None  # the mail client sets them
    assert set(first["X-Reviewtool-Rules"].replace("\n", " ").replace(",", " ").split()) == {
        "binding/license", "commit/change-id", "subject/redundant-binding"}
    body = first.get_payload(decode=True).decode().split("\n")
    assert body[0].endswith("Ada Example wrote:")
    assert body[1] == "> Subject: [PATCH v2 1/2] dt-bindings: misc: Add binding for ACME foo"
    assert _paragraph_after(body, body[1]).startswith(message["subject/redundant-binding"][:60])
    cid = next(ln for ln in body if ln.startswith("> Change-Id: "))
    assert _paragraph_after(body, cid).startswith(message["commit/change-id"])
    assert "> diff --git a/Documentation/devicetree/bindings/misc/acme,foo.yaml b/Documentation/devicetree/bindings/misc/acme,foo.yaml" in body
    assert _paragraph_after(body, "> +# SPDX-License-Identifier: GPL-2.0").startswith(message["binding/license"][:50])
    assert "> +%YAML 1.2" not in body  # nothing after the last comment is quoted

    assert second["In-Reply-To"] == "<fmt-2@example.org>"
    body = second.get_payload(decode=True).decode().split("\n")
    # The comment on the commit message sits under its last line.
    assert _paragraph_after(body, "> It only probes for now.").startswith(message["commit/signed-off-by"][:40])
    # The diff comment: 3 lines of hunk context, the line, then the comment.
    i = body.index("> +\t/* TODO: reset the block */")
    assert body[i - 3:i] == ["> +", "> +static int acme_probe(void)", "> +{"]
    j = body.index("> diff --git a/drivers/misc/acme-foo.c b/drivers/misc/acme-foo.c")  # names the file
    assert j < i - 3 and "[...]" in body[j:i]  # the diff headers between are cut
    assert _paragraph_after(body, body[i]).startswith(message["local/todo"])
    assert "[...]" in body  # what nobody comments on is cut
    assert "> +\treturn 0;" not in body
    # Quoting is faithful: every quoted line is a line of the patch as sent.
    sent = series["mbox"].read_text().split("\n")
    for ln in body:
        if ln.startswith("> ") and not ln.startswith("> Subject: "):
            assert ln[2:] in sent, ln


def test_email_from_placeholder_without_identity(series, tmp_path):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "GIT_CONFIG_NOSYSTEM": "1",
           "REVIEWTOOL_FROM": ""}
    proc = run_cli("check", *series["args"], "--format", "email", env=env, cwd=tmp_path)
    first = next(iter(mailbox.mbox(str(_write(tmp_path / "o.mbox", proc.stdout)))))
    assert first["From"] == "Your Name <your.name@example.org>"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_email_without_findings_is_empty():
    proc = run_cli("check", str(SAMPLES / "acme-pwm-clean"), "--format", "email", "--no-config",
                   "--only", "subject/redundant-binding")
    assert proc.returncode == 0 and proc.stdout == b""


# --------------------------------------------------------------------------- b4 review JSON


def test_b4review_one_result_per_patch(series):
    out = json.loads(_run(series, "b4review").stdout)
    assert [r["message_id"] for r in out] == ["fmt-1@example.org", "fmt-2@example.org"]
    for r in out:
        assert {"tool", "status", "summary", "url", "details"} <= set(r)
        assert all(isinstance(r[k], str) for k in ("tool", "status", "summary", "url", "details"))
    assert [r["status"] for r in out] == ["warn", "fail"]
    details = json.loads(out[1]["details"])
    assert {d["context"] for d in details} == {"commit/signed-off-by", "local/todo"}
    todo = next(d for d in details if d["context"] == "local/todo")
    assert todo["description"].startswith("drivers/misc/acme-foo.c:6: ")
    assert todo["srcline"] == "+\t/* TODO: reset the block */"
    assert todo["url"] == "https://lore.kernel.org/r/todo-rule@example.org"
    assert todo["status"] == "warn" and todo["state"] == "warning"
