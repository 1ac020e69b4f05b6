"""Artifacts: what rules need beyond a raw diff (parsed bindings, DTS, C tables)."""
