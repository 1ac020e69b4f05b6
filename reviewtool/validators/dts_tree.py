"""A DTS file built as dtc builds it: its includes read and every node merged.

``dts/schema`` with ``--tree`` validates the nodes a patch changes as they
stand in the whole devicetree, so a property added to a node the SoC
``.dtsi`` defines is judged with everything else that node has.  This
module reads the file and, recursively, the ``.dts``/``.dtsi`` files it
``#include``s (found as the kernel build finds them: next to the including
file, else through ``scripts/dtc/include-prefixes``), merges their nodes in
order (``/ {}``, ``&label {}``, ``&{/path} {}``, ``/delete-node/``,
``/delete-property/``), and renders one merged node back to DTS text with a
map from each rendered line to the file and line it came from.  Files are
read through a caller's reader, so the series' own changes to them count.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..syntax.dts import Define, DtsDocument, Include, Node, Property, parse_dts

Reader = Callable[[str], "str | None"]  # repo-relative path -> text
Origin = tuple[str, int]  # (repo-relative path, 1-based line)

_MAX_FILES = 32


@dataclass(eq=False)
class MergedNode:
    name: str  # with the unit address: "gpio@2d010000"; "/" for the root
    parent: "MergedNode | None" = None
    labels: list[str] = field(default_factory=list)
    props: dict[str, tuple[Property, str]] = field(default_factory=dict)  # name -> (property, file)
    children: dict[str, "MergedNode"] = field(default_factory=dict)
    origin: Origin | None = None  # where the node was first defined

    def prop(self, name: str) -> Property | None:
        held = self.props.get(name)
        return held[0] if held is not None else None

    def compatibles(self) -> list[str]:
        p = self.prop("compatible")
        return p.strings() if p is not None else []

    def walk(self) -> Iterator["MergedNode"]:
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(list(n.children.values())))

    def ancestors(self) -> Iterator["MergedNode"]:
        n = self.parent
        while n is not None:
            yield n
            n = n.parent


@dataclass
class MergedTree:
    root: MergedNode
    includes: list[Include]  # every #include of every file read (macros come from them)
    defines: list[Define]
    files: list[str]  # the files read, in order
    by_origin: dict[Origin, MergedNode]  # (file, line of a source node) -> the node it merged into
    incomplete: bool = False  # an include could not be read or placed

    def labels(self) -> dict[str, MergedNode]:
        """label -> node, over the whole merged tree."""
        return labels_below(self.root)


def labels_below(root: "MergedNode") -> dict[str, "MergedNode"]:
    """label -> node, over ``root`` and every node below it."""
    return {lb: n for n in root.walk() for lb in n.labels}


def build(path: str, read: Reader) -> MergedTree | None:
    """The merged devicetree of ``path`` (None when the file cannot be read or parsed)."""
    text = read(path)
    if text is None:
        return None
    tree = MergedTree(MergedNode("/"), [], [], [], {})
    if not _merge_file(tree, path, text, read, depth=0):
        return None
    return tree


def include_paths(including: str, inc: Include) -> list[str]:
    """Where the kernel build looks for an ``#include``d DTS file."""
    out = []
    if not inc.system:
        out.append(posixpath.normpath(posixpath.join(posixpath.dirname(including), inc.path)))
    first, _, rest = inc.path.partition("/")
    if rest and first != "dt-bindings":
        out.append(f"arch/{first}/boot/dts/{rest}")  # scripts/dtc/include-prefixes/<arch> -> arch/<arch>/boot/dts
    return out


def _merge_file(tree: MergedTree, path: str, text: str, read: Reader, depth: int) -> bool:
    doc = parse_dts(text)
    if doc.problems and not doc.roots:
        return False
    tree.files.append(path)
    tree.includes.extend(doc.includes)
    tree.defines.extend(doc.defines)
    inside = [(n.line, n.end_line or n.line) for n in doc.roots]
    items: list[tuple[int, object]] = [(inc.line, inc) for inc in doc.includes]
    items += [(n.line, n) for n in doc.roots] + [(d.line, d) for d in doc.deletes]
    for _line, item in sorted(items, key=lambda x: x[0]):
        if isinstance(item, Include):
            if not item.path.endswith((".dts", ".dtsi")):
                continue  # a header: macros only
            if any(a <= item.line <= b for a, b in inside) or depth >= 8 or len(tree.files) >= _MAX_FILES:
                tree.incomplete = True  # an include inside a node: not placed
                continue
            for cand in include_paths(path, item):
                sub = read(cand)
                if sub is not None:
                    if not _merge_file(tree, cand, sub, read, depth + 1):
                        tree.incomplete = True
                    break
            else:
                tree.incomplete = True
        elif isinstance(item, Node):
            target = _target(tree, item.name)
            if target is None:
                tree.incomplete = True
                continue
            _merge_node(tree, target, item, path)
        else:  # a top-level /delete-node/ &label;
            target = _target(tree, item.target)
            if target is not None and target.parent is not None:
                target.parent.children = {k: v for k, v in target.parent.children.items() if v is not target}
    return True


def _target(tree: MergedTree, name: str) -> MergedNode | None:
    if name == "/":
        return tree.root
    if name.startswith("&{") and name.endswith("}"):
        node = tree.root
        for part in name[2:-1].strip("/").split("/"):
            if not part:
                continue
            node = node.children.get(part) or next(
                (c for k, c in node.children.items() if k.split("@", 1)[0] == part), None)
            if node is None:
                return None
        return node
    if name.startswith("&"):
        label = name[1:]
        return next((n for n in tree.root.walk() if label in n.labels), None)
    return None


def _merge_node(tree: MergedTree, target: MergedNode, node: Node, path: str) -> None:
    stack = [(target, node)]
    while stack:
        into, src = stack.pop()
        tree.by_origin[(path, src.line)] = into
        if into.origin is None:
            into.origin = (path, src.line)
        into.labels.extend(lb for lb in src.labels if lb not in into.labels)
        for d in src.deletes:
            if d.kind == "property":
                into.props.pop(d.target, None)
            else:
                into.children = {k: v for k, v in into.children.items() if k != d.target}
        for p in src.properties:
            into.props[p.name] = (p, path)
        for child in src.children:
            key = child.name + (f"@{child.unit}" if child.unit else "")
            sub = into.children.get(key)
            if sub is None:
                sub = into.children[key] = MergedNode(key, into)
            stack.append((sub, child))


def cells_of(node) -> tuple[int, int] | None:
    """``#address-cells``/``#size-cells`` a node gives its children (None when not both literal);
    a merged node or a DTS model node (anything with ``prop(name)``)."""
    vals = []
    for name in ("#address-cells", "#size-cells"):
        p = node.prop(name)
        cells = p.cells() if p is not None else []
        if not cells or len(cells[0]) != 1 or cells[0][0].value is None:
            return None
        vals.append(cells[0][0].value)
    return vals[0], vals[1]


def interrupt_parent(node, labels: "dict[str, object]"):
    """The node whose ``#interrupt-cells`` splits ``node``'s ``interrupts``, found
    as Linux (``of_irq_find_parent``) and dtc find it: the node's own
    ``interrupt-parent`` (else its parent's, and so on up), stopping early at an
    ancestor that is an interrupt provider (has ``#interrupt-cells``).  A merged
    node or a DTS model node; ``labels`` maps labels to nodes of the same kind.
    None when the chain leads to a label outside ``labels`` or to nothing."""
    n, seen = node, set()
    while n is not None and id(n) not in seen:
        seen.add(id(n))
        ip = n.prop("interrupt-parent")
        if ip is not None:
            cells = ip.cells()
            ref = cells[0][0] if cells and cells[0] else None
            if ref is None or ref.kind != "ref":
                return None
            n = labels.get(ref.target or "")
        else:
            n = n.parent
        if n is not None and n.prop("#interrupt-cells") is not None:
            return n
    return None


@dataclass(frozen=True)
class Rendered:
    text: str
    origins: tuple[Origin | None, ...]  # origin of each line of ``text`` (index 0 = line 1)


def render(node: MergedNode, keep: "set[MergedNode] | None" = None,
           providers: "MergedNode | None" = None) -> Rendered:
    """The merged node and its subtree as DTS text.  A property's value is
    copied with its own line breaks, so every rendered line maps back to one
    source line.  With ``keep``, a child node is rendered only when it is in
    ``keep`` or has a descendant there (a pinctrl node's hundreds of untouched
    groups need not be validated again to judge the one a patch adds).  With
    ``providers`` (the merged root), each node elsewhere that a rendered
    ``&label`` points at follows as a stub holding only its ``#...-cells``:
    phandle arguments are then split by the provider's real cell count, as
    dtc and dt-validate split them, instead of guessed."""
    wanted: set[int] | None = None
    if keep is not None:
        wanted = set()
        for k in keep:
            wanted.update(id(n) for n in [k, *k.ancestors()])
    lines: list[str] = []
    origins: list[Origin | None] = []
    inherited = _inherited_interrupt_parents(node, wanted, providers) if providers is not None else {}

    def emit(n: MergedNode, indent: str) -> None:
        labels = "".join(f"{lb}: " for lb in n.labels)
        lines.append(f"{indent}{labels}{n.name} {{")
        origins.append(n.origin)
        if id(n) in inherited:  # its interrupt parent lies above what is rendered: say which, as the tree does
            lines.append(f"{indent}    interrupt-parent = <&{inherited[id(n)][0]}>;")
            origins.append(None)
        for p, path in n.props.values():
            for i, part in enumerate(_prop_lines(p)):
                lines.append(f"{indent}    {part}")
                origins.append((path, p.line + i))
        for child in n.children.values():
            if wanted is None or id(child) in wanted:
                emit(child, indent + "    ")
        lines.append(f"{indent}}};")
        origins.append(None)

    emit(node, "")
    if providers is not None:
        shown = [n for n in node.walk() if wanted is None or id(n) in wanted or n is node]
        stubs = _providers(shown, providers)
        for label, target in inherited.values():
            if not any(target is n for n in node.walk()) and all(t is not target for _, t in stubs):
                stubs.append((label, target))
        for i, (label, target) in enumerate(stubs):
            irq = "#interrupt-cells" in target.props  # interrupt-map entries carry its unit address too
            cells = [p for name, (p, _) in target.props.items()
                     if name.startswith("#") and (name != "#size-cells" and (irq or name != "#address-cells"))]
            lines.append(f"{label}: reviewtool-provider-{i} {{")
            origins.append(None)
            for p in cells:
                lines.append(f"    {p.name} = {' '.join((p.value or '').split())};")
                origins.append(None)
            lines.append("};")
            origins.append(None)
    return Rendered("\n".join(lines) + "\n", tuple(origins))


def _inherited_interrupt_parents(top: MergedNode, wanted: "set[int] | None",
                                 root: MergedNode) -> dict[int, tuple[str, MergedNode]]:
    """id(node) -> (label, interrupt parent) of each rendered node with
    ``interrupts`` whose interrupt parent it takes from outside the rendered
    subtree (an ancestor's ``interrupt-parent`` or an ancestor controller):
    rendered alone, the node would lose it and its cells would be split wrong."""
    shown = [n for n in top.walk() if wanted is None or id(n) in wanted or n is top]
    needing = [n for n in shown if "interrupts" in n.props and "interrupt-parent" not in n.props]
    if not needing:
        return {}
    labels = labels_below(root)
    inside = {id(n) for n in shown}
    out = {}
    for n in needing:
        cur = n.parent
        while cur is not None and id(cur) in inside:
            if "#interrupt-cells" in cur.props or "interrupt-parent" in cur.props:
                break  # found within the rendered subtree: dtschema finds it there too
            cur = cur.parent
        if cur is not None and id(cur) in inside:
            continue
        target = interrupt_parent(n, labels)
        if target is None:
            continue
        out[id(n)] = (target.labels[0] if target.labels else "reviewtool_interrupt_parent"), target
    return out


def _providers(shown: list[MergedNode], root: MergedNode) -> list[tuple[str, MergedNode]]:
    """(label, node) of every node outside ``shown`` that a shown property references."""
    inside = {lb for n in shown for lb in n.labels}
    wanted: list[str] = []
    for n in shown:
        for p, _ in n.props.values():
            for v in p.values:
                refs = [c.target for c in v.cells if c.kind == "ref"] if v.kind == "cells" else [v.target]
                for t in refs:
                    if t and not t.startswith("{") and t not in inside and t not in wanted:
                        wanted.append(t)
    if not wanted:
        return []
    by_label = labels_below(root)
    return [(lb, by_label[lb]) for lb in wanted if lb in by_label]


def _prop_lines(p: Property) -> list[str]:
    if p.value is None:
        return [f"{p.name};"]
    parts = f"{p.name} = {p.value};".split("\n")
    span = p.end_line - p.line + 1
    if len(parts) != span:  # keep the line map honest: one rendered line per source line
        parts = [" ".join(" ".join(parts).split())] + [""] * (span - 1)
    return parts
