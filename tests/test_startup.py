"""Start-up stays cheap: what --help, check --help and rules must not import,
and the stand-ins that keep it so behave like the real thing."""

from __future__ import annotations

import subprocess
import sys

from conftest import run_cli

_PROBE = """
import sys
from reviewtool.cli import main
sys.argv = ["reviewtool", *{args!r}]
try:
    main()
except SystemExit:
    pass
loaded = [m for m in {heavy!r} if m in sys.modules and type(sys.modules[m]).__name__ == "module"]
print("LOADED", loaded, file=sys.stderr)
"""


def _loaded(args: list[str], heavy: tuple[str, ...]) -> str:
    code = _PROBE.format(args=args, heavy=heavy)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return proc.stderr.strip().splitlines()[-1]


def test_help_and_rules_skip_pydantic_checks_and_rich():
    heavy = ("pydantic", "reviewtool.checks", "rich", "b4", "dtschema")
    assert _loaded(["check", "--help"], heavy) == "LOADED []"
    assert _loaded(["rules", "--no-config"], heavy) == "LOADED []"


def test_plain_option_values_convert_and_reject_like_typer():
    proc = run_cli("check", "--revision", "two", "x")
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == ("reviewtool: error: Invalid value for '--revision' / '-v': "
                                            "'two' is not a valid integer.")
    proc = run_cli("check", "--timeout", "soon", "x")
    assert proc.returncode == 2 and "'soon' is not a valid number." in proc.stderr.decode()


def test_deferred_module_loads_on_first_use():
    code = """
import sys
from reviewtool.deferred_imports import defer
defer("json.tool" , "colorsys", "no_such_module_here")
assert "no_such_module_here" not in sys.modules and "json.tool" not in sys.modules
import colorsys
assert type(sys.modules["colorsys"]).__name__ == "_Deferred"
assert colorsys.rgb_to_hsv(1, 0, 0) == (0.0, 1.0, 1)
assert type(sys.modules["colorsys"]).__name__ == "module"
assert colorsys.hsv_to_rgb(0.0, 1.0, 1) == (1, 0.0, 0.0)
print("OK")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "OK", proc.stderr


def test_b4_loads_without_attestation_and_network_modules():
    code = """
import sys
from reviewtool.sources import b4setup
b4 = b4setup.ready()
print([m for m in ("dkim", "patatt", "nacl", "dns", "requests", "urllib3", "smtplib",
                  "gzip", "secrets", "mailbox", "lzma", "bz2")
       if type(sys.modules.get(m)).__name__ == "module"])
import gzip, lzma, mailbox, shutil
assert gzip.decompress(gzip.compress(b"x")) == b"x" and lzma.decompress(lzma.compress(b"y")) == b"y"
assert shutil._LZMA_SUPPORTED and mailbox.mbox.__module__ == "mailbox"
import requests
session = b4.get_requests_session()  # the stand-in loads the real requests on first use
print(type(session) is requests.Session, requests.Session.__module__, type(sys.modules["requests"]).__name__)
print(b4.smtplib.SMTP.__module__, type(sys.modules["smtplib"]).__name__)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines() == ["[]", "True requests.sessions module", "smtplib module"], \
        proc.stderr


def test_dtschema_loads_without_uri_format_modules_until_a_uri_is_checked():
    code = """
import sys
from reviewtool.validators import dtschema_runner
dtschema_runner.load()
print(type(sys.modules.get("rfc3987")).__name__)
import jsonschema
checker = jsonschema.FormatChecker()
print(checker.conforms("https://example.org/a", "uri"), checker.conforms("not a uri", "uri"),
      type(sys.modules.get("rfc3987")).__name__)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().splitlines() == ["_Deferred", "True False module"], proc.stderr
