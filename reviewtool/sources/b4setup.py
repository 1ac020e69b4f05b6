"""Configure b4 once per process, offline unless a lore fetch asks otherwise.

b4 reads its settings from git config and keeps a cached lore client; we set
both explicitly so local checks never touch the network and lore checks go
exactly where the user pointed them.
"""

from __future__ import annotations

import argparse
import logging
from contextlib import contextmanager
from typing import Any, Iterator

_READY = False


def ready(
    lore_url: str | None = None,
    network: bool = False,
    timeout: float | None = None,
    cache: bool = True,
) -> Any:
    """Import and configure b4; return the module.

    With ``lore_url`` the lore client b4 uses is rebuilt for that base URL,
    with ``timeout`` as liblore's request timeout and, when ``cache`` is
    false, no cache directory at all (b4's own ``nocache`` still writes).
    """
    global _READY
    from ..deferred_imports import B4_ANNOTATIONS, B4_ATTESTATION, B4_NETWORK, B4_UNUSED, annotations_only, defer

    # Attestation is off: dkim/dnspython/PyNaCl only load if something uses
    # them; requests (urllib3, charset_normalizer, ...) only when lore is
    # asked, smtplib (ssl) never on a check; B4_UNUSED when something uses them.
    defer(*B4_ATTESTATION, *B4_NETWORK, *B4_UNUSED)
    with annotations_only(B4_ANNOTATIONS):
        import b4  # heavy: imported only when mail must be parsed

    if not _READY:
        # b4 logs chatty warnings (duplicate messages, missing patches) that
        # we report ourselves as findings.
        logging.getLogger("b4").setLevel(logging.CRITICAL)
        config: dict[str, str] = {"b4.attestation-policy": "off"}
        try:
            b4.setup_config(argparse.Namespace(config=config))
        except FileNotFoundError as exc:  # no git binary
            from ..errors import InputError

            raise InputError(f"b4 needs git on PATH ({exc})") from None
        from .b4trailers import install

        install(b4)  # b4's trailer regexes backtrack for minutes on long lines
        _READY = True
    b4.can_network = network
    if lore_url is not None:
        _lore_node(b4, lore_url, timeout, cache)
    return b4


_NODE_KEY: tuple | None = None


def _lore_node(b4: Any, lore_url: str, timeout: float | None, cache: bool) -> None:
    """Point b4 at ``lore_url`` through its LORENODE singleton (see tooling notes §2)."""
    global _NODE_KEY
    base = lore_url.rstrip("/")
    key = (base, timeout, cache)
    if key == _NODE_KEY and b4.LORENODE is not None:
        return
    config = b4.get_main_config()
    config["midmask"] = base + "/%s"
    import liblore

    kwargs: dict[str, Any] = {}
    if timeout is not None:
        kwargs["request_timeout"] = timeout
    if cache:
        from pathlib import Path

        kwargs["cache_dir"] = str(Path(b4.get_cache_dir()) / "lore")
        try:
            kwargs["cache_ttl"] = int(str(config.get("cache-expire", "10"))) * 60
        except ValueError:
            kwargs["cache_ttl"] = 600
    else:
        kwargs["cache_dir"] = None
    node = liblore.LoreNode.from_git_config(base, **kwargs)
    node.set_user_agent("b4", b4.__VERSION__)
    from .bounded_http import BoundedSession

    session = BoundedSession(deadline=timeout)  # size and whole-answer time caps (see bounded_http)
    session.headers.update({"User-Agent": f"b4/{b4.__VERSION__}"})
    node.set_requests_session(session)
    b4.LORENODE = node
    _NODE_KEY = key


class LogCapture(logging.Handler):
    """Keeps b4/liblore log records instead of letting them reach stderr.

    b4 reports fetch failures by logging and returning None; the records
    (whose args carry liblore's RemoteError) tell us what went wrong.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def exceptions(self) -> list[BaseException]:
        return [a for r in self.records for a in (r.args if isinstance(r.args, tuple) else ())
                if isinstance(a, BaseException)]


@contextmanager
def capture_logs(*names: str) -> Iterator[LogCapture]:
    """Collect records of the given loggers (default b4 and liblore) for a block."""
    handler = LogCapture()
    loggers = [logging.getLogger(n) for n in (names or ("b4", "liblore"))]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
        if lg.level == logging.NOTSET:
            lg.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        for lg, (level, propagate) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
