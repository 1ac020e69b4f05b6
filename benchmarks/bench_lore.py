#!/usr/bin/env python3
"""Time a check by Message-ID against a loopback lore: import, fetch, analysis.

Usage: python benchmarks/bench_lore.py [--corpus DIR] [--runs N]

Serves the Bao v1+v2 corpus threads as one thread (as lore has them) with
tests/fakelore.py, then measures
  * the whole `reviewtool check <msgid> --lore-url ...` process, without and
    with b4's cache;
  * in this process: importing (reviewtool, b4, liblore), the fetch through
    b4 (thread GET + the search for earlier revisions), grouping into
    revisions, the rules, and rendering JSON.
Prints figures; asserts nothing.  Never touches the internet (proxies point
at a closed port; only 127.0.0.1 is reached).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
V2_PATCH = "20260107162829.416885-4-joaopeixoto@osyx.tech"  # needs the v1 search
V2_COVER = "20260107162829.416885-1-joaopeixoto@osyx.tech"  # thread holds v1 already


def offline_env(cache: str) -> dict[str, str]:
    env = dict(os.environ, XDG_CACHE_HOME=cache, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[var] = "http://127.0.0.1:9"
    env.pop("REVIEWTOOL_LORE_URL", None)
    return env


def wall(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            sys.exit(f"check failed: {proc.stderr.decode().strip()}")
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        sys.exit(f"corpus not found at {corpus}")
    cache = tempfile.mkdtemp(prefix="bench-lore-cache-")
    env = offline_env(cache)
    os.environ.update(env)

    # In-process import time first, before anything else pulls the modules in.
    t0 = time.perf_counter()
    import b4  # noqa: F401
    import liblore  # noqa: F401

    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options, check_series
    from reviewtool.report import render
    from reviewtool.sources import lore as lore_source
    from reviewtool.sources.resolve import LoadOptions
    t_import = time.perf_counter() - t0

    sys.path.insert(0, str(REPO / "tests"))
    import fakelore

    server = fakelore.FakeLore([[corpus / "bao-v1.mbox", corpus / "bao-v2.mbox"]]).start()
    try:
        py = sys.executable
        print(f"== whole process: reviewtool check <msgid> --lore-url {server.base} (median/min of {args.runs})")
        for label, msgid in (("v2 patch (GET + v1 search)", V2_PATCH), ("v2 cover (GET only)", V2_COVER)):
            cmd = [py, "-m", "reviewtool", "check", msgid, "--lore-url", server.base, "--format", "json",
                   "--fail-on", "none"]
            before = len(server.requests)
            med, best = wall(cmd + ["--no-cache"], env, args.runs)
            per_run = (len(server.requests) - before) / args.runs
            print(f"  {label:<30} --no-cache {med * 1000:6.0f} ms (min {best * 1000:.0f})  "
                  f"{per_run:.0f} requests/run")
            subprocess.run(cmd, capture_output=True, env=env, check=False)  # warm b4's cache
            before = len(server.requests)
            med, best = wall(cmd, env, args.runs)
            per_run = (len(server.requests) - before) / args.runs
            print(f"  {label:<30} cached     {med * 1000:6.0f} ms (min {best * 1000:.0f})  "
                  f"{per_run:.0f} requests/run")

        print("== in-process split (v2 patch Message-ID, no cache; median of runs)")
        splits: dict[str, list[float]] = {k: [] for k in ("fetch", "group", "rules", "render")}
        t0 = time.perf_counter()
        rules = load_catalog()
        t_catalog = time.perf_counter() - t0
        for _ in range(args.runs):
            opts = LoadOptions(lore_url=server.base, no_cache=True)
            t1 = time.perf_counter()
            got = lore_source.fetch(V2_PATCH, opts)
            t2 = time.perf_counter()
            series = lore_source.to_series(got, None)
            t3 = time.perf_counter()
            reports = [check_series(s, rules, Options()) for s in series]
            t4 = time.perf_counter()
            render("json", reports, rules, io.StringIO())
            t5 = time.perf_counter()
            for key, value in zip(splits, (t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                splits[key].append(value)
        print(f"  {'import reviewtool+b4+liblore':<30} {t_import * 1000:6.0f} ms (once)")
        print(f"  {'load rule catalogue':<30} {t_catalog * 1000:6.0f} ms (once)")
        labels = {"fetch": "fetch (b4: GET thread, search v1)", "group": "group revisions (b4 parse)",
                  "rules": "analysis (all rules)", "render": "render JSON"}
        for key, values in splits.items():
            print(f"  {labels[key]:<30} {statistics.median(values) * 1000:6.0f} ms")
        n = len(series[0].patches)
        found = sum(1 for f in reports[0].findings if f.rule == "series/prior-feedback")
        print(f"  -> v{series[0].revision}, {n} patches, {len(got.messages)} messages fetched, "
              f"{found} prior-feedback findings")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
