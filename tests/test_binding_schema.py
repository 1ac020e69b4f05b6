"""Schema-content rules beyond their own examples: anchoring, modified and
renamed files, odd input, and the cases each heuristic must leave alone."""

from __future__ import annotations

import textwrap

import pytest

from reviewtool.artifacts.binding import build_doc
from reviewtool.artifacts.schema_facts import compatibles, example_blocks, schema_data
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.kerneltree import NoTree
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes

RULES = {r.id: r for r in load_catalog()}
PATH = "Documentation/devicetree/bindings/misc/acme,foo.yaml"


def binding(body: str, path_rel: str = "misc/acme,foo.yaml", compat: str = "acme,foo") -> str:
    head = textwrap.dedent(f"""\
        # SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
        %YAML 1.2
        ---
        $id: http://devicetree.org/schemas/{path_rel}#
        $schema: http://devicetree.org/meta-schemas/core.yaml#

        title: ACME foo controller

        maintainers:
          - Ada Example <ada@example.org>

        """)
    return head + textwrap.dedent(body).replace("@COMPAT@", compat)


def run(rule_id: str, spec: dict, options: Options | None = None):
    series = load_bytes(render_example(spec, "t"), "test")
    return [f for s in series for f in check_series(s, [RULES[rule_id]], options or Options()).findings]


def new_file(text: str, path: str = PATH, subject: str = "dt-bindings: misc: Add ACME foo") -> dict:
    return {"subject": subject, "files": {path: text}}


GOOD_TAIL = """\
    required:
      - compatible

    additionalProperties: false

    examples:
      - |
        controller@1000 {
            compatible = "acme,foo";
            reg = <0x1000 0x100>;
        };
    """


class FakeTree(NoTree):
    """What binding.py and binding/directory ask of a kernel tree."""

    available = True
    label = "the kernel tree at /fake"

    def __init__(self, files: dict[str, str], dirs: list[str] = ()):
        self.files, self.dirs = files, list(dirs)

    def read_file(self, path):
        return self.files.get(path)

    def list_dir(self, directory):
        return self.dirs

    def has_dir(self, path):
        return path.rstrip("/").rsplit("/", 1)[-1] in self.dirs


# -- the artifact helpers ------------------------------------------------------

def test_example_blocks_map_to_post_image_lines():
    text = binding("""\
        properties:
          compatible:
            const: acme,foo

        examples:
          - |
            #include <dt-bindings/gpio/gpio.h>

            a@1 {
                compatible = "acme,foo";
            };
          - |
            b {
                compatible = "acme,foo";
            };
        """)
    blocks = example_blocks(text)
    lines = text.split("\n")
    assert len(blocks) == 2
    a = blocks[0].dts.roots[0]
    assert lines[blocks[0].post_line(a.line) - 1].strip() == "a@1 {"
    assert blocks[0].dts.includes[0].path == "dt-bindings/gpio/gpio.h"
    b = blocks[1].dts.roots[0]
    assert lines[blocks[1].post_line(b.prop("compatible").line) - 1].strip() == 'compatible = "acme,foo";'
    assert blocks[0].base_indent == 4 and blocks[0].dash_col == 2
    assert example_blocks("title: x\n") == []


def test_tab_only_failure_is_parsed_leniently():
    text = binding("""\
        description: |
          A controller.
        \tMore text after a TAB.

        properties:
          compatible:
            const: acme,foo
        """)
    fc = load_bytes(render_example(new_file(text), "t"), "t")[0].patches[0].files[0]
    doc = build_doc(fc)
    assert doc.error is not None and "\\t" in doc.error.message
    data = schema_data(doc)
    assert [c.value for c in compatibles(data)] == ["acme,foo"]


# -- anchoring on modified and renamed files -----------------------------------

BASE = binding("""\
    properties:
      compatible:
        const: acme,foo

      reg:
        maxItems: 1

    required:
      - compatible

    examples:
      - |
        controller@1000 {
            compatible = "acme,foo";
            reg = <0x1000 0x100>;
        };
    """)
AFTER = BASE.replace("  reg:\n    maxItems: 1\n",
                     "  reg:\n    maxItems: 1\n\n  interrupt-parent: true\n\n"
                     "  clocks:\n    minItems: 3\n    maxItems: 3\n")
assert AFTER != BASE


def modified_spec():
    return {"subject": "dt-bindings: misc: acme,foo: Add clocks", "modify": {PATH: {"before": BASE, "after": AFTER}}}


def test_modified_binding_with_tree_flags_only_added_lines():
    tree = FakeTree({PATH: BASE})
    dep = run("binding/deprecated-usage", modified_spec(), Options(tree=tree))
    assert [f.text.strip() for f in dep] == ["interrupt-parent: true"]
    items = run("binding/items-not-described", modified_spec(), Options(tree=tree))
    assert [f.text.strip() for f in items] == ["clocks:"]
    # The base file was never closed, but that is a context line: not this patch's doing.
    assert run("binding/closed-schema", modified_spec(), Options(tree=tree)) == []


def test_modified_binding_without_tree_stays_conservative():
    # Without the base file the structure is unknown: structural rules say nothing...
    for rule in ("binding/items-not-described", "binding/closed-schema", "binding/blank-lines",
                 "binding/example-style", "binding/required-order", "binding/names-without-list"):
        assert run(rule, modified_spec()) == [], rule
    # ...while an added key that can only be a property declaration is still seen.
    assert [f.text.strip() for f in run("binding/deprecated-usage", modified_spec())] == ["interrupt-parent: true"]


def test_title_change_is_checked_without_tree():
    after = BASE.replace("title: ACME foo controller", "title: ACME foo controller DT bindings")
    spec = {"subject": "dt-bindings: misc: acme,foo: Fix title", "modify": {PATH: {"before": BASE, "after": after}}}
    got = run("binding/title-redundant", spec)
    assert len(got) == 1 and got[0].text == "title: ACME foo controller DT bindings"
    assert '"DT bindings"' in got[0].message


def test_rename_without_id_update():
    diff = textwrap.dedent(f"""\
        diff --git a/{PATH} b/Documentation/devicetree/bindings/misc/acme,bar.yaml
        similarity index 100%
        rename from {PATH}
        rename to Documentation/devicetree/bindings/misc/acme,bar.yaml
        """)
    tree = FakeTree({PATH: BASE})
    got = run("binding/id-path", {"subject": "dt-bindings: misc: Rename acme,foo", "diff": diff}, Options(tree=tree))
    assert len(got) == 1 and got[0].line is None
    assert "misc/acme,bar.yaml#" in got[0].message


# -- individual heuristics -----------------------------------------------------

def test_blank_lines_reproduces_the_gunyah_v2_review():
    text = binding("""\
        properties:
          compatible:
            items:
              - const: acme,hyp-1.0
              - const: acme,hyp
          "#address-cells":
            const: 2

          "#size-cells":
            const: 0

        patternProperties:
          "^resource-mgr@[0-9a-f]+$":
            type: object
            properties:
              compatible:
                items:
                  - const: acme,rm-1.0
                  - const: acme,rm
              reg:
                items:
                  - description: TX queue
                  - description: RX queue
              interrupts:
                items:
                  - description: TX interrupt
                  - description: RX interrupt
            additionalProperties: false

        additionalProperties: false
        """)
    got = run("binding/blank-lines", new_file(text))
    assert sorted(f.text.strip() for f in got) == sorted(
        ['"#address-cells":', "reg:", "interrupts:", "additionalProperties: false"])


def test_closed_schema_child_nodes_and_refs():
    text = binding("""\
        allOf:
          - $ref: /schemas/watchdog/watchdog.yaml#

        properties:
          compatible:
            const: acme,foo

          channel@0:
            type: object
            properties:
              reg:
                maxItems: 1

          pinctrl:
            type: object
            $ref: /schemas/pinctrl/acme,pinctrl.yaml

        additionalProperties: false

        examples:
          - |
            watchdog@1000 {
                compatible = "acme,foo";
                timeout-sec = <30>;
            };
        """)
    got = run("binding/closed-schema", new_file(text))
    texts = {f.text.strip(): f for f in got}
    # dt-schema only requires the top level to be closed: an open child is
    # what maintainers ask about (warning), not what the tools reject (error).
    assert "channel@0:" in texts and texts["channel@0:"].severity == "warning"
    assert "additionalProperties: false" in texts and "timeout-sec" in texts["additionalProperties: false"].message
    assert "pinctrl:" not in texts  # closed by the schema it references


def test_unevaluated_without_ref_is_a_warning():
    text = binding("""\
        properties:
          compatible:
            const: acme,foo

        unevaluatedProperties: false
        """)
    got = run("binding/closed-schema", new_file(text))
    assert len(got) == 1 and got[0].severity == "warning"


def test_items_not_described_leaves_named_and_conditional_lists_alone():
    text = binding("""\
        properties:
          compatible:
            enum: [acme,foo, acme,foo2]

          reg:
            maxItems: 2

          reg-names:
            items:
              - const: ctrl
              - const: ram

          clocks:
            minItems: 1
            maxItems: 2

          resets:
            maxItems: 3

        allOf:
          - if:
              properties:
                compatible:
                  const: acme,foo2
            then:
              properties:
                clocks:
                  items:
                    - description: core
                    - description: bus
        """)
    got = run("binding/items-not-described", new_file(text))
    assert [f.text.strip() for f in got] == ["resets:"]
    assert "3 entries" in got[0].message


def test_names_mismatch_inside_conditionals():
    text = binding("""\
        properties:
          compatible:
            enum: [acme,foo, acme,foo2]

          clocks:
            minItems: 1
            maxItems: 2

          clock-names:
            minItems: 1
            maxItems: 2

        allOf:
          - if:
              properties:
                compatible:
                  const: acme,foo2
            then:
              properties:
                clocks:
                  minItems: 2
                clock-names:
                  maxItems: 1
        """)
    got = run("binding/names-without-list", new_file(text))
    assert len(got) == 1 and got[0].text.strip() in ("clock-names:", "clocks:")


def test_directory_prefers_the_kernel_tree():
    text = binding("""\
        properties:
          compatible:
            const: acme,foo
        """, path_rel="newclass/acme,foo.yaml")
    spec = new_file(text, path="Documentation/devicetree/bindings/newclass/acme,foo.yaml",
                    subject="dt-bindings: newclass: Add ACME foo")
    assert run("binding/directory", spec)  # not a known class directory
    in_tree = FakeTree({}, dirs=["clock", "newclass"])
    assert run("binding/directory", spec, Options(tree=in_tree)) == []
    without = FakeTree({}, dirs=["clock", "gpio"])
    got = run("binding/directory", spec, Options(tree=without))
    assert got and "does not exist in the kernel tree" in got[0].message


def test_filename_accepts_family_names_but_not_another_vendor():
    text = binding("""\
        properties:
          compatible:
            enum:
              - acme,soc1-gcc
              - acme,soc2-gcc
        """, path_rel="clock/acme,gcc-soc1.yaml")
    path = "Documentation/devicetree/bindings/clock/acme,gcc-soc1.yaml"
    assert run("binding/filename-compatible", new_file(text, path=path)) == []
    other = text.replace("acme,gcc-soc1.yaml#", "other,gcc-soc1.yaml#")
    path = "Documentation/devicetree/bindings/clock/other,gcc-soc1.yaml"
    assert run("binding/filename-compatible", new_file(other, path=path))


def test_example_defines_variants():
    text = binding("""\
        properties:
          compatible:
            const: acme,foo

        examples:
          - |
            controller@1000 {
                compatible = "acme,foo";
                interrupts-extended = <&gpio1 5 8>;
                enable-gpios = <&gpio1 6 0>;
            };
          - |
            controller@2000 {
                compatible = "acme,foo";
                interrupts = <7 IRQ_TYPE_LEVEL_LOW>;
            };
          - |
            #include <dt-bindings/interrupt-controller/irq.h>

            controller@3000 {
                compatible = "acme,foo";
                interrupts = <7 IRQ_TYPE_LEVEL_LOW>, <9>;
                clocks = <&clk 3 4>;
            };
        """)
    got = run("binding/example-defines", new_file(text))
    assert sorted(f.text.strip() for f in got) == sorted([
        "interrupts-extended = <&gpio1 5 8>;", "enable-gpios = <&gpio1 6 0>;",
        "interrupts = <7 IRQ_TYPE_LEVEL_LOW>;"])
    assert any("#include <dt-bindings/interrupt-controller/irq.h>" in f.message for f in got)


def test_example_style_other_devices():
    text = binding("""\
        properties:
          compatible:
            const: acme,clk

        examples:
          - |
            clk: clock-controller@1000 {
                compatible = "acme,clk";
                reg = <0x1000 0x100>;
                #clock-cells = <1>;
            };

            serial@2000 {
                compatible = "acme,uart";
                reg = <0x2000 0x100>;
                clocks = <&clk 3>;
            };
        """, path_rel="clock/acme,clk.yaml", compat="acme,clk")
    got = run("binding/example-style", new_file(text, path="Documentation/devicetree/bindings/clock/acme,clk.yaml"))
    assert [f.text.strip() for f in got] == ["serial@2000 {"]


def test_description_literal_keeps_real_layout():
    text = binding("""\
        description: |
          The ACME foo is a controller that handles four channels of sensor data
          and raises an interrupt when any of them crosses its threshold.

        properties:
          compatible:
            const: acme,foo

          acme,mode:
            description: |
              Operating mode:
                0: off
                1: on
            $ref: /schemas/types.yaml#/definitions/uint32

          acme,list:
            description: |
              Supported values:
              - fast
              - slow
            $ref: /schemas/types.yaml#/definitions/string
        """)
    got = run("binding/description-literal", new_file(text))
    assert [f.line for f in got] == [12]


def test_deprecated_usage_leaves_constrained_pinctrl_and_child_nodes():
    text = binding("""\
        properties:
          compatible:
            const: acme,foo

          pinctrl-names:
            items:
              - const: default
              - const: sleep

          pinctrl-0: true

          pinctrl:
            type: object
            additionalProperties: true

          regulator-compatible:
            description: old style

        examples:
          - |
            controller@1000 {
                compatible = "acme,foo";
                reset-gpio = <&gpio 1 0>;
            };
        """)
    got = run("binding/deprecated-usage", new_file(text))
    assert sorted(f.text.strip() for f in got) == sorted(
        ["pinctrl-0: true", "regulator-compatible:", "reset-gpio = <&gpio 1 0>;"])


def test_example_node_names_accept_generic_words_in_compatibles():
    text = binding("""\
        properties:
          compatible:
            const: acme,ab1234-usb2-phy

        examples:
          - |
            usb-phy {
                compatible = "acme,ab1234-usb2-phy";
            };

            ab1234-phy {
                compatible = "acme,ab1234-usb2-phy";
            };
        """)
    got = run("binding/example-node-name", new_file(text))
    assert [f.text.strip() for f in got] == ["ab1234-phy {"]


@pytest.mark.parametrize("rule", sorted(r for r in RULES if r.startswith("binding/")))
def test_garbage_binding_does_not_crash(rule):
    text = "# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)\n%YAML 1.2\n---\n" \
           "$id: [unbalanced\nproperties: {a: \n  - b: c\nexamples:\n  - |\n    x { y = <; };\n  - 3\n"
    run(rule, new_file(text))  # must return, not raise


def test_hunk_only_modified_binding_gets_line_level_points():
    before = BASE
    after = BASE.replace("  reg:\n    maxItems: 1\n",
                         "  reg:\n    maxItems: 1\n\n  interrupt-parent: true\n\n  acme,mode:\n    type: integer\n")
    after = after.replace('        reg = <0x1000 0x100>;\n',
                          '        reg = <0x1000 0x100>;\n        #address-cells = <0x01>;\n        status = "okay";\n')
    spec = {"subject": "dt-bindings: misc: acme,foo: Add mode", "modify": {PATH: {"before": before, "after": after}}}
    dep = run("binding/deprecated-usage", spec)
    assert [f.text.strip() for f in dep] == ["interrupt-parent: true"]
    typed = run("binding/redundant-type", spec)
    assert [f.text.strip() for f in typed] == ["type: integer"]
    style = run("binding/example-style", spec)
    assert sorted(f.text.strip() for f in style) == ['#address-cells = <0x01>;', 'status = "okay";']
    assert any("'<1>'" in f.message for f in style)


def test_example_unit_address_against_reg():
    text = binding("""\
        properties:
          compatible:
            const: acme,foo

        examples:
          - |
            soc {
                #address-cells = <2>;
                #size-cells = <2>;

                controller@ff00001000 {
                    compatible = "acme,foo";
                    reg = <0xff 0x1000 0x0 0x100>;
                };

                controller@2000 {
                    compatible = "acme,foo";
                    reg = <0x0 0x3000 0x0 0x100>;
                };
            };

            controller@0x4000 {
                compatible = "acme,foo";
                reg = <0x4000 0x100>;
            };
        """)
    got = run("binding/example-style", new_file(text))
    assert sorted(f.text.strip() for f in got) == ["controller@0x4000 {", "controller@2000 {"]
    assert any("0x3000" in f.message for f in got)


def test_example_two_cell_reg_at_top_level_asks_for_a_bus_node():
    text = binding("""\
        properties:
          compatible:
            const: acme,foo

        examples:
          - |
            controller@f0000000 {
                compatible = "acme,foo";
                reg = <0x0 0xf0000000 0x0 0x10000>;
            };
        """)
    got = run("binding/example-style", new_file(text))
    assert len(got) == 1 and "bus node" in got[0].message


def test_a_generic_compatible_named_after_a_device_class_of_the_tree_needs_no_vendor():
    """6.12's leds/irled/gpio-ir-tx.yaml: 'gpio-ir-tx' is a kind of GPIO device, named like its file."""
    text = binding("""\
        properties:
          compatible:
            const: gpio-ir-tx
        """, path_rel="leds/irled/gpio-ir-tx.yaml")
    spec = new_file(text, path="Documentation/devicetree/bindings/leds/irled/gpio-ir-tx.yaml",
                    subject="dt-bindings: leds: Add GPIO IR transmitter")
    assert run("binding/compatible-format", spec)  # without a tree only leds/irled are known classes
    assert run("binding/compatible-format", spec, Options(tree=FakeTree({}, dirs=["gpio", "leds"]))) == []
    # a product named like its file is no class of the tree
    product = text.replace("gpio-ir-tx", "zork-ir-tx")
    spec = new_file(product, path="Documentation/devicetree/bindings/leds/irled/zork-ir-tx.yaml",
                    subject="dt-bindings: leds: Add Zork IR transmitter")
    assert run("binding/compatible-format", spec, Options(tree=FakeTree({}, dirs=["gpio", "leds"])))
    # nor is one that names a vendor of the tree ('operating-points-v2-ti-cpu' in opp/)
    vendor = text.replace("gpio-ir-tx", "gpio-acme-tx")
    spec = new_file(vendor, path="Documentation/devicetree/bindings/leds/irled/gpio-acme-tx.yaml",
                    subject="dt-bindings: leds: Add ACME IR transmitter")
    tree = FakeTree({}, dirs=["gpio", "leds"])
    tree.has_vendor_prefix = lambda prefix: prefix == "acme"
    assert run("binding/compatible-format", spec, Options(tree=tree))
