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
b4 hook mode, run from the top of the tree as b4 does).  The hook figures
come in process (``REVIEWTOOL_WORKER=0``) and through the resident worker
(``reviewtool.worker``, in a private ``XDG_RUNTIME_DIR``), where each run
counts the caller's CPU plus the CPU the worker's child reported for it
(``REVIEWTOOL_WORKER_CPU_LOG``); the worker's own start is printed apart, as
it is paid once per idle period, not per patch.  Each is given twice: the first run on a patch (``REVIEWTOOL_NO_RESULT_CACHE=1``: the
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
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATCH = REPO.parent / "shared" / "corpus" / "geniezone-v3-binding-patch.mbox"
# What b4 runs per patch by default (b4.am-perpatch-check-cmd).
CHECKPATCH_HOOK = ["-q", "--terse", "--no-summary", "--mailback", "--showfile"]


KEEP_ENV = False  # --as-is


WORKER_LOG: Path | None = None  # REVIEWTOOL_WORKER_CPU_LOG of the worker figures
SERVED = [0, 0]  # worker figures: runs the worker served, runs in all


def cpu(cmd: list[str], cwd: Path, stdin: bytes | None = None, extra_env: dict[str, str] | None = None) -> float:
    """User+system CPU seconds of one child process (and the children it waited
    for), plus, when a resident worker served it, the CPU the worker's child
    reported (see reviewtool.worker: its own, its subprocesses', the fork)."""
    env = dict(os.environ, NO_COLOR="1", **(extra_env or {}))
    logged = 0.0
    log = env.get("REVIEWTOOL_WORKER_CPU_LOG")
    if log:
        Path(log).write_text("")
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
    if log:
        lines = Path(log).read_text().split()
        logged = sum(float(x) for x in lines)
        SERVED[0] += bool(lines)
        SERVED[1] += 1
    return usage.ru_utime + usage.ru_stime + logged


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
    alone = {"REVIEWTOOL_WORKER": "0"}
    paired("hook in process, first run", checkpatch_hook, ours + hook, tree, args.runs, 0.5, stdin=data,
           ours_env={**alone, "REVIEWTOOL_NO_RESULT_CACHE": "1"})
    paired("hook in process, re-run", checkpatch_hook, ours + hook, tree, args.runs, 0.5, stdin=data,
           ours_env=alone)
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as run_dir:
        worker = {"XDG_RUNTIME_DIR": run_dir}
        pid, started = start_worker(ours + hook, tree, data, worker)
        logged = {**worker, "REVIEWTOOL_WORKER_CPU_LOG": str(Path(run_dir) / "cpu.log")}
        try:
            paired("hook via worker, first run", checkpatch_hook, ours + hook, tree, args.runs, 0.5, stdin=data,
                   ours_env={**logged, "REVIEWTOOL_NO_RESULT_CACHE": "1"})
            paired("hook via worker, re-run", checkpatch_hook, ours + hook, tree, args.runs, 0.5, stdin=data,
                   ours_env=logged)
        finally:
            os.kill(pid, signal.SIGTERM)
    print(f"  worker start (imports and set-up, once per {IDLE_NOTE}): {started * 1000:.0f} ms CPU; "
          f"{SERVED[0]} of {SERVED[1]} worker-figure runs were served by it")
    print(f"  (hook patch: {patch.name}; 'first run' switches the binding tools' result cache off, "
          "'re-run' reads it as b4 prep --check does from the second run on; 'via worker' counts the "
          "caller's CPU plus what the worker's child reported for the call)")


IDLE_NOTE = "15 idle minutes"


def start_worker(cmd: list[str], tree: Path, data: bytes, env: dict[str, str]) -> tuple[int, float]:
    """Start a worker under ``env`` (the second hook call of a session starts
    it; a third waits for it to be ready) and return its pid and the CPU its
    start took (utime+stime from /proc, in clock ticks)."""
    cpu(cmd, tree, data, env)
    cpu(cmd, tree, data, env)  # the second call in a session starts the worker
    run_dir = Path(env["XDG_RUNTIME_DIR"]) / "reviewtool"
    deadline = time.monotonic() + 60
    while not list(run_dir.glob("*.sock")):
        if time.monotonic() > deadline:
            sys.exit("bench_startup: the hook worker did not start")
        time.sleep(0.05)
    cpu(cmd, tree, data, env)  # queued until the worker has finished its preload
    from reviewtool.worker import workers_under

    for pid in workers_under(str(run_dir)):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    sys.exit("bench_startup: the hook worker's process was not found")


if __name__ == "__main__":
    main()
