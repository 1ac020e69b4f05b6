#!/usr/bin/env python3
"""How far line precedents can reach: coverage of later remark lines against notes on clean patches.

Usage: nice python benchmarks/bench_archive_frontier.py [--dev DIR] [--train 2023-01:2023-07] [--test 2023-07:2024-01]

Issue 14 asks for >= 15 % of later remark lines covered at <= 0.3 precedent notes per
patch that got no remark.  This script measures, on a split *inside* the training years
(by default learn from 2023-H1, validate on 2023-H2; the 2024 test split is left to
bench_archive.py and is not looked at here), what line precedents can reach:

* ceilings: the share of validation remark lines whose shape was remarked on in >= 1 or
  >= 2 training submissions (no line precedent can cover the rest);
* the trade-off of several ways to choose the shapes that get a note, each over its
  threshold, as (coverage, notes per clean patch):
  - ``family rate`` (what precedent/line ships): remarked submissions / submissions adding
    the shape;
  - ``reviewed rate``: the same, counting only adding submissions someone reviewed (a remark
    or a Reviewed-by/Acked-by), i.e. grading a shape by how often it drew a remark against how
    often it passed a review clean;
  - ``line rate``: remarked lines / added lines of the shape;
  - ``same request``: remarks grouped by what they ask (drop, rename, type, constraint, ...,
    read from the comment's words); a shape needs the same request in >= 2 submissions;
  - ``coarse shape``: YAML last key + value kind, DTS property name, C callees only;
  - ``area shape``: the shape within its subsystem directory, else the global shape.

The selection mimics precedent/line (one note per shape per patch, strongest first, at most
``cap`` per patch); it is a simulation over shapes, not a run of ``check``.  Prints figures,
asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# What a remark asks, read from its words: first match wins.
REQUESTS = (
    ("drop", r"\b(drop|remove|not needed|unneeded|unnecessary|redundant|pointless|useless|no need|get rid|"
             r"by default|already|unused|(do not|don't) need|not used)\b"),
    ("why", r"^\s*why\b|\bwhy\?"),
    ("name", r"\b(rename|generic|node name|name should|naming|called|prefix)\b"),
    ("type", r"\b(type|u8|u16|u32|u64|int|bool|signed|unsigned|size_t)\b"),
    ("constraint", r"\b(maxitems|minitems|constraints?|constrain|enum|range|minimum|maximum|missing|describe|items)\b"),
    ("order", r"\b(order|sort|sorted|alphabetical)\b"),
    ("style", r"\b(blank line|indent|whitespace|spaces?|tabs?|style|line length|wrap|checkpatch)\b"),
    ("devm", r"\b(devm|dev_err_probe|managed)\b"),
    ("errors", r"\b(error|err|return|fail)\b"),
)


def request(comment: str) -> str | None:
    text = comment.lower()
    return next((name for name, rx in REQUESTS if re.search(rx, text)), None)


_CALL = re.compile(r"([A-Za-z_]\w*)\(")


def coarse(key: str) -> str:
    kind, _, body = key.partition(":")
    if kind == "yaml":
        path, _, value = body.partition(": ")
        return f"yaml:{path.rsplit('/', 1)[-1]}: {value}"
    if kind == "dts":
        m = re.match(r"([\w,#.+-]+)\s*[=;]", body)
        return f"dts:{m.group(1)}" if m else key
    if kind == "c":
        calls = _CALL.findall(body)
        return f"c:{','.join(calls)}()" if calls else key
    return key


def area(path: str | None) -> str:
    p = path or ""
    if p.startswith("Documentation/devicetree/bindings/"):
        return "/".join(p.split("/")[:4])
    if "/boot/dts/" in p:
        return "/".join(p.split("/")[:5])
    return "/".join(p.split("/")[:2])


def read_threads(files: list[Path]) -> list[dict]:
    """Per thread: its patches' added lines with their shapes, and its remarks, read as the archive reads them."""
    from reviewtool.archive import mail as mailmod
    from reviewtool.archive.ingest import MAX_SHAPED_LINES, records_for
    from reviewtool.archive.shapes import YamlScope, file_kind, line_shape

    out = []
    for f in files:
        mails = mailmod.mails(mailmod.read_path(f))
        recs = records_for(mails)
        family = {r[0]: r[2] for r in recs.patches}
        reviewed = {r[1] for r in recs.reviews} | {p[0] for p in recs.patches if p[-1]}
        remarks = [{"patch": r[2], "family": r[4], "path": r[9], "line": r[10], "comment": r[13], "shape": r[14]}
                   for r in recs.remarks if not r[16]]
        patches = []
        for m in mails:
            p = m.patch
            if p is None or p.n == 0 or not p.files:
                continue
            lines = []
            for fc in p.files:
                kind = file_kind(fc.path)
                for h in fc.hunks:
                    scope = YamlScope() if kind == "yaml" else None
                    for ln in h.lines:
                        if ln.kind == "-":
                            continue
                        if ln.kind == "+" and len(lines) < MAX_SHAPED_LINES:
                            s = scope.shape(ln.text) if scope is not None else line_shape(kind, ln.text)
                            lines.append((fc.path, ln.new_line, s.key if s else None))
                        if scope is not None:
                            scope.push(ln.text)
            patches.append({"msgid": p.message_id, "family": family.get(p.message_id), "lines": lines,
                            "reviewed": p.message_id in reviewed})
        out.append({"month": f.name[:7], "patches": patches, "remarks": remarks})
    return out


def patches_of(threads: list[dict]):
    """(patch, its remark lines, whether it got any remark)."""
    for t in threads:
        lines, remarked = defaultdict(set), set()
        for r in t["remarks"]:
            remarked.add(r["patch"])
            if r["line"] is not None:
                lines[r["patch"]].add((r["path"], r["line"]))
        for p in t["patches"]:
            yield p, lines.get(p["msgid"], set()), p["msgid"] in remarked


class Training:
    """Per shape (under a shape function): submissions that got a remark on it, that added it, its remarks."""

    def __init__(self, threads: list[dict], shape_of) -> None:
        self.remarked: dict[str, set] = defaultdict(set)
        self.showable: set[str] = set()  # shapes with a remark precedent/line would show (>= 4 words)
        self.adding: dict[str, set] = defaultdict(set)
        self.looked_adding: dict[str, set] = defaultdict(set)
        self.requests: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        self.lines: Counter = Counter()
        self.remarked_lines: Counter = Counter()
        for t in threads:
            looked = {r["patch"] for r in t["remarks"]} | {p["msgid"] for p in t["patches"] if p["reviewed"]}
            at = {}
            for p, rl, _ in patches_of([t]):
                for path, line, key in p["lines"]:
                    s = shape_of(path, key)
                    if s is None:
                        continue
                    at[(p["msgid"], path, line)] = s
                    self.adding[s].add(p["family"])
                    self.lines[s] += 1
                    if p["msgid"] in looked:
                        self.looked_adding[s].add(p["family"])
                    if (path, line) in rl:
                        self.remarked_lines[s] += 1
            for r in t["remarks"]:
                s = at.get((r["patch"], r["path"], r["line"]))
                if s is None:
                    continue
                self.remarked[s].add(r["family"])
                if len(r["comment"].split()) >= 4:
                    self.showable.add(s)
                req = request(r["comment"])
                if req:
                    self.requests[s][req].add(r["family"])


def evaluate(threads: list[dict], shape_of, strength, cap: int) -> tuple[int, int, int, int]:
    """(remark lines noted, remark lines, notes on patches without a remark, such patches)."""
    hit = total = notes = clean = 0
    for p, rl, has in patches_of(threads):
        best: dict[str, tuple[float, int, str]] = {}
        for path, line, key in p["lines"]:
            s = shape_of(path, key)
            if s is None or s in best:
                continue
            st = strength(s)
            if st is not None:
                best[s] = (st, line, path)
        chosen = sorted(best.values(), key=lambda v: (-v[0], v[1]))[:cap]
        at = {(path, line) for _, line, path in chosen}
        total += len(rl)
        hit += len(rl & at)
        if not has:
            clean += 1
            notes += len(chosen)
    return hit, total, notes, clean


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", default=str(REPO.parent / "shared" / "archive" / "dev"))
    ap.add_argument("--train", default="2023-01:2023-07", help="months [from:to) to learn from")
    ap.add_argument("--test", default="2023-07:2024-01", help="months [from:to) to validate on")
    ap.add_argument("--cap", type=int, default=2, help="notes per patch at most (precedent/line's max_per_patch)")
    args = ap.parse_args()

    files = sorted(Path(args.dev).glob("*.mbox"))
    if not files:
        sys.exit(f"no threads in {args.dev}")
    (a, b), (c, d) = args.train.split(":"), args.test.split(":")
    threads = read_threads([f for f in files if a <= f.name[:7] < b or c <= f.name[:7] < d])
    train = [t for t in threads if a <= t["month"] < b]
    test = [t for t in threads if c <= t["month"] < d]
    print(f"== learn from {len(train)} threads ({args.train}), validate on {len(test)} ({args.test}); cap {args.cap}")

    fine = lambda path, key: key  # noqa: E731
    tr = Training(train, fine)
    total = in1 = in2 = 0
    for p, rl, _ in patches_of(test):
        keys = {(path, line): key for path, line, key in p["lines"]}
        for anchor in rl:
            total += 1
            k = keys.get(anchor)
            in1 += bool(k and len(tr.remarked.get(k, ())) >= 1)
            in2 += bool(k and len(tr.remarked.get(k, ())) >= 2)
    print(f"   validation remark lines: {total}; shape remarked in >= 1 training submission: {in1 / max(total, 1):.1%},"
          f" in >= 2: {in2 / max(total, 1):.1%} (the ceiling of line precedents)")

    def rate(t: Training, adding, threshold: float):
        def strength(s):
            r, n = len(t.remarked.get(s, ())), len(adding.get(s, ()))
            return r / max(n, 1) if r >= 2 and r >= threshold * max(n, r) and s in t.showable else None
        return strength

    def line_rate(t: Training, threshold: float):
        def strength(s):
            r = t.remarked_lines[s] / (t.lines[s] + 1)
            return r if len(t.remarked.get(s, ())) >= 2 and r >= threshold and s in t.showable else None
        return strength

    def same_request(t: Training, threshold: float):
        def strength(s):
            best = max((len(v) for v in t.requests.get(s, {}).values()), default=0)
            n = len(t.adding.get(s, ()))
            return best / max(n, 1) if best >= 2 and best >= threshold * max(n, best) and s in t.showable else None
        return strength

    coarse_of = lambda path, key: coarse(key) if key else None  # noqa: E731
    area_of = lambda path, key: f"{area(path)}|{key}" if key else None  # noqa: E731
    tc, ta = Training(train, coarse_of), Training(train, area_of)
    ways = [
        ("family rate (shipped)", fine, lambda th: rate(tr, tr.adding, th), (0.3, 0.2, 0.15, 0.1, 0.05)),
        ("reviewed rate", fine, lambda th: rate(tr, tr.looked_adding, th), (0.3, 0.2, 0.15, 0.1)),
        ("line rate", fine, lambda th: line_rate(tr, th), (0.2, 0.1, 0.05, 0.02)),
        ("same request", fine, lambda th: same_request(tr, th), (0.1, 0.05, 0.02)),
        ("coarse shape", coarse_of, lambda th: rate(tc, tc.adding, th), (0.3, 0.2, 0.15, 0.1)),
        ("area shape", area_of, lambda th: rate(ta, ta.adding, th), (0.3, 0.15, 0.1)),
    ]
    for name, shape_of, strength, thresholds in ways:
        cells = []
        for th in thresholds:
            hit, total, notes, clean = evaluate(test, shape_of, strength(th), args.cap)
            cells.append(f"{th:g}: {hit / max(total, 1):.1%} at {notes / max(clean, 1):.2f}")
        print(f"   {name:22s} threshold: coverage at notes per clean patch -- " + "; ".join(cells))


if __name__ == "__main__":
    main()
