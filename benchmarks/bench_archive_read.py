#!/usr/bin/env python3
"""Is every series of the dev archive read?  Each revision of each thread.

For every thread file of ``../shared/archive/dev/`` (717 real threads), the
mail is read and grouped the way ``reviewtool check FILE`` does, then every
revision of every series in it is built (what ``check FILE --revision N``
loads) and, with ``--check``, checked with every rule.  A revision that
cannot be read is what ``check`` would answer with exit 2; anything else
than an InputError is a crash.

Usage: nice python benchmarks/bench_archive_read.py [--archive DIR] [--check] [--jobs N] [--limit N]
Prints counts per outcome and every failure; asserts nothing.  Too slow for CI
(about 10 minutes with --check on 2 cores).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def read_thread(args: tuple[str, bool]) -> list[tuple[str, str, str, float]]:
    """(file, 'vN of family', outcome, seconds) for each revision in one thread file."""
    path, check = args
    from reviewtool.errors import InputError
    from reviewtool.sources import mbox
    from reviewtool.sources.grouping import build_series, group_families, parse_messages

    out = []
    name = Path(path).name
    start = time.perf_counter()
    try:
        mails = parse_messages(mbox.read_messages(path), path)
        families = [f for f in group_families(mails) if f.revisions]
        if not families:
            return [(name, "-", "unread: no patches (only replies)", time.perf_counter() - start)]
    except InputError as exc:
        return [(name, "-", f"unread: {exc}", time.perf_counter() - start)]
    except Exception as exc:  # noqa: BLE001 - counted, not hidden
        return [(name, "-", f"crash: {type(exc).__name__}: {exc}", time.perf_counter() - start)]
    rules = _rules() if check else None
    for i, fam in enumerate(families):
        for rev in sorted(fam.revisions):
            t0 = time.perf_counter()
            label = f"family {i} v{rev}"
            try:
                series = build_series(fam, rev, path)
                if rules is not None:
                    from reviewtool.engine import Options, check_series

                    check_series(series, rules, Options())
                outcome = "read"
            except InputError as exc:
                outcome = f"unread: {exc}"
            except Exception as exc:  # noqa: BLE001
                outcome = f"crash: {type(exc).__name__}: {exc} @ {traceback.extract_tb(exc.__traceback__)[-1].name}"
            out.append((name, label, outcome, time.perf_counter() - t0))
    return out


_RULES = None


def _rules():
    global _RULES
    if _RULES is None:
        from reviewtool.catalog import load_catalog

        _RULES = load_catalog()
    return _RULES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archive", default=str(REPO.parent / "shared" / "archive" / "dev"))
    ap.add_argument("--check", action="store_true", help="also run every rule on every revision")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N thread files")
    args = ap.parse_args()
    files = sorted(str(p) for p in Path(args.archive).glob("*.mbox"))
    if args.limit:
        files = files[: args.limit]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = [r for rs in pool.imap_unordered(read_thread, [(f, args.check) for f in files], chunksize=4)
                   for r in rs]
    wall = time.perf_counter() - start
    kinds = collections.Counter(r[2].split(":", 1)[0] for r in results)
    threads_ok = {r[0] for r in results} - {r[0] for r in results if r[2] != "read"}
    print(f"archive: {args.archive} ({len(files)} thread files){' with --check' if args.check else ''}")
    print(f"revisions: {len(results)}; " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    print(f"threads with every revision read: {len(threads_ok)} of {len(files)}")
    print(f"wall: {wall:.1f} s; slowest revision: {max((r[3] for r in results), default=0):.1f} s")
    for name, label, outcome, secs in sorted(results):
        if outcome != "read":
            print(f"  {name} {label}: {outcome[:300]}")


if __name__ == "__main__":
    main()
