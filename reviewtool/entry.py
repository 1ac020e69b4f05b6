"""Process entry point: b4's hook invocation runs without importing typer.

b4 runs the per-patch check command once per patch (``reviewtool check -
--format terse``, see the README), so the ~90 ms typer and click cost to
import is paid on every patch of every ``b4 am/prep --check`` (issue 13
item 9).  ``main`` recognises that plain form -- ``check`` with ``-`` as the
only source and a few hook options, each given in full -- and builds the
same ``CheckRequest`` the typer command would.  Anything else (``--help``,
another command or option, an abbreviated or clustered option, an option
value that looks like an option, one of the options' environment variables
set) goes to the full command line in ``cli.py``, unchanged.  Errors look
the same either way: one line on stderr and exit 2.

A hook process checks one patch and exits, so it also skips two costs that
only pay off in a long-lived process (together ~15 % of a hook run's CPU):
the cyclic garbage collector (``gc.disable``; the input is capped, and peak
memory measured the same with it off) and the interpreter's teardown of
every module and object at exit (``leave``: after the output is flushed and
every ``atexit`` handler has run, the process ends with ``os._exit``).

Most of what is left is importing the libraries a check uses; from the
second hook call of a session on, the resident worker (``worker``) has them
imported already and runs ``run_hook`` in a fresh fork of itself.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

TYPE_CHECKING = False  # typing costs start-up time on the hook's path
if TYPE_CHECKING:
    from typing import Mapping, Sequence

# The typer check command's options this path understands: flag -> CheckRequest field.
_FLAGS = {"--no-config": "no_config", "--hook": "hook", "--no-precedents": "no_precedents"}
_VALUED = {"--format": "fmt", "-f": "fmt", "--series": "series_file", "--tree": "tree", "--fail-on": "fail_on"}
# Environment variables typer reads for check's options (--lore-url, --timeout, --archive):
# when one is set, typer's own conversion and checks apply.
_OPTION_ENVVARS = ("REVIEWTOOL_LORE_URL", "REVIEWTOOL_TIMEOUT", "REVIEWTOOL_ARCHIVE")


def hook_request(argv: Sequence[str], environ: Mapping[str, str] = os.environ):
    """The ``CheckRequest`` for a plain hook invocation, or None for anything else."""
    values = hook_values(argv, environ)
    return None if values is None else _request(values)


def hook_values(argv: Sequence[str], environ: Mapping[str, str]) -> dict[str, object] | None:
    """The options of a plain hook invocation (no import), or None for anything else."""
    if len(argv) < 2 or argv[0] != "check" or any(v in environ for v in _OPTION_ENVVARS):
        return None
    sources: list[str] = []
    values: dict[str, object] = {}
    args = list(argv[1:])
    while args:
        arg = args.pop(0)
        if arg == "-":
            sources.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _FLAGS and not eq:
            values[_FLAGS[name]] = True
        elif name in _VALUED:
            if not eq:
                if not args:
                    return None
                value = args.pop(0)
            if value.startswith("-"):
                return None  # click's own rules for such values apply
            values[_VALUED[name]] = value  # repeated: the last one wins, as in click
        else:
            return None
    if sources != ["-"]:
        return None
    return values


def _request(values: dict[str, object]):
    from .runner import CheckRequest

    return CheckRequest(
        sources=["-"], fmt=str(values.get("fmt", "terminal")), fail_on=values.get("fail_on"),  # type: ignore[arg-type]
        tree=values.get("tree"), hook=bool(values.get("hook")), no_config=bool(values.get("no_config")),  # type: ignore[arg-type]
        precedents=not values.get("no_precedents"), series_file=values.get("series_file"),  # type: ignore[arg-type]
    )


def quiet_library_warnings() -> None:
    """Library warnings (ruamel's ReusedAnchorWarning on a hostile binding, ...)
    are not ours to print: stderr carries one error line or nothing."""
    if not os.environ.get("REVIEWTOOL_DEBUG"):
        import warnings

        warnings.simplefilter("ignore")


def fail(message: str, code: int = 2) -> int:
    """Print the one error line; return the exit code."""
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()
    return code


def failure_code(exc: BaseException) -> int:
    """Exit code (after the one stderr line) for an exception no command handled."""
    from .errors import InputError, one_line

    if isinstance(exc, InputError):
        return fail(f"reviewtool: error: {one_line(exc)}")
    if isinstance(exc, KeyboardInterrupt):
        return fail("reviewtool: interrupted", 130)
    if os.environ.get("REVIEWTOOL_DEBUG"):
        raise exc
    return fail(f"reviewtool: internal error: {type(exc).__name__}: {one_line(exc)}")


_EXIT_CODE: int | None = None  # set by ``leave``; read by its atexit handler


def _skip_teardown() -> None:
    """Registered first, so ``atexit`` runs it last: every other handler has
    run; flush the output and end the process without tearing it down.  If
    the output cannot be flushed (a closed pipe), the interpreter's usual
    exit handles and reports it, as before."""
    if _EXIT_CODE is None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(_EXIT_CODE)


def leave(code: int) -> None:
    """Exit with ``code``, skipping the interpreter's teardown (see the module
    docstring); threads and ``atexit`` handlers finish as on any exit."""
    global _EXIT_CODE
    _EXIT_CODE = code
    sys.exit(code)


def run_hook(values: dict[str, object]) -> int:
    """Check the one patch on stdin as the hook does; the exit code.  Runs in
    this process, or in a child of the resident worker (``worker``)."""
    gc.disable()
    quiet_library_warnings()
    try:
        from .runner import run_check

        return run_check(_request(values))
    except (Exception, KeyboardInterrupt) as exc:
        return failure_code(exc)


def main() -> None:
    """``reviewtool``: the hook fast path (through the worker when one
    answers), else the full command line."""
    values = hook_values(sys.argv[1:], os.environ)
    if values is None:
        from .cli import main as full_cli

        full_cli()
        return
    from . import worker

    if worker.enabled(os.environ):
        try:
            code = worker.call(sys.argv, os.environ)
        except KeyboardInterrupt:  # before anything was handed to a worker
            code = fail("reviewtool: interrupted", 130)
        if code is not None:
            sys.exit(code)
    atexit.register(_skip_teardown)
    leave(run_hook(values))
