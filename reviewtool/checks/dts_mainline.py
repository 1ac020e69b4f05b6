"""Whether a dtbs_check failure of a node is already mainline's (dts/schema, issue 12).

dts/schema reports what the patch makes fail, not what mainline already
fails on: the bot mails only new warnings, and a failure every board using
a compatible shares (a property the binding forgot, a node name the binding
never allowed) is the binding's business, not the patch's.  With a kernel
tree, a failure is pre-existing when another DTS file of the tree has a
node with the same compatible in the same situation: the same unexpected
property (with the same value, for a value error), the same node name, the
same compatible list, or the same required property missing.  A wholly
new file meets the other files' nodes; a change also meets the tree's
version of its own file (a node the patch re-adds or moves keeps its old
failures, they are not new).  Without a tree nothing is pre-existing.

dts/node-name asks the same of a node name outside [a-z0-9-]: one the tree's
DTS files already use (a platform's pinctrl group names such as 'mmc0_cd',
or the file's own old names) is the platform's naming, not one the patch
brings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_DTS_DIRS = ("arch",)
# ``Options.extra`` key: tree paths that are no evidence.  benchmarks/bench_accepted.py
# --dts-as-new hides the accepted file it presents as a wholly new one (the tree still holds it).
HIDE = "dts-mainline-hidden"


def _hidden(ctx: Any) -> frozenset[str]:
    return frozenset(ctx.options.extra.get(HIDE, ()))


def _pathspecs(hidden: frozenset[str]) -> list[str]:
    """git pathspecs of the tree's DTS files that count as evidence."""
    return [*(f"{d}/*.dts" for d in _DTS_DIRS), *(f"{d}/*.dtsi" for d in _DTS_DIRS),
            *(f":(exclude){p}" for p in sorted(hidden))]
_MAX_FILES = 40  # files read per compatible: one match is enough, none found in 40 is "new"


@dataclass(frozen=True)
class TreeNode:
    """A node of a tree DTS file: what the pre-existing test compares."""

    path: str  # the file
    name: str  # node name without the unit address
    compatibles: tuple[str, ...]
    properties: dict[str, str]  # name -> value text
    children: frozenset[str] = frozenset()  # child node names without the unit address
    anchor: str = ""  # first compatible of the node or of its nearest ancestor with one
    rel: tuple[str, ...] = ()  # names (without unit address) from below the anchor down to the node


def pre_existing(ctx: Any, node: Any, problem: Any, path: str | None = None, base: bool = True) -> bool:
    """Whether ``problem`` (a ``DtProblem`` about ``node``, a node the patch
    adds or changes) is one the tree's DTS files already have: a node in the
    same place under the same compatible (the node's own, else its nearest
    ancestor's) failing the same way.  ``path``: the file under review, whose
    tree version always counts when it is the patch's pre-image (``base``: a
    node the patch re-adds keeps its failures), and never when the tree
    already holds the change."""
    tree = ctx.options.tree
    if not tree.available:
        return False
    anchor, rel = _anchor(node)
    if anchor is None:
        return False
    comps = tuple(node.compatibles())
    name, own = _name_and_props(node)
    prop = problem.prop
    message = problem.message
    required = _REQUIRED.match(message)
    missing = required.group(1) if required else None
    unexpected_names = _unexpected_names(message) & (set(own) | _child_names(node))
    others = tree_nodes(ctx, anchor, path if base else None)
    if not base:
        others = [o for o in others if o.path != path]
    same = _same_in_tree(ctx, node, path) if base else None
    if same is not None:
        if same.properties == own and same.compatibles == comps:
            return True  # the node as the tree's version of the file has it: whatever fails is old
        others = [same, *others]
    for other in others:
        if other.rel != rel and other is not same:
            continue
        if prop in (None, "$nodename") and "does not match" in message and "regexes" not in message:
            if other.name == name:
                return True
        elif prop == "compatible":
            if other.compatibles == comps:
                return True
        elif missing is not None:
            if missing not in own and missing not in other.properties:
                return True
        elif prop is None and unexpected_names:
            if unexpected_names <= set(other.properties) | other.children:
                return True  # the same properties / child nodes the binding does not allow
        elif prop is not None and prop in own:
            unexpected = "unexpected" in message or "does not match any of the regexes" in message
            if prop in other.properties and (unexpected or other.properties[prop] == own[prop]):
                return True
    return False


def _same_in_tree(ctx: Any, node: Any, path: str | None) -> TreeNode | None:
    """The node at the same place in the tree's own version of ``path``, built
    as dtc builds it (a board's ``&label { }`` merged into its ``.dtsi`` node),
    for a node of the tree-built DTS (``dts_tree.MergedNode``); else None."""
    if path is None or not isinstance(getattr(node, "props", None), dict):
        return None
    from ..validators.dts_tree import build

    merged = ctx.memo(f"dts-mainline:merged:{path}", lambda: build(path, ctx.options.tree.read_file))
    if merged is None:
        return None
    names = [n.name for n in [node, *node.ancestors()] if n.parent is not None]
    here = merged.root
    for name in reversed(names):
        here = here.children.get(name)
        if here is None:
            return None
    return TreeNode(path, here.name.split("@", 1)[0], tuple(here.compatibles()),
                    {k: _value_text(v[0]) for k, v in here.props.items()},
                    frozenset(c.split("@", 1)[0] for c in here.children))


def _anchor(node: Any) -> tuple[str | None, tuple[str, ...]]:
    """(first compatible of the node or of its nearest ancestor with one, the
    names below that ancestor down to the node); the root does not anchor."""
    rel: list[str] = []
    n = node
    while n is not None and n.parent is not None and n.name != "/":
        comps = n.compatibles()
        if comps:
            return comps[0], tuple(reversed(rel))
        rel.append(n.name.split("@", 1)[0])
        n = n.parent
    return None, ()


_REQUIRED = re.compile(r"^'([^']+)' is a required property")
_QUOTED = re.compile(r"'([^']+)'")


def _unexpected_names(message: str) -> frozenset[str]:
    """Property or child node names (child names without the unit address) a
    message calls unexpected or unmatched: ``('mdio-mii@2000' was
    unexpected)``, ``'clock-names', 'clocks' do not match any of the regexes``."""
    if "unexpected" in message:
        names = _QUOTED.findall(message[message.rfind("("):])
    elif "not match any of the regexes" in message:
        names = _QUOTED.findall(re.split(r" do(?:es)? not match", message, maxsplit=1)[0])
    else:
        return frozenset()
    return frozenset(n.split("@", 1)[0] for n in names)


def _child_names(node: Any) -> set[str]:
    kids = node.children.values() if isinstance(node.children, dict) else node.children
    return {getattr(c, "name", "").split("@", 1)[0] for c in kids}


def tree_nodes(ctx: Any, compatible: str, path: str | None = None) -> list[TreeNode]:
    """Nodes of the tree's DTS files anchored on ``compatible`` (the node with
    it and its descendants without one): in at most ``_MAX_FILES`` files
    naming it, and in the tree's version of ``path``."""
    files = ctx.memo(f"dts-mainline:files:{compatible}",
                     lambda: _files_naming(ctx.options.tree, f'"{compatible}"', _hidden(ctx))[:_MAX_FILES])
    if path is not None and path not in files:
        files = [*files, path]
    return [n for rel in files for n in _file_nodes(ctx, rel) if n.anchor == compatible]


def _file_nodes(ctx: Any, rel: str) -> list[TreeNode]:
    """Every anchored node of one tree DTS file, parsed once per run."""

    def compute() -> list[TreeNode]:
        from ..syntax.dts import parse_dts

        text = ctx.options.tree.read_file(rel)
        if not text:
            return []
        out: list[TreeNode] = []
        for n in parse_dts(text).nodes():
            anchor, below = _anchor(n)
            if anchor is None:
                continue
            out.append(TreeNode(rel, n.name, tuple(n.compatibles()), {p.name: _value_text(p) for p in n.properties},
                                frozenset(c.name for c in n.children), anchor, below))
        return out

    return ctx.memo(f"dts-mainline:file:{rel}", compute)


def _name_and_props(node: Any) -> tuple[str, dict[str, str]]:
    """(name without unit address, property name -> value text) of a DTS
    model node or of a node of the tree-built DTS (``dts_tree.MergedNode``)."""
    props = getattr(node, "props", None)
    if isinstance(props, dict):
        return node.name.split("@", 1)[0], {k: _value_text(v[0]) for k, v in props.items()}
    return node.name, {p.name: _value_text(p) for p in node.properties}


def _value_text(prop: Any) -> str:
    return " ".join(v.text for v in prop.values) if getattr(prop, "values", None) else ""


def _files_naming(view: Any, needle: str, hidden: frozenset[str]) -> list[str]:
    """DTS/DTSI files of the tree containing ``needle``, sorted."""
    tree = view.tree
    if tree.is_git and view.rev is not None:
        from ..tree import _git

        proc = _git(tree.root, "grep", "-l", "-F", "-e", needle, view.rev, "--", *_pathspecs(hidden))
        if proc.returncode not in (0, 1):
            return []
        prefix = f"{view.rev}:"
        return sorted(line[len(prefix):] if line.startswith(prefix) else line
                      for line in proc.stdout.decode("utf-8", "replace").splitlines() if line)
    return _walk_files(Path(tree.root), needle, hidden)


def _walk_files(root: Path, needle: str, hidden: frozenset[str]) -> list[str]:
    out = []
    data = needle.encode()
    for top in _DTS_DIRS:
        for dirpath, _dirs, files in os.walk(root / top):
            for name in files:
                if not name.endswith((".dts", ".dtsi")):
                    continue
                full = Path(dirpath) / name
                if str(full.relative_to(root)) in hidden:
                    continue
                try:
                    if data in full.read_bytes():
                        out.append(str(full.relative_to(root)))
                except OSError:
                    continue
    return sorted(out)


__all__ = ["pre_existing", "tree_nodes", "TreeNode"]


def names_in_tree(ctx: Any, path: str, names: set[str]) -> set[str]:
    """Which of these node names the tree's DTS files already use (a
    ``name {`` line): a platform's naming the patch follows, not a new one."""
    tree = ctx.options.tree
    if not tree.available or not names:
        return set()
    needles = sorted(f"{n} {{" for n in names)
    key = f"dts-mainline:names:{path}:{hash(tuple(needles))}"
    hidden = _hidden(ctx)

    def compute() -> set[str]:
        view = tree
        if view.tree.is_git and view.rev is not None:
            from ..tree import _git

            args = ["grep", "-h", "-o", "-w", "-F"]
            for n in needles:
                args += ["-e", n]
            args += [view.rev, "--", *_pathspecs(hidden)]
            proc = _git(view.tree.root, *args)
            found = proc.stdout.decode("utf-8", "replace").splitlines() if proc.returncode == 0 else []
        else:
            found = _walk_names(Path(view.tree.root), needles, hidden)
        return {line.rsplit(" ", 1)[0].strip() for line in found} & names

    return ctx.memo(key, compute)


def _walk_names(root: Path, needles: list[str], hidden: frozenset[str]) -> list[str]:
    rx = re.compile(r"(?<![\w,.+-])(" + "|".join(re.escape(n) for n in needles) + r")")
    out: list[str] = []
    for top in _DTS_DIRS:
        for dirpath, _dirs, files in os.walk(root / top):
            for name in files:
                full = Path(dirpath) / name
                if not name.endswith((".dts", ".dtsi")) or str(full.relative_to(root)) in hidden:
                    continue
                try:
                    out += rx.findall(full.read_text(encoding="utf-8", errors="replace"))
                except OSError:
                    continue
    return out
