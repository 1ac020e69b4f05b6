"""The driver points maintainers made on the Bao series, raised by the driver rules.

Every driver/* finding on these two series is listed here with its line,
so a new false positive (or a lost true one) fails the test.
"""

from __future__ import annotations

import pytest

from conftest import check_json

V1_DRIVER = {
    # Krzysztof on 2/5 (20251225-nippy-umber-inchworm-ced095@quoll): #ifdef CONFIG_ARM64, probe named "register".
    (2, "driver/ifdef-in-c", "drivers/virt/bao/ipcshmem/ipcshmem.c", 34),
    (2, "driver/ifdef-in-c", "drivers/virt/bao/ipcshmem/ipcshmem.c", 74),
    (2, "driver/probe-naming", "drivers/virt/bao/ipcshmem/ipcshmem.c", 463),
    (2, "driver/probe-naming", "drivers/virt/bao/ipcshmem/ipcshmem.c", 464),
    # The same help-text indentation Randy pointed out on v2 2/6.
    (2, "driver/kconfig-help-style", "drivers/virt/bao/ipcshmem/Kconfig", 6),
    (2, "driver/dev-err-probe", "drivers/virt/bao/ipcshmem/ipcshmem.c", 336),
    # Krzysztof on 4/5 (20251225-friendly-raptor-of-lightning-fbafc4@quoll): of_match_ptr, .owner.
    (4, "driver/of-match-ptr", "drivers/virt/bao/io-dispatcher/driver.c", 279),
    (4, "driver/platform-owner", "drivers/virt/bao/io-dispatcher/driver.c", 280),
    (4, "driver/probe-naming", "drivers/virt/bao/io-dispatcher/driver.c", 274),
    (4, "driver/probe-naming", "drivers/virt/bao/io-dispatcher/driver.c", 275),
    (4, "driver/dev-err-probe", "drivers/virt/bao/io-dispatcher/driver.c", 156),
}

V2_DRIVER = {
    # Randy on 2/6 (df12062e-27ef-454d-b35b-526a88b5c7fa@infradead.org): help text indented one tab.
    (2, "driver/kconfig-help-style", "drivers/virt/bao/ipcshmem/Kconfig", 5),
    (2, "driver/dev-err-probe", "drivers/virt/bao/ipcshmem/ipcshmem.c", 142),
}


def _driver_findings(doc: dict) -> set[tuple]:
    (s,) = doc["series"]
    # A rule saying the same thing on several lines reports it once, listing the lines.
    return {(f["patch"], f["rule"], f["path"], line) for f in s["findings"] if f["rule"].startswith("driver/")
            for line in f["lines"]}


def test_bao_v1_driver_points(corpus):
    doc = check_json(str(corpus / "bao-v1.mbox"))
    assert _driver_findings(doc) == V1_DRIVER
    (s,) = doc["series"]
    text = {(f["rule"], f["line"]): f["text"] for f in s["findings"] if f["rule"].startswith("driver/")}
    # The two CONFIG_ARM64 conditionals make one point: one finding on the first, listing both.
    (ifdef,) = [f for f in s["findings"] if f["rule"] == "driver/ifdef-in-c"]
    assert ifdef["lines"] == [34, 74] and "74" in ifdef["message"]
    assert text[("driver/probe-naming", 463)].strip() == ".probe = bao_ipcshmem_register,"
    assert text[("driver/platform-owner", 280)].strip() == ".owner = THIS_MODULE,"
    assert "of_match_ptr(" in text[("driver/of-match-ptr", 279)]
    # The file_operations .owner (required there) is not flagged.
    assert ("driver/platform-owner", 125) not in text
    messages = {line: f["message"] for f in s["findings"] if f["rule"] == "driver/probe-naming" for line in f["lines"]}
    assert "bao_ipcshmem_probe()" in messages[463] and "bao_ipcshmem_remove()" in messages[464]


def test_bao_v2_driver_points_and_fixup(corpus):
    doc = check_json(str(corpus / "bao-v2.mbox"))
    assert _driver_findings(doc) == V2_DRIVER
    (s,) = doc["series"]
    (fixup,) = [f for f in s["findings"] if f["rule"] == "series/fixup-of-earlier-patch"]
    # Andrew Jones on 5/6 (5kjiicdwq2ny3zg4mooojsntylukuadx4ajhf7mn7sue4aedpk@j2xfslwvkwur).
    assert fixup["patch"] == 5 and fixup["anchor"] == "subject"
    assert "patch 2/6" in fixup["message"]
    kconfig = next(f for f in s["findings"] if f["rule"] == "driver/kconfig-help-style")
    assert "one tab" in kconfig["message"]
    # One dev_err_probe note for the whole probe function, naming the other places.
    dev_err = next(f for f in s["findings"] if f["rule"] == "driver/dev-err-probe")
    assert "148, 154, 160, 166, 172, 184, 216" in dev_err["message"]


@pytest.mark.parametrize("name", ["bao-v1.mbox", "bao-v2.mbox"])
def test_bao_series_rules_stay_quiet_where_nothing_is_wrong(corpus, name):
    """The bindings come before the drivers, document their compatibles and add the vendor prefix."""
    (s,) = check_json(str(corpus / name))["series"]
    quiet = {"series/binding-after-user", "series/undocumented-compatible", "series/vendor-prefix-undocumented",
             "series/dt-list-not-copied", "series/dts-before-driver", "series/dt-header-split",
             "driver/undocumented-property", "driver/of-match-sentinel", "driver/module-device-table"}
    assert not [f for f in s["findings"] if f["rule"] in quiet]
    fixups = [f for f in s["findings"] if f["rule"] == "series/fixup-of-earlier-patch"]
    assert [f["patch"] for f in fixups] == ([5] if name == "bao-v2.mbox" else [])
