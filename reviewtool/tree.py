"""What a kernel tree documents: compatibles, vendor prefixes, binding files.

A patch alone cannot say whether "acme,foo" is documented; the tree the
series applies to can.  ``SourceTree`` is the tree on disk; ``TreeView`` looks
at it at one commit (the series' base when the tree has it, else HEAD, else the
working directory for a tree that is not a git repository) and is what rules
get: the ``kerneltree.KernelTree`` protocol, with ``NO_TREE`` when there is no tree.

Each YAML binding's compatibles come from its ``BindingFacts`` (the one
answer the binding rules read too), parsed with libyaml's safe loader: a
full kernel (~4,400 YAML bindings) takes a few seconds once.  The index is
cached on disk under ``$XDG_CACHE_HOME/reviewtool/tree/``, keyed by
the git object id of ``Documentation/devicetree/bindings`` at that commit
(content-addressed: commits that do not touch bindings share one entry), or
by file sizes and mtimes for a plain directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .kerneltree import NO_TREE, KernelTree, NoTree  # noqa: F401  (re-exported: the protocol rules see)

BINDINGS = "Documentation/devicetree/bindings"
VENDOR_PREFIXES = f"{BINDINGS}/vendor-prefixes.yaml"
INDEX_VERSION = 5  # 3: compatibles from BindingFacts, patterns included; 4: enumerated names; 5: large parts in a second file
# The index's two large parts (~85 % of its JSON for a 6.12 tree), cached in a
# file of their own and read on first use: a binding patch's hook run asks the
# index only about files and vendor prefixes, and 2.5 MB of JSON was ~15 ms of it.
_DEFERRED = ("compatibles", "names")

# --------------------------------------------------------------------------
# Scanning binding text (shared with the checks, which scan series bindings)

_SCALAR = re.compile(r"^[A-Za-z0-9][\w,.+/-]*$")
_CONST = re.compile(r"(?:^|[\s{,-])const:\s*(\"[^\"]*\"|'[^']*'|[^\s}#]+)")
_ENUM_FLOW = re.compile(r"(?:^|[\s{,-])enum:\s*\[([^\]]*)\]?")
_FLOW_ITEM = re.compile(r"\"([^\"]*)\"|'([^']*)'|([^,\s\[\]]+)")
_ITEM = re.compile(r"^\s*-\s+([^\s:#][^\s#]*)\s*(?:#.*)?$")
_PATTERN = re.compile(r"(?:^|\s)pattern:\s*(\S.*?)\s*(?:#.*)?$")
_TXT_VENDOR = re.compile(r"(?<![\w,.+-])([a-z0-9][a-z0-9-]*,[A-Za-z0-9][\w.+-]*)")
_TXT_QUOTED = re.compile(r'"([A-Za-z0-9][\w,.+-]*)"')
_VENDOR_KEY = re.compile(r"""^\s+["']?\^(.+?)["']?\s*:\s*(?:true)?\s*(?:#.*)?$""")
_SIMPLE_VENDOR = re.compile(r"^([a-zA-Z0-9][a-zA-Z0-9-]*),\.\*$")


def _clean(value: str) -> str:
    return value.strip().strip(",").strip().strip("'\"")


def _flow_items(body: str) -> list[str]:
    """Items of a YAML flow sequence; like YAML, an unquoted 'a,b' is two items."""
    return [next(g for g in m.groups() if g is not None) for m in _FLOW_ITEM.finditer(body)]


def _scalar(value: str) -> str | None:
    value = _clean(value)
    if not value or not _SCALAR.match(value) or value in ("true", "false", "null") or value.isdigit():
        return None
    return value


def yaml_compatibles(text: str) -> tuple[set[str], list[str]]:
    """Compatible values and ``pattern:`` regexes a YAML binding documents.

    The one answer is ``BindingFacts`` (every node schema's ``compatible``:
    const, enum and pattern); a naming-convention schema (it selects by a
    compatible pattern and accepts any property, like qcom-soc.yaml)
    documents no pattern, nor does a pattern any compatible would pass (a
    format check).  Text that does not parse (a hunk, a broken file) is read
    as the lines it shows: ``shown_compatibles``.
    """
    from .artifacts.binding_facts import facts_from_text

    facts = facts_from_text("", text)
    if facts is None:
        return shown_compatibles(text)
    return documented_by(facts)


def patch_yaml_compatibles(text: str) -> tuple[set[str], list[str]]:
    """``yaml_compatibles`` of a binding a patch adds, reused from an earlier
    run on the same text (``resultcache``): a re-run of the same patch (every
    ``b4 prep --check`` after the first) then does not import PyYAML, which
    nothing else in such a run needs.  Not for whole trees: one entry per text."""
    from .resultcache import cached

    return cached("yaml-compatibles", [text], lambda readers: yaml_compatibles(text),
                  encode=lambda found: [sorted(found[0]), list(found[1])], decode=_decode_compatibles)


def _decode_compatibles(value: list) -> tuple[set[str], list[str]]:
    """A cached ``[strings, patterns]`` back; any other shape raises (the entry is ignored)."""
    strings, patterns = value
    if not all(isinstance(x, list) and all(isinstance(s, str) for s in x) for x in (strings, patterns)):
        raise ValueError("not compatibles")
    return set(strings), list(patterns)


def documented_by(facts) -> tuple[set[str], list[str]]:
    """(strings, patterns) a binding documents for the index, from its facts."""
    found = {c.value for c in facts.named_compatibles}
    if facts.is_naming_convention:  # its patterns are rules for names, not devices
        return found, []
    patterns = [c.value for c in facts.compatible_patterns if _documents_specific(c.value)]
    return found, list(dict.fromkeys(patterns))


_PROBES = ("zzprobe,zz9", "zz-probe,zz-9x", "zzprobe")


def _documents_specific(pattern: str) -> bool:
    """A pattern anchored at the start that no unrelated name passes documents
    a family of devices ('^ethernet-phy-id[a-f0-9]{4}...', '^usb[0-9a-f]+,...');
    one any name passes ('^[a-z]+,.*$') is a format check."""
    if not pattern.startswith("^"):
        return False
    try:
        rx = re.compile(pattern)
    except re.error:
        return False
    return not any(rx.search(p) for p in _PROBES)


def shown_compatibles(text: str) -> tuple[set[str], list[str]]:
    """Compatible values (and ``pattern:`` regexes) under every ``compatible:``
    key among lines that are not a whole YAML document (the hunks of a patch).

    Values are collected from the block indented below a ``compatible:`` key
    (properties, child nodes, select/if); ``examples:`` is skipped: a DTS
    example may name devices the schema does not describe.
    """
    found: set[str] = set()
    patterns: list[str] = []
    limit = 0 if text.startswith("examples:") else text.find("\nexamples:")
    limit = len(text) if limit < 0 else limit
    pos = 0
    while (at := text.find("compatible:", pos, limit)) >= 0:
        start = text.rfind("\n", 0, at) + 1
        lead = text[start:at]
        eol = text.find("\n", at, limit)
        eol = limit if eol < 0 else eol
        if lead.strip() not in ("", "-"):
            pos = eol
            continue
        rest = text[at + len("compatible:"): eol]
        if rest.strip():
            _scan_compat_line(rest, found, patterns)
        pos = _scan_block(text, eol + 1, limit, len(lead) if lead.strip() == "" else len(lead) - len(lead.lstrip()),
                          found, patterns)
    return found, patterns


def _scan_block(text: str, pos: int, limit: int, block: int, found: set[str], patterns: list[str]) -> int:
    """Scan the lines indented deeper than ``block`` from ``pos``; return where the block ends."""
    in_flow = False
    while pos < limit:
        nl = text.find("\n", pos, limit)
        end = limit if nl < 0 else nl
        raw = text[pos:end]
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            indent = len(raw) - len(raw.lstrip())
            if indent <= block and not in_flow:
                return pos
            if in_flow:
                body, _, _ = stripped.partition("]")
                for part in _flow_items(body):
                    if (v := _scalar(part)) is not None:
                        found.add(v)
                in_flow = "]" not in stripped
            else:
                in_flow = "enum:" in stripped and "[" in stripped and "]" not in stripped
                _scan_compat_line(raw, found, patterns)
        pos = end + 1
    return pos


def _scan_compat_line(line: str, found: set[str], patterns: list[str]) -> None:
    # Cheap substring tests first: this runs for every line of every compatible block.
    if "const:" in line:
        for m in _CONST.finditer(line):
            if (v := _scalar(m.group(1))) is not None:
                found.add(v)
    if "enum:" in line and "[" in line:
        for m in _ENUM_FLOW.finditer(line):
            for part in _flow_items(m.group(1)):
                if (v := _scalar(part)) is not None:
                    found.add(v)
    if "pattern:" in line:
        pm = _PATTERN.search(line)
        if pm:
            pattern = _clean(pm.group(1))
            if _documents_specific(pattern):
                patterns.append(pattern)
            return
    if "- " in line:
        im = _ITEM.match(line)
        if im and (v := _scalar(im.group(1))) is not None:
            found.add(v)


def txt_compatibles(text: str) -> set[str]:
    """Compatible-looking strings in a free-form .txt binding (generous on purpose)."""
    found = set(_TXT_VENDOR.findall(text))
    for line in text.split("\n"):
        if "compatible" in line:
            found.update(_TXT_QUOTED.findall(line))
    return found


def binding_compatibles(path: str, text: str) -> tuple[set[str], list[str]]:
    if path.endswith((".yaml", ".yml")):
        return yaml_compatibles(text)
    return txt_compatibles(text), []


def vendor_prefix_keys(text: str) -> tuple[set[str], list[str]]:
    """(plain prefixes, other key regexes) from vendor-prefixes.yaml text or lines."""
    plain: set[str] = set()
    regexes: list[str] = []
    for line in text.split("\n"):
        m = _VENDOR_KEY.match(line)
        if not m:
            continue
        key = m.group(1)
        sm = _SIMPLE_VENDOR.match(key)
        if sm:
            plain.add(sm.group(1))
        else:
            regexes.append("^" + key)
    return plain, regexes


def compatible_matches(compat: str, patterns: list[str]) -> bool:
    for p in patterns:
        try:
            if re.search(p, compat):
                return True
        except re.error:
            continue
    return False


# --------------------------------------------------------------------------
# The index


@dataclass
class TreeIndex:
    compatibles: dict[str, str] = field(default_factory=dict)  # compatible -> binding path
    patterns: list[tuple[str, str]] = field(default_factory=list)  # (regex, binding path)
    vendors: set[str] = field(default_factory=set)
    vendor_patterns: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every path below the bindings dir
    # enum/const values with underscores or upper case (pin, group, clock
    # names): a node named so takes its spelling from a binding
    names: set[str] = field(default_factory=set)

    def to_json(self) -> dict:
        return {
            "version": INDEX_VERSION,
            "compatibles": self.compatibles,
            "patterns": self.patterns,
            "vendors": sorted(self.vendors),
            "vendor_patterns": self.vendor_patterns,
            "files": self.files,
            "names": sorted(self.names),
        }

    def __getattr__(self, name: str):
        """An index read from the cache gets its large parts (``_DEFERRED``) when first asked."""
        load = self.__dict__.get("_load_deferred")
        if load is None or name not in _DEFERRED:
            if name in _DEFERRED and name in self.__dict__:  # another thread loaded them meanwhile
                return self.__dict__[name]
            raise AttributeError(name)
        values = load()
        self.__dict__.update(values)
        self.__dict__.pop("_load_deferred", None)
        return values[name]

    def split_json(self) -> tuple[dict, dict]:
        """``to_json`` as (the small parts, the large ``_DEFERRED`` ones), each with the version."""
        small = self.to_json()
        return small, {"version": INDEX_VERSION, **{k: small.pop(k) for k in _DEFERRED}}

    @classmethod
    def from_split_json(cls, small: dict, load_deferred) -> "TreeIndex | None":
        """An index from ``split_json``'s small part; ``load_deferred()`` gives the
        large parts (``deferred_from_json``) when they are first read."""
        if not isinstance(small, dict) or small.get("version") != INDEX_VERSION:
            return None
        idx = cls.__new__(cls)
        idx.__dict__.update(patterns=[tuple(p) for p in small["patterns"]], vendors=set(small["vendors"]),
                            vendor_patterns=list(small["vendor_patterns"]), files=list(small["files"]),
                            _load_deferred=load_deferred)
        return idx

    @staticmethod
    def deferred_from_json(data: dict) -> dict:
        """The large parts from ``split_json``'s second value; raises on anything else."""
        if data.get("version") != INDEX_VERSION:
            raise ValueError("another index version")
        return {"compatibles": dict(data["compatibles"]), "names": set(data["names"])}


def build_index(files: dict[str, str], all_paths: list[str]) -> TreeIndex:
    """Index binding texts given as {repo-relative path: text}."""
    idx = TreeIndex(files=sorted(all_paths))
    for path in sorted(files):
        text = files[path]
        if path == VENDOR_PREFIXES:
            idx.vendors, idx.vendor_patterns = vendor_prefix_keys(text)
            continue
        if path.endswith((".yaml", ".yml")):
            from .artifacts.binding_facts import facts_from_text

            facts = facts_from_text(path, text)
            compats, patterns = documented_by(facts) if facts is not None else shown_compatibles(text)
            if facts is not None:
                idx.names.update(v for v in facts.enumerated_values if "_" in v or v != v.lower())
        else:
            compats, patterns = binding_compatibles(path, text)
        for c in compats:
            idx.compatibles.setdefault(c, path)
        idx.patterns.extend((p, path) for p in patterns)
    return idx


def cache_dir() -> Path:
    from .jsoncache import cache_dir as tool_cache

    return tool_cache("tree")


def _file_name(cache_key: str, part: str = "") -> str:
    """An index cache file; the version is in the name, so older installations
    sharing the cache directory keep their own files instead of rebuilding ours."""
    return f"{part}{cache_key}-v{INDEX_VERSION}.json"


def _git(root: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=input, capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed (needed to read the kernel tree)") from None


def _is_scanned(path: str) -> bool:
    return path.endswith((".yaml", ".yml", ".txt"))


class SourceTree:
    """A kernel source tree on disk (a git repository or a plain directory)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.is_git = (self.root / ".git").exists()
        self._indexes: dict[str, TreeIndex] = {}
        self._views: dict[str | None, TreeView] = {}
        self.last_build: dict[str, float | int | bool] = {}  # for benchmarks: files, cached

    @staticmethod
    def looks_like_kernel(path: str | Path) -> bool:
        p = Path(path)
        return (p / BINDINGS).is_dir() and (p / "MAINTAINERS").is_file()

    def at(self, commit: str | None = None) -> "TreeView":
        """A view at ``commit`` when the tree has it, else at HEAD (or the directory)."""
        if commit not in self._views:
            self._views[commit] = TreeView(self, commit)
        return self._views[commit]

    # -- resolving revisions
    def resolve(self, commit: str | None) -> str | None:
        """The full commit id to read, or None for the working directory."""
        if not self.is_git:
            return None
        for rev in ([commit] if commit else []) + ["HEAD"]:
            proc = _git(self.root, "rev-parse", "--verify", "-q", f"{rev}^{{commit}}")
            if proc.returncode == 0:
                return proc.stdout.decode().strip()
        return None

    # -- index
    def index(self, rev: str | None, use_cache: bool = True) -> TreeIndex:
        key = rev or "worktree"
        if key in self._indexes:
            return self._indexes[key]
        if rev is not None:
            idx = self._git_index(rev, use_cache)
        else:
            idx = self._dir_index(use_cache)
        self._indexes[key] = idx
        return idx

    def _load_cached(self, cache_key: str, rebuild) -> TreeIndex | None:
        """The cached index (its large parts read on first use, see ``_DEFERRED``);
        ``rebuild()`` builds it again should those be gone or damaged by then."""
        path = cache_dir() / _file_name(cache_key)
        try:
            with path.open(encoding="utf-8") as fh:
                return TreeIndex.from_split_json(json.load(fh), lambda: self._load_deferred(cache_key, rebuild))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _load_deferred(self, cache_key: str, rebuild) -> dict:
        try:
            with (cache_dir() / _file_name(cache_key, "big-")).open(encoding="utf-8") as fh:
                return TreeIndex.deferred_from_json(json.load(fh))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            idx = rebuild()
            self._store(cache_key, idx)
            return {k: getattr(idx, k) for k in _DEFERRED}

    def _store(self, cache_key: str, idx: TreeIndex) -> None:
        from .jsoncache import write_json

        small, large = idx.split_json()
        # the large parts first: a small part on disk always has its large parts beside it
        if write_json(cache_dir() / _file_name(cache_key, "big-"), large):  # a read-only cache only costs speed
            write_json(cache_dir() / _file_name(cache_key), small)

    def _git_index(self, rev: str, use_cache: bool) -> TreeIndex:
        proc = _git(self.root, "rev-parse", "--verify", "-q", f"{rev}:{BINDINGS}")
        if proc.returncode != 0:
            self.last_build = {"files": 0, "cached": False}
            return TreeIndex()
        tree_id = proc.stdout.decode().strip()
        cache_key = f"git-{tree_id}"
        if use_cache and (idx := self._load_cached(cache_key, lambda: self._git_index(rev, False))) is not None:
            self.last_build = {"files": len(idx.files), "cached": True}
            return idx
        listing = _git(self.root, "ls-tree", "-r", "-z", tree_id).stdout.decode("utf-8", "replace")
        all_paths: list[str] = []
        wanted: list[tuple[str, str]] = []
        for entry in listing.split("\0"):
            if not entry:
                continue
            meta, _, rel = entry.partition("\t")
            parts = meta.split()
            if len(parts) != 3 or parts[1] != "blob":
                continue
            path = f"{BINDINGS}/{rel}"
            all_paths.append(path)
            if _is_scanned(path):
                wanted.append((parts[2], path))
        texts = self._cat_blobs(wanted)
        idx = build_index(texts, all_paths)
        self.last_build = {"files": len(all_paths), "cached": False}
        if use_cache:
            self._store(cache_key, idx)
        return idx

    def _cat_blobs(self, wanted: list[tuple[str, str]]) -> dict[str, str]:
        """Read many blobs with one ``git cat-file --batch``."""
        if not wanted:
            return {}
        data = _git(self.root, "cat-file", "--batch", input="\n".join(s for s, _ in wanted).encode() + b"\n").stdout
        out: dict[str, str] = {}
        pos = 0
        for sha, path in wanted:
            nl = data.find(b"\n", pos)
            if nl < 0:
                break
            header = data[pos:nl].split()
            pos = nl + 1
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            out[path] = data[pos: pos + size].decode("utf-8", "replace")
            pos += size + 1
        return out

    def _dir_index(self, use_cache: bool) -> TreeIndex:
        base = self.root / BINDINGS
        stats: list[tuple[str, int, int]] = []
        for dirpath, _dirs, names in os.walk(base):
            for name in names:
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                rel = os.path.relpath(full, self.root).replace(os.sep, "/")
                stats.append((rel, st.st_size, st.st_mtime_ns))
        stats.sort()
        digest = hashlib.sha1(str(self.root).encode())
        for rel, size, mtime in stats:
            digest.update(f"{rel}\0{size}\0{mtime}\n".encode())
        cache_key = f"dir-{digest.hexdigest()}"
        if use_cache and (idx := self._load_cached(cache_key, lambda: self._dir_index(False))) is not None:
            self.last_build = {"files": len(idx.files), "cached": True}
            return idx
        texts: dict[str, str] = {}
        for rel, _size, _mtime in stats:
            if _is_scanned(rel):
                text = read_in_tree(self.root, rel)
                if text is not None:
                    texts[rel] = text
        idx = build_index(texts, [s[0] for s in stats])
        self.last_build = {"files": len(stats), "cached": False}
        if use_cache:
            self._store(cache_key, idx)
        return idx

    def read_file(self, rev: str | None, path: str) -> str | None:
        if rev is None:
            return read_in_tree(self.root, path)
        for _ in range(_MAX_LINKS):
            proc = _git(self.root, "cat-file", "blob", f"{rev}:{path}")
            if proc.returncode != 0:
                return None
            data = proc.stdout
            # A symlink's blob is its target's name (one line, no newline); the
            # kernel links dt-bindings headers to one another. Follow it inside
            # the tree, as the file system of a checkout would.
            if b"\n" in data or len(data) > 1024 or not self._is_symlink(rev, path):
                return data.decode("utf-8", "replace")
            path = _link_target(path, data.decode("utf-8", "replace"))
            if path is None:
                return None
        return None

    def _is_symlink(self, rev: str, path: str) -> bool:
        proc = _git(self.root, "ls-tree", rev, "--", path)
        return proc.returncode == 0 and proc.stdout.startswith(b"120000 ")


class TreeView:
    """The tree as one series sees it: at its base commit when known.

    Everything is lazy: creating a view costs nothing; the index is built
    (or loaded from the cache) the first time a rule asks a question.
    """

    available = True

    def __init__(self, tree: SourceTree, commit: str | None):
        self.tree = tree
        self.wanted = commit
        self._rev: str | None | bool = False  # False: not resolved yet
        self._files: dict[str, str | None] = {}

    @property
    def rev(self) -> str | None:
        if self._rev is False:
            self._rev = self.tree.resolve(self.wanted)
        return self._rev  # type: ignore[return-value]

    @property
    def label(self) -> str:
        """How findings name this tree, e.g. 'the tree at /src/linux (3f2a9c1b7d40)'."""
        rev = self.rev
        where = f" ({rev[:12]})" if rev else ""
        return f"the kernel tree at {self.tree.root}{where}"

    @property
    def index(self) -> TreeIndex:
        return self.tree.index(self.rev)

    def documents(self, compatible: str) -> str | None:
        """The binding file documenting ``compatible``, or None."""
        idx = self.index
        if compatible in idx.compatibles:
            return idx.compatibles[compatible]
        for pattern, path in idx.patterns:
            if compatible_matches(compatible, [pattern]):
                return path
        return None

    def has_vendor_prefix(self, prefix: str) -> bool:
        idx = self.index
        return prefix in idx.vendors or compatible_matches(prefix + ",", idx.vendor_patterns)

    def read_file(self, path: str) -> str | None:
        """A file's contents at this view's commit (binding.py rebuilds modified bindings from it)."""
        if path not in self._files:
            self._files[path] = self.tree.read_file(self.rev, path)
        return self._files[path]

    def has_dir(self, path: str) -> bool:
        """Whether the tree has ``path`` as a directory (answered from the index below the bindings)."""
        prefix = path.rstrip("/") + "/"
        if prefix.startswith(BINDINGS + "/"):
            return any(p.startswith(prefix) for p in self.index.files)
        if self.rev is None:
            return (self.tree.root / path).is_dir()
        proc = _git(self.tree.root, "cat-file", "-t", f"{self.rev}:{path.rstrip('/')}")
        return proc.returncode == 0 and proc.stdout.strip() == b"tree"

    def ref_lines(self, name: str) -> list[tuple[str, str]]:
        """(path, line) of the binding lines that mention the file name
        ``name`` in a ``$ref`` (one ``git grep`` below the bindings; [] on a
        tree that is not a git repository)."""
        args = ["grep", "-I", "-F", "-e", name]
        if self.rev is not None:
            args.append(self.rev)
        proc = _git(self.tree.root, *args, "--", BINDINGS)
        if proc.returncode not in (0, 1):
            return []
        out = []
        lead = f"{self.rev}:" if self.rev is not None else ""
        for raw in proc.stdout.decode("utf-8", "replace").splitlines():
            path, _, text = raw[len(lead):].partition(":") if raw.startswith(lead) else ("", "", "")
            if "$ref" in text:
                out.append((path, text))
        return out

    def binding_files(self) -> list[str]:
        return list(self.index.files)

    def list_dir(self, directory: str) -> list[str]:
        """Names (files and subdirectories) directly inside a bindings directory."""
        prefix = directory.rstrip("/") + "/"
        names = {p[len(prefix):].split("/", 1)[0] for p in self.index.files if p.startswith(prefix)}
        return sorted(names)


_MAX_LINKS = 8  # symlink hops followed in a git tree, as the kernel's header links need


def _link_target(path: str, target: str) -> str | None:
    """The tree path a symlink at ``path`` names; None when it leaves the tree."""
    if target.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


def read_in_tree(root: Path | str, rel: str) -> str | None:
    """A regular file of the tree at ``root``, never one outside it.

    ``rel`` comes from a patch or a walk of the tree: a ``../`` in it or a
    symlink pointing out of the tree is refused (None), as are FIFOs and
    devices and files over the input limit.
    """
    from .limits import MAX_INPUT_BYTES, read_capped

    try:
        top = Path(root).resolve()
        target = (top / rel).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(top):
        return None
    try:
        return read_capped(target, MAX_INPUT_BYTES).decode("utf-8", errors="replace")
    except InputError:
        return None


def find_kernel_tree(explicit: str | None, repo: str | None, cwd: str | None = None) -> SourceTree | None:
    """``--tree`` when given (it must be a kernel tree), else the checked repo or
    the cwd's repository when it looks like one; None otherwise."""
    if explicit:
        if not Path(explicit).is_dir():
            raise InputError(f"--tree {explicit}: no such directory")
        if not (Path(explicit) / BINDINGS).is_dir():
            raise InputError(f"--tree {explicit}: not a kernel tree (no {BINDINGS})")
        return SourceTree(explicit)
    start = Path(repo) if repo else Path(cwd or os.getcwd())
    for candidate in [start.resolve(), *start.resolve().parents]:
        if (candidate / ".git").exists():
            return SourceTree(candidate) if SourceTree.looks_like_kernel(candidate) else None
        if repo:  # --repo names the repository itself
            break
    return None
