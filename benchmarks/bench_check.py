#!/usr/bin/env python3
"""Start-up time and the time to check each corpus mbox.

Usage: python benchmarks/bench_check.py [--corpus DIR] [--runs N] [--against CHECKOUT]

Each figure is the median (and min) of N whole processes: wall time and CPU
time (user + system of the child).  CPU time is the figure to compare on a
shared machine; wall time also counts waiting for a core.

``--against CHECKOUT`` times another checkout of reviewtool (its own
``.venv``, e.g. a worktree of the commit before a change) on the same mboxes,
alternating the two run by run so both see the same load, and prints the
CPU ratio per mbox and in total: the before/after figure for a change.
Run it under ``nice`` on a busy machine.

Prints figures; asserts nothing (targets live here, not in unit tests).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _child_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def once(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one process."""
    c0, t0 = _child_cpu(), time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False, cwd=cwd)
    return time.perf_counter() - t0, _child_cpu() - c0


def measure(cmds: list[tuple[list[str], Path]], runs: int) -> list[tuple[list[float], list[float]]]:
    """Wall and CPU samples of each command, the commands alternating run by run."""
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in cmds]
    for _ in range(runs):
        for (cmd, cwd), (walls, cpus) in zip(cmds, out):
            w, c = once(cmd, cwd)
            walls.append(w)
            cpus.append(c)
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} ms (min {min(values) * 1000:.0f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--against", metavar="CHECKOUT",
                    help="another reviewtool checkout (with its own .venv) to time run by run against this one")
    args = ap.parse_args()
    here = (sys.executable, REPO)
    sides = [here]
    if args.against:
        other = Path(args.against).resolve()
        py = other / ".venv" / "bin" / "python"
        if not py.is_file():
            sys.exit(f"bench_check: {py} not found (make the checkout's venv first)")
        sides.append((str(py), other))

    def cmds(*argv: str) -> list[tuple[list[str], Path]]:
        return [([py, "-m", "reviewtool", *argv], cwd) for py, cwd in sides]

    labels = ["this"] + (["against"] if args.against else [])
    print(f"== start-up (whole process, median/min of {args.runs} runs; wall, then CPU)")
    for label, argv in [("reviewtool --help", ("--help",)), ("reviewtool --version", ("--version",))]:
        for side, (walls, cpus) in zip(labels, measure(cmds(*argv), args.runs)):
            print(f"  {label:<24} {side:<8} wall {ms(walls)}  CPU {ms(cpus)}")

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus not found at {corpus}; skipping per-mbox timings")
        return
    print("== check each corpus mbox (whole process, --format json; CPU median, min)")
    totals = [0.0 for _ in sides]
    for mbox in sorted(corpus.glob("*.mbox")):
        results = measure(cmds("check", str(mbox), "--no-config", "--format", "json", "--fail-on", "none"), args.runs)
        cells = []
        for i, (side, (_walls, cpus)) in enumerate(zip(labels, results)):
            totals[i] += statistics.median(cpus)
            cells.append(f"{side} {ms(cpus)}")
        ratio = (f"  x{statistics.median(results[0][1]) / statistics.median(results[1][1]):.2f}"
                 if len(results) == 2 else "")
        print(f"  {mbox.name:<38} " + "  ".join(cells) + ratio)
    summary = "  ".join(f"{side} {t * 1000:.0f} ms" for side, t in zip(labels, totals))
    ratio = f"  (this/against x{totals[0] / totals[1]:.3f})" if len(totals) == 2 else ""
    print(f"  {'sum of CPU medians':<38} {summary}{ratio}")

    print("== in-process split for bao-v2.mbox (import / parse / rules)")
    t0 = time.perf_counter()
    from reviewtool.catalog import load_catalog
    from reviewtool.engine import check_series
    from reviewtool.sources import mbox as mbox_source

    rules = load_catalog()
    t1 = time.perf_counter()
    series = mbox_source.load(str(corpus / "bao-v2.mbox"))
    t2 = time.perf_counter()
    for s in series:
        check_series(s, rules)
    t3 = time.perf_counter()
    series = mbox_source.load(str(corpus / "bao-v2.mbox"))
    for s in series:
        check_series(s, rules)
    t4 = time.perf_counter()
    print(f"  catalogue load {1000 * (t1 - t0):.0f} ms, parse (b4 import + mail) {1000 * (t2 - t1):.0f} ms, "
          f"rules {1000 * (t3 - t2):.0f} ms, second full pass {1000 * (t4 - t3):.0f} ms")


if __name__ == "__main__":
    main()
