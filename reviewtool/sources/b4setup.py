"""Configure b4 once per process, offline unless a lore fetch asks otherwise.

b4 reads its settings from git config and keeps a cached lore client; we set
both explicitly so local checks never touch the network and lore checks go
exactly where the user pointed them.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

_READY = False


def ready(lore_url: str | None = None, network: bool = False) -> Any:
    """Import and configure b4; return the module."""
    global _READY
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
        _READY = True
    b4.can_network = network
    if lore_url is not None:
        b4.get_main_config()["midmask"] = lore_url.rstrip("/") + "/%s"
        b4.LORENODE = None
    return b4
