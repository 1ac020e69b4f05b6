"""Submission chores maintainers point out on nearly every first posting:
b4's placeholder cover letter left unedited, a new file nobody maintains,
a DTS subject without its ``<vendor>:`` part."""

from __future__ import annotations

import posixpath
import re

from ..classify import is_binding_schema, is_dts_path
from ..maintainers import Entry, added_entries, parse
from ..params import REGEX, TEXT, ListOf, MapOf
from . import check

# ---------------------------------------------------------------------------
# series/unedited-cover-letter


@check("unedited-cover-letter", params={"placeholder": REGEX})
def unedited_cover_letter(ctx):
    """b4 prep writes EDITME placeholders (cover title, changelog bullets); they must not be sent."""
    word = re.compile(ctx.params.get("placeholder", r"\bEDITME\b"))
    series = ctx.series
    if series.cover is not None:
        target, texts = series.cover, [f"Subject: {series.cover.full_subject}", *series.cover.raw_body.split("\n")]
    elif len(series.patches) == 1:
        # A one-patch b4 series carries its cover text below the '---'.
        target, texts = series.patches[0], series.patches[0].notes.split("\n")
    else:
        return
    hits = [t for t in texts if word.search(t)]
    if hits:
        yield ctx.finding(anchor="series", patch=target, text=hits[0], quote=tuple(hits[:3]), count=len(hits))


# ---------------------------------------------------------------------------
# series/maintainers-entry


def _new_files(ctx) -> list[tuple[object, object]]:
    """(patch, file) for every binding schema or driver source the series adds,
    but for a binding that names its own maintainers."""
    driver = re.compile(ctx.params.get("driver_files", r"^drivers/.+\.c$"))
    out = []
    for p in ctx.series.patches:
        named = None
        for f in p.files:
            if f.status != "added":
                continue
            if is_binding_schema(f.path):
                if named is None:
                    named = _self_maintained(ctx, p)
                if f.path not in named:
                    out.append((p, f))
            elif driver.search(f.path):
                out.append((p, f))
    return out


def _self_maintained(ctx, patch) -> set[str]:
    """Binding schemas of ``patch`` whose ``maintainers:`` gives an address:
    scripts/get_maintainer.pl reads the addresses in a .yaml file itself, so
    such a binding's patches reach someone without a MAINTAINERS entry."""
    from ..artifacts.binding import binding_docs

    out = set()
    for doc in binding_docs(ctx, patch):
        people = doc.data.get("maintainers") if hasattr(doc.data, "get") else None
        if isinstance(people, list) and any(isinstance(m, str) and _ADDRESS.search(m) for m in people):
            out.add(doc.path)
    return out


_ADDRESS = re.compile(r"<?[A-Za-z0-9_.+-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9]+>?")


def _series_entries(ctx) -> list[Entry]:
    added: list[str] = []
    for p in ctx.series.patches:
        for f in p.files:
            if f.path == "MAINTAINERS":
                added.extend(ln.text for ln in f.added_lines())
    return added_entries(added)


def _tree_entries(ctx) -> list[Entry] | None:
    """MAINTAINERS entries of the kernel tree, minus the catch-alls; None without a tree."""
    tree = ctx.options.tree
    if not tree.available:
        return None

    def compute():
        text = tree.read_file("MAINTAINERS")
        if text is None:
            return None
        catch_all = set(ctx.params.get("catch_all", ["THE REST"]))
        return [e for e in parse(text) if e.title not in catch_all]

    return ctx.memo("maintainers-entries", compute)


@check("maintainers-entry", params={"driver_files": REGEX, "catch_all": ListOf(TEXT)})
def maintainers_entry(ctx):
    new = _new_files(ctx)
    if not new:
        return
    own = _series_entries(ctx)
    uncovered = [(p, f) for p, f in new if not any(e.covers(f.path) for e in own)]
    if not uncovered:
        return
    entries = _tree_entries(ctx)
    if entries is None:
        p, f = uncovered[0]
        names = ", ".join(x.path for _, x in uncovered)
        yield ctx.finding(
            anchor="diff", patch=p, path=f.path, line=None, text=f.path, severity="info",
            message=f"Could not verify that a MAINTAINERS entry covers {names}: this series adds none that does, "
            "and no kernel tree was given (run inside a kernel tree or pass --tree) to look for an existing one.",
        )
        return
    for p, f in uncovered:
        if any(e.covers(f.path) for e in entries):
            continue
        first = next(iter(f.added_lines()), None)
        yield ctx.finding(anchor="diff", patch=p, path=f.path, line=first.new_line if first else None,
                          text=first.text if first else f.path, file=f.path, where=ctx.options.tree.label)


# ---------------------------------------------------------------------------
# subject/dts-vendor

_DTS_DIR = re.compile(r"^arch/(?P<arch>[^/]+)/boot/dts/(?P<vendor>[^/]+)/")


def _dts_vendor(paths: list[str]) -> tuple[str, str] | None:
    """(arch, vendor directory) when every DTS file of the patch is in one vendor directory."""
    found = set()
    for path in paths:
        m = _DTS_DIR.match(path)
        if m is None:
            return None
        found.add((m.group("arch"), m.group("vendor")))
    return next(iter(found)) if len(found) == 1 else None


@check("dts-vendor-subject", params={"arch_prefixes": MapOf(TEXT), "aliases": MapOf(REGEX), "heads": MapOf(TEXT)})
def dts_vendor_subject(ctx):
    patch = ctx.patch
    paths = [f.path for f in patch.files]
    dts = [p for p in paths if is_dts_path(p) or posixpath.basename(p) == "Makefile" and "/boot/dts/" in p]
    if not dts or len(dts) != len(paths) or not any(is_dts_path(p) for p in dts):
        return  # not a DTS-only patch: its subject follows the other part
    where = _dts_vendor(dts)
    if where is None:
        return
    arch, vendor = where
    prefixes: dict[str, str] = ctx.params.get("arch_prefixes", {"arm64": "arm64"})
    if arch not in prefixes:
        return
    prefix = prefixes[arch]
    # a platform whose maintainers take another head ("arm64: tegra: ") is asked for that one
    own_head = ctx.params.get("heads", {}).get(vendor)
    if own_head and patch.subject.lower().startswith(own_head.lower()):
        return
    head = re.match(rf"(?i)^{re.escape(prefix)}:\s*dts:\s*(?:(?P<part>[^:\s]+):)?", patch.subject)
    aliases: dict[str, str] = ctx.params.get("aliases", {})
    # the vendor or its SoC family, alone or followed by a board ("imx93-11x11-evk")
    names = f"{re.escape(vendor)}|{aliases[vendor]}" if vendor in aliases else re.escape(vendor)
    accepted = re.compile(rf"(?i)^(?:{names})(?:-[\w-]*)?$")
    if head is not None and head.group("part") and accepted.match(head.group("part")):
        return
    named = head.group("part") if head is not None and head.group("part") else None
    problem = (f'names "{named}" where the files are under {vendor}/' if named
               else f"has no <vendor>: part after \"{prefix}: dts:\"" if head is not None
               else f'does not start with "{prefix}: dts: {vendor}: "')
    if own_head and named is None and head is None:
        problem = f'does not start with "{own_head} "'
    yield ctx.finding(anchor="subject", text=patch.full_subject, quote=(f"Subject: {patch.full_subject}",),
                      problem=problem, prefix=f"{own_head} " if own_head else f"{prefix}: dts: {vendor}: ",
                      directory=f"arch/{arch}/boot/dts/{vendor}/")


# ---------------------------------------------------------------------------
# series/corrupt-patch


@check("corrupt-patch")
def corrupt_patch(ctx):
    """A diff git am would refuse (a mailer wrapped or re-encoded it, a hunk
    miscounts): the maintainer cannot apply it, so nothing else matters first."""
    if ctx.patch.diff_error:
        yield ctx.finding(anchor="subject", text=ctx.patch.full_subject, detail=ctx.patch.diff_error)
