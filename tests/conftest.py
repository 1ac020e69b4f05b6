"""Shared fixtures: the real-mail corpus beside the checkout, and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "sample_series"


@pytest.fixture(autouse=True, scope="session")
def _no_user_archive():
    """In-process checks must not read a developer's review archive either."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(REPO / "tests" / "no-user-data"))
        mp.delenv("REVIEWTOOL_ARCHIVE", raising=False)
        # Nor results cached by earlier runs (tests/test_resultcache.py switches it on).
        mp.setenv("REVIEWTOOL_NO_RESULT_CACHE", "1")
        # Nor may a hook call start a resident worker (tests/test_worker.py starts its own).
        mp.setenv("REVIEWTOOL_WORKER", "0")
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_worker_outlives_the_suite(tmp_path_factory):
    """Tests that run b4 with a user's plain environment (tests/test_b4_hooks.py)
    get the resident hook worker as users do, with its socket under the test's
    temp dir: stop every such worker when the session ends."""
    yield
    import signal

    from reviewtool.worker import workers_under

    for pid in workers_under(str(tmp_path_factory.getbasetemp())):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real-mail corpus not found at {CORPUS}")
    return CORPUS


def run_cli(*args: str, input: bytes | None = None, cwd: str | Path | None = None,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess (exit codes and stderr included)."""
    full_env = dict(os.environ)
    full_env.pop("REVIEWTOOL_DEBUG", None)
    # A developer's own ~/.config/reviewtool must not change test results.
    full_env["XDG_CONFIG_HOME"] = str(REPO / "tests" / "no-user-config")
    # Nor their review archive (~/.local/share/reviewtool): precedents only where a test asks.
    full_env["XDG_DATA_HOME"] = str(REPO / "tests" / "no-user-data")
    full_env.pop("REVIEWTOOL_ARCHIVE", None)
    full_env["REVIEWTOOL_WORKER"] = "0"
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "reviewtool", *args],
        input=input,
        capture_output=True,
        cwd=cwd,
        env=full_env,
        timeout=300,
    )


def check_json(*args: str, **kw) -> dict:
    proc = run_cli("check", *args, "--format", "json", "--fail-on", "none", **kw)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def findings_by_patch(doc: dict) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for s in doc["series"]:
        for f in s["findings"]:
            out.setdefault(f["patch"], []).append(f)
    return out
