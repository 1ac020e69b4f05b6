"""Does reviewtool's binding/example-schema agree with the real ``make dt_binding_check``?

Usage:
    python benchmarks/bench_bot_agreement.py KERNEL_TREE [--n 120] [--mutated 90] [--seed 11]
                                             [--work DIR] [--jobs 1]

KERNEL_TREE is a Linux source tree (Debian: ``apt-get install linux-source-6.12``
and extract ``/usr/src/linux-source-6.12.tar.xz``).  ``make dt_binding_check``
needs a host C compiler, flex and bison (the kernel builds its own dtc), and
dtschema's tools (``dt-validate``, ``dt-mk-schema``...) and yamllint on PATH:
run this script with the venv's ``bin`` on PATH.  Not in CI; the tests never
need a tree.

What it does: picks ``--n`` bindings with examples (seeded), applies one
seeded mutation to the examples of ``--mutated`` of them (``too-many``: a
second entry in the device node's reg/interrupts/clocks; ``unknown-prop``:
an undefined vendor property; ``missing-required``: the first required
property other than compatible dropped) and leaves the rest unchanged; then
judges each binding with the real make target and with reviewtool (the
binding as a new-file patch, ``--tree`` = the unmodified tree) and prints
agreement per mutation kind and the CPU time of both.

The real run works on a hard-linked copy of the tree (a mutated file is
replaced, never written in place, so the original is untouched) with
``O=<work>/out``.  The processed schema is built once; a mutation only
touches ``examples:``, which the processed schema does not contain, so each
mutated file gets the processed schema's mtime minus a minute and make does
not rebuild it for every binding (that rebuild is what takes ~47 s).
make exits 0 even when dt-validate reports errors, so its verdict is read
from its output: any warning or error line naming the binding's example.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BINDINGS = "Documentation/devicetree/bindings"
KINDS = ("too-many", "unknown-prop", "missing-required")


# -- choosing and mutating ---------------------------------------------------------

def candidates(tree: Path) -> list[str]:
    out = []
    for p in sorted((tree / BINDINGS).rglob("*.yaml")):
        rel = str(p.relative_to(tree))
        if "/schemas/" in rel or rel.endswith(("vendor-prefixes.yaml",)):
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r"^examples:", text, re.M) and re.search(r"^required:", text, re.M):
            out.append(rel)
    return out


def _own_node(text: str):
    """(block, node) of the first example node carrying one of the binding's compatibles."""
    from reviewtool.artifacts.schema_facts import example_blocks
    import ruamel.yaml

    data = ruamel.yaml.YAML(typ="safe").load(text)
    own = set()
    comp = (data or {}).get("properties", {}).get("compatible") if isinstance(data, dict) else None
    for s in re.findall(r"['\"]?([a-z0-9][a-z0-9,._+-]*,[a-z0-9._+-]+)['\"]?", str(comp)):
        own.add(s)
    for block in example_blocks(text):
        for node in block.dts.nodes():
            if set(node.compatibles()) & own:
                return data, block, node
    return data, None, None


def mutate(text: str, kind: str, rng: random.Random) -> str | None:
    """The binding text with one mutation in its examples, or None when it does not apply."""
    data, block, node = _own_node(text)
    if block is None:
        return None
    lines = text.split("\n")
    indent = " " * (len(block.raw(node.line)) - len(block.raw(node.line).lstrip()) + 4)
    if kind == "too-many":
        for name in ("reg", "interrupts", "clocks"):
            p = node.prop(name)
            if p is not None and p.line == p.end_line and p.values and p.values[0].kind == "cells":
                i = block.post_line(p.line) - 1
                lines[i] = lines[i].rstrip().rstrip(";") + ", " + p.values[0].text + ";"
                return "\n".join(lines)
        return None
    if kind == "unknown-prop":
        comp = node.prop("compatible")
        if comp is None or comp.end_line is None:
            return None
        i = block.post_line(comp.end_line)
        lines.insert(i, f"{indent}vendor,bench-bogus-{rng.randint(1, 99)} = <1>;")
        return "\n".join(lines)
    if kind == "missing-required":
        required = [r for r in (data.get("required") or []) if r != "compatible"]
        for name in required:
            p = node.prop(str(name))
            if p is not None and p.line == p.end_line:
                del lines[block.post_line(p.line) - 1]
                return "\n".join(lines)
        return None
    raise ValueError(kind)


# -- the real make target ------------------------------------------------------------

def setup_copy(tree: Path, work: Path) -> Path:
    linux = work / "linux"
    if not linux.is_dir():
        linux.mkdir(parents=True)
        for entry in tree.iterdir():
            if entry.name == ".git":
                continue
            subprocess.run(["cp", "-al", str(entry), str(linux / entry.name)], check=True)
    return linux


def replace_file(path: Path, text: str, mtime: float | None) -> None:
    tmp = path.with_name(path.name + ".bench-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a new inode: the hard-linked original is untouched
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_make(linux: Path, out: Path, rel: str, jobs: int) -> tuple[bool, str, float]:
    schema_rel = rel[len(BINDINGS) + 1:]
    for suffix in (".example.dts", ".example.dtb"):
        stale = out / (rel[:-5] + suffix)
        stale.unlink(missing_ok=True)
    before = children_cpu()
    proc = subprocess.run(["make", f"-j{jobs}", f"O={out}", "dt_binding_check", f"DT_SCHEMA_FILES={schema_rel}"],
                          cwd=linux, capture_output=True, text=True)
    cpu = children_cpu() - before
    output = proc.stdout + proc.stderr
    stem = Path(rel).stem
    bad = [ln for ln in output.splitlines()
           if stem in ln and re.search(r"(?i)\b(error|warning)\b|example\.dtb: ", ln)
           and "make" not in ln.split(":", 1)[0]]
    return bool(bad) or proc.returncode != 0, "\n".join(bad[:5]) or output[-500:], cpu


# -- reviewtool -----------------------------------------------------------------------

def run_reviewtool(rel: str, text: str, tree: Path) -> tuple[bool, list[str], float]:
    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options, check_series
    from reviewtool.examples import render_example
    from reviewtool.sources.mbox import load_bytes
    from reviewtool.tree import SourceTree

    rules = [r for r in load_catalog() if r.id == "binding/example-schema"]
    spec = {"subject": f"dt-bindings: Add {Path(rel).stem}", "files": {rel: text}}
    start = time.process_time()
    (series,) = load_bytes(render_example(spec, "bench"), "bench")
    findings = check_series(series, rules, Options(tree=SourceTree(tree).at(None))).findings
    cpu = time.process_time() - start
    errors = [f"{f.line}: {f.message}" for f in findings if f.severity == "error"]
    return bool(errors), errors, cpu


# -- main ---------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--mutated", type=int, default=90)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-bot-agreement"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    tree = args.tree.resolve()
    if not (tree / BINDINGS).is_dir():
        print(f"{tree}: not a kernel tree", file=sys.stderr)
        return 2
    for tool in ("dt-validate", "dt-mk-schema", "yamllint", "make", "cc", "flex", "bison"):
        if shutil.which(tool) is None:
            print(f"make dt_binding_check cannot run here: {tool} is not on PATH", file=sys.stderr)
            return 2

    rng = random.Random(args.seed)
    pool = candidates(tree)
    rng.shuffle(pool)
    plan: list[tuple[str, str, str]] = []  # (rel, kind, text)
    want_mut = args.mutated
    want_ctl = args.n - args.mutated
    for rel in pool:
        if want_mut <= 0 and want_ctl <= 0:
            break
        text = (tree / rel).read_text(encoding="utf-8")
        if want_mut > 0:
            kind = KINDS[len([p for p in plan if p[1] != "unchanged"]) % len(KINDS)]
            try:
                new = mutate(text, kind, rng)
            except Exception:
                new = None
            if new is not None:
                plan.append((rel, kind, new))
                want_mut -= 1
                continue
        if want_ctl > 0:
            plan.append((rel, "unchanged", text))
            want_ctl -= 1

    rng.shuffle(plan)  # controls interleaved: a partial run is still a fair sample
    linux = setup_copy(tree, args.work)
    out = args.work / "out"
    # Build the processed schema once (from the unmodified bindings).
    first = plan[0][0]
    t0 = children_cpu()
    run_make(linux, out, first, args.jobs)
    setup_cpu = children_cpu() - t0
    schema_json = out / BINDINGS / "processed-schema.json"
    old = (schema_json.stat().st_mtime - 60) if schema_json.exists() else None

    rows = []
    make_cpu = rt_cpu = 0.0
    for rel, kind, text in plan:
        original = (tree / rel).read_text(encoding="utf-8")
        replace_file(linux / rel, text, old)
        try:
            m_fail, m_why, m_cpu = run_make(linux, out, rel, args.jobs)
        finally:
            replace_file(linux / rel, original, old)
        r_fail, r_why, r_cpu = run_reviewtool(rel, text, tree)
        make_cpu += m_cpu
        rt_cpu += r_cpu
        rows.append((rel, kind, m_fail, r_fail))
        if args.verbose or m_fail != r_fail:
            print(f"{'AGREE' if m_fail == r_fail else 'DIFFER'} {kind:16} make={'fail' if m_fail else 'pass'} "
                  f"reviewtool={'fail' if r_fail else 'pass'} cpu make={m_cpu:.2f}s rt={r_cpu:.2f}s {rel}", flush=True)
            if m_fail != r_fail:
                print("   make:", m_why.replace("\n", "\n         ")[:600])
                print("   reviewtool:", "; ".join(r_why)[:600])

    by_kind: dict[str, list] = defaultdict(list)
    for row in rows:
        by_kind[row[1]].append(row)
    print(f"\n{'kind':18} {'n':>4} {'agree':>6} {'%':>6} {'make fails':>10} {'rt fails':>9}")
    for kind in (*KINDS, "unchanged"):
        rs = by_kind.get(kind, [])
        if not rs:
            continue
        agree = sum(1 for r in rs if r[2] == r[3])
        print(f"{kind:18} {len(rs):4} {agree:6} {100 * agree / len(rs):5.1f}% {sum(r[2] for r in rs):10} "
              f"{sum(r[3] for r in rs):9}")
    agree = sum(1 for r in rows if r[2] == r[3])
    print(f"{'all':18} {len(rows):4} {agree:6} {100 * agree / max(len(rows), 1):5.1f}%")
    unchanged_errors = sum(1 for r in by_kind.get("unchanged", []) if r[3])
    print(f"reviewtool errors on unchanged bindings: {unchanged_errors}")
    print(f"CPU: make dt_binding_check {make_cpu:.1f} s (+ {setup_cpu:.1f} s first build), "
          f"reviewtool {rt_cpu:.1f} s, ratio {rt_cpu / make_cpu if make_cpu else float('nan'):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
