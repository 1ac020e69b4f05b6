#!/usr/bin/env python3
"""Kernel-tree index time (cold and cached) and the check time of a 10-commit range.

Usage: python benchmarks/bench_tree.py [--tree PATH] [--bindings N] [--runs N]

Without --tree a kernel-sized tree is synthesised in a temporary git
repository: N YAML bindings (default 4,000) in ~60 class directories, 600
.txt bindings, and a vendor-prefixes.yaml with 1,400 entries.  With --tree
a real kernel checkout is indexed instead (the range check still uses the
synthetic tree, which has the branch).  Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CLASSES = [
    "clock", "iio/adc", "iio/dac", "i2c", "spi", "mfd", "regulator", "pinctrl", "gpio", "net", "net/dsa",
    "display/panel", "display/bridge", "sound", "input", "input/touchscreen", "leds", "mmc", "usb", "phy",
    "power/supply", "pwm", "rtc", "serial", "thermal", "timer", "watchdog", "mailbox", "misc", "hwmon",
    "interrupt-controller", "dma", "crypto", "media", "media/i2c", "memory-controllers", "nvmem", "pci",
    "remoteproc", "reset", "soc/qcom", "soc/ti", "sram", "iommu", "interconnect", "firmware", "bus",
    "arm", "riscv", "cpufreq", "devfreq", "edac", "fpga", "hwlock", "mtd", "mux", "nvme", "opp", "perf",
    "power", "ufs",
]
VENDORS = [f"v{i:04d}" for i in range(1400)]


def yaml_binding(rng: random.Random, cls: str, vendor: str, name: str) -> str:
    compats = [f"{vendor},{name}"] + [f"{vendor},{name}-v{k}" for k in range(rng.randint(0, 4))]
    if len(compats) == 1:
        compat = f"    const: {compats[0]}\n"
    else:
        compat = "    enum:\n" + "".join(f"      - {c}\n" for c in compats)
    props = "".join(
        f"\n  {vendor},prop-{k}:\n    $ref: /schemas/types.yaml#/definitions/uint32\n"
        f"    description: Setting number {k} of the block, in units the datasheet defines.\n"
        for k in range(rng.randint(2, 12))
    )
    return f"""\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/{cls}/{vendor},{name}.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: {vendor.upper()} {name} block

maintainers:
  - Some One <some.one@example.org>

description: |
  A synthetic binding with the shape and size of a real one: a compatible
  list, resources, vendor properties, required list and an example.

properties:
  compatible:
{compat}
  reg:
    maxItems: 1

  interrupts:
    maxItems: 1

  clocks:
    items:
      - description: bus clock
      - description: reference clock

  clock-names:
    items:
      - const: bus
      - const: ref
{props}
required:
  - compatible
  - reg

additionalProperties: false

examples:
  - |
    #include <dt-bindings/interrupt-controller/arm-gic.h>

    device@1000 {{
        compatible = "{compats[0]}";
        reg = <0x1000 0x100>;
        interrupts = <GIC_SPI 10 IRQ_TYPE_LEVEL_HIGH>;
        clocks = <&ccu 1>, <&ccu 2>;
        clock-names = "bus", "ref";
    }};
"""


def git(path: Path, *args: str, input: bytes | None = None) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.org",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.org", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", *args], cwd=path, check=True, capture_output=True, input=input,
                          env=env).stdout.decode().strip()


def synthesise(root: Path, n: int) -> None:
    rng = random.Random(42)
    b = root / "Documentation/devicetree/bindings"
    for i in range(n):
        cls = CLASSES[i % len(CLASSES)]
        vendor = VENDORS[i % len(VENDORS)]
        p = b / cls / f"{vendor},dev{i}.yaml"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(yaml_binding(rng, cls, vendor, f"dev{i}"))
    for i in range(600):
        p = b / CLASSES[i % len(CLASSES)] / f"legacy-{i}.txt"
        p.write_text(f"Legacy block {i}\n\nRequired properties:\n- compatible: \"{VENDORS[i]},legacy{i}\"\n"
                     "- reg: the register window\n")
    vp = ["patternProperties:\n"] + [f'  "^{v},.*":\n    description: Vendor {v}\n' for v in VENDORS]
    (b / "vendor-prefixes.yaml").write_text("".join(vp))
    (root / "MAINTAINERS").write_text("THE REST\nS:\tBuried alive in reporters\n")
    (root / "drivers/misc").mkdir(parents=True)
    (root / "arch/arm64/boot/dts/v0000").mkdir(parents=True)
    (root / "arch/arm64/boot/dts/v0000/board.dts").write_text("/dts-v1/;\n/ {\n\tsoc {\n\t};\n};\n")
    git(root, "init", "-q", "-b", "master")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "gc", "-q")  # a cloned kernel has packed objects, not 5,000 loose ones


def ten_commits(root: Path) -> None:
    """A realistic 10-patch series: 3 bindings, 5 driver patches, 2 DTS patches."""
    git(root, "checkout", "-q", "-b", "series")
    sob = "\n\nSigned-off-by: Bench <bench@example.org>\n"
    b = root / "Documentation/devicetree/bindings"
    rng = random.Random(7)
    for k in range(3):
        (b / "misc" / f"v0000,new{k}.yaml").write_text(yaml_binding(rng, "misc", "v0000", f"new{k}"))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-F", "-", input=f"dt-bindings: misc: Add v0000 new{k}\n\nThe new{k} block.{sob}".encode())
    drv = root / "drivers/misc/v0000-new.c"
    lines = ["// SPDX-License-Identifier: GPL-2.0", "#include <linux/platform_device.h>", ""]
    for k in range(5):
        lines += [f"static int new_helper{k}(struct device *dev)", "{",
                  f'\treturn device_property_read_u32(dev, "v0000,prop-{k}", NULL);', "}", ""]
        if k == 4:
            lines += ["static const struct of_device_id new_of_match[] = {",
                      *[f'\t{{ .compatible = "v0000,new{j}" }},' for j in range(3)], "\t{ }", "};",
                      "MODULE_DEVICE_TABLE(of, new_of_match);"]
        drv.write_text("\n".join(lines) + "\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-F", "-", input=f"misc: v0000: Add helper {k}\n\nStep {k} of the driver.{sob}".encode())
    dts = root / "arch/arm64/boot/dts/v0000/board.dts"
    for k in range(2):
        dts.write_text(dts.read_text().replace("\tsoc {\n", f"\tsoc {{\n\t\tnew@{k + 1}000 {{\n"
                                               f"\t\t\tcompatible = \"v0000,new{k}\";\n"
                                               f"\t\t\treg = <0x{k + 1}000 0x100>;\n\t\t}};\n"))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-F", "-", input=f"arm64: dts: v0000: Add new{k}\n\nThe board has it.{sob}".encode())


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_index(root: Path, runs: int, cache: Path) -> None:
    from reviewtool.tree import SourceTree

    os.environ["XDG_CACHE_HOME"] = str(cache)
    is_git = (root / ".git").exists()
    print(f"== index of {root} ({'git' if is_git else 'plain directory'})")
    colds, warms = [], []
    files = 0
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        tree = SourceTree(root)
        colds.append(timed(lambda: tree.at(None).documents("v0000,dev0")))
        files = int(tree.last_build["files"])
        warm = SourceTree(root)
        warms.append(timed(lambda: warm.at(None).documents("v0000,dev0")))
        assert warm.last_build["cached"]
    idx = SourceTree(root).at(None).index
    print(f"  files below bindings/: {files}; compatibles indexed: {len(idx.compatibles)}; "
          f"vendor prefixes: {len(idx.vendors)}")
    print(f"  cold (scan + write cache)   median {statistics.median(colds) * 1000:7.0f} ms  "
          f"(min {min(colds) * 1000:.0f} ms)")
    print(f"  warm (cache hit)            median {statistics.median(warms) * 1000:7.0f} ms  "
          f"(min {min(warms) * 1000:.0f} ms)")
    tree = SourceTree(root)
    view = tree.at(None)
    view.index  # noqa: B018 - warm the index
    t = timed(lambda: [view.documents(f"{v},nothing") for v in VENDORS[:1000]])
    print(f"  1,000 lookups of undocumented compatibles (pattern scan included): {t * 1000:.2f} ms")


def bench_check(root: Path, runs: int, cache: Path) -> None:
    print("== reviewtool check master..series (10 commits, whole process, --format json)")
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    cmd = [sys.executable, "-m", "reviewtool", "check", "master..series", "--format", "json", "--fail-on", "none"]
    for label, clear in (("cold tree cache", True), ("warm tree cache", False)):
        times = []
        for _ in range(runs):
            if clear:
                shutil.rmtree(cache, ignore_errors=True)
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, cwd=root, capture_output=True, env=env)
            times.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                print("  check failed:", proc.stderr.decode().strip())
                return
        print(f"  {label:<28} median {statistics.median(times) * 1000:7.0f} ms  (min {min(times) * 1000:.0f} ms)")

    print("== in-process split (warm tree cache)")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    old = os.getcwd()
    os.chdir(root)
    try:
        from reviewtool.catalog import load_catalog
        from reviewtool.engine import Options, check_series
        from reviewtool.sources.git import load
        from reviewtool.sources.resolve import LoadOptions
        from reviewtool.tree import SourceTree

        rules = load_catalog()
        t0 = time.perf_counter()
        (series,) = load("master..series", LoadOptions())
        t1 = time.perf_counter()
        view = SourceTree(root).at(series.base_commit)
        report = check_series(series, rules, Options(tree=view, tree_path=str(root)))
        t2 = time.perf_counter()
    finally:
        os.chdir(old)
    print(f"  git source (format-patch + parse, {len(series.patches)} patches)  {(t1 - t0) * 1000:7.0f} ms")
    print(f"  all rules ({len(rules)}), findings {len(report.findings)}           {(t2 - t1) * 1000:7.0f} ms")
    per_rule = []
    for rule in rules:
        t = timed(lambda: check_series(series, [rule], Options(tree=view, tree_path=str(root))))
        per_rule.append((t, rule.id))
    mine = ("series/dt-", "series/binding-after", "series/dts-", "series/fixup", "series/undocumented",
            "series/vendor", "driver/", "dts/")
    print("  slowest rules run alone (each with a cold per-run cache):")
    for t, rid in sorted(per_rule, reverse=True)[:6]:
        print(f"    {rid:<40} {t * 1000:7.0f} ms")
    print(f"  tree-aware, series, driver and DTS rules together: "
          f"{sum(t for t, rid in per_rule if rid.startswith(mine)) * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tree", help="index this real kernel tree as well")
    ap.add_argument("--bindings", type=int, default=4000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rt-bench-tree-") as tmp:
        root = Path(tmp) / "linux"
        root.mkdir()
        t = timed(lambda: synthesise(root, args.bindings))
        print(f"(synthesised {args.bindings} YAML + 600 .txt bindings and committed them in {t:.1f} s)")
        bench_index(root, args.runs, Path(tmp) / "cache")
        plain = Path(tmp) / "plain"
        shutil.copytree(root, plain, ignore=shutil.ignore_patterns(".git"))
        bench_index(plain, args.runs, Path(tmp) / "cache-plain")
        if args.tree:
            bench_index(Path(args.tree), args.runs, Path(tmp) / "cache-real")
        ten_commits(root)
        bench_check(root, args.runs, Path(tmp) / "cache")


if __name__ == "__main__":
    main()
