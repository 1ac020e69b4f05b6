"""The meta-schema cache gives dtschema exactly the registry it builds itself."""

from __future__ import annotations

import pytest

from reviewtool.validators import metaschema_cache


@pytest.fixture
def schema_mod():
    dtschema = pytest.importorskip("dtschema")
    from reviewtool.validators import dtschema_runner

    dtschema_runner.load()
    return dtschema.schema


def test_cached_documents_equal_dtschemas_own(schema_mod, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    import ruamel.yaml
    from pathlib import Path

    yaml = ruamel.yaml.YAML(typ="safe")
    files = sorted(Path(schema_mod.schema_basedir, "meta-schemas").glob("*.yaml"))
    own = [yaml.load(f.read_text()) for f in files]
    first = metaschema_cache._documents(schema_mod)  # parses and writes the cache
    written = list((tmp_path / "reviewtool" / "dtschema").glob("meta-schemas-*.json"))
    assert len(written) == 1
    second = metaschema_cache._documents(schema_mod)  # reads it back
    assert first == own and second == own
    written[0].write_text("[1, 2")  # a damaged cache is parsed again, not trusted
    assert metaschema_cache._documents(schema_mod) == own


def test_installed_registry_resolves_every_meta_schema(schema_mod):
    registry = schema_mod.create_meta_schema_registry()
    assert getattr(schema_mod.create_meta_schema_registry, "_reviewtool_cached", False)
    ids = [d["$id"] for d in metaschema_cache._documents(schema_mod)]
    assert "http://devicetree.org/meta-schemas/core.yaml#" in ids
    for i in ids:
        assert registry.contents(i)["$id"] == i
