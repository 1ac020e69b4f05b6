"""dts/node-name leaves alone the names a binding fixes (regulator BUCK1, simple-audio-card,cpu)."""

from __future__ import annotations

import re

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes

RULES = [r for r in load_catalog() if r.id == "dts/node-name"]

BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/mfd/acme,apm200.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME APM200 PMIC

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: acme,apm200

  reg:
    maxItems: 1

  regulators:
    type: object
    patternProperties:
      "^BUCK[1-4]$":
        type: object
        additionalProperties: false
        properties:
          regulator-name: true

    additionalProperties: false

required:
  - compatible
  - reg

additionalProperties: false
"""

AFTER = """\
/ {
	i2c {
		#address-cells = <1>;
		#size-cells = <0>;

		pmic@4b {
			compatible = "acme,apm200";
			reg = <0x4b>;

			regulators {
				BUCK1 {
					regulator-name = "vdd-cpu";
				};

				Other_Reg {
					regulator-name = "vdd-gpu";
				};
			};
		};
	};
};
"""
BEFORE = "/ {\n\ti2c {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n\t};\n};\n"
DTS = "arch/arm64/boot/dts/acme/acme-a300-evk.dts"


def _names(with_binding: bool) -> list[str]:
    patches = [{"subject": "arm64: dts: acme: a300-evk: Add the PMIC",
                "modify": {DTS: {"before": BEFORE, "after": AFTER}}}]
    if with_binding:
        patches.insert(0, {"subject": "dt-bindings: mfd: Add ACME APM200 PMIC",
                           "files": {"Documentation/devicetree/bindings/mfd/acme,apm200.yaml": BINDING}})
    (series,) = load_bytes(render_example({"cover": {"subject": "APM200"}, "patches": patches}, "t"), "t")
    found = check_series(series, RULES, Options()).findings
    # one remark per file names every node (reviewtool.consolidate, per_file)
    return sorted(n for f in found if f.rule == "dts/node-name" for n in re.findall(r'"([^"]+)"', f.message))


def test_a_name_the_binding_fixes_is_not_reported():
    assert _names(with_binding=True) == ["Other_Reg"]


def test_without_the_binding_the_name_rule_still_applies():
    assert _names(with_binding=False) == ["BUCK1", "Other_Reg"]


GENERIC_RULES = [r for r in load_catalog() if r.id == "dts/generic-node-name"]
SOC_BEFORE = "/ {\n\tsoc {\n\t};\n};\n"
SOC_AFTER = """\
/ {
	soc {
		wdt@1c20c90 {
			compatible = "acme,a1-wdt";
			reg = <0x1c20c90 0x20>;
		};

		i2c0@1c2ac00 {
			compatible = "acme,a1-i2c";
			reg = <0x1c2ac00 0x400>;
		};

		uart0: serial@1c28000 {
			compatible = "acme,a1-uart";
			reg = <0x1c28000 0x400>;
		};
	};
};
"""


def test_generic_node_names_on_their_lines():
    spec = {"subject": "arm64: dts: acme: a1: Add watchdog, I2C and UART",
            "modify": {"arch/arm64/boot/dts/acme/acme-a1.dtsi": {"before": SOC_BEFORE, "after": SOC_AFTER}}}
    (series,) = load_bytes(render_example(spec, "g"), "g")
    found = check_series(series, GENERIC_RULES, Options()).findings
    assert [(f.line, f.message.split("'")[3]) for f in found] == [(3, "watchdog"), (8, "i2c")]


def test_with_a_tree_a_name_any_binding_defines_is_left_alone(tmp_path):
    bindings = tmp_path / "Documentation/devicetree/bindings/usb"
    bindings.mkdir(parents=True)
    (bindings / "usb-drd.yaml").write_text("properties:\n  dr_mode:\n    enum: [host, otg]\n")
    before = "&usb_dwc3 {\n\tstatus = \"okay\";\n};\n"
    after = "&usb_dwc3 {\n\tdr_mode = \"host\";\n\tUSB_Mode = \"host\";\n\tstatus = \"okay\";\n};\n"
    spec = {"subject": "arm64: dts: acme: a300-evk: USB host",
            "modify": {DTS: {"before": before, "after": after}}}
    (series,) = load_bytes(render_example(spec, "u"), "u")

    def names(options):
        return sorted(n for f in check_series(series, RULES, options).findings
                      for n in re.findall(r'"([^"]+)"', f.message))

    assert names(Options()) == ["USB_Mode", "dr_mode"]
    assert names(Options(tree_path=str(tmp_path))) == ["USB_Mode"]


def test_with_a_tree_pin_names_a_binding_enumerates_are_left_alone(tmp_path):
    from reviewtool.tree import SourceTree

    bindings = tmp_path / "Documentation/devicetree/bindings/pinctrl"
    bindings.mkdir(parents=True)
    (bindings / "acme,a300-pinmux.yaml").write_text(
        "properties:\n  compatible:\n    const: acme,a300-pinmux\n"
        "patternProperties:\n  \"^pinmux$\":\n    type: object\n    additionalProperties:\n"
        "      type: object\n      properties:\n        acme,pins:\n          items:\n"
        "            enum: [ uart2_txd_pc2, uart2_rxd_pc3, gen1_i2c_scl_pc4 ]\n")
    before = "&pinmux {\n\tstatus = \"okay\";\n};\n"
    after = ("&pinmux {\n\tstate_default: pinmux {\n\t\tuart2_txd_pc2 {\n\t\t\tacme,pins = \"uart2_txd_pc2\";\n"
             "\t\t};\n\t\tspi_bus {\n\t\t\tacme,pins = \"gen1_i2c_scl_pc4\";\n\t\t};\n\t};\n"
             "\tstatus = \"okay\";\n};\n")
    spec = {"subject": "arm64: dts: acme: a300-evk: Pin setup",
            "modify": {DTS: {"before": before, "after": after}}}
    (series,) = load_bytes(render_example(spec, "p"), "p")

    def names(options):
        return sorted(n for f in check_series(series, RULES, options).findings
                      for n in re.findall(r'"([^"]+)"', f.message))

    assert names(Options()) == ["spi_bus", "uart2_txd_pc2"]
    tree = SourceTree(tmp_path).at(None)
    assert names(Options(tree=tree, tree_path=str(tmp_path))) == ["spi_bus"]


def test_with_a_tree_a_name_other_boards_already_use_is_the_platforms(tmp_path):
    from reviewtool.tree import SourceTree

    boards = tmp_path / "arch/arm/boot/dts/acme"
    boards.mkdir(parents=True)
    (boards / "acme-a1-evk.dts").write_text("&pinctrl {\n\tmmc0 {\n\t\tpinctrl_mmc0_cd: mmc0_cd {\n"
                                            "\t\t\tacme,pins = <1 2>;\n\t\t};\n\t};\n};\n")
    new = "arch/arm/boot/dts/acme/acme-a1-board2.dts"
    text = ("&pinctrl {\n\tmmc0 {\n\t\tpinctrl_mmc0_cd: mmc0_cd {\n\t\t\tacme,pins = <1 2>;\n\t\t};\n"
            "\t\tpinctrl_mmc0_wp: mmc0_wp_new {\n\t\t\tacme,pins = <1 3>;\n\t\t};\n\t};\n};\n")
    (series,) = load_bytes(render_example({"subject": "ARM: dts: acme: Add board2", "files": {new: text}},
                                          "b"), "b")

    def names(options):
        return sorted(n for f in check_series(series, RULES, options).findings
                      for n in re.findall(r'"([^"]+)"', f.message))

    assert names(Options()) == ["mmc0_cd", "mmc0_wp_new"]
    assert names(Options(tree=SourceTree(tmp_path).at(None), tree_path=str(tmp_path))) == ["mmc0_wp_new"]


def test_directives_are_not_node_names():
    text = '/dts-v1/;\n/include/ "acme-a1.dtsi"\n\n/ {\n\tmodel = "ACME A1 EVK";\n\tBad_Node {\n\t};\n};\n'
    spec = {"subject": "ARM: dts: acme: Add A1 EVK", "files": {"arch/arm/boot/dts/acme/acme-a1-evk.dts": text}}
    (series,) = load_bytes(render_example(spec, "d"), "d")
    found = [f for f in check_series(series, RULES, Options()).findings if f.rule == "dts/node-name"]
    assert [re.findall(r'"([^"]+)"', f.message) for f in found] == [["Bad_Node"]]


def test_a_property_name_no_binding_could_be_read_for_is_only_asked():
    """A DTS property's name is its binding's (USB's dr_mode, a codec's
    VCC-supply): with no tree and no series binding for the node, a name
    outside [a-z0-9-] is an info question, not a warning; with the series'
    binding that does not define it, a warning; node names stay warnings."""
    after = AFTER.replace('reg = <0x4b>;', 'reg = <0x4b>;\n\t\t\tdr_mode = "peripheral";')

    def found(with_binding: bool):
        patches = [{"subject": "arm64: dts: acme: a300-evk: Add the PMIC",
                    "modify": {DTS: {"before": BEFORE, "after": after}}}]
        if with_binding:
            patches.insert(0, {"subject": "dt-bindings: mfd: Add ACME APM200 PMIC",
                               "files": {"Documentation/devicetree/bindings/mfd/acme,apm200.yaml": BINDING}})
        (series,) = load_bytes(render_example({"cover": {"subject": "APM200"}, "patches": patches}, "t"), "t")
        return sorted((f.severity, f.message.split('"')[1]) for f in check_series(series, RULES, Options()).findings)

    assert found(with_binding=False) == [("info", "dr_mode"), ("warning", "BUCK1")]
    assert found(with_binding=True) == [("warning", "Other_Reg"), ("warning", "dr_mode")]


def test_pinmux_is_a_generic_name_as_the_pinctrl_class_schema_says():
    """bindings/pinctrl/pinctrl.yaml: $nodename '^(pinctrl|pinmux)(@[0-9a-f]+)?$'
    (Tegra's pinmux@2430000); a made-up 'iomux@' still gets 'pinctrl'."""
    after = SOC_AFTER.replace("wdt@1c20c90", "pinmux@1c20c90").replace("i2c0@1c2ac00", "iomux@1c2ac00")
    spec = {"subject": "arm64: dts: acme: a1: Add pin controllers",
            "modify": {"arch/arm64/boot/dts/acme/acme-a1.dtsi": {"before": SOC_BEFORE, "after": after}}}
    (series,) = load_bytes(render_example(spec, "g"), "g")
    found = check_series(series, GENERIC_RULES, Options()).findings
    assert [(f.line, f.message.split("'")[3]) for f in found] == [(8, "pinctrl")]
