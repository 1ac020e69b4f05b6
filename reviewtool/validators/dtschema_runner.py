"""dtschema's meta-schema validation (what ``dt-doc-validate`` does), in-process.

dtschema wants a file on disk, under a path that matches its ``$id``, and it
reports some problems only by printing to stderr.  ``validate()`` therefore
writes the post-image into a scratch ``Documentation/devicetree/bindings``
tree, beside the series' other new bindings and, with a kernel tree, the
tree's schemas that its ``$ref``s name (read at the series' base commit, so
they resolve as they would in the kernel), runs the three steps of
dt-doc-validate (load, meta-schema errors, ``check_schema_refs``), captures
stderr, and returns every problem with its post-image line.  dtschema
crashes on odd input are returned as problems too.

``$ref``s to schemas that exist in neither the scratch tree nor dtschema's
bundled schemas are returned separately (``unresolved``): without a kernel
tree they are usually the kernel's own common schemas, not a mistake.

dtschema caches its meta-schema registry per process; we import it once and
serialize runs (it swaps no state per call, but stderr capture does).

Two per-process savings keep every binding after the first cheap, without
changing a result:

* dtschema parses each ``$ref`` target (its own ``types.yaml`` and friends,
  the series' bindings, the tree's schemas) with ruamel every time a
  registry asks for it.  We hand dtschema's registry a ``retrieve`` that
  remembers what dtschema's own ``retrieve`` returned, keyed by the URI and
  the bytes of the file it would read, so a cached answer is only ever
  reused for identical input.  Anything unexpected (no ``paths``, an
  unreadable file, an exception) goes straight to dtschema's own code.
* The scratch tree lives in one directory per process; each run removes
  only the files it placed (removing directories is the slow part on some
  file systems).  A run that cannot clean up abandons the directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urljoin

BINDINGS = "Documentation/devicetree/bindings"
SCHEMA_URL = "http://devicetree.org/schemas/"
CORE_META = "http://devicetree.org/meta-schemas/core.yaml#"

_IMPORT_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()
_MODULE: Any = None


class DtSchemaUnavailable(Exception):
    """dtschema cannot be imported here (not installed, or broken)."""


@dataclass(frozen=True)
class SchemaProblem:
    line: int | None  # 1-based post-image line; None when dtschema gives none
    message: str  # one line, paths relative to the kernel tree
    kind: str  # "parse", "meta-schema", "refs" or "crash"

    @property
    def key(self) -> tuple[str, str]:
        """Identity without the line number, to compare a file before and after a patch."""
        return (self.kind, self.message)


@dataclass(frozen=True)
class UnresolvedRef:
    ref: str  # as written in the binding
    target: str  # the schema it names, below bindings/ (e.g. "spi/spi-controller.yaml")
    line: int | None


@dataclass(frozen=True)
class SchemaResult:
    problems: tuple[SchemaProblem, ...] = ()
    unresolved: tuple[UnresolvedRef, ...] = ()


def load() -> Any:
    """Import dtschema once per process and return the module.

    ``import dtschema`` installs a SIGINT handler, which Python only allows
    from the main thread (elsewhere it raises ValueError).  In the main
    thread we import normally and put the previous handler back, so Ctrl-C
    keeps behaving as the CLI expects; in another thread we let the import
    skip that one call.
    """
    global _MODULE
    if _MODULE is not None:
        return _MODULE
    with _IMPORT_LOCK:
        if _MODULE is None:
            from .metaschema_cache import install

            _MODULE = _import()
            install(_MODULE)  # meta-schemas from a JSON cache, not 24 YAML parses per process
    return _MODULE


def _import() -> Any:
    import signal

    from ..deferred_imports import JSONSCHEMA_FORMATS, defer

    defer(*JSONSCHEMA_FORMATS)  # loaded on the first value of such a format (start-up, issue 13)

    try:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            try:
                import dtschema
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
            return dtschema
        original = signal.signal

        def keep_sigint(signum, handler):
            if signum == signal.SIGINT:
                return signal.getsignal(signum)
            return original(signum, handler)

        signal.signal = keep_sigint
        try:
            import dtschema
        finally:
            signal.signal = original
        return dtschema
    except ImportError as exc:
        raise DtSchemaUnavailable(f"dtschema is not installed ({exc})") from None
    except Exception as exc:  # a broken install must not stop the review
        raise DtSchemaUnavailable(f"importing dtschema failed ({type(exc).__name__}: {exc})") from None


def warm_up() -> None:
    """Build dtschema's (cached) meta-schema registry now rather than on the first file."""
    from dtschema.schema import create_meta_schema_registry

    load()
    create_meta_schema_registry()


Resolver = Callable[[str], "str | None"]


def validate(rel_path: str, text: str, *, others: Mapping[str, str] | None = None,
             resolve: Resolver | None = None, data: Any = None) -> SchemaResult:
    """Validate one binding's text as ``bindings/<rel_path>``.

    ``others`` maps further relative paths to texts (the series' other
    bindings) to place beside it.  ``resolve(rel)`` returns the text of
    ``bindings/<rel>`` in the kernel tree (or None): it is asked for each
    ``$ref`` target found neither there nor in dtschema's own schemas.
    Without it those targets are returned as ``unresolved``.

    ``data`` is ``text`` already parsed by ruamel's round-trip loader (the
    binding artifact has it): dtschema then skips its own parse, which is
    the slower half of a validation.  It is only read, never changed.

    The result of an earlier run on the same inputs, tree reads included, is
    reused (``reviewtool.resultcache``), without importing dtschema.
    """
    from ..resultcache import cached

    inputs = [rel_path, text, *(x for rel in sorted(others or {}) for x in (rel, (others or {})[rel]))]
    return cached("dt-schema", inputs,
                  lambda readers: _validate(rel_path, text, others, readers["resolve"], data),
                  readers={"resolve": resolve}, encode=_encode, decode=_decode,
                  keep=lambda result: not any(p.kind == "crash" for p in result.problems))


def _encode(result: SchemaResult) -> dict:
    return {"problems": [[p.line, p.message, p.kind] for p in result.problems],
            "unresolved": [[u.ref, u.target, u.line] for u in result.unresolved]}


def _decode(data: dict) -> SchemaResult:
    """A cached result back; anything of the wrong shape raises (the entry is ignored)."""
    def line_ok(x: Any) -> bool:
        return x is None or type(x) is int

    problems = tuple(SchemaProblem(line, message, kind) for line, message, kind in data["problems"])
    unresolved = tuple(UnresolvedRef(ref, target, line) for ref, target, line in data["unresolved"])
    if not (all(line_ok(p.line) and isinstance(p.message, str) and isinstance(p.kind, str) for p in problems)
            and all(isinstance(u.ref, str) and isinstance(u.target, str) and line_ok(u.line) for u in unresolved)):
        raise ValueError("not a dt-schema result")
    return SchemaResult(problems=problems, unresolved=unresolved)


def _validate(rel_path: str, text: str, others: Mapping[str, str] | None, resolve: Resolver | None,
              data: Any) -> SchemaResult:
    dts = load()
    if not _safe_rel(rel_path):
        return SchemaResult(problems=(SchemaProblem(None, f"cannot place {rel_path!r} under bindings/", "crash"),))
    with _RUN_LOCK, _SCRATCH.run() as place:
        try:
            target = place(rel_path, text)
        except OSError as exc:
            return SchemaResult(problems=(SchemaProblem(
                None, f"cannot place {rel_path!r} under bindings/ ({exc.strerror or exc})", "crash"),))
        for rel, other in (others or {}).items():
            if rel != rel_path and _safe_rel(rel):
                try:
                    place(rel, other)
                except OSError:
                    continue  # e.g. x.yaml/y.yaml beside x.yaml: the target is checked without it
        return _Run(dts, target, place.root, rel_path, text, resolve, data, place).result()


def _safe_rel(rel: str) -> bool:
    """A relative path that stays below the directory it is joined to."""
    parts = rel.split("/")
    return (bool(rel) and not rel.startswith("/") and ".." not in parts and "." not in parts
            and "" not in parts and "\0" not in rel and "\\" not in rel)


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class _Placer:
    """Writes files of one run below the scratch ``bindings/`` and remembers them."""

    def __init__(self, root: Path):
        self.root = root
        self.written: list[Path] = []

    def __call__(self, rel: str, text: str) -> Path:
        if not _safe_rel(rel):
            raise OSError(f"{rel!r} is not a path below bindings/")
        path = self.root / rel
        self.written.append(path)  # before writing: a half-written file is removed too
        if path.is_dir() and not any(p.is_file() for p in path.rglob("*")):
            shutil.rmtree(path)  # an empty directory an earlier run left where this file goes
        return _write(self.root, rel, text)


class _ScratchTree:
    """One scratch kernel tree per process, emptied of its files after each run.

    Only the files a run wrote are removed; the directories stay (dtschema
    and ``_find_unresolved`` only ever ask whether a *file* exists, so an
    empty directory changes nothing).  If a file cannot be removed the whole
    directory is abandoned, so no run ever sees another run's file.  A forked
    child makes its own directory; each is removed when its process exits.
    """

    def __init__(self) -> None:
        self._base: Path | None = None
        self._pid: int | None = None

    def _bindings(self) -> Path:
        if self._base is None or self._pid != os.getpid() or not self._base.is_dir():
            self._base = Path(tempfile.mkdtemp(prefix="reviewtool-dtschema-"))
            self._pid = os.getpid()
            _at_exit(_remove_tree, self._base, self._pid)
        return self._base / BINDINGS

    @contextlib.contextmanager
    def run(self) -> Iterator[_Placer]:
        place = _Placer(self._bindings())
        try:
            yield place
        finally:
            self._clean(place)

    def _clean(self, place: _Placer) -> None:
        for path in reversed(place.written):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError:
                self.abandon()
                return

    def abandon(self) -> None:
        """Drop the current directory; the next run makes a fresh one."""
        if self._base is not None and self._pid == os.getpid():
            _remove_tree(self._base, self._pid)
        self._base = None


def _at_exit(fn: Callable[..., None], *args: Any) -> None:
    """Run ``fn(*args)`` when this process exits, a multiprocessing worker
    (which leaves by ``os._exit`` and skips ``atexit``) included."""
    from multiprocessing import util

    util.Finalize(None, fn, args=args, exitpriority=0)  # run by atexit, and by a worker's own exit


def _remove_tree(base: Path, pid: int) -> None:
    if os.getpid() == pid:  # never a parent's directory from a forked child
        shutil.rmtree(base, ignore_errors=True)


_SCRATCH = _ScratchTree()


class _Run:
    """One dt-doc-validate run on a placed file."""

    def __init__(self, dts: Any, target: Path, root: Path, rel_path: str, text: str,
                 resolve: Resolver | None = None, data: Any = None,
                 place: Callable[[str, str], Path] | None = None):
        self.dts = dts
        self.place = place or (lambda rel, text: _write(root, rel, text))
        self.resolve = resolve
        self.data = data
        self.target = target
        self.root = root
        self.rel_path = rel_path
        self.lines = text.split("\n")
        self.problems: list[SchemaProblem] = []
        self.unresolved: list[UnresolvedRef] = []

    def result(self) -> SchemaResult:
        sch = self._load()
        if sch is not None:
            meta_ok = self._meta_schema(sch)
            self._refs(sch, meta_ok)
        return SchemaResult(problems=tuple(self.problems), unresolved=tuple(self.unresolved))

    # -- helpers -----------------------------------------------------------
    def _add(self, line: int | None, message: str, kind: str) -> None:
        self.problems.append(SchemaProblem(line, " ".join(self._clean(message).split()), kind))

    def _clean(self, message: str) -> str:
        """Temp paths out of dtschema's messages."""
        message = message.replace(str(self.target), f"{BINDINGS}/{self.rel_path}")
        return message.replace(str(self.root) + "/", "")

    def _top_line(self, key: str) -> int | None:
        """Line of a top-level key (dtschema keeps no line info for the top level)."""
        pattern = re.compile(r"""^(?:{k}|"{k}"|'{k}')\s*:""".format(k=re.escape(key)))
        return next((i for i, ln in enumerate(self.lines, 1) if pattern.match(ln)), None)

    # -- step 1: load --------------------------------------------------------
    def _load(self):
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        if isinstance(self.data, dict) and hasattr(self.data, "lc"):
            sch = _schema_from_parsed(self.dts, self.target, self.data)
            if sch is not None:
                return sch
        try:
            sch = self.dts.DTSchema(str(self.target), line_numbers=True)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            where = f" (line {line}, column {mark.column + 1})" if mark else ""
            self._add(line, f"not valid YAML: {exc.problem or exc.context}{where}", "parse")
            return None
        except YAMLError as exc:
            self._add(None, f"not valid YAML: {exc}", "parse")
            return None
        except Exception as exc:  # e.g. an empty file or a top-level list: dict() of it fails
            self._add(1, f"the file is not a YAML mapping of schema keywords; dt-schema could not load it "
                         f"({type(exc).__name__}: {exc})", "crash")
            return None
        return sch

    # -- step 2: meta-schema -------------------------------------------------
    def _meta_schema(self, sch) -> bool:
        meta = sch.get("$schema")
        if not isinstance(meta, str):
            self._add(self._top_line("$schema"), f"no usable $schema: it must be {CORE_META}", "meta-schema")
            return False
        errors = []
        try:
            for err in sch.iter_errors():
                errors.append(err)
        except Exception as exc:
            self._add(self._top_line("$schema"), f"dt-schema crashed checking against the meta-schema "
                      f"({type(exc).__name__}: {exc}); is $schema {CORE_META}?", "crash")
        for err in sorted(errors, key=_linecol_key):
            key = _owning_key(sch, list(err.absolute_path), err.instance)
            self._add(self._error_line(sch, err, key), self._describe(err, key), "meta-schema")
        return not errors

    def _error_line(self, sch, err, key: Any) -> int | None:
        path = list(err.absolute_path)
        first = _linecol_key(err)[:1]
        line = first[0] + 1 if first and first[0] >= 0 else None
        if path and len(path) == 1 and line is None:
            return self._top_line(str(path[0]))
        # dtschema points at the first key inside a mapping; the key that owns
        # the offending mapping is the line a reviewer quotes.
        owner, owned = (path, key) if key is not None else (path[:-1], path[-1] if path else None)
        if owned is not None and (key is not None or isinstance(err.instance, dict)):
            try:
                return _path_obj(sch, owner).lc.key(owned)[0] + 1
            except Exception:
                pass
        return line

    def _describe(self, err, key: Any = None) -> str:
        from jsonschema.exceptions import best_match

        path = ":".join(str(p) for p in [*err.absolute_path, *([key] if key is not None else [])])
        where = f"{path}: " if path else ""
        source = getattr(err, "schema_file", None)
        origin = f" (meta-schema {source.rsplit('/', 1)[-1]})" if isinstance(source, str) and source else ""
        if err.schema is False:
            what = "must not be defined here" if key is not None else f"{_short(err.instance)} is not allowed here"
            return f"{where}{what}{origin}"
        if err.context:
            best = best_match(err.context)
            hints: list[str] = []
            for sub in _leaves(err):
                note = getattr(sub, "note", None)
                note = " ".join(str(note).split()).rstrip(".") if note else ""
                if note and note not in hints:
                    hints.append(note)
            hint = f"; hint: {'; '.join(hints[:3])}" if hints else ""
            sub_where = ":".join(str(p) for p in best.absolute_path)
            lead = f"{sub_where}: " if sub_where and sub_where != path else where
            return f"{lead}{best.message}{hint}{origin}"
        note = getattr(err, "note", None)
        hint = f"; hint: {' '.join(str(note).split())}" if note else ""
        return f"{where}{err.message}{hint}{origin}"

    # -- step 3: $refs ---------------------------------------------------------
    def _refs(self, sch, meta_ok: bool) -> None:
        schema_id = sch.get("$id")
        id_usable = isinstance(schema_id, str) and re.search(r"schemas/.+", schema_id) is not None
        self._find_unresolved(sch)
        if not id_usable:
            # check_schema_refs() would crash on it (TypeError/KeyError); say what it needs.
            if meta_ok:
                self._add(self._top_line("$id"), f"$id must be {SCHEMA_URL}{self.rel_path}# for dt-schema to "
                          "locate the file and check its $refs", "refs")
            return
        missing = {u.target for u in self.unresolved}
        sch.retrieve = _lenient_retrieve(_cached_retrieve(sch, _confined_retrieve(sch, sch.retrieve)), missing)
        buf = io.StringIO()
        with contextlib.redirect_stderr(buf):
            try:
                sch.check_schema_refs()
            except Exception as exc:
                self._add(self._top_line("$id"), f"dt-schema crashed checking the $refs "
                          f"({type(exc).__name__}: {exc})", "crash")
        for record in _records(buf.getvalue()):
            self._stderr_note(self._clean(record))

    def _stderr_note(self, record: str) -> None:
        head = record.split("\n", 1)[0]
        _, _, body = head.partition(": ")
        body = body or head
        if "Unresolvable reference:" in body:
            ref = body.split("Unresolvable reference:", 1)[1].strip()
            if any(u.ref.split("#")[0] and u.ref.split("#")[0] in ref for u in self.unresolved):
                return  # already listed as unresolved
            pointer = re.match(r"^'([^']*)' does not exist within", ref)
            if pointer:  # a JSON pointer into a schema that exists: name just the pointer
                frag = pointer.group(1)
                self._add(self._ref_line(frag), f"unresolvable $ref: {frag} does not exist in the schema "
                          "it points to", "refs")
            else:
                self._add(self._ref_line(ref), f"unresolvable $ref {_clip(ref)}", "refs")
        elif body.startswith("$id:"):
            self._add(self._top_line("$id"), f"$id does not match the file's path: it must be "
                      f"{SCHEMA_URL}{self.rel_path}# (dt-schema: {body[4:].strip()})", "refs")
        elif "Missing additionalProperties/unevaluatedProperties" in body:
            parent = body.split(":", 1)[0].strip()
            self._add(self._key_line(parent), f"{parent}: a node schema without additionalProperties or "
                      "unevaluatedProperties (and no $ref providing one)", "refs")
        else:
            self._add(None, " ".join(record.split()), "refs")

    def _key_line(self, key: str) -> int | None:
        pattern = re.compile(r"""^\s*(?:{k}|"{k}"|'{k}')\s*:""".format(k=re.escape(key)))
        hits = [i for i, ln in enumerate(self.lines, 1) if pattern.match(ln)]
        return hits[0] if len(hits) == 1 else None

    def _ref_line(self, ref: str) -> int | None:
        """The first ``$ref`` line naming this target (a file name or a JSON pointer)."""
        ref = ref.strip("'\"")
        needle = ref.split("#")[-1] if ref.startswith("/") and "#" not in ref else ref.split("#")[0].rsplit("/", 1)[-1]
        return next((i for i, ln in enumerate(self.lines, 1) if "$ref" in ln and needle and needle in ln), None)

    def _find_unresolved(self, sch) -> None:
        from dtschema.schema import schema_basedir

        base = f"{SCHEMA_URL}{self.rel_path}"
        bundled = Path(schema_basedir) / "schemas"
        seen: set[tuple[str, int | None]] = set()
        for ref, line in _refs_in(sch, self._top_line):
            try:
                url = urljoin(base, ref).split("#")[0]
            except ValueError:  # e.g. http://[::1 (an IPv6 host never closed)
                url = ""
            if not url or url == base or not url.startswith(SCHEMA_URL):
                continue
            rel = url[len(SCHEMA_URL):]
            if _safe_rel(rel) and ((self.root / rel).is_file() or (bundled / rel).is_file()):
                continue
            fetched = self._fetch(rel)
            if fetched:
                continue
            if (ref, line) in seen:
                continue
            seen.add((ref, line))
            self.unresolved.append(UnresolvedRef(ref=ref, target=rel, line=line))
        self.unresolved.sort(key=lambda u: (u.line or 0, u.ref))


    def _fetch(self, rel: str) -> bool:
        """Copy a $ref target from the kernel tree into the scratch tree."""
        if self.resolve is None or not _safe_rel(rel):
            return False
        try:
            text = self.resolve(rel)
        except Exception:
            text = None
        if text is None:
            return False
        self.place(rel, text)
        return True


def _linecol_key(err: Any) -> tuple[int, ...]:
    """Sort key of a dtschema error's (line, col); a tagged scalar gives None parts."""
    linecol = getattr(err, "linecol", None) or ()
    return tuple(x if isinstance(x, int) else -1 for x in linecol)


def _schema_from_parsed(dts: Any, target: Path, data: Any) -> Any:
    """A DTSchema over an already parsed round-trip document, as
    ``DTSchema(target, line_numbers=True)`` would build it from the file.

    This mirrors DTSchema.__init__ of dtschema 2026.9 (search paths, absolute
    file name, the meta-schema's 'select' tweak) minus the file read; None
    when this dtschema does not look like that, so the caller parses the file.
    """
    from dtschema import schema as dts_schema

    cls = dts.DTSchema
    base_url = getattr(dts_schema, "schema_base_url", None)
    basedir = getattr(dts_schema, "schema_basedir", None)
    validator = getattr(cls, "DtValidator", None)
    if not (isinstance(base_url, str) and isinstance(basedir, str) and validator is not None):
        return None
    sch = cls.__new__(cls)
    sch.paths = [(base_url, basedir + "/")]
    sch.filename = os.path.abspath(target)
    validator.META_SCHEMA["properties"]["select"] = {"$recursiveRef": "#"}
    dict.__init__(sch, data)
    return sch


# -- the $ref target cache -------------------------------------------------------------

_CACHE_SIZE = 256  # distinct (URI, file content) pairs: dtschema bundles 66 schemas; ~80 kB each parsed
_CACHE: "OrderedDict[tuple[str, bytes], Any]" = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_ENABLED = True
_CACHE_STATS = {"hits": 0, "misses": 0, "bypassed": 0}


def set_cache(enabled: bool) -> bool:
    """Switch the $ref target cache on or off (for tests and benchmarks);
    returns the previous setting.  Switching it off also empties it."""
    global _CACHE_ENABLED
    previous, _CACHE_ENABLED = _CACHE_ENABLED, bool(enabled)
    if not enabled:
        clear_cache()
    return previous


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
        for k in _CACHE_STATS:
            _CACHE_STATS[k] = 0


def cache_info() -> dict[str, int]:
    with _CACHE_LOCK:
        return {**_CACHE_STATS, "size": len(_CACHE)}


def _schema_file(uri: str, prefix: str, directory: str) -> str | None:
    """The file dtschema's ``retrieve`` opens for ``uri`` under one ``(prefix,
    directory)`` search path, if it stays inside ``directory``: dot segments
    (``http://devicetree.org/schemas/../../tmp/x.yaml``) and symlinks must not
    lead a $ref out of the scratch tree or dtschema's own schemas."""
    filename = uri.rstrip("#").replace(prefix, directory)
    try:
        real = os.path.realpath(filename)
        root = os.path.realpath(directory)
    except (OSError, ValueError):
        return None
    if os.path.commonpath([real, root]) != root:
        return None
    return filename


def _confined_retrieve(sch: Any, original: Callable[[str], Any]) -> Callable[[str], Any]:
    """dtschema's ``retrieve`` refusing every URI that maps outside its search paths."""
    from referencing.exceptions import NoSuchResource

    def retrieve(uri: str):
        paths = getattr(sch, "paths", None) or ()
        entries = [e for e in paths if isinstance(e, tuple) and len(e) == 2 and all(isinstance(x, str) for x in e)]
        if len(entries) != len(paths) or any(_schema_file(uri, *e) is None for e in entries):
            raise NoSuchResource(ref=uri)
        return original(uri)

    return retrieve


def _source_file(uri: str, paths: Any) -> bytes | None:
    """The bytes of the file dtschema's ``retrieve`` reads for ``uri``: the first
    ``(url prefix, directory)`` of ``paths`` that maps the URI onto a file.
    None when ``paths`` is not what dtschema 2026.9 keeps there, the URI
    leads outside a search path, or no such file can be read (dtschema's
    own code then decides what happens)."""
    if not isinstance(paths, (list, tuple)):
        return None
    for entry in paths:
        if not (isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            return None
        filename = _schema_file(uri, *entry)
        if filename is None:
            return None
        if os.path.isfile(filename):
            try:
                with open(filename, "rb") as fh:
                    return fh.read()
            except OSError:
                return None
    return None


def _cached_retrieve(sch: Any, original: Callable[[str], Any]) -> Callable[[str], Any]:
    """``original`` (dtschema's ``DTSchema.retrieve``) with its answers remembered
    per process, keyed by URI and the content of the file it reads.

    ``sch.paths`` is read on each call: ``check_schema_refs`` sets it just
    before building its registry.  Failures are never cached.
    """
    from referencing import Resource

    def retrieve(uri: str):
        if not _CACHE_ENABLED:
            return original(uri)
        content = _source_file(uri, getattr(sch, "paths", None))
        if content is None:
            with _CACHE_LOCK:
                _CACHE_STATS["bypassed"] += 1
            return original(uri)
        key = (uri.rstrip("#"), hashlib.blake2b(content, digest_size=20).digest())
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
                _CACHE_STATS["hits"] += 1
                return hit
        resource = original(uri)
        if isinstance(resource, Resource):  # immutable: safe to share between registries
            with _CACHE_LOCK:
                _CACHE_STATS["misses"] += 1
                _CACHE[key] = resource
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
        return resource

    return retrieve


def _lenient_retrieve(original, missing: set[str]):
    """dtschema stops at the first unresolvable $ref; stand in an empty schema for
    the ones we already report as unresolved so the rest still gets checked."""
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT201909

    def retrieve(uri: str):
        try:
            return original(uri)
        except NoSuchResource:
            rel = uri.rstrip("#")
            rel = rel[len(SCHEMA_URL):] if rel.startswith(SCHEMA_URL) else rel
            if rel in missing:
                return DRAFT201909.create_resource(_Unknown())
            raise

    return retrieve


class _Unknown(dict):
    """Stands in for a schema we cannot read: every JSON pointer into it resolves
    (to another empty stand-in), and it constrains nothing."""

    def __missing__(self, key):
        return _Unknown()


def _records(stderr: str) -> Iterator[str]:
    """dtschema's stderr notes: a first line, then tab-indented continuation lines."""
    record: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("\t") and record:
            record.append(line)
            continue
        if record:
            yield "\n".join(record)
        record = [line] if line.strip() else []
    if record:
        yield "\n".join(record)


def _refs_in(node: Any, top_line) -> Iterator[tuple[str, int | None]]:
    """Every ``$ref`` string with its line, depth first."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for key, value in cur.items():
                if key == "$ref" and isinstance(value, str):
                    try:
                        line = cur.lc.value(key)[0] + 1
                    except Exception:
                        line = top_line("$ref")
                    yield value, line
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(cur, list):
            stack.extend(v for v in cur if isinstance(v, (dict, list)))


def _path_obj(tree: Any, path: list) -> Any:
    for p in path:
        tree = tree[p]
    return tree


def _owning_key(sch: Any, path: list, instance: Any) -> Any:
    """The key, in the mapping at ``path``, whose value is ``instance`` itself."""
    if not isinstance(instance, (dict, list)):
        return None
    try:
        owner = _path_obj(sch, path)
    except Exception:
        return None
    if owner is instance or not isinstance(owner, dict) or not hasattr(owner, "lc"):
        return None
    return next((k for k, v in owner.items() if v is instance), None)


def _leaves(err) -> Iterator[Any]:
    for sub in err.context:
        yield sub
        if sub.context:
            yield from _leaves(sub)


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any) -> str:
    text = repr(dict(value)) if isinstance(value, dict) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
