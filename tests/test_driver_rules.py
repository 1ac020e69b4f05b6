"""Driver and DTS rules beyond their catalogue examples: the cases that must stay quiet,
partial views of modified files, and kernel-tree lookups."""

from __future__ import annotations

import pytest

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.kerneltree import NoTree
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes
from reviewtool.syntax.c import c_file as c_model

RULES = {r.id: r for r in load_catalog()}


def run(rule_id: str, spec: dict, options: Options | None = None) -> list:
    (series,) = load_bytes(render_example(spec, "t"), "test")
    return [f for f in check_series(series, [RULES[rule_id]], options or Options()).findings if f.rule == rule_id]


def c_file(text: str, path: str = "drivers/misc/acme.c") -> dict:
    return {"subject": "misc: acme: Add widget driver", "files": {path: text}}


def c_change(before: str, after: str, path: str = "drivers/misc/acme.c") -> dict:
    return {"subject": "misc: acme: Update widget driver", "modify": {path: {"before": before, "after": after}}}


# -- extraction ---------------------------------------------------------------------------


def test_compatibles_from_tables_macros_and_lookups():
    spec = c_file('''\
static const struct of_device_id acme_of_match[] = {
	{ .compatible = "acme,one", .data = &one },
	{ .compatible = "acme,two" },
	{ }
};
CLK_OF_DECLARE(acme_clk, "acme,clk", acme_clk_init);
IRQCHIP_DECLARE(acme_irq, "acme,irq", acme_irq_init);
OF_EARLYCON_DECLARE(acme, "acme,uart", acme_early);
RESERVEDMEM_OF_DECLARE(acme_mem, "acme,mem", acme_mem_init);
CPU_METHOD_OF_DECLARE(acme_smp, "acme,smp", &acme_smp_ops);
static void f(struct device_node *np)
{
	/* of_device_is_compatible(np, "acme,in-a-comment") */
	if (of_device_is_compatible(np, "acme,three"))
		np = of_find_compatible_node(NULL, NULL, "acme,four");
}
''')
    (series,) = load_bytes(render_example(spec, "t"), "test")
    p = series.patches[0]
    uses = c_model(None, p, p.files[0]).compatible_uses()
    assert [u.compatible for u in uses] == ["acme,one", "acme,two", "acme,clk", "acme,irq", "acme,uart", "acme,mem",
                                            "acme,three", "acme,four"]
    assert uses[2].how == "CLK_OF_DECLARE" and uses[0].line == 2


def test_property_reads_know_names_supplies_and_gpios():
    spec = c_file('''\
static int acme_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	of_property_read_u32(dev->of_node, "acme,delay-us", &d);
	device_property_read_bool(dev, "wakeup-source");
	clk = devm_clk_get_optional(dev, "ref");
	reg = devm_regulator_get(dev, "vdd");
	gpio = devm_gpiod_get_optional(dev, "reset", GPIOD_OUT_HIGH);
	irq = platform_get_irq_byname(pdev, "tx");
	res = platform_get_resource_byname(pdev, IORESOURCE_MEM, "ctrl");
	rst = devm_reset_control_get_exclusive(dev, NULL);
	return 0;
}
''')
    (series,) = load_bytes(render_example(spec, "t"), "test")
    p = series.patches[0]
    reads = {(r.name, r.kind, r.dt_name) for r in c_model(None, p, p.files[0]).property_reads}
    assert reads == {
        ("acme,delay-us", "property", "acme,delay-us"),
        ("wakeup-source", "property", "wakeup-source"),
        ("ref", "names", "clock-names"),
        ("vdd", "supply", "vdd-supply"),
        ("reset", "gpios", "reset-gpios"),
        ("tx", "names", "interrupt-names"),
        ("ctrl", "names", "reg-names"),
    }


# -- sentinel, MODULE_DEVICE_TABLE --------------------------------------------------------


def test_sentinel_in_other_id_tables_and_macro_tables():
    missing = c_file('static const struct i2c_device_id acme_id[] = {\n\t{ "acme-widget", 0 },\n};\n')
    (f,) = run("driver/of-match-sentinel", missing)
    assert "i2c_device_id" in f.message and f.line == 3
    macros = c_file("static const struct of_device_id acme_of_match[] = {\n\tACME_COMPATIBLES,\n};\n")
    assert not run("driver/of-match-sentinel", macros)


def test_sentinel_in_a_modified_table():
    before = 'static const struct of_device_id m[] = {\n\t{ .compatible = "acme,a" },\n};\n'
    after = 'static const struct of_device_id m[] = {\n\t{ .compatible = "acme,a" },\n\t{ .compatible = "acme,b" },\n};\n'
    (f,) = run("driver/of-match-sentinel", c_change(before, after))
    assert f.text == '\t{ .compatible = "acme,b" },'  # the closing brace is context: blame the added entry
    fixed = after.replace("};\n", "\t{ }\n};\n")
    assert not run("driver/of-match-sentinel", c_change(before, fixed))


def test_module_device_table_needs_a_modular_complete_file():
    builtin = '''\
static const struct of_device_id m[] = {
	{ .compatible = "acme,a" },
	{ }
};
static struct platform_driver d = {
	.driver = { .name = "acme", .of_match_table = m },
};
builtin_platform_driver(d);
'''
    assert not run("driver/module-device-table", c_file(builtin))
    modular = builtin.replace("builtin_platform_driver(d);", "module_platform_driver(d);")
    assert run("driver/module-device-table", c_file(modular))
    # A modified file seen only through hunks: the table export may be outside them.
    assert not run("driver/module-device-table", c_change(modular.replace('"acme,a"', '"acme,x"'), modular))


# -- .owner, probe names ------------------------------------------------------------------


def test_platform_owner_found_through_the_hunk_header():
    """git names the enclosing struct in the hunk header when its first line is not shown."""
    diff = (
        "diff --git a/drivers/misc/acme.c b/drivers/misc/acme.c\n"
        "index 1111111..2222222 100644\n"
        "--- a/drivers/misc/acme.c\n"
        "+++ b/drivers/misc/acme.c\n"
        "@@ -14,3 +14,4 @@ static struct platform_driver acme_driver = {\n"
        "\t.driver = {\n"
        "\t\t.name = \"acme\",\n"
        "+\t\t.owner = THIS_MODULE,\n"
        "\t},\n"
    ).replace("\n\t", "\n \t")
    spec = {"subject": "misc: acme: Set the owner", "diff": diff}
    (f,) = run("driver/platform-owner", spec)
    assert f.text == "\t\t.owner = THIS_MODULE," and f.line == 16
    assert not run("driver/platform-owner", {**spec, "diff": diff.replace("platform_driver", "usb_driver")})


def test_platform_owner_spares_other_structures():
    text = ("static const struct file_operations acme_fops = {\n\t.owner = THIS_MODULE,\n};\n"
            "static struct usb_driver acme_usb = {\n\t.owner = THIS_MODULE,\n};\n")
    assert not run("driver/platform-owner", c_file(text))


def test_probe_names_that_are_fine():
    text = ("static struct i2c_driver acme_i2c = {\n\t.probe = acme_i2c_probe,\n\t.remove = acme_remove_common,\n"
            "\t.driver = { .name = \"acme\" },\n};\n")
    assert not run("driver/probe-naming", c_file(text))


# -- dev_err_probe ------------------------------------------------------------------------

PROBE = '''\
static int acme_open(struct inode *inode, struct file *f)
{
	dev_err(dev, "busy\\n");
	return -EBUSY;
}

static int acme_start(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;

	mem = devm_kzalloc(dev, 16, GFP_KERNEL);
	if (!mem) {
		dev_err(dev, "no memory\\n");
		return -ENOMEM;
	}
	if (bad) {
		dev_err(dev, "bad layout\\n");
		dev_err(dev, "read %d, write %d\\n", rd, wr);
		return -EINVAL;
	}
	ret = acme_setup(dev);
	if (ret) {
		dev_err(dev, "setup failed\\n");
		goto out;
	}
	return 0;
out:
	return ret;
}

static struct platform_driver acme_driver = {
	.probe = acme_start,
};
'''


def test_dev_err_probe_only_in_probe_and_once_per_run():
    # acme_start() is the probe because .probe names it; the finding goes on the
    # dev_err() right before the return (the one of line 17 is not counted again).
    (f,) = run("driver/dev-err-probe", c_file(PROBE))
    assert f.line == 18 and "acme_start()" in f.message and "-EINVAL" in f.message


# -- Kconfig ------------------------------------------------------------------------------


def kconfig(text: str) -> dict:
    return {"subject": "misc: acme: Add Kconfig", "files": {"drivers/misc/acme/Kconfig": text}}


def test_kconfig_help_indent_variants():
    spaces = "config ACME\n\ttristate \"ACME\"\n\thelp\n" + "".join(f"          Line {i}.\n" for i in range(4))
    (f,) = run("driver/kconfig-help-style", kconfig(spaces))
    assert "not indented one tab plus two spaces" in f.message and f.line == 4
    tab = "config ACME\n\ttristate \"ACME\"\n\thelp\n" + "".join(f"\tLine {i}.\n" for i in range(4))
    (f,) = run("driver/kconfig-help-style", kconfig(tab))
    assert "indented with one tab" in f.message and f.line == 4
    hidden = "config ACME_CORE\n\tbool\n\tselect REGMAP\n"
    assert not run("driver/kconfig-help-style", kconfig(hidden))
    no_help = "config ACME\n\ttristate \"ACME support\"\n\tdepends on OF\n\nconfig OTHER\n\tbool\n"
    (f,) = run("driver/kconfig-help-style", kconfig(no_help))
    assert "ACME has fewer than four lines of help" in f.message and f.text == "config ACME"


# -- properties vs the binding ------------------------------------------------------------

BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/misc/acme,widget.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#
title: ACME widget
maintainers:
  - Ada Example <ada@example.org>
allOf:
  - $ref: /schemas/spi/spi-peripheral-props.yaml#
properties:
  compatible:
    const: acme,widget
  reg:
    maxItems: 1
  vdd-supply: true
  reset-gpios:
    maxItems: 1
  clock-names:
    items:
      - const: ref
required:
  - compatible
unevaluatedProperties: false
"""

DRIVER = '''\
static int acme_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	device_property_read_u32(dev, "spi-max-frequency", &hz);
	device_property_read_u32(dev, "acme,gain", &gain);
	reg = devm_regulator_get(dev, "vdd");
	gpio = devm_gpiod_get(dev, "reset", GPIOD_OUT_LOW);
	clk = devm_clk_get(dev, "ref");
	bus = devm_clk_get(dev, "bus");
	return 0;
}
static const struct of_device_id acme_of_match[] = {
	{ .compatible = "acme,widget" },
	{ }
};
'''


def test_undocumented_property_against_the_series_binding():
    spec = {"patches": [
        {"subject": "dt-bindings: misc: Add ACME widget",
         "files": {"Documentation/devicetree/bindings/misc/acme,widget.yaml": BINDING}},
        {"subject": "misc: acme: Add widget driver", "files": {"drivers/misc/acme.c": DRIVER}},
    ]}
    found = {f.text.strip(): f.message for f in run("driver/undocumented-property", spec)}
    # spi-max-frequency may come from the $ref'd SPI schema; vdd, reset, ref are in the binding.
    assert set(found) == {'device_property_read_u32(dev, "acme,gain", &gain);',
                          'bus = devm_clk_get(dev, "bus");'}
    assert '"bus" in clock-names' in found['bus = devm_clk_get(dev, "bus");']


class FakeTree(NoTree):
    """The KernelTree protocol the rules use, over a dict of files."""

    available = True
    label = "the kernel tree at /fake"

    def __init__(self, files: dict[str, str], compatibles: dict[str, str]):
        self.files, self.compatibles = files, compatibles

    def documents(self, compat: str):
        return self.compatibles.get(compat)

    def has_vendor_prefix(self, prefix: str) -> bool:
        return prefix == "acme"

    def read_file(self, path: str):
        return self.files.get(path)


def test_undocumented_property_against_the_tree_binding():
    path = "Documentation/devicetree/bindings/misc/acme,widget.yaml"
    tree = FakeTree({path: BINDING}, {"acme,widget": path})
    spec = {"subject": "misc: acme: Add widget driver", "files": {"drivers/misc/acme.c": DRIVER}}
    found = run("driver/undocumented-property", spec, Options(tree=tree))
    assert {f.text.strip() for f in found} == {'device_property_read_u32(dev, "acme,gain", &gain);',
                                               'bus = devm_clk_get(dev, "bus");'}
    assert path in found[0].message
    assert not run("driver/undocumented-property", spec)  # no binding known: nothing to compare


def test_tree_decides_undocumented_compatible_and_vendor():
    spec = {"subject": "misc: acme: Add widget driver", "files": {"drivers/misc/acme.c": DRIVER.replace(
        '{ .compatible = "acme,widget" },', '{ .compatible = "acme,widget" },\n\t{ .compatible = "zeta,widget" },')}}
    tree = FakeTree({}, {"acme,widget": "x.yaml"})
    (f,) = run("series/undocumented-compatible", spec, Options(tree=tree))
    assert f.severity == "error" and '"zeta,widget"' in f.message and "/fake" in f.message
    (v,) = run("series/vendor-prefix-undocumented", spec, Options(tree=tree))
    assert v.severity == "warning" and '"zeta"' in v.message
    (info,) = run("series/undocumented-compatible", spec)
    assert info.severity == "info" and '"acme,widget", "zeta,widget"' in info.message


def test_core_schema_compatibles_count_as_documented():
    dts = {"subject": "arm64: dts: acme: Add bus", "modify": {"arch/arm64/boot/dts/acme/a1.dtsi": {
        "before": "/ {\n};\n", "after": '/ {\n\tsoc {\n\t\tcompatible = "simple-bus";\n\t};\n};\n'}}}
    assert not run("series/undocumented-compatible", dts, Options(tree=FakeTree({}, {})))


# -- DTS ----------------------------------------------------------------------------------


def dts_change(before: str, after: str) -> dict:
    return {"subject": "arm64: dts: acme: Update board",
            "modify": {"arch/arm64/boot/dts/acme/acme-board.dts": {"before": before, "after": after}}}


def test_dts_names_that_are_fine():
    after = ('/ {\n\tpci@0,0 {\n\t\treg = <0 0>;\n\t};\n\tport@1 {\n\t};\n\tcpu@100 {\n\t};\n'
             '\tmemory@80000000 {\n\t\tdevice_type = "memory";\n\t};\n};\n&uart0 {\n\tstatus = "okay";\n};\n')
    # device_type is a standard property older than the naming rule.
    assert not run("dts/node-name", dts_change("/ {\n};\n", after))


@pytest.mark.parametrize("unit,problem", [("0x10", "0x prefix"), ("00a0", "zero-padded"), ("ABC", "upper-case")])
def test_unit_address_problems(unit, problem):
    (f,) = run("dts/node-name", dts_change("/ {\n};\n", f"/ {{\n\tthing@{unit} {{\n\t}};\n}};\n"))
    assert problem in f.message


def test_property_order_blames_only_added_lines():
    before = '&uart0 {\n\tstatus = "okay";\n\tpinctrl-0 = <&uart0_pins>;\n};\n'
    # Existing disorder in context, an unrelated added line elsewhere: quiet.
    after_ok = before + '&uart1 {\n\tpinctrl-0 = <&uart1_pins>;\n\tstatus = "okay";\n};\n'
    assert not run("dts/property-order", dts_change(before, after_ok))
    # A property added after an existing status: blame the new line.
    after_bad = before.replace('\tpinctrl-0 = <&uart0_pins>;\n', '\tpinctrl-0 = <&uart0_pins>;\n\tclock-frequency = <48000000>;\n')
    (f,) = run("dts/property-order", dts_change(before, after_bad))
    assert f.text == "\tclock-frequency = <48000000>;" and '"status" should be the last' in f.message


# -- the C model on hunks cut mid-construct -----------------------------------------------

TABLE_BEFORE = '''\
#include <linux/of.h>

static int acme_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	u32 v;

	device_property_read_u32(dev, "acme,delay-us", &v);
	return 0;
}

static const struct of_device_id acme_of_match[] = {
	{ .compatible = "acme,one" },
	{ .compatible = "acme,two" },
	{ .compatible = "acme,three" },
	{ .compatible = "acme,four" },
	{ .compatible = "acme,five" },
	{ }
};
MODULE_DEVICE_TABLE(of, acme_of_match);
'''


def _diff(section: str, start: int, lines: str) -> dict:
    body = "".join(ln if ln.startswith("+") else " " + ln for ln in lines.splitlines(keepends=True))
    count = sum(1 for ln in lines.splitlines() if not ln.startswith("+"))
    diff = ("diff --git a/drivers/misc/acme.c b/drivers/misc/acme.c\nindex 1111111..2222222 100644\n"
            "--- a/drivers/misc/acme.c\n+++ b/drivers/misc/acme.c\n"
            f"@@ -{start},{count} +{start},{len(lines.splitlines())} @@ {section}\n{body}")
    return {"subject": "misc: acme: Update widget driver", "diff": diff}


def test_a_table_cut_by_the_hunk_still_yields_its_added_compatible():
    spec = _diff("static const struct of_device_id acme_of_match[] = {", 15,
                 '\t{ .compatible = "acme,three" },\n\t{ .compatible = "acme,four" },\n'
                 '+\t{ .compatible = "acme,six" },\n\t{ }\n};\nMODULE_DEVICE_TABLE(of, acme_of_match);\n')
    (series,) = load_bytes(render_example(spec, "t"), "test")
    p = series.patches[0]
    model = c_model(None, p, p.files[0])
    assert not model.view.complete
    # git names the table in the hunk header; the model reads the hunk as its continuation.
    added = [u for u in model.compatible_uses() if model.view.is_added(u.line)]
    assert [(u.compatible, u.line, u.how) for u in added] == [("acme,six", 17, "of_device_id table acme_of_match")]
    # The table's start is not shown: no sentinel verdict on a partial table.
    assert not model.match_tables
    # Without the header the hunk is just entries: nothing is claimed.
    bare = _diff("", 15, '\t{ .compatible = "acme,four" },\n+\t{ .compatible = "acme,six" },\n\t{ }\n};\n')
    (series,) = load_bytes(render_example(bare, "t"), "test")
    assert not c_model(None, series.patches[0], series.patches[0].files[0]).compatible_uses()


def test_a_function_cut_by_the_hunk_still_yields_its_calls_and_reads():
    spec = _diff("static int acme_probe(struct platform_device *pdev)", 20,
                 '\tu32 v;\n\n\tdevice_property_read_u32(dev, "acme,delay-us", &v);\n'
                 '+\tdevice_property_read_u32(dev, "acme,hold-us", &v);\n\tif (v > 10)\n\t\tv = 10;\n')
    (series,) = load_bytes(render_example(spec, "t"), "test")
    p = series.patches[0]
    model = c_model(None, p, p.files[0])
    reads = [(r.name, r.line) for r in model.property_reads if model.view.is_added(r.line)]
    assert reads == [("acme,hold-us", 23)]
    (call,) = [c for c in model.calls if c.line == 23]
    # The hunk header names the function the cut body belongs to.
    assert call.function == "acme_probe" and call.args[1].string == "acme,hold-us"
    (fn,) = model.functions
    assert fn.name == "acme_probe" and fn.start == 20 and not fn.complete


def test_annotations_between_type_and_name_do_not_hide_a_table():
    text = ('static const struct of_device_id __maybe_unused acme_of_match[] = {\n'
            '\t{ .compatible = "acme,one" },\n};\n')
    (f,) = run("driver/of-match-sentinel", c_file(text))
    assert f.line == 3 and "acme_of_match" in f.message


def test_nested_driver_fields_are_all_read():
    text = ('static struct platform_driver acme_driver = {\n\t.probe = acme_probe,\n\t.driver = {\n'
            '\t\t.of_match_table = acme_of_match,\n\t\t.name = "acme",\n\t},\n};\n')
    (series,) = load_bytes(render_example(c_file(text), "t"), "test")
    p = series.patches[0]
    (ds,) = c_model(None, p, p.files[0]).driver_structs
    assert [(f, v, ln) for f, v, ln in ds.fields] == [
        ("probe", "acme_probe", 2), ("driver", '{ .of_match_table = acme_of_match, .name = "acme", }', 3),
        ("of_match_table", "acme_of_match", 4), ("name", '"acme"', 5)]
