"""BindingDoc's lenient reading: one parse that content rules share on broken YAML."""

from __future__ import annotations

from reviewtool.artifacts.binding import (
    DUPLICATE_KEYS,
    INDENT_GUESS,
    TABS,
    BindingDoc,
    parse_lenient,
    parse_yaml,
)
from reviewtool.artifacts.schema_facts import schema_data

P = "Documentation/devicetree/bindings/misc/acme,foo.yaml"


def doc_of(text: str, complete: bool = True) -> BindingDoc:
    doc = BindingDoc(path=P, text=text, complete=complete, status="added")
    if complete:
        doc.data, doc.error = parse_yaml(text)
    return doc


def test_a_clean_file_is_its_strict_parse():
    doc = doc_of("title: x\nproperties:\n  compatible:\n    const: acme,foo\n")
    assert doc.error is None and doc.lenient is doc.data and doc.repairs == ()


def test_tab_in_a_description_is_read_as_spaces_with_lines_kept():
    text = "title: x\ndescription: |\n  A device.\n\tMore.\nproperties:\n  compatible:\n    const: acme,foo\n"
    doc = doc_of(text)
    assert doc.data is None and doc.error is not None
    assert doc.repairs == (TABS,)
    props = doc.lenient["properties"]
    assert BindingDoc.key_line(props, "compatible") == 6
    assert props["compatible"]["const"] == "acme,foo"


def test_a_tab_indent_keeps_the_structure_the_editor_shows():
    # 8 columns under a 2-column key: a child, as the author saw it
    doc = doc_of("properties:\n  compatible:\n\tconst: acme,foo\n")
    assert doc.repairs == (TABS,)
    assert doc.lenient["properties"]["compatible"] == {"const": "acme,foo"}


def test_a_misaligned_tab_line_falls_back_to_the_previous_indent():
    text = "properties:\n  reg:\n    maxItems: 1\n\tdescription: the registers\n"
    doc = doc_of(text)
    assert doc.repairs == (INDENT_GUESS,)
    assert doc.lenient["properties"]["reg"]["description"] == "the registers"


def test_duplicate_keys_keep_the_first():
    doc = doc_of("title: one\ntitle: two\nproperties: {}\n")
    assert doc.repairs == (DUPLICATE_KEYS,)
    assert doc.lenient["title"] == "one"
    assert BindingDoc.key_line(doc.lenient, "properties") == 3


def test_tab_and_duplicate_key_together():
    doc = doc_of("title: one\ntitle: two\nproperties:\n  compatible:\n\tconst: acme,foo\n")
    assert doc.repairs == (TABS, DUPLICATE_KEYS)
    assert doc.lenient["properties"]["compatible"]["const"] == "acme,foo"


def test_unreadable_and_incomplete_files_have_no_lenient_reading():
    assert doc_of("key: [unclosed\n").lenient is None
    assert parse_lenient("key: [unclosed\n") == (None, ())
    assert doc_of("title: x\n", complete=False).lenient is None


def test_schema_rules_take_only_the_tab_reading():
    """Structural rules must not judge a guessed structure or a dropped key."""
    assert schema_data(doc_of("properties:\n  compatible:\n\tconst: acme,foo\n")) is not None
    assert schema_data(doc_of("properties:\n  reg:\n    maxItems: 1\n\tdescription: x\n")) is None
    assert schema_data(doc_of("title: one\ntitle: two\n")) is None


def test_compatible_strings_are_read_one_way_for_schema_and_design_rules():
    from reviewtool.artifacts.schema_facts import compatible_strings, compatibles
    from reviewtool.checks._design_common import compatibles as design_compatibles

    text = ("properties:\n  compatible:\n    description: not acme,zzz\n    oneOf:\n"
            "      - items:\n          - enum:\n              - acme,a2\n              - acme,a3\n"
            "          - const: acme,a1\n      - const: acme,a1\n")
    doc = doc_of(text)
    found = compatible_strings(doc.data["properties"]["compatible"])
    assert [(c.value, c.line) for c in found] == [("acme,a2", 7), ("acme,a3", 8), ("acme,a1", 9), ("acme,a1", 10)]
    assert [c.value for c in compatibles(doc.data)] == ["acme,a2", "acme,a3", "acme,a1"]
    design = design_compatibles(doc)
    assert [(c.value, c.line) for c in design] == [(c.value, c.line) for c in found]
    assert design[0].siblings == ("acme,a3", "acme,a1", "acme,a1")


def test_a_reading_is_computed_once_per_document():
    from reviewtool.artifacts.binding_outline import outline

    doc = doc_of("title: x\nproperties:\n  reg:\n    maxItems: 1\n")
    calls = []
    assert doc.cached("k", lambda: calls.append(1) or 5) == 5
    assert doc.cached("k", lambda: calls.append(1) or 6) == 5 and calls == [1]
    assert outline(doc) is outline(doc)
    assert [(k.key, k.path) for k in outline(doc)] == [("title", ()), ("properties", ()), ("reg", ("properties",)),
                                                        ("maxItems", ("properties", "reg"))]
