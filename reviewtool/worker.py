"""A resident worker for the b4 hook: imports paid once, every patch checked in a fresh fork.

b4 runs the per-patch check command once per patch of every ``b4 prep
--check`` and ``b4 am --check``.  Most of a hook run's CPU is importing the
same modules every time (dtschema, jsonschema, yamllint, ruamel, tree-sitter,
b4, reviewtool's own checks); the check itself is the smaller part.  The
worker imports them once, then serves each hook call by forking a child from
that pristine image: the child has none of an earlier check's state, takes
the caller's stdin/stdout/stderr (passed over the socket, SCM_RIGHTS), argv,
working directory, environment and umask, runs exactly the in-process hook
path (``entry.run_hook``) and returns its exit status.  Output, exit codes
and errors are those of the in-process run; only the imports are saved.

Lifecycle.  When no worker answers, the hook runs in process as before; if
it also ran within the idle period before (the second patch of a ``b4 prep
--check``), it starts a worker in the background for the next calls, so a
lone check never pays for one.  A worker exits after
``REVIEWTOOL_WORKER_IDLE`` seconds (default 900) without a call, or as soon
as its socket is removed or taken over.  ``REVIEWTOOL_WORKER=0`` switches it
off; it is used only on Linux, and only for the plain hook invocation
(``entry``'s fast path).

Safety.  The socket lives in a directory of the user's own with mode 0700
(``$XDG_RUNTIME_DIR/reviewtool``, else ``$XDG_CACHE_HOME/reviewtool/run``);
the worker serves only its own uid (``SO_PEERCRED``).  A request is
data (argv, cwd, environment, umask): nothing in it is executed.

Staleness.  The socket's name is keyed by the interpreter, reviewtool's own
files, the site-packages directories (a pip install or upgrade changes their
mtime) and the locale/Python environment that Python reads at start-up, so an
edited or upgraded install, or another locale, gets a worker of its own.

Honest CPU.  A worker's CPU is not the caller's, so ``wait4`` on the caller
would hide it.  With ``REVIEWTOOL_WORKER_CPU_LOG`` set, the caller appends
the child's CPU (its own, its subprocesses', and the worker's cost of forking
it) to that file; ``benchmarks/bench_startup.py`` adds it to the caller's.
"""

from __future__ import annotations

import os
import socket
import struct
import sys

TYPE_CHECKING = False  # typing is not imported on the caller's path (start-up cost)
if TYPE_CHECKING:
    from typing import Mapping

ENV_SWITCH = "REVIEWTOOL_WORKER"
ENV_IDLE = "REVIEWTOOL_WORKER_IDLE"
ENV_CPU_LOG = "REVIEWTOOL_WORKER_CPU_LOG"
IDLE_SECONDS = 900.0
_POLL_SECONDS = 30.0  # how often an idle worker checks that its socket is still its own
# Environment Python reads at start-up (stream encodings, UTF-8 mode, import path,
# hashing): a worker started under other values would not behave as a fresh process.
_STARTUP_ENV = ("LC_ALL", "LC_CTYPE", "LANG", "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONPATH",
                "PYTHONHASHSEED", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONWARNINGS")
_LEN = struct.Struct("!I")
_SUN_PATH_MAX = 107
_READY_SECONDS = 10.0  # a caller waits this long for a worker's child, then runs in process


def enabled(environ: Mapping[str, str]) -> bool:
    return (environ.get(ENV_SWITCH, "") != "0" and sys.platform.startswith("linux")
            and hasattr(socket, "send_fds"))


def _private_dir(environ: Mapping[str, str]) -> str | None:
    """The user's own 0700 directory for sockets, created if needed; None if unsafe."""
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        path = os.path.join(runtime, "reviewtool")
    else:
        base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(base, "reviewtool", "run")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.lstat(path)
    except OSError:
        return None
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return path


def _install_stamp(environ: Mapping[str, str]) -> str:
    """What a running worker must share with this process to stand in for it."""
    from . import builtin_rules_path

    package = os.path.dirname(os.path.realpath(__file__))
    rules = builtin_rules_path()
    parts = [sys.executable, sys.version, package, str(rules)]
    newest = 0
    pending = [package] if rules is None or rules.startswith(package + os.sep) else [package, rules]
    while pending:
        directory = pending.pop()
        newest = max(newest, os.stat(directory).st_mtime_ns)
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                else:
                    newest = max(newest, entry.stat(follow_symlinks=False).st_mtime_ns)
    parts.append(str(newest))
    for entry in sys.path:
        if entry.endswith("site-packages"):
            try:
                parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
            except OSError:
                continue
    parts.extend(f"{name}={environ.get(name, '')}" for name in _STARTUP_ENV)
    return "\0".join(parts)


def socket_path(environ: Mapping[str, str]) -> str | None:
    """Where this install's worker listens, or None when no safe place exists."""
    import zlib

    directory = _private_dir(environ)
    if directory is None:
        return None
    install = zlib.crc32(f"{sys.executable}\0{os.path.dirname(os.path.realpath(__file__))}".encode(
        "utf-8", "surrogateescape"))
    key = zlib.crc32(_install_stamp(environ).encode("utf-8", "surrogateescape"))
    path = os.path.join(directory, f"hook-{os.getuid()}-{install:08x}-{key:08x}.sock")
    return path if len(path.encode()) <= _SUN_PATH_MAX else None


def _retire_older(path: str) -> None:
    """Remove the sockets of this install's earlier states (edited or upgraded
    since): their workers see it within ``_POLL_SECONDS`` and exit, instead of
    idling out, one per edit, on a developer's machine."""
    directory, name = os.path.split(path)
    install = name.rsplit("-", 1)[0] + "-"
    for entry in os.scandir(directory):
        if entry.name.startswith(install) and entry.name not in (name, name + ".called"):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def workers_under(directory: str) -> list[int]:
    """The pids of the workers whose socket lies under ``directory`` (Linux's
    /proc; [] where it cannot be read): for stopping or measuring them."""
    prefix = os.path.join(os.path.abspath(directory), "").encode()
    found = []
    try:
        procs = os.listdir("/proc")
    except OSError:
        return []
    for name in procs:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if len(argv) >= 4 and argv[1:3] == [b"-m", b"reviewtool.worker"] and argv[3].startswith(prefix):
            found.append(int(name))
    return found


# ---------------------------------------------------------------- the caller


def call(argv: list[str], environ: Mapping[str, str]) -> int | None:
    """Run the hook in the worker; its exit code, or None to run in process.

    None means no worker took the call (none running, or it failed before
    starting the check); one is then started for the next call.
    """
    path = socket_path(environ)
    if path is None:
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        if _called_lately(path, environ):
            start(path)
        return None
    try:
        return _converse(conn, argv, environ)
    finally:
        conn.close()


def _converse(conn: socket.socket, argv: list[str], environ: Mapping[str, str]) -> int | None:
    umask = os.umask(0o022)
    os.umask(umask)
    payload = _encode(argv, os.getcwd(), umask, environ)
    replies = conn.makefile("rb")
    # Nothing is handed over before a child is ready for it: a caller that gives up
    # waiting (a worker still starting on a busy machine) runs in process, and no
    # child can later take its stdout as well.
    conn.settimeout(_READY_SECONDS)
    try:
        ready = replies.readline()
    except OSError:
        return None
    if ready != b"R\n":
        return None
    conn.settimeout(None)
    relay = _SignalRelay()  # from the hand-over on, Ctrl-C is the child's to act on
    try:
        socket.send_fds(conn, [_LEN.pack(len(payload))], [0, 1, 2])
        conn.sendall(payload)
    except OSError:
        return relay.interrupted()
    started = _reply(replies)
    if not started.startswith(b"P"):
        return relay.interrupted()  # the child ended before the check began: nothing was read or written
    relay.to(int(started[1:]))
    finished = _reply(replies)
    if not finished.startswith(b"X"):
        sys.stderr.write("reviewtool: error: the hook worker ended without an exit status\n")
        return 2
    code, cpu = finished[1:].split()
    log = environ.get(ENV_CPU_LOG)
    if log:
        with open(log, "a", encoding="ascii") as out:
            out.write(f"{float(cpu):.6f}\n")
    return int(code)


def _reply(replies) -> bytes:
    """The child's next line; empty when it is gone (a child that ends without
    reading all it was sent makes the connection reset, not just end)."""
    try:
        return replies.readline()
    except OSError:
        return b""


def _encode(argv: list[str], cwd: str, umask: int, environ: Mapping[str, str]) -> bytes:
    """The request: NUL-separated fields (no argument, path or variable can
    hold a NUL): argv's length, argv, cwd, umask, then NAME=value pairs."""
    fields = [str(len(argv)), *argv, cwd, str(umask), *(f"{k}={v}" for k, v in environ.items())]
    return "\0".join(fields).encode("utf-8", "surrogateescape")


def _decode(payload: bytes) -> dict:
    fields = payload.decode("utf-8", "surrogateescape").split("\0")
    count = int(fields[0])
    argv, (cwd, umask), pairs = fields[1:1 + count], fields[1 + count:3 + count], fields[3 + count:]
    env = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    return {"argv": argv, "cwd": cwd, "umask": int(umask), "env": env}


class _SignalRelay:
    """Ctrl-C (and a terminating b4) reach the child that does the work; one
    that arrives before the child is known is passed on when it is."""

    def __init__(self) -> None:
        import signal

        self.child: int | None = None
        self.pending: list[int] = []
        self.before = {signum: signal.signal(signum, self._relay)
                       for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}

    def _relay(self, signum: int, _frame: object) -> None:
        if self.child is None:
            self.pending.append(signum)
            return
        try:
            os.kill(self.child, signum)
        except OSError:
            pass

    def to(self, child: int) -> None:
        self.child = child
        for signum in self.pending:
            self._relay(signum, None)

    def interrupted(self) -> int | None:
        """No child took the call: 130 if the user interrupted meanwhile, else None
        (run in process, with the signal handlers there were before)."""
        if not self.pending:
            import signal

            for signum, handler in self.before.items():
                signal.signal(signum, handler)
            return None
        sys.stderr.write("reviewtool: interrupted\n")
        return 130


def _idle_seconds(environ: Mapping[str, str]) -> float:
    try:
        return float(environ.get(ENV_IDLE) or IDLE_SECONDS)
    except ValueError:
        return IDLE_SECONDS


def _called_lately(path: str, environ: Mapping[str, str]) -> bool:
    """Whether the hook ran in process within the idle period before this call
    (and note this call): a worker is started only for the second patch of a
    session, so a single ``check`` never pays for a worker it will not use."""
    import time

    mark = path + ".called"
    try:
        lately = time.time() - os.stat(mark).st_mtime < _idle_seconds(environ)
    except OSError:
        lately = False
    try:
        with open(mark, "w"):
            pass
    except OSError:
        pass
    return lately


def start(path: str) -> None:
    """Start a worker for ``path`` in the background (detached; its output discarded)."""
    import subprocess

    try:
        subprocess.Popen([sys.executable, "-m", "reviewtool.worker", path], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
                         start_new_session=True, close_fds=True)
    except OSError:
        pass


# ---------------------------------------------------------------- the worker


# Imported once by the worker: reviewtool's check path and the libraries its
# checks import lazily (tests/test_worker.py checks this list covers a hook run).
PRELOAD = (
    "reviewtool.entry", "reviewtool.runner", "reviewtool.resultcache", "reviewtool.tree", "reviewtool.kerneltree",
    "reviewtool.report.terse", "reviewtool.report.terminal", "reviewtool.report.locate", "reviewtool.report.jsonfmt",
    "reviewtool.sources.mbox", "reviewtool.sources.resolve", "reviewtool.sources.companions",
    "reviewtool.sources.b4setup", "reviewtool.sources.b4trailers", "reviewtool.sources.git",
    "reviewtool.archive.store", "reviewtool.validators.dt_validate", "reviewtool.validators.yamllint_runner",
    "reviewtool.validators.dtschema_facts", "reviewtool.validators.dt_macros", "reviewtool.validators.dts_tree",
    "b4", "liblore", "jsonschema", "yamllint.linter", "yamllint.config", "ruamel.yaml", "ruamel.yaml.mergevalue",
    "tree_sitter", "unidiff", "regex", "sqlite3", "libfdt", "rfc3987", "multiprocessing", "pickle",
)


def preload() -> None:
    """Import and set up, once, what every hook run would: modules, and the
    state that depends only on installed files (the socket's key covers them)."""
    import importlib
    import pkgutil

    import reviewtool.checks

    names = [*PRELOAD, *(m.name for m in pkgutil.iter_modules(reviewtool.checks.__path__, "reviewtool.checks."))]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # an optional library missing or broken: its checks import it as before
            continue
    from .catalog import keep_builtin
    from .syntax import treesitter
    from .validators import dt_validate, dtschema_runner, yamllint_runner

    for warm in (keep_builtin, dtschema_runner.load, dt_validate.core_schemas, yamllint_runner.config,
                 lambda: treesitter.language("c"), lambda: treesitter.language("dts")):
        try:
            warm()
        except Exception:  # the run that needs it reports the problem as before
            continue


def _bind(path: str) -> socket.socket | None:
    """The listening socket at ``path``; None if a live worker already has it."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(path)
    except OSError:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
            return None  # another worker answers there
        except OSError:
            pass
        finally:
            probe.close()
        try:
            os.unlink(path)
            server.bind(path)
        except OSError:
            return None
    os.chmod(path, 0o600)
    server.listen(16)
    return server


def serve(path: str, idle: float) -> None:
    """Listen at ``path`` until idle for ``idle`` seconds or the socket is no longer ours."""
    import signal
    import time

    server = _bind(path)
    if server is None:
        return
    ours = os.stat(path).st_ino
    _retire_older(path)
    preload()
    import gc

    gc.freeze()  # children then leave the preloaded objects' pages shared (no collector writes)
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, _stop)
    server.settimeout(min(idle, _POLL_SECONDS))
    last = time.monotonic()
    try:
        while True:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                if time.monotonic() - last >= idle or not _still_ours(path, ours):
                    break
                continue
            last = time.monotonic()
            with conn:
                if _peer_uid(conn) == os.getuid():
                    _fork_child(server, conn)
    finally:
        if _still_ours(path, ours):
            for leftover in (path, path + ".called"):
                try:
                    os.unlink(leftover)
                except OSError:
                    pass


def _still_ours(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _stop(_signum: int, _frame: object) -> None:
    sys.exit(0)  # through serve's cleanup: the socket goes with the worker


def _reap(_signum: int, _frame: object) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _cpu_seconds(who: int) -> float:
    import resource

    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _fork_child(server: socket.socket, conn: socket.socket) -> None:
    import resource

    before = _cpu_seconds(resource.RUSAGE_SELF)
    cost_r, cost_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(cost_w)
        server.close()
        try:
            code = _child(conn, cost_r)
        except BaseException:  # nothing may escape into the worker's loop
            code = 2
        os._exit(code)
    os.close(cost_r)
    os.write(cost_w, struct.pack("!d", _cpu_seconds(resource.RUSAGE_SELF) - before))
    os.close(cost_w)


def _child(conn: socket.socket, cost_pipe: int) -> int:
    """Take over the caller's process context, run the hook, report its status."""
    import signal

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    conn.sendall(b"R\n")
    request = _receive(conn)
    if request is None:
        return 2
    from . import entry

    values = entry.hook_values(request["argv"][1:], request["env"])
    if values is None:
        return 2  # not a hook call: the caller runs it in process
    conn.sendall(b"P%d\n" % os.getpid())
    code = entry.run_hook(values)
    import atexit

    atexit._run_exitfuncs()
    code = _flush_stdio(code)
    import resource

    with os.fdopen(cost_pipe, "rb") as pipe:
        sent = pipe.read(8)
    fork_cost = struct.unpack("!d", sent)[0] if len(sent) == 8 else 0.0
    cpu = _cpu_seconds(resource.RUSAGE_SELF) + _cpu_seconds(resource.RUSAGE_CHILDREN) + fork_cost
    conn.sendall(b"X%d %.6f\n" % (code, cpu))
    return 0


def _receive(conn: socket.socket) -> dict | None:
    """Read the request and adopt its stdio, directory, environment and umask."""
    import time

    data, fds, _, _ = socket.recv_fds(conn, _LEN.size, 3)
    if len(data) != _LEN.size or len(fds) != 3:
        return None
    (size,) = _LEN.unpack(data)
    payload = bytearray()
    while len(payload) < size:
        chunk = conn.recv(size - len(payload))
        if not chunk:
            return None
        payload += chunk
    request = _decode(bytes(payload))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(int(request["umask"]))
    time.tzset()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    _reopen_stdio()
    sys.argv = ["reviewtool", *request["argv"][1:]]
    return request


def _reopen_stdio() -> None:
    """Fresh text streams on fds 0-2, set up as Python sets up a new process's
    (the encodings match: the socket's key covers the locale environment)."""
    import io

    def stream(fd: int, old: io.TextIOWrapper, write: bool) -> io.TextIOWrapper:
        raw = io.FileIO(fd, "wb" if write else "rb", closefd=False)
        buffered = io.BufferedWriter(raw) if write else io.BufferedReader(raw)
        return io.TextIOWrapper(buffered, encoding=old.encoding, errors=old.errors,
                                line_buffering=write and (fd == 2 or raw.isatty()))

    sys.stdin = sys.__stdin__ = stream(0, sys.__stdin__, False)  # type: ignore[arg-type]
    sys.stdout = sys.__stdout__ = stream(1, sys.__stdout__, True)  # type: ignore[arg-type]
    sys.stderr = sys.__stderr__ = stream(2, sys.__stderr__, True)  # type: ignore[arg-type]


def _flush_stdio(code: int) -> int:
    """Flush the output as interpreter exit would; a closed pipe exits 120, as there."""
    failed = False
    for out in (sys.stdout, sys.stderr):
        try:
            out.flush()
        except (OSError, ValueError):
            failed = True
    return 120 if failed and code == 0 else code


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit("usage: python -m reviewtool.worker SOCKET")
    serve(argv[0], _idle_seconds(os.environ))


if __name__ == "__main__":
    main(sys.argv[1:])
