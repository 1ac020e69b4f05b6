"""Series-structure rules on branches of a miniature kernel tree, through the CLI.

One repository holds a branch per situation; every check runs
``reviewtool check master..<branch>`` inside it, so the tree those rules
consult is the repository itself, at the series' base.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import check_json
from kernel_repo import KernelRepo

BINDING_PATH = "Documentation/devicetree/bindings/mailbox/acme,a1-msgbox.yaml"
BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/mailbox/acme,a1-msgbox.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME A1 message box

maintainers:
  - Ada Example <ada@example.org>

description:
  The message box of ACME A1 SoCs passes short messages and doorbell
  interrupts between the application cores and the power controller.

properties:
  compatible:
    const: acme,a1-msgbox

  reg:
    maxItems: 1

  interrupts:
    maxItems: 1

  clocks:
    maxItems: 1

  "#mbox-cells":
    const: 1

required:
  - compatible
  - reg
  - interrupts
  - clocks
  - "#mbox-cells"

additionalProperties: false

examples:
  - |
    #include <dt-bindings/interrupt-controller/arm-gic.h>

    mailbox@2000 {
        compatible = "acme,a1-msgbox";
        reg = <0x2000 0x100>;
        interrupts = <GIC_SPI 12 IRQ_TYPE_LEVEL_HIGH>;
        clocks = <&ccu 12>;
        #mbox-cells = <1>;
    };
"""
BINDING_MSG = ("The message box of ACME A1 SoCs passes short messages and doorbell interrupts between the "
               "application cores and the power controller.")

DRIVER_PATH = "drivers/mailbox/acme-a1-msgbox.c"
DRIVER = """\
// SPDX-License-Identifier: GPL-2.0
/*
 * ACME A1 message box
 */

#include <linux/clk.h>
#include <linux/io.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>

struct acme_msgbox {
	void __iomem *base;
	int irq;
};

static int acme_msgbox_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct acme_msgbox *mb;
	struct clk *clk;

	mb = devm_kzalloc(dev, sizeof(*mb), GFP_KERNEL);
	if (!mb)
		return -ENOMEM;

	mb->base = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(mb->base))
		return PTR_ERR(mb->base);

	mb->irq = platform_get_irq(pdev, 0);
	if (mb->irq < 0)
		return mb->irq;

	clk = devm_clk_get_enabled(dev, NULL);
	if (IS_ERR(clk))
		return dev_err_probe(dev, PTR_ERR(clk), "cannot enable the bus clock\\n");

	platform_set_drvdata(pdev, mb);
	return 0;
}

static const struct of_device_id acme_msgbox_of_match[] = {
	{ .compatible = "acme,a1-msgbox" },
	{ /* sentinel */ }
};
MODULE_DEVICE_TABLE(of, acme_msgbox_of_match);

static struct platform_driver acme_msgbox_driver = {
	.probe = acme_msgbox_probe,
	.driver = {
		.name = "acme-a1-msgbox",
		.of_match_table = acme_msgbox_of_match,
	},
};
module_platform_driver(acme_msgbox_driver);

MODULE_DESCRIPTION("ACME A1 message box driver");
MODULE_LICENSE("GPL");
"""
DRIVER_MSG = ("Add a driver for the message box of ACME A1 SoCs, which the power controller firmware uses to "
              "receive requests from Linux.")
KCONFIG_ENTRY = """
config ACME_A1_MSGBOX
	tristate "ACME A1 message box support"
	depends on ARCH_ACME || COMPILE_TEST
	help
	  Support for the message box of ACME A1 SoCs, used to talk
	  to the power controller firmware.

	  To compile this driver as a module, choose M here: the
	  module will be called acme-a1-msgbox.
"""

DTS_NODE = """
		mailbox@2000 {
			compatible = "acme,a1-msgbox";
			reg = <0x2000 0x100>;
			interrupts = <0 12 4>;
			clocks = <&ccu 12>;
			#mbox-cells = <1>;
		};
"""
DTSI_PATH = "arch/arm64/boot/dts/acme/acme-a1.dtsi"


def _binding(repo: KernelRepo, files: dict | None = None) -> None:
    repo.commit("dt-bindings: mailbox: Add ACME A1 message box", BINDING_MSG, {BINDING_PATH: BINDING, **(files or {})})


def _driver(repo: KernelRepo, text: str = DRIVER) -> None:
    kconfig = repo.read("drivers/misc/Kconfig").replace("\nendmenu\n", KCONFIG_ENTRY + "\nendmenu\n")
    makefile = repo.read("drivers/misc/Makefile") + "obj-$(CONFIG_ACME_A1_MSGBOX) += ../mailbox/acme-a1-msgbox.o\n"
    repo.commit("mailbox: acme: Add A1 message box driver", DRIVER_MSG,
                {DRIVER_PATH: text, "drivers/misc/Kconfig": kconfig, "drivers/misc/Makefile": makefile})


def _dts(repo: KernelRepo, node: str = DTS_NODE) -> None:
    dtsi = repo.read(DTSI_PATH)
    marker = "\t\texisting@1000 {"
    repo.commit("arm64: dts: acme: a1: Add the message box",
                "The A1 message box talks to the power controller firmware; describe it.",
                {DTSI_PATH: dtsi.replace(marker, node.lstrip("\n") + "\n" + marker)})


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> KernelRepo:
    r = KernelRepo(tmp_path_factory.mktemp("series") / "linux")

    r.branch("clean")
    # A clean series names its maintainers for the new files (series/maintainers-entry).
    _binding(r, {"MAINTAINERS": r.read("MAINTAINERS") + "\nACME A1 MESSAGE BOX DRIVER\nM:\tAda Example "
                 "<ada@example.org>\nS:\tMaintained\nF:\t" + BINDING_PATH + "\nF:\t" + DRIVER_PATH + "\n"})
    _driver(r)
    _dts(r)

    r.branch("binding-after-user")
    _driver(r)
    _binding(r)

    r.branch("dts-first")
    _binding(r)
    _dts(r)
    _driver(r)

    r.branch("header-split")
    header = "include/dt-bindings/mailbox/acme,a1-msgbox.h"
    r.commit("dt-bindings: mailbox: Add ACME A1 message box", BINDING_MSG,
             {BINDING_PATH: BINDING.replace("  \"#mbox-cells\":\n    const: 1\n",
                                            "  \"#mbox-cells\":\n    const: 1\n    description: Channel number, "
                                            "see include/dt-bindings/mailbox/acme,a1-msgbox.h.\n")})
    r.commit("dt-bindings: mailbox: Add ACME A1 message box channel numbers",
             "Channel numbers of the A1 message box, as used by the firmware.",
             {header: "/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */\n#define ACME_MSGBOX_PMU 0\n"})

    r.branch("fixup")
    _binding(r)
    _driver(r, DRIVER.replace("struct acme_msgbox {\n", "#define ACME_MSGBOX_CHANNELS 8\n"
                              "#define ACME_MSGBOX_TX_REG 0x10\n#define ACME_MSGBOX_RX_REG 0x20\n\n"
                              "struct acme_msgbox {\n"))
    r.commit("mailbox: acme: Move register offsets to a header",
             "The power controller driver needs the offsets too.",
             {DRIVER_PATH: DRIVER.replace("#include <linux/platform_device.h>\n",
                                          "#include <linux/platform_device.h>\n#include <linux/acme-msgbox.h>\n"),
              "include/linux/acme-msgbox.h": "/* SPDX-License-Identifier: GPL-2.0 */\n"
              "#define ACME_MSGBOX_CHANNELS 8\n#define ACME_MSGBOX_TX_REG 0x10\n#define ACME_MSGBOX_RX_REG 0x20\n"})

    r.branch("undocumented")
    _driver(r, DRIVER.replace('{ .compatible = "acme,a1-msgbox" },',
                              '{ .compatible = "acme,a1-msgbox" },\n\t{ .compatible = "acme,existing-v2" },'))
    _dts(r, DTS_NODE + '\n\t\ttimer@3000 {\n\t\t\tcompatible = "acme,legacy-timer";\n'
                       '\t\t\treg = <0x3000 0x100>;\n\t\t};\n')

    r.branch("new-vendor")
    _binding(r)
    r.commit("dt-bindings: mailbox: Add Zeta message box", "Zeta's message box is compatible with ACME's.",
             {BINDING_PATH: BINDING.replace("    const: acme,a1-msgbox\n",
                                            "    enum:\n      - acme,a1-msgbox\n      - zeta,zmb1\n")})

    r.branch("new-vendor-added")
    vp = "Documentation/devicetree/bindings/vendor-prefixes.yaml"
    r.commit("dt-bindings: vendor-prefixes: Add Zeta Microsystems", "Zeta Microsystems makes SoCs.",
             {vp: r.read(vp).replace('  "^acme,.*":\n', '  "^zeta,.*":\n    description: Zeta Microsystems\n'
                                                     '  "^acme,.*":\n')})
    _binding(r)
    r.commit("dt-bindings: mailbox: Add Zeta message box", "Zeta's message box is compatible with ACME's.",
             {BINDING_PATH: BINDING.replace("    const: acme,a1-msgbox\n",
                                            "    enum:\n      - acme,a1-msgbox\n      - zeta,zmb1\n")})
    r.checkout("master")
    return r


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache"))}


def _check(repo: KernelRepo, env: dict, branch: str, *extra: str) -> dict:
    (s,) = check_json(f"master..{branch}", *extra, cwd=repo.path, env=env)["series"]
    return s


def _by_rule(s: dict, rule: str) -> list[dict]:
    return [f for f in s["findings"] if f["rule"] == rule]


def test_clean_branch_gives_no_warnings(repo, env):
    s = _check(repo, env, "clean")
    assert len(s["patches"]) == 3
    bad = [(f["rule"], f["patch"], f["message"]) for f in s["findings"] if f["severity"] != "info"]
    assert not bad
    infos = {f["rule"] for f in s["findings"]}
    assert infos <= {"series/missing-cover-letter"}


def test_binding_after_user(repo, env):
    s = _check(repo, env, "binding-after-user")
    (f,) = _by_rule(s, "series/binding-after-user")
    assert f["patch"] == 1 and f["path"] == "drivers/mailbox/acme-a1-msgbox.c"
    assert f["text"].strip() == '{ .compatible = "acme,a1-msgbox" },' and "patch 2/2" in f["message"]
    assert not _by_rule(s, "series/undocumented-compatible")  # a later patch documents it


def test_dts_before_driver(repo, env):
    s = _check(repo, env, "dts-first")
    (f,) = _by_rule(s, "series/dts-before-driver")
    assert f["patch"] == 2 and f["anchor"] == "subject" and "3/3" in f["message"]


def test_header_split_from_binding(repo, env):
    s = _check(repo, env, "header-split")
    (f,) = _by_rule(s, "series/dt-header-split")
    assert f["patch"] == 2 and f["path"] == "include/dt-bindings/mailbox/acme,a1-msgbox.h"
    assert "patch 1/2" in f["message"]


def test_fixup_of_earlier_patch(repo, env):
    s = _check(repo, env, "fixup")
    (f,) = _by_rule(s, "series/fixup-of-earlier-patch")
    assert f["patch"] == 3 and "3 lines" in f["message"] and "patch 2/3" in f["message"]


def test_undocumented_compatible_uses_series_and_tree(repo, env):
    s = _check(repo, env, "undocumented")
    found = {(f["patch"], f["text"].strip()) for f in _by_rule(s, "series/undocumented-compatible")}
    # Nothing documents acme,a1-msgbox (no binding in this branch, none in the tree) ...
    assert (1, '{ .compatible = "acme,a1-msgbox" },') in found
    assert (2, 'compatible = "acme,a1-msgbox";') in found
    assert all(f["severity"] == "error" for f in _by_rule(s, "series/undocumented-compatible"))
    # ... while the tree's YAML and .txt bindings document the other two.
    assert not any("existing-v2" in t or "legacy-timer" in t for _, t in found)
    # The same compatibles on the clean branch: an earlier patch documents them.
    assert not _by_rule(_check(repo, env, "clean"), "series/undocumented-compatible")


def test_undocumented_compatible_without_a_tree_says_so(repo, env, tmp_path):
    """Checked from a plain directory with no tree: an info note, no guess."""
    mbox = tmp_path / "undocumented.mbox"
    mbox.write_bytes(subprocess.run(["git", "format-patch", "--stdout", "master..undocumented"], cwd=repo.path,
                                    capture_output=True, check=True).stdout)
    (s,) = check_json(str(mbox), cwd=tmp_path, env=env)["series"]
    notes = _by_rule(s, "series/undocumented-compatible")
    assert notes and all(f["severity"] == "info" and "no kernel tree" in f["message"] for f in notes)
    # With --tree the same mail is checked against the tree (at its HEAD: no base-commit in the mail).
    (s,) = check_json(str(mbox), "--tree", str(repo.path), cwd=tmp_path, env=env)["series"]
    errors = _by_rule(s, "series/undocumented-compatible")
    assert errors and all(f["severity"] == "error" and "acme,a1-msgbox" in f["message"] for f in errors)


def test_vendor_prefix(repo, env):
    s = _check(repo, env, "new-vendor")
    (f,) = _by_rule(s, "series/vendor-prefix-undocumented")
    assert f["patch"] == 2 and f["severity"] == "warning" and '"zeta"' in f["message"]
    assert f["text"].strip() == "- zeta,zmb1"
    assert not _by_rule(_check(repo, env, "new-vendor-added"), "series/vendor-prefix-undocumented")


def test_dt_list_not_copied_needs_recipients(repo, env):
    # A branch has no recipients yet: nothing to say ...
    assert not _by_rule(_check(repo, env, "clean"), "series/dt-list-not-copied")
    # ... unless format.to names some, as git format-patch would send it.
    repo.git("config", "format.to", "Rob Herring <robh@kernel.org>")
    try:
        s = _check(repo, env, "clean")
    finally:
        repo.git("config", "--unset", "format.to")
    (f,) = _by_rule(s, "series/dt-list-not-copied")
    assert f["patch"] == 1 and f["anchor"] == "subject"


def test_incomplete_reports_patches_that_disagree_on_the_series_length():
    """The count-mismatch branch: '1/2' and '2/3' in one series were two postings mixed."""
    from dataclasses import replace

    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    rule = next(r for r in load_catalog() if r.id == "series/incomplete")
    spec = {"patches": [{"subject": "misc: acme: Add foo", "files": {"drivers/misc/a.c": "x\n"}},
                        {"subject": "misc: acme: Add bar", "files": {"drivers/misc/b.c": "x\n"}}]}
    (series,) = load_bytes(render_example(spec, "mix"), "mix")
    assert not check_series(series, [rule], Options()).findings  # a whole 2/2 series is fine
    mixed = replace(series, patches=(series.patches[0], replace(series.patches[1], total=3)))
    messages = [f.message for f in check_series(mixed, [rule], Options()).findings]
    assert any("disagree on the series length (n/2, n/3)" in m for m in messages), messages


def test_a_header_with_the_binding_of_its_own_patch_is_not_split():
    """A clock binding and its header in one patch; a later serial binding's
    example uses the clock header: the header is where it belongs (the
    user's patch is not its owner). Split from its binding it is reported."""
    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    rule = next(r for r in load_catalog() if r.id == "series/dt-header-split")
    head = "# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)\n%YAML 1.2\n---\n"
    clock = head + "title: ACME A1 clock controller\nexamples:\n  - |\n    #include <dt-bindings/clock/acme,a1-clk.h>\n"
    serial = head + "title: ACME A1 UART\nexamples:\n  - |\n    #include <dt-bindings/clock/acme,a1-clk.h>\n"
    header = {"include/dt-bindings/clock/acme,a1-clk.h": "/* SPDX-License-Identifier: GPL-2.0 */\n#define CLK_UART0 0\n"}

    def found(together: bool):
        first = {"Documentation/devicetree/bindings/clock/acme,a1-clk.yaml": clock, **(header if together else {})}
        patches = [{"subject": "dt-bindings: clock: Add ACME A1 clock controller", "files": first}]
        if not together:
            patches.append({"subject": "dt-bindings: clock: Add ACME A1 clock IDs", "files": header})
        patches.append({"subject": "dt-bindings: serial: Add ACME A1 UART",
                        "files": {"Documentation/devicetree/bindings/serial/acme,a1-uart.yaml": serial}})
        (series,) = load_bytes(render_example({"cover": {"subject": "A1"}, "patches": patches}, "hs"), "hs")
        return [(f.patch, f.message) for f in check_series(series, [rule], Options()).findings]

    assert found(together=True) == []
    got = found(together=False)
    assert len(got) == 1 and got[0][0] == 2 and "acme,a1-clk.yaml (patch 1/3)" in got[0][1]


def test_clock_ids_moved_from_a_driver_header_into_the_binding_header_are_one_change():
    """Exposing driver-private clock IDs in the dt-bindings header drops them
    from the driver's header in the same patch (split, the build breaks in
    between): not a binding mixed with code. Real driver code in the patch is."""
    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    rule = next(r for r in load_catalog() if r.id == "series/binding-mixed-with-code")
    before_bind = "/* SPDX-License-Identifier: GPL-2.0 */\n#define CLKID_BUS 0\n"
    after_bind = before_bind + "#define CLKID_MPLL_DIV 1\n#define CLKID_MPLL_SEL 2\n"
    before_drv = "#define HHI_MPLL 0x10\n\n/* internal clocks */\n#define CLKID_MPLL_DIV 1\n#define CLKID_MPLL_SEL 2\n"
    after_drv = "#define HHI_MPLL 0x10\n\n"

    def found(driver_after: str):
        spec = {"subject": "dt-bindings: clock: acme-a1: expose all clock ids", "modify": {
            "include/dt-bindings/clock/acme,a1-clkc.h": {"before": before_bind, "after": after_bind},
            "drivers/clk/acme/a1.h": {"before": before_drv, "after": driver_after}}}
        (series,) = load_bytes(render_example(spec, "mv"), "mv")
        return [f.path for f in check_series(series, [rule], Options()).findings]

    assert found(after_drv) == []
    assert found(after_drv + "#define CLKID_NEW 3\n") == ["drivers/clk/acme/a1.h"]


def test_a_dts_patch_needing_nothing_from_later_patches_may_come_first():
    """A DTS cleanup (a node re-sorted) before an unrelated driver patch is not
    out of order; a DTS node whose compatible a later driver matches is."""
    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    rule = next(r for r in load_catalog() if r.id == "series/dts-before-driver")
    dtsi = "arch/arm64/boot/dts/acme/acme-a1.dtsi"
    node = '\twidget@1000 {\n\t\tcompatible = "acme,widget";\n\t\treg = <0x1000 0x100>;\n\t};\n'
    driver = ("// SPDX-License-Identifier: GPL-2.0\nstatic const struct of_device_id acme_gadget_of_match[] = {\n"
              '\t{ .compatible = "acme,gadget" },\n\t{ }\n};\n')

    def found(driver_compatible: str):
        spec = {"cover": {"subject": "A1"}, "patches": [
            {"subject": "arm64: dts: acme: a1: Sort the widget node",
             "modify": {dtsi: {"before": "/ {\n" + node + "};\n", "after": "/ {\n\tstatus = \"okay\";\n" + node + "};\n"}}},
            {"subject": "misc: acme: Add driver", "files": {"drivers/misc/acme.c": driver.replace("acme,gadget", driver_compatible)}}]}
        (series,) = load_bytes(render_example(spec, "o"), "o")
        return [f.patch for f in check_series(series, [rule], Options()).findings]

    assert found("acme,gadget") == []
    spec_new = {"cover": {"subject": "A1"}, "patches": [
        {"subject": "arm64: dts: acme: a1: Add the widget", "modify": {dtsi: {"before": "/ {\n};\n", "after": "/ {\n" + node + "};\n"}}},
        {"subject": "misc: acme: Add widget driver", "files": {"drivers/misc/acme.c": driver.replace("acme,gadget", "acme,widget")}}]}
    (series,) = load_bytes(render_example(spec_new, "o"), "o")
    assert [f.patch for f in check_series(series, [rule], Options()).findings] == [1]
