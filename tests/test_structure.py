"""The project's structure: no import cycles between its parts, one typed
answer for "which tree" and "where did this mail come from"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES
from reviewtool.engine import Options
from reviewtool.kerneltree import NO_TREE, KernelTree, NoTree

PACKAGE = REPO / "reviewtool"


def _imports() -> dict[str, set[str]]:
    """Module -> the reviewtool modules it imports (at any depth: lazy imports count)."""
    mods = {}
    for p in PACKAGE.rglob("*.py"):
        parts = list(p.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = p
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        pkg = m if p.name == "__init__.py" else m.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [target, *(f"{target}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            edges[m].update(n for n in names if n in mods and n != m)
    return edges


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether a module under ``start`` imports, directly or not, one under ``goal``."""
    seen, todo = set(), [m for m in edges if m == start or m.startswith(start + ".")]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        for n in edges[m]:
            if n == goal or n.startswith(goal + "."):
                return True
            todo.append(n)
    return False


@pytest.mark.parametrize("a, b", [("reviewtool.history", "reviewtool.checks"),
                                  ("reviewtool.catalog", "reviewtool.checks")])
def test_no_import_cycle(a, b):
    edges = _imports()
    assert not (_reaches(edges, a, b) and _reaches(edges, b, a)), f"{a} and {b} import each other"


def test_the_cycle_finder_finds_a_cycle():
    edges = {"x.a": {"x.b"}, "x.b": {"x.a"}, "x.c": set()}
    assert _reaches(edges, "x.a", "x.b") and _reaches(edges, "x.b", "x.a")
    assert not _reaches(edges, "x.c", "x.a")


def test_no_tree_is_a_kernel_tree_that_knows_nothing():
    assert isinstance(NO_TREE, KernelTree) and not NO_TREE.available
    assert NO_TREE.documents("acme,foo") is None and not NO_TREE.has_vendor_prefix("acme")
    assert NO_TREE.read_file("MAINTAINERS") is None
    assert Options().tree is NO_TREE and Options(tree=None).tree is NO_TREE


def test_the_tree_view_is_a_kernel_tree(tmp_path):
    from kernel_repo import KernelRepo
    from reviewtool.tree import SourceTree

    repo = KernelRepo(tmp_path / "linux")
    view = SourceTree(repo.path).at(None)
    assert isinstance(view, KernelTree) and view.available
    assert view.documents("acme,existing", ) == "Documentation/devicetree/bindings/misc/acme,existing.yaml"
    assert view.has_vendor_prefix("acme") and not view.has_vendor_prefix("nuvotom")
    assert view.has_dir("Documentation/devicetree/bindings/misc")
    assert not view.has_dir("Documentation/devicetree/bindings/nosuch")
    assert view.has_dir("drivers/misc") and not view.has_dir("drivers/nosuch")
    # --tree given as a directory (no view yet) becomes one.
    assert Options(tree_path=str(repo.path)).tree.available
    assert not Options(tree_path=str(tmp_path)).tree.available  # not a kernel tree


def test_origin_of_a_format_patch_file(tmp_path):
    from reviewtool.sources.mbox import load

    first, second = sorted((SAMPLES / "acme-pwm-clean").glob("*.patch"))[1:3]
    (tmp_path / first.name).write_bytes(first.read_bytes())
    # format-patch output without a Message-ID: we give it one, but it is not public.
    (tmp_path / second.name).write_bytes(b"".join(
        ln for ln in second.read_bytes().splitlines(keepends=True) if not ln.lower().startswith(b"message-id:")))
    (series,) = load(str(tmp_path))
    kept, stripped = series.patches
    assert kept.origin.kind == "mbox" and kept.origin.path == str(tmp_path / first.name) and kept.origin.index == 0
    assert not kept.origin.message_id_made_up and kept.public_message_id == kept.message_id
    assert stripped.origin.message_id_made_up and stripped.public_message_id is None
    assert stripped.message_id  # still threads the input
    assert series.public_id(stripped.message_id) is None
    assert series.public_id(kept.message_id) == kept.message_id
    assert series.public_id("someone@example.org") == "someone@example.org"  # not ours: public


def test_origin_of_a_git_range(tmp_path):
    from kernel_repo import KernelRepo
    from reviewtool.sources.resolve import LoadOptions, load

    repo = KernelRepo(tmp_path / "linux")
    repo.branch("work")
    sha = repo.commit("misc: acme: One", files={"drivers/misc/one.c": "// one\n"})
    repo.commit("misc: acme: Two", files={"drivers/misc/two.c": "// two\n"})
    (series,) = load("master..work", LoadOptions(repo=str(repo.path)))
    assert series.origin.from_git and not series.notes
    first = series.patch(1)
    assert first.origin.commit == sha and first.origin.message_id_made_up
    assert series.public_id(first.message_id) is None
