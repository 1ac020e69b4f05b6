"""Command line: thin wrappers that wire sources, the engine and renderers.

Heavy libraries (b4, GitPython, dtschema) are imported inside commands only,
so ``reviewtool --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from . import __version__, cli_values
from .errors import one_line

cli_values.install()  # plain option values without typer's pydantic adapters

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Review Linux kernel patch series the way maintainers do: findings anchored to patch lines.",
)

SEVERITY_CHOICES = ("error", "warning", "info", "none")


def _fail(message: str) -> None:
    typer.echo(f"reviewtool: error: {message}", err=True)
    raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reviewtool {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """reviewtool."""


@app.command()
def check(
    sources: List[str] = typer.Argument(None, help="mbox/maildir/patch files or dir, '-', Message-ID, lore URL, or git range (optional with --prep)."),
    fmt: str = typer.Option("terminal", "--format", "-f", help="terminal, json, terse, sarif, email, b4review."),
    revision: Optional[int] = typer.Option(None, "--revision", "-v", help="Check revision N instead of the newest."),
    rules_dirs: List[str] = typer.Option([], "--rules", help="Extra rule directory (repeatable)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 on findings at or above: error (default), warning, info, none."),
    min_severity: Optional[str] = typer.Option(None, "--min-severity", help="Hide findings below: error, warning, info (the terminal report folds infos by default)."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="A previous JSON report: show only findings not in it (matched by rule, file and line text)."),
    only: List[str] = typer.Option([], "--only", help="Run only this rule id (repeatable)."),
    disable: List[str] = typer.Option([], "--disable", help="Switch this rule id off (repeatable)."),
    lore_url: Optional[str] = typer.Option(None, "--lore-url", envvar="REVIEWTOOL_LORE_URL", help="Lore base URL."),
    timeout: Optional[float] = typer.Option(None, "--timeout", envvar="REVIEWTOOL_TIMEOUT", help="Lore request timeout (s)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use b4's lore cache."),
    newer: bool = typer.Option(False, "--newer", help="Look on lore for newer revisions and check the newest."),
    tree: Optional[str] = typer.Option(None, "--tree", help="Kernel tree for documented compatibles and base files."),
    repo: Optional[str] = typer.Option(None, "--repo", help="Git repository for a revision range."),
    prep: bool = typer.Option(False, "--prep", help="Check the current b4 prep branch."),
    hook: bool = typer.Option(False, "--hook", help="b4 hook mode: one patch at a time, no series rules (implied by '-' with terse/b4review and one patch)."),
    series_file: Optional[str] = typer.Option(None, "--series", help="Hook mode: an mbox with the whole series the patch belongs to (else b4's cache or the prep branch is searched)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore .reviewtool.toml and the user config file."),
    no_precedents: bool = typer.Option(False, "--no-precedents", help="Do not look up the review archive (precedent/* rules)."),
    archive: Optional[str] = typer.Option(None, "--archive", envvar="REVIEWTOOL_ARCHIVE", help="Review archive database (default: $XDG_DATA_HOME/reviewtool/archive.sqlite)."),
) -> None:
    """Check a series and print findings anchored to patch lines."""
    from .runner import CheckRequest, run_check

    request = CheckRequest(
        sources=list(sources or []), fmt=fmt, revision=revision, rules_dirs=list(rules_dirs), fail_on=fail_on,
        only=list(only), disable=list(disable), lore_url=lore_url, timeout=timeout, no_cache=no_cache,
        newer=newer, tree=tree, repo=repo, prep=prep, hook=hook, no_config=no_config, min_severity=min_severity,
        precedents=not no_precedents, archive=archive,
        baseline=baseline, series_file=series_file,
    )
    raise typer.Exit(run_check(request))


@app.command("rules")
def rules_cmd(
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    rules_dirs: List[str] = typer.Option([], "--rules", help="Extra rule directory (repeatable)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore .reviewtool.toml and the user config file."),
) -> None:
    """List the rules: id, severity, family, summary."""
    from . import ruledocs

    ruledocs.print_rules(ruledocs.load(list(rules_dirs), not no_config), fmt, sys.stdout)


@app.command()
def explain(
    rule_id: str = typer.Argument(..., help="A rule id, e.g. subject/dt-bindings-prefix."),
    rules_dirs: List[str] = typer.Option([], "--rules", help="Extra rule directory (repeatable)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore .reviewtool.toml and the user config file."),
) -> None:
    """Why a rule exists, where that was said, a bad and a good example, how to silence it."""
    from . import ruledocs

    ruledocs.explain(ruledocs.load(list(rules_dirs), not no_config), rule_id, sys.stdout)


@app.command()
def triage(
    sources: List[str] = typer.Argument(None, help="mbox/maildir with many threads, a file of Message-IDs, or '-'."),
    query: Optional[str] = typer.Option(None, "--query", "-q", help="Lore search (b4 syntax); whole threads."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json (check's JSON schema)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (default: CPU count)."),
    only: List[str] = typer.Option([], "--only", help="Run only this rule id (repeatable)."),
    disable: List[str] = typer.Option([], "--disable", help="Switch this rule id off (repeatable)."),
    min_severity: str = typer.Option("info", "--min-severity", help="Hide findings below: error, warning, info."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 on findings at or above: error, warning, info, none (default)."),
    rules_dirs: List[str] = typer.Option([], "--rules", help="Extra rule directory (repeatable)."),
    lore_url: Optional[str] = typer.Option(None, "--lore-url", envvar="REVIEWTOOL_LORE_URL", help="Lore base URL."),
    timeout: Optional[float] = typer.Option(None, "--timeout", envvar="REVIEWTOOL_TIMEOUT", help="Lore request timeout (s)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use b4's lore cache."),
    tree: Optional[str] = typer.Option(None, "--tree", help="Kernel tree for documented compatibles and base files."),
    keep_going: bool = typer.Option(False, "--keep-going", help="Exit 0 even when some series could not be checked (default: exit 1)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore .reviewtool.toml and the user config file."),
) -> None:
    """Check a whole queue of series and rank them, worst first (by the score in reviewtool/triage/score.py)."""
    from .triage import TriageRequest, run_triage

    request = TriageRequest(
        sources=list(sources or []), query=query, fmt=fmt, jobs=jobs, only=list(only), disable=list(disable),
        min_severity=min_severity, fail_on=fail_on, rules_dirs=list(rules_dirs), lore_url=lore_url,
        timeout=timeout, no_cache=no_cache, tree=tree, no_config=no_config, keep_going=keep_going,
    )
    raise typer.Exit(run_triage(request))


@app.command()
def history(
    source: str = typer.Argument(..., help="Message-ID, lore URL, or a local mbox holding the revisions."),
    fmt: str = typer.Option("terminal", "--format", "-f", help="terminal or json."),
    revision: Optional[int] = typer.Option(None, "--revision", "-v", help="Take revision N as the newest."),
    lore_url: Optional[str] = typer.Option(None, "--lore-url", envvar="REVIEWTOOL_LORE_URL", help="Lore base URL."),
    timeout: Optional[float] = typer.Option(None, "--timeout", envvar="REVIEWTOOL_TIMEOUT", help="Lore request timeout (s)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use b4's lore cache."),
    newer: bool = typer.Option(False, "--newer", help="Look on lore for newer revisions too."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore .reviewtool.toml and the user config file."),
) -> None:
    """Review remarks each revision of a series got, oldest first, with lore links."""
    from .report.timeline import run_history

    raise typer.Exit(run_history(source, fmt=fmt, revision=revision, lore_url=lore_url, timeout=timeout,
                                 no_cache=no_cache, newer=newer, no_config=no_config))


archive_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                          help="The review archive: past remarks that precedents and learn read.")
app.add_typer(archive_app, name="archive")


@archive_app.command("add")
def archive_add(
    sources: List[str] = typer.Argument(None, help="mbox files, maildirs, directories of them, Message-IDs or lore URLs."),
    query: Optional[str] = typer.Option(None, "--query", "-q", help="Lore search (b4 syntax); whole threads."),
    archive: Optional[str] = typer.Option(None, "--archive", envvar="REVIEWTOOL_ARCHIVE", help="Archive database (default: $XDG_DATA_HOME/reviewtool/archive.sqlite)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes for local files (default: CPU count)."),
    lore_url: Optional[str] = typer.Option(None, "--lore-url", envvar="REVIEWTOOL_LORE_URL", help="Lore base URL."),
    timeout: Optional[float] = typer.Option(None, "--timeout", envvar="REVIEWTOOL_TIMEOUT", help="Lore request timeout (s)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use b4's lore cache."),
) -> None:
    """Add threads (every remark, the patch it answers, the outcome) to the archive; re-adding is a no-op."""
    from .archive.command import run_add

    raise typer.Exit(run_add(list(sources or []), query=query, archive=archive, jobs=jobs, lore_url=lore_url,
                             timeout=timeout, no_cache=no_cache))


@archive_app.command("stats")
def archive_stats(
    archive: Optional[str] = typer.Option(None, "--archive", envvar="REVIEWTOOL_ARCHIVE", help="Archive database."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """What the archive holds: threads, messages, patches, remarks, reviewers, dates."""
    from .archive.command import run_stats

    raise typer.Exit(run_stats(archive, fmt))


@app.command()
def learn(
    archive: Optional[str] = typer.Option(None, "--archive", envvar="REVIEWTOOL_ARCHIVE", help="Archive database."),
    out: str = typer.Option(..., "--out", "-o", help="Directory to write the draft rule file into (a --rules dir)."),
    before: Optional[str] = typer.Option(None, "--before", help="Learn only from patches dated before this day (YYYY-MM-DD)."),
    min_precision: float = typer.Option(0.8, "--min-precision", help="Drop drafts whose measured precision is lower."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json (the drafts and their figures)."),
) -> None:
    """Mine recurring remarks into draft rules (YAML), each measured before it is written."""
    from .archive.command import run_learn

    raise typer.Exit(run_learn(archive, out, before=before, min_precision=min_precision, fmt=fmt))


def main() -> None:
    """The full command line: one-line errors and exit 2, never a traceback.

    ``reviewtool.entry.main`` (the installed script and ``python -m reviewtool``)
    runs b4's plain hook invocation without typer and everything else here.
    """
    from .entry import failure_code, quiet_library_warnings

    quiet_library_warnings()
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("reviewtool: interrupted", err=True)
        sys.exit(130)
    except (Exception, KeyboardInterrupt) as exc:  # click usage errors and anything unexpected
        try:
            import click
        except ImportError:  # typer 0.2x vendors click as typer._click
            from typer import _click as click

        if isinstance(exc, click.exceptions.NoArgsIsHelpError):
            typer.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(0)
        if isinstance(exc, click.ClickException):
            typer.echo(f"reviewtool: error: {one_line(exc.format_message())}", err=True)
            sys.exit(2)
        sys.exit(failure_code(exc))
