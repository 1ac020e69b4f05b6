"""dts/schema: nodes a DTS patch adds, validated against their binding; never old problems."""

from __future__ import annotations

import pytest

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


# -- with a tree: the DTS built from the tree with the series applied ------------------

TREE_DTSI = """\
#include <dt-bindings/interrupt-controller/arm-gic.h>

/ {
	#address-cells = <1>;
	#size-cells = <1>;

	soc {
		compatible = "simple-bus";
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;

		timer: timer@3002000 {
			compatible = "acme,a300-timer";
			reg = <0x03002000 0x400>;
			interrupts = <GIC_SPI 12 IRQ_TYPE_LEVEL_HIGH>,
				     <GIC_SPI 13 IRQ_TYPE_LEVEL_HIGH>;
			clocks = <&osc24m>;
			status = "disabled";
		};

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
BOARD = "arch/arm64/boot/dts/acme/acme-a300-board.dts"
TREE_BOARD = """\
/dts-v1/;

#include "acme-a300.dtsi"

/ {
	model = "ACME A300 board";
	compatible = "acme,a300-board", "acme,a300";
};

&timer {
	status = "okay";
};
"""


BOARD2 = "arch/arm64/boot/dts/acme/acme-a300-board2.dts"
BOARD2_APPLIED = TREE_BOARD.replace('\tstatus = "okay";\n', '\tstatus = "okay";\n\tacme,prescaler = <2>;\n')


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    from reviewtool.tree import SourceTree

    root = tmp_path_factory.mktemp("linux")
    for rel, text in {"Documentation/devicetree/bindings/timer/acme,a300-timer.yaml": BINDING,
                      DTSI: TREE_DTSI, BOARD: TREE_BOARD, BOARD2: BOARD2_APPLIED}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return SourceTree(root).at(None)


def _dts_series(path: str, before: str, after: str, tree=None):
    spec = {"subject": "arm64: dts: acme: a300: Update the timer", "modify": {path: {"before": before, "after": after}}}
    (series,) = load_bytes(render_example(spec, "t"), "t")
    return [f for f in check_series(series, RULES, Options(tree=tree)).findings if f.rule == "dts/schema"]


def test_with_a_tree_a_property_added_to_an_existing_node_is_validated(tree):
    """The node comes from the .dtsi (compatible, reg...); the board adds a property
    its binding forbids through &timer: reported on that line only."""
    after = TREE_BOARD.replace('\tstatus = "okay";\n', '\tstatus = "okay";\n\tacme,prescaler = <2>;\n')
    found = _dts_series(BOARD, TREE_BOARD, after, tree)
    assert [(f.severity, f.path, f.line) for f in found] == [("error", BOARD, _line(after.split("\n"), "acme,prescaler"))]
    assert "acme,prescaler" in found[0].message
    # a property the binding allows: nothing (and the .dtsi's old problem is never reported)
    assert _dts_series(BOARD, TREE_BOARD, TREE_BOARD.replace("&timer {", "&old_timer {\n\tstatus = \"okay\";\n};\n\n&timer {"),
                       tree) == []


def test_with_a_tree_a_changed_dtsi_node_reports_only_the_added_lines(tree):
    after = TREE_DTSI.replace('\t\t\tstatus = "disabled";\n', '\t\t\tstatus = "disabled";\n\t\t\tacme,prescaler = <2>;\n')
    found = _dts_series(DTSI, TREE_DTSI, after, tree)
    assert [f.line for f in found] == [_line(after.split("\n"), "acme,prescaler")]  # not acme,legacy-mode
    fixed = TREE_DTSI.replace("<GIC_SPI 12 IRQ_TYPE_LEVEL_HIGH>", "<GIC_SPI 22 IRQ_TYPE_LEVEL_HIGH>")
    assert _dts_series(DTSI, TREE_DTSI, fixed, tree) == []


def test_without_a_tree_one_note_says_what_could_not_be_validated():
    after = TREE_BOARD.replace('\tstatus = "okay";\n', '\tstatus = "okay";\n\tacme,prescaler = <2>;\n')
    spec = {"cover": {"subject": "Update the ACME boards"}, "patches": [
        {"subject": "arm64: dts: acme: a300: Update the timer", "modify": {BOARD: {"before": TREE_BOARD, "after": after}}},
        {"subject": "arm64: dts: acme: a300: Update the timer again",
         "modify": {DTSI: {"before": TREE_DTSI, "after": TREE_DTSI.replace("acme,legacy-mode;", "acme,legacy-mode;\n\t\t\tstatus = \"okay\";")}}},
    ]}
    (series,) = load_bytes(render_example(spec, "t"), "t")
    report = check_series(series, RULES, Options())
    notes = [f for f in report.findings if f.rule == "dts/schema"]
    assert [(f.severity, f.status_note, f.patch) for f in notes] == [("info", True, 1)]
    assert BOARD in notes[0].message and DTSI in notes[0].message and "--tree" in notes[0].message
    assert len(report.status_notes) == 1


def test_with_a_tree_a_patch_that_does_not_apply_is_said_once(tree):
    """The series is based on another version of the file: the DTS cannot be
    built from this tree, and the note says so instead of a silent pass."""
    before = TREE_BOARD.replace('\tstatus = "okay";\n', '\tstatus = "disabled";\n')  # not the tree's text
    after = before.replace('\tstatus = "disabled";\n', '\tstatus = "disabled";\n\tacme,prescaler = <2>;\n')
    found = _dts_series(BOARD, before, after, tree)
    assert [(f.severity, f.status_note) for f in found] == [("info", True)]
    assert "do not apply" in found[0].message and BOARD in found[0].message
    # a patch that applies: no note
    good = TREE_BOARD.replace('\tstatus = "okay";\n', '\tstatus = "okay";\n\tclocks = <&osc24m>;\n')
    assert _dts_series(BOARD, TREE_BOARD, good, tree) == []


def test_with_a_tree_that_has_the_change_already_the_dts_is_still_validated(tree):
    """Checked at a b4 prep branch's HEAD, the tree holds the patch's post-image:
    the file is read as it is, not reported as a patch that does not apply."""
    found = _dts_series(BOARD2, TREE_BOARD, BOARD2_APPLIED, tree)
    assert [(f.severity, f.line) for f in found] == [("error", _line(BOARD2_APPLIED.split("\n"), "acme,prescaler"))]


def test_with_a_tree_phandle_arguments_are_split_by_the_providers_cells(tmp_path):
    """A clock from a provider with #clock-cells = <0> defined in the .dtsi, then
    an unconnected one (<0>): split by the real cell count they are two entries,
    as dtc and dt-validate see them (an unresolved label takes the 0 as its
    argument: one entry, 'too short')."""
    from reviewtool.tree import SourceTree

    binding = BINDING.replace("  clocks:\n    maxItems: 1\n", "  clocks:\n    minItems: 2\n    maxItems: 2\n").replace(
        "clocks = <&osc24m>;", "clocks = <&osc24m>, <&osc24m>;")
    dtsi = TREE_DTSI.replace("/ {\n\t#address-cells = <1>;",
                             "/ {\n\tosc: clock-controller {\n\t\t#clock-cells = <0>;\n\t};\n\n\t#address-cells = <1>;")
    for rel, text in {"Documentation/devicetree/bindings/timer/acme,a300-timer.yaml": binding,
                      DTSI: dtsi.replace("clocks = <&osc24m>;", "clocks = <&osc24m>, <&osc24m>;"), BOARD: TREE_BOARD}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    view = SourceTree(tmp_path).at(None)
    after = TREE_BOARD.replace('\tstatus = "okay";\n', '\tstatus = "okay";\n\tclocks = <&osc>, <0>;\n')
    assert _dts_series(BOARD, TREE_BOARD, after, view) == []
    short = TREE_BOARD.replace('\tstatus = "okay";\n', '\tstatus = "okay";\n\tclocks = <&osc>;\n')
    found = _dts_series(BOARD, TREE_BOARD, short, view)
    assert [f.line for f in found] == [_line(short.split("\n"), "clocks = <&osc>;")]  # one clock: too short


GIC_BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/interrupt-controller/acme,a300-gic.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME A300 interrupt controller

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: acme,a300-gic

  reg:
    maxItems: 1

  interrupt-controller: true

  "#interrupt-cells":
    const: 3

  interrupts:
    maxItems: 1

required:
  - compatible
  - reg
  - interrupt-controller
  - "#interrupt-cells"

additionalProperties: false
"""

GIC_DTSI = "arch/arm64/boot/dts/acme/acme-a400.dtsi"
GIC_NEW = """\
#include <dt-bindings/interrupt-controller/arm-gic.h>

/ {
	#address-cells = <1>;
	#size-cells = <1>;
	interrupt-parent = <&gic>;

	soc {
		compatible = "simple-bus";
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;

		gic: interrupt-controller@3001000 {
			compatible = "acme,a300-gic";
			reg = <0x03001000 0x1000>;
			interrupt-controller;
			#interrupt-cells = <3>;
			interrupts = <GIC_PPI 9 (GIC_CPU_MASK_SIMPLE(8) |
						 IRQ_TYPE_LEVEL_HIGH)>;
		};

		timer@3002000 {
			compatible = "acme,a300-timer";
			reg = <0x03002000 0x400>;
			interrupts = <GIC_SPI 12 IRQ_TYPE_LEVEL_HIGH
				      GIC_SPI 13 IRQ_TYPE_LEVEL_HIGH>;
			clocks = <&osc24m>;
		};
	};
};
"""


def test_with_a_tree_interrupts_are_split_by_the_inherited_parents_cells(tmp_path):
    """The GIC's own interrupt (written over two lines) and the timer's two
    interrupts (in one <...>) take their interrupt parent from the root's
    interrupt-parent: split by its #interrupt-cells = <3> they are one and two
    entries, as dtc and dt-validate see them (not 3 and 6 one-cell entries:
    'too long')."""
    from reviewtool.tree import SourceTree

    for rel, text in {"Documentation/devicetree/bindings/timer/acme,a300-timer.yaml": BINDING,
                      "Documentation/devicetree/bindings/interrupt-controller/acme,a300-gic.yaml": GIC_BINDING}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    view = SourceTree(tmp_path).at(None)

    def added(text):
        spec = {"subject": "arm64: dts: acme: Add the A400 SoC", "files": {GIC_DTSI: text}}
        (series,) = load_bytes(render_example(spec, "t"), "t")
        return [f for f in check_series(series, RULES, Options(tree=view)).findings if f.rule == "dts/schema"]

    assert added(GIC_NEW) == []
    two = GIC_NEW.replace("IRQ_TYPE_LEVEL_HIGH)>;", "IRQ_TYPE_LEVEL_HIGH)>,\n\t\t\t\t     <GIC_PPI 10 IRQ_TYPE_LEVEL_HIGH>;")
    found = added(two)
    assert [(f.line, "too long" in f.message) for f in found] == [(_line(two.split("\n"), "interrupts = <GIC_PPI 9"), True)]


def test_a_value_where_the_binding_knows_only_a_flag_is_not_judged():
    """simple-card's dai-link 'frame-master' is a flag in the binding's own
    schemas and a phandle in others dt-validate also reads: with only the
    binding's schemas its type is unknown here, so no verdict (not the
    'N is not of type array' dt-validate would never print)."""
    binding = BINDING.replace("  clocks:\n    maxItems: 1\n", "  clocks:\n    maxItems: 1\n\n"
                              "  acme,frame-master:\n    $ref: /schemas/types.yaml#/definitions/flag\n")
    node = NEW_NODE.replace("\t\t\tclocks = <&osc24m>;\n", "\t\t\tclocks = <&osc24m>;\n\t\t\tacme,frame-master = <&old_timer>;\n")
    after = BEFORE.replace("\t\told_timer:", node + "\t\told_timer:")
    spec = {"cover": {"subject": "Add the ACME A300 timer"}, "patches": [
        {"subject": "dt-bindings: timer: Add ACME A300 system timer",
         "files": {"Documentation/devicetree/bindings/timer/acme,a300-timer.yaml": binding}},
        {"subject": "arm64: dts: acme: a300: Add the system timer",
         "modify": {DTSI: {"before": BEFORE, "after": after}}},
    ]}
    (series,) = load_bytes(render_example(spec, "t"), "t")
    found = [f for f in check_series(series, RULES, Options()).findings if f.rule == "dts/schema"]
    assert [f.message for f in found if "frame-master" in f.text] == []
    # the rest of the node is still judged: a forbidden property is reported
    bad = after.replace("acme,frame-master = <&old_timer>;", "acme,frame-master = <&old_timer>;\n\t\t\tacme,prescaler = <2>;")
    spec["patches"][1]["modify"][DTSI]["after"] = bad
    (series,) = load_bytes(render_example(spec, "t"), "t")
    found = [f for f in check_series(series, RULES, Options()).findings if f.rule == "dts/schema"]
    assert ["acme,prescaler" in f.message for f in found] == [True]
