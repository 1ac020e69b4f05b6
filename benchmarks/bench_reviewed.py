#!/usr/bin/env python3
"""How loud, and how right, is reviewtool on real reviewed patches it has not seen?

A seeded sample of threads of the review archive (``../shared/archive/dev``:
2023-2024 device-tree threads with every reply; README inside) is checked
as the submitter would check it before sending: each revision a thread
holds goes through the whole catalogue in process, without a kernel tree by
default (the patches are based on 2023-2024 trees; ``--tree`` adds one).
Per patch kind (a patch is a binding, DTS or driver patch by the files it
touches; several kinds count for each) it prints warnings+errors per patch
and per rule.

``--out FILE`` writes ``--sample`` seeded warnings/errors per rule with what
the maintainers replied to the same patch (their comments, and the quoted
line each was written under, the ones on the finding's file first), to be
read and judged: a finding is right when it is a true problem of the patch,
whether or not a maintainer said it.  Judgements go into the catalogue's
``precision`` entries and the issue's note, not into this script.

Counting leaves out ``binding/license``, ``binding/yamllint`` and
``binding/dt-schema`` as ``bench_accepted.py`` does (they are not run).

Usage: nice python benchmarks/bench_reviewed.py [--archive DIR] [--threads N]
       [--seed S] [--sample N] [--out FILE] [--rule PREFIX] [--tree TREE]
Prints figures; asserts nothing.  Not run in CI.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOT_COUNTED = frozenset({"binding/license", "binding/yamllint", "binding/dt-schema"})
KINDS = ("binding", "dts", "driver")


@dataclass(frozen=True)
class Checked:
    thread: str
    revision: int
    kinds: dict[int, frozenset[str]]  # patch n -> kinds of its files
    findings: tuple  # counted warnings/errors (reviewtool Finding)
    remarks: tuple  # reviewtool.history.Remark of this revision's replies
    subjects: dict[int, str]
    error: str | None = None


def patch_kinds(patch) -> frozenset[str]:
    """binding / dts / driver, by the files a patch touches."""
    out = set()
    for fc in patch.files:
        path = fc.path or ""
        if path.startswith("Documentation/devicetree/bindings/"):
            out.add("binding")
        elif path.startswith("arch/") and "/boot/dts/" in path:
            out.add("dts")
        elif path.endswith(".c") and path.startswith("drivers/"):
            out.add("driver")
    return frozenset(out)


def check_thread(path: Path, rules, options) -> list[Checked]:
    from reviewtool.engine import check_series
    from reviewtool.history import Settings, remarks_in
    from reviewtool.sources.mbox import load

    out = []
    try:
        revisions = load(str(path))
    except Exception as exc:  # a thread we cannot read is a finding of the bench itself
        return [Checked(path.name, 0, {}, (), (), {}, error=f"{type(exc).__name__}: {exc}")]
    for series in revisions:
        kinds = {p.n: patch_kinds(p) for p in series.patches}
        subjects = {p.n: p.full_subject for p in series.patches}
        try:
            report = check_series(series, rules, options)
            remarks = tuple(remarks_in(series, Settings()))
        except Exception as exc:
            out.append(Checked(path.name, series.revision, kinds, (), (), subjects, error=f"{type(exc).__name__}: {exc}"))
            continue
        counted = tuple(f for f in report.findings
                        if f.severity in ("warning", "error") and f.rule not in NOT_COUNTED and not f.status_note)
        out.append(Checked(path.name, series.revision, kinds, counted, remarks, subjects))
    return out


def figures(checked: list[Checked]) -> None:
    patches = {kind: 0 for kind in KINDS}
    hits = {kind: 0 for kind in KINDS}
    quiet = {kind: 0 for kind in KINDS}
    total_patches = 0
    by_rule = Counter()
    sev = {}
    for c in checked:
        per_patch = Counter(f.patch for f in c.findings)
        for n, kinds in c.kinds.items():
            total_patches += 1
            for kind in kinds:
                patches[kind] += 1
                hits[kind] += per_patch.get(n, 0)
                quiet[kind] += per_patch.get(n, 0) == 0
        for f in c.findings:
            by_rule[f.rule] += 1
            sev[f.rule] = f.severity
    total = sum(len(c.findings) for c in checked)
    print(f"  all patches                  patches {total_patches:5}  warnings+errors {total:5}  "
          f"per patch {total / max(1, total_patches):.3f}")
    for kind in KINDS:
        n = patches[kind]
        if n:
            print(f"  {kind + ' patches':<28} patches {n:5}  warnings+errors {hits[kind]:5}  "
                  f"per patch {hits[kind] / n:.3f}  quiet {100 * quiet[kind] / n:5.1f} %")
    print("== per rule (all patches)")
    for rule, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {rule:<40} {sev[rule]:<8} {count:5}  ({count / max(1, total_patches):.3f} per patch)")


def write_samples(checked: list[Checked], n: int, seed: int, only: str | None, out: Path) -> None:
    pool = defaultdict(list)
    for c in checked:
        for f in c.findings:
            if only is None or f.rule.startswith(only):
                pool[f.rule].append((c, f))
    lines: list[str] = []
    for rule in sorted(pool):
        items = pool[rule]
        picked = random.Random(f"{seed}:{rule}").sample(items, min(n, len(items)))
        lines.append(f"=== {rule}: {len(items)} findings, {len(picked)} seeded samples")
        for i, (c, f) in enumerate(picked, 1):
            lines.append(f"--- [{rule} #{i}] {c.thread} v{c.revision} patch {f.patch}: {c.subjects.get(f.patch, '')}")
            where = f"{f.path}:{f.line}" if f.path else f.anchor
            lines.append(f"{where} {f.severity}: {f.message}")
            if f.text:
                lines.append(f"    | {f.text}")
            replies = [r for r in c.remarks if r.patch == f.patch and not r.bot]
            replies.sort(key=lambda r: (r.path != f.path, r.date.timestamp() if r.date else 0.0))
            if not replies:
                lines.append("    (no reviewer comment on this patch)")
            for r in replies[:6]:
                lines.append(f"    > {r.author.name or r.author.email} on {r.path or '-'}: +{(r.target or '').strip()[:100]}")
                for cl in r.comment[:4]:
                    lines.append(f"    >>   {cl[:160]}")
        lines.append("")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", default=str(REPO.parent / "shared" / "archive" / "dev"))
    ap.add_argument("--threads", type=int, default=60, help="seeded sample of N threads (0: all)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--sample", type=int, default=8, help="seeded findings per rule written to --out")
    ap.add_argument("--out", help="file for the seeded findings with the maintainers' replies")
    ap.add_argument("--rule", help="with --out: only rules starting with this")
    ap.add_argument("--tree", help="a kernel tree for the tree-aware rules (the patches are 2023-2024)")
    args = ap.parse_args()

    archive = Path(args.archive)
    files = sorted(archive.glob("*.mbox"))
    if not files:
        print(f"bench_reviewed: no threads in {archive} (see ../shared/archive/README.md)", file=sys.stderr)
        raise SystemExit(2)
    if args.threads and args.threads < len(files):
        files = sorted(random.Random(args.seed).sample(files, args.threads))

    from dataclasses import replace

    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options

    rules = load_catalog()
    options = Options(disabled=NOT_COUNTED)
    if args.tree:
        from reviewtool.tree import SourceTree

        kt = SourceTree(args.tree)
        options = replace(options, tree=kt.at(None), tree_path=str(kt.root))
    t0 = time.perf_counter()
    checked: list[Checked] = []
    for path in files:
        checked.extend(check_thread(path, rules, options))
    wall = time.perf_counter() - t0
    errors = [c for c in checked if c.error]
    print(f"== bench_reviewed on {archive} (seed {args.seed}): {len(files)} threads, {len(checked)} revisions, "
          f"checked in {wall:.1f} s{', tree ' + args.tree if args.tree else ', no tree'}")
    print(f"   counted: warnings+errors of every rule except {', '.join(sorted(NOT_COUNTED))}; status notes not")
    figures(checked)
    for c in errors:
        print(f"  CRASH {c.thread} v{c.revision}: {c.error}")
    if args.out:
        write_samples(checked, args.sample, args.seed, args.rule, Path(args.out))
        print(f"== seeded samples written to {args.out}")


if __name__ == "__main__":
    main()
