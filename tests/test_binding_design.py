"""Binding design rules beyond their own examples: the hardware that must
stay quiet, anchoring on added lines only, and schemas that do not parse."""

from __future__ import annotations

import textwrap

import pytest

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes

RULES = {r.id: r for r in load_catalog()}
B = "Documentation/devicetree/bindings/"


def findings(rule_id: str, example: dict) -> list:
    out = []
    for s in load_bytes(render_example(example, "t"), "test"):
        out.extend(f for f in check_series(s, [RULES[rule_id]], Options()).findings if f.rule == rule_id)
    return out


def schema(title: str, props: str, description: str = "", extra: str = "", path: str = "misc/acme,foo.yaml",
           examples: str = "") -> dict[str, str]:
    """A new binding file; `props` is the body of `properties:` (2-space indented YAML)."""
    desc = f"\ndescription:\n{textwrap.indent(textwrap.dedent(description).strip(), '  ')}\n" if description else ""
    text = (
        "# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)\n%YAML 1.2\n---\n"
        f"$id: http://devicetree.org/schemas/{path}#\n"
        "$schema: http://devicetree.org/meta-schemas/core.yaml#\n\n"
        f"title: {title}\n\nmaintainers:\n  - Ada Example <ada@example.org>\n{desc}\n"
        f"properties:\n{textwrap.indent(textwrap.dedent(props).strip(), '  ')}\n\n"
        f"{extra}required:\n  - compatible\n\nadditionalProperties: false\n"
    )
    if examples:
        text += "\nexamples:\n  - |\n" + textwrap.indent(textwrap.dedent(examples).strip(), "    ") + "\n"
    return {B + path: text}


def patch(files: dict, subject: str = "dt-bindings: misc: Add ACME foo", body: str | None = None) -> dict:
    ex = {"subject": subject, "files": files}
    if body is not None:
        ex["body"] = body
    return ex


# -- describes-driver ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The LD8 is an eight-channel LED driver with an I2C interface.",
    "A 1280-channel source driver with integrated gate drivers and timing controller.",
    "Dual H-bridge motor driver; each driver stage delivers 1.5 A.",
    "This DriverIC supports MIPI-DSI panels up to 1080x2400.",
    "The ACME TS1 is a temperature sensor. If software fails to service it, it resets the board.",
    "Key codes are listed in include/uapi/linux/input-event-codes.h.",
])
def test_hardware_that_drives_things_is_not_a_driver(text):
    files = schema("ACME widget", "compatible:\n  const: acme,foo", description=text)
    assert findings("binding/describes-driver", patch(files)) == []


@pytest.mark.parametrize("text,word", [
    ("The foo driver reads the sensor every second.", "driver"),
    ("Describes the widget so that Linux can use it.", "Linux"),
    ("The node lets the kernel module expose a character device.", "kernel module"),
    ("It acts like a wrapper for every hypercall to the firmware.", "wrapper"),
])
def test_software_wording_in_a_description_is_flagged_on_its_line(text, word):
    files = schema("ACME widget", "compatible:\n  const: acme,foo", description=f"The widget.\n{text}")
    (f,) = findings("binding/describes-driver", patch(files))
    assert f.anchor == "diff" and text.split()[1] in f.text and word.lower() in f.message.lower()
    assert f.line == 14  # the second description line


def test_driver_in_the_title_is_flagged():
    files = schema("Linux driver for the ACME LP9 LED controller", "compatible:\n  const: acme,lp9")
    (f,) = findings("binding/describes-driver", patch(files))
    assert f.text.startswith("title:") and "The title" in f.message


def test_linux_named_properties_may_say_linux():
    props = """
    compatible:
      const: acme,foo

    linux,code:
      description: Linux input event code emitted for the key.
    """
    assert findings("binding/describes-driver", patch(schema("ACME key", props))) == []


def test_commit_message_only_flags_driver_as_purpose():
    files = schema("ACME widget", "compatible:\n  const: acme,foo")
    fine = "The widget is a small block of ACME SoCs. A driver for it follows in this series."
    assert findings("binding/describes-driver", patch(files, body=fine)) == []
    bad = "Add the widget node. This node informs the widget\ndriver to start probing on ACME boards."
    (f,) = findings("binding/describes-driver", patch(files, body=bad))
    assert f.anchor == "commit-message"
    assert any("driver to start probing" in q for q in f.quote)


def test_context_lines_are_never_blamed():
    before = textwrap.dedent("""\
        title: ACME widget

        description:
          Binding for the widget driver.

        properties:
          compatible:
            enum:
              - acme,foo
        """)
    after = before.replace("      - acme,foo\n", "      - acme,foo\n      - acme,bar\n")
    assert after != before
    ex = {"subject": "dt-bindings: misc: acme,foo: Add bar", "modify": {B + "misc/acme,foo.yaml":
                                                                         {"before": before, "after": after}}}
    assert findings("binding/describes-driver", ex) == []


def test_new_txt_binding_is_read_as_prose():
    ex = patch({B + "hwmon/acme-ts.txt": "ACME TS hwmon driver.\n\nRequired properties:\n- compatible: \"acme,ts\"\n"})
    (f,) = findings("binding/describes-driver", ex)
    assert f.line == 1


# -- hypervisor-interface --------------------------------------------------------------

def test_hypervisor_software_bus_is_questioned_on_the_title():
    files = schema("ACME VM bus", "compatible:\n  const: acme,vmbus",
                   description="A software bus that carries messages between the host OS and guest VMs.",
                   path="bus/acme,vmbus.yaml")
    (f,) = findings("binding/hypervisor-interface", patch(files))
    assert f.text == "title: ACME VM bus"
    assert "discover" in f.message and "software bus" in f.message


@pytest.mark.parametrize("path,desc", [
    ("iommu/acme,smmu.yaml", "An IOMMU. Stage 2 translation isolates the memory of virtual machines."),
    ("interrupt-controller/acme,gic.yaml", "Interrupt controller with a virtual CPU interface for guests."),
    ("virtio/acme,virtio-blk.yaml", "A VirtIO block device for guest VMs, served by the hypervisor."),
])
def test_hardware_mentioning_virtualisation_is_not_a_hypervisor_interface(path, desc):
    files = schema("ACME block", "compatible:\n  const: acme,foo\n\nreg:\n  maxItems: 1", description=desc,
                   path=path)
    assert findings("binding/hypervisor-interface", patch(files)) == []


def test_an_emulated_standard_device_is_its_class_hardware():
    """6.12's host-generic-pci.yaml: a PCI host that kvmtool and other para-virtualised systems emulate."""
    desc = ("Firmware-initialised PCI host controllers and PCI emulations, such as the virtio-pci "
            "implementations found in kvmtool and other para-virtualised systems, need no clocks.")
    props = "compatible:\n  const: acme,pcie-host\n\nreg:\n  maxItems: 1"
    files = schema("ACME PCI host", props, description=desc, path="pci/acme,pcie-host.yaml",
                   extra="allOf:\n  - $ref: /schemas/pci/pci-host-bridge.yaml#\n\n")
    assert findings("binding/hypervisor-interface", patch(files)) == []
    files = schema("ACME PCI host", props, description=desc, path="pci/acme,pcie-host.yaml")
    assert findings("binding/hypervisor-interface", patch(files))


def test_malformed_yaml_is_still_read():
    """A TAB-indented description (a YAML error) must not hide the design."""
    files = schema("ACME IPC channel", "compatible:\n  const: acme,ipc",
                   description="Shared memory device for ACME hypervisor guests.\n\tIt talks to peer VMs.")
    assert "\t" in next(iter(files.values()))
    assert findings("binding/hypervisor-interface", patch(files))


# -- one-node-per-device ----------------------------------------------------------------

def test_channels_of_one_controller_are_one_device():
    props = """
    compatible:
      const: acme,dmac

    interrupts:
      description: One interrupt for each DMA channel.
      maxItems: 16
    """
    assert findings("binding/one-node-per-device", patch(schema("ACME DMA", props))) == []


def test_single_entry_is_not_lumping():
    props = """
    compatible:
      const: acme,foo

    reg:
      description: Register region of each backend device.
      maxItems: 1
    """
    assert findings("binding/one-node-per-device", patch(schema("ACME foo", props))) == []


def test_lumped_devices_anchor_on_the_per_device_sentence():
    props = """
    compatible:
      const: acme,hub

    reg:
      description:
        Register windows.
        A single region corresponds to one backend device.
      maxItems: 16
    """
    (f,) = findings("binding/one-node-per-device", patch(schema("ACME hub", props)))
    assert "corresponds to one backend device" in f.text and "up to 16" in f.message


# -- compatibles ------------------------------------------------------------------------

@pytest.mark.parametrize("compatible", [
    "microchip,lan966x-oic",     # an official family part name, accepted upstream
    "aoly,sl101pm1794fog-v15",   # a panel's product revision, not an IP version
    "acme,sc7180-i2c",           # an SoC block
])
def test_specific_compatibles_are_not_too_generic(compatible):
    files = schema("ACME thing", f"compatible:\n  const: {compatible}\n\nreg:\n  maxItems: 1")
    assert findings("binding/compatible-too-generic", patch(files)) == []


def test_bus_suffix_only_for_a_device_on_that_bus():
    props = "compatible:\n  const: acme,rtl9-i2c\n\nreg:\n  maxItems: 1"
    controller = schema("ACME RTL9 I2C controller", props,
                        examples="i2c@36c {\n    compatible = \"acme,rtl9-i2c\";\n    reg = <0x36c 0x14>;\n};")
    assert findings("binding/compatible-too-generic", patch(controller)) == []
    client = schema("ACME RTL9 sensor", props, examples=(
        "i2c {\n    #address-cells = <1>;\n    #size-cells = <0>;\n\n"
        "    sensor@10 {\n        compatible = \"acme,rtl9-i2c\";\n        reg = <0x10>;\n    };\n};"))
    (f,) = findings("binding/compatible-too-generic", patch(client))
    assert "'-i2c'" in f.message


def test_examples_of_a_binding_with_a_tab_are_still_read():
    """The TAB breaks the YAML, not the example: the bus is still seen there."""
    props = "compatible:\n  const: acme,rtl9-i2c\n\nreg:\n  maxItems: 1"
    client = schema("ACME RTL9 sensor", props, description="A sensor.\n\tOn I2C.", examples=(
        "i2c {\n    #address-cells = <1>;\n    #size-cells = <0>;\n\n"
        "    sensor@10 {\n        compatible = \"acme,rtl9-i2c\";\n        reg = <0x10>;\n    };\n};"))
    assert "\t" in next(iter(client.values()))
    (f,) = findings("binding/compatible-too-generic", patch(client))
    assert "'-i2c'" in f.message


def test_versioned_compatible_needs_a_same_stem_fallback():
    props = "compatible:\n  items:\n    - const: acme,axi-dma-1.00.a\n\nreg:\n  maxItems: 1"
    assert findings("binding/compatible-format", patch(schema("ACME AXI DMA", props))) == []
    props = "compatible:\n  items:\n    - const: acme,fw-2.0\n    - const: acme,fw"
    (f,) = findings("binding/compatible-format", patch(schema("ACME firmware", props)))
    assert "'2.0'" in f.message and f.text.strip() == "- const: acme,fw-2.0"


def test_compatible_format_is_one_remark_per_file_naming_each_compatible():
    """Old MediaTek-style names: the point is the file's, made once, each compatible still named."""
    props = ("compatible:\n  oneOf:\n    - enum:\n        - mediatek,mt2701_audio\n        - mediatek,mt7622_audio\n"
             "        - mediatek,mt8173-afe\n    - items:\n        - const: mediatek,mt7623_audio\n"
             "        - const: mediatek,mt2701_audio\n    - const: Mediatek,MT8183-AFE")
    (f,) = findings("binding/compatible-format", patch(schema("MediaTek AFE", props, path="sound/mediatek,afe.yaml")))
    assert f.text.strip() == "- mediatek,mt2701_audio" and len(f.lines) == 5 and f.lines[0] == f.line
    assert "'mediatek,mt2701_audio' has upper case or underscores" in f.message
    for value, line in (("mediatek,mt7622_audio", f.lines[1]), ("mediatek,mt7623_audio", f.lines[2]),
                        ("mediatek,mt2701_audio", f.lines[3]), ("Mediatek,MT8183-AFE", f.lines[4])):
        assert f"'{value}' (line {line})" in f.message
    assert "mt8173-afe" not in f.message


def test_generic_fallbacks_need_no_vendor():
    props = "compatible:\n  items:\n    - const: acme,x1-sysctl\n    - const: syscon\n    - const: simple-mfd"
    assert findings("binding/compatible-format", patch(schema("ACME sysctl", props))) == []


def test_added_compatible_in_a_hunk_only_binding():
    """Without a tree only the hunks are known: the new enum entry is still checked."""
    before = "properties:\n  compatible:\n    enum:\n      - acme,foo\n      - acme,bar\n"
    after = before.replace("      - acme,bar\n", "      - acme,bar\n      - acme,Baz_1\n")
    ex = {"subject": "dt-bindings: misc: acme,foo: Add Baz", "modify": {B + "misc/acme,foo.yaml":
                                                                         {"before": before, "after": after}}}
    (f,) = findings("binding/compatible-format", ex)
    assert f.text.strip() == "- acme,Baz_1"


# -- resourceless-child ------------------------------------------------------------------

def test_top_level_device_without_parent_is_not_a_child():
    files = schema("ACME regulator", "compatible:\n  const: acme,reg\n\nlabel: true",
                   examples='regulator {\n    compatible = "acme,reg";\n};')
    assert findings("binding/resourceless-child", patch(files)) == []


def test_child_binding_under_a_bus_is_not_a_function_of_it():
    files = schema("ACME clock", "compatible:\n  const: acme,clk\n\n\"#clock-cells\":\n  const: 0",
                   examples='bus {\n    compatible = "simple-bus";\n\n    clock {\n'
                            '        compatible = "acme,clk";\n        #clock-cells = <0>;\n    };\n};')
    assert findings("binding/resourceless-child", patch(files)) == []


def test_child_referenced_by_a_sibling_binding_in_the_series():
    parent = schema("ACME PM3", "compatible:\n  const: acme,pm3\n\nreg:\n  maxItems: 1\n\n"
                    "rtc:\n  $ref: /schemas/rtc/acme,pm3-rtc.yaml", path="mfd/acme,pm3.yaml")
    child = schema("ACME PM3 RTC", "compatible:\n  const: acme,pm3-rtc", path="rtc/acme,pm3-rtc.yaml")
    (f,) = findings("binding/resourceless-child", patch({**parent, **child}))
    assert f.path.endswith("acme,pm3-rtc.yaml") and "'acme,pm3'" in f.message


# -- properties ---------------------------------------------------------------------------

def test_vendor_prefix_only_for_properties_the_binding_types_itself():
    props = """
    compatible:
      const: acme,foo

    label:
      $ref: /schemas/types.yaml#/definitions/string

    drive-strength:
      enum: [2, 4, 8]

    reset-gpios:
      maxItems: 1

    acme,mode:
      $ref: /schemas/types.yaml#/definitions/uint32

    sample-window:
      $ref: /schemas/types.yaml#/definitions/uint32
      description: Samples averaged per reading.
    """
    fs = findings("binding/vendor-property-prefix", patch(schema("ACME foo", props)))
    assert [f.text.strip() for f in fs] == ["sample-window:"]
    assert "'acme,sample-window'" in fs[0].message


def test_instance_numbers():
    props = """
    compatible:
      const: acme,foo

    acme,bus-id:
      $ref: /schemas/types.yaml#/definitions/uint32
      description: Identifies which bus instance this controller is.

    acme,chip-id:
      $ref: /schemas/types.yaml#/definitions/uint32
      description: Value expected in the CHIP_ID register.
    """
    fs = findings("binding/instance-index-property", patch(schema("ACME foo", props)))
    assert [f.text.strip() for f in fs] == ["acme,bus-id:"]


def test_unit_suffix():
    props = """
    compatible:
      const: acme,foo

    acme,settle-time-max:
      $ref: /schemas/types.yaml#/definitions/uint32

    acme,vref-voltage:
      $ref: /schemas/types.yaml#/definitions/uint32

    acme,ramp-delay-us:
      description: Ramp delay.

    acme,boost-current:
      $ref: /schemas/types.yaml#/definitions/uint32
      description: Register code for the boost current limit.
    """
    fs = findings("binding/unit-suffix", patch(schema("ACME foo", props)))
    assert {f.text.strip(): ("time" in f.message, "voltage" in f.message) for f in fs} == {
        "acme,settle-time-max:": (True, False), "acme,vref-voltage:": (False, True)}


def test_redundant_with_reg_needs_reg_and_a_layout():
    props = """
    compatible:
      const: acme,foo

    reg:
      maxItems: 1

    acme,fifo-size:
      $ref: /schemas/types.yaml#/definitions/uint32
      description: Depth of the receive FIFO, in words.

    acme,rx-area:
      $ref: /schemas/types.yaml#/definitions/uint32-array
      description: Offset and size of the receive area within the reg window.

    acme,regs-base:
      $ref: /schemas/types.yaml#/definitions/uint32
      description: Physical base address of the registers.

    acme,remote-address:
      $ref: /schemas/types.yaml#/definitions/uint32
      description: Bus address of the board controller to talk to.
    """
    fs = findings("binding/redundant-with-reg", patch(schema("ACME foo", props)))
    assert [f.text.strip() for f in fs] == ["acme,rx-area:", "acme,regs-base:"]


@pytest.mark.parametrize("description,fires", [
    ("Acme Virtualization Project", True),
    ("ACME Software Technologies Co., Ltd.", False),
    ("Shenzhen Acme Firmware Inc.", False),
    ("Acme", False),
])
def test_vendor_prefix_company(description, fires):
    before = 'patternProperties:\n  "^abc,.*":\n    description: ABC Corp.\n'
    after = before + f'  "^acme,.*":\n    description: {description}\n'
    ex = {"subject": "dt-bindings: vendor-prefixes: Add acme",
          "modify": {B + "vendor-prefixes.yaml": {"before": before, "after": after}}}
    fs = findings("binding/vendor-prefix-company", ex)
    assert bool(fs) is fires
    if fires:
        assert fs[0].text.strip() == f"description: {description}"


def test_hyphenated_and_plural_hardware_drivers():
    files = schema("ACME HP2 haptics driver", "compatible:\n  const: acme,hp2",
                   description="Two LED-driver outputs and a laser diode driver are integrated.")
    assert findings("binding/describes-driver", patch(files)) == []


def test_open_child_schema_is_described_by_its_own_binding():
    props = """
    compatible:
      const: acme,pm5

    reg:
      maxItems: 1

    pmic:
      type: object
      additionalProperties: true

      properties:
        compatible:
          const: acme,pm5-pmic
    """
    assert findings("binding/resourceless-child", patch(schema("ACME PM5", props))) == []


def test_shared_memory_through_shmem_is_the_existing_binding():
    props = """
    compatible:
      const: acme,scp

    mboxes:
      maxItems: 1

    shmem:
      description: Shared memory area holding the message rings.
      maxItems: 1
    """
    assert findings("binding/reuse-existing", patch(schema("ACME SCP mailbox protocol", props))) == []


def test_commit_message_of_a_patch_with_code_may_talk_about_its_driver():
    files = schema("ACME widget", "compatible:\n  const: acme,foo")
    files["drivers/misc/acme-foo.c"] = "// SPDX-License-Identifier: GPL-2.0\n"
    body = "This node informs the widget driver to start probing."
    assert findings("binding/describes-driver", patch(files, body=body)) == []


def test_unit_given_in_the_description():
    props = """
    compatible:
      const: acme,foo

    acme,pmin:
      description: Lowest pressure the sensor measures, in pascal.
      $ref: /schemas/types.yaml#/definitions/uint32

    acme,vref-sel:
      description: Reference impedance in kohms, as a code 0-3.
      $ref: /schemas/types.yaml#/definitions/uint32
      enum: [0, 1, 2, 3]

    acme,mode:
      description: Operating mode, in a low or a high power state.
      $ref: /schemas/types.yaml#/definitions/uint32
    """
    fs = findings("binding/unit-suffix", patch(schema("ACME foo", props)))
    assert {f.text.strip(): f.message.split(" looks like a ")[1].split()[0] for f in fs} == {
        "acme,pmin:": "pressure", "acme,vref-sel:": "resistance"}


def test_properties_added_to_a_hunk_only_common_schema():
    """A property added to an existing (common) schema, without the tree: its
    block is still read when git named the hunk's section 'properties:'."""
    diff = "\n".join([
        f"diff --git a/{B}rtc/rtc.yaml b/{B}rtc/rtc.yaml",
        "index 1111111..2222222 100644",
        f"--- a/{B}rtc/rtc.yaml",
        f"+++ b/{B}rtc/rtc.yaml",
        "@@ -42,6 +42,11 @@ properties:",
        "       Selected resistor for trickle charger. Should be given",
        "       if trickle charger should be enabled.",
        " ",
        "+  trickle-voltage-mV:",
        "+    $ref: /schemas/types.yaml#/definitions/uint32",
        "+    description:",
        "+      Selected voltage for the trickle charger.",
        "+",
        "   wakeup-source:",
        "     $ref: /schemas/types.yaml#/definitions/flag",
        "     description:",
    ]) + "\n"
    ex = {"subject": "dt-bindings: rtc: Add trickle-voltage", "diff": diff}
    (f,) = findings("binding/unit-suffix", ex)
    assert f.line == 45 and "voltage" in f.message


@pytest.mark.parametrize("body,fires", [
    ("This adds the documentation for the devicetree bindings of the ACME X20 RTC driver.", True),
    ("Add bindings for the ACME LD3, an eight-channel LED driver with an I2C interface.", False),
    ("Document the binding for the ACME LD4 LED driver IC.", False),
])
def test_commit_message_naming_the_binding_after_a_driver(body, fires):
    files = schema("ACME widget", "compatible:\n  const: acme,foo")
    assert bool(findings("binding/describes-driver", patch(files, body=body))) is fires


def test_names_property_is_standard_only_when_it_names_a_standard_list():
    props = """
    compatible:
      const: acme,dma

    clock-names:
      items:
        - const: core

    dma-vc-names:
      $ref: /schemas/types.yaml#/definitions/string-array
      description: Names of the virtual channels.
    """
    fs = findings("binding/vendor-property-prefix", patch(schema("ACME DMA", props)))
    assert [f.text.strip() for f in fs] == ["dma-vc-names:"]


def test_emulated_device_mentioning_guest_and_hypervisor_in_passing():
    files = schema("ACME panic notifier", "compatible:\n  const: acme,pvpanic\n\nreg:\n  maxItems: 1",
                   description="A simulated device through which a guest reports a panic to the hypervisor.")
    assert findings("binding/hypervisor-interface", patch(files)) == []


ODD_SCHEMAS = [
    "",
    "---\n",
    "- just\n- a list\n",
    "plain scalar\n",
    "properties: [1, 2]\n",
    "properties:\n",
    "properties:\n  compatible: acme,foo\n  reg: 5\n",
    "properties:\n  compatible:\n    enum: [1, 2, {a: b}]\n  foo:\n    $ref: 7\n    description: [x]\n",
    "title: [a, b]\ndescription: {x: y}\nexamples: 3\n",
    "examples:\n  - |\n    node {\n      compatible = \"acme,foo\"\n    }}};\n  - 5\n",
    "properties:\n\tcompatible:\n\t\tconst: acme,foo\n",
    "properties:\n  a: 1\n  a: 2\n",
    "key: [unclosed\n",
    "patternProperties:\n  '^x@':\n    type: object\n    properties:\n      compatible:\n        const: acme,x\n",
]


@pytest.mark.parametrize("text", ODD_SCHEMAS)
def test_odd_schemas_never_crash_the_design_rules(text):
    ex = patch({B + "misc/acme,foo.yaml": text} if text else {B + "misc/acme,foo.yaml": "\n"})
    design = [r for r in RULES.values() if r.source.endswith("binding-design.yaml")]
    for s in load_bytes(render_example(ex, "t"), "odd"):
        report = check_series(s, design, Options())
        assert all(f.anchor in ("diff", "commit-message") for f in report.findings)


def test_a_missing_vendor_prefix_alone_is_a_question_not_a_warning():
    """Only a vendor prefix missing (judged right 3 of 6 on accepted bindings: generic ones read as products): info."""
    (f,) = findings("binding/compatible-format", patch(schema("ACME RAM", "compatible:\n  const: zork-ram")))
    assert f.severity == "info" and "vendor prefix" in f.message
    props = "compatible:\n  enum:\n    - zork-ram\n    - acme,ram_x1"
    (f,) = findings("binding/compatible-format", patch(schema("ACME RAM", props)))
    assert f.severity == "warning" and "'acme,ram_x1' (line" in f.message
