#!/usr/bin/env python3
"""How loud is reviewtool on code mainline already accepted?

Every YAML binding of a kernel tree, a seeded sample of its DTS files and a
seeded sample of its drivers with an ``of_device_id`` table are wrapped as
new-file patches (a conventional subject, a commit message about the
hardware, a Signed-off-by) and run through the whole catalogue in process.
These files passed review, so each warning or error is, at best, a point the
maintainers waived; the figures say how often the tool speaks when it should
not.  ``--sample N`` prints N seeded findings per rule to read and judge.

Counting leaves out ``binding/license``, ``binding/yamllint`` and
``binding/dt-schema`` (right by today's standard on older files); they are not
run at all.  What a binding costs then (6.12, one core, cProfile over 40
bindings): ~0.33 s, of which ~0.19 s is binding/example-schema (validating the
examples with dtschema: building a DTValidator for the binding's schemas
~0.06 s, validating ~0.05 s, and the meta-schema check it needs first
~0.08 s), ruamel parsing ~0.05 s; the whole tree's 4,357 bindings take ~25 CPU
minutes.  The result cache is the user's: set REVIEWTOOL_NO_RESULT_CACHE=1 for
cold figures.

The tree: ``apt-get install linux-source-6.12`` then
``tar -xf /usr/src/linux-source-6.12.tar.xz -C /work/kernel`` (or any kernel
checkout).  With ``--index`` (default) the tree's binding index answers the
tree-aware rules (undocumented compatibles, vendor prefixes), as ``--tree``
does for a user.

Usage: python benchmarks/bench_accepted.py TREE [--limit N] [--dts N]
       [--drivers N] [--seed S] [--jobs J] [--sample N] [--rule ID] [--no-index]
Prints figures; asserts nothing.  Not run in CI.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BINDINGS = "Documentation/devicetree/bindings"
NOT_COUNTED = frozenset({"binding/license", "binding/yamllint", "binding/dt-schema"})
SUBSYSTEM_PREFIX = {"sound": "ASoC", "regulator": "regulator", "media": "media", "spi": "spi"}
OF_TABLE = re.compile(rb"\bstruct\s+of_device_id\b")


@dataclass(frozen=True)
class Item:
    """One accepted file to wrap: its kind ('binding', 'dts', 'driver') and path in the tree."""

    kind: str
    path: str


@dataclass(frozen=True)
class Hit:
    rule: str
    severity: str
    line: int | None
    message: str
    text: str


@dataclass(frozen=True)
class Result:
    item: Item
    recent: bool  # recent-style binding (closed top level, 4-space examples)
    root: bool  # a root/board or common schema
    hits: tuple[Hit, ...]
    error: str = ""


# -- picking the files -------------------------------------------------------

def binding_items(tree: Path) -> list[Item]:
    base = tree / BINDINGS
    return [Item("binding", str(p.relative_to(tree))) for p in sorted(base.rglob("*.yaml"))
            if p.is_file() and not p.name.startswith(".")]


def dts_items(tree: Path) -> list[Item]:
    out = []
    for arch in sorted((tree / "arch").iterdir()):
        dts = arch / "boot" / "dts"
        if dts.is_dir():
            out.extend(Item("dts", str(p.relative_to(tree))) for p in sorted(dts.rglob("*"))
                       if p.suffix in (".dts", ".dtsi") and p.is_file())
    return out


def driver_items(tree: Path) -> list[Item]:
    out = []
    for top in ("drivers", "sound"):
        for p in sorted((tree / top).rglob("*.c")):
            try:
                if OF_TABLE.search(p.read_bytes()):
                    out.append(Item("driver", str(p.relative_to(tree))))
            except OSError:
                continue
    return out


def seeded(items: list[Item], n: int | None, seed: int) -> list[Item]:
    if n is None or n >= len(items):
        return items
    return sorted(random.Random(seed).sample(items, n), key=lambda i: i.path)


# -- wrapping one file as a patch -----------------------------------------------

def spec_for(item: Item, text: str) -> dict:
    """The compact example spec (see reviewtool.examples) of a patch adding the file."""
    stem = Path(item.path).stem
    if item.kind == "binding":
        rel = item.path[len(BINDINGS) + 1:]
        top = rel.split("/", 1)[0]
        title = re.search(r"^title:\s*(.+)$", text, re.M)
        what = title.group(1).strip() if title else stem
        subject = f"dt-bindings: {top}: Add {stem}"
        if top in SUBSYSTEM_PREFIX:
            subject = f"{SUBSYSTEM_PREFIX[top]}: dt-bindings: {stem}: Add {what}"
        body = f"Document the {what}, so that boards carrying it can describe it in their device tree."
    elif item.kind == "dts":
        parts = item.path.split("/")
        arch = parts[1]
        sub = parts[4] if len(parts) > 5 else None
        subject = f"{arch}: dts: {sub + ': ' if sub else ''}Add {stem}"
        body = f"Add the device tree for {stem}, so that the board boots with its peripherals described."
    else:
        parts = item.path.split("/")
        area = parts[1] if len(parts) > 2 else parts[0]
        subject = f"{area}: {stem}: Add driver for {stem}"
        body = f"Add a driver for the {stem} block, probed from the device tree."
    path = item.path
    if item.kind == "dts" and _STATE.get("dts_as_new"):
        # a path the tree lacks (the tree still holds the original under its own path)
        p = Path(path)
        path = str(p.with_name(f"{p.stem}-bench-new{p.suffix}"))
    return {"subject": subject, "body": body, "files": {path: text}}


def binding_flags(text: str) -> tuple[bool, bool]:
    """(recent-style, root/common schema) of a binding, from its parsed text.

    libyaml's safe loader (PyYAML comes with yamllint): the engine parses the
    file again with ruamel, this only needs the values, fast.
    """
    import yaml

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return False, False
    if not isinstance(data, dict):
        return False, False
    closed = data.get("unevaluatedProperties") is False or data.get("additionalProperties") is False
    four = _examples_indent(data.get("examples")) == 4
    props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    nodename = props.get("$nodename") if isinstance(props, dict) else None
    root = isinstance(nodename, dict) and nodename.get("const") == "/"
    common = "select" in data and data.get("select") is False
    return closed and four, root or common


def _examples_indent(examples) -> int | None:
    if not isinstance(examples, list):
        return None
    for ex in examples:
        if not isinstance(ex, str):
            continue
        for line in ex.splitlines():
            stripped = line.lstrip(" ")
            if stripped and line != stripped:
                return len(line) - len(stripped)
    return None


# -- running ------------------------------------------------------------------

_STATE: dict = {}


def _init(tree: str, use_index: bool, dts_as_new: bool = False) -> None:
    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options

    rules = load_catalog()
    options = Options(disabled=NOT_COUNTED)
    if use_index:
        from reviewtool.tree import SourceTree

        kt = SourceTree(tree)
        view = kt.at(None)
        view.index  # build (or load) once per worker
        from dataclasses import replace

        options = replace(options, tree=view, tree_path=str(kt.root))
    _STATE.update(tree=Path(tree), rules=rules, options=options, dts_as_new=dts_as_new)


def check_item(item: Item) -> Result:
    from reviewtool.engine import check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes

    options = _STATE["options"]
    if _STATE.get("dts_as_new") and item.kind == "dts":
        from dataclasses import replace

        from reviewtool.checks import dts_mainline

        # the accepted file is no evidence for itself: as if the tree had never seen it
        options = replace(options, extra={**options.extra, dts_mainline.HIDE: frozenset({item.path})})
    try:
        text = (_STATE["tree"] / item.path).read_text(encoding="utf-8", errors="replace")
        recent, root = binding_flags(text) if item.kind == "binding" else (False, False)
        (series,) = load_bytes(render_example(spec_for(item, text), "accepted"), item.path)
        report = check_series(series, _STATE["rules"], options)
    except Exception as exc:  # a crash on accepted code is a finding of the bench itself
        return Result(item, False, False, (), error=f"{type(exc).__name__}: {exc}")
    hits = tuple(Hit(f.rule, f.severity, f.line, f.message, f.text or "") for f in report.findings)
    return Result(item, recent, root, hits)


def run(items: list[Item], tree: str, jobs: int, use_index: bool, dts_as_new: bool = False) -> list[Result]:
    if jobs <= 1:
        _init(tree, use_index, dts_as_new)
        return [check_item(i) for i in items]
    from multiprocessing import get_context

    with get_context("fork").Pool(jobs, _init, (tree, use_index, dts_as_new)) as pool:
        return pool.map(check_item, items, chunksize=16)


# -- reporting ----------------------------------------------------------------

def counted(r: Result) -> list[Hit]:
    return [h for h in r.hits if h.severity in ("warning", "error") and h.rule not in NOT_COUNTED]


def summary(label: str, results: list[Result]) -> None:
    if not results:
        print(f"  {label:<28} (none)")
        return
    n = len(results)
    total = sum(len(counted(r)) for r in results)
    quiet = sum(1 for r in results if not counted(r))
    errors = sum(1 for r in results for h in counted(r) if h.severity == "error")
    print(f"  {label:<28} files {n:5}  warnings+errors {total:5}  per file {total / n:.3f}  "
          f"errors {errors:4}  quiet {100 * quiet / n:5.1f} %")


def per_rule(results: list[Result]) -> None:
    files = defaultdict(set)
    by_sev = Counter()
    for r in results:
        for h in counted(r):
            by_sev[(h.rule, h.severity)] += 1
            files[h.rule].add(r.item.path)
    n = max(1, len(results))
    for (rule, sev), count in sorted(by_sev.items(), key=lambda kv: -kv[1]):
        print(f"    {rule:<40} {sev:<8} {count:5}  in {len(files[rule]):4} files  ({count / n:.3f} per file)")


def print_samples(results: list[Result], n: int, seed: int, only: str | None, tree: Path) -> None:
    pool = defaultdict(list)
    for r in results:
        for h in counted(r):
            if only is None or h.rule == only:
                pool[h.rule].append((r.item.path, h))
    for rule in sorted(pool):
        picks = random.Random(f"{seed}:{rule}").sample(pool[rule], min(n, len(pool[rule])))
        print(f"\n=== {rule}: {len(pool[rule])} findings, {len(picks)} seeded samples")
        for k, (path, h) in enumerate(picks, 1):
            print(f"[{k}] {path}:{h.line} {h.severity}: {h.message}")
            if h.text:
                print(f"      > {h.text.strip()[:160]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", help="kernel source tree (e.g. /work/kernel/linux-source-6.12)")
    ap.add_argument("--limit", type=int, default=None, help="a seeded sample of N bindings (default: all)")
    ap.add_argument("--dts", type=int, default=300, help="seeded sample of DTS files (0: none)")
    ap.add_argument("--drivers", type=int, default=300, help="seeded sample of drivers with an of_device_id table")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--sample", type=int, default=0, help="print N seeded findings per rule")
    ap.add_argument("--rule", default=None, help="with --sample: only this rule")
    ap.add_argument("--no-index", action="store_true", help="run without the tree's binding index")
    ap.add_argument("--list", action="store_true", help="print every counted finding")
    ap.add_argument("--dts-as-new", action="store_true",
                    help="wrap each DTS file under a path the tree lacks and hide the accepted file from "
                         "the tree-aware DTS rules' evidence (dts/schema, dts/node-name: only new problems), as "
                         "if the tree had never seen it; by default the patch adds the tree's own path, whose "
                         "tree version then counts as the file's pre-image")
    args = ap.parse_args()

    tree = Path(args.tree)
    if not (tree / BINDINGS).is_dir():
        print(f"bench_accepted: {tree} is not a kernel tree (no {BINDINGS})", file=sys.stderr)
        raise SystemExit(2)
    t0 = time.perf_counter()
    items = seeded(binding_items(tree), args.limit, args.seed)
    if args.dts:
        items += seeded(dts_items(tree), args.dts, args.seed)
    if args.drivers:
        items += seeded(driver_items(tree), args.drivers, args.seed)
    t1 = time.perf_counter()
    results = run(items, str(tree), args.jobs, not args.no_index, args.dts_as_new)
    t2 = time.perf_counter()

    by_kind = defaultdict(list)
    for r in results:
        by_kind[r.item.kind].append(r)
    bindings = by_kind["binding"]
    print(f"== bench_accepted on {tree} (seed {args.seed}, jobs {args.jobs}, "
          f"index {'off' if args.no_index else 'on'}): {len(items)} files, "
          f"picked in {t1 - t0:.1f} s, checked in {t2 - t1:.1f} s "
          f"({1000 * (t2 - t1) / max(1, len(items)):.0f} ms/file)")
    print("   counted: warnings+errors of every rule except " + ", ".join(sorted(NOT_COUNTED)))
    summary("bindings", bindings)
    summary("bindings, recent-style", [r for r in bindings if r.recent])
    summary("bindings, root/common", [r for r in bindings if r.root])
    summary("dts", by_kind["dts"])
    summary("drivers", by_kind["driver"])
    dts_rules = [h for r in by_kind["dts"] for h in counted(r) if h.rule.startswith("dts/")]
    drv_rules = [h for r in by_kind["driver"] for h in counted(r)
                 if h.rule.startswith("driver/") and h.rule != "driver/of-match-ptr"]
    if by_kind["dts"]:
        print(f"  dts/* per DTS file {len(dts_rules) / len(by_kind['dts']):.3f}")
    if by_kind["driver"]:
        print(f"  driver/* (not of-match-ptr) per driver file {len(drv_rules) / len(by_kind['driver']):.3f}")
    root_errors = [(r.item.path, h) for r in bindings if r.root for h in counted(r) if h.severity == "error"]
    print(f"  errors on root/common schemas: {len(root_errors)}")
    for path, h in root_errors[:20]:
        print(f"    {path}:{h.line} {h.rule}: {h.message[:100]}")
    crashed = [r for r in results if r.error]
    if crashed:
        print(f"  CRASHED on {len(crashed)} files, e.g. {crashed[0].item.path}: {crashed[0].error}")
    for kind in ("binding", "dts", "driver"):
        if by_kind[kind]:
            print(f"== per rule, {kind} files")
            per_rule(by_kind[kind])
    recent = [r for r in bindings if r.recent]
    if recent:
        print("== per rule, recent-style binding files")
        per_rule(recent)
    if args.list:
        for r in results:
            style = " [recent]" if r.recent else " [root]" if r.root else ""
            for h in counted(r):
                print(f"{r.item.path}:{h.line}{style} {h.severity} {h.rule}: {h.message}")
    if args.sample:
        print_samples(results, args.sample, args.seed, args.rule, tree)


if __name__ == "__main__":
    main()
