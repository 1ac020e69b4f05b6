"""Example macros read the way cpp reads them (issue 12: no false example errors).

Accepted 6.12 bindings got 'X is not defined' errors that dt_binding_check
never gives: a header's ``#define`` with a trailing comment or a
continuation line, token pasting (``TEGRA_GPIO(CC, 1)``), a suffixed
literal (``5U``), ``((x) - 1)``; and an example using a header an earlier
example includes (dt-extract-example writes all examples into one file).
The header and binding here are our own, shaped like those.
"""

from __future__ import annotations

import textwrap

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes
from reviewtool.syntax.dts import macro_body, parse_dts
from reviewtool.validators.dt_validate import _Evaluator, macro_table

RULES = [r for r in load_catalog()
         if r.id in ("binding/example-schema", "binding/dt-schema", "binding/example-defines")]

HEADER = """\
/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#ifndef _DT_BINDINGS_MISC_ACME_FOO_H
#define _DT_BINDINGS_MISC_ACME_FOO_H

#define ACME_FOO_PORT_A\t\t0
#define ACME_FOO_PORT_BB\t1
#define ACME_FOO_PIN(port, pin)\t\\
\t((ACME_FOO_PORT_##port * 8) + (pin))
#define ACME_FOO_MODE_SLOW\t1\t/* the mode after reset, kept
\t\t\t\t\t * for old boards */
#define ACME_FOO_MODE_FAST\t2U
#define ACME_FOO_MODE_PREV(x)\t((x) - 1)

#endif
"""

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

  acme,pin:
    $ref: /schemas/types.yaml#/definitions/uint32
    description: The pin the controller's strobe goes out on.
    maximum: 15

  reset-gpios:
    maxItems: 1

required:
  - compatible
  - reg

additionalProperties: false

examples:
  - |
{first}
  - |
{second}"""

FIRST = """\
#include <dt-bindings/gpio/gpio.h>
#include <dt-bindings/misc/acme,foo.h>

controller@1000 {
    compatible = "acme,foo";
    reg = <0x1000 0x100>;
    acme,mode = <ACME_FOO_MODE_SLOW>;
    acme,pin = <ACME_FOO_PIN(A, 7)>;
};
"""

SECOND = """\
controller@2000 {{
    compatible = "acme,foo";
    reg = <0x2000 0x100>;
    acme,mode = <{mode}>;
    acme,pin = <{pin}>;
    reset-gpios = <&gpio0 3 GPIO_ACTIVE_LOW>;
}};
"""


def _binding(mode: str, pin: str) -> str:
    second = SECOND.format(mode=mode, pin=pin)
    return BINDING.format(first=textwrap.indent(FIRST, "    "), second=textwrap.indent(second, "    "))


def _findings(mode: str, pin: str):
    files = {"Documentation/devicetree/bindings/misc/acme,foo.yaml": _binding(mode, pin),
             "include/dt-bindings/misc/acme,foo.h": HEADER}
    spec = {"subject": "dt-bindings: misc: Add ACME foo controller", "files": files}
    (series,) = load_bytes(render_example(spec, "t"), "t")
    return [f for f in check_series(series, RULES, Options()).findings
            if f.rule in ("binding/example-schema", "binding/example-defines")]


def _line(mode: str, pin: str, text: str) -> int:
    return next(i for i, ln in enumerate(_binding(mode, pin).split("\n"), 1) if text in ln)


def test_macro_body_is_what_cpp_reads():
    assert macro_body("1\t/* the mode after reset, kept") == "1"
    assert macro_body("((x) & M) \\\n\t\t<< S)  // shift") == "((x) & M) << S)"
    assert macro_body('"a /* not a comment */"') == '"a /* not a comment */"'


def test_header_macros_evaluate_like_cpp():
    table = macro_table(parse_dts(HEADER), {})
    ev = _Evaluator(table)
    cells = parse_dts("n { p = <ACME_FOO_PIN(BB, 3) ACME_FOO_MODE_SLOW ACME_FOO_MODE_PREV(ACME_FOO_MODE_FAST)"
                      " ACME_FOO_PIN(CC, 1) ACME_FOO_TURBO>; };").roots[0].prop("p").cells()[0]
    assert [ev.value(c.expr) for c in cells[:3]] == [11, 1, 1]
    # CC pastes into a name no header defines: that name is the undefined one, not 'CC'
    assert ev.value(cells[3].expr) is None and ev.undefined(cells[3].expr) == ["ACME_FOO_PORT_CC"]
    assert ev.undefined(cells[4].expr) == ["ACME_FOO_TURBO"]


def test_later_example_sees_earlier_includes_and_values_are_checked():
    assert _findings("ACME_FOO_MODE_PREV(ACME_FOO_MODE_FAST)", "ACME_FOO_PIN(BB, 3)") == []
    # the values are computed, not skipped: out of range is the error dt-validate gives
    bad = _findings("ACME_FOO_MODE_PREV(4)", "ACME_FOO_PIN(BB, 9)")
    assert sorted((f.severity, f.line) for f in bad) == [
        ("error", _line("ACME_FOO_MODE_PREV(4)", "ACME_FOO_PIN(BB, 9)", "acme,mode = <ACME_FOO_MODE_PREV(4)>")),
        ("error", _line("ACME_FOO_MODE_PREV(4)", "ACME_FOO_PIN(BB, 9)", "acme,pin = <ACME_FOO_PIN(BB, 9)>"))]


def test_a_name_no_included_header_defines_is_still_an_error():
    bad = _findings("ACME_FOO_MODE_TURBO", "ACME_FOO_PIN(A, 1)")
    assert [(f.severity, f.line) for f in bad] == [
        ("error", _line("ACME_FOO_MODE_TURBO", "ACME_FOO_PIN(A, 1)", "acme,mode = <ACME_FOO_MODE_TURBO>"))]
    assert "'ACME_FOO_MODE_TURBO' is not defined" in bad[0].message


MIPS_EXAMPLE = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/gpio/acme,mips-gpio.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME MIPS SoC GPIO controller

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: acme,mips-gpio

  reg:
    maxItems: 1

  interrupts:
    maxItems: 1

required:
  - compatible

additionalProperties: false

examples:
  - |
    {include}
    gpio@600 {{
        compatible = "acme,mips-gpio";
        reg = <0x600 0x100>;
        interrupts = <{cell} 12 IRQ_TYPE_LEVEL_HIGH>;
    }};
"""


def _defines_findings(include: str, cell: str, headers: dict[str, str] | None = None) -> list:
    files = {"Documentation/devicetree/bindings/gpio/acme,mips-gpio.yaml":
             MIPS_EXAMPLE.format(include=include, cell=cell), **(headers or {})}
    spec = {"subject": "dt-bindings: gpio: Add ACME MIPS GPIO", "files": files}
    (series,) = load_bytes(render_example(spec, "t"), "t")
    rule = [r for r in RULES if r.id == "binding/example-defines"]
    return [f for f in check_series(series, rule, Options()).findings if f.rule == "binding/example-defines"]


def test_a_gic_name_arm_gic_h_does_not_define_needs_no_arm_gic_include():
    """6.12's MIPS bindings (mt7621, baikal) use GIC_SHARED from mips-gic.h: not arm-gic.h's name."""
    assert _defines_findings("#include <dt-bindings/interrupt-controller/mips-gic.h>", "GIC_SHARED") == []
    # arm-gic.h's own name without arm-gic.h is still the missing include dtc fails on
    (f,) = _defines_findings("#include <dt-bindings/interrupt-controller/mips-gic.h>", "GIC_SPI")
    assert "GIC_SPI" in f.message and "arm-gic.h" in f.message


def test_a_name_the_included_header_defines_is_not_missing():
    """The LED_FUNCTION_ prefix points at leds/common.h; a header the series adds may define one too."""
    header = "#ifndef X\n#define X\n#define LED_FUNCTION_ACME_WAN 7\n#endif\n"
    include = "#include <dt-bindings/interrupt-controller/irq.h>\n    #include <dt-bindings/leds/acme-leds.h>"
    got = _defines_findings(include, "LED_FUNCTION_ACME_WAN", {"include/dt-bindings/leds/acme-leds.h": header})
    assert got == []
    got = _defines_findings(include, "LED_FUNCTION_STATUS", {"include/dt-bindings/leds/acme-leds.h": header})
    assert len(got) == 1 and "LED_FUNCTION_STATUS" in got[0].message and "leds/common.h" in got[0].message


def test_a_defined_function_macro_with_arguments_we_cannot_read_is_not_undefined():
    """6.12's st,stm32-pinctrl.yaml: STM32_PINMUX('A', 9, AF7) -- a character literal argument."""
    found = _findings("ACME_FOO_MODE_SLOW", "ACME_FOO_PIN('A', 3)")
    assert not [f for f in found if "not defined" in f.message], [f.message for f in found]
    found = _findings("ACME_FOO_MODE_SLOW", "ACME_BAR_PIN('A', 3)")
    assert [f for f in found if "not defined" in f.message and "ACME_BAR_PIN" in f.message]
