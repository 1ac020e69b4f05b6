"""The DTS model (syntax.dts): structure, typed values, lines, fragments, tolerance."""

from __future__ import annotations

import random

from reviewtool.syntax.dts import Expr, evaluate, int_literal_value, parse_dts, parse_dts_fragment

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
            wide = /bits/ 64 <0x1 0x2>;
            /delete-property/ old-prop;
        };
        /delete-node/ gone@1;
    };
};

&uart0 {
    status = "okay";
};

/delete-node/ &intc;
"""


def test_nodes_units_labels_and_lines():
    doc = parse_dts(EXAMPLE)
    assert not doc.problems
    names = [(n.full_name, n.labels, n.line, n.end_line, n.depth) for n in doc.nodes()]
    assert names == [
        ("/", (), 6, 30, 0),
        ("bus@1000", ("soc",), 7, 29, 1),
        ("interrupt-controller@2000", ("intc",), 13, 18, 2),
        ("serial@3000", ("uart0",), 20, 27, 2),
        ("&uart0", (), 32, 34, 0),
    ]
    bus = doc.roots[0].children[0]
    assert bus.name == "bus" and bus.unit == "1000" and bus.parent is doc.roots[0]
    assert bus.compatibles() == ["acme,bus", "simple-bus"]
    assert [p.name for p in bus.properties] == ["compatible", "#address-cells", "#size-cells", "ranges"]
    assert bus.prop("ranges").value is None and bus.prop("ranges").values == ()  # boolean property
    assert doc.roots[1].is_reference and not doc.roots[0].is_reference
    assert [(d.kind, d.target, d.line) for d in bus.deletes] == [("node", "gone@1", 28)]
    assert [(d.kind, d.target) for d in doc.labels()["uart0"].deletes] == [("property", "old-prop")]
    assert [(d.kind, d.target, d.line) for d in doc.deletes] == [("node", "&intc", 36)]


def test_typed_values_lines_and_cells():
    doc = parse_dts(EXAMPLE)
    intc = doc.labels()["intc"]
    reg = intc.prop("reg")
    assert reg.line == 14 and reg.cell_groups() == [["0x2000", "0x100"]]
    assert [c.value for c in reg.cells()[0]] == [0x2000, 0x100]
    assert intc.prop("label").strings() == ["a;b{c}"]
    irq = intc.prop("interrupts")
    assert (irq.line, irq.end_line) == (16, 17)
    assert irq.cell_groups() == [["GIC_SPI", "3", "IRQ_TYPE_LEVEL_HIGH"], ["GIC_SPI", "4", "IRQ_TYPE_LEVEL_HIGH"]]
    assert [v.line for v in irq.values] == [16, 17]
    assert [c.kind for c in irq.cells()[0]] == ["macro", "number", "macro"]
    assert irq.macros() == ["GIC_SPI", "IRQ_TYPE_LEVEL_HIGH"]
    uart = doc.labels()["uart0"]
    clocks = uart.prop("clocks")
    assert clocks.cell_groups() == [["&clk", "(1 << 2)"], ["&{/soc/clock}", "7"]]
    (ref, expr), (path_ref, _) = clocks.cells()
    assert (ref.kind, ref.target) == ("ref", "clk") and path_ref.target == "{/soc/clock}"
    assert expr.kind == "expr" and expr.value == 4 and not expr.is_literal
    data = uart.prop("data")
    assert data.value == "[00 11 22]" and data.values[0].kind == "bytes" and data.values[0].data == b"\x00\x11\x22"
    wide = uart.prop("wide").values[0]
    assert wide.bits == 64 and [c.value for c in wide.cells] == [1, 2]


def test_includes_defines_and_references():
    doc = parse_dts(EXAMPLE)
    assert [(i.line, i.path, i.system) for i in doc.includes] == [(1, "dt-bindings/interrupt-controller/arm-gic.h",
                                                                  True)]
    assert [(d.line, d.name, d.params, d.body) for d in doc.defines] == [(2, "FOO_IRQ", None, "5")]
    refs = doc.references
    assert (21, "clk") in refs and (21, "{/soc/clock}") in refs and (22, "intc") in refs
    assert (32, "uart0") in refs  # the &uart0 { } overlay node
    assert doc.referenced_labels() >= {"clk", "intc", "uart0"}
    assert "soc" not in doc.referenced_labels()


def test_statement_lines_carry_depth():
    doc = parse_dts("a {\n    b = <1>;\n    c {\n        d;\n    };\n};\n")
    assert list(doc.statement_lines) == [(1, 0), (2, 1), (3, 1), (4, 2), (5, 1), (6, 0)]


def test_multiline_reference_lines():
    doc = parse_dts("n {\n    p = <&a 1>,\n        <&b 2>;\n};\n")
    assert (2, "a") in doc.references and (3, "b") in doc.references


def test_hash_properties_are_not_directives():
    doc = parse_dts("#include \"foo.h\"\nn {\n    #interrupt-cells = <2>;\n    #io-channel-cells = <1>;\n};\n")
    assert [(i.line, i.path, i.system) for i in doc.includes] == [(1, "foo.h", False)]
    assert [p.name for p in doc.roots[0].properties] == ["#interrupt-cells", "#io-channel-cells"]


def test_macro_and_expression_cells_evaluate_with_known_macros():
    doc = parse_dts("n {\n    p = <(GIC_SPI + 1) FLAG(2) (~0x1 & 0xff) (1 ? 2 : 3)>;\n};\n")
    cells = doc.roots[0].prop("p").cells()[0]
    assert [c.value for c in cells] == [None, None, 0xfe, 2]
    assert evaluate(cells[0].expr, {"GIC_SPI": 0}) == 1
    assert cells[1].expr == Expr("call", name="FLAG", args=(Expr("num", value=2),))
    assert doc.roots[0].prop("p").macros() == ["GIC_SPI", "FLAG"]
    assert evaluate(Expr("binary", name="/", args=(Expr("num", value=1), Expr("num", value=0)))) is None


def test_odd_input_is_reported_not_raised():
    doc = parse_dts("foo {\n    a = <1;\n")
    assert doc.problems
    doc = parse_dts("}}; ;; x y z {")
    assert doc.problems
    assert parse_dts("").roots == ()
    doc = parse_dts("stray = <1>;\nn { };\nm { };\n")
    assert doc.problems
    assert [n.name for n in doc.roots][-1] == "m"


def test_fragment_cut_mid_node_keeps_real_nesting_and_lines():
    hunk = ("\t\t\t     <&b 2>;\n"
            "\t\tstatus = \"okay\";\n"
            "\t};\n"
            "\n"
            "\tregulators {\n"
            "\t\tBUCK1 {\n"
            "\t\t\tregulator-name = \"x\";\n"
            "\t\t};\n"
            "\t};\n"
            "\t&uart0 {\n"
            "\t\tpinctrl-0 = <&pins\n")
    doc = parse_dts_fragment(hunk)
    wrapper = doc.roots[0]
    assert wrapper.synthetic and [p.name for p in wrapper.properties] == ["status"]
    assert [(n.full_name, n.line, n.end_line) for n in doc.nodes()] == [
        ("regulators", 5, 9), ("BUCK1", 6, 8), ("&uart0", 10, None)]
    assert doc.labels() == {}


def test_fragment_of_bare_properties_belongs_to_a_node():
    doc = parse_dts_fragment("\tclocks = <&ccu 3>;\n\tstatus = \"okay\";\n")
    assert [p.name for _, p in doc.properties()] == ["clocks", "status"]
    assert list(doc.nodes()) == []


def test_random_garbage_never_raises():
    rng = random.Random(4)
    alphabet = 'abc{};=<>&"/*#@:,\n \t()[]0x1'
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        for doc in (parse_dts(text), parse_dts_fragment(text)):
            for node in doc.nodes():
                assert node.line >= 1


def test_integer_literals():
    assert int_literal_value("0x1f") == 31 and int_literal_value("12") == 12 and int_literal_value("0x02") == 2
    assert int_literal_value("0x10UL") == 16 and int_literal_value("010") == 8  # C rules, as dtc reads them
    assert int_literal_value("GIC_SPI") is None and int_literal_value("") is None
