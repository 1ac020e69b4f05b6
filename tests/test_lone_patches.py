"""Issue 12 pattern 10: one mail of a thread given alone is not a broken posting.

Real-shaped single-mail mboxes as git send-email and b4 write them (numbered
Message-IDs, In-Reply-To the cover letter): patch 1/N without a cover letter
(git threads 2..N under it, so they are simply not in the input), and a
one-patch series' 1/1 answering its own 0/1 cover letter.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from reviewtool.catalog import load_catalog
from reviewtool.checks.series import same_posting
from reviewtool.engine import Options, check_series
from reviewtool.model import Origin
from reviewtool.sources.mbox import load_bytes

DIFF = """\
---
 Documentation/devicetree/bindings/watchdog/acme,a300-wdt.yaml | 1 +
 1 file changed, 1 insertion(+)

diff --git a/Documentation/devicetree/bindings/watchdog/acme,a300-wdt.yaml b/Documentation/devicetree/bindings/watchdog/acme,a300-wdt.yaml
index 1111111..2222222 100644
--- a/Documentation/devicetree/bindings/watchdog/acme,a300-wdt.yaml
+++ b/Documentation/devicetree/bindings/watchdog/acme,a300-wdt.yaml
@@ -17,2 +17,3 @@ properties:
       - acme,a100-wdt
+      - acme,a300-wdt
       - acme,a200-wdt
--
2.43.0
"""


def mail(subject: str, msgid: str, in_reply_to: str | None = None) -> str:
    threading = f"In-Reply-To: <{in_reply_to}>\nReferences: <{in_reply_to}>\n" if in_reply_to else ""
    return (f"From ada@example.org Sat Dec 16 01:48:50 2023\n"
            f"From: Ada Example <ada@example.org>\nTo: linux-watchdog@vger.kernel.org\n"
            f"Cc: devicetree@vger.kernel.org\nSubject: {subject}\nDate: Sat, 16 Dec 2023 09:48:50 +0800\n"
            f"Message-ID: <{msgid}>\n{threading}MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n"
            f"Add the compatible of the A300, which has the A100's watchdog.\n\n"
            f"Signed-off-by: Ada Example <ada@example.org>\n{DIFF}\n")


SERIES_RULES = [r for r in load_catalog() if r.id.startswith("series/")]


def series_findings(text: str, origin: Origin | None = None) -> dict[str, list]:
    (series,) = load_bytes(text.encode(), "lone.mbox")
    if origin is not None:
        series = replace(series, origin=origin)
    out: dict[str, list] = {}
    for f in check_series(series, SERIES_RULES, Options()).findings:
        out.setdefault(f.rule, []).append(f)
    return out


def test_patch_one_of_n_alone_without_cover_is_not_told_to_resend():
    """git send-email without a cover letter threads 2/2 under 1/2: saving 1/2
    alone gives a mail with no In-Reply-To and the rest simply absent."""
    found = series_findings(mail("[PATCH v2 1/2] dt-bindings: watchdog: acme: Add A300",
                                 "20231216014850.1011344-1-ada@example.org"))
    (note,) = found["series/incomplete"]
    assert note.severity == "info" and note.status_note and "Only part of the series" in note.message
    assert "resend" not in note.message


def test_a_hole_before_a_given_patch_or_a_whole_lore_thread_still_asks_to_resend():
    one = mail("[PATCH 1/3] dt-bindings: watchdog: acme: Add A300", "20231216014850.1011344-1-ada@example.org")
    three = mail("[PATCH 3/3] dt-bindings: watchdog: acme: Add A400", "20231216014850.1011344-3-ada@example.org",
                 "20231216014850.1011344-1-ada@example.org")
    (hole,) = series_findings(one + three)["series/incomplete"]
    assert hole.severity == "warning" and "Patches 2 of 3 are missing" in hole.message
    (lore,) = series_findings(one, origin=Origin("lore", url="x"))["series/incomplete"]
    assert lore.severity == "warning" and "resend" in lore.message


@pytest.mark.parametrize("cover,patch", [
    # git send-email numbers a posting's mails; the 0/1 cover letter was sent first
    ("20231216014850.1011344-1-ada@example.org", "20231216014850.1011344-2-ada@example.org"),
    # b4 send: <date-slug-vN-K-hash@host>
    ("20231216-a300-wdt-v4-0-9fba8c4b7d6e@example.org", "20231216-a300-wdt-v4-1-9fba8c4b7d6e@example.org"),
])
def test_one_patch_answering_its_own_cover_is_not_an_old_revisions_thread(cover, patch):
    found = series_findings(mail("[PATCH v4 1/1] dt-bindings: watchdog: acme: Add A300", patch, cover))
    assert "series/threaded-to-old-version" not in found
    assert "series/changelog-missing" not in found  # the changelog is in the cover letter we lack


def test_one_patch_answering_the_previous_revision_is_still_reported():
    found = series_findings(mail("[PATCH v4 1/1] dt-bindings: watchdog: acme: Add A300",
                                 "20231216014850.1011344-2-ada@example.org",
                                 "20231130101010.99887-1-ada@example.org"))
    (f,) = found["series/threaded-to-old-version"]
    assert "another thread" in f.message


@pytest.mark.parametrize("a,b,same", [
    ("20231216014850.1011344-1-ada@example.org", "20231216014850.1011344-2-ada@example.org", True),
    ("20231216014850.1011344-1-ada-l@example.org", "20231216014850.1011344-12-ada-l@example.org", True),
    ("20231216-a300-wdt-v4-0-9fba8c4b7d6e@example.org", "20231216-a300-wdt-v4-3-9fba8c4b7d6e@example.org", True),
    ("20231216-a300-wdt-v3-0-1234abcd@example.org", "20231216-a300-wdt-v4-0-9fba8c4b7d6e@example.org", False),
    ("20231130101010.99887-1-ada@example.org", "20231216014850.1011344-2-ada@example.org", False),
    ("CAHk-abc-1-x@mail.gmail.com", "CAHk-abc-1-x@mail.gmail.com", False),
    ("1-2-3@x", "1-2-3@y", False),
    (None, "20231216014850.1011344-2-ada@example.org", False),
])
def test_same_posting_reads_numbered_message_ids(a, b, same):
    assert same_posting(a, b) is same
