"""The hook fast path (reviewtool.entry): b4's plain ``check -`` invocation runs
without typer, builds the request typer would, and fails the same way."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SAMPLES, run_cli
from reviewtool import entry, runner

BAD = SAMPLES / "bindings-bad" / "dt-schema--tab-in-description.patch"
GOOD = SAMPLES / "bindings-good" / "0001-dt-bindings-rtc-Add-ACME-AR1805-real-time-clock.patch"

FAST = [
    ["check", "-", "--format", "terse"],
    ["check", "-", "--format", "b4review"],
    ["check", "--format=terse", "-", "--no-config"],
    ["check", "-f", "json", "-", "--hook", "--series", "s.mbox", "--tree", "/k", "--fail-on", "none"],
    ["check", "-", "--no-precedents", "--format", "json", "--format", "terse"],
    ["check", "-"],
]


def _typer_request(argv: list[str], monkeypatch) -> runner.CheckRequest:
    """What the typer command hands run_check for ``argv``."""
    from reviewtool import cli

    seen = []
    monkeypatch.setattr(runner, "run_check", lambda req: seen.append(req) or 0)
    try:
        cli.app(argv, standalone_mode=False)
    except Exception as exc:  # typer.Exit(0) from the check command
        assert getattr(exc, "exit_code", None) == 0, exc
    return seen[0]


@pytest.mark.parametrize("argv", FAST, ids=" ".join)
def test_fast_path_builds_the_request_typer_builds(argv, monkeypatch):
    for var in entry._OPTION_ENVVARS:
        monkeypatch.delenv(var, raising=False)
    fast = entry.hook_request(argv, {})
    assert fast is not None
    assert fast == _typer_request(argv, monkeypatch)


@pytest.mark.parametrize("argv", [
    ["check", "-", "--help"], ["--help"], ["rules"], ["check", "x.mbox", "--format", "terse"],
    ["check", "-", "-", "--format", "terse"], ["check", "--format", "terse"], ["check", "-", "-fterse"],
    ["check", "-", "--format", "--no-config"], ["check", "-", "--format"], ["check", "-", "--form", "terse"],
    ["check", "-", "--hook=yes"], ["check", "-", "--only", "binding/dt-schema"], ["check", "--", "-"],
    ["history", "-"],
], ids=" ".join)
def test_anything_else_goes_to_typer(argv):
    assert entry.hook_request(argv, {}) is None


def test_an_option_environment_variable_goes_to_typer():
    argv = ["check", "-", "--format", "terse"]
    assert entry.hook_request(argv, {"REVIEWTOOL_TIMEOUT": "soon"}) is None
    proc = run_cli(*argv, input=GOOD.read_bytes(), env={"REVIEWTOOL_TIMEOUT": "soon"})
    assert proc.returncode == 2 and "'soon' is not a valid number." in proc.stderr.decode()


def test_hook_run_imports_no_typer_and_exits_like_the_full_cli():
    probe = ("import runpy, sys\nsys.argv = ['reviewtool', 'check', '-', '--format', 'terse', '--no-config']\n"
             "try:\n    runpy.run_module('reviewtool', run_name='__main__')\n"
             "except SystemExit as exc:\n"
             "    print('EXIT', exc.code, sorted(m for m in ('typer', 'click', 'typer._click') if m in sys.modules),"
             " file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", probe], input=BAD.read_bytes(), capture_output=True, timeout=120)
    assert proc.stderr.decode().strip().splitlines()[-1] == "EXIT 1 []"
    assert b"ERROR: binding/dt-schema:" in proc.stdout
    for path, code in ((BAD, 1), (GOOD, 0)):
        fast = run_cli("check", "-", "--format", "terse", "--no-config", input=path.read_bytes())
        full = run_cli("check", "-", "--format", "terse", "--no-config", "--min-severity", "info",
                       input=path.read_bytes())  # an option the fast path leaves to typer
        assert (fast.returncode, fast.stdout, fast.stderr) == (code, full.stdout, full.stderr)


@pytest.mark.parametrize("args, message", [
    (["--format", "nope"], "reviewtool: error: unknown format 'nope' (choose from b4review, email, json, sarif, "
                           "terminal, terse)"),
    (["--fail-on", "often"], "reviewtool: error: --fail-on must be error, warning, info or none (got 'often')"),
    (["--series", "/nonexistent/s.mbox"], None),
])
def test_bad_input_is_one_error_line_and_exit_2(args, message):
    proc = run_cli("check", "-", "--format", "terse", "--no-config", *args, input=GOOD.read_bytes())
    lines = proc.stderr.decode().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("reviewtool: error: ")
    if message is not None:
        assert lines[0] == message
    assert proc.stdout == b""


_LEAVE_PROBE = """
import atexit, gc, sys
from reviewtool import entry, runner

class Teardown:
    def __del__(self):
        sys.stderr.write("TEARDOWN\\n")

KEEP = Teardown()  # the interpreter's teardown would collect it and print

def fake_run_check(request):
    atexit.register(lambda: sys.stderr.write("ATEXIT\\n"))  # registered during the run: still runs
    sys.stdout.write("GC %s\\n" % gc.isenabled())  # left in the buffer: leave() must flush it
    return int(request.fmt == "json") + 1

runner.run_check = fake_run_check
sys.argv = ["reviewtool", *sys.argv[1:]]
entry.main()
"""


@pytest.mark.parametrize("fmt, code", [("terse", 1), ("json", 2)])
def test_hook_run_flushes_runs_atexit_and_skips_the_teardown(fmt, code):
    proc = subprocess.run([sys.executable, "-c", _LEAVE_PROBE, "check", "-", "--format", fmt, "--no-config"],
                          input=b"", capture_output=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (code, b"GC False\n", b"ATEXIT\n")


def test_other_commands_keep_the_usual_exit():
    probe = _LEAVE_PROBE.replace("entry.main()", "sys.argv = ['reviewtool', '--version']\nentry.main()")
    proc = subprocess.run([sys.executable, "-c", probe, "check", "-"], capture_output=True, timeout=120)
    assert proc.returncode == 0 and b"TEARDOWN" in proc.stderr and b"GC" not in proc.stdout
