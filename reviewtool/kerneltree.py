"""What rules may ask of the kernel tree a series applies to.

``Options.tree`` is always a ``KernelTree``: the real one (``tree.TreeView``,
a kernel source tree at the series' base commit) or ``NO_TREE`` when none is
known.  Rules call its methods and check ``available`` to tell "the tree
does not document it" from "there is no tree to ask"; nothing probes for
methods by name.  This module imports nothing heavy so checks can type
against it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class KernelTree(Protocol):
    @property
    def available(self) -> bool:
        """False for the stand-in used when no kernel tree is known."""

    @property
    def label(self) -> str:
        """How findings name the tree, e.g. 'the kernel tree at /src/linux (3f2a9c1b7d40)'."""

    def documents(self, compatible: str) -> str | None:
        """The binding file documenting ``compatible``, or None."""

    def has_vendor_prefix(self, prefix: str) -> bool:
        """Whether vendor-prefixes.yaml lists ``prefix``."""

    def read_file(self, path: str) -> str | None:
        """A file's text (repo-relative path), or None when the tree has no such file."""

    def has_dir(self, path: str) -> bool:
        """Whether the tree has the directory ``path`` (repo-relative)."""

    def list_dir(self, directory: str) -> list[str]:
        """Names directly inside a directory below the bindings directory."""


class NoTree:
    """The tree when none is known: documents nothing, has no files."""

    available = False
    label = "no kernel tree"

    def documents(self, compatible: str) -> str | None:
        return None

    def has_vendor_prefix(self, prefix: str) -> bool:
        return False

    def read_file(self, path: str) -> str | None:
        return None

    def has_dir(self, path: str) -> bool:
        return False

    def list_dir(self, directory: str) -> list[str]:
        return []

    def __repr__(self) -> str:
        return "NO_TREE"


NO_TREE: KernelTree = NoTree()
