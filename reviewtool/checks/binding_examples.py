"""Binding schema content: the ``examples:`` blocks (blank-line layout is the declarative binding/blank-lines).

Examples are read with the DTS model (``syntax.dts``, tree-sitter) from the
raw post-image text, so every finding points at the example line as the patch
adds it.  The binding's own compatibles decide which example node is "the
device" and which nodes belong to other bindings.
"""

from __future__ import annotations

import re
from typing import Any

from ..artifacts.binding import BindingDoc
from ..syntax.dts import Cell, Node, int_literal_value
from ..artifacts.schema_facts import (
    ExampleBlock,
    binding_examples,
    compatibles,
    is_map,
    vendor_of,
)
from ..artifacts.binding_facts import doc_facts
from . import check
from ..params import INT, REGEX, TEXT, ListOf, MapOf, Record
from ._schema_common import docs_with_data, findings_only, hunk_lines
from ._util import added_finding


def _examples(ctx: Any):
    for doc, data in docs_with_data(ctx):
        blocks = binding_examples(ctx, doc)
        if blocks:
            own = {c.value for c in compatibles(data)} if is_map(data) else set()
            yield doc, data, own, blocks


def _at(ctx: Any, doc: BindingDoc, block: ExampleBlock, rel: int, **kw: Any):
    return added_finding(ctx, doc, block.post_line(rel), **kw)


# -- binding/example-node-name -----------------------------------------------

def _name_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[-_,.+]", name.lower()) if t]


def _suggestion(doc: BindingDoc, table: dict[str, str]) -> str:
    rel = doc.rel_path
    for key in sorted(table, key=len, reverse=True):
        if rel.startswith(key.rstrip("/") + "/"):
            return table[key]
    return ""


def _specific_words(compatible: str) -> set[str]:
    """Words of a compatible that name the vendor or the product: the vendor
    prefix, part numbers (words with digits) and the first word of a
    multi-word device part ('photonicat' in 'ariaboard,photonicat-pmu')."""
    out: set[str] = set()
    vendor = vendor_of(compatible)
    if vendor:
        out.add(vendor.lower())
    device = _name_tokens(compatible.split(",", 1)[-1])
    out |= {t for t in device if any(ch.isdigit() for ch in t) and any(ch.isalpha() for ch in t)}
    # a vendor-neutral compatible ('iio-hwmon', 'gpio-keys') names a class, not a product
    if len(device) > 1 and vendor:
        out.add(device[0])
    return out


def _referenced_facts(ctx: Any, doc: BindingDoc) -> list:
    """Facts of the binding schemas ``doc`` ``$ref``s (the series' version,
    else the tree's), and of theirs: a PMIC's ``regulators`` node takes its
    children's names ('BUCK1', 'LDO35') from the regulator binding it refs."""

    def compute() -> list:
        from ..artifacts.binding_facts import facts_from_text, ref_path
        from .binding_tools import _plan, _tree_resolver

        resolve = _tree_resolver(ctx)
        series = {t.doc.rel_path: t.doc.text for t in _plan(ctx).targets if t.doc.data is not None}
        out = []
        seen = {doc.rel_path}
        todo = [(doc.rel_path, doc_facts(doc))]
        while todo and len(seen) < 16:
            rel, facts = todo.pop(0)
            for ref in facts.schema_refs:
                target = ref_path(rel, ref)
                if not target or target in seen:
                    continue
                seen.add(target)
                text = series.get(target) or (resolve(target) if resolve is not None else None)
                got = facts_from_text(target, text) if text else None
                if got is not None:
                    out.append(got)
                    todo.append((target, got))
        return out

    return ctx.memo(f"binding-example-node-name:refs:{doc.rel_path}:{hash(doc.text)}", compute)


@check("binding-example-node-name", params={"generic_words": ListOf(TEXT), "suggestions": MapOf(TEXT)})
@findings_only
def binding_example_node_name(ctx):
    generic = {w.lower() for w in ctx.params.get("generic_words", [])}
    suggestions = dict(ctx.params.get("suggestions", {}))
    for doc, _data, _own, blocks in _examples(ctx):
        hint = _suggestion(doc, suggestions)
        hint_text = f" such as '{hint}'" if hint else ""
        facts = doc_facts(doc)
        for block in blocks:
            for node in block.dts.nodes():
                if node.is_reference or node.name == "/":
                    continue
                name = node.name
                if facts.spells_name(name) or any(f.spells_name(name) for f in _referenced_facts(ctx, doc)):
                    continue  # the binding (or a schema it $refs) names it so ('BUCK1', '^buck_(vcore|vgpu)$')
                if "_" in name or name != name.lower():
                    yield _at(ctx, doc, block, node.line, node=node.full_name,
                              message=f"The node name '{node.full_name}' uses "
                                      f"{'underscores' if '_' in name else 'upper case'}: node names are lower "
                                      "case with hyphens, and generic (DT spec 2.2.2).")
                    continue
                comps = node.compatibles()
                if not comps:
                    continue
                words = set()
                for c in comps:
                    words |= _specific_words(c)
                specific = [t for t in _name_tokens(name) if t in words and t not in generic]
                if specific:
                    yield _at(ctx, doc, block, node.line, node=node.full_name, words="', '".join(specific),
                              hint=hint_text)


# -- binding/example-defines -------------------------------------------------

def _literal(cell: Cell) -> int | None:
    """The value of a cell written as a plain integer literal (not a macro or expression)."""
    return cell.value if cell.is_literal else None


def _irq_raw(cells: tuple[Cell, ...] | list[Cell], types: set[int]) -> str | None:
    """Describe raw interrupt cells that have a define, or None."""
    if not cells or not all(c.is_literal for c in cells):
        return None
    vals = [_literal(c) for c in cells]
    if len(vals) % 3 == 0 and all(vals[i] in (0, 1) and vals[i + 2] in types | {3}
                                  for i in range(0, len(vals), 3)):
        return "GIC_SPI/GIC_PPI and IRQ_TYPE_* (from dt-bindings/interrupt-controller/arm-gic.h)"
    if len(vals) % 2 == 0 and all(vals[i + 1] in types for i in range(0, len(vals), 2)):
        return "IRQ_TYPE_* (from dt-bindings/interrupt-controller/irq.h)"
    return None


#: Raw numbers where a header has defines: a readability point maintainers
#: make on some new bindings and let pass on many (8 of 8 true, but 22 of 306
#: recent-style accepted 6.12 bindings carry it, mostly examples carried over
#: from .txt bindings): info.  A define used without its include fails dtc:
#: the rule's warning.
RAW_NUMBERS = "info"


@check("binding-example-defines", params={
    "irq_type_values": ListOf(INT),
    "gpio_properties": REGEX,
    "headers": MapOf(Record({"header": TEXT, "accept": ListOf(TEXT)}, required=("header",))),
})
@findings_only
def binding_example_defines(ctx):
    types = set(ctx.params.get("irq_type_values", [1, 2, 4, 8]))
    gpio_prop = re.compile(ctx.params.get("gpio_properties", r"^(?:.*-)?gpios?$"))
    headers = dict(ctx.params.get("headers", {}))
    macro = re.compile(r"\b([A-Z][A-Z0-9_]{2,})\b")
    for doc, _data, _own, blocks in _examples(ctx):
        # dt-extract-example writes the examples into one file, in order: an
        # include in an earlier example serves the later ones too.
        includes: list[str] = []
        missing_reported: set[str] = set()
        for block in blocks:
            includes += [inc.path for inc in block.dts.includes]
            for node in block.dts.nodes():
                for p in node.properties:
                    groups = p.cells()
                    if p.name == "interrupts":
                        flat = [c for g in groups for c in g]
                        what = _irq_raw(flat, types)
                        if what:
                            yield _at(ctx, doc, block, p.line, prop=p.name, defines=what, severity=RAW_NUMBERS)
                    elif p.name == "interrupts-extended":
                        for g in groups:
                            if g and g[0].kind == "ref":
                                what = _irq_raw(g[1:], types)
                                if what:
                                    yield _at(ctx, doc, block, p.line, prop=p.name, defines=what,
                                              severity=RAW_NUMBERS)
                                    break
                    elif gpio_prop.match(p.name):
                        for g in groups:
                            if len(g) >= 3 and g[0].kind == "ref" and g[-1].is_literal:
                                yield _at(ctx, doc, block, p.line, prop=p.name, severity=RAW_NUMBERS,
                                          defines="GPIO_ACTIVE_HIGH/GPIO_ACTIVE_LOW (from "
                                                  "dt-bindings/gpio/gpio.h) for the flags cell")
                                break
                    # Macros used without the header that defines them.
                    for name in p.macros():
                        if not macro.fullmatch(name):
                            continue
                        for prefix, spec in headers.items():
                            if not name.startswith(prefix) or prefix in missing_reported:
                                continue
                            accepted = spec.get("accept", [])
                            if any(any(h.startswith(a) for a in accepted) for h in includes):
                                continue
                            if not _header_defines(spec["header"], name) or _included_defines(ctx, blocks, block, name):
                                continue  # GIC_SHARED is mips-gic.h's, not arm-gic.h's
                            missing_reported.add(prefix)
                            yield _at(ctx, doc, block, p.line,
                                      message=f"The example uses {name} but neither it nor an example "
                                              f"before it does '#include <{spec['header']}>': cpp leaves the name "
                                              "as it is and dtc fails.")


def _header_defines(header: str, name: str) -> bool:
    """Whether ``header`` may define ``name``: a header we know completely
    (arm-gic.h, irq.h, gpio.h) defines only its own names; of any other we
    cannot tell, so it may."""
    from ..validators.dt_macros import COMPLETE, UNIVERSAL, UNIVERSAL_FUNCTIONS

    if header not in COMPLETE:
        return True
    return name in UNIVERSAL.get(header, {}) or name in UNIVERSAL_FUNCTIONS.get(header, {})


def _included_defines(ctx, blocks, upto, name: str) -> bool:
    """Whether a header the examples include up to ``upto`` (read from the
    series, else the tree, as example-schema reads them) defines ``name``."""
    from .binding_example_schema import header_readers
    from ..validators.dt_macros import macros_for

    series_header, tree_header = header_readers(ctx)
    for block in blocks:
        if block.dts.includes and name in macros_for(block.dts, series_header, tree_header)[0]:
            return True
        if block is upto:
            break
    return False


# -- binding/example-unused-label --------------------------------------------

@check("binding-example-unused-label", params={"exempt_nodes": REGEX})
@findings_only
def binding_example_unused_label(ctx):
    exempt = re.compile(ctx.params.get("exempt_nodes", r"$^"))
    for doc, _data, _own, blocks in _examples(ctx):
        used: set[str] = set()
        for block in blocks:
            used |= block.dts.referenced_labels()
        for block in blocks:
            unused = [(node, label) for node in block.dts.nodes() if not exempt.match(node.full_name)
                      for label in node.labels if label not in used]
            if not unused:
                continue
            node, label = unused[0]
            if len(unused) == 1:
                yield _at(ctx, doc, block, node.line, label=label, node=node.full_name)
            else:
                names = ", ".join(f"'{lb}'" for _, lb in unused)
                yield _at(ctx, doc, block, node.line,
                          message=f"The labels {names} are not used by anything in the example: drop them.")


# -- binding/example-style ---------------------------------------------------

def _own_nodes(block: ExampleBlock, own: set[str]) -> list[Node]:
    return [n for n in block.dts.nodes() if set(n.compatibles()) & own]


_HUNK_STATUS = re.compile(r'^\s+status\s*=\s*"[^"]*"\s*;')
_HUNK_CELLS = re.compile(r"^\s+(#[\w,-]*-cells)\s*=\s*<\s*(0[xX][0-9a-fA-F]+|0\d+)\s*>\s*;")


@check("binding-example-style", params={"indent": INT, "yaml_offset": INT})
@findings_only
def binding_example_style(ctx):
    step = int(ctx.params.get("indent", 4))
    yaml_offset = int(ctx.params.get("yaml_offset", 2))
    # A modified binding seen only through its hunks: DTS statements can only
    # be example lines, so the line-level points still apply.
    for doc, _data in docs_with_data(ctx):
        for n, text in hunk_lines(doc):
            if _HUNK_STATUS.match(text):
                yield added_finding(ctx, doc, n, message="Drop 'status' from the example: examples show the "
                                                         "device enabled, status belongs to board files.")
            m = _HUNK_CELLS.match(text)
            if m:
                yield added_finding(ctx, doc, n, message=f"'{m.group(1)}' is a cell count: write it as a plain "
                                                         f"decimal number ('<{int_literal_value(m.group(2))}>').")
    for doc, _data, own, blocks in _examples(ctx):
        for block in blocks:
            yield from _indentation(ctx, doc, block, step, yaml_offset)
            for node in block.dts.nodes():
                props = node.properties
                comp = node.prop("compatible")
                if comp is not None and props and props[0] is not comp:
                    yield _at(ctx, doc, block, comp.line,
                              message=f"'compatible' is not the first property of '{node.full_name}': "
                                      "write compatible first, then reg (dts-coding-style order).")
                for p in props:
                    if p.name.startswith("#") and p.name.endswith("-cells"):
                        cells = [c for g in p.cells() for c in g]
                        if any(c.text.lower().startswith("0x") or (len(c.text) > 1 and c.text.startswith("0"))
                               for c in cells if c.is_literal):
                            yield _at(ctx, doc, block, p.line,
                                      message=f"'{p.name} = {p.value}': cell counts are plain decimal "
                                              f"numbers ('<{_literal(cells[0])}>'), not hex or zero-padded.")
                    if p.name == "status":
                        yield _at(ctx, doc, block, p.line,
                                  message=f"Drop 'status = {p.value}' from the example: examples show "
                                          "the device enabled, status belongs to board files.")
                problem = _unit_address_problem(node)
                if problem:
                    yield _at(ctx, doc, block, node.line, message=problem)
            if own:
                yield from _other_devices(ctx, doc, block, own)


def _address_cells(node: Node) -> int | None:
    """#address-cells that applies to ``node``'s reg: its parent's, or 1 at the
    top of an example (dt_binding_check wraps examples in such a root)."""
    if node.parent is None:
        return 1
    prop = node.parent.prop("#address-cells")
    cells = [c for g in prop.cells() for c in g] if prop is not None else []
    return _literal(cells[0]) if len(cells) == 1 else None


def _unit_address_problem(node: Node) -> str | None:
    """What dtc would say about the unit address against reg, if anything."""
    unit = node.unit
    if node.is_reference or node.name == "/":
        return None
    # dtc unit_address_vs_reg: reg (or a non-empty ranges) and a unit address go together
    addressed = next((p.name for p in (node.prop("reg"), node.prop("ranges")) if p is not None and p.value), None)
    if unit is None:
        if addressed is None:
            return None
        return (f"'{node.full_name}' has '{addressed}' but no unit address: name it "
                f"'{node.name}@<first address of {addressed}>' (dtc warns unit_address_vs_reg when "
                "dt_binding_check builds the example).")
    if addressed is None and unit:
        return (f"'{node.full_name}' has a unit address but no 'reg' (or 'ranges'): drop the '@{unit}' "
                "or add the reg it stands for (dtc unit_address_vs_reg).")
    if re.match(r"^(0x|0[0-9a-f])", unit, re.I) and "," not in unit:
        return (f"The unit address of '{node.full_name}' has a '0x' prefix or leading zeros: write it "
                "as plain lower-case hex without padding (dtc unit_address_format).")
    reg = node.prop("reg")
    n = _address_cells(node)
    groups = reg.cells() if reg is not None else []
    if not groups or not n or len(groups[0]) < n or "," in unit:
        return None
    cells = groups[0][:n]
    if not all(c.is_literal for c in cells):
        return None
    address = 0
    for c in cells:
        address = (address << 32) | (_literal(c) or 0)
    try:
        written = int(unit, 16)
    except ValueError:
        return None
    if written != address and node.parent is None and len(groups[0]) >= 4 and all(c.is_literal for c in groups[0][:2]):
        wide = ((_literal(groups[0][0]) or 0) << 32) | (_literal(groups[0][1]) or 0)
        if wide == written:
            return (f"'{node.full_name}' writes reg with 2-cell addresses, but at the top of an example "
                    "#address-cells and #size-cells are 1: put the node in a bus node with "
                    "'#address-cells = <2>' and '#size-cells = <2>'.")
    if written != address:
        return (f"The unit address of '{node.full_name}' does not match the first address in its reg "
                f"({address:#x}): they must agree (dtc unit_address_vs_reg).")
    return None


def _indentation(ctx, doc: BindingDoc, block: ExampleBlock, step: int, yaml_offset: int):
    tabs = [i for i, ln in enumerate(block.lines, 1) if "\t" in ln[: len(ln) - len(ln.lstrip())]]
    if tabs:
        yield _at(ctx, doc, block, tabs[0],
                  message=f"The example is indented with TABs ({len(tabs)} line"
                          f"{'s' if len(tabs) > 1 else ''}): YAML does not allow them; indent with "
                          f"{step} spaces per level.")
        return
    expected_base = block.dash_col + yaml_offset
    if block.base_indent is not None and block.base_indent != expected_base:
        first = next(i for i, ln in enumerate(block.lines, 1) if ln.strip())
        yield _at(ctx, doc, block, first,
                  message=f"The example starts at column {block.base_indent + 1} instead of "
                          f"{expected_base + 1}: indent it {yaml_offset} spaces under the '- |' and nest "
                          f"with {step} spaces.")
        return
    base = block.base_indent or 0
    for rel, depth in block.dts.statement_lines:
        raw = block.raw(rel)
        lead = len(raw) - len(raw.lstrip(" "))
        if not raw.strip() or depth == 0:
            continue
        if lead != base + step * depth:
            yield _at(ctx, doc, block, rel,
                      message=f"The example nests with {lead - base - step * (depth - 1)} spaces: "
                              f"use {step} spaces per level.")
            return


def _other_devices(ctx, doc: BindingDoc, block: ExampleBlock, own: set[str]):
    mine = _own_nodes(block, own)
    if not mine:
        return
    mine_ids = {id(n) for n in mine}
    inside = {id(d) for n in mine for d in n.walk()}
    wrappers: set[int] = set()
    for n in mine:
        for anc in n.ancestors():
            if anc.compatibles() and id(anc) not in mine_ids:
                wrappers.add(id(anc))
                yield _at(ctx, doc, block, anc.line,
                          message=f"The example wraps the device in '{anc.full_name}' "
                                  f"({anc.compatibles()[0]}), which another binding documents: show only "
                                  "this device; the parent's binding shows its children.")
                break
    for node in block.dts.nodes():
        if id(node) in inside or id(node) in wrappers or not node.compatibles():
            continue
        if any(id(a) in inside for a in node.ancestors()) or any(id(d) in mine_ids for d in node.walk()):
            continue
        yield _at(ctx, doc, block, node.line,
                  message=f"The example also shows '{node.full_name}' ({node.compatibles()[0]}), a "
                          "device of another binding: examples show only the hardware this binding "
                          "describes, not its consumers or the nodes it points to.")
