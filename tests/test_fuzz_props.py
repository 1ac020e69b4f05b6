"""Property-based fuzzing (hypothesis), the short CI profile: hostile mail, diffs,
bindings, DTS and config seeded from the corpus and samples never end in
anything but a report or a one-line InputError, and their JSON and email
output stay well formed.  ``benchmarks/fuzz.py --n 10000`` is the long run.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing
from conftest import CORPUS

CI = settings(deadline=None, database=None, derandomize=True, print_blob=True,
              suppress_health_check=list(HealthCheck))


def ci(examples: int) -> settings:
    return settings(CI, max_examples=examples)


BUDGET = {"mail": 12, "diff": 25, "binding": 5, "dts": 8, "config": 30}  # examples: about 60 s in all


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    import os

    saved = os.environ.get("REVIEWTOOL_FROM")
    os.environ["REVIEWTOOL_FROM"] = "Fuzz <fuzz@example.org>"  # drafts need a sender; no git lookup
    yield tmp_path_factory.mktemp("fuzz")
    if saved is None:
        os.environ.pop("REVIEWTOOL_FROM", None)
    else:
        os.environ["REVIEWTOOL_FROM"] = saved


@pytest.mark.parametrize("kind", fuzzing.KINDS)
def test_hostile_input_ends_in_a_report_or_one_error(kind, workdir):
    @ci(BUDGET[kind])
    @given(text=fuzzing.documents(kind))
    def run(text):
        outcome = fuzzing.run_one(kind, text, workdir)
        assert outcome.kind != "internal-error", outcome.detail
        assert outcome.kind == "report" or outcome.detail.strip(), "an error must say what is wrong"

    run()


# -- the pieces with their own contracts ----------------------------------------------------------------

@ci(300)
@given(st.text(alphabet=st.sampled_from("ab #\t\u00e9x"), max_size=40))
def test_extinfo_split_matches_b4s_regex(value):
    """Our linear split of ``value # comment`` is b4's cubic regex, exactly."""
    from reviewtool.sources.b4trailers import split_extinfo

    m = re.search(r"(.*\S+)(\s+#[^#]+)$", value)
    assert split_extinfo(value) == ((m.group(1), m.group(2)) if m else (value, None))


def test_trailer_parser_matches_b4_on_real_mail(corpus):
    """On every message of the corpus our find_trailers gives b4's answer."""
    from reviewtool.sources import b4setup, b4trailers, mbox

    b4setup.ready()
    original = b4trailers.original()
    bodies = 0
    for path in sorted(corpus.glob("*.mbox")):
        for msg in mbox.read_messages(str(path)):
            body = msg.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            for followup in (False, True):
                ours = b4trailers.find_trailers(text, followup)
                theirs = original(text, followup)
                assert [(t.name, t.value, t.extinfo) for t in ours[0]] == \
                       [(t.name, t.value, t.extinfo) for t in theirs[0]], path
                assert ours[1] == theirs[1], path
            bodies += 1
    assert bodies > 50


def test_trailer_parser_is_linear():
    import time

    from reviewtool.sources import b4setup, b4trailers

    b4setup.ready()
    start = time.perf_counter()
    b4trailers.find_trailers("a: b\n" * 20_000 + "Fixes: " + "a" * 5000 + "\n", followup=True)
    assert time.perf_counter() - start < 5  # b4's own: 10 s for a quarter of it


_HUNK_LINE = st.tuples(st.sampled_from(" +-"), st.text(alphabet="abc ;{}", max_size=12))


@ci(200)
@given(lines=st.lists(_HUNK_LINE, min_size=1, max_size=12),
       footer=st.sampled_from(["", "-- \n2.43.0\n", "--\n2.43.0\n", "\n---\nbase-commit: abc\nchange-id: x\n",
                               "\n", "-- \nA signature\n+1 555 0100\n"]))
def test_diff_reads_every_counted_line_and_no_footer(lines, footer):
    """What git apply reads: every line the hunk header counts, nothing of the footer."""
    from reviewtool.diffparse import parse_files

    old = sum(1 for k, _ in lines if k != "+")
    new = sum(1 for k, _ in lines if k != "-")
    body = "".join(f"{k}{t}\n" for k, t in lines)
    text = (f"diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n--- a/x.c\n+++ b/x.c\n"
            f"@@ -1,{old} +1,{new} @@\n{body}{footer}")
    (fc,) = parse_files(text)
    assert [(ln.kind, ln.text) for h in fc.hunks for ln in h.lines] == [(k, t) for k, t in lines]


_ODD_LINE = st.sampled_from(["", "\r", " x\r", "+y\r", "-z", "\\ No newline at end of file", "+", "-", " ",
                             "@@ -1 +1 @@", "@@ -0,0 +0,0 @@", "+\x0cff", " a\x0bb", "junk", "--- a/x.c"])


@ci(300)
@given(lines=st.lists(st.one_of(_HUNK_LINE.map("".join), _ODD_LINE), min_size=1, max_size=14),
       old=st.integers(0, 8), new=st.integers(0, 8))
def test_diff_hunk_lines_read_as_unidiff_reads_them(lines, old, new):
    """parse_files reads hunk lines with its own walk; it gives unidiff's full parse, or refuses what unidiff refuses."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    from reviewtool.diffparse import parse_files, trim_footers, unidiff_lines
    from reviewtool.errors import InputError

    text = (f"diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n--- a/x.c\n+++ b/x.c\n"
            f"@@ -1,{old} +1,{new} @@\n" + "\n".join(lines) + "\n")
    try:
        reference = [unidiff_lines(h) for pf in PatchSet(trim_footers(text)) for h in pf]
    except (UnidiffParseError, ValueError, IndexError):
        reference = None
    try:
        got = [h.lines for f in parse_files(text) for h in f.hunks]
    except InputError:
        got = None
    if reference is None:
        assert got is None  # what unidiff refuses is refused
    elif got is not None:  # (else refused by a check of ours after the parse: truncation, overlong hunks)
        assert got == reference


def test_diff_cut_after_its_header_is_refused():
    from reviewtool.diffparse import parse_files
    from reviewtool.errors import InputError

    with pytest.raises(InputError, match="cut short"):
        parse_files("diff --git a/x.c b/x.c\n")


def test_corpus_seeds_exist(corpus):
    assert CORPUS.is_dir() and len(fuzzing._seeds("mail")) > 10


def _header_reference(head: str) -> dict[str, list[str]]:
    """Header fields read line by line (RFC 5322 2.2): a line starting with a space or tab continues the
    header being read, any other line names a header at its first colon (no space in the name) or is
    skipped, and so is what continues it."""
    fields: dict[str, list[list[str]]] = {}
    current: list[str] | None = None
    for line in head.split("\n"):
        if current is not None and line[:1] in (" ", "\t"):
            current.append(line.strip())
            continue
        key, colon, value = line.partition(":")
        if not colon or " " in key:
            current = None
            continue
        current = [value.strip()]
        fields.setdefault(key.strip().lower(), []).append(current)
    return {name: [" ".join(parts) for parts in values] for name, values in fields.items()}


_HEADER_LINE = st.sampled_from(["Subject: a", " b", "\tc: d", "\t", " ", "", "x", "a b: c", ":", "K:v", "From: x@y",
                                "Subject : e", "\x0cTo: f", "\tTo: g", "\r", "Cc: h\r", "k: \u00e9"])


@ci(300)
@given(lines=st.lists(_HEADER_LINE, min_size=1, max_size=10))
def test_archive_mail_headers_read_as_a_line_reader_reads_them(lines):
    """The archive's mail reader cuts the header into fields with one split and unfolds a field when it
    is read; every header gives what reading it line by line gives."""
    from reviewtool.archive.mail import parse_bytes

    raw = "\n".join(lines).encode() + b"\n\nbody\n"
    msg = parse_bytes(raw)
    # The header ends at the first blank line; CRLF line ends are LF.
    reference = _header_reference(raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0].decode())
    assert sorted(msg.headers) == sorted(reference)
    for name, values in reference.items():
        assert len(msg.headers[name]) == len(values) and msg.get(name) == values[0]
