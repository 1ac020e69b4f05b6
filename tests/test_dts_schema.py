"""dts/schema: nodes a DTS patch adds, validated against their binding; never old problems."""

from __future__ import annotations

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes

RULES = [r for r in load_catalog() if r.id == "dts/schema"]

BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/timer/acme,a300-timer.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME A300 system timer

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: acme,a300-timer

  reg:
    maxItems: 1

  interrupts:
    items:
      - description: tick counter interrupt
      - description: watchdog pre-timeout interrupt

  clocks:
    maxItems: 1

required:
  - compatible
  - reg
  - interrupts
  - clocks

additionalProperties: false

examples:
  - |
    #include <dt-bindings/interrupt-controller/arm-gic.h>

    timer@3002000 {
        compatible = "acme,a300-timer";
        reg = <0x03002000 0x400>;
        interrupts = <GIC_SPI 12 IRQ_TYPE_LEVEL_HIGH>,
                     <GIC_SPI 13 IRQ_TYPE_LEVEL_HIGH>;
        clocks = <&osc24m>;
    };
"""

BEFORE = """\
/ {
	soc {
		#address-cells = <1>;
		#size-cells = <1>;

		old_timer: timer@3003000 {
			compatible = "acme,a300-timer";
			reg = <0x03003000 0x400>;
			interrupts = <GIC_SPI 14 IRQ_TYPE_LEVEL_HIGH>,
				     <GIC_SPI 15 IRQ_TYPE_LEVEL_HIGH>;
			clocks = <&osc24m>;
			acme,legacy-mode;
		};
	};
};
"""

NEW_NODE = """\
		timer@3002000 {
			compatible = "acme,a300-timer";
			reg = <0x03002000 0x400>;
			interrupts = <GIC_SPI 12 IRQ_TYPE_LEVEL_HIGH>,
				     <GIC_SPI 13 IRQ_TYPE_LEVEL_HIGH>;
			clocks = <&osc24m>;
		};

"""
DTSI = "arch/arm64/boot/dts/acme/acme-a300.dtsi"


def _findings(new_node: str):
    after = BEFORE.replace("\t\told_timer:", new_node + "\t\told_timer:")
    spec = {"cover": {"subject": "Add the ACME A300 timer"}, "patches": [
        {"subject": "dt-bindings: timer: Add ACME A300 system timer",
         "files": {"Documentation/devicetree/bindings/timer/acme,a300-timer.yaml": BINDING}},
        {"subject": "arm64: dts: acme: a300: Add the system timer",
         "modify": {DTSI: {"before": BEFORE, "after": after}}},
    ]}
    (series,) = load_bytes(render_example(spec, "t"), "t")
    found = check_series(series, RULES, Options()).findings
    return after.split("\n"), [f for f in found if f.rule == "dts/schema"]


def _line(lines, text):
    return next(i for i, ln in enumerate(lines, 1) if text in ln)


def test_forbidden_property_in_an_added_node_is_an_error_on_its_line():
    lines, found = _findings(NEW_NODE.replace("\t\t\tclocks = <&osc24m>;\n",
                                              "\t\t\tclocks = <&osc24m>;\n\t\t\tacme,prescaler = <2>;\n"))
    assert [(f.severity, f.path, f.line) for f in found] == [("error", DTSI, _line(lines, "acme,prescaler"))]
    assert "acme,prescaler" in found[0].message


def test_missing_required_property_is_an_error_on_the_node_line():
    lines, found = _findings(NEW_NODE.replace("\t\t\tclocks = <&osc24m>;\n", ""))
    assert [(f.line, "'clocks' is a required property" in f.message) for f in found] == [
        (_line(lines, "timer@3002000 {"), True)]


def test_corrected_node_and_untouched_old_problem_give_nothing():
    lines, found = _findings(NEW_NODE)
    assert found == []
    assert any("acme,legacy-mode" in ln for ln in lines)  # the old problem is there, untouched
