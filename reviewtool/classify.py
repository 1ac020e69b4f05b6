"""What kind of change a patch is, from the paths it touches.

Rules select patches by kind (a binding patch, a driver patch, a DTS patch);
keeping the path conventions here means no rule re-invents them.
"""

from __future__ import annotations

import functools
import re

from .model import Patch

BINDINGS_DIR = "Documentation/devicetree/bindings/"
DT_HEADERS_DIR = "include/dt-bindings/"


def is_binding_path(path: str) -> bool:
    return path.startswith(BINDINGS_DIR) or path.startswith(DT_HEADERS_DIR)


def is_binding_schema(path: str) -> bool:
    return path.startswith(BINDINGS_DIR) and path.endswith((".yaml", ".yml"))


def is_dts_path(path: str) -> bool:
    return "/boot/dts/" in path and path.endswith((".dts", ".dtsi", ".dtso"))


def is_docs_path(path: str) -> bool:
    return path.startswith("Documentation/") and not path.startswith(BINDINGS_DIR)


def is_code_path(path: str) -> bool:
    return not (is_binding_path(path) or is_dts_path(path) or is_docs_path(path) or path == "MAINTAINERS")


def is_driver_path(path: str) -> bool:
    return path.startswith(("drivers/", "sound/", "net/", "fs/", "virt/")) or (
        path.endswith((".c", ".h", "Kconfig", "Makefile")) and is_code_path(path)
    )


def patch_kinds(patch: Patch) -> frozenset[str]:
    """The kinds a patch belongs to; 'any' always, 'cover' for a cover letter."""
    kinds = {"any"}
    if patch.n == 0 and not patch.files:
        return frozenset({"cover"})
    paths = [f.path for f in patch.files]
    if any(is_binding_path(p) for p in paths):
        kinds.add("binding")
        if all(is_binding_path(p) or p == "MAINTAINERS" for p in paths):
            kinds.add("binding-only")
    if any(is_dts_path(p) for p in paths):
        kinds.add("dts")
    if any(is_driver_path(p) for p in paths):
        kinds.add("driver")
    if any(is_code_path(p) for p in paths):
        kinds.add("code")
    if any(is_docs_path(p) for p in paths):
        kinds.add("docs")
    if "MAINTAINERS" in paths:
        kinds.add("maintainers")
    return frozenset(kinds)


@functools.lru_cache(maxsize=512)
def glob_regex(glob: str) -> re.Pattern:
    """'**' spans directories, '*' and '?' stay within one path component."""
    out = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def path_matches(path: str, globs: tuple[str, ...]) -> bool:
    return any(glob_regex(g).match(path) for g in globs)
