"""driver/* stays quiet on accepted-style code (issue 12): reads of nodes other than the
driver's own, helpers other drivers call, bindings that do not describe the node, names
lists the binding leaves open, software-node properties, built-in-only drivers."""

from __future__ import annotations

from test_driver_rules import FakeTree, run

from reviewtool.engine import Options

BINDING_PATH = "Documentation/devicetree/bindings/net/acme,mdio.yaml"
BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/net/acme,mdio.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#
title: ACME MDIO bus
maintainers:
  - Ada Example <ada@example.org>
allOf:
  - $ref: mdio.yaml#
properties:
  compatible:
    const: acme,mdio
  reg:
    maxItems: 1
  clocks:
    maxItems: 1
  acme,syscon:
    $ref: /schemas/types.yaml#/definitions/phandle-array
required:
  - compatible
unevaluatedProperties: false
"""
MDIO_PATH = "Documentation/devicetree/bindings/net/mdio.yaml"
MDIO = """\
$id: http://devicetree.org/schemas/net/mdio.yaml#
title: MDIO bus
properties:
  clock-frequency: true
  reset-gpios: true
patternProperties:
  '@[0-9a-f]+$':
    type: object
    properties:
      reg: true
"""

DRIVER = '''\
// SPDX-License-Identifier: GPL-2.0
/* An MDIO bus driver with a helper other MAC drivers call with their own node. */

int acme_mdio_register_phys(struct mii_bus *bus, struct device_node *np)
{
	struct device_node *child;
	u32 addr;

	for_each_available_child_of_node(np, child) {
		of_property_read_u32(child, "reg", &addr);
		if (of_property_read_bool(child, "broken-turn-around"))
			bus->phy_ignore_ta_mask |= 1 << addr;
	}
	of_property_read_u32(np, "suppress-preamble", &addr);
	return 0;
}
EXPORT_SYMBOL_GPL(acme_mdio_register_phys);

static int acme_mdio_parse(struct device *dev, struct device_node *np)
{
	struct of_phandle_args args;
	u32 v;

	if (!of_parse_phandle_with_args(np, "acme,syscon", "#syscon-cells", 0, &args))
		of_property_read_u32(args.np, "acme,mux-shift", &v);
	of_property_read_u32(np, "clock-frequency", &v);
	of_property_read_u32(np, "acme,turbo", &v);
	return 0;
}

static int acme_mdio_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct device *cpu_dev = get_cpu_device(0);

	devm_regulator_get(cpu_dev, "cpu");
	device_property_present(dev, "zz,software-node-flag");
	devm_platform_ioremap_resource_byname(pdev, "ctrl");
	return acme_mdio_parse(dev, dev->of_node);
}

static const struct of_device_id acme_mdio_of_match[] = {
	{ .compatible = "acme,mdio" },
	{ }
};
'''


def _tree() -> FakeTree:
    return FakeTree({BINDING_PATH: BINDING, MDIO_PATH: MDIO}, {"acme,mdio": BINDING_PATH})


def _found(text: str, tree: FakeTree) -> dict[str, int]:
    spec = {"subject": "net: mdio: Add ACME MDIO driver", "files": {"drivers/net/mdio/mdio-acme.c": text}}
    return {f.text.strip(): f.line for f in run("driver/undocumented-property", spec, Options(tree=tree))}


def test_only_the_drivers_own_node_is_held_to_its_binding():
    found = _found(DRIVER, _tree())
    # acme,turbo is read from the device's own node (through a static helper called with
    # dev->of_node) and the binding does not define it: the one real point.
    assert found == {'of_property_read_u32(np, "acme,turbo", &v);': 27}


def test_a_read_the_binding_covers_only_through_an_unreadable_ref_is_spared():
    tree = FakeTree({BINDING_PATH: BINDING}, {"acme,mdio": BINDING_PATH})  # mdio.yaml missing
    found = _found(DRIVER, tree)
    # clock-frequency may come from the unread mdio.yaml; the vendor property still may not.
    assert set(found) == {'of_property_read_u32(np, "acme,turbo", &v);'}
    # With mdio.yaml readable, an unprefixed property it lacks is reported again.
    text = DRIVER.replace('"clock-frequency"', '"bus-frequency"')
    assert 'of_property_read_u32(np, "bus-frequency", &v);' in _found(text, _tree())


def test_a_binding_that_only_lists_compatibles_is_not_compared():
    listing = "properties:\n  compatible:\n    enum:\n      - acme,mdio\n"
    tree = FakeTree({"Documentation/devicetree/bindings/incomplete-devices.yaml": listing},
                    {"acme,mdio": "Documentation/devicetree/bindings/incomplete-devices.yaml"})
    assert not _found(DRIVER, tree)


def test_module_device_table_spares_built_in_only_drivers():
    driver = ('static const struct of_device_id acme_of_match[] = {\n\t{ .compatible = "acme,bus" },\n\t{ }\n};\n\n'
              'static struct platform_driver acme_driver = {\n\t.driver = {\n\t\t.name = "acme",\n'
              '\t\t.of_match_table = acme_of_match,\n\t},\n};\n')
    spec = {"subject": "bus: acme: Add driver", "files": {"drivers/bus/acme-bus.c": driver + "module_platform_driver(acme_driver);\n"}}
    tree = FakeTree({"drivers/bus/Makefile": "obj-$(CONFIG_ACME_BUS)\t+= acme-bus.o\n",
                     "drivers/bus/Kconfig": 'config ACME_BUS\n\tbool "ACME bus"\n\tdepends on OF\n'}, {})
    assert not run("driver/module-device-table", spec, Options(tree=tree))
    tristate = FakeTree({**tree.files, "drivers/bus/Kconfig": 'config ACME_BUS\n\ttristate "ACME bus"\n'}, {})
    (f,) = run("driver/module-device-table", spec, Options(tree=tristate))
    assert f.line == 1
    # MODULE_LICENSE alone does not make built-in code (core_initcall) a module.
    licensed = {"subject": "bus: acme: Add driver", "files": {"drivers/bus/acme-bus.c": driver
                + "core_initcall(acme_init);\nMODULE_LICENSE(\"GPL\");\n"}}
    assert not run("driver/module-device-table", licensed)


def test_a_fallback_to_an_older_name_is_not_blamed_but_a_reused_error_variable_is_no_excuse():
    text = DRIVER.replace('\tof_property_read_u32(np, "acme,turbo", &v);\n',
                          '\tret = of_property_read_u32(np, "clock-frequency", &v);\n'
                          '\tret = of_property_read_u32(np, "acme,turbo", &t);\n'
                          '\tpriv->clk = devm_clk_get(dev, "core");\n'
                          '\tif (IS_ERR(priv->clk))\n'
                          '\t\tpriv->clk = devm_clk_get(dev, "legacy-core");\n'
                          '\tbus = devm_clk_get(dev, "bus");\n')
    binding = BINDING.replace("  clocks:\n    maxItems: 1\n", "  clocks:\n    maxItems: 1\n  clock-names:\n"
                              "    items:\n      - const: core\n")
    tree = FakeTree({BINDING_PATH: binding, MDIO_PATH: MDIO}, {"acme,mdio": BINDING_PATH})
    found = _found(text, tree)
    # "legacy-core" is tried into priv->clk after the documented "core": a compatibility fallback.
    assert set(found) == {'ret = of_property_read_u32(np, "acme,turbo", &t);', 'bus = devm_clk_get(dev, "bus");'}


def test_a_documented_name_tried_after_a_legacy_one_makes_the_legacy_one_a_fallback():
    text = DRIVER.replace('\tof_property_read_u32(np, "acme,turbo", &v);\n',
                          '\trmap = syscon_regmap_lookup_by_phandle(np, "syscon-legacy");\n'
                          '\tif (IS_ERR(rmap))\n'
                          '\t\trmap = syscon_regmap_lookup_by_phandle(np, "acme,syscon");\n'
                          '\tother = syscon_regmap_lookup_by_phandle(np, "acme,other");\n')
    assert set(_found(text, _tree())) == {'other = syscon_regmap_lookup_by_phandle(np, "acme,other");'}


def test_probe_naming_is_about_drivers_the_device_tree_matches():
    pci = ("static struct pci_driver acme_pci_driver = {\n\t.name = \"acme\",\n\t.id_table = acme_pci_tbl,\n"
           "\t.probe = acme_init_one,\n\t.remove = acme_remove_one,\n};\n")
    assert not run("driver/probe-naming", {"subject": "misc: acme: Add driver", "files": {"drivers/misc/acme.c": pci}})
    dt = pci.replace("struct pci_driver", "struct platform_driver").replace(
        "\t.id_table = acme_pci_tbl,\n", "\t.driver = { .of_match_table = acme_of_match },\n")
    (f,) = run("driver/probe-naming", {"subject": "misc: acme: Add driver", "files": {"drivers/misc/acme.c": dt}})
    assert f.line == 4


def test_dev_err_under_a_braceless_if_then_return_is_still_the_pattern():
    text = ("static int acme_probe(struct platform_device *pdev)\n{\n\tint ret;\n\n"
            "\tret = devm_acme_add(&pdev->dev);\n\tif (ret)\n\t\tdev_err(&pdev->dev, \"add failed: %d\\n\", ret);\n"
            "\n\treturn ret;\n}\n")
    (f,) = run("driver/dev-err-probe", {"subject": "misc: acme: Add driver", "files": {"drivers/misc/acme.c": text}})
    assert f.line == 7 and "acme_probe()" in f.message
    # With an else branch the return does not follow the log alone: quiet.
    other = text.replace('ret);\n\n\treturn', 'ret);\n\telse\n\t\tacme_ready();\n\n\treturn')
    assert not run("driver/dev-err-probe", {"subject": "misc: acme: Add driver", "files": {"drivers/misc/acme.c": other}})
