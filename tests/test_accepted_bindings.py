"""False-positive guard: accepted mainline bindings must not draw warnings or errors.

Each schema in ../shared/corpus/accepted-bindings/ (its path there is its
path under Documentation/devicetree/bindings/) is wrapped as a new-file patch
with a conventional subject, a commit message about the hardware and a
Signed-off-by, then run through the whole catalogue.  These files passed the
DT maintainers' review, so anything above "info" that a rule raises on them
is a false positive of that rule.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes

from conftest import CORPUS

ACCEPTED = CORPUS / "accepted-bindings"
FILES = sorted(str(p.relative_to(ACCEPTED)) for p in ACCEPTED.rglob("*.yaml")) if ACCEPTED.is_dir() else []
# Subsystems whose binding patches carry their own prefix first.
SUBSYSTEM_PREFIX = {"sound": "ASoC", "regulator": "regulator", "media": "media", "spi": "spi"}
# Info-level findings allowed per file: style notes are fine, a flood is not.
MAX_INFO_PER_FILE = 6


def wrap_as_patch(rel: str, text: str) -> dict:
    """The compact example spec of a patch adding this binding."""
    top = rel.split("/", 1)[0]
    compat = Path(rel).stem
    title = re.search(r"^title:\s*(.+)$", text, re.M)
    what = title.group(1).strip() if title else compat
    subject = f"dt-bindings: {top}: Add {compat}"
    if top in SUBSYSTEM_PREFIX:
        subject = f"{SUBSYSTEM_PREFIX[top]}: dt-bindings: {compat}: Add {what}"
    body = (f"Document the {what}, so that boards carrying it can describe it in their "
            "device tree.")
    return {"subject": subject, "body": body,
            "files": {f"Documentation/devicetree/bindings/{rel}": text}}


def run_all(rel: str):
    text = (ACCEPTED / rel).read_text(encoding="utf-8")
    mbox = render_example(wrap_as_patch(rel, text), "accepted")
    series = load_bytes(mbox, f"accepted {rel}")
    assert len(series) == 1 and len(series[0].patches) == 1
    return check_series(series[0], RULES, Options()).findings


RULES = load_catalog()


@pytest.mark.parametrize("rel", FILES or ["(corpus absent)"])
def test_accepted_binding_has_no_warnings(corpus, rel):
    findings = run_all(rel)
    serious = [f"{f.rule} {f.severity} line {f.line}: {f.message}" for f in findings if f.severity != "info"]
    assert not serious, f"{rel}: " + "\n".join(serious)
    # series/maintainers-entry's "no tree to check MAINTAINERS" note is about the
    # series' paperwork (the wrapper adds no MAINTAINERS entry), not the binding.
    infos = [f"{f.rule} line {f.line}" for f in findings if f.severity == "info"
             and f.rule != "series/maintainers-entry"]
    assert len(infos) <= MAX_INFO_PER_FILE, f"{rel}: {len(infos)} info findings: {infos}"


def test_accepted_bindings_are_wrapped_faithfully(corpus):
    """The wrapper keeps the file byte for byte, so line numbers are the file's."""
    rel = FILES[0]
    text = (ACCEPTED / rel).read_text(encoding="utf-8")
    series = load_bytes(render_example(wrap_as_patch(rel, text), "accepted"), rel)
    f = series[0].patches[0].files[0]
    assert f.status == "added"
    assert f.new_text() == text if text.endswith("\n") else text + "\n"


if __name__ == "__main__":  # run as a script from tests/ for a summary for the report: info findings per rule
    counts: Counter = Counter()
    for rel in FILES:
        for f in run_all(rel):
            counts[(f.severity, f.rule)] += 1
            print(f"{rel}: {f.severity} {f.rule} line {f.line}: {f.message[:120]}")
    print(sum(counts.values()), dict(counts))
