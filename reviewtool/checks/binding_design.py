"""Binding design checks: does the binding describe hardware, one device per node?

These are judgement rules.  Each looks for a *combination* of signals the DT
maintainers have given as reasons for rejecting a binding (a resource list
whose entries are each described as a device; a title and description that
talk about hypervisor guests and hypercalls; a child node with nothing but a
compatible) and phrases the finding as the question the maintainer asked.
Word lists and thresholds come from the rule's ``params``.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..artifacts.binding import BindingDoc, binding_docs
from ..artifacts.binding_outline import Prose, first_paragraph, prose, title
from ..artifacts.schema_facts import binding_examples, count_range, refs_at_level
from ..classify import BINDINGS_DIR, patch_kinds
from . import check
from ..params import BOOL, INT, REGEX, TEXT, ListOf, Record
from ._design_common import binding_dir, compatibles, description_of, node_schemas, property_defs
from ._util import added_finding, line_of, param_regex


def _rx(pattern: str, flags: int = re.I) -> re.Pattern:
    return re.compile(pattern, flags)


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# -- binding/describes-driver ------------------------------------------------------

class _Pattern:
    """One software-wording pattern from params, with its hardware exceptions."""

    def __init__(self, spec: dict[str, Any]):
        flags = 0 if spec.get("case_sensitive") else re.I
        self.what = spec.get("what", "software")
        self.rx = re.compile(spec["pattern"], flags)
        self.before = re.compile(spec["unless_before"] + r"[\s-]*$", re.I) if spec.get("unless_before") else None
        self.after = re.compile(r"^\s*" + spec["unless_after"], re.I) if spec.get("unless_after") else None

    def search(self, text: str) -> re.Match | None:
        return next(self.finditer(text), None)

    def finditer(self, text: str):
        # the exceptions look around the group named 'w' when the pattern has one
        word = "w" if "w" in self.rx.groupindex else 0
        for m in self.rx.finditer(text):
            start, end = m.start(word), m.end(word)
            if self.before and self.before.search(text[max(0, start - 60): start]):
                continue
            if self.after and self.after.match(text[end: end + 40]):
                continue
            yield m


_WORD_PATTERN = Record({"what": TEXT, "pattern": REGEX, "unless_before": REGEX, "unless_after": REGEX,
                        "case_sensitive": BOOL}, required=("pattern",))


def _patterns(ctx, key: str) -> list[_Pattern]:
    return ctx.memo(f"design-patterns:{ctx.rule.id}:{key}", lambda: [_Pattern(p) for p in ctx.params.get(key, [])])


def _scan_block(patterns: list[_Pattern], text: str) -> list[tuple[_Pattern, re.Match]]:
    hits = []
    for p in patterns:
        m = p.search(text)
        if m:
            hits.append((p, m))
    return hits


@check("binding-describes-driver", params={
    "patterns": ListOf(_WORD_PATTERN),
    "commit_patterns": ListOf(_WORD_PATTERN),
    "skip_properties": REGEX,
    "compatible_pattern": REGEX,
})
def describes_driver(ctx):
    patterns = _patterns(ctx, "patterns")
    skip_owner = _rx(ctx.params.get("skip_properties", r"^linux,"))
    compat_rx = param_regex(ctx.params, "compatible_pattern", re.I)
    for doc in binding_docs(ctx):
        for block in prose(doc):
            if block.property_name and skip_owner.search(block.property_name):
                continue
            text, _ = block.joined()
            hits = _scan_block(patterns, text)
            if block.property_name:
                hits = _software_talk(patterns, hits, text, block.property_name)
            if not hits:
                continue
            pat, m = hits[0]
            line = block.line_at(m.start())
            if not doc.is_added(line):
                continue
            whats = list(dict.fromkeys(p.what for p, _ in hits))
            yield added_finding(ctx, doc, line,
                                word=m.group(0).replace("\n", " "), what=_join(whats),
                                where=_where(block))
        for c in compatibles(doc):
            m = compat_rx.search(c.value.split(",", 1)[-1])
            line = doc.anchor_line(c.line)
            if m and line:
                yield added_finding(ctx, doc, line, word=c.value, what="the driver", where="The compatible")
    # new free-form (.txt) bindings: all of their text is prose
    for f in ctx.patch.files:
        if not (f.path.startswith(BINDINGS_DIR) and f.path.endswith(".txt") and f.status == "added"):
            continue
        for block in _txt_blocks(f):
            text = "\n".join(t for _, t in block)
            hits = _scan_block(patterns, text)
            if hits:
                pat, m = hits[0]
                line = Prose("description", (), tuple(block)).line_at(m.start())
                yield ctx.finding(anchor="diff", path=f.path, line=line, text=f.line_at(line).text,
                                  word=m.group(0).replace("\n", " "),
                                  what=_join(list(dict.fromkeys(p.what for p, _ in hits))), where="The binding")
    # the commit message of a binding patch says what the hardware is, too (a
    # patch that also changes code may well explain what its driver does)
    if "binding-only" in patch_kinds(ctx.patch) and any(
        f.path.startswith(BINDINGS_DIR) and f.path.endswith((".yaml", ".txt")) for f in ctx.patch.files
    ):
        msg = ctx.patch.commit_message
        for p in _patterns(ctx, "commit_patterns"):
            m = p.search(msg)
            if m:
                first = line_of(msg, m.start())
                quoted = [ln for ln in msg[_line_start(msg, m.start()): _line_end(msg, m.end())].split("\n")]
                yield ctx.finding(anchor="commit-message", text=first, quote=tuple(quoted),
                                  word=_quote(m.group(0)), what=p.what, where="The commit message")
                break


_HARDWARE_PROSE_WORDS = 20


def _software_talk(patterns: list[_Pattern], hits: list, text: str, prop: str) -> list:
    """The hits of a property's description that make it about software.

    A word the binding uses in the property's own name is its hardware term
    ('fixed-emmc-driver-type': the eMMC driver type); one incidental
    software word in a property's longer hardware prose is not what the
    binding says ("... the bindings for the SDIO function driver"), while a
    short description built on it is ("Driver instance ID.").  Titles and
    top-level descriptions are held to one word.
    """
    own = set(re.split(r"[-_,]", prop.lower()))
    hits = [(p, m) for p, m in hits if m.group(0).lower().rstrip("s") not in own]
    total = sum(1 for p in patterns for m in p.finditer(text) if m.group(0).lower().rstrip("s") not in own)
    incidental = total == 1 and len(text.split()) >= _HARDWARE_PROSE_WORDS
    return [] if incidental else hits


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return end if end >= 0 else len(text)


def _txt_blocks(f) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = []
    cur: list[tuple[int, str]] = []
    for ln in f.added_lines():
        if ln.text.strip():
            cur.append((ln.new_line, ln.text.strip()))
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _where(block: Prose) -> str:
    if block.kind == "title":
        return "The title"
    if block.property_name:
        return f"The description of '{block.property_name}'"
    return "The description"


# -- binding/hypervisor-interface ----------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def hypervisor_signals(doc: BindingDoc, params: dict[str, Any], commit_message: str = "") -> dict[str, Any]:
    """Score how much a binding reads like a software interface to a hypervisor.

    'defining' text says what the binding is (title, compatibles, directory,
    opening paragraph of the description); 'supporting' text is the rest of
    the description and the commit message.  Returns the scores and the
    phrases found, for the message.
    """
    title_rx = [re.compile(p, re.I) for p in params.get("title", [])]
    strong = [re.compile(p, re.I) for p in params.get("strong", [])]
    medium = [re.compile(p, re.I) for p in params.get("medium", [])]
    dirs = {d.lower() for d in params.get("dirs", [])}

    t = title(doc)
    blocks = [p for p in prose(doc) if p.top_level and p.kind == "description"]
    opening = first_paragraph(blocks[0]) if blocks else None
    title_text = t[1] if t else ""
    defining_texts = [title_text, " ".join(c.value for c in compatibles(doc))]
    if opening:
        defining_texts.append(opening.joined()[0])
    rest = []
    if blocks:
        full = blocks[0].joined()[0]
        rest.append(full[len(opening.joined()[0]):] if opening else full)
    rest.append(commit_message)

    found: list[str] = []

    def score(groups: list[tuple[int, list[re.Pattern], list[str]]]) -> int:
        total = 0
        for weight, patterns, texts in groups:
            for rx in patterns:
                for text in texts:
                    m = rx.search(text)
                    if m:
                        phrase = " ".join(m.group(0).split())
                        key = _norm(phrase)
                        if not any(key in _norm(f) or _norm(f) in key for f in found):
                            found.append(phrase)
                            total += weight
                        break
        return total

    strong_defining = score([(2, title_rx, [title_text]), (2, strong, defining_texts)])
    if binding_dir(doc).lower() in dirs:
        strong_defining += 2
        found.append(f"bindings/{binding_dir(doc)}/")
    defining = strong_defining + score([(1, medium, defining_texts)])
    strong_rest = score([(2, strong, rest)])
    supporting = strong_rest + score([(1, medium, rest)])
    return {"defining": defining, "supporting": supporting, "found": found, "title": t,
            "strong_defining": strong_defining, "strong": strong_defining + strong_rest}


# What makes a binding a software interface; one-node-per-device reuses it.
_SOFTWARE_SIGNS = {
    "title": ListOf(REGEX),
    "strong": ListOf(REGEX),
    "medium": ListOf(REGEX),
    "dirs": ListOf(TEXT),
    "skip_dirs": ListOf(TEXT),
    "skip_compatible_prefixes": ListOf(TEXT),
    "min_strong_defining": INT,
    "min_total": INT,
}


def _extends_device_class(doc: BindingDoc) -> bool:
    """The top level builds on a device-class schema ($ref other than
    types.yaml, e.g. pci-host-bridge.yaml): a standard hardware interface,
    whoever implements it."""
    data = doc.lenient
    return isinstance(data, dict) and any("types.yaml" not in r for r in refs_at_level(data))


@check("binding-hypervisor-interface", params=_SOFTWARE_SIGNS)
def hypervisor_interface(ctx):
    p = ctx.params
    skip_dirs = {d.lower() for d in p.get("skip_dirs", [])}
    for doc in binding_docs(ctx):
        if doc.status != "added" or binding_dir(doc).lower() in skip_dirs:
            continue
        if any(c.value.startswith(tuple(p.get("skip_compatible_prefixes", []))) for c in compatibles(doc)):
            continue
        if _extends_device_class(doc):
            continue  # an emulated standard device (a PCI host bridge kvmtool provides) is the class's hardware
        s = hypervisor_signals(doc, p, ctx.patch.commit_message)
        # what the binding says it is must read as a software interface; words
        # such as "guest" or "hypervisor" in passing are not enough on their own
        if not (s["strong_defining"] >= p.get("min_strong_defining", 2) or (
                s["defining"] >= 1 and s["strong"] >= 2
                and s["defining"] + s["supporting"] >= p.get("min_total", 4))):
            continue
        line = s["title"][0] if s["title"] else None
        line = doc.anchor_line(line) or doc.first_added_line()
        if line is None:
            continue
        evidence = ", ".join(f'"{e}"' for e in s["found"][:4])
        yield added_finding(ctx, doc, line, evidence=evidence)


# -- binding/one-node-per-device -------------------------------------------------------

def _unit_patterns(params: dict[str, Any]) -> list[re.Pattern]:
    units = "|".join(sorted((re.escape(u).replace(r"\ ", r"\s+") for u in params.get("units", [])),
                            key=len, reverse=True))
    return [re.compile(p.replace("{units}", f"(?:{units})"), re.I) for p in params.get("per_entry_patterns", [])]


@check("binding-one-node-per-device", params={
    "resource_properties": ListOf(TEXT),
    "min_entries": INT,
    "units": ListOf(TEXT),
    "per_entry_patterns": ListOf(TEXT),
    "instance_property": REGEX,
    "instance_description": REGEX,
    "instance_min_context": INT,
    "software_context": Record(_SOFTWARE_SIGNS),
    "instance_message": TEXT,
})
def one_node_per_device(ctx):
    p = ctx.params
    resources = set(p.get("resource_properties", []))
    min_entries = int(p.get("min_entries", 2))
    unit_rx = ctx.memo("one-node-units", lambda: _unit_patterns(p))
    instance_rx = param_regex(p, "instance_property", re.I)
    instance_desc = param_regex(p, "instance_description", re.I)
    hv_params = p.get("software_context", {})
    for doc in binding_docs(ctx):
        defs = property_defs(doc)
        blocks = {(b.owner, b.property_name): b for b in prose(doc) if b.kind == "description" and b.property_name}
        by_owner: dict[tuple, list] = {}
        for d in defs:
            if d.name not in resources:
                continue
            count = (count_range(d.schema) or (None, None))[1]
            if count is not None and count < min_entries:
                continue
            block = next((b for (owner, name), b in blocks.items() if name == d.name
                          and owner[: len(d.owner)] == d.owner and len(owner) <= len(d.owner) + 3), None)
            if block is None:
                continue
            text, _ = block.joined()
            m = next((m for rx in unit_rx for m in [rx.search(text)] if m), None)
            if not m:
                continue
            by_owner.setdefault(d.owner, []).append((d, count, block, m))
        for owner, hits in by_owner.items():
            d, count, block, m = hits[0]
            line = doc.anchor_line(block.line_at(m.start()), d.line)
            if line is None:
                continue
            names = " and ".join(f"`{h[0].name}`" for h in hits[:3])
            counts = [h[1] for h in hits if h[1] is not None]
            yield added_finding(ctx, doc, line,
                                properties=names, phrase=_quote(m.group(0)),
                                count=f"up to {max(counts)}" if counts else "any number of")
        # one node per driver instance: nodes told apart by a number
        for d in defs:
            if not instance_rx.search(d.name):
                continue
            desc = description_of(d.schema)
            if not instance_desc.search(desc):
                continue
            s = hypervisor_signals(doc, hv_params, ctx.patch.commit_message)
            if s["defining"] + s["supporting"] < int(p.get("instance_min_context", 1)) and not re.search(
                r"\bdriver\b", desc, re.I
            ):
                continue
            line = doc.anchor_line(d.line)
            if line is None:
                continue
            message = p.get("instance_message", "").format(name=d.name, description=_quote(desc, 40))
            yield added_finding(ctx, doc, line, message=message or None)


# -- binding/reuse-existing ---------------------------------------------------------------

@check("binding-reuse-existing", params={
    "existing": ListOf(Record({"name": TEXT, "pattern": REGEX, "unless_dirs": ListOf(TEXT),
                               "unless_properties": ListOf(TEXT), "unless_compatible_prefixes": ListOf(TEXT),
                               "suggestion": TEXT}, required=("name", "pattern", "suggestion"))),
})
def reuse_existing(ctx):
    for doc in binding_docs(ctx):
        if doc.status != "added":
            continue
        names = {d.name for d in property_defs(doc, include_pattern=True)}
        comps = [c.value for c in compatibles(doc)]
        blocks = [b for b in prose(doc)]
        for spec in ctx.params.get("existing", []):
            if binding_dir(doc) in spec.get("unless_dirs", []):
                continue
            if names & set(spec.get("unless_properties", [])):
                continue
            if any(c.startswith(tuple(spec.get("unless_compatible_prefixes", []))) for c in comps):
                continue
            rx = _rx(spec["pattern"])
            hit = None
            for b in blocks:
                text, _ = b.joined()
                m = rx.search(text)
                if m and doc.is_added(b.line_at(m.start())):
                    hit = (b.line_at(m.start()), m.group(0))
                    break
            if hit is None:
                continue
            line, word = hit
            yield added_finding(ctx, doc, line, word=" ".join(word.split()), existing=spec["name"],
                                suggestion=spec["suggestion"])


# -- binding/resourceless-child ---------------------------------------------------------

def _is_resource(name: str, params: dict[str, Any]) -> bool:
    if name in params.get("resource_properties", []):
        return True
    return any(re.search(rx, name) for rx in params.get("resource_patterns", []))


def _resourceless(props: Iterable[str], node: Any, params: dict[str, Any]) -> bool:
    names = [str(n) for n in props]
    if "compatible" not in names:
        return False
    if any(_is_resource(n, params) for n in names):
        return False
    if hasattr(node, "get") and node.get("patternProperties"):
        return False  # it has child nodes of its own
    if hasattr(node, "get") and True in (node.get("additionalProperties"), node.get("unevaluatedProperties")):
        return False  # an open schema: the node's own binding (elsewhere) says what it has
    required = node.get("required", []) if hasattr(node, "get") else []
    if isinstance(required, list) and any(_is_resource(str(r), params) for r in required):
        return False
    return True


@check("binding-resourceless-child", params={
    "resource_properties": ListOf(TEXT),
    "resource_patterns": ListOf(REGEX),
    "bus_compatibles": ListOf(TEXT),
})
def resourceless_child(ctx):
    p = ctx.params
    docs = binding_docs(ctx)
    series_docs = ctx.memo(f"series-binding-docs:{ctx.series.message_id}", lambda: _series_docs(ctx))
    for doc in docs:
        data = doc.lenient
        if data is None:
            continue
        # (a) child node schemas written inline
        for owner, node in node_schemas(data):
            if not owner:
                continue
            props = node.get("properties")
            if not hasattr(props, "keys") or not _resourceless(props.keys(), node, p):
                continue
            container = _container(data, owner)
            line = doc.anchor_line(BindingDoc.key_line(container, owner[-1])) if container is not None else None
            if line is None:
                continue
            yield added_finding(ctx, doc, line, node=f"'{owner[-1]}'", parent="this device")
        # (b) a whole binding for a sub-function of another device
        if doc.status != "added":
            continue
        props = data.get("properties") if hasattr(data, "get") else None
        if not hasattr(props, "keys") or not _resourceless(props.keys(), data, p):
            continue
        parent = _parent_of(ctx, doc, series_docs, p)
        if parent is None:
            continue
        line = doc.anchor_line(BindingDoc.key_line(props, "compatible"))
        if line is None:
            continue
        own = next((c.value for c in compatibles(doc)), doc.rel_path)
        yield added_finding(ctx, doc, line, node=f"'{own}'", parent=parent)


def _container(data: Any, owner: tuple[str, ...]) -> Any:
    cur = data
    for k in owner[:-1]:
        cur = cur.get(k) if hasattr(cur, "get") else None
    return cur


def _series_docs(ctx) -> list[BindingDoc]:
    out = []
    for patch in ctx.series.patches:
        out.extend(binding_docs(ctx, patch))
    return out


def _parent_of(ctx, doc: BindingDoc, series_docs: list[BindingDoc], params: dict[str, Any]) -> str | None:
    """The device this binding's node sits in: a binding of the series that
    references it as a child, or the parent node of its example."""
    ref = re.compile(r"\$ref:\s*['\"]?(?:\S*/)?" + re.escape(doc.rel_path.rsplit("/", 1)[-1]) + r"(?:#|['\"]|\s|$)", re.M)
    for other in series_docs:
        if other.path == doc.path:
            continue
        if ref.search(other.text):
            comp = next((c.value for c in compatibles(other)), None)
            if comp:
                return f"'{comp}'"
    own = {c.value for c in compatibles(doc)}
    buses = [re.compile(b) for b in params.get("bus_compatibles", [])]
    for block in binding_examples(ctx, doc):
        for node in block.dts.nodes():
            if not own & set(node.compatibles()):
                continue
            parent = node.parent.compatibles() if node.parent is not None else []
            if not parent or any(b.search(c) for c in parent for b in buses):
                continue
            return f"'{parent[0]}'"
    return None
