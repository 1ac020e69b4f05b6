#!/usr/bin/env python3
"""The review archive's figures: ingest rate, time-split precedent coverage, learn, check overhead.

Usage: nice python benchmarks/bench_archive.py [--dev DIR] [--split 2024-01-01] [--jobs N] [--work DIR]

* ingest: the whole dev slice (``../shared/archive/dev``) into a fresh archive, messages/s
  (wall and CPU time; the target is >= 1,000 messages/s and the slice in under a minute);
* time split: an archive of the threads whose first patch is before ``--split`` (file
  names carry the month), then every later patch is checked with precedent/line,
  precedent/series and the rules ``learn`` drafted from the same early archive:
  - share of later remark lines (remarks anchored on an added line) that get a
    precedent/line or learned-rule finding on that line (target >= 15 %);
  - precedent notes per later patch that got no remark (target <= 0.3), also per
    patch that got a Reviewed-by/Acked-by and no remark;
* learn: drafts kept (target >= 10) and their precision on held-out (later) reviewed
  patches without a remark (target >= 80 %); three are printed;
* check overhead: ``check`` of a corpus series with the whole-slice archive minus
  without (target <= 0.1 s), CPU time, the median of paired runs (in process and as
  fresh processes).

Prints figures; asserts nothing (targets live here, not in unit tests).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def ingest(files: list[Path], db_path: Path, jobs: int | None):
    from reviewtool.archive.add import add_sources
    from reviewtool.archive.store import open_archive

    db = open_archive(db_path, create=True)
    t0 = os.times()
    w0 = time.perf_counter()
    got = add_sources(db, [str(f) for f in files], jobs=jobs)
    wall = time.perf_counter() - w0
    t1 = os.times()
    cpu = (t1.user - t0.user) + (t1.system - t0.system)
    children = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
    return db, got, wall, cpu, children


def later_patches(files: list[Path]):
    """(Patch, its remark lines, reviewed) for every patch of the later threads, read as the archive reads them."""
    from reviewtool.archive import mail as mailmod
    from reviewtool.archive.ingest import records_for

    for f in files:
        mails = mailmod.mails(mailmod.read_path(f))
        recs = records_for(mails)
        remarked = defaultdict(set)
        any_remark = set()
        for r in recs.remarks:
            if r[16]:  # bot
                continue
            any_remark.add(r[2])
            if r[10] is not None:
                remarked[r[2]].add((r[9], r[10]))
        reviewed = {r[1] for r in recs.reviews} | {p[0] for p in recs.patches if p[-1]}
        for m in mails:
            if m.patch is not None and m.patch.n > 0 and m.patch.files:
                yield m.patch, remarked.get(m.patch.message_id, set()), m.patch.message_id in any_remark, \
                    m.patch.message_id in reviewed


def time_split(train_db, later_files: list[Path], learned_dir: Path | None):
    from reviewtool.archive.precedents import Precedents
    from reviewtool.catalog import load_catalog
    from reviewtool.engine import Options, check_series
    from reviewtool.model import Series

    rules = [r for r in load_catalog([str(learned_dir)] if learned_dir else []) if
             r.id.startswith(("precedent/", "learned/"))]
    options = Options(extra={"precedents": Precedents(train_db)})
    lines_total = lines_hit = 0
    by_rule = defaultdict(int)
    clean = clean_notes = reviewed_clean = reviewed_clean_notes = 0
    patches = 0
    for patch, remark_lines, has_remark, reviewed in later_patches(later_files):
        patches += 1
        series = Series(title=patch.subject, revision=patch.tags.version or 1, expected=patch.total, patches=(patch,))
        findings = check_series(series, rules, options).findings
        at = defaultdict(set)
        for f in findings:
            if f.anchor == "diff" and f.line is not None and f.rule != "precedent/series":
                at[(f.path, f.line)].add(f.rule)
        for key in remark_lines:
            lines_total += 1
            if at.get(key):
                lines_hit += 1
                for rid in at[key]:
                    by_rule["precedent/line" if rid == "precedent/line" else "learned/*"] += 1
        notes = sum(1 for f in findings if f.rule.startswith("precedent/"))
        if not has_remark:
            clean += 1
            clean_notes += notes
            for f in findings:
                if f.rule.startswith("precedent/"):
                    by_rule["notes on no-remark patches: " + f.rule] += 1
            if reviewed:
                reviewed_clean += 1
                reviewed_clean_notes += notes
    return {
        "later_patches": patches,
        "remark_lines": lines_total,
        "remark_lines_hit": lines_hit,
        "by_rule": dict(by_rule),
        "patches_without_remark": clean,
        "notes_on_them": clean_notes,
        "reviewed_without_remark": reviewed_clean,
        "notes_on_reviewed": reviewed_clean_notes,
    }


def check_overhead(archive: Path, series: Path, runs: int) -> dict[str, tuple[float, float, float]]:
    """Paired runs: each pair checks the series without, then with the archive, in this process (CPU
    time) and as fresh ``reviewtool check`` processes (the children's user+sys CPU time). For each
    way: (median without, median with, median of the per-pair differences)."""
    import resource
    import statistics
    import subprocess

    from reviewtool.runner import CheckRequest, run_check

    def in_process(**kw) -> float:
        req = CheckRequest(sources=[str(series)], fmt="json", fail_on="none", no_config=True, **kw)
        c0 = time.process_time()
        with open(os.devnull, "w") as out:
            run_check(req, stream=out)
        return time.process_time() - c0

    env = dict(os.environ, XDG_DATA_HOME=str(Path(tempfile.gettempdir()) / "no-such-reviewtool-data"))
    env.pop("REVIEWTOOL_ARCHIVE", None)

    def fresh(*extra: str) -> float:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "reviewtool", "check", str(series), "--format", "json",
                        "--no-config", "--fail-on", "none", *extra], cwd=REPO, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

    out = {}
    for name, without, with_archive in (
            ("in process", lambda: in_process(precedents=False), lambda: in_process(archive=str(archive))),
            ("fresh process", lambda: fresh(), lambda: fresh("--archive", str(archive)))):
        without(), with_archive()  # warm caches (dtschema, imports, the page cache) for both
        pairs = [(without(), with_archive()) for _ in range(runs)]
        out[name] = (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
                     statistics.median(b - a for a, b in pairs))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", default=str(REPO.parent / "shared" / "archive" / "dev"))
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--split", default="2024-01-01", help="first day of the held-out period")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--runs", type=int, default=9, help="paired check runs for the overhead")
    ap.add_argument("--work", default=None, help="directory for the archives (default: a temporary one)")
    ap.add_argument("--reuse", action="store_true", help="reuse the archives already in --work (skip ingest)")
    args = ap.parse_args()

    from reviewtool.archive.add import stats

    dev = Path(args.dev)
    files = sorted(dev.glob("*.mbox"))
    if not files:
        sys.exit(f"no threads in {dev}")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-archive-"))
    month = args.split[:7]
    early = [f for f in files if f.name[:7] < month]
    later = [f for f in files if f.name[:7] >= month]

    print(f"== ingest: {len(files)} threads of {dev}")
    whole = work / "whole.sqlite"
    train_path = work / "early.sqlite"
    if args.reuse and whole.is_file() and train_path.is_file():
        from reviewtool.archive.store import open_archive

        from reviewtool.archive.add import finish

        db, train = open_archive(whole, create=True), open_archive(train_path, create=True)
        finish(db)  # derived tables (the similarity index) as this code builds them
        finish(train)
        print(f"   reusing {whole} and {train_path}: {stats(db)}")
    else:
        db, train = build(files, early, whole, train_path, args.jobs)
    time_split_and_learn(args, db, train, work, early, later)


def build(files: list[Path], early: list[Path], whole: Path, train_path: Path, jobs: int | None):
    from reviewtool.archive.add import stats

    whole.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    db, got, wall, cpu, children = ingest(files, whole, jobs)
    jobs = jobs or os.cpu_count() or 1
    print(f"   {got.messages} messages in {wall:.1f} s wall ({got.messages / wall:.0f} messages/s) with jobs={jobs}, "
          f"load average {load:.1f} before / {os.getloadavg()[0]:.1f} after")
    busy = cpu + children
    print(f"   CPU: {cpu:.1f} s here + {children:.1f} s in workers = {busy:.1f} s: "
          f"{got.messages / busy:.0f} messages per CPU-second, i.e. {got.messages / busy * jobs:.0f} messages/s "
          f"on {jobs} idle cores")
    print(f"   {stats(db)}")
    again = ingest(files, whole, jobs)
    print(f"   re-adding the same files: {again[1].new_messages} new messages, {again[2]:.2f} s")
    train_path.unlink(missing_ok=True)
    return db, ingest(early, train_path, jobs)[0]


def time_split_and_learn(args, db, train, work: Path, early: list[Path], later: list[Path]) -> None:
    from reviewtool.archive.learn import LearnSettings, learn, write_drafts

    whole = work / "whole.sqlite"
    print(f"== time split at {args.split}: learn from {len(early)} threads, test on {len(later)}")
    result = learn(train, LearnSettings())
    drafts_dir = work / "learned-early"
    write_drafts(result.kept, str(drafts_dir))
    print(f"   drafts from the early archive (measured on its own reviewed patches): {len(result.kept)}")
    split = time_split(train, later, drafts_dir if result.kept else None)
    share = split["remark_lines_hit"] / max(split["remark_lines"], 1)
    per_clean = split["notes_on_them"] / max(split["patches_without_remark"], 1)
    per_reviewed = split["notes_on_reviewed"] / max(split["reviewed_without_remark"], 1)
    print(f"   later remark lines with a precedent/line or learned finding on that line: "
          f"{split['remark_lines_hit']}/{split['remark_lines']} = {share:.1%} (target >= 15 %) {split['by_rule']}")
    print(f"   precedent notes per later patch with no remark: {split['notes_on_them']}/"
          f"{split['patches_without_remark']} = {per_clean:.2f} (target <= 0.3); per reviewed patch with no "
          f"remark: {split['notes_on_reviewed']}/{split['reviewed_without_remark']} = {per_reviewed:.2f}")

    print(f"== learn on the whole slice, measured on held-out reviewed patches dated >= {args.split}")
    held = learn(db, LearnSettings(before=args.split))
    print(f"   kept {len(held.kept)} drafts (target >= 10), dropped {len(held.dropped)}")
    if held.kept:
        hits = sum(d.hits for d in held.kept)
        false = sum(d.false_hits for d in held.kept)
        print(f"   pooled precision {hits}/{hits + false} = {hits / max(hits + false, 1):.1%} "
              f"(held-out reviewed patches without a remark: {held.kept[0].clean_patches})")
    for d in held.kept[:3]:
        print(f"   - {d.rule_id}: /{d.pattern}/ shape {d.shape!r} keyword {d.keyword!r}: {d.threads} threads, "
              f"{d.reviewers} reviewers, {d.hits} hits, {d.false_hits} false hits, precision {d.precision:.0%}")
        for c in d.cited[:2]:
            print(f"       {c.reviewer} {c.date}: {' '.join(c.comment.split())[:120]!r} {c.link}")
    write_drafts(held.kept, str(work / "learned"))
    print(f"   drafts written to {work / 'learned' / 'learned.yaml'}")

    corpus_series = Path(args.corpus) / "bao-v1.mbox"
    if corpus_series.is_file():
        print(f"== check overhead with the whole-slice archive: {corpus_series.name}, CPU s, {args.runs} "
              f"paired runs (without, then with)")
        for way, (without, with_archive, diff) in check_overhead(whole, corpus_series, args.runs).items():
            print(f"   {way}: median without {without:.3f} s, with {with_archive:.3f} s; median paired "
                  f"difference {diff:+.3f} s (target <= 0.1 s)")


if __name__ == "__main__":
    main()
