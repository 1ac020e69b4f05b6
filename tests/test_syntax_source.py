"""A file's post-image view: whole for new files or tree-rebuilt ones, else its hunk segments."""

from __future__ import annotations

from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes
from reviewtool.syntax.source import source_view

BEFORE = "".join(f"line {i}\n" for i in range(1, 41))
AFTER = BEFORE.replace("line 5\n", "line 5\nnew a\n").replace("line 30\n", "line 30\nnew b\n")


def _file(spec: dict):
    (series,) = load_bytes(render_example(spec, "t"), "test")
    patch = series.patches[0]
    return patch, patch.files[0]


class _Ctx:
    def __init__(self, tree):
        self.options = type("O", (), {"tree": tree})()
        self.cache: dict = {}

    def memo(self, key, compute):
        return self.cache.setdefault(key, compute())


class _Tree:
    def read_file(self, path):
        return BEFORE if path == "drivers/misc/acme.c" else None


def test_modified_file_without_tree_is_seen_as_hunk_segments():
    patch, fc = _file({"subject": "misc: x", "modify": {"drivers/misc/acme.c": {"before": BEFORE, "after": AFTER}}})
    view = source_view(None, patch, fc)
    assert not view.complete and len(view.segments) == 2
    assert view.added == {6, 32}
    assert view.text_of(6) == "new a" and view.text_of(32) == "new b"
    assert view.text_of(20) == ""  # between the hunks: not shown
    second = view.segments[1]
    assert second.line_of(second.text.index("new b")) == 32
    assert second.line_at_row(0) == second.first_line


def test_modified_file_is_rebuilt_whole_from_the_tree():
    patch, fc = _file({"subject": "misc: x", "modify": {"drivers/misc/acme.c": {"before": BEFORE, "after": AFTER}}})
    view = source_view(_Ctx(_Tree()), patch, fc)
    assert view.complete and len(view.segments) == 1
    assert view.segments[0].text == AFTER.rstrip("\n")
    assert view.text_of(20) == "line 19" and view.is_added(32) and not view.is_added(31)


def test_new_file_is_whole():
    patch, fc = _file({"subject": "misc: x", "files": {"drivers/misc/acme.c": "a\nb\n"}})
    view = source_view(None, patch, fc)
    assert view.complete and [ln for ln, _ in view.segments[0].lines] == [1, 2] and view.added == {1, 2}
