"""Series-aware hooks: real b4 runs reviewtool on one patch at a time, and
reviewtool finds the rest of the series on this machine (b4's lore cache,
the b4 prep branch, or --series FILE) to judge what the series documents.

A typo'd compatible ("nuvotom,npcm-foo") must show in the hook; a compatible
that another patch of the same series documents must not.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from kernel_repo import KernelRepo, VENDOR_PREFIXES
from test_b4_hooks import B4, CHECK_LINE, FINDING, PATCH_LINE, _env, _strip_cmd, hook_cmd

pytestmark = pytest.mark.skipif(not B4.exists(), reason=f"b4 not installed next to {sys.executable}")

BINDING_PATH = "Documentation/devicetree/bindings/misc/nuvoton,npcm-foo.yaml"
BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/misc/nuvoton,npcm-foo.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: Nuvoton NPCM foo block

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    const: nuvoton,npcm-foo

  reg:
    maxItems: 1

required:
  - compatible
  - reg

additionalProperties: false

examples:
  - |
    foo@1000 {
        compatible = "nuvoton,npcm-foo";
        reg = <0x1000 0x100>;
    };
"""


def driver(compatible: str) -> str:
    return ("// SPDX-License-Identifier: GPL-2.0\n#include <linux/mod_devicetable.h>\n#include <linux/module.h>\n\n"
            "static const struct of_device_id npcm_foo_of_match[] = {\n"
            f'\t{{ .compatible = "{compatible}" }},\n\t{{ /* sentinel */ }}\n}};\n'
            "MODULE_DEVICE_TABLE(of, npcm_foo_of_match);\n")


RULES = ("series/undocumented-compatible", "series/vendor-prefix-undocumented")


def _kernel(tmp: Path, env: dict[str, str]) -> KernelRepo:
    repo = KernelRepo(tmp / "linux")
    repo.commit("dt-bindings: vendor-prefixes: Add Nuvoton", files={
        "Documentation/devicetree/bindings/vendor-prefixes.yaml": VENDOR_PREFIXES.replace(
            '  "^acme,.*":', '  "^nuvoton,.*":\n    description: Nuvoton Technology Corporation\n  "^acme,.*":')})
    repo.git("branch", "-f", "base")
    for key, value in (("b4.attestation-policy", "off"), ("b4.am-perpatch-check-cmd", hook_cmd()),
                       ("b4.prep-perpatch-check-cmd", hook_cmd())):
        repo.git("config", key, value)
    return repo


def _series_commits(repo: KernelRepo, compatible: str) -> None:
    repo.commit("dt-bindings: misc: Add Nuvoton NPCM foo", "Describe the NPCM foo block.",
                {BINDING_PATH: BINDING})
    repo.commit("misc: npcm-foo: Add driver", "Add a driver for the NPCM foo block.",
                {"drivers/misc/npcm-foo.c": driver(compatible)})


def _rule_lines(texts: list[str]) -> list[tuple[str, str, str]]:
    """(severity, rule, text) of our findings for the two series-fact rules."""
    out = []
    for t in texts:
        m = FINDING.match(t)
        if m and m.group(2) in RULES:
            out.append((m.group(1), m.group(2), t))
    return out


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, timeout=600)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out
    return out


# --------------------------------------------------------------------------- b4 am (the lore cache)


def _am_sections(out: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if m := PATCH_LINE.match(line):
            current = sections.setdefault(m.group(1), [])
        elif (m := CHECK_LINE.match(line)) and current is not None:
            current.append(_strip_cmd(m.group(2)))
    return sections


def _b4_am(tmp: Path, compatible: str) -> dict[str, list[str]]:
    """Mail a 2-patch series to a fake lore, then `b4 am --check` it on the base tree."""
    from fakelore import FakeLore

    env = _env(tmp)
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    repo = _kernel(tmp, env)
    repo.branch("work", "base")
    _series_commits(repo, compatible)
    outdir = tmp / "sent"
    repo.git("format-patch", "-q", "--cover-letter", "--thread", "-o", str(outdir), "base..work")
    mbox = tmp / "series.mbox"
    mbox.write_bytes(b"".join(p.read_bytes() for p in sorted(outdir.glob("*.patch"))))
    cover_id = re.search(r"(?mi)^Message-ID:\s*<([^>]+)>", (sorted(outdir.glob("0000-*"))[0]).read_text()).group(1)
    repo.checkout("base")
    lore = FakeLore([[mbox]]).start()
    try:
        out = _run([str(B4), "-c", f"b4.midmask={lore.base}/%s", "am", "--check", "-o", str(tmp / "am"), cover_id],
                   repo.path, env)
    finally:
        lore.stop()
    assert lore.count("GET", "t.mbox.gz"), lore.requests
    return _am_sections(out)


def test_b4_am_hook_shows_a_typo_in_a_compatible(tmp_path):
    sections = _b4_am(tmp_path, "nuvotom,npcm-foo")
    found = _rule_lines(sections["misc: npcm-foo: Add driver"])
    assert {(sev, rule) for sev, rule, _ in found} == {("ERROR", "series/undocumented-compatible"),
                                                       ("WARNING", "series/vendor-prefix-undocumented")}, sections
    assert all('nuvotom' in text for _, _, text in found)


def test_b4_am_hook_is_quiet_when_the_series_documents_the_compatible(tmp_path):
    sections = _b4_am(tmp_path, "nuvoton,npcm-foo")
    assert len(sections) == 2
    for subject, lines in sections.items():
        assert not _rule_lines(lines), (subject, lines)


# --------------------------------------------------------------------------- b4 prep --check (the prep branch)


def _prep_check(tmp: Path, compatible: str) -> list[str]:
    env = _env(tmp)
    repo = _kernel(tmp, env)
    repo.git("checkout", "-q", "base")
    _run([str(B4), "prep", "-n", "npcm-foo"], repo.path, env)
    _series_commits(repo, compatible)
    return _run([str(B4), "prep", "--check"], repo.path, env).splitlines()


def test_b4_prep_check_hook_shows_a_typo_in_a_compatible(tmp_path):
    lines = [re.sub(r"^\s*\S*\u25cf\S*\s", "", ln) for ln in _prep_check(tmp_path, "nuvotom,npcm-foo")]
    texts = [ln.split(": ", 1)[1] for ln in lines if ln.startswith(Path(sys.executable).name + ": ")]
    found = _rule_lines(texts)
    assert ("ERROR", "series/undocumented-compatible") in {(s, r) for s, r, _ in found}, lines
    assert ("WARNING", "series/vendor-prefix-undocumented") in {(s, r) for s, r, _ in found}, lines


def test_b4_prep_check_hook_is_quiet_when_the_series_documents_the_compatible(tmp_path):
    lines = _prep_check(tmp_path, "nuvoton,npcm-foo")
    assert not [ln for ln in lines if any(r in ln for r in RULES)], lines
    assert any("Success: 2" in ln or "Success:" in ln for ln in lines), lines


# --------------------------------------------------------------------------- --series FILE, and nothing found


def _one_patch(tmp: Path, compatible: str) -> tuple[KernelRepo, bytes, Path]:
    env = _env(tmp)
    repo = _kernel(tmp, env)
    repo.branch("work", "base")
    _series_commits(repo, compatible)
    outdir = tmp / "sent"
    repo.git("format-patch", "-q", "--thread", "-o", str(outdir), "base..work")
    patches = sorted(outdir.glob("*.patch"))
    mbox = tmp / "series.mbox"
    mbox.write_bytes(b"".join(p.read_bytes() for p in patches))
    repo.checkout("base")
    return repo, patches[1].read_bytes(), mbox


def test_series_file_gives_the_hook_the_rest_of_the_series(tmp_path):
    repo, driver_patch, mbox = _one_patch(tmp_path, "nuvoton,npcm-foo")
    env = {"XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    # Nothing found: the binding may come in another patch, so only a cautious (hidden) info.
    alone = run_cli("check", "-", "--format", "terse", "--no-config", input=driver_patch, cwd=repo.path, env=env)
    assert alone.returncode == 0 and not _rule_lines(alone.stdout.decode().splitlines())
    info = run_cli("check", "-", "--format", "json", "--hook", "--no-config", "--fail-on", "none",
                   input=driver_patch, cwd=repo.path, env=env)
    assert '"series/undocumented-compatible"' in info.stdout.decode() and '"info"' in info.stdout.decode()
    # With the series: documented by its first patch, so nothing at all.
    both = run_cli("check", "-", "--format", "json", "--hook", "--series", str(mbox), "--no-config",
                   "--fail-on", "none", input=driver_patch, cwd=repo.path, env=env)
    assert both.returncode == 0, both.stderr.decode()
    assert '"series/undocumented-compatible"' not in both.stdout.decode()
    # A file that does not hold the patch is an input error, not a silent fallback.
    other = tmp_path / "other.mbox"
    other.write_bytes(sorted((tmp_path / "sent").glob("*.patch"))[0].read_bytes())  # the binding patch only
    bad = run_cli("check", "-", "--format", "terse", "--series", str(other), "--no-config",
                  input=driver_patch, cwd=repo.path, env=env)
    assert bad.returncode == 2 and b"--series" in bad.stderr and b"Traceback" not in bad.stderr


def test_series_file_shows_a_typo(tmp_path):
    repo, driver_patch, mbox = _one_patch(tmp_path, "nuvotom,npcm-foo")
    env = {"XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    proc = run_cli("check", "-", "--format", "terse", "--series", str(mbox), "--no-config",
                   input=driver_patch, cwd=repo.path, env=env)
    found = _rule_lines(proc.stdout.decode().splitlines())
    assert {(s, r) for s, r, _ in found} == {("ERROR", "series/undocumented-compatible"),
                                             ("WARNING", "series/vendor-prefix-undocumented")}


def test_the_prep_branch_is_found_and_a_plain_branch_is_not(tmp_path):
    """companions.find_series itself: the b4 prep branch holds the series; an ordinary branch does not."""
    from reviewtool.sources.companions import find_series
    from reviewtool.sources.mbox import load_bytes

    env = _env(tmp_path)
    repo = _kernel(tmp_path, env)
    repo.git("checkout", "-q", "base")
    _run([str(B4), "prep", "-n", "npcm-foo"], repo.path, env)
    _series_commits(repo, "nuvoton,npcm-foo")
    (single,) = load_bytes(repo.git("format-patch", "-1", "--stdout", "HEAD").encode() + b"\n", "stdin")
    found = find_series(single, cwd=str(repo.path))
    assert found is not None and [p.subject for p in found.patches] == [
        "dt-bindings: misc: Add Nuvoton NPCM foo", "misc: npcm-foo: Add driver"]
    repo.git("checkout", "-q", "-b", "plain")
    assert find_series(single, cwd=str(repo.path)) is None  # no b4 tracking on this branch
