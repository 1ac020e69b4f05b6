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
_MAX_FILES = 40  # files read per compatible: one match is enough, none found in 40 is "new"


@dataclass(frozen=True)
class TreeNode:
    """A node of a tree DTS file: what the pre-existing test compares."""

    path: str  # the file
    name: str  # node name without the unit address
    compatibles: tuple[str, ...]
    properties: dict[str, str]  # name -> value text


def pre_existing(ctx: Any, node: Any, problem: Any) -> bool:
    """Whether ``problem`` (a ``DtProblem`` on an added ``node``) is one the
    tree's DTS files (the pre-image of this one included) already have for
    the same compatible."""
    tree = ctx.options.tree
    comps = tuple(node.compatibles())
    if not tree.available or not comps:
        return False
    name, own = _name_and_props(node)
    prop = problem.prop
    message = problem.message
    for other in tree_nodes(ctx, comps[0]):
        if prop in (None, "$nodename") and "does not match" in message and "regexes" not in message:
            if other.name == name:
                return True
        elif prop == "compatible":
            if other.compatibles == comps:
                return True
        elif prop is not None and "required property" in message:
            if prop not in own and prop not in other.properties:
                return True
        elif prop is not None and prop in own:
            unexpected = "unexpected" in message or "does not match any of the regexes" in message
            if prop in other.properties and (unexpected or other.properties[prop] == own[prop]):
                return True
    return False


def tree_nodes(ctx: Any, compatible: str) -> list[TreeNode]:
    """Nodes of the tree's DTS files whose first compatible is ``compatible``
    (at most ``_MAX_FILES`` files read), once per run."""

    def compute() -> list[TreeNode]:
        from ..syntax.dts import parse_dts

        out: list[TreeNode] = []
        for rel in _files_naming(ctx.options.tree, f'"{compatible}"')[:_MAX_FILES]:
            text = ctx.options.tree.read_file(rel)
            if not text:
                continue
            for n in parse_dts(text).nodes():
                comps = tuple(n.compatibles())
                if comps and comps[0] == compatible:
                    out.append(TreeNode(rel, n.name, comps, {p.name: _value_text(p) for p in n.properties}))
        return out

    return ctx.memo(f"dts-mainline:{compatible}", compute)


def _name_and_props(node: Any) -> tuple[str, dict[str, str]]:
    """(name without unit address, property name -> value text) of a DTS
    model node or of a node of the tree-built DTS (``dts_tree.MergedNode``)."""
    props = getattr(node, "props", None)
    if isinstance(props, dict):
        return node.name.split("@", 1)[0], {k: _value_text(v[0]) for k, v in props.items()}
    return node.name, {p.name: _value_text(p) for p in node.properties}


def _value_text(prop: Any) -> str:
    return " ".join(v.text for v in prop.values) if getattr(prop, "values", None) else ""


def _files_naming(view: Any, needle: str) -> list[str]:
    """DTS/DTSI files of the tree containing ``needle``, sorted."""
    tree = view.tree
    if tree.is_git and view.rev is not None:
        from ..tree import _git

        proc = _git(tree.root, "grep", "-l", "-F", "-e", needle, view.rev, "--",
                    *(f"{d}/*.dts" for d in _DTS_DIRS), *(f"{d}/*.dtsi" for d in _DTS_DIRS))
        if proc.returncode not in (0, 1):
            return []
        prefix = f"{view.rev}:"
        return sorted(line[len(prefix):] if line.startswith(prefix) else line
                      for line in proc.stdout.decode("utf-8", "replace").splitlines() if line)
    return _walk_files(Path(tree.root), needle)


def _walk_files(root: Path, needle: str) -> list[str]:
    out = []
    data = needle.encode()
    for top in _DTS_DIRS:
        for dirpath, _dirs, files in os.walk(root / top):
            for name in files:
                if not name.endswith((".dts", ".dtsi")):
                    continue
                full = Path(dirpath) / name
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

    def compute() -> set[str]:
        view = tree
        if view.tree.is_git and view.rev is not None:
            from ..tree import _git

            args = ["grep", "-h", "-o", "-w", "-F"]
            for n in needles:
                args += ["-e", n]
            args += [view.rev, "--", *(f"{d}/*.dts" for d in _DTS_DIRS), *(f"{d}/*.dtsi" for d in _DTS_DIRS)]
            proc = _git(view.tree.root, *args)
            found = proc.stdout.decode("utf-8", "replace").splitlines() if proc.returncode == 0 else []
        else:
            found = _walk_names(Path(view.tree.root), needles)
        return {line.rsplit(" ", 1)[0].strip() for line in found} & names

    return ctx.memo(key, compute)


def _walk_names(root: Path, needles: list[str]) -> list[str]:
    rx = re.compile(r"(?<![\w,.+-])(" + "|".join(re.escape(n) for n in needles) + r")")
    out: list[str] = []
    for top in _DTS_DIRS:
        for dirpath, _dirs, files in os.walk(root / top):
            for name in files:
                full = Path(dirpath) / name
                if not name.endswith((".dts", ".dtsi")):
                    continue
                try:
                    out += rx.findall(full.read_text(encoding="utf-8", errors="replace"))
                except OSError:
                    continue
    return out
