"""One remark per point: subsumed rules drop out, a rule's repeats collapse."""

from __future__ import annotations

from dataclasses import replace

from reviewtool.catalog import load_catalog
from reviewtool.consolidate import consolidate
from reviewtool.model import Finding

RULES = {r.id: r for r in load_catalog()}


def finding(rule: str, line: int, message: str = "m", path: str = "a.yaml", patch: int = 1) -> Finding:
    return Finding(rule=rule, severity="warning", patch=patch, message_id="x@y", anchor="diff",
                   message=message, path=path, line=line, text=f"line {line}")


def test_repeats_of_one_point_become_one_finding_listing_the_lines():
    got = consolidate([finding("binding/blank-lines", n, "No blank line before this.") for n in (27, 12, 19)],
                      RULES)
    assert len(got) == 1
    (f,) = got
    assert f.line == 12 and f.lines == (12, 19, 27) and f.message.endswith("(The same on lines 19, 27.)")


def test_different_points_files_and_patches_stay_apart():
    findings = [finding("driver/undocumented-property", 5, "'acme,a' is not documented."),
                finding("driver/undocumented-property", 9, "'acme,b' is not documented."),
                finding("binding/blank-lines", 3, path="b.yaml"), finding("binding/blank-lines", 4, path="c.yaml"),
                finding("binding/blank-lines", 3, patch=2), finding("binding/blank-lines", 4, patch=3)]
    assert sorted(f.line for f in consolidate(findings, RULES)) == [3, 3, 4, 4, 5, 9]


def test_a_rule_that_subsumes_another_keeps_the_line():
    rules = dict(RULES)
    rules["binding/describes-driver"] = replace(RULES["binding/describes-driver"],
                                                subsumes=("binding/title-redundant",))
    got = consolidate([finding("binding/title-redundant", 7), finding("binding/describes-driver", 7),
                       finding("binding/title-redundant", 9)], rules)
    assert [(f.rule, f.line, f.subsumes) for f in got] == [
        ("binding/describes-driver", 7, ("binding/title-redundant",)), ("binding/title-redundant", 9, ())]


def test_a_per_file_rule_says_its_point_once_per_file_naming_each_place():
    assert RULES["dts/node-name"].per_file and not RULES["driver/undocumented-property"].per_file
    names = [(12, "mmc0_cd"), (30, "gpio_output_high"), (7, "psu_fault")]
    findings = [finding("dts/node-name", n, f'The node name "{name}" breaks the DTS naming rules: use only '
                        "lower-case letters, digits and '-'.", path="a.dts") for n, name in names]
    findings.append(finding("dts/node-name", 9, 'The unit address of "serial@0x1c28000" breaks the DTS naming '
                            'rules: "0x1c28000" has a 0x prefix; unit addresses are plain hex.', path="a.dts"))
    findings.append(finding("dts/node-name", 4, 'The node name "usb_power" breaks the DTS naming rules: use only '
                            "lower-case letters, digits and '-'.", path="b.dts"))
    got = sorted(consolidate(findings, RULES), key=lambda f: (f.path, f.line))
    assert [(f.path, f.line, f.lines) for f in got] == [("a.dts", 7, (7, 12, 30)), ("a.dts", 9, ()),
                                                       ("b.dts", 4, ())]
    assert got[0].message.startswith('The node name "psu_fault"')
    assert got[0].message.endswith('(The same on lines 12 ("mmc0_cd"), 30 ("gpio_output_high").)')
