#!/usr/bin/env python3
"""A whole ``b4 am --check`` session: reviewtool's hook CPU against checkpatch's (issue 13 item 9).

Usage: python benchmarks/bench_b4_session.py KERNEL_TREE [--mbox FILE] [--rounds N]

bench_startup.py gives the per-patch figures; this gives what a user pays
for a series, first patch included.  b4 (the one installed next to this
Python) runs ``am --check`` on the mbox from the top of KERNEL_TREE (a git
work tree with scripts/checkpatch.pl, e.g. Debian's linux-source-6.12,
extracted and made a repository), once per side and round, each session with
a fresh b4 cache (b4 keeps check results for 30 days).  reviewtool's caches
are shared by all sessions and warmed by an untimed first one, as a user's
are after the first use on a tree; its result cache is off, so every patch
is checked as a first run.  The check
command is given through ``GIT_CONFIG_COUNT``, so the tree's configuration is
not touched.  Sides:

* ``true``: b4's own cost, subtracted from every other side;
* checkpatch, as b4 runs it by default;
* reviewtool in process (``REVIEWTOOL_WORKER=0``);
* reviewtool with the resident worker, first session: a fresh runtime
  directory, so the first two patches run in process and the second starts
  the worker; its start-up CPU (from /proc) is added;
* reviewtool with the worker already running (a second session within the
  worker's idle time, as when ``b4 am --check`` or ``b4 prep --check`` is
  run again after an edit).

CPU is user+system of b4 and everything it waited for (``os.wait4``), plus
what the worker's children reported (``REVIEWTOOL_WORKER_CPU_LOG``).
Asserts nothing: targets live here, not in unit tests.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MBOX = REPO.parent / "shared" / "corpus" / "bao-v2.mbox"
B4 = Path(sys.executable).with_name("b4")


def session(tree: Path, mbox: Path, check_cmd: str, work: Path, extra_env: dict[str, str]) -> float:
    """CPU seconds of one ``b4 am --check`` session with ``check_cmd`` as the per-patch check.

    b4's cache is new every time (else it would not run the checks again);
    reviewtool's is the one shared by all sessions (``work/reviewtool``,
    warmed by an untimed session first, as a user's is), with its result
    cache off, so that every patch is checked as a first run."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
    (cache / "reviewtool").symlink_to(work / "reviewtool", target_is_directory=True)
    env = dict(os.environ, REVIEWTOOL_NO_RESULT_CACHE="1", XDG_CACHE_HOME=str(cache), GIT_CONFIG_COUNT="2",
               GIT_CONFIG_KEY_0="b4.am-perpatch-check-cmd", GIT_CONFIG_VALUE_0=check_cmd,
               GIT_CONFIG_KEY_1="b4.attestation-policy", GIT_CONFIG_VALUE_1="off", NO_COLOR="1", **extra_env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    log = extra_env.get("REVIEWTOOL_WORKER_CPU_LOG")
    if log:
        Path(log).write_text("")
    proc = subprocess.Popen([str(B4), "--offline-mode", "am", "--check", "-m", str(mbox), "-o", str(work / "out")],
                            cwd=tree, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    if status != 0:
        sys.exit(f"bench_b4_session: b4 am --check failed ({check_cmd})")
    served = sum(float(x) for x in Path(log).read_text().split()) if log else 0.0
    return usage.ru_utime + usage.ru_stime + served


def worker_cpu(run_dir: Path) -> tuple[int | None, float]:
    """The worker under ``run_dir``: its pid and own CPU so far (its children are logged per call)."""
    from reviewtool.worker import workers_under

    for pid in workers_under(str(run_dir)):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None, 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", help="kernel git work tree (with scripts/checkpatch.pl)")
    ap.add_argument("--mbox", default=str(DEFAULT_MBOX), help="the series, as mail (default: corpus bao-v2.mbox)")
    ap.add_argument("--rounds", type=int, default=3, help="sessions per side (default 3)")
    args = ap.parse_args()
    tree = Path(args.tree).resolve()
    checkpatch = tree / "scripts" / "checkpatch.pl"
    mbox = Path(args.mbox).resolve()
    if not checkpatch.is_file() or not (tree / ".git").exists():
        sys.exit(f"bench_b4_session: {tree} is not a kernel git work tree with scripts/checkpatch.pl")
    if not mbox.is_file() or not B4.exists():
        sys.exit(f"bench_b4_session: {mbox} or {B4} not found")
    ours = f"{shlex.quote(sys.executable)} -m reviewtool check - --format terse"
    sides = {"true": [], "checkpatch": [], "in process": [], "worker, first session": [],
             "worker, running": []}
    starts = []
    with tempfile.TemporaryDirectory(prefix="bench-b4-") as tmp:
        work = Path(tmp)
        (work / "reviewtool").mkdir()
        tree_caches = session(tree, mbox, ours, work, {"REVIEWTOOL_WORKER": "0"})  # untimed warm-up
        for n in range(args.rounds):
            sides["true"].append(session(tree, mbox, "true", work, {}))
            sides["checkpatch"].append(session(
                tree, mbox, f"perl {checkpatch} -q --terse --no-summary --mailback --showfile -", work, {}))
            sides["in process"].append(session(tree, mbox, ours, work, {"REVIEWTOOL_WORKER": "0"}))
            run_dir = work / f"run-{n}"
            run_dir.mkdir(mode=0o700)
            logged = {"XDG_RUNTIME_DIR": str(run_dir), "REVIEWTOOL_WORKER_CPU_LOG": str(work / "cpu.log")}
            first = session(tree, mbox, ours, work, logged)
            pid, started = worker_cpu(run_dir)
            sides["worker, first session"].append(first + started)
            starts.append(started)
            sides["worker, running"].append(session(tree, mbox, ours, work, logged))
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
    base = statistics.median(sides["true"])
    cp = statistics.median(sides["checkpatch"]) - base
    print(f"== b4 am --check on {mbox.name}: hook CPU per session (b4's own {base * 1000:.0f} ms subtracted), "
          f"median of {args.rounds}")
    for name, runs in sides.items():
        if name == "true":
            continue
        hooks = statistics.median(runs) - base
        print(f"  {name:<24} {hooks * 1000:7.0f} ms   ratio to checkpatch {hooks / cp:4.2f}x")
    print(f"  (worker start-up, included in 'first session': {statistics.median(starts) * 1000:.0f} ms; "
          f"the untimed first session on this tree, building reviewtool's tree caches: "
          f"{(tree_caches - base) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
