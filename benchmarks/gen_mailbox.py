#!/usr/bin/env python3
"""Generate a large, realistic list-archive mailbox for benchmarking triage.

Usage: python benchmarks/gen_mailbox.py OUT.mbox [--series 250] [--min-patches 1000] [--seed 1] [--corrupt 1]

What it writes (mboxrd, every thread interleaved by date as in an archive
export): new device bindings (schema YAML of 50-200 lines, some with the
mistakes reviewers keep pointing out), the matching drivers, Kconfig and
Makefile hunks, DTS nodes, MAINTAINERS entries, driver-only fixes, DTS-only
series, cover letters (with change-id and base-commit for b4-sent series),
later revisions (new thread, sometimes sent In-Reply-To the old cover letter),
and replies that quote hunks and give trailers or bot reports.  ``--corrupt
N`` truncates a hunk in N series so each must show up as one errored row.

The same seed gives byte-identical output.  All names are made up.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

VENDORS = ["acme", "zentek", "hollis", "orbix", "quorra", "vantis", "meridia", "kestrel", "lumora", "tessel",
           "corvid", "brightsilicon", "nordal", "pyxis", "sarnia"]
DEVICES = [("pwm", "pwm", "PWM controller"), ("i2c", "i2c", "I2C controller"), ("spi", "spi", "SPI controller"),
           ("gpio", "gpio", "GPIO controller"), ("iio/adc", "iio", "ADC"), ("hwmon", "hwmon", "temperature sensor"),
           ("leds", "leds", "LED controller"), ("mailbox", "mailbox", "mailbox"), ("rtc", "rtc", "real-time clock"),
           ("watchdog", "watchdog", "watchdog timer"), ("clock", "clk", "clock controller"),
           ("regulator", "regulator", "voltage regulator"), ("input", "input", "touch controller"),
           ("phy", "phy", "USB PHY"), ("thermal", "thermal", "thermal sensor")]
FIRST = ["Alice", "Bogdan", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hiro", "Ines", "Jonas", "Keiko", "Luca",
         "Maya", "Nikhil", "Olga", "Pavel", "Quinn", "Rosa", "Sanjay", "Tereza", "Uma", "Viktor", "Wen", "Yara"]
LAST = ["Moreau", "Ivanova", "Okafor", "Lindqvist", "Tanaka", "Kowalski", "Haddad", "Silva", "Novak", "Brandt",
        "Mehta", "Castillo", "Duarte", "Fischer", "Rahman", "Sato", "Varga", "Weber", "Young", "Zhou"]
REVIEWERS = [("Rhea Harlow", "rhea@kernel.org"), ("Kasimir Kovac", "kasimir@kernel.org"),
             ("Corin Doyle", "corin@kernel.org"), ("Bram Lenz", "bram.lenz@example.org")]
BOT = ("DT bot", "dt-bot@kernel.org")
WORDS = ("the controller exposes a small register window and raises one interrupt when a transfer completes; "
         "firmware configures the clocks before the kernel starts and the block keeps its state across suspend "
         "so only the enable bit is restored on resume and the channel count depends on the SoC variant").split()

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


@dataclass
class Mail:
    date: datetime
    msgid: str
    subject: str
    sender: tuple[str, str]
    body: str
    to: list[str] = field(default_factory=list)
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    charset_b64: bool = False


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    text = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(sentences))
    out, line = [], ""
    for w in text.split():
        if len(line) + len(w) + 1 > 72:
            out.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------
# File contents


def binding_yaml(rng: random.Random, vendor: str, dev: str, path: str, title: str, author, mistakes: set[str]) -> str:
    compat = f"{vendor},{dev}"
    lines = ["# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)", "%YAML 1.2", "---"]
    sid = path.replace("Documentation/devicetree/bindings/", "")
    if "bad-id" in mistakes:
        sid = sid.replace(dev, dev + "-ctrl")
    lines += [f"$id: http://devicetree.org/schemas/{sid}#", "$schema: http://devicetree.org/meta-schemas/core.yaml#",
              "", f"title: {vendor.capitalize()} {title}", "", "maintainers:", f"  - {author[0]} <{author[1]}>", "",
              "description: |"]
    for ln in paragraph(rng, rng.randint(2, 5)).splitlines():
        lines.append("  " + ln)
    lines += ["", "properties:", "  compatible:"]
    variants = rng.randint(1, 3)
    if variants == 1:
        lines.append(f"    const: {compat}")
    else:
        lines.append("    enum:")
        for i in range(variants):
            lines.append(f"      - {vendor},{dev}{'' if i == 0 else '-v' + str(i + 1)}")
    lines += ["", "  reg:"]
    if "reg-type" in mistakes:
        lines += ["    type: array", "    items:", "      type: integer"]
    else:
        lines.append("    maxItems: 1")
    lines += ["", "  interrupts:", "    maxItems: 1", ""]
    nclk = rng.randint(0, 3)
    if nclk:
        lines += ["  clocks:", "    items:"] + [f"      - description: {n} clock" for n in ["bus", "core", "ref"][:nclk]]
        lines += ["", "  clock-names:", "    items:"] + [f"      - const: {n}" for n in ["bus", "core", "ref"][:nclk]]
        lines.append("")
    extra = rng.randint(2, 12)
    for i in range(extra):
        name = f"{vendor},{rng.choice(['fifo-depth', 'channels', 'timeout-ms', 'mode', 'drive-strength', 'delay-us'])}{i}"
        lines += [f"  {name}:", f"    $ref: /schemas/types.yaml#/definitions/uint32",
                  f"    description: {sentence(rng, rng.randint(5, 10))}",
                  f"    minimum: {rng.randint(0, 2)}", f"    maximum: {rng.choice([7, 15, 255, 1000])}",
                  f"    default: {rng.randint(2, 7)}", ""]
    if rng.random() < 0.5:
        lines += ["  resets:", "    maxItems: 1", "", "  power-domains:", "    maxItems: 1", ""]
    lines += ["required:", "  - compatible", "  - reg", "  - interrupts"]
    if nclk:
        lines += ["  - clocks", "  - clock-names"]
    lines.append("")
    if "no-additional" not in mistakes:
        lines += ["additionalProperties: false", ""]
    lines += ["examples:", "  - |", "    #include <dt-bindings/interrupt-controller/arm-gic.h>", ""]
    node = dev.split("/")[-1]
    addr = rng.randint(0x1000, 0xfff0) * 0x1000
    lines += [f"    {node}@{addr:x} {{", f'        compatible = "{compat}";', f"        reg = <0x{addr:x} 0x1000>;",
              f"        interrupts = <GIC_SPI {rng.randint(10, 300)} IRQ_TYPE_LEVEL_HIGH>;"]
    if nclk:
        lines.append("        clocks = " + ", ".join(f"<&clk {rng.randint(1, 90)}>" for _ in range(nclk)) + ";")
        lines.append("        clock-names = " + ", ".join(f'"{n}"' for n in ["bus", "core", "ref"][:nclk]) + ";")
    lines += ["    };", "..."]
    return "\n".join(lines) + "\n"


def driver_c(rng: random.Random, vendor: str, dev: str, subsys: str, title: str) -> str:
    name = f"{vendor}_{dev.split('/')[-1]}"
    regs = [f"#define {name.upper()}_{r}\t0x{i * 4:02x}" for i, r in
            enumerate(["CTRL", "STATUS", "IRQ_EN", "IRQ_STAT", "CFG0", "CFG1", "DATA", "FIFO", "VERSION", "DIV"])]
    lines = ["// SPDX-License-Identifier: GPL-2.0-only", "/*", f" * {vendor.capitalize()} {title} driver", " *",
             f" * Copyright (C) 2026 {vendor.capitalize()} Inc.", " */", "", "#include <linux/clk.h>",
             "#include <linux/interrupt.h>", "#include <linux/io.h>", "#include <linux/module.h>",
             "#include <linux/of.h>", "#include <linux/platform_device.h>", ""] + regs + [
             "", f"struct {name} {{", "\tvoid __iomem *base;", "\tstruct clk *clk;", "\tstruct device *dev;",
             "\tspinlock_t lock;", "\tu32 cfg;", "};", ""]
    for fn in range(rng.randint(3, 9)):
        lines += [f"static int {name}_op{fn}(struct {name} *priv, u32 val)", "{", "\tunsigned long flags;", "\tu32 reg;",
                  "", "\tspin_lock_irqsave(&priv->lock, flags);",
                  f"\treg = readl(priv->base + {name.upper()}_CFG{fn % 2});", f"\treg &= ~GENMASK({fn + 3}, {fn});",
                  f"\treg |= FIELD_PREP(GENMASK({fn + 3}, {fn}), val);",
                  f"\twritel(reg, priv->base + {name.upper()}_CFG{fn % 2});",
                  "\tspin_unlock_irqrestore(&priv->lock, flags);", "", "\treturn 0;", "}", ""]
    lines += [f"static irqreturn_t {name}_irq(int irq, void *data)", "{", f"\tstruct {name} *priv = data;",
              f"\tu32 stat = readl(priv->base + {name.upper()}_IRQ_STAT);", "", "\tif (!stat)", "\t\treturn IRQ_NONE;",
              f"\twritel(stat, priv->base + {name.upper()}_IRQ_STAT);", "\treturn IRQ_HANDLED;", "}", "",
              f"static int {name}_probe(struct platform_device *pdev)", "{", f"\tstruct {name} *priv;",
              "\tint irq, ret;", "", "\tpriv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);", "\tif (!priv)",
              "\t\treturn -ENOMEM;", "", "\tpriv->base = devm_platform_ioremap_resource(pdev, 0);",
              "\tif (IS_ERR(priv->base))", "\t\treturn PTR_ERR(priv->base);", "",
              "\tpriv->clk = devm_clk_get_enabled(&pdev->dev, NULL);", "\tif (IS_ERR(priv->clk))",
              '\t\treturn dev_err_probe(&pdev->dev, PTR_ERR(priv->clk), "no clock\\n");', "",
              "\tirq = platform_get_irq(pdev, 0);", "\tif (irq < 0)", "\t\treturn irq;", "",
              f"\tret = devm_request_irq(&pdev->dev, irq, {name}_irq, 0, dev_name(&pdev->dev), priv);",
              "\tif (ret)", "\t\treturn ret;", "", "\tspin_lock_init(&priv->lock);", "\tpriv->dev = &pdev->dev;",
              "\tplatform_set_drvdata(pdev, priv);", "\treturn 0;", "}", "",
              f"static const struct of_device_id {name}_of_match[] = {{",
              f'\t{{ .compatible = "{vendor},{dev.split("/")[-1]}" }},', "\t{ }", "};",
              f"MODULE_DEVICE_TABLE(of, {name}_of_match);", "", f"static struct platform_driver {name}_driver = {{",
              f"\t.probe = {name}_probe,", "\t.driver = {", f'\t\t.name = "{name}",',
              f"\t\t.of_match_table = {name}_of_match,", "\t},", "};", f"module_platform_driver({name}_driver);", "",
              f'MODULE_DESCRIPTION("{vendor.capitalize()} {title} driver");', 'MODULE_LICENSE("GPL");']
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Diffs


def blob(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(12))


def diff_add(rng: random.Random, path: str, text: str) -> str:
    lines = text.splitlines()
    body = "\n".join("+" + ln for ln in lines)
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 000000000000..{blob(rng)}\n"
            f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}\n")


def diff_remove(rng: random.Random, path: str, text: str) -> str:
    lines = text.splitlines()
    body = "\n".join("-" + ln for ln in lines)
    return (f"diff --git a/{path} b/{path}\ndeleted file mode 100644\nindex {blob(rng)}..000000000000\n"
            f"--- a/{path}\n+++ /dev/null\n@@ -1,{len(lines)} +0,0 @@\n{body}\n")


def diff_modify(rng: random.Random, path: str, added: list[str], removed: int = 0, section: str = "") -> str:
    """A hunk inserting ``added`` (and dropping ``removed`` lines) amid 3+3 context lines."""
    start = rng.randint(10, 400)
    before = [f"\t/* existing line {start + i} */" if path.endswith(".c") else f"existing {start + i}" for i in range(3)]
    gone = [f"\told_call_{start}_{i}();" if path.endswith(".c") else f"old entry {i}" for i in range(removed)]
    after = [f"\t/* existing line {start + 3 + removed + i} */" if path.endswith(".c") else
             f"existing {start + 3 + removed + i}" for i in range(3)]
    old_len = 6 + removed
    new_len = 6 + len(added)
    hunk = [" " + ln for ln in before] + ["-" + ln for ln in gone] + ["+" + ln for ln in added] + \
           [" " + ln for ln in after]
    sec = f" {section}" if section else ""
    return (f"diff --git a/{path} b/{path}\nindex {blob(rng)}..{blob(rng)} 100644\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -{start},{old_len} +{start},{new_len} @@{sec}\n" + "\n".join(hunk) + "\n")


def diffstat(diffs: list[str]) -> str:
    rows = []
    for d in diffs:
        path = re.search(r"^diff --git a/(\S+)", d, re.M).group(1)
        plus = sum(1 for ln in d.splitlines() if ln.startswith("+") and not ln.startswith("+++"))
        minus = sum(1 for ln in d.splitlines() if ln.startswith("-") and not ln.startswith("---"))
        rows.append(f" {path} | {plus + minus} {'+' * min(plus, 40)}{'-' * min(minus, 20)}")
    return "\n".join(rows) + f"\n {len(diffs)} files changed"


# --------------------------------------------------------------------------
# Series


@dataclass
class PatchSpec:
    subject: str
    message: str
    diffs: list[str]
    quotable: list[str]  # added lines a reviewer may quote


def new_device_series(rng: random.Random, vendor: str, dev: tuple, author, mistakes: set[str]) -> list[PatchSpec]:
    dpath, subsys, title = dev
    node = dpath.split("/")[-1]
    ypath = f"Documentation/devicetree/bindings/{dpath}/{vendor},{node}.yaml"
    yaml_text = binding_yaml(rng, vendor, node, ypath, title, author, mistakes)
    bsubj = (f"dt-bindings: {dpath.replace('/', ': ')}: Add {vendor.capitalize()} {title}"
             if "subject" not in mistakes else f"dt-bindings: Add {vendor} {node} driver binding")
    bmsg = paragraph(rng, 2) + f"\n\nThe {title} is found on {vendor.capitalize()} SoCs."
    if "driver-words" in mistakes:
        bmsg += "\n\nThis binding is needed so the Linux driver can probe the device from userspace."
    specs = [PatchSpec(bsubj, bmsg, [diff_add(rng, ypath, yaml_text)],
                       [ln for ln in yaml_text.splitlines() if ln.strip()][8:30])]
    cpath = f"drivers/{subsys}/{vendor}-{node}.c"
    code = driver_c(rng, vendor, dpath, subsys, title)
    kcfg = [f"config {subsys.upper()}_{vendor.upper()}", f'\ttristate "{vendor.capitalize()} {title} support"',
            "\tdepends on ARCH_" + vendor.upper() + " || COMPILE_TEST", "\thelp",
            f"\t  Say Y here to enable the {vendor.capitalize()} {title}.", ""]
    specs.append(PatchSpec(f"{subsys}: {vendor}: Add {title} driver", paragraph(rng, rng.randint(1, 3)),
                           [diff_modify(rng, f"drivers/{subsys}/Kconfig", kcfg),
                            diff_modify(rng, f"drivers/{subsys}/Makefile",
                                        [f"obj-$(CONFIG_{subsys.upper()}_{vendor.upper()})\t+= {vendor}-{node}.o"]),
                            diff_add(rng, cpath, code)],
                           code.splitlines()[40:70]))
    if rng.random() < 0.7:
        soc = f"{vendor}{rng.randint(1, 9)}{rng.choice('abcx')}"
        addr = rng.randint(0x1000, 0xfff0) * 0x1000
        dts = [f"\t\t{node}{rng.randint(0, 3)}: {node}@{addr:x} {{", f'\t\t\tcompatible = "{vendor},{node}";',
               f"\t\t\treg = <0x0 0x{addr:x} 0x0 0x1000>;",
               f"\t\t\tinterrupts = <GIC_SPI {rng.randint(10, 300)} IRQ_TYPE_LEVEL_HIGH>;",
               '\t\t\tstatus = "disabled";', "\t\t};", ""]
        specs.append(PatchSpec(f"arm64: dts: {vendor}: {soc}: Add {title} node", paragraph(rng, 1),
                               [diff_modify(rng, f"arch/arm64/boot/dts/{vendor}/{soc}.dtsi", dts, section="soc {")],
                               dts[:4]))
    if rng.random() < 0.5:
        entry = [f"{vendor.upper()} {title.upper()} DRIVER", f"M:\t{author[0]} <{author[1]}>", "S:\tMaintained",
                 f"F:\t{ypath}", f"F:\t{cpath}", ""]
        specs.append(PatchSpec(f"MAINTAINERS: Add entry for {vendor.capitalize()} {title}", "Add myself as maintainer.",
                               [diff_modify(rng, "MAINTAINERS", entry)], entry[:3]))
    return specs


def fix_series(rng: random.Random, vendor: str, dev: tuple) -> list[PatchSpec]:
    dpath, subsys, title = dev
    specs = []
    for i in range(rng.randint(1, 4)):
        path = f"drivers/{subsys}/{vendor}-{dpath.split('/')[-1]}.c"
        added = [f"\tif (priv->cfg & BIT({i}))", f"\t\treturn -EBUSY;", f"\tpriv->cfg |= BIT({i + 4});"]
        specs.append(PatchSpec(
            f"{subsys}: {vendor}: {rng.choice(['Fix', 'Handle', 'Drop', 'Use'])} "
            f"{rng.choice(['busy flag', 'error path', 'clock leak', 'register mask', 'suspend state'])}"
            + (f" {i + 1}" if i else ""),
            paragraph(rng, rng.randint(1, 2)) + ("\n\nFixes: 0123456789ab (\"old commit\")" if rng.random() < 0.4 else ""),
            [diff_modify(rng, path, added, removed=rng.randint(0, 2), section=f"static int {vendor}_probe(")],
            added))
    return specs


def dts_series(rng: random.Random, vendor: str) -> list[PatchSpec]:
    specs = []
    board = f"{vendor}-{rng.choice(['evb', 'devkit', 'som', 'tablet'])}{rng.randint(1, 5)}"
    for i in range(rng.randint(1, 4)):
        what = rng.choice(["leds", "regulators", "ethernet", "sdhci", "usb", "pcie", "thermal zones", "audio"])
        added = [f"&{what.split()[0]}{i} {{", '\tstatus = "okay";', f"\t{vendor},mode = <{i}>;", "};", ""]
        specs.append(PatchSpec(f"arm64: dts: {vendor}: {board}: Enable {what}", paragraph(rng, 1),
                               [diff_modify(rng, f"arch/arm64/boot/dts/{vendor}/{board}.dts", added)], added))
    return specs


def conversion_series(rng: random.Random, vendor: str, dev: tuple, author) -> list[PatchSpec]:
    dpath, _, title = dev
    node = dpath.split("/")[-1]
    txt = "\n".join([f"{vendor.capitalize()} {title}", "", "Required properties:",
                     f'- compatible: should be "{vendor},{node}"', "- reg: register range",
                     "- interrupts: one interrupt", ""]) + "\n"
    ypath = f"Documentation/devicetree/bindings/{dpath}/{vendor},{node}.yaml"
    yaml_text = binding_yaml(rng, vendor, node, ypath, title, author, set())
    return [PatchSpec(f"dt-bindings: {dpath.replace('/', ': ')}: Convert {vendor},{node} to DT schema",
                      "Convert the text binding to DT schema format.",
                      [diff_remove(rng, f"Documentation/devicetree/bindings/{dpath}/{vendor}-{node}.txt", txt),
                       diff_add(rng, ypath, yaml_text)],
                      yaml_text.splitlines()[10:25])]


# --------------------------------------------------------------------------
# Mail assembly


class Builder:
    def __init__(self, seed: int, corrupt: int) -> None:
        self.rng = random.Random(seed)
        self.mails: list[Mail] = []
        self.corrupt_left = corrupt
        self.counts = {"series": 0, "revisions": 0, "patches": 0, "covers": 0, "replies": 0}

    def msgid(self, when: datetime, author, n: int, stamp: int) -> str:
        return f"{when:%Y%m%d%H%M%S}.{stamp}-{n}-{author[1].split('@')[0]}@{author[1].split('@')[1]}"

    def series(self, index: int) -> None:
        rng = self.rng
        vendor = rng.choice(VENDORS)
        dev = rng.choice(DEVICES)
        author = (f"{rng.choice(FIRST)} {rng.choice(LAST)}", "")
        author = (author[0], f"{author[0].split()[0].lower()}.{author[0].split()[1].lower()}@{vendor}.example.com")
        kind = rng.choices(["new", "fix", "dts", "convert"], weights=[5, 3, 2, 1])[0]
        mistakes = set(rng.sample(["subject", "driver-words", "reg-type", "no-additional", "bad-id"],
                                  k=rng.choice([0, 0, 1, 1, 2])))
        if kind == "new":
            specs = new_device_series(rng, vendor, dev, author, mistakes)
        elif kind == "fix":
            specs = fix_series(rng, vendor, dev)
        elif kind == "dts":
            specs = dts_series(rng, vendor)
        else:
            specs = conversion_series(rng, vendor, dev, author)
        revisions = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        first_rev = rng.choice([1, 1, 1, 2, 4])
        change_id = f"20260301-{vendor}-{dev[1]}-{rng.randint(0, 16**12):012x}" if rng.random() < 0.5 else None
        base = blob(rng) + blob(rng) + blob(rng)[:16]
        when = START + timedelta(minutes=rng.randint(0, 7 * 24 * 60))
        prev_cover = None
        self.counts["series"] += 1
        corrupt_here = self.corrupt_left > 0 and index % 37 == 5
        if corrupt_here:
            self.corrupt_left -= 1
        for r in range(revisions):
            rev = first_rev + r
            prev_cover = self.revision(specs, rev, author, when, change_id, base, prev_cover,
                                       corrupt=corrupt_here and r == revisions - 1)
            when += timedelta(hours=rng.randint(20, 60))

    def revision(self, specs, rev, author, when, change_id, base, prev_cover, corrupt=False):
        rng = self.rng
        self.counts["revisions"] += 1
        n = len(specs)
        stamp = rng.randint(1000, 99999)
        vtag = f" v{rev}" if rev > 1 else ""
        use_cover = n > 1 or rng.random() < 0.3
        to = [f"{rv[1]}" for rv in REVIEWERS[:3]] + ["devicetree@vger.kernel.org", "linux-kernel@vger.kernel.org"]
        cover_id = None
        mails_before = len(self.mails)
        if use_cover:
            cover_id = self.msgid(when, author, 0, stamp)
            changes = ""
            if rev > 1 and rng.random() < 0.8:
                changes = f"\nChanges in v{rev}:\n- " + "\n- ".join(sentence(rng, 6) for _ in range(rng.randint(1, 4)))
                if prev_cover:
                    changes += f"\n- Link to v{rev - 1}: https://lore.kernel.org/r/{prev_cover}"
                changes += "\n"
            tail = f"\n---\nbase-commit: {base}\n" + (f"change-id: {change_id}\n" if change_id else "")
            body = (paragraph(rng, rng.randint(2, 4)) + "\n" + changes + "\n" + f"{author[0]} ({n}):\n" +
                    "".join(f"  {s.subject}\n" for s in specs) + tail + f"\nBest regards,\n-- \n{author[0]} <{author[1]}>\n")
            irt = prev_cover if (prev_cover and rng.random() < 0.25) else None
            self.mails.append(Mail(when, cover_id, f"[PATCH{vtag} 0/{n}] {specs[0].subject.split(': ')[-1]}",
                                   author, body, to, irt, [irt] if irt else []))
            self.counts["covers"] += 1
        patch_ids = []
        for i, spec in enumerate(specs, 1):
            pid = self.msgid(when, author, i, stamp)
            patch_ids.append(pid)
            counter = f" {i}/{n}" if n > 1 or use_cover else ""
            trailers = "" if (rng.random() < 0.04) else f"\nSigned-off-by: {author[0]} <{author[1]}>"
            notes = ""
            if rev > 1 and not use_cover and rng.random() < 0.7:
                notes = f"Changes in v{rev}:\n- {sentence(rng, 7)}\n\n"
            diff_text = "".join(spec.diffs)
            if corrupt and i == 1:
                # Cut the last hunk short: the header promises more lines than follow.
                lines = diff_text.splitlines()
                diff_text = "\n".join(lines[:-4]) + "\n"
            body = (spec.message + "\n" + trailers + "\n---\n" + notes + diffstat(spec.diffs) + "\n\n" + diff_text +
                    "-- \n2.43.0\n")
            refs = [cover_id] if cover_id else ([patch_ids[0]] if i > 1 else [])
            self.mails.append(Mail(when + timedelta(seconds=i), pid, f"[PATCH{vtag}{counter}] {spec.subject}",
                                   author, body, to, refs[-1] if refs else None, refs))
            self.counts["patches"] += 1
        # Replies: reviews quoting hunks, trailers, bot reports.
        targets = [(pid, spec) for pid, spec in zip(patch_ids, specs)]
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
            pid, spec = rng.choice(targets)
            idx = patch_ids.index(pid)
            reviewer = rng.choice(REVIEWERS + [BOT])
            rwhen = when + timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
            subject = "Re: " + self.mails[mails_before + (1 if use_cover else 0) + idx].subject
            if reviewer == BOT:
                body = (f"On {format_datetime(when)}, {author[0]} wrote:\n> {spec.subject}\n\n"
                        "My bot found errors running 'make dt_binding_check' on your patch:\n\n"
                        f"yamllint warnings/errors:\n./{spec.diffs[0].split()[2][2:]}:12:5: [error] wrong indentation\n")
            else:
                quote = rng.sample(spec.quotable, k=min(len(spec.quotable), rng.randint(2, 6))) if spec.quotable else []
                q = "\n".join("> +" + ln for ln in quote)
                body = (f"On {format_datetime(when)}, {author[0]} wrote:\n{q}\n\n{sentence(rng, rng.randint(6, 14))}\n\n")
                if rng.random() < 0.5:
                    body += f"{rng.choice(['Reviewed-by', 'Acked-by'])}: {reviewer[0]} <{reviewer[1]}>\n"
            refs = ([cover_id] if cover_id else []) + [pid]
            rid = f"{rwhen:%Y%m%d%H%M%S}-reply-{rng.randint(0, 16**8):08x}@{reviewer[1].split('@')[1]}"
            self.mails.append(Mail(rwhen, rid, subject, reviewer, body, [author[1]], pid, refs,
                                   charset_b64=rng.random() < 0.1))
            self.counts["replies"] += 1
        return cover_id or (patch_ids[0] if patch_ids else None)

    def write(self, out) -> None:
        import base64

        for m in sorted(self.mails, key=lambda m: (m.date, m.msgid)):
            headers = [f"From: {m.sender[0]} <{m.sender[1]}>", f"Date: {format_datetime(m.date)}",
                       f"Subject: {m.subject}", f"Message-ID: <{m.msgid}>", f"To: {', '.join(m.to)}"]
            if m.in_reply_to:
                headers.append(f"In-Reply-To: <{m.in_reply_to}>")
            if m.references:
                headers.append("References: " + " ".join(f"<{r}>" for r in m.references))
            headers += ["MIME-Version: 1.0", "List-Id: <devicetree.vger.kernel.org>"]
            if m.charset_b64:
                headers += ['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64"]
                body = base64.encodebytes(m.body.encode()).decode()
            else:
                headers += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit"]
                body = m.body
            body = re.sub(r"(?m)^(>*From )", r">\1", body)
            out.write(("From mboxrd@z Thu Jan  1 00:00:00 1970\n" + "\n".join(headers) + "\n\n" + body +
                       ("" if body.endswith("\n") else "\n") + "\n").encode())


def generate(out_path: str, series: int = 250, seed: int = 1, corrupt: int = 0,
             min_patches: int = 0) -> dict[str, int]:
    """Write the mailbox; at least ``series`` families and ``min_patches`` patch mails."""
    b = Builder(seed, corrupt)
    i = 0
    while i < series or b.counts["patches"] < min_patches:
        b.series(i)
        i += 1
    with open(out_path, "wb") as fh:
        b.write(fh)
    b.counts["messages"] = len(b.mails)
    return b.counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--series", type=int, default=250, help="series families (default 250)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-patches", type=int, default=1000, help="add series until there are this many patches")
    ap.add_argument("--corrupt", type=int, default=0, help="series whose newest revision has a truncated diff")
    args = ap.parse_args()
    counts = generate(args.out, args.series, args.seed, args.corrupt, args.min_patches)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
