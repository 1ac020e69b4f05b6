"""The shared tree-sitter layer parses C and DTS, recovers from cut input and reports lines 1-based."""

from reviewtool.syntax import treesitter as ts


def test_c_match_table_parses_and_lines_are_one_based():
    src = "static const struct of_device_id m[] = {\n\t{ .compatible = \"acme,w\" },\n\t{ }\n};\n"
    tree = ts.parse("c", src)
    caps = ts.captures("c", "(string_literal) @s", tree.root_node)
    (lit,) = caps["s"]
    assert ts.text_of(lit) == '"acme,w"'
    assert ts.line_of(lit) == 2
    assert not ts.has_errors(tree.root_node)


def test_c_hunk_cut_mid_function_still_yields_typed_nodes():
    src = "\tret = of_property_read_u32(np, \"acme,delay-ms\", &v);\n\tif (ret)\n\t\treturn ret;\n}\n"
    tree = ts.parse("c", src)
    calls = ts.captures("c", "(call_expression function: (identifier) @f)", tree.root_node)["f"]
    assert [ts.text_of(n) for n in calls] == ["of_property_read_u32"]
    assert ts.has_errors(tree.root_node)


def test_dts_labels_units_and_references():
    src = "/ {\n\tuart0: serial@1000 {\n\t\treg = <0x1000 0x100>;\n\t};\n};\n&uart0 {\n\tstatus = \"okay\";\n};\n"
    tree = ts.parse("dts", src)
    nodes = [n for n in ts.walk(tree.root_node) if n.type == "node"]
    assert [ts.line_of(n) for n in nodes] == [1, 2, 6]
    labels = ts.captures("dts", "(node label: (identifier) @l)", tree.root_node)["l"]
    assert [ts.text_of(n) for n in labels] == ["uart0"]


def test_walk_survives_deep_nesting():
    depth = 3000
    src = "/ {\n" + "n {\n" * depth + "};\n" * depth + "};\n"
    tree = ts.parse("dts", src)
    assert sum(1 for n in ts.walk(tree.root_node) if n.type == "node") == depth + 1
