"""No file outside the tool's temp and cache dirs is written, and none outside
the input's directory, the given tree or the installation is read, on
path-shaped hostile input (issue 15): a ``$ref`` URL with dot segments, a
relative ``$ref`` climbing out, a modified binding path with ``../``, and a
tree whose binding is a symlink to a file outside it.

The CLI runs in a subprocess with ``sys.addaudithook`` recording every
``open`` (and every file-system change) Python makes; the secret file's
directory must never appear, and every path must sit under an allowed root.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import REPO

DRIVER = r"""
import json, os, sys
events = []
WRITES = ("os.remove", "os.rename", "os.replace", "os.mkdir", "os.rmdir", "shutil.rmtree", "os.symlink",
          "os.link", "os.truncate", "os.chmod", "os.chown", "os.utime")

def hook(event, args):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, (str, bytes, os.PathLike)):
            events.append(["open", os.fsdecode(path), mode, flags])
    elif event in WRITES:
        events.append([event, os.fsdecode(args[0]) if isinstance(args[0], (str, bytes, os.PathLike)) else "", "", 0])

log_path, argv = sys.argv[1], sys.argv[2:]
sys.addaudithook(hook)
from reviewtool.cli import main
sys.argv = ["reviewtool", *argv]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
with open(log_path, "w") as fh:
    json.dump({"code": code, "events": events}, fh)
"""

B = "Documentation/devicetree/bindings"


def _mail(n: int, subject: str, diff: str) -> str:
    return (f"From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Ada Example <ada@example.org>\n"
            f"Date: Mon, 3 Mar 2025 10:00:0{n} +0000\nSubject: [PATCH {n}/2] {subject}\n"
            f"Message-ID: <audit-{n}@example.org>\n\nExplain the change for the reviewer.\n\n"
            f"Signed-off-by: Ada Example <ada@example.org>\n---\n{diff}\n")


def _added(path: str, text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{ln}\n" for ln in lines))


def _inputs(tmp: Path) -> tuple[Path, Path, Path, Path]:
    secret = tmp / "secret"
    secret.mkdir()
    (secret / "secret.yaml").write_text("title: SECRET\n")
    tree = tmp / "tree"
    (tree / B / "misc").mkdir(parents=True)
    (tree / B / "misc" / "evil.yaml").symlink_to(secret / "secret.yaml")
    (tree / B / "misc" / "ok.yaml").write_text("title: fine\n")
    climb = "../" * 12
    binding = (f"$id: http://devicetree.org/schemas/misc/acme,x.yaml#\n"
               f"$schema: http://devicetree.org/meta-schemas/core.yaml#\ntitle: X\nmaintainers:\n  - A <a@b.c>\n"
               f"properties:\n  a:\n    $ref: http://devicetree.org/schemas/{climb}{str(secret)[1:]}/secret.yaml#\n"
               f"  b:\n    $ref: {climb}{str(secret)[1:]}/secret.yaml#\n  c:\n    $ref: /schemas/../../secret.yaml\n"
               f"additionalProperties: false\n")
    modify_symlink = (f"diff --git a/{B}/misc/evil.yaml b/{B}/misc/evil.yaml\nindex 1111111..2222222 100644\n"
                      f"--- a/{B}/misc/evil.yaml\n+++ b/{B}/misc/evil.yaml\n@@ -1 +1,2 @@\n title: SECRET\n+x: 1\n")
    inputs = tmp / "input"
    inputs.mkdir()
    series = inputs / "series.mbox"
    series.write_text(_mail(1, "dt-bindings: misc: Add x", _added(f"{B}/misc/acme,x.yaml", binding))
                      + _mail(2, "dt-bindings: misc: evil", modify_symlink))
    dotdot = inputs / "dotdot.patch"
    dotdot.write_text(_mail(1, "dt-bindings: misc: tweak", modify_symlink.replace(
        f"{B}/misc/evil.yaml", f"{B}/{climb}{str(secret)[1:]}/secret.yaml")))
    return secret, tree, series, dotdot


def _run(tmp: Path, name: str, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "REVIEWTOOL_DEBUG"}
    env.update(TMPDIR=str(tmp / "tmp"), XDG_CACHE_HOME=str(tmp / "cache"), HOME=str(tmp / "home"),
               XDG_CONFIG_HOME=str(tmp / "config"), REVIEWTOOL_FROM="R <r@example.org>")
    for d in ("tmp", "cache", "home", "config"):
        (tmp / d).mkdir(exist_ok=True)
    log = tmp / "tmp" / f"{name}.json"
    subprocess.run([sys.executable, "-c", DRIVER, str(log), *args], cwd=tmp / "input", env=env, timeout=300,
                   capture_output=True)
    return json.loads(log.read_text())


def _is_write(mode: str | None, flags: int) -> bool:
    if mode:
        return any(c in mode for c in "wax+")
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC))


def _under(path: str, roots: list[Path]) -> bool:
    real = os.path.realpath(path)
    return any(real == str(r) or real.startswith(str(r) + os.sep) for r in roots)


def test_path_shaped_input_reads_and_writes_only_where_allowed(tmp_path):
    tmp = tmp_path.resolve()
    secret, tree, series, dotdot = _inputs(tmp)
    runs = {
        "series": _run(tmp, "series", "check", str(series), "--tree", str(tree), "--format", "json"),
        "email": _run(tmp, "email", "check", str(series), "--tree", str(tree), "--format", "email"),
        "dotdot": _run(tmp, "dotdot", "check", str(dotdot), "--tree", str(tree)),
    }
    assert runs["series"]["code"] in (0, 1) and runs["email"]["code"] in (0, 1)
    # The '..' path is refused as git apply refuses it: a corrupt-patch finding, nothing read.
    assert runs["dotdot"]["code"] == 1
    writable = [tmp / "tmp", tmp / "cache"]
    install = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                           *sysconfig.get_paths().values()) if p}
    readable = [*writable, tmp / "input", tree.resolve(), REPO / "reviewtool", REPO / "rules", *install,
                tmp / "home", tmp / "config", Path("/dev"), Path("/proc"), Path("/etc")]
    for name, run in runs.items():
        events = run["events"]
        assert any(e[0] == "open" and e[1].endswith(Path(series if name != "dotdot" else dotdot).name)
                   for e in events), "the hook saw the input being read"
        for kind, path, mode, flags in events:
            path = os.path.join(tmp / "input", path)
            assert not _under(path, [secret]), f"{name}: {kind} {path}"
            if kind != "open" or _is_write(mode, flags):
                assert _under(path, writable), f"{name}: wrote {kind} {path} {mode}"
            else:
                assert _under(path, readable), f"{name}: read {path}"
