#!/usr/bin/env python3
"""The long fuzz run of issue 15: N hostile inputs, counts per outcome.

Inputs come from the generators of ``tests/fuzzing.py`` (mail,
diffs, binding YAML, DTS and config, seeded from the corpus, the samples and
the fuzz reproducers, mutated).  Each input runs what ``reviewtool check``
does (JSON and email output, both validated) in a worker process; the
parent kills a worker that does not answer within --hard-timeout and
restarts one whose peak memory went over --memory.

Outcomes: report (exit 0/1), error (one-line InputError, exit 2),
internal-error (the last net caught it: a bug), traceback (an exception
escaped even that), multi-line (an error message that had to be flattened),
slow (> --slow seconds of wall time), slow-cpu (> --slow CPU seconds: what
counts on a shared machine), memory (peak RSS over --memory), hang (killed).

Usage: nice python benchmarks/fuzz.py [--n 10000] [--jobs 2] [--seed 0] [--kinds mail,diff,...]
Asserts nothing; prints figures.  Needs the test extra (hypothesis, imported by tests/fuzzing.py).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

GiB = 1 << 30


def generate(n: int, seed: int, kinds: list[str]) -> list[tuple[str, str]]:
    """n (kind, text) inputs, the kinds in turn, reproducibly for a seed (the
    generators of tests/fuzzing.py, drawn with random rather than hypothesis)."""
    import random

    import fuzzing

    rng = random.Random(seed)
    return [(kinds[i % len(kinds)], fuzzing.random_document(rng, kinds[i % len(kinds)])) for i in range(n)]


def _cpu() -> float:
    """CPU seconds of this worker and its children: on a shared machine the
    honest measure of a run's own cost (wall time counts the neighbours)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker(conn, hard_memory: int) -> None:
    import fuzzing

    import os

    import warnings

    resource.setrlimit(resource.RLIMIT_AS, (hard_memory, hard_memory))
    warnings.simplefilter("ignore")  # as reviewtool's main does: library warnings are not output
    os.environ["REVIEWTOOL_FROM"] = "Fuzz <fuzz@example.org>"  # no git config lookup per email render
    workdir = Path(tempfile.mkdtemp(prefix="reviewtool-fuzz-"))
    while True:
        task = conn.recv()
        if task is None:
            return
        kind, text = task
        start, cpu0 = time.perf_counter(), _cpu()
        try:
            outcome = fuzzing.run_one(kind, text, workdir)
            result = (outcome.kind, outcome.detail, outcome.multiline)
        except BaseException as exc:  # noqa: BLE001 - the net let something through
            result = ("traceback", "".join(traceback.format_exception_only(type(exc), exc))[:300], False)
        conn.send((*result, time.perf_counter() - start, _cpu() - cpu0, _peak_rss()))


class Pool:
    def __init__(self, jobs: int, hard_memory: int):
        self.hard_memory = hard_memory
        self.ctx = multiprocessing.get_context("fork")
        self.workers = [self._start() for _ in range(jobs)]

    def _start(self):
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=worker, args=(child, self.hard_memory), daemon=True)
        proc.start()
        return [proc, parent, None, 0.0, 0]  # process, pipe, task, started, tasks done

    def restart(self, i: int) -> None:
        proc = self.workers[i][0]
        proc.kill()
        proc.join()
        self.workers[i] = self._start()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default="mail,diff,binding,dts,config")
    ap.add_argument("--slow", type=float, default=10.0, help="seconds over which a run counts as slow")
    ap.add_argument("--memory", type=float, default=1.0, help="GiB of peak RSS over which a run counts")
    ap.add_argument("--hard-timeout", type=float, default=60.0, help="seconds after which a run is killed")
    ap.add_argument("--recycle", type=int, default=300, help="restart a worker after this many runs")
    args = ap.parse_args()
    kinds = args.kinds.split(",")

    t0 = time.perf_counter()
    tasks = generate(args.n, args.seed, kinds)
    print(f"generated {len(tasks)} inputs ({', '.join(kinds)}) in {time.perf_counter() - t0:.1f} s", flush=True)

    memory_limit = int(args.memory * GiB)
    pool = Pool(args.jobs, hard_memory=4 * GiB)
    counts: collections.Counter[str] = collections.Counter()
    by_kind: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    examples: dict[str, list[str]] = collections.defaultdict(list)
    slowest = slowest_cpu = 0.0
    pending = list(reversed(tasks))
    done = 0
    start = time.perf_counter()
    while pending or any(w[2] is not None for w in pool.workers):
        for i, w in enumerate(pool.workers):
            proc, pipe, task, started, _ = w
            if task is None and pending:
                w[2], w[3] = pending.pop(), time.perf_counter()
                pipe.send(w[2])
                continue
            if task is None:
                continue
            outcome = None
            if pipe.poll(0.05):
                try:
                    kind_out, detail, multiline, secs, cpu, peak = pipe.recv()
                except (EOFError, OSError):
                    kind_out, detail, multiline, secs, cpu, peak = "hang", "worker died", False, 0.0, 0.0, 0
                    pool.restart(i)
                outcome = [kind_out]
                if multiline:
                    outcome.append("multi-line")
                if secs > args.slow:
                    outcome.append("slow")
                    detail = f"{secs:.1f} s wall, {cpu:.1f} s CPU: {detail}"
                if cpu > args.slow:
                    outcome.append("slow-cpu")
                if peak > memory_limit:
                    outcome.append("memory")
                    pool.restart(i)
                slowest = max(slowest, secs)
                slowest_cpu = max(slowest_cpu, cpu)
            elif not proc.is_alive():
                outcome, detail = ["hang"], f"worker died (exit {proc.exitcode})"
                pool.restart(i)
            elif time.perf_counter() - started > args.hard_timeout:
                outcome, detail = ["hang", "slow"], f"killed after {args.hard_timeout:g} s"
                pool.restart(i)
            if outcome is None:
                continue
            w = pool.workers[i]
            w[4] += 1
            for o in outcome:
                counts[o] += 1
                by_kind[task[0]][o] += 1
                if o not in ("report", "error") and len(examples[o]) < 8:
                    examples[o].append(f"[{task[0]}] {detail[:200]!r} <- {task[1][:120]!r}")
            w[2] = None
            done += 1
            if w[4] >= args.recycle:
                pool.restart(i)
            if done % 500 == 0:
                print(f"  {done}/{len(tasks)} in {time.perf_counter() - start:.0f} s: {dict(counts)}", flush=True)
    for w in pool.workers:
        w[1].send(None)
    wall = time.perf_counter() - start
    print(f"\nruns: {done} in {wall:.0f} s ({args.jobs} workers); slowest run {slowest:.1f} s wall, "
          f"{slowest_cpu:.1f} s CPU")
    for name in ("report", "error", "internal-error", "traceback", "multi-line", "slow", "slow-cpu", "memory",
                 "hang"):
        print(f"  {name:15} {counts.get(name, 0)}")
    print("per kind: " + "; ".join(f"{k}: {dict(v)}" for k, v in sorted(by_kind.items())))
    for name, lines in examples.items():
        print(f"\n{name}:")
        for line in lines:
            print("  " + line)


if __name__ == "__main__":
    main()
