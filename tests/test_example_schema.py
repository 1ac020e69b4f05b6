"""binding/example-schema: examples validated against their binding like dt_binding_check.

No kernel tree: the bindings here $ref nothing outside dtschema's core
schemas, so they validate offline; the sample patches carry one defect each
and the finding must sit on the exact example line.
"""

from __future__ import annotations

import textwrap

import pytest

from conftest import SAMPLES
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes

RULES = [r for r in load_catalog() if r.id in ("binding/example-schema", "binding/dt-schema")]
BAD = SAMPLES / "bindings-bad"

# sample -> post-image line the finding must be on
LINES = {
    "example-schema--too-many-entries.patch": 46,
    "example-schema--unknown-property.patch": 50,
    "example-schema--missing-required.patch": 44,
    "example-schema--undefined-macro.patch": 47,
    "example-schema--interrupt-cells.patch": 47,
}


def _example_findings(series_list):
    out = []
    for s in series_list:
        out += [f for f in check_series(s, RULES, Options()).findings if f.rule == "binding/example-schema"]
    return out


@pytest.mark.parametrize("name,line", sorted(LINES.items()))
def test_each_mutation_is_an_error_on_its_example_line(name, line):
    found = _example_findings(load_bytes((BAD / name).read_bytes(), name))
    assert [(f.severity, f.line) for f in found] == [("error", line)], [f.message for f in found]


BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/misc/acme,foo.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME foo controller

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: acme,foo

  reg:
    maxItems: 1

  acme,mode:
    $ref: /schemas/types.yaml#/definitions/uint32
    description: Operating mode.
    enum: [1, 2]

required:
  - compatible
  - reg

additionalProperties: false

examples:
  - |
{example}"""


def _series(example: str, header: str | None = None):
    files = {"Documentation/devicetree/bindings/misc/acme,foo.yaml":
             BINDING.format(example=textwrap.indent(textwrap.dedent(example), "    "))}
    if header is not None:
        files["include/dt-bindings/misc/acme,foo.h"] = header
    spec = {"subject": "dt-bindings: misc: Add ACME foo controller", "files": files}
    return load_bytes(render_example(spec, "t"), "t")


EXAMPLE_WITH_MACRO = """\
#include <dt-bindings/misc/acme,foo.h>

controller@1000 {
    compatible = "acme,foo";
    reg = <0x1000 0x100>;
    acme,mode = <ACME_FOO_MODE_FAST>;
};
"""


def _line_of(text: str) -> int:
    """Post-image line of the binding line containing ``text``."""
    binding = BINDING.format(example=textwrap.indent(EXAMPLE_WITH_MACRO, "    "))
    return next(i for i, ln in enumerate(binding.split("\n"), 1) if text in ln)


def test_macros_come_from_the_series_headers():
    bad = _example_findings(_series(EXAMPLE_WITH_MACRO, "#define ACME_FOO_MODE_FAST\t3\n"))
    assert [(f.severity, f.line) for f in bad] == [("error", _line_of("acme,mode = <"))]
    assert "3 is not one of [1, 2]" in bad[0].message
    assert _example_findings(_series(EXAMPLE_WITH_MACRO, "#define ACME_FOO_MODE_FAST\t(1 + 1)\n")) == []


def test_unknown_macro_is_one_info_naming_it_never_a_guess():
    found = _example_findings(_series(EXAMPLE_WITH_MACRO))  # no header: value unknown
    assert [(f.severity, f.line) for f in found] == [("info", _line_of("acme,mode = <"))]
    assert "ACME_FOO_MODE_FAST" in found[0].message


def test_labels_phandles_bits_strings_and_bytes_are_fine():
    example = """\
    #include <dt-bindings/gpio/gpio.h>

    bus {
        #address-cells = <1>;
        #size-cells = <0>;

        osc: clock {
            compatible = "fixed-clock";
            #clock-cells = <0>;
            clock-frequency = <24000000>;
        };
    };

    controller@1000 {
        compatible = "acme,foo";
        reg = <0x1000 0x100>;
        acme,mode = <(GPIO_ACTIVE_LOW + 1)>;
    };
    """
    assert _example_findings(_series(example)) == []


def test_bao_v1_raises_what_the_bot_raised_and_no_invented_example_error(corpus):
    series = load_bytes((corpus / "bao-v1.mbox").read_bytes(), "bao-v1")[-1]
    found = check_series(series, RULES, Options()).findings
    # The bot: io-dispatcher fails the meta-schema (dt_binding_check then ignores
    # the schema, so no example error), ipcshmem does not parse (TAB).
    assert any(f.rule == "binding/dt-schema" and f.path.endswith("io-dispatcher.yaml") for f in found)
    assert not [f for f in found if f.rule == "binding/example-schema" and f.severity != "info"]


BUS_BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/bus/acme,bus.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME peripheral bus

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: acme,bus

  reg:
    maxItems: 1

  "#address-cells":
    const: 1

  "#size-cells":
    const: 1

  ranges: true

required:
  - compatible
  - reg

additionalProperties:
  type: object

examples:
  - |
    bus@30000000 {
        compatible = "acme,bus";
        reg = <0x30000000 0x100000>;
        #address-cells = <1>;
        #size-cells = <1>;
        ranges;
{extra}    };
"""


def test_a_property_where_the_binding_wants_only_nodes_is_an_error():
    """dt-validate reports an undecoded property against ``additionalProperties:
    {type: object}`` ("... is not of type 'object'"); other undecoded values stay
    unjudged (their type lives in a schema not loaded)."""
    def found(extra: str):
        text = BUS_BINDING.replace("{extra}", extra)
        spec = {"subject": "dt-bindings: bus: Add ACME bus", "files": {"Documentation/devicetree/bindings/bus/acme,bus.yaml": text}}
        line = next((i for i, ln in enumerate(text.split("\n"), 1) if "acme,bogus" in ln), None)
        return [(f.severity, f.line) for f in _example_findings(load_bytes(render_example(spec, "t"), "t"))], line

    bad, line = found("        acme,bogus = <1>;\n")
    assert bad == [("error", line)]
    assert found("")[0] == []


BRANCHED = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/mmc/acme,sdhci.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME SDHCI controller

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    enum:
      - acme,sdhci-a
      - acme,sdhci-b

  reg:
    maxItems: 1

allOf:
  - if:
      properties:
        compatible:
          contains:
            const: acme,sdhci-a
    then:
      properties:
        acme,pad-type:
          enum: [sd, fixed-1-8v]

required:
  - compatible
  - reg

unevaluatedProperties: false

examples:
  - |
    #define ACME_CLK_NGI
    mmc@1000 {{
        compatible = "acme,sdhci-{which}";
        reg = <0x1000 0x100>;
        {prop};
    }};
  - |
    mmc@2000 {{
        compatible = "acme,sdhci-a";
        reg = <0x2000 0x100 ACME_CLK_NGI>;
    }};
"""


def _branched(which: str, prop: str) -> list:
    files = {"Documentation/devicetree/bindings/mmc/acme,sdhci.yaml": BRANCHED.format(which=which, prop=prop)}
    spec = {"subject": "dt-bindings: mmc: Add ACME SDHCI", "files": files}
    return _example_findings(load_bytes(render_example(spec, "t"), "t"))


def test_a_property_the_binding_defines_in_a_branch_is_a_question_not_an_error():
    """6.12's marvell,xenon-sdhci.yaml: 'marvell,pad-type' under if/then, which dt_binding_check accepts."""
    # here the branch does not apply, so the property is unexpected indeed; but the binding
    # defines it, and which branch applies is for dt_binding_check to confirm: an info (the
    # price of not misleading on accepted code)
    (f,) = [f for f in _branched("b", 'acme,pad-type = "sd"') if "acme,pad-type" in f.message]
    assert f.severity == "info" and "confirm with 'make dt_binding_check'" in f.message
    (f,) = [f for f in _branched("a", "acme,bogus") if "acme,bogus" in f.message]
    assert f.severity == "error"


def test_an_empty_define_of_an_earlier_example_is_defined():
    """6.12's arasan,sdhci.yaml: '#define LGM_CLK_NGI' (empty) in one example, used in the next."""
    assert not [f for f in _branched("a", 'acme,pad-type = "sd"') if "not defined" in f.message]
