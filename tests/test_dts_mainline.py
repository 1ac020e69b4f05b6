"""dts/schema with a tree: a failure mainline's DTS already share is not the patch's (issue 12).

A new board file is validated like dtbs_check; a failure another DTS file
of the tree already has for the same compatible (the same unexpected
property, node name, compatible list or missing property) is mainline's:
the bot only mails new warnings.  Our own small tree, no kernel needed.
"""

from __future__ import annotations

from test_dts_schema import BINDING

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes
from reviewtool.tree import SourceTree

RULES = [r for r in load_catalog() if r.id == "dts/schema"]
NEW = "arch/arm64/boot/dts/acme/acme-a300.dtsi"

TIMER = """\
/ {{
	soc {{
		#address-cells = <1>;
		#size-cells = <1>;

		timer@3002000 {{
			compatible = "acme,a300-timer";
			reg = <0x03002000 0x400>;
			interrupts = <0 12 4>, <0 13 4>;
{extra}		}};
	}};
}};
"""


def _tree(tmp_path, old_board: str | None):
    (tmp_path / "Documentation/devicetree/bindings/timer").mkdir(parents=True)
    (tmp_path / "Documentation/devicetree/bindings/timer/acme,a300-timer.yaml").write_text(BINDING)
    if old_board is not None:
        (tmp_path / "arch/arm64/boot/dts/acme").mkdir(parents=True)
        (tmp_path / "arch/arm64/boot/dts/acme/acme-a100.dtsi").write_text(old_board)
    return SourceTree(tmp_path).at(None)


def _findings(tree, extra: str) -> list[str]:
    spec = {"subject": "arm64: dts: acme: Add the A300 SoC", "files": {NEW: TIMER.format(extra=extra)}}
    (series,) = load_bytes(render_example(spec, "m"), "m")
    options = Options(tree=tree, tree_path=str(tree.tree.root))
    return sorted(f.message.split(": ", 1)[1] for f in check_series(series, RULES, options).findings
                  if f.rule == "dts/schema")


def test_a_failure_mainline_already_has_for_the_compatible_is_not_new(tmp_path):
    old = TIMER.format(extra="\t\t\tclocks = <&osc>;\n\t\t\tacme,prescaler = <2>;\n")
    tree = _tree(tmp_path, old)
    # the unexpected property and its value are mainline's already: nothing new
    assert _findings(tree, "\t\t\tclocks = <&osc>;\n\t\t\tacme,prescaler = <4>;\n") == []
    # a missing 'clocks' mainline's node does not share is new
    got = _findings(tree, "\t\t\tacme,prescaler = <4>;\n")
    assert len(got) == 1 and "'clocks' is a required property" in got[0]


def test_without_mainline_precedent_the_failure_is_reported(tmp_path):
    got = _findings(_tree(tmp_path, None), "\t\t\tclocks = <&osc>;\n\t\t\tacme,prescaler = <4>;\n")
    assert len(got) == 1 and "acme,prescaler" in got[0]


def test_the_trees_version_of_the_file_makes_its_failures_old(tmp_path):
    tree = _tree(tmp_path, None)
    failing = "\t\t\tclocks = <&osc>;\n\t\t\tacme,prescaler = <4>;\n"
    assert len(_findings(tree, failing)) == 1  # a wholly new file: new
    (tmp_path / "arch/arm64/boot/dts/acme").mkdir(parents=True)
    (tmp_path / NEW).write_text(TIMER.format(extra=failing))  # the tree's version already fails so
    assert _findings(SourceTree(tmp_path).at(None), failing) == []


def test_a_missing_required_property_mainline_shares_is_not_new(tmp_path):
    """dtbs_check's 'X is a required property' names no property of the node:
    the missing one is read from the message (it was never found old)."""
    tree = _tree(tmp_path, TIMER.format(extra=""))  # mainline's A100 node lacks 'clocks' too
    assert _findings(tree, "") == []
    got = _findings(_tree(tmp_path / "bare", None), "")
    assert len(got) == 1 and got[0].startswith("'clocks' is a required property")


CHANNEL_BINDING = BINDING.replace("""  clocks:
    maxItems: 1
""", """  clocks:
    maxItems: 1

  "#address-cells":
    const: 1

  "#size-cells":
    const: 0

patternProperties:
  "^channel@[0-3]$":
    type: object
    properties:
      reg:
        maxItems: 1
      acme,mode:
        $ref: /schemas/types.yaml#/definitions/uint32
    required:
      - reg
      - acme,mode
    additionalProperties: false
""")

CHANNELS = """\
			clocks = <&osc>;
			#address-cells = <1>;
			#size-cells = <0>;

			channel@0 {{
				reg = <0>;
{mode}			}};
"""


def _channel_tree(tmp_path, old: str | None):
    tree = _tree(tmp_path, old)
    (tmp_path / "Documentation/devicetree/bindings/timer/acme,a300-timer.yaml").write_text(CHANNEL_BINDING)
    return SourceTree(tmp_path).at(None)


def test_a_childs_failure_is_about_the_child_and_judged_by_mainlines_child(tmp_path):
    """The timer's binding judges its channel nodes: a channel without its
    required property is the channel's problem (anchored on the channel, named
    so), and old when mainline's channel under the same compatible lacks it too."""
    lacking = CHANNELS.format(mode="")
    spec = {"subject": "arm64: dts: acme: Add the A300 SoC", "files": {NEW: TIMER.format(extra=lacking)}}
    (series,) = load_bytes(render_example(spec, "m"), "m")
    bare = _channel_tree(tmp_path / "bare", None)
    found = [f for f in check_series(series, RULES, Options(tree=bare, tree_path=str(bare.tree.root))).findings
             if f.rule == "dts/schema"]
    lines = TIMER.format(extra=lacking).split("\n")
    assert [(f.line, "'acme,mode' is a required property" in f.message) for f in found] == [
        (next(i for i, ln in enumerate(lines, 1) if "channel@0 {" in ln), True)]
    assert "timer@3002000/channel@0'" in found[0].message
    assert _findings(_channel_tree(tmp_path / "old", TIMER.format(extra=lacking)), lacking) == []
    # mainline's channel has it: the missing one is new
    has = CHANNELS.format(mode="\t\t\t\tacme,mode = <1>;\n")
    assert len(_findings(_channel_tree(tmp_path / "has", TIMER.format(extra=has)), lacking)) == 1


def test_a_disabled_childs_missing_property_is_not_reported(tmp_path):
    """dt-validate skips missing-property errors of a disabled node, also when
    its parent's binding is the one judging it."""
    disabled = CHANNELS.format(mode='\t\t\t\tstatus = "disabled";\n')
    assert _findings(_channel_tree(tmp_path, None), disabled) == []
    assert len(_findings(_channel_tree(tmp_path / "okay", None), CHANNELS.format(mode=""))) == 1


def test_a_compatible_no_binding_documents_is_left_to_undocumented_compatible(tmp_path):
    """A new SoC's compatible before a fallback the binding knows: the binding
    fails the list because it lacks the new entry, which is the point
    series/undocumented-compatible makes once; dts/schema does not repeat it."""
    new_soc = TIMER.format(extra="\t\t\tclocks = <&osc>;\n").replace(
        'compatible = "acme,a300-timer";', 'compatible = "acme,a400-timer", "acme,a300-timer";')
    spec = {"subject": "arm64: dts: acme: Add the A400 SoC", "files": {NEW: new_soc}}
    (series,) = load_bytes(render_example(spec, "m"), "m")
    tree = _tree(tmp_path, None)
    found = check_series(series, RULES, Options(tree=tree, tree_path=str(tree.tree.root))).findings
    assert [f for f in found if f.rule == "dts/schema"] == []
    # documented but not allowed by the binding: still dts/schema's
    (tmp_path / "Documentation/devicetree/bindings/timer/acme,a400-timer.yaml").write_text(
        BINDING.replace("acme,a300-timer", "acme,a400-timer"))
    tree = SourceTree(tmp_path).at(None)
    found = check_series(series, RULES, Options(tree=tree, tree_path=str(tree.tree.root))).findings
    line = next(i for i, ln in enumerate(new_soc.split("\n"), 1) if "compatible =" in ln)
    assert [f.line for f in found if f.rule == "dts/schema"] == [line]


def test_a_node_as_the_trees_version_has_it_fails_only_old_ways(tmp_path):
    """Whatever dtbs_check says of a node the patch re-adds unchanged (here a
    dependency the binding states, a failure no property names) is old."""
    binding = BINDING.replace("required:\n", "dependentRequired:\n  clocks: [acme,prescaler]\n\n"
                              "required:\n").replace("  clocks:\n    maxItems: 1\n", "  clocks:\n    maxItems: 1\n\n"
                                                    "  acme,prescaler:\n    $ref: /schemas/types.yaml#/definitions/uint32\n")
    tree = _tree(tmp_path, None)
    (tmp_path / "Documentation/devicetree/bindings/timer/acme,a300-timer.yaml").write_text(binding)
    body = "\t\t\tclocks = <&osc>;\n"
    got = _findings(SourceTree(tmp_path).at(None), body)
    assert len(got) == 1 and "dependency" in got[0]  # a wholly new file: new
    (tmp_path / "arch/arm64/boot/dts/acme").mkdir(parents=True)
    (tmp_path / NEW).write_text(TIMER.format(extra=body))
    assert _findings(SourceTree(tmp_path).at(None), body) == []


def test_a_macro_unit_address_is_the_number_cpp_makes_of_it(tmp_path):
    """'channel@ACME_CH0' is 'channel@0' once cpp has run (rk3399's
    'power-domain@RK3399_PD_EDP'): the binding's '^channel@[0-3]$' allows it.
    The file's own #define counts, as the headers' do."""
    text = "#define ACME_CH0 0\n\n" + TIMER.format(extra=CHANNELS.format(mode="\t\t\t\tacme,mode = <1>;\n")).replace(
        "channel@0 {", "channel@ACME_CH0 {")
    spec = {"subject": "arm64: dts: acme: Add the A300 SoC", "files": {NEW: text}}
    (series,) = load_bytes(render_example(spec, "m"), "m")
    tree = _channel_tree(tmp_path, None)
    found = check_series(series, RULES, Options(tree=tree, tree_path=str(tree.tree.root))).findings
    assert [f.message for f in found if f.rule == "dts/schema"] == []
    wrong = text.replace("#define ACME_CH0 0", "#define ACME_CH0 7")
    (series,) = load_bytes(render_example({**spec, "files": {NEW: wrong}}, "m"), "m")
    found = check_series(series, RULES, Options(tree=tree, tree_path=str(tree.tree.root))).findings
    assert ["channel@7" in f.message for f in found if f.rule == "dts/schema"] == [True]


def test_without_a_tree_a_compatible_not_in_the_series_is_not_known_undocumented():
    """No tree: an entry the series does not document may well be documented
    in mainline (series/undocumented-compatible only notes it), so the
    binding's verdict on the list stands."""
    new_soc = TIMER.format(extra="\t\t\tclocks = <&osc>;\n").replace(
        'compatible = "acme,a300-timer";', 'compatible = "acme,a400-timer", "acme,a300-timer";')
    spec = {"cover": {"subject": "A400"}, "patches": [
        {"subject": "dt-bindings: timer: Add ACME A300 system timer",
         "files": {"Documentation/devicetree/bindings/timer/acme,a300-timer.yaml": BINDING}},
        {"subject": "arm64: dts: acme: Add the A400 SoC", "files": {NEW: new_soc}}]}
    (series,) = load_bytes(render_example(spec, "m"), "m")
    found = [f for f in check_series(series, RULES, Options()).findings if f.rule == "dts/schema" and not f.status_note]
    line = next(i for i, ln in enumerate(new_soc.split("\n"), 1) if "compatible =" in ln)
    assert [f.line for f in found] == [line]
