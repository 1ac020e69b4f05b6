"""The small DTS reader used for binding examples: structure, lines, tolerance."""

from __future__ import annotations

import random

from reviewtool.artifacts.dts import is_number, number_value, parse_dts

EXAMPLE = """\
#include <dt-bindings/interrupt-controller/arm-gic.h>
#define FOO_IRQ 5

/dts-v1/;

/ {
    soc: bus@1000 {
        compatible = "acme,bus", "simple-bus";
        #address-cells = <1>;
        #size-cells = <1>;
        ranges;

        intc: interrupt-controller@2000 {
            reg = <0x2000 0x100>;   /* registers; with a brace { in a comment */
            label = "a;b{c}";
            interrupts = <GIC_SPI 3 IRQ_TYPE_LEVEL_HIGH>,
                         <GIC_SPI 4 IRQ_TYPE_LEVEL_HIGH>;
        };

        uart0: serial@3000 {
            clocks = <&clk (1 << 2)>, <&{/soc/clock} 7>;
            interrupts-extended = <&intc 0 9 4>;
            // a line comment
            data = [00 11 22];
        };
    };
};

&uart0 {
    status = "okay";
};
"""


def test_nodes_units_labels_and_lines():
    doc = parse_dts(EXAMPLE)
    assert not doc.problems
    names = [(n.full_name, n.labels, n.line, n.end_line, n.depth) for n in doc.nodes()]
    assert names == [
        ("/", (), 6, 27, 0),
        ("bus@1000", ("soc",), 7, 26, 1),
        ("interrupt-controller@2000", ("intc",), 13, 18, 2),
        ("serial@3000", ("uart0",), 20, 25, 2),
        ("&uart0", (), 29, 31, 0),
    ]
    bus = doc.roots[0].children[0]
    assert bus.name == "bus" and bus.unit == "1000"
    assert bus.compatibles() == ["acme,bus", "simple-bus"]
    assert [p.name for p in bus.properties] == ["compatible", "#address-cells", "#size-cells", "ranges"]
    assert bus.prop("ranges").value is None  # boolean property
    assert doc.roots[1].is_reference


def test_property_values_lines_and_cells():
    doc = parse_dts(EXAMPLE)
    intc = doc.labels()["intc"]
    reg = intc.prop("reg")
    assert reg.line == 14 and reg.cell_groups() == [["0x2000", "0x100"]]
    assert intc.prop("label").strings() == ["a;b{c}"]
    irq = intc.prop("interrupts")
    assert (irq.line, irq.end_line) == (16, 17)
    assert irq.cell_groups() == [["GIC_SPI", "3", "IRQ_TYPE_LEVEL_HIGH"], ["GIC_SPI", "4", "IRQ_TYPE_LEVEL_HIGH"]]
    uart = doc.labels()["uart0"]
    assert uart.prop("clocks").cell_groups() == [["&clk", "(1 << 2)"], ["&{/soc/clock}", "7"]]
    assert uart.prop("data").value == "[00 11 22]"


def test_includes_defines_and_references():
    doc = parse_dts(EXAMPLE)
    assert doc.includes == [(1, "dt-bindings/interrupt-controller/arm-gic.h")]
    assert doc.defines == [(2, "FOO_IRQ")]
    refs = doc.references
    assert (21, "clk") in refs and (21, "{/soc/clock}") in refs and (22, "intc") in refs
    assert (29, "uart0") in refs  # the &uart0 { } overlay node
    assert doc.referenced_labels() >= {"clk", "intc", "uart0"}
    assert "soc" not in doc.referenced_labels()


def test_statement_lines_carry_depth():
    doc = parse_dts("a {\n    b = <1>;\n    c {\n        d;\n    };\n};\n")
    assert doc.statement_lines == [(1, 0), (2, 1), (3, 1), (4, 2), (5, 1), (6, 0)]


def test_multiline_reference_lines():
    doc = parse_dts("n {\n    p = <&a 1>,\n        <&b 2>;\n};\n")
    assert (2, "a") in doc.references and (3, "b") in doc.references


def test_hash_properties_are_not_directives():
    doc = parse_dts("#include \"foo.h\"\nn {\n    #interrupt-cells = <2>;\n    #if-cells = <1>;\n};\n")
    assert doc.includes == [(1, "foo.h")]
    assert [p.name for p in doc.roots[0].properties] == ["#interrupt-cells", "#if-cells"]


def test_odd_input_is_reported_not_raised():
    doc = parse_dts("foo {\n    a = <1;\n")
    assert doc.problems
    doc = parse_dts("}}; ;; x y z {")
    assert doc.problems
    assert parse_dts("").roots == []
    # property outside any node, missing ';' after a node
    doc = parse_dts("stray = <1>;\nn { }\nm { };\n")
    assert any("outside" in p for _, p in doc.problems)
    assert any("without ';'" in p for _, p in doc.problems)
    assert [n.name for n in doc.roots] == ["n", "m"]


def test_random_garbage_never_raises():
    rng = random.Random(4)
    alphabet = 'abc{};=<>&"/*#@:,\n \t()[]0x1'
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        doc = parse_dts(text)
        for node in doc.nodes():
            assert node.line >= 1


def test_numbers():
    assert is_number("0x1f") and is_number("12") and is_number("0x02")
    assert not is_number("GIC_SPI") and not is_number("(1 << 2)") and not is_number("&gpio")
    assert number_value("0x02") == 2 and number_value("10") == 10 and number_value("FOO") is None
