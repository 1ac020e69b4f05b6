#!/usr/bin/env python3
"""Start-up and hook CPU against checkpatch, paired in one run (issue 13 item 9).

Usage: python benchmarks/bench_startup.py KERNEL_TREE [--runs N] [--patch FILE]

KERNEL_TREE is a Linux source tree with scripts/checkpatch.pl (e.g. Debian:
``apt-get install linux-source-6.12`` and extract
``/usr/src/linux-source-6.12.tar.xz``).  Each pair runs checkpatch and then
reviewtool back to back, so both see the same machine load; the figure is
user+system CPU of the child process (``os.wait4``), not wall time.  Printed:
the median CPU of each side and the median of the per-pair ratios, against
the targets (<= 1.0x ``checkpatch --help`` for ``--help``, ``check --help``
and ``rules``; <= 0.5x checkpatch on the same patch for one binding patch in
b4 hook mode, run from the top of the tree as b4 does).  The hook figure is
given twice: the first run on a patch (``REVIEWTOOL_NO_RESULT_CACHE=1``: the
binding tools' result cache off, every other cache as usual) and a re-run
(the cache filled by the warm-up run, as on every ``b4 prep --check`` after
the first).  Both run ``python -m reviewtool``, i.e. reviewtool.entry, the
installed script's entry point.

reviewtool runs as an installed tool does: with Python's bytecode cache.
``PYTHONDONTWRITEBYTECODE`` is dropped from its environment (the warm-up run
writes the ``.pyc`` files a pip install would have), else every run would
compile each of its modules from source; ``--as-is`` keeps the environment
as it is.

The default patch is the single binding patch of
``../shared/corpus/geniezone-v3-binding-patch.mbox``.  Asserts nothing:
targets live here, not in unit tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATCH = REPO.parent / "shared" / "corpus" / "geniezone-v3-binding-patch.mbox"
# What b4 runs per patch by default (b4.am-perpatch-check-cmd).
CHECKPATCH_HOOK = ["-q", "--terse", "--no-summary", "--mailback", "--showfile"]


KEEP_ENV = False  # --as-is


def cpu(cmd: list[str], cwd: Path, stdin: bytes | None = None, extra_env: dict[str, str] | None = None) -> float:
    """User+system CPU seconds of one child process (and the children it waited for)."""
    env = dict(os.environ, NO_COLOR="1", **(extra_env or {}))
    if not KEEP_ENV:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if stdin is not None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped by wait4
    return usage.ru_utime + usage.ru_stime


def paired(label: str, base: list[str], ours: list[str], cwd: Path, runs: int, target: float,
           stdin: bytes | None = None, ours_env: dict[str, str] | None = None) -> None:
    cpu(base, cwd, stdin)  # warm the page cache for both sides
    cpu(ours, cwd, stdin, ours_env)
    b, o = [], []
    for _ in range(runs):
        b.append(cpu(base, cwd, stdin))
        o.append(cpu(ours, cwd, stdin, ours_env))
    ratio = statistics.median(x / y for x, y in zip(o, b) if y > 0)
    verdict = "meets" if ratio <= target else "MISSES"
    print(f"  {label:<34} checkpatch {statistics.median(b) * 1000:6.0f} ms   reviewtool "
          f"{statistics.median(o) * 1000:6.0f} ms   ratio {ratio:4.2f}x  ({verdict} <= {target:g}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", help="kernel source tree (with scripts/checkpatch.pl)")
    ap.add_argument("--runs", type=int, default=7, help="pairs per figure (default 7)")
    ap.add_argument("--patch", default=str(DEFAULT_PATCH), help="one binding patch as mail (mbox)")
    ap.add_argument("--as-is", action="store_true",
                    help="keep PYTHONDONTWRITEBYTECODE if set (every run compiles reviewtool from source)")
    args = ap.parse_args()
    global KEEP_ENV
    KEEP_ENV = args.as_is
    tree = Path(args.tree).resolve()
    checkpatch = tree / "scripts" / "checkpatch.pl"
    if not checkpatch.is_file():
        sys.exit(f"bench_startup: {checkpatch} not found")
    patch = Path(args.patch)
    if not patch.is_file():
        sys.exit(f"bench_startup: {patch} not found")
    py = sys.executable
    ours = [py, "-m", "reviewtool"]
    help_cmd = ["perl", str(checkpatch), "--help"]
    cache = "as-is" if KEEP_ENV or "PYTHONDONTWRITEBYTECODE" not in os.environ else "bytecode cache on"
    print(f"== CPU (user+sys), median of {args.runs} pairs; {py} ({cache})")
    for label, cmd in [("reviewtool --help", ["--help"]), ("reviewtool check --help", ["check", "--help"]),
                       ("reviewtool rules", ["rules", "--no-config"])]:
        paired(label, help_cmd, ours + cmd, REPO, args.runs, 1.0)
    data = patch.read_bytes()
    hook = ["check", "-", "--format", "terse", "--no-config"]
    checkpatch_hook = ["perl", str(checkpatch), *CHECKPATCH_HOOK, "-"]
    paired("hook, first run on the patch", checkpatch_hook, ours + hook, tree, args.runs, 0.5, stdin=data,
           ours_env={"REVIEWTOOL_NO_RESULT_CACHE": "1"})
    paired("hook, re-run (results cached)", checkpatch_hook, ours + hook, tree, args.runs, 0.5, stdin=data)
    print(f"  (hook patch: {patch.name}; 'first run' switches the binding tools' result cache off, "
          "'re-run' reads it as b4 prep --check does from the second run on)")


if __name__ == "__main__":
    main()
