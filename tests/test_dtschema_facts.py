"""dt-schema's core facts (property names, compatibles) come from a JSON cache once read."""

from __future__ import annotations

import json

import pytest

from reviewtool.validators import dtschema_facts


def test_core_facts_are_cached_on_disk_and_read_back(tmp_path, monkeypatch):
    pytest.importorskip("dtschema")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    props, compatibles, patterns = dtschema_facts.core_facts.__wrapped__()
    assert {"reg", "interrupts", "#address-cells"} <= props
    assert "simple-bus" in compatibles
    (cached,) = (tmp_path / "reviewtool").glob("dtschema-core-facts-*.json")
    # the next process reads the file, not the YAML: prove it by marking the file
    data = json.loads(cached.read_text())
    data["compatibles"].append("acme,from-the-cache")
    cached.write_text(json.dumps(data))
    assert dtschema_facts.core_facts.__wrapped__() == (props, compatibles | {"acme,from-the-cache"}, patterns)
