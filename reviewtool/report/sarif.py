"""``--format sarif``: SARIF 2.1.0 for code-scanning UIs and CI annotations.

One run; ``tool.driver.rules`` lists the catalogue (id, short and full
description, help text with the rationale and references, a help URI and the
default level); one result per finding.  A diff finding is located in the
patched file (repository-relative URI, post-image line, the line as snippet).
A finding about the subject, commit message or series is located in the mail
it is about when that mail is a local input file (the ``Subject:`` line or
the quoted commit-message line), and always carries a logical location
naming the patch (its Message-ID and subject), so it is never location-less.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import IO, Any

from .. import __version__
from ..catalog import Rule
from ..model import Finding, Series, SeriesReport
from .links import first_url, reference_url
from .locate import Locator

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    refs = list(rule.references)
    help_lines = [rule.rationale.strip(), "", "References:"]
    help_lines += [f"- {r}" + (f" <{u}>" if (u := reference_url(r)) and u not in r else "") for r in refs]
    help_lines += ["", f"Silence it with --disable {rule.id} or 'disable = [\"{rule.id}\"]' in .reviewtool.toml."]
    out: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id.replace("/", "-"),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.rationale.split())},
        "help": {"text": "\n".join(help_lines)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": [rule.family], "references": refs, "family": rule.family},
    }
    url = first_url(refs)
    if url:
        out["helpUri"] = url
    return out


def _fingerprint(f: Finding) -> str:
    key = "\0".join([f.rule, f.anchor, f.path or "", f.text or "", f.message])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace(os.sep, "/"), safe="/,:@+-._~")


def result(f: Finding, series: Series, rule_index: dict[str, int], locator: Locator) -> dict[str, Any]:
    patch = series.patch(f.patch)
    subject = patch.full_subject if patch is not None else series.title
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "partialFingerprints": {"reviewtoolFinding/v1": _fingerprint(f)},
        "properties": {
            "patch": f.patch,
            "messageId": series.public_id(f.message_id),
            "subject": subject,
            "anchor": f.anchor,
            "references": list(f.references),
            # What this run could not verify (no tree, part of the series), not a remark on the patch.
            "statusNote": f.status_note,
        },
    }
    if f.rule in rule_index:
        res["ruleIndex"] = rule_index[f.rule]
    physical: dict[str, Any] | None = None
    if f.anchor == "diff" and f.path:
        physical = {"artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"}}
        if f.line:
            region: dict[str, Any] = {"startLine": f.line}
            if f.text is not None:
                region["snippet"] = {"text": f.text}
            physical["region"] = region
    else:
        place = locator.place(series, f)
        if place is not None and place[0] != "-":
            physical = {
                "artifactLocation": {"uri": _uri(os.path.relpath(place[0])) if not os.path.isabs(place[0])
                                     else "file://" + _uri(place[0])},
                "region": {"startLine": place[1]},
            }
            quoted = f.quote[0] if f.quote else f.text
            if quoted:
                physical["region"]["snippet"] = {"text": quoted}
    location: dict[str, Any] = {
        "logicalLocations": [{
            "name": subject,
            "fullyQualifiedName": f.message_id or subject,
            "kind": "resource",  # the patch mail
        }],
    }
    if physical is not None:
        location["physicalLocation"] = physical
    res["locations"] = [location]
    return res


def suppressed_result(f: Finding, series: Series, rule_index: dict[str, int], locator: Locator,
                      baseline: bool) -> dict[str, Any]:
    """A silenced finding: an [[ignore]] entry is a SARIF suppression (external,
    with the entry's reason); a --baseline match is an unchanged result."""
    res = result(f, series, rule_index, locator)
    why = f.suppression
    if why is not None and why.kind == "baseline":
        res["baselineState"] = "unchanged"
    elif why is not None:
        res["suppressions"] = [{"kind": "external", "status": "accepted", "justification": why.reason,
                                "properties": {"source": why.source}}]
        if baseline:
            res["baselineState"] = "new"
    return res


def document(reports: list[SeriesReport], rules: list[Rule], stdin: bytes | None = None,
             baseline: bool = False) -> dict[str, Any]:
    locator = Locator(stdin)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    results = [result(f, rep.series, rule_index, locator) for rep in reports for f in rep.findings]
    if baseline:
        for res in results:
            res["baselineState"] = "new"
    results += [suppressed_result(f, rep.series, rule_index, locator, baseline)
                for rep in reports for f in rep.suppressed]
    notifications = [
        {"level": "error", "message": {"text": f"{rep.series.source}: could not check this series: {rep.error}"}}
        for rep in reports if rep.error
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "reviewtool",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(r) for r in rules],
            }
        },
        "invocations": [{
            "executionSuccessful": not notifications,
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(reports: list[SeriesReport], rules: list[Rule], stream: IO[str], *, stdin: bytes | None = None,
           baseline: bool = False, **_: Any) -> None:
    json.dump(document(reports, rules, stdin, baseline), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
