#!/usr/bin/env python3
"""Throughput, start-up and memory of ``check`` and ``triage`` on a generated queue.

Usage: python benchmarks/bench_triage.py [--series N] [--jobs N] [--checkpatch PATH]
                                         [--spawn] [--skip-memory] [--keep DIR]

Generates a realistic mailbox (benchmarks/gen_mailbox.py), then prints, side by
side: patches per second (and per minute) for ``check`` and for ``triage`` at
1 and N jobs (fork and spawn start methods), CPU seconds, the peak RSS of the
largest process (ru_maxrss of waited-for children), ``reviewtool --help``
start-up time, peak memory of ``triage`` on queues of growing size (it should
stay flat), and with ``--checkpatch`` the time checkpatch.pl takes on the same
patch mails.  Every rule runs (binding rules with dt-schema and yamllint
included) except in the memory-scaling runs, which use one cheap rule so that
the pipeline's own memory is what grows, or not.

The default queue is the full one (250 series, >= 1,000 patch mails); the
run stays under two minutes on a 2-core machine by timing the spawn start
method only with ``--spawn`` and measuring memory on small queues (40, 80,
160 series).  ``--series N`` times a smaller queue instead.  The machine may be shared: CPU seconds are printed next to
wall times because they are less disturbed by other load.  Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import email
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_mailbox  # noqa: E402

PY = sys.executable
TARGET_PER_MIN = 600
HELP_TARGET_MS = 150


def run_measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run one command in a fresh wrapper so ru_maxrss covers only its processes."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "wall = time.perf_counter() - t\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "json.dump({'rc': p.returncode, 'wall': wall, 'cpu': ru.ru_utime + ru.ru_stime, 'maxrss_kb': ru.ru_maxrss,\n"
        "           'stdout': p.stdout.decode(errors='replace'), 'stderr': p.stderr.decode(errors='replace')[-400:]},\n"
        "          sys.stdout)\n"
    )
    out = subprocess.run([PY, "-c", probe, *cmd], capture_output=True, env={**os.environ, **(env or {})}, text=True)
    res = json.loads(out.stdout)
    if res["rc"] not in (0, 1):
        print(f"  ! {' '.join(cmd[:4])} ... exited {res['rc']}: {res['stderr'].strip()}")
    return res


def startup(runs: int = 7) -> tuple[float, float, float]:
    def wall(cmd):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000, min(times) * 1000

    base, _ = wall([PY, "-c", "pass"])
    med, best = wall([PY, "-m", "reviewtool", "--help"])
    return base, med, best


def patch_mails(mbox: Path) -> list[bytes]:
    """The patch mails of the queue (those carrying a diff), as raw messages."""
    import mailbox

    out = []
    for msg in mailbox.mbox(str(mbox), factory=lambda fh: email.message_from_binary_file(fh)):
        payload = msg.get_payload(decode=True) or b""
        if b"\ndiff --git " in payload:
            out.append(msg.as_bytes())
    return out


def line(label: str, res: dict, patches: int) -> str:
    rate = patches / res["wall"] if res["wall"] else 0.0
    return (f"  {label:<30} {res['wall']:6.1f} s wall {res['cpu']:6.1f} s cpu ({1000 * res['cpu'] / patches:4.0f} ms/patch)"
            f"  {rate:5.1f} patches/s ({rate * 60:5.0f}/min)  peak RSS {res['maxrss_kb'] / 1024:4.0f} MiB")


def rows_of(res: dict) -> int:
    try:
        return len(json.loads(res["stdout"])["series"])
    except (ValueError, KeyError):
        return -1


def bench_checkpatch(path: str, mails: list[bytes], tmp: Path, jobs: int) -> None:
    files = []
    for i, raw in enumerate(mails):
        f = tmp / f"p{i:05d}.patch"
        f.write_bytes(raw)
        files.append(str(f))
    base = ["perl", path, "--no-tree", "--quiet", "--no-summary", "--show-types"]
    print(f"== checkpatch.pl on the same {len(files)} patch mails")
    t = time.perf_counter()
    subprocess.run(base + files, capture_output=True)
    one = time.perf_counter() - t
    print(f"  {'checkpatch, 1 process':<34} {one:7.1f} s wall  {len(files) / one:6.1f} patches/s "
          f"({len(files) / one * 60:6.0f}/min)")
    t = time.perf_counter()
    chunks = [files[i::jobs] for i in range(jobs)]
    procs = [subprocess.Popen(base + c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in chunks if c]
    for p in procs:
        p.wait()
    many = time.perf_counter() - t
    print(f"  {f'checkpatch, {jobs} processes':<34} {many:7.1f} s wall  {len(files) / many:6.1f} patches/s "
          f"({len(files) / many * 60:6.0f}/min)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--series", type=int, default=0,
                    help="time a smaller queue of N series instead of the full one (250 series, >= 1,000 patches)")
    ap.add_argument("--full", action="store_true", help="the full queue (the default; kept for old scripts)")
    ap.add_argument("--spawn", action="store_true", help="also time triage with the spawn start method")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="N for the parallel runs (default: CPUs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checkpatch", help="path of checkpatch.pl to time on the same patches")
    ap.add_argument("--skip-memory", action="store_true", help="skip the memory-scaling runs")
    ap.add_argument("--keep", help="write the generated mailboxes here instead of a temporary directory")
    args = ap.parse_args()
    started = time.perf_counter()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")

    with tempfile.TemporaryDirectory(prefix="reviewtool-bench-") as tmpdir:
        tmp = Path(args.keep) if args.keep else Path(tmpdir)
        tmp.mkdir(parents=True, exist_ok=True)
        full = not args.series
        series = 250 if full else args.series
        queue = tmp / f"queue-{series}.mbox"
        counts = gen_mailbox.generate(str(queue), series=series, seed=args.seed,
                                      min_patches=1000 if full else 0)
        patches = counts["patches"]
        print(f"queue: {queue.stat().st_size / 1e6:.1f} MB, {counts['messages']} messages, {counts['series']} series, "
              f"{counts['revisions']} revisions, {patches} patch mails, {counts['covers']} covers, "
              f"{counts['replies']} replies")

        print("== start-up (whole process, median of 7)")
        base, med, best = startup()
        print(f"  python -c pass {base:5.0f} ms; reviewtool --help {med:5.0f} ms (min {best:.0f}); "
              f"target <= {HELP_TARGET_MS} ms")

        print(f"== throughput, every rule on (patches = patch mails in the queue, {patches})")
        json_args = ["--format", "json", "--no-config"]
        check = run_measured([PY, "-m", "reviewtool", "check", str(queue), *json_args, "--fail-on", "none"])
        print(line("check (one process)", check, patches))
        tri1 = run_measured([PY, "-m", "reviewtool", "triage", str(queue), *json_args, "--jobs", "1"])
        print(line("triage --jobs 1", tri1, patches))
        results = {}
        for method in ("fork", "spawn") if args.spawn else ("fork",):
            results[method] = run_measured([PY, "-m", "reviewtool", "triage", str(queue), *json_args,
                                            "--jobs", str(args.jobs)], env={"REVIEWTOOL_TRIAGE_START": method})
            print(line(f"triage --jobs {args.jobs} ({method})", results[method], patches))
        same = all(tri1["stdout"] == r["stdout"] for r in results.values())
        print(f"  triage rows: {rows_of(tri1)}; JSON identical for --jobs 1 and {args.jobs}: {same}")
        best_rate = patches / min(r["wall"] for r in results.values()) * 60
        cpu_rate = patches / results["fork"]["cpu"] * 60 * args.jobs
        print(f"  triage at {args.jobs} jobs: {best_rate:.0f} patches/min wall (target >= {TARGET_PER_MIN}: "
              f"{'met' if best_rate >= TARGET_PER_MIN else 'NOT met'}); from CPU time, {cpu_rate:.0f}/min "
              f"if the {args.jobs} cores were free")

        if not args.skip_memory:
            print("== memory vs queue size (triage --jobs N, one cheap rule: the pipeline's own memory)")
            cheap = "subject/dt-bindings-prefix"
            for n in (40, 80, 160):
                q = tmp / f"mem-{n}.mbox"
                c = gen_mailbox.generate(str(q), series=n, seed=args.seed + 1)
                r = run_measured([PY, "-m", "reviewtool", "triage", str(q), *json_args, "--jobs", str(args.jobs),
                                  "--only", cheap])
                print(f"  {n:5d} series {c['messages']:6d} messages {q.stat().st_size / 1e6:6.1f} MB: "
                      f"peak RSS {r['maxrss_kb'] / 1024:6.1f} MiB, {r['wall']:5.1f} s")
                q.unlink()

        if args.checkpatch:
            bench_checkpatch(args.checkpatch, patch_mails(queue), tmp, args.jobs)
    print(f"benchmark total: {time.perf_counter() - started:.0f} s (load average {os.getloadavg()[0]:.2f} at the end)")


if __name__ == "__main__":
    main()
