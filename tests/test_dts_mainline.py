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
