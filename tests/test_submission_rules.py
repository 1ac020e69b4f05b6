"""series/maintainers-entry, series/unedited-cover-letter and subject/dts-vendor
beyond their catalogue examples: with a kernel tree, with b4's real cover letter."""

from __future__ import annotations

import pytest

from kernel_repo import KernelRepo
from reviewtool import maintainers
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes

RULES = {r.id: r for r in load_catalog()}


def run(rule_id: str, spec: dict, options: Options | None = None):
    (series,) = load_bytes(render_example(spec, "t"), "test")
    return [f for f in check_series(series, [RULES[rule_id]], options or Options()).findings if f.rule == rule_id]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    from reviewtool.tree import SourceTree

    repo = KernelRepo(tmp_path_factory.mktemp("linux"))
    return SourceTree(repo.path).at(None)


WIDGET = {"drivers/misc/acme-widget.c": "// SPDX-License-Identifier: GPL-2.0\nint acme_widget;\n"}
BINDING = {"Documentation/devicetree/bindings/misc/acme,widget.yaml": "%YAML 1.2\n---\ntitle: ACME widget\n"}


def test_maintainers_parse_and_match():
    text = ("List of maintainers\n\n\tpreamble\n\nACME WIDGET\nM:\tAda <ada@example.org>\nS:\tMaintained\n"
            "F:\tdrivers/misc/acme-*.c\nX:\tdrivers/misc/acme-old.c\nN:\tacme,\n\nTHE REST\nF:\t*\nF:\t*/\n")
    widget, rest = maintainers.parse(text)
    assert widget.title == "ACME WIDGET" and widget.files == ("drivers/misc/acme-*.c",)
    assert widget.covers("drivers/misc/acme-widget.c")
    assert not widget.covers("drivers/misc/sub/acme-widget.c")  # '*' stays in its directory
    assert not widget.covers("drivers/misc/acme-old.c")  # X: excludes
    assert widget.covers("Documentation/devicetree/bindings/misc/acme,widget.yaml")  # N: regex
    assert rest.covers("anything/at/all.c")
    assert maintainers.pattern_matches("drivers/net/", "drivers/net/a/b.c")
    assert maintainers.pattern_matches("drivers/net", "drivers/net/a/b.c")  # a directory without its '/'
    assert not maintainers.pattern_matches("drivers/ne", "drivers/net/a.c")


def test_maintainers_entry_with_a_tree(tree):
    spec = {"patches": [{"subject": "misc: acme: Add widget driver", "files": WIDGET}]}
    (f,) = run("series/maintainers-entry", spec, Options(tree=tree))
    assert f.severity == "warning" and f.path == "drivers/misc/acme-widget.c" and f.line == 1
    assert "acme-widget.c" in f.message and str(tree.tree.root) in f.message
    # The tree's entry covers the existing driver: a modification is not a new file,
    # and a new file it covers needs nothing.
    covered = {"patches": [{"subject": "misc: acme: Split", "files": {"drivers/misc/acme-existing.c": "x\n"}}]}
    assert not run("series/maintainers-entry", covered, Options(tree=tree))
    # An entry added by another patch of the same series covers it.
    entry = "ACME WIDGET\nM:\tAda Example <ada@example.org>\nS:\tMaintained\nF:\tdrivers/misc/acme-widget.c\n" \
            "F:\tDocumentation/devicetree/bindings/misc/acme,widget.yaml\n"
    both = {"patches": [{"subject": "dt-bindings: misc: Add ACME widget", "files": BINDING},
                        {"subject": "misc: acme: Add widget driver", "files": {**WIDGET, "MAINTAINERS": entry}}]}
    assert not run("series/maintainers-entry", both, Options(tree=tree))
    # Without the entry, both new files are reported, each on its own patch.
    bare = {"patches": [{"subject": "dt-bindings: misc: Add ACME widget", "files": BINDING},
                        {"subject": "misc: acme: Add widget driver", "files": WIDGET}]}
    got = run("series/maintainers-entry", bare, Options(tree=tree))
    assert sorted((f.patch, f.path) for f in got) == [(1, next(iter(BINDING))), (2, next(iter(WIDGET)))]


def test_maintainers_entry_catch_alls_do_not_count(tmp_path):
    from reviewtool.tree import SourceTree

    repo = KernelRepo(tmp_path / "linux")
    repo.commit("MAINTAINERS: catch-alls", files={"MAINTAINERS": repo.read("MAINTAINERS") +
                "\nOPEN FIRMWARE AND FLATTENED DEVICE TREE BINDINGS\nM:\tRob <robh@kernel.org>\n"
                "F:\tDocumentation/devicetree/\n\nTHE REST\nM:\tLinus <torvalds@example.org>\nF:\t*\nF:\t*/\n"})
    view = SourceTree(repo.path).at(None)
    spec = {"patches": [{"subject": "dt-bindings: misc: Add ACME widget", "files": BINDING}]}
    (f,) = run("series/maintainers-entry", spec, Options(tree=view))
    assert f.severity == "warning"


def test_maintainers_entry_without_a_tree_says_so_once():
    spec = {"patches": [{"subject": "dt-bindings: misc: Add ACME widget", "files": BINDING},
                        {"subject": "misc: acme: Add widget driver", "files": WIDGET}]}
    (f,) = run("series/maintainers-entry", spec)
    assert f.severity == "info" and "no kernel tree" in f.message and "acme-widget.c" in f.message


def test_unedited_cover_letter_quotes_the_placeholder():
    spec = {"cover": {"subject": "Add the ACME widget",
                      "body": "Adds the widget.\n\n---\nChanges in v2:\n- EDITME: describe what is new\n- EDITME: x\n"},
            "version": 2,
            "patches": [{"subject": "misc: acme: Add foo", "files": {"drivers/misc/a.c": "x\n"}},
                        {"subject": "misc: acme: Add bar", "files": {"drivers/misc/b.c": "x\n"}}]}
    (f,) = run("series/unedited-cover-letter", spec)
    assert f.severity == "error" and f.patch == 0 and f.text == "- EDITME: describe what is new"
    assert "2 line(s)" in f.message


@pytest.mark.parametrize("subject, path, fires", [
    ("arm64: dts: renesas: r9a09g057: Add the widget", "arch/arm64/boot/dts/renesas/r9a09g057.dtsi", False),
    ("arm64: dts: mt8195: Add the widget", "arch/arm64/boot/dts/mediatek/mt8195.dtsi", False),
    ("ARM64: DTS: Renesas: Add the widget", "arch/arm64/boot/dts/renesas/r9a09g057.dtsi", False),
    ("arm64: dts: rockchip: Add the widget", "arch/arm64/boot/dts/renesas/r9a09g057.dtsi", True),
    ("arm64: dts: Add the widget", "arch/arm64/boot/dts/renesas/r9a09g057.dtsi", True),
    ("ARM: dts: stm32: Add the widget", "arch/arm/boot/dts/st/stm32mp151.dtsi", False),  # arm64 only
])
def test_dts_vendor_subject(subject, path, fires):
    spec = {"subject": subject, "modify": {path: {"before": "/ {\n};\n", "after": "/ {\n\tw {\n\t};\n};\n"}}}
    got = run("subject/dts-vendor", spec)
    assert bool(got) == fires, [f.message for f in got]
    if fires:
        assert got[0].anchor == "subject" and "renesas" in got[0].message


def test_dts_vendor_leaves_mixed_patches_alone():
    spec = {"subject": "arm64: dts: Add widgets to two boards", "modify": {
        "arch/arm64/boot/dts/renesas/a.dtsi": {"before": "/ {\n};\n", "after": "/ {\n\tw {\n\t};\n};\n"},
        "arch/arm64/boot/dts/rockchip/b.dtsi": {"before": "/ {\n};\n", "after": "/ {\n\tw {\n\t};\n};\n"}}}
    assert not run("subject/dts-vendor", spec)


WRAPPED_DIFF = ("diff --git a/Documentation/devicetree/bindings/misc/acme,widget.yaml\n"
                "b/Documentation/devicetree/bindings/misc/acme,widget.yaml\nnew file mode 100644\n"
                "index 0000000..1111111\n--- /dev/null\n+++ b/Documentation/devicetree/bindings/misc/acme,widget.yaml\n"
                "@@ -0,0 +1,1 @@\n+%YAML 1.2\n")


def test_corrupt_patch_leaves_the_rest_of_the_series_checked():
    """A mailer-wrapped 'diff --git' line (git am: refused) is an error on that
    patch; the other patches of the series are still read and checked."""
    spec = {"cover": {"subject": "ACME widget"}, "patches": [
        {"subject": "dt-bindings: misc: Add ACME widget", "diff": WRAPPED_DIFF},
        {"subject": "misc: acme: Add widget driver", "body": "", "files": WIDGET},
    ]}
    (series,) = load_bytes(render_example(spec, "t"), "test")
    assert series.patches[0].files == () and "cannot parse the diff" in series.patches[0].diff_error
    assert series.patches[1].files[0].path == "drivers/misc/acme-widget.c" and not series.patches[1].diff_error
    found = {(f.rule, f.patch) for f in check_series(series, list(RULES.values()), Options()).findings}
    assert ("series/corrupt-patch", 1) in found and ("commit/empty-body", 2) in found
    assert not any(rule == "series/corrupt-patch" and n != 1 for rule, n in found)


def test_real_wrapped_diff_from_the_archive_is_read():
    """SDP500 v2 1/3 as sent: its mailer wrapped the 'diff --git' line."""
    from conftest import REPO
    from reviewtool.sources.mbox import load

    path = REPO.parent / "shared/archive/dev/2024-04-dt-bindings-iio-pressure-add-sensirion-7247bf11.mbox"
    if not path.exists():
        pytest.skip("archive absent")
    (series,) = load(str(path))
    findings = check_series(series, [RULES["series/corrupt-patch"]], Options()).findings
    assert [(f.rule, f.patch) for f in findings] == [("series/corrupt-patch", 1)]


def test_maintainers_entry_binding_that_names_its_maintainers(tree):
    # get_maintainer.pl reads the addresses of a .yaml file itself: a binding whose
    # maintainers: names someone reaches them without a MAINTAINERS entry.
    path = "Documentation/devicetree/bindings/misc/acme,widget.yaml"
    named = {path: "%YAML 1.2\n---\ntitle: ACME widget\nmaintainers:\n  - Ada Example <ada@example.org>\n"}
    nameless = {path: "%YAML 1.2\n---\ntitle: ACME widget\nmaintainers:\n  - Ada Example\n"}
    subject = "dt-bindings: misc: Add ACME widget"
    assert not run("series/maintainers-entry", {"patches": [{"subject": subject, "files": named}]}, Options(tree=tree))
    (f,) = run("series/maintainers-entry", {"patches": [{"subject": subject, "files": nameless}]}, Options(tree=tree))
    assert f.path == path
    # The driver of the same series still needs its entry.
    both = {"patches": [{"subject": subject, "files": named},
                        {"subject": "misc: acme: Add widget driver", "files": WIDGET}]}
    assert [f.path for f in run("series/maintainers-entry", both, Options(tree=tree))] == ["drivers/misc/acme-widget.c"]


@pytest.mark.parametrize("subject, suggestion", [
    ("dt-bindindgs: i2c: qcom,i2c-geni: Document shared flag", "dt-bindings: i2c: qcom,i2c-geni: Document shared flag"),
    ("dt-bindings:i2c:adc: add max14001 bindings", "dt-bindings: i2c: add max14001"),
    ("dt-bindings: <i2c>: add sht3x devicetree binding", "dt-bindings: i2c: add sht3x"),
    ("i2c: adc: add smb139x bindings", "dt-bindings: i2c: add smb139x"),
])
def test_dt_bindings_prefix_suggests_the_subject_without_its_wrong_prefix(subject, suggestion):
    # Seen on reviewed archive patches: the suggestion used to repeat the wrong prefix
    # ("dt-bindings: i2c: dt-bindindgs: i2c: ...").
    spec = {"subject": subject, "files": {"Documentation/devicetree/bindings/i2c/acme,foo.yaml": "%YAML 1.2\n---\n"}}
    (f,) = run("subject/dt-bindings-prefix", spec)
    assert f'e.g. "{suggestion}"' in f.message


def test_dts_vendor_subject_asks_tegra_for_its_own_head():
    spec = {"subject": "arm64: dts: smaug: Add EMC tables",
            "modify": {"arch/arm64/boot/dts/nvidia/tegra210-smaug.dts": {"before": "/ {\n};\n",
                                                                         "after": "/ {\n\temc {\n\t};\n};\n"}}}
    (f,) = run("subject/dts-vendor", spec)
    assert '"arm64: tegra: "' in f.message and "smaug" in f.message
