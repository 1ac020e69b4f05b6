"""The ``archive add``, ``archive stats`` and ``learn`` commands: options in, figures out."""

from __future__ import annotations

import json
import os
import sys
import time
from types import SimpleNamespace

from ..errors import InputError
from .store import open_archive, resolve


def run_add(sources: list[str], query: str | None, archive: str | None, jobs: int | None, lore_url: str | None,
            timeout: float | None, no_cache: bool) -> int:
    from .add import add_sources

    if not sources and not query:
        raise InputError("nothing to add: give mbox files, maildirs, directories, Message-IDs, or --query")
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs must be at least 1 (got {jobs})")
    entered = time.perf_counter()
    db = open_archive(resolve(archive), create=True)
    opts = SimpleNamespace(lore_url=lore_url, timeout=timeout, no_cache=no_cache, revision=None, newer=False)
    got = add_sources(db, sources, query=query, opts=opts, jobs=jobs)
    seconds = time.perf_counter() - entered
    age = _since_start()
    if age is not None and age - seconds < 2.0:  # the command is this process (not a call inside a longer one)
        seconds = max(age, seconds)  # so its start-up counts too
    print(f"archive {resolve(archive)}: read {got.messages} messages from {got.files - got.skipped} files "
          f"({got.skipped} unchanged, skipped) in {seconds:.1f} s, the whole command "
          f"({got.messages / seconds:.0f} messages/s); {got.new_messages} new messages, {got.remarks} new remarks")
    return 0


def _since_start() -> float | None:
    """Seconds since this process started, so the rate printed counts the interpreter's start-up and
    imports too, not only the adding (Linux's /proc, 10 ms steps); None where that cannot be read."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19])  # field 22, starttime, in clock ticks
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - started / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def run_stats(archive: str | None, fmt: str) -> int:
    from .add import stats

    if fmt not in ("table", "json"):
        raise InputError(f"--format must be table or json (got {fmt!r})")
    db = open_archive(resolve(archive))
    if db is None:
        raise InputError(f"{resolve(archive)}: no archive yet (create one with 'reviewtool archive add')")
    got = stats(db)
    if fmt == "json":
        json.dump(got, sys.stdout, indent=2)
        print()
    else:
        width = max(len(k) for k in got)
        for k, v in got.items():
            print(f"{k.replace('_', ' '):<{width}}  {v}")
    return 0


def run_learn(archive: str | None, out: str, before: str | None, min_precision: float, fmt: str) -> int:
    from .learn import LearnSettings, learn, write_drafts

    if fmt not in ("table", "json"):
        raise InputError(f"--format must be table or json (got {fmt!r})")
    if not 0.0 <= min_precision <= 1.0:
        raise InputError(f"--min-precision must be between 0 and 1 (got {min_precision:g})")
    db = open_archive(resolve(archive))
    if db is None:
        raise InputError(f"{resolve(archive)}: no archive yet (create one with 'reviewtool archive add')")
    result = learn(db, LearnSettings(before=before, min_precision=min_precision))
    path = write_drafts(result.kept, out)
    if fmt == "json":
        json.dump({"written": str(path), "kept": [d.summary_dict() for d in result.kept],
                   "dropped": [d.summary_dict() for d in result.dropped]}, sys.stdout, indent=2)
        print()
    else:
        print(f"{len(result.kept)} draft rules written to {path} "
              f"({len(result.dropped)} candidates dropped below precision {min_precision:.0%})")
        for d in result.kept:
            print(f"  {d.rule_id}: {d.hits}/{d.hits + d.false_hits} precision {d.precision:.0%}, "
                  f"{d.threads} threads, {d.reviewers} reviewers  /{d.pattern}/")
    return 0
