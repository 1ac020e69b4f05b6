#!/usr/bin/env python3
"""A whole series against checkpatch.pl, CPU paired in one run (issue 11 item 3).

Usage: python benchmarks/bench_series_cpu.py KERNEL_TREE [--runs N] [--mbox FILE]

KERNEL_TREE is a Linux source tree with scripts/checkpatch.pl (e.g. Debian:
``apt-get install linux-source-6.12`` and extract
``/usr/src/linux-source-6.12.tar.xz``).  The series is the first complete
``[PATCH ... k/N]`` run of the mbox's non-reply mails (default: the 6-patch
binding + driver + DTS series "gpio: update i.MX93/8ULP and support i.MX95"
v2 of ``../shared/archive/dev``).  checkpatch gets the N patch mails in one
process, reviewtool an mbox of the same N mails in one process (``check
--format json``), back to back so both see the same machine load; the figure
is each child's user+system CPU (``os.wait4``).  Two pairs: both run from the
top of the tree (checkpatch reads the tree, reviewtool finds it as its
``--tree``), and both without a tree (``checkpatch --no-tree``, reviewtool
from an empty directory).  Target: <= 0.15x.  Asserts nothing.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_startup import paired  # noqa: E402  (the same pairing and CPU figure)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MBOX = REPO.parent / "shared" / "archive" / "dev" / "2023-09-gpio-update-i-mx93-8ulp-and-support-i-dcdaac59.mbox"
_PATCH = re.compile(r"^\[PATCH[^\]]*?\b(\d+)/(\d+)\]")


def series_mails(path: Path) -> list[bytes]:
    """The patch mails (no cover, no replies) of the first complete series in the mbox."""
    found: dict[int, bytes] = {}
    total = None
    for msg in mailbox.mbox(str(path)):
        subject = " ".join(str(msg.get("Subject", "")).split())
        m = _PATCH.match(subject)
        if not m or int(m.group(1)) == 0:
            continue
        k, n = int(m.group(1)), int(m.group(2))
        if total is None:
            total = n
        if n == total and k not in found:
            found[k] = msg.as_bytes(unixfrom=True)
    if total is None or sorted(found) != list(range(1, total + 1)):
        sys.exit(f"bench_series_cpu: no complete series in {path}")
    return [found[k] for k in sorted(found)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", help="kernel source tree (with scripts/checkpatch.pl)")
    ap.add_argument("--runs", type=int, default=5, help="pairs per figure (default 5)")
    ap.add_argument("--mbox", default=str(DEFAULT_MBOX), help="a thread mbox holding the series")
    args = ap.parse_args()
    tree = Path(args.tree).resolve()
    checkpatch = tree / "scripts" / "checkpatch.pl"
    if not checkpatch.is_file():
        sys.exit(f"bench_series_cpu: {checkpatch} not found")
    mails = series_mails(Path(args.mbox))
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-series-") as tmp:
        work = Path(tmp)
        files = []
        for i, data in enumerate(mails, 1):
            p = work / f"{i:04d}.patch"
            p.write_bytes(data)
            files.append(str(p))
        series = work / "series.mbox"
        series.write_bytes(b"".join(m if m.endswith(b"\n\n") else m + b"\n" for m in mails))
        empty = work / "empty"
        empty.mkdir()
        ours = [py, "-m", "reviewtool", "check", str(series), "--format", "json", "--fail-on", "none", "--no-config"]
        print(f"== {len(mails)}-patch series from {Path(args.mbox).name}: CPU (user+sys), median of {args.runs} pairs")
        paired("in the tree (tree used)", ["perl", str(checkpatch), "-q", *files], ours, tree, args.runs, 0.15)
        paired("no tree", ["perl", str(checkpatch), "-q", "--no-tree", *files], ours, empty, args.runs, 0.15)
        print("== where reviewtool's CPU goes (one process, in the tree, second run)")
        subprocess.run([py, "-c", _SPLIT, str(series), str(tree)], cwd=tree, check=False)


_SPLIT = """
import sys, time
t = time.process_time
t0 = t()
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.sources.mbox import load
from reviewtool.tree import SourceTree
t1 = t()
rules = load_catalog()
t2 = t()
(series,) = load(sys.argv[1])
t3 = t()
check_series(series, rules, Options(tree=SourceTree(sys.argv[2]).at(None)))
t4 = t()
check_series(series, rules, Options(tree=SourceTree(sys.argv[2]).at(None)))
t5 = t()
print(f"  imports {t1 - t0:.2f} s, catalogue {t2 - t1:.2f} s, mbox {t3 - t2:.2f} s, checks {t4 - t3:.2f} s "
      f"(again in the same process: {t5 - t4:.2f} s)")
"""


if __name__ == "__main__":
    main()
