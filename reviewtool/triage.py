"""``reviewtool triage``: check a whole queue of series at once, worst first.

A list archive export holds hundreds of interleaved threads.  Loading every
parsed series at once would make memory grow with the queue, so the work runs
in two passes over *raw* mail:

1. **Index.**  Every message is parsed once (by the same
   ``grouping.parse_messages`` that ``check`` uses), then shrunk to a small
   ``_Head``: the header facts grouping needs plus where its raw bytes live
   (file offset, maildir file, or the bytes of a fetched message).
   ``grouping.group_families`` then splits the queue into series families
   exactly as ``check`` would.
2. **Check, family by family.**  Each family is re-read from its raw bytes,
   assembled with ``grouping.build_series`` (newest revision, earlier ones in
   ``Series.earlier``), checked with ``engine.check_series`` and reduced to a
   slim ``SeriesReport`` (no diffs, no bodies).  Only those slim reports
   stay alive, so memory is flat in the number of series.

Both passes run in worker *processes* (never threads: importing dtschema
outside the main thread raises).  Each worker loads the rule catalogue once,
in its initializer.  Results are sorted by a stable key at the end, so the
output is the same for any ``--jobs``.  A family that fails (a truncated or
undecodable diff, a message b4 cannot parse, even a crashing check) becomes
one row with ``SeriesReport.error`` set; it never stops the run.

Threads holding only replies (their patches are not in the input) get no row:
there is nothing to check.  They are counted in the table's footer.

``REVIEWTOOL_TRIAGE_START=fork|spawn`` picks the multiprocessing start method
(default: fork where available, measured faster, see benchmarks/bench_triage.py).
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Iterator

from .errors import InputError
from .model import SEVERITY_RANK, Patch, Person, Series, SeriesReport

FORMATS = ("table", "json")
_CHUNK = 64  # messages per indexing task: big enough to amortise IPC
_MSGID_LINE = re.compile(r"^(?:<?[^\s<>@/]+@[^\s<>@/]+>?|https?://\S+)$")
_FROM_LINE = re.compile(rb"^From \S+.*\d\d:\d\d:\d\d.*\d{4}")  # mbox separator, as git and liblore
_GTFROM = re.compile(rb"(?m)^>(>*From )")
_CHANGE_ID = re.compile(r"^change-id:\s*\S+", re.M)


@dataclass
class TriageRequest:
    sources: list[str]
    query: str | None = None
    fmt: str = "table"
    jobs: int | None = None
    rules_dirs: list[str] = field(default_factory=list)
    only: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    min_severity: str = "info"
    fail_on: str | None = None  # None: the config file's, else "none" (triage informs, it does not gate)
    lore_url: str | None = None
    timeout: float | None = None
    no_cache: bool = False
    tree: str | None = None
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity (config files)
    no_config: bool = False  # ignore .reviewtool.toml and the user config file
    progress: bool | None = None  # None: only when stderr is a terminal


# --------------------------------------------------------------------------
# Where a message's raw bytes live


@dataclass(frozen=True)
class RawRef:
    """One message's raw bytes: a slice of a file, or bytes already in memory."""

    source: str  # the SOURCE argument it came from, for messages
    fallback_id: str  # Message-ID to give it when it has none (format-patch output)
    path: str | None = None
    offset: int = 0
    length: int = -1
    mboxrd: bool = False  # undo one level of '>From ' quoting when reading
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            raw = fh.read(self.length) if self.length >= 0 else fh.read()
        if self.mboxrd:
            head, sep, body = raw.partition(b"\n\n")
            raw = head + sep + _GTFROM.sub(rb"\1", body)
        return raw


def _mbox_refs(path: Path, source: str) -> Iterator[RawRef]:
    """Split an mbox file into message slices without loading it whole."""
    name = path.name
    size = path.stat().st_size
    with path.open("rb") as fh:
        first = fh.read(5)
        fh.seek(0)
        if first != b"From ":
            # One message without an mbox separator (.eml, .patch).
            yield RawRef(source, f"local-{name}-0@reviewtool", str(path), 0, size, False)
            return
        start: int | None = None
        pos = 0
        i = 0
        for line in fh:
            if line.startswith(b"From ") and _FROM_LINE.match(line):
                if start is not None:
                    yield RawRef(source, f"local-{name}-{i}@reviewtool", str(path), start, pos - start, True)
                    i += 1
                start = pos + len(line)
            pos += len(line)
        if start is not None and pos > start:
            yield RawRef(source, f"local-{name}-{i}@reviewtool", str(path), start, pos - start, True)


def _is_msgid_list(path: Path) -> bool:
    """A small text file whose every line is a Message-ID or lore URL."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    if head.startswith(b"From ") or b"\x00" in head:
        return False
    try:
        lines = [ln.strip() for ln in head.decode("utf-8").splitlines()]
    except UnicodeDecodeError:
        return False
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(lines) and all(_MSGID_LINE.match(ln) for ln in lines)


def _msgid_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


@dataclass
class _Inputs:
    """What the sources expanded to: raw messages to group, and lore Message-IDs."""

    refs: list[RawRef] = field(default_factory=list)
    msgids: list[str] = field(default_factory=list)


def collect_inputs(req: TriageRequest) -> _Inputs:
    from .sources import mbox as mbox_source

    out = _Inputs()
    for source in req.sources:
        path = Path(source)
        if source == "-":
            data = sys.stdin.buffer.read()
            out.refs.extend(_memory_refs(mbox_source, data, "standard input"))
        elif path.is_file():
            if _is_msgid_list(path):
                out.msgids.extend(_msgid_lines(path))
                continue
            if path.stat().st_size == 0:
                raise InputError(f"{source}: empty input")
            with path.open("rb") as fh:
                if b"\x00" in fh.read(8192):
                    raise InputError(f"{source}: binary data, not a mailbox or patch")
            out.refs.extend(_mbox_refs(path, source))
        elif path.is_dir():
            out.refs.extend(_dir_refs(mbox_source, path, source))
        elif path.exists():
            raise InputError(f"{source}: not a file or directory")
        elif _MSGID_LINE.match(source):
            out.msgids.append(source)
        else:
            raise InputError(f"{source}: no such file or directory")
    if req.query:
        out.refs.extend(_query_refs(req))
    return out


def _dir_refs(mbox_source, path: Path, source: str) -> Iterator[RawRef]:
    if (path / "cur").is_dir() or (path / "new").is_dir():
        files = sorted(p for sub in ("cur", "new") if (path / sub).is_dir()
                       for p in (path / sub).iterdir() if p.is_file())
        for i, f in enumerate(files):
            yield RawRef(source, f"local-{path.name}-{i}@reviewtool", str(f))
        return
    found = False
    for f in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
        if f.suffix not in (".patch", ".eml", ".mbox", ".mbx", ".diff") and not mbox_source._looks_like_mail(f):
            continue
        found = True
        yield from _mbox_refs(f, source)
    if not found:
        raise InputError(f"{source}: no patch or mail files in this directory")


def _memory_refs(mbox_source, data: bytes, where: str) -> list[RawRef]:
    from .sources import b4setup

    b4 = b4setup.ready()
    msgs = mbox_source._split_bytes(b4, data, where)  # same checks and fallback ids as `check -`
    return [RawRef(where, f"local-{where}-{i}@reviewtool", data=m.as_bytes(policy=b4.emlpolicy))
            for i, m in enumerate(msgs)]


def _query_refs(req: TriageRequest) -> list[RawRef]:
    """Everything a lore search returns (whole threads), as raw messages."""
    from .sources import b4setup

    b4 = b4setup.ready()
    lore_url = req.lore_url
    if lore_url is None and (req.timeout is not None or req.no_cache):
        lore_url = str(b4.get_main_config().get("midmask", "https://lore.kernel.org/all/%s")).replace("/%s", "")
    b4 = b4setup.ready(lore_url=lore_url, network=True, timeout=req.timeout, cache=not req.no_cache)
    try:
        msgs = b4.get_pi_search_results(req.query, nocache=req.no_cache, full_threads=True)
    except Exception as exc:  # liblore network errors
        raise InputError(f"lore search failed ({type(exc).__name__}: {exc})") from None
    finally:
        b4.can_network = False
    if not msgs:
        raise InputError(f"lore search {req.query!r} returned nothing (no match, or the server failed)")
    where = f"lore search {req.query!r}"
    return [RawRef(where, f"local-search-{i}@reviewtool", data=m.as_bytes(policy=b4.emlpolicy))
            for i, m in enumerate(msgs)]


# --------------------------------------------------------------------------
# Pass 1: index (runs in workers)


@dataclass
class _Head:
    """The part of a b4.LoreMessage that grouping reads, plus where the mail lives."""

    ref: RawRef
    msgid: str
    in_reply_to: str | None
    references: list[str]
    fromname: str
    fromemail: str
    date: datetime | None
    full_subject: str
    has_diff: bool
    body: str  # only the change-id line, the one body fact grouping reads


@dataclass
class _Broken:
    """A message b4 could not parse: it becomes its own errored row."""

    ref: RawRef
    msgid: str
    subject: str
    author: str
    date: datetime | None
    error: str


def _parse_raw(ref: RawRef):
    from liblore.utils import parse_message

    msg = parse_message(ref.read())
    if msg.get("Subject") is None and msg.get("Message-ID") is None:
        return None  # mbox noise (the same filter as `check`)
    if not msg.get("Message-ID"):
        msg["Message-ID"] = f"<{ref.fallback_id}>"
    return msg


def _index_one(ref: RawRef):
    from .sources.grouping import parse_messages

    try:
        msg = _parse_raw(ref)
    except Exception as exc:  # undecodable bytes
        return _Broken(ref, ref.fallback_id, "(unreadable message)", "", None, f"{type(exc).__name__}: {exc}")
    if msg is None:
        return None
    try:
        mails = parse_messages([msg], ref.source)
    except InputError as exc:
        return _broken_from_headers(ref, msg, str(exc))
    if not mails:
        return None
    mail = mails[0]
    lm = mail.lmsg
    cid = _CHANGE_ID.search(lm.body or "")
    mail.lmsg = _Head(
        ref=ref, msgid=lm.msgid, in_reply_to=lm.in_reply_to, references=list(lm.references or []),
        fromname=lm.fromname, fromemail=lm.fromemail, date=lm.date, full_subject=lm.full_subject,
        has_diff=bool(lm.has_diff), body=cid.group(0) if cid else "",
    )
    return mail


def _broken_from_headers(ref: RawRef, msg, error: str) -> _Broken:
    from email.utils import parsedate_to_datetime

    def header(name: str) -> str:
        try:
            return " ".join(str(msg.get(name) or "").split())
        except Exception:
            return ""

    try:
        date = parsedate_to_datetime(header("Date")) if header("Date") else None
    except (TypeError, ValueError):
        date = None
    return _Broken(ref, header("Message-ID").strip("<>") or ref.fallback_id, header("Subject") or "(no subject)",
                   header("From"), date, error)


def _index_chunk(refs: list[RawRef]) -> list[Any]:
    return [_index_one(r) for r in refs]


# --------------------------------------------------------------------------
# Pass 2: build and check one family (runs in workers)


@dataclass
class _WorkerState:
    rules: list
    options: Any
    min_rank: int
    lore_opts: Any
    tree: Any = None  # reviewtool.tree.KernelTree, indexed lazily per process


_STATE: _WorkerState | None = None
_CATALOGS: dict[tuple[str, ...], list] = {}  # filled before forking, so workers inherit it


def _init_worker(rules_dirs: tuple[str, ...], only: tuple[str, ...], disable: tuple[str, ...], tree: str | None,
                 severity: tuple[tuple[str, str], ...], min_rank: int, lore_opts: Any) -> None:
    """Load the catalogue, b4 and the kernel tree (if any) once per process."""
    global _STATE
    from .catalog import load_catalog
    from .engine import Options
    from .sources import b4setup
    from .tree import find_kernel_tree

    b4 = b4setup.ready()
    b4.LORENODE = None  # never share the parent's HTTP connections after a fork
    options = Options(disabled=frozenset(disable), only=frozenset(only), tree_path=tree,
                      severity_overrides=dict(severity))
    rules = _CATALOGS.get(rules_dirs)
    if rules is None:
        rules = _CATALOGS[rules_dirs] = load_catalog(list(rules_dirs))
    _STATE = _WorkerState(rules, options, min_rank, lore_opts, find_kernel_tree(tree, None))


def _init_child(*init) -> None:
    """Initializer of a worker process: Ctrl-C is the parent's to handle."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(*init)


@dataclass(frozen=True)
class Row:
    """One triage row: a slim report and the key it sorts by."""

    report: SeriesReport
    date: float  # submission timestamp, 0 when unknown

    @property
    def key(self) -> tuple:
        c = self.report.counts()
        return (0 if self.report.error else 1, -c["error"], -c["warning"], -c["info"], self.date,
                self.report.series.message_id or "")


def _date_ts(d: datetime | None) -> float:
    return d.timestamp() if d is not None else 0.0


def _slim_patch(p: Patch) -> Patch:
    return Patch(n=p.n, total=p.total, tags=p.tags, author=p.author, date=p.date, message_id=p.message_id,
                 in_reply_to=p.in_reply_to, commit_message="")


def slim(report: SeriesReport) -> SeriesReport:
    """Keep what the table and the JSON contract read; drop diffs, bodies, replies."""
    s = report.series
    series = Series(
        title=s.title, revision=s.revision, expected=s.expected,
        patches=tuple(_slim_patch(p) for p in s.patches),
        cover=_slim_patch(s.cover) if s.cover is not None else None,
        change_id=s.change_id, base_commit=s.base_commit, source=s.source, notes=s.notes,
    )
    return SeriesReport(series=series, findings=report.findings, error=report.error)


def _series_date(s: Series) -> datetime | None:
    first = s.cover or (s.patches[0] if s.patches else None)
    return first.date if first is not None else None


def _checked(series: Series) -> Row:
    from .engine import check_series

    assert _STATE is not None
    options = _STATE.options
    if _STATE.tree is not None:
        options = replace(options, tree=_STATE.tree.at(series.base_commit), tree_path=str(_STATE.tree.root))
    try:
        report = check_series(series, _STATE.rules, options)
    except Exception as exc:  # a crashing check must not stop the queue
        if os.environ.get("REVIEWTOOL_DEBUG"):
            raise
        report = SeriesReport(series=series, error=f"internal error in a check: {type(exc).__name__}: {exc}")
    if _STATE.min_rank > 0:
        kept = tuple(f for f in report.findings if SEVERITY_RANK[f.severity] >= _STATE.min_rank)
        report = SeriesReport(series=report.series, findings=kept, error=report.error)
    return Row(slim(report), _date_ts(_series_date(series)))


def _check_family(fam) -> Row:
    """Re-read a family's raw mail, assemble its newest revision, check it."""
    from .sources.grouping import build_series

    newest = max(fam.revisions)
    where = fam.revisions[newest][0].lmsg.ref.source
    try:
        _rehydrate(fam)
        series = build_series(fam, newest, where)
        earlier = []
        for rev in sorted(r for r in fam.revisions if r < newest):
            try:
                earlier.append(build_series(fam, rev, where))
            except InputError:
                pass  # a broken older revision must not hide the newest one
        if earlier:
            series = replace(series, earlier=tuple(earlier))
    except InputError as exc:
        return _error_row(fam, newest, where, str(exc))
    except Exception as exc:
        if os.environ.get("REVIEWTOOL_DEBUG"):
            raise
        return _error_row(fam, newest, where, f"internal error: {type(exc).__name__}: {exc}")
    return _checked(series)


def _rehydrate(fam) -> None:
    """Give every head its parsed message back, for ``build_series``."""
    for mails in [*fam.revisions.values(), *fam.replies.values()]:
        for m in mails:
            if isinstance(m.lmsg, _Head):
                m.lmsg = _Reparsed(m.lmsg, _parse_raw(m.lmsg.ref))


class _Reparsed:
    """A head plus its parsed mail, standing in for a b4.LoreMessage.

    ``build_series`` hands ``.msg`` to b4's LoreMailbox (which parses it
    itself) and reads replies' header facts and body; building a full
    LoreMessage here as well would parse every mail a third time.  Anything
    else is delegated to a real LoreMessage, built on first use.
    """

    def __init__(self, head: _Head, msg) -> None:
        self.msg = msg
        self._head = head
        self._full = None
        self._body: str | None = None

    msgid = property(lambda self: self._head.msgid)
    in_reply_to = property(lambda self: self._head.in_reply_to)
    references = property(lambda self: self._head.references)
    fromname = property(lambda self: self._head.fromname)
    fromemail = property(lambda self: self._head.fromemail)
    date = property(lambda self: self._head.date)
    full_subject = property(lambda self: self._head.full_subject)
    has_diff = property(lambda self: self._head.has_diff)

    @property
    def body(self) -> str:
        if self._body is None:
            from .sources import b4setup

            self._body = b4setup.ready().LoreMessage.get_payload(self.msg)[0] or ""
        return self._body

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._full is None:
            from .sources import b4setup

            self._full = b4setup.ready().LoreMessage(self.msg)
        return getattr(self._full, name)


def _error_row(fam, revision: int, where: str, error: str) -> Row:
    """A row for a family that could not be assembled, from its header facts."""
    mails = fam.revisions[revision]
    patches: list[Patch] = []
    cover = None
    for m in sorted(mails, key=lambda m: (m.tags.counter or 0, m.lmsg.msgid)):
        lm = m.lmsg
        p = Patch(n=0 if m.kind == "cover" else (m.tags.counter or 1), total=m.tags.total or 1, tags=m.tags,
                  author=Person((lm.fromname or "").strip(), (lm.fromemail or "").lower()), date=lm.date,
                  message_id=lm.msgid, in_reply_to=lm.in_reply_to, commit_message="")
        if m.kind == "cover" and cover is None:
            cover = p
        elif m.kind != "cover":
            patches.append(p)
    first = cover or (patches[0] if patches else None)
    series = Series(
        title=first.subject if first else "", revision=revision,
        expected=max([m.tags.total or 0 for m in mails] + [len(patches)]),
        patches=tuple(patches), cover=cover, source=where,
    )
    return Row(SeriesReport(series=series, error=error), _date_ts(first.date if first else None))


def _broken_row(b: _Broken) -> Row:
    from .subject import parse_subject

    tags = parse_subject(b.subject)
    name, _, email = b.author.rpartition("<")
    person = Person(name.strip().strip('"'), email.strip(">").strip().lower()) if email else Person("", b.author)
    p = Patch(n=tags.counter or 1, total=tags.total or 1, tags=tags, author=person, date=b.date,
              message_id=b.msgid, in_reply_to=None, commit_message="")
    series = Series(title=tags.subject, revision=tags.version or 1, expected=tags.total or 1, patches=(p,),
                    source=b.ref.source)
    return Row(SeriesReport(series=series, error=f"cannot parse this message: {b.error}"), _date_ts(b.date))


def _check_msgid(msgid: str) -> list[Row]:
    """Fetch one Message-ID through the lore source and check what it yields."""
    from .sources.resolve import load
    from .subject import parse_subject

    assert _STATE is not None
    try:
        series_list = load(msgid, _STATE.lore_opts)
    except InputError as exc:
        title = msgid.strip("<>")
        p = Patch(n=1, total=1, tags=parse_subject(title), author=Person("", ""), date=None, message_id=title,
                  in_reply_to=None, commit_message="")
        return [Row(SeriesReport(series=Series(title=title, revision=1, expected=1, patches=(p,), source=msgid),
                                 error=str(exc)), 0.0)]
    return [_checked(s) for s in series_list]


# --------------------------------------------------------------------------
# Orchestration


@dataclass
class TriageResult:
    rows: list[Row]
    messages: int = 0
    reply_threads: int = 0  # families with replies only: no row
    reply_messages: int = 0


def _start_method() -> str:
    import multiprocessing

    wanted = os.environ.get("REVIEWTOOL_TRIAGE_START", "")
    methods = multiprocessing.get_all_start_methods()
    if wanted:
        if wanted not in methods:
            raise InputError(f"REVIEWTOOL_TRIAGE_START={wanted!r}: choose from {', '.join(methods)}")
        return wanted
    return "fork" if "fork" in methods else "spawn"


class _Inline:
    """The executor calls triage needs, run in this process (``--jobs 1``)."""

    def map(self, fn, items):
        return map(fn, items)

    def run_all(self, calls):
        for i, (fn, arg) in enumerate(calls):
            yield i, fn(arg)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


class _Pool:
    """Worker processes; ``run_all`` yields (index, result) as they finish."""

    def __init__(self, jobs: int, init: tuple) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._ex = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(_start_method()),
                                       initializer=_init_child, initargs=init)

    def map(self, fn, items):
        return self._ex.map(fn, items)

    def run_all(self, calls):
        from concurrent.futures import as_completed

        futures = {self._ex.submit(fn, arg): i for i, (fn, arg) in enumerate(calls)}
        for fut in as_completed(futures):
            yield futures.pop(fut), fut.result()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self._ex.shutdown(wait=wait, cancel_futures=cancel_futures)


def _progress(enabled: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # auto_refresh=False: no refresh thread, so forking workers stays safe.
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True, auto_refresh=False, disable=not enabled,
    )


def triage(req: TriageRequest) -> TriageResult:
    """Index, group and check every series in the request's sources."""
    from .catalog import load_catalog
    from .runner import select_rules
    from .sources.resolve import LoadOptions

    if not req.sources and not req.query:
        raise InputError("give at least one SOURCE (mbox, maildir, file of Message-IDs) or --query")
    if req.min_severity not in SEVERITY_RANK:
        raise InputError(f"--min-severity must be error, warning or info (got {req.min_severity!r})")
    rules = load_catalog(req.rules_dirs)
    select_rules(rules, req.only, req.disable)
    from .tree import find_kernel_tree

    find_kernel_tree(req.tree, None)  # a bad --tree is one error here, not one per worker
    inputs = collect_inputs(req)
    if inputs.msgids:
        import importlib.util

        if importlib.util.find_spec(".sources.lore", __package__) is None:
            raise InputError("fetching Message-IDs from lore is not available in this build")
    jobs = max(1, req.jobs or os.cpu_count() or 1)
    lore_opts = LoadOptions(lore_url=req.lore_url, timeout=req.timeout, no_cache=req.no_cache)
    init = (tuple(req.rules_dirs), tuple(req.only), tuple(req.disable), req.tree, tuple(sorted(req.severity.items())),
            SEVERITY_RANK[req.min_severity], lore_opts)
    show = req.progress if req.progress is not None else sys.stderr.isatty()

    # Loaded here first: with the fork start method every worker inherits
    # the imports and the parsed catalogue instead of redoing them.
    _CATALOGS[tuple(req.rules_dirs)] = rules
    from .checks import known_checks
    from .sources import b4setup

    known_checks()
    b4setup.ready()
    pool: Any = _Inline() if jobs == 1 else _Pool(jobs, init)
    if jobs == 1:
        _init_worker(*init)
    result = TriageResult(rows=[])
    try:
        with _progress(show) as progress:
            families, broken = _index(pool, inputs.refs, progress, result)
            result.rows.extend(_broken_row(b) for b in broken)
            work = [f for f in families if f.revisions]
            for f in families:
                if not f.revisions:
                    result.reply_threads += 1
                    result.reply_messages += sum(len(ms) for ms in f.replies.values())
            # Largest families first: better load balance across workers.
            work.sort(key=lambda f: -sum(len(ms) for ms in [*f.revisions.values(), *f.replies.values()]))
            calls = [(_check_family, f) for f in work] + [(_check_msgid, m) for m in inputs.msgids]
            del work, families
            task = progress.add_task("checking series", total=len(calls))
            lore_rows: dict[int, list[Row]] = {}
            for i, out in pool.run_all(calls):
                if isinstance(out, list):
                    lore_rows[i] = out
                else:
                    result.rows.append(out)
                progress.update(task, advance=1)
                progress.refresh()
            result.rows.extend(_dedupe([r for i in sorted(lore_rows) for r in lore_rows[i]], result.rows))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    result.rows.sort(key=lambda r: r.key)
    return result


def _index(pool, refs: list[RawRef], progress, result: TriageResult):
    """Pass 1: every message to a small head, deduplicated by Message-ID, then grouped."""
    from .sources.grouping import _Mail, group_families

    task = progress.add_task("reading mail", total=len(refs))
    chunks = [refs[i:i + _CHUNK] for i in range(0, len(refs), _CHUNK)]
    mails: list[_Mail] = []
    broken: list[_Broken] = []
    seen: set[str] = set()
    for out in pool.map(_index_chunk, chunks):
        for item in out:
            if item is None:
                continue
            if isinstance(item, _Broken):
                broken.append(item)
                continue
            result.messages += 1
            if item.lmsg.msgid in seen:
                continue  # the same mail twice (cross-posted lists): b4 keeps the first too
            seen.add(item.lmsg.msgid)
            mails.append(item)
        progress.update(task, advance=len(out))
        progress.refresh()
    if not mails and not broken and refs:
        raise InputError("no mail messages found in the input")
    return merge_revisions(group_families(mails)), broken


def merge_revisions(families: list) -> list:
    """Join families that are revisions of one series sent as unlinked threads.

    An archive often holds vN and vN+k of a series with no thread between
    them and without their cover letters.  Like b4's search for newer
    revisions without a change-id (same subject, same sender), we merge two
    families when their revision numbers do not overlap and at least half of
    the smaller one's patches have the same subject and author in the other.
    The "half" keeps a shared one-line patch (a vendor-prefix addition sent in
    two different series) from gluing unrelated series together.
    """
    def keys(fam) -> set[tuple[str, str]]:
        return {(m.tags.subject.lower().strip(), (m.lmsg.fromemail or "").lower())
                for ms in fam.revisions.values() for m in ms if m.kind == "patch"}

    with_patches = [f for f in families if f.revisions]
    fam_keys = [keys(f) for f in with_patches]
    owners: dict[tuple[str, str], list[int]] = {}
    for i, ks in enumerate(fam_keys):
        for k in ks:
            owners.setdefault(k, []).append(i)
    parent = list(range(len(with_patches)))
    revs = [set(f.revisions) for f in with_patches]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, ks in enumerate(fam_keys):
        candidates = sorted({j for k in ks for j in owners[k] if j != i})
        for j in candidates:
            a, b = find(i), find(j)
            if a == b or revs[a] & revs[b]:
                continue
            shared = len(fam_keys[i] & fam_keys[j])
            if shared * 2 >= min(len(fam_keys[i]), len(fam_keys[j])):
                parent[b] = a
                revs[a] |= revs[b]
    merged: dict[int, Any] = {}
    for i, fam in enumerate(with_patches):
        root = find(i)
        if root not in merged:
            merged[root] = fam
            continue
        into = merged[root]
        for rev, ms in fam.revisions.items():
            into.revisions.setdefault(rev, []).extend(ms)
        for rev, ms in fam.replies.items():
            into.replies.setdefault(rev, []).extend(ms)
    return list(merged.values()) + [f for f in families if not f.revisions]


def _dedupe(rows: list[Row], existing: list[Row]) -> list[Row]:
    """Several Message-IDs of one thread fetch the same series: keep it once."""
    seen = {r.report.series.message_id for r in existing}
    out = []
    for r in rows:
        mid = r.report.series.message_id
        if mid in seen and mid is not None:
            continue
        seen.add(mid)
        out.append(r)
    return out


def run_triage(req: TriageRequest, stream: IO[str] | None = None) -> int:
    """The CLI's ``triage``: run, render, pick the exit code."""
    from .catalog import load_catalog
    from .runner import exit_code

    stream = stream or sys.stdout
    if req.fmt == "terminal":  # check's name for the human format
        req = replace(req, fmt="table")
    if req.fmt not in FORMATS:
        raise InputError(f"unknown format {req.fmt!r} for triage (choose from {', '.join(FORMATS)})")
    cfg = None
    if not req.no_config:
        from .config import apply_config, load_config

        cfg = load_config()
        req = apply_config(req, cfg)
    fail_on = req.fail_on or "none"
    if fail_on not in ("error", "warning", "info", "none"):
        raise InputError(f"--fail-on must be error, warning, info or none (got {fail_on!r})")
    if cfg is not None:
        cfg.check_rule_ids({r.id for r in load_catalog(req.rules_dirs)})
    result = triage(req)
    reports = [r.report for r in result.rows]
    rules = load_catalog(req.rules_dirs)
    if req.fmt == "json":
        from .report import jsonfmt

        jsonfmt.render(reports, rules, stream)
        if result.reply_threads:
            print(f"reviewtool: skipped {_replies_note(result)}", file=sys.stderr)
    else:
        from .report import triage_table

        triage_table.render(reports, rules, stream, messages=result.messages,
                            reply_threads=result.reply_threads, reply_messages=result.reply_messages)
    return exit_code(reports, fail_on)


def _replies_note(result: TriageResult) -> str:
    t, m = result.reply_threads, result.reply_messages
    return (f"{t} thread{'s' if t != 1 else ''} with only replies ({m} message{'s' if m != 1 else ''}); "
            "their patches are not in the input")


def top_rules(report: SeriesReport, limit: int = 3) -> list[tuple[str, str, int]]:
    """The rules that fired most, worst severity first: (rule, severity, count)."""
    worst: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for f in report.findings:
        counts[f.rule] += 1
        if f.rule not in worst or SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst[f.rule]]:
            worst[f.rule] = f.severity
    ranked = sorted(counts, key=lambda r: (-SEVERITY_RANK[worst[r]], -counts[r], r))
    return [(r, worst[r], counts[r]) for r in ranked[:limit]]

