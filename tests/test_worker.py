"""The resident hook worker (reviewtool.worker): a hook call it serves prints,
fails and exits exactly as the in-process run does; it starts only on the
second call of a session, serves only through its private socket, goes away
when idle, and never leaves a caller hanging on a dead socket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES, run_cli
from reviewtool import worker

pytestmark = pytest.mark.skipif(not worker.enabled({}), reason="the worker is Linux-only")

BAD = SAMPLES / "bindings-bad" / "example-schema--unknown-property.patch"
GOOD = SAMPLES / "bindings-good" / "0001-dt-bindings-rtc-Add-ACME-AR1805-real-time-clock.patch"
HOOK = ("check", "-", "--format", "terse", "--no-config")


def _env(run_dir: Path, **extra: str) -> dict[str, str]:
    return {"REVIEWTOOL_WORKER": "1", "XDG_RUNTIME_DIR": str(run_dir), "REVIEWTOOL_WORKER_IDLE": "60",
            "REVIEWTOOL_WORKER_CPU_LOG": str(run_dir / "cpu.log"), **extra}


def _socket(run_dir: Path, timeout: float = 60.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list((run_dir / "reviewtool").glob("*.sock"))
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("no worker socket appeared")


def _worker_pid(sock: Path) -> int:
    pids = worker.workers_under(str(sock.parent))
    assert len(pids) == 1, f"workers under {sock.parent}: {pids}"
    return pids[0]


def _served(run_dir: Path) -> int:
    log = run_dir / "cpu.log"
    return len(log.read_text().split()) if log.exists() else 0


@pytest.fixture
def running(tmp_path):
    """A worker started the way users get one: the second hook call of a session."""
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    env = _env(run_dir)
    first = run_cli(*HOOK, input=GOOD.read_bytes(), env=env)
    assert not list((run_dir / "reviewtool").glob("*.sock")), "a lone check must not start a worker"
    second = run_cli(*HOOK, input=GOOD.read_bytes(), env=env)
    assert (first.returncode, first.stdout) == (second.returncode, second.stdout)
    sock = _socket(run_dir)
    pid = _worker_pid(sock)
    assert _served(run_dir) == 0  # both calls ran in process
    yield run_dir, env, sock
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


@pytest.mark.parametrize("patch", [BAD, GOOD], ids=["findings", "clean"])
def test_served_call_prints_and_exits_as_in_process(running, patch):
    run_dir, env, _ = running
    alone = run_cli(*HOOK, input=patch.read_bytes(), env={**env, "REVIEWTOOL_WORKER": "0"})
    served_before = _served(run_dir)
    via = run_cli(*HOOK, input=patch.read_bytes(), env=env)
    assert _served(run_dir) == served_before + 1, "the call was not served by the worker"
    assert (via.returncode, via.stdout, via.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    if patch is BAD:
        assert b"example-schema" in via.stdout


def test_served_call_takes_the_callers_environment_and_directory(running, tmp_path):
    run_dir, env, _ = running
    # The caller's repository holds a config file; --no-config is absent, so the child must find it there.
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".reviewtool.toml").write_text('disable = ["binding/example-schema"]\n')
    args = ("check", "-", "--format", "terse")
    alone = run_cli(*args, input=BAD.read_bytes(), cwd=project, env={**env, "REVIEWTOOL_WORKER": "0"})
    via = run_cli(*args, input=BAD.read_bytes(), cwd=project, env=env)
    assert _served(run_dir) == 1
    assert (via.returncode, via.stdout, via.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert b"example-schema" not in via.stdout
    # The caller's COLUMNS sets the terminal report's width in the child too.
    narrow, wide = ({**env, "COLUMNS": str(n)} for n in (60, 150))
    via_narrow = run_cli("check", "-", "--no-config", input=BAD.read_bytes(), env=narrow)
    via_wide = run_cli("check", "-", "--no-config", input=BAD.read_bytes(), env=wide)
    alone_narrow = run_cli("check", "-", "--no-config", input=BAD.read_bytes(),
                           env={**narrow, "REVIEWTOOL_WORKER": "0"})
    assert _served(run_dir) == 3
    assert via_narrow.stdout == alone_narrow.stdout != via_wide.stdout


def test_served_errors_are_one_line_and_exit_2(running):
    run_dir, env, _ = running
    alone = run_cli(*HOOK, input=b"not a patch\n", env={**env, "REVIEWTOOL_WORKER": "0"})
    via = run_cli(*HOOK, input=b"not a patch\n", env=env)
    assert _served(run_dir) == 1
    assert via.returncode == alone.returncode == 2
    assert via.stderr == alone.stderr and via.stderr.count(b"\n") == 1 and b"Traceback" not in via.stderr


def test_ctrl_c_reaches_the_worker_child(running):
    """The caller forwards SIGINT: the child stops as an in-process run would."""
    run_dir, env, sock = running
    full = {**os.environ, **env, "XDG_CONFIG_HOME": str(REPO / "tests" / "no-user-config")}
    caller = subprocess.Popen([sys.executable, "-m", "reviewtool", *HOOK], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full)
    pid = _worker_pid(sock)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    stdin = os.readlink(f"/proc/{caller.pid}/fd/0")
    deadline = time.monotonic() + 30

    def child_has_our_stdin() -> bool:
        for child in children.read_text().split():
            try:
                if os.readlink(f"/proc/{child}/fd/0") == stdin:
                    return True
            except OSError:
                continue
        return False

    while not child_has_our_stdin():  # the child took our stdin and blocks reading it
        assert time.monotonic() < deadline, "no worker child took the call"
        time.sleep(0.02)
    # No wait: the caller relays signals from before the hand-over (one that comes before
    # the child's pid is known is passed on when it is).
    caller.send_signal(signal.SIGINT)
    out, err = caller.communicate(timeout=30)
    assert caller.returncode == 130 and err == b"reviewtool: interrupted\n"


def test_idle_worker_exits_and_removes_its_socket(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    env = _env(run_dir, REVIEWTOOL_WORKER_IDLE="1")
    for _ in range(2):
        run_cli(*HOOK, input=GOOD.read_bytes(), env=env)
    sock = _socket(run_dir)
    deadline = time.monotonic() + 60
    while sock.exists():
        assert time.monotonic() < deadline, "the idle worker did not exit"
        time.sleep(0.1)
    assert not list((run_dir / "reviewtool").iterdir())


def test_dead_socket_runs_in_process(tmp_path):
    """A socket nobody listens on (a killed worker) costs the caller nothing but a failed connect."""
    import socket as so

    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    env = _env(run_dir)
    path = worker.socket_path({**os.environ, **env})
    assert path is not None
    stale = so.socket(so.AF_UNIX, so.SOCK_STREAM)
    stale.bind(path)
    stale.close()  # the file stays, nobody listens
    alone = run_cli(*HOOK, input=BAD.read_bytes(), env={**env, "REVIEWTOOL_WORKER": "0"})
    via = run_cli(*HOOK, input=BAD.read_bytes(), env=env)
    assert (via.returncode, via.stdout) == (alone.returncode, alone.stdout)
    assert _served(run_dir) == 0


def test_unsafe_directory_means_no_worker(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "reviewtool").mkdir(parents=True)
    os.chmod(run_dir / "reviewtool", 0o777)  # others could plant a socket there
    assert worker.socket_path({"XDG_RUNTIME_DIR": str(run_dir)}) is None


def test_socket_is_keyed_by_startup_environment(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    base = {"XDG_RUNTIME_DIR": str(run_dir)}
    assert worker.socket_path(base) == worker.socket_path(dict(base))
    assert worker.socket_path(base) != worker.socket_path({**base, "LC_ALL": "C"})


def test_request_round_trip():
    argv = ["reviewtool", "check", "-", "--series", "s p a c e", ""]
    env = {"A": "x=y=z", "EMPTY": "", "ODD": "caf\udcc3"}
    got = worker._decode(worker._encode(argv, "/tmp/d ir", 0o027, env))
    assert got == {"argv": argv, "cwd": "/tmp/d ir", "umask": 0o027, "env": env}


PWM = SAMPLES / "acme-pwm-clean"


@pytest.mark.parametrize("patch", [BAD, PWM / "0002-pwm-Add-ACME-A1-PWM-driver.patch",
                                   PWM / "0003-arm64-dts-acme-a1-evk-Enable-the-PWM-controller.patch"],
                         ids=["binding", "driver", "dts"])
def test_preload_covers_a_hook_run(tmp_path, patch):
    """Every non-stdlib module a hook run imports is already in the worker."""
    probe = f"""
import io, os, sys
os.environ["REVIEWTOOL_NO_RESULT_CACHE"] = "1"
from reviewtool import worker
worker.preload()
before = set(sys.modules)
sys.stdin = io.TextIOWrapper(io.BytesIO(open({str(patch)!r}, "rb").read()))
from reviewtool import entry, runner
runner.run_check(entry._request(entry.hook_values({list(HOOK)!r}, {{}})), stream=io.StringIO())
new = [m for m in set(sys.modules) - before if m.split(".")[0] not in sys.stdlib_module_names]
print(" ".join(sorted(new)))
"""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [], f"imported by the run, not preloaded: {out.stdout}"


def test_unready_worker_means_in_process_and_nothing_handed_over(tmp_path, monkeypatch):
    """A socket that accepts but never offers a child (a worker still starting,
    or stopped): the caller gives up after a bounded wait, hands over no file
    descriptor, and runs in process."""
    import socket as so

    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(run_dir)}
    path = worker.socket_path(env)
    assert path is not None
    listener = so.socket(so.AF_UNIX, so.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    monkeypatch.setattr(worker, "_READY_SECONDS", 0.3)
    try:
        assert worker.call(["reviewtool", *HOOK], env) is None
        conn, _ = listener.accept()
        conn.settimeout(1)
        data, fds, _, _ = so.recv_fds(conn, 4, 3)
        assert (data, fds) == (b"", [])  # the caller closed without sending anything
    finally:
        listener.close()


def test_kept_catalogue_needs_no_compiling_in_a_child(monkeypatch):
    """What the worker keeps: the built-in rules read once, every pattern
    compiled, so a check after it compiles none (it would raise here)."""
    import io

    from reviewtool import catalog, entry, matcher, runner

    monkeypatch.setattr(catalog, "_BUILTIN_KEPT", None)
    catalog.keep_builtin()
    first, again = catalog.load_catalog(), catalog.load_catalog()
    assert [id(r) for r in first] == [id(r) for r in again]  # read once, then kept

    def no_compiling(source):
        raise AssertionError(f"compiled in the child: {source}")

    monkeypatch.setattr(matcher, "_compile", no_compiling)
    for patch in (BAD, PWM / "0002-pwm-Add-ACME-A1-PWM-driver.patch"):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(patch.read_bytes())))
        out = io.StringIO()
        runner.run_check(entry._request(entry.hook_values(list(HOOK), {})), stream=out)
        assert out.getvalue().strip() or patch is not BAD


def test_a_new_state_of_the_install_retires_the_old_worker(tmp_path):
    """After an edit or upgrade the next worker removes the old one's socket,
    and the old worker exits on its next poll instead of idling for minutes."""
    run_dir = tmp_path / "run"
    (run_dir / "reviewtool").mkdir(parents=True, mode=0o700)
    path = worker.socket_path({"XDG_RUNTIME_DIR": str(run_dir)})
    assert path is not None
    head, _ = path.rsplit("-", 1)
    old, other = Path(f"{head}-00000000.sock"), run_dir / "reviewtool" / "hook-0-ffffffff-00000000.sock"
    mark, old_mark = Path(path + ".called"), Path(f"{head}-00000000.sock.called")
    for p in (old, other, mark, old_mark):
        p.write_text("")
    worker._retire_older(path)
    assert not old.exists() and not old_mark.exists()
    assert other.exists() and mark.exists()  # another install's worker, and this one's own mark, stay


def test_a_call_no_child_took_leaves_ctrl_c_as_it_was(tmp_path, monkeypatch):
    """A worker whose child ends before the check begins: the caller runs in
    process, and Ctrl-C must interrupt that run as before (not be relayed to nobody)."""
    import signal
    import socket as so
    import threading

    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(run_dir)}
    path = worker.socket_path(env)
    listener = so.socket(so.AF_UNIX, so.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def child_that_dies_at_once():
        conn, _ = listener.accept()
        conn.sendall(b"R\n")
        so.recv_fds(conn, 4, 3)
        conn.close()  # no "P": it never started the check

    server = threading.Thread(target=child_that_dies_at_once)
    server.start()
    before = signal.getsignal(signal.SIGINT)
    try:
        assert worker.call(["reviewtool", *HOOK], env) is None
    finally:
        server.join(10)
        listener.close()
    assert signal.getsignal(signal.SIGINT) is before
