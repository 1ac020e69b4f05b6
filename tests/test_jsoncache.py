"""The JSON cache of parsed files: a changed file or a damaged entry means
parsing again, and a value JSON cannot give back as it is is never stored."""

from __future__ import annotations

import datetime
import os

from reviewtool import jsoncache
from reviewtool.catalog import builtin_rules_dir, load_catalog


def _valid(value) -> bool:
    return isinstance(value, dict)


def test_changed_file_or_damaged_entry_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = tmp_path / "a.yaml"
    src.write_text("one")
    calls = []

    def compute():
        calls.append(src.read_text())
        return {"text": src.read_text()}

    key = jsoncache.key_of([src])
    assert jsoncache.cached("t", key, compute, _valid) == {"text": "one"}
    assert jsoncache.cached("t", key, compute, _valid) == {"text": "one"} and len(calls) == 1  # served from JSON
    src.write_text("two!")  # size (and mtime) change: another key
    os.utime(src, ns=(1, 1))
    key2 = jsoncache.key_of([src])
    assert key2 != key
    assert jsoncache.cached("t", key2, compute, _valid) == {"text": "two!"} and len(calls) == 2
    entry = tmp_path / "cache" / "reviewtool" / f"t-{key2}.json"
    entry.write_text("{damaged")
    assert jsoncache.cached("t", key2, compute, _valid) == {"text": "two!"} and len(calls) == 3
    entry.write_text("[1, 2]")  # valid JSON, but not what the caller accepts
    assert jsoncache.cached("t", key2, compute, _valid) == {"text": "two!"} and len(calls) == 4


def test_values_json_would_change_are_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for value in ({"when": datetime.date(2026, 12, 6)}, {1: "int key"}):
        assert jsoncache.cached("odd", "k", lambda v=value: v, _valid) == value
        assert not (tmp_path / "cache" / "reviewtool" / "odd-k.json").exists()


def test_builtin_catalogue_reads_the_same_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = load_catalog()  # parses the YAML and fills the cache
    stored = sorted(p.name for p in (tmp_path / "cache" / "reviewtool").glob("rules-*.json"))
    assert len(stored) == len(list(builtin_rules_dir().glob("*.yaml")))
    again = load_catalog()  # from JSON
    assert [(r.id, r.params, r.message, r.match, r.examples_bad, r.precision) for r in again] == \
           [(r.id, r.params, r.message, r.match, r.examples_bad, r.precision) for r in first]
