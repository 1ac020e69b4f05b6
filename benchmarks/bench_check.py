#!/usr/bin/env python3
"""Start-up time and the time to check each corpus mbox.

Usage: python benchmarks/bench_check.py [--corpus DIR] [--runs N]
Prints figures; asserts nothing (targets live here, not in unit tests).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    py = sys.executable

    print("== start-up (whole process, median/min of runs)")
    for label, cmd in [
        ("python -c pass", [py, "-c", "pass"]),
        ("reviewtool --help", [py, "-m", "reviewtool", "--help"]),
        ("reviewtool --version", [py, "-m", "reviewtool", "--version"]),
    ]:
        med, best = wall(cmd, args.runs)
        print(f"  {label:<28} {med * 1000:7.0f} ms  (min {best * 1000:.0f} ms)")

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus not found at {corpus}; skipping per-mbox timings")
        return
    print("== check each corpus mbox (whole process, --format json)")
    total = 0.0
    for mbox in sorted(corpus.glob("*.mbox")):
        med, best = wall([py, "-m", "reviewtool", "check", str(mbox), "--format", "json", "--fail-on", "none"],
                         args.runs)
        total += med
        print(f"  {mbox.name:<42} {med * 1000:7.0f} ms  (min {best * 1000:.0f} ms)")
    print(f"  {'sum of medians':<42} {total * 1000:7.0f} ms")

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
