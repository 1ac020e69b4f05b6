"""Hypothesis generators for hostile input, seeded from the corpus and samples,
and the in-process runner that classifies what one input does to reviewtool.

Shared by tests/test_fuzz_props.py (a short CI profile) and
benchmarks/fuzz.py (``--n 10000``, every run isolated in a worker process
with time and memory bounds).  Inputs are real documents (corpus mail,
sample patches, good bindings, the fuzz reproducers) with a few drawn
mutations: hostile header values, lines deleted, duplicated, cut or
inserted, bytes that are not UTF-8, huge numbers and very long lines.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "sample_series"
KINDS = ("mail", "diff", "binding", "dts", "config")

# Values that broke the header parser, the diff reader or the report writers once.
HOSTILE = (
    "<>", "<a@x>>", "<<b@x>", "undisclosed-recipients:; (comment)", '"A: B;" <a@example.org>',
    '"Ada, evil@attacker.example," <ada@example.org>', "=?utf-8?b?eA0KQmNjOiBldmlsQGF0dGFja2VyLmV4YW1wbGU=?=",
    "=?utf-8?b?eA0KQmNjOiBldmlsQGF0dGFja2VyLmV4YW1wbGU=?= <cc@example.org>", "(" * 300 + "x",
    "\x00", "\x0b\x0c\x1b", "\udcff", "}", "]", "{", "&a [*a, *a, *a]", "!foo bar", "!!python/name:os.system",
    "http://[::1", "http://devicetree.org/schemas/../../../../../../tmp/rt-secret/secret.yaml#",
    "../../../../../../tmp/rt-secret/secret.yaml", "[PATCH 1/99999999999999999999]", "[PATCH v999999999 1/2]",
    "-- ", "--", "---", "base-commit: 0123456789abcdef0123456789abcdef01234567", "\\ No newline at end of file",
    "@@ -1,3 +1,4 @@", "@@ -0,0 +1 @@", "diff --git a/x b/x", "~nosuchuser/x", "a" * 3000,
    "Signed-off-by: " + "x" * 2000, "Fixes: " + "a" * 1500, "a: b", "[" * 200, "{" * 200,
)


@lru_cache(maxsize=None)
def _seeds(kind: str) -> tuple[str, ...]:
    out: list[str] = []
    if kind in ("mail", "diff"):
        for p in sorted(SAMPLES.glob("*/*.patch")):
            out.append(p.read_text(encoding="utf-8", errors="surrogateescape"))
        repros = SHARED / "fuzz-repros"
        if repros.is_dir():
            out += [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(repros.glob("*.patch"))]
        corpus = SHARED / "corpus"
        if corpus.is_dir():
            for mbox in sorted(corpus.glob("*.mbox"))[:6]:
                text = mbox.read_text(encoding="utf-8", errors="surrogateescape")
                out += [m for m in re.split(r"(?m)^(?=From [^\n]*\d{4}\n)", text) if 200 < len(m) < 20_000][:8]
        if kind == "diff":
            out = [t[t.index("diff --git "):] for t in out if "diff --git " in t]
    elif kind == "binding":
        for p in sorted((SAMPLES / "bindings-good").glob("*.yaml"))[:12]:
            out.append(p.read_text(encoding="utf-8"))
        if not out:
            out = [_BINDING]
    elif kind == "dts":
        for p in sorted(SAMPLES.glob("*/*.patch")):
            text = p.read_text(encoding="utf-8")
            if ".dts" in text:
                body = "\n".join(ln[1:] for ln in text.split("\n") if ln.startswith("+") and not ln.startswith("+++"))
                out.append(body)
        out.append(_DTS)
    elif kind == "config":
        out = ['fail-on = "warning"\n', 'disable = ["subject/dt-bindings-prefix"]\n', 'timeout = 5\ncache = false\n',
               'rules-dirs = ["."]\n', '[severity]\n"commit/signed-off-by" = "warning"\n', 'tree = "."\n']
    return tuple(out) or ("",)


_BINDING = """# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/misc/acme,fuzz.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME fuzz device

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: acme,fuzz

  reg:
    maxItems: 1

required:
  - compatible
  - reg

additionalProperties: false

examples:
  - |
    fuzz@1000 {
        compatible = "acme,fuzz";
        reg = <0x1000 0x100>;
    };
"""

_DTS = """// SPDX-License-Identifier: GPL-2.0
/dts-v1/;

/ {
\tmodel = "ACME fuzz board";
\tcompatible = "acme,fuzz-board", "acme,fuzz";

\tsoc {
\t\t#address-cells = <1>;
\t\t#size-cells = <1>;

\t\tfuzz@1000 {
\t\t\tcompatible = "acme,fuzz";
\t\t\treg = <0x1000 0x100>;
\t\t};
\t};
};
"""


@dataclass(frozen=True)
class Mutation:
    op: str
    at: int
    token: str


def _apply(text: str, mutations: list[Mutation]) -> str:
    lines = text.split("\n")
    for m in mutations:
        i = m.at % (len(lines) + 1)
        if m.op == "delete" and lines:
            del lines[min(i, len(lines) - 1)]
        elif m.op == "duplicate" and lines:
            j = min(i, len(lines) - 1)
            lines.insert(j, lines[j])
        elif m.op == "insert":
            lines.insert(i, m.token)
        elif m.op == "replace" and lines:
            lines[min(i, len(lines) - 1)] = m.token
        elif m.op == "append" and lines:
            j = min(i, len(lines) - 1)
            lines[j] += m.token
        elif m.op == "value" and lines:  # keep a header's or key's name, replace its value
            j = min(i, len(lines) - 1)
            name, sep, _ = lines[j].partition(":")
            lines[j] = f"{name}{sep} {m.token}" if sep else m.token
        elif m.op == "cut":
            lines = lines[: max(i, 1)]
        elif m.op == "nest":
            depth = 50 + m.at % 1000
            lines.insert(i, "\t" * 0 + "n { " * depth + "};" * depth)
    return "\n".join(lines)


_TOKENS = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                    st.text(alphabet=st.characters(max_codepoint=0x7f), max_size=200))
_MUTATION = st.builds(Mutation, op=st.sampled_from(
    ("delete", "duplicate", "insert", "replace", "append", "value", "cut", "nest")),
    at=st.integers(0, 10_000), token=_TOKENS)


@st.composite
def documents(draw, kind: str) -> str:
    """One seed of ``kind`` with up to six drawn mutations."""
    seeds = _seeds(kind)
    text = seeds[draw(st.integers(0, len(seeds) - 1))]
    return _apply(text, draw(st.lists(_MUTATION, max_size=6)))


_OPS = ("delete", "duplicate", "insert", "replace", "append", "value", "cut", "nest")


def random_document(rng, kind: str) -> str:
    """The same kind of input as ``documents(kind)``, drawn with a ``random.Random``:
    for long runs (benchmarks/fuzz.py), where hypothesis's bookkeeping costs
    more than the run itself."""
    seeds = _seeds(kind)
    text = seeds[rng.randrange(len(seeds))]
    mutations = []
    for _ in range(rng.randrange(7)):
        roll = rng.random()
        if roll < 0.6:
            token = rng.choice(HOSTILE)
        elif roll < 0.8:
            token = "".join(chr(rng.randrange(32, 0x7f)) for _ in range(rng.randrange(200)))
        else:
            token = "".join(chr(rng.choice((rng.randrange(0, 0x80), rng.randrange(0x80, 0x800),
                                            rng.randrange(0xdc80, 0xdd00)))) for _ in range(rng.randrange(40)))
        mutations.append(Mutation(rng.choice(_OPS), rng.randrange(10_000), token))
    return _apply(text, mutations)


def inputs(kind: str | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """(kind, text) pairs; every kind when ``kind`` is None."""
    kinds = (kind,) if kind else KINDS
    return st.sampled_from(kinds).flatmap(lambda k: documents(k).map(lambda t: (k, t)))


# -- running one input -------------------------------------------------------------------------------

_MAIL_HEAD = ("From: Ada Example <ada@example.org>\nDate: Mon, 3 Mar 2025 10:00:00 +0000\n"
              "Subject: [PATCH] {subject}\nMessage-ID: <fuzz@example.org>\nTo: list@example.org\n\n"
              "Explain the change well enough for a reviewer to follow it.\n\n"
              "Signed-off-by: Ada Example <ada@example.org>\n---\n")


def as_mail(kind: str, text: str) -> bytes:
    """The input as the mail reviewtool reads (bindings and DTS as added files)."""
    if kind == "mail":
        body = text
    elif kind == "diff":
        body = _MAIL_HEAD.format(subject="x: y") + text
    else:
        path = ("Documentation/devicetree/bindings/misc/acme,fuzz.yaml" if kind == "binding"
                else "arch/arm64/boot/dts/acme/fuzz.dts")
        lines = text.split("\n")
        diff = (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
                f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{ln}\n" for ln in lines))
        body = _MAIL_HEAD.format(subject="dt-bindings: misc: Add fuzz" if kind == "binding" else "arm64: dts: x") + diff
    return body.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Outcome:
    kind: str  # "report", "error", "internal-error"
    detail: str = ""
    multiline: bool = False  # an error message that had to be flattened to one line


def run_one(kind: str, text: str, workdir: Path) -> Outcome:
    """What ``reviewtool check`` does with this input, in process (no config files)."""
    from reviewtool.errors import InputError

    try:
        if kind == "config":
            from reviewtool.config import parse_file

            path = workdir / "config.toml"
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            parse_file(path)
            return Outcome("report")
        from reviewtool.engine import Options, check_series
        from reviewtool.report import render
        from reviewtool.sources.resolve import LoadOptions, load

        path = workdir / "input.patch"
        path.write_bytes(as_mail(kind, text))
        rules = _rules()
        reports = [check_series(s, rules, Options()) for s in load(str(path), LoadOptions())]
        for fmt in ("json", "email"):  # what check --format json / email print, from one run of the rules
            out = io.StringIO()
            render(fmt, reports, rules, out, stdin=None, hook=False)
            check_output(fmt, out.getvalue())
        return Outcome("report")
    except InputError as exc:
        message = str(exc)
        return Outcome("error", message[:200], multiline="\n" in message or "\r" in message)
    except (Exception, RecursionError) as exc:  # the last net: every one is a bug
        return Outcome("internal-error", f"{type(exc).__name__}: {exc}"[:300])


@lru_cache(maxsize=1)
def _rules():
    from reviewtool.catalog import load_catalog

    return load_catalog()


def check_output(fmt: str, text: str) -> None:
    """The JSON parses and is valid UTF-8; each email draft parses and has only
    the intended headers, each once, with no CR/LF smuggled into them."""
    if fmt == "json":
        import json

        json.loads(text.encode("utf-8").decode("utf-8"))
        return
    import email
    import email.policy

    wanted = {"From", "To", "Cc", "Subject", "In-Reply-To", "References", "X-Reviewtool-Rules",
              "Content-Type", "Content-Transfer-Encoding", "MIME-Version"}
    for chunk in re.split(r"(?m)^From reviewtool Thu Jan  1 00:00:00 1970\n", text)[1:]:
        msg = email.message_from_string(chunk, policy=email.policy.compat32)
        names = [k for k in msg.keys()]
        assert set(names) <= wanted, f"unexpected headers {set(names) - wanted}"
        assert len(names) == len(set(names)), f"repeated headers in {names}"
        assert all("\r" not in str(v) for v in msg.values())
