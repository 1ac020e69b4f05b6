"""A miniature kernel tree in a temporary git repository, for git-source tests.

It has what the tree-aware rules look at: a few bindings (YAML and .txt),
vendor-prefixes.yaml, a driver directory, arm64 DTS files and MAINTAINERS.
Identity is set per repository (never in the global config) and commit
dates step one second per git call, so commits are ordered and distinct.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

AUTHOR = "Ada Example"
EMAIL = "ada@example.org"
SOB = f"Signed-off-by: {AUTHOR} <{EMAIL}>"

VENDOR_PREFIXES = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/vendor-prefixes.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: Devicetree Vendor Prefix Registry

maintainers:
  - Rob Herring <robh@kernel.org>

select: true

properties: {}

patternProperties:
  # Keep list in alphabetical order.
  "^(simple-audio-card|st-plgpio|st-spics|ts),.*": true
  "^abc,.*":
    description: ABC Incorporated
  "^acme,.*":
    description: ACME Corporation

additionalProperties: false
"""

EXISTING_BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/misc/acme,existing.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#

title: ACME existing block

maintainers:
  - Ada Example <ada@example.org>

properties:
  compatible:
    oneOf:
      - const: acme,existing
      - items:
          - enum:
              - acme,existing-v2
          - const: acme,existing

  reg:
    maxItems: 1

required:
  - compatible
  - reg

additionalProperties: false

examples:
  - |
    existing@1000 {
        compatible = "acme,existing";
        reg = <0x1000 0x100>;
    };
"""

TXT_BINDING = """\
ACME legacy timer

Required properties:
- compatible: should be "acme,legacy-timer"
- reg: register region
"""

DTSI = """\
// SPDX-License-Identifier: GPL-2.0
/ {
	#address-cells = <2>;
	#size-cells = <2>;

	soc {
		compatible = "simple-bus";
		#address-cells = <1>;
		#size-cells = <1>;
		ranges = <0x0 0x0 0x0 0x40000000>;

		existing@1000 {
			compatible = "acme,existing";
			reg = <0x1000 0x100>;
		};
	};
};
"""

DRIVER_KCONFIG = """\
# SPDX-License-Identifier: GPL-2.0
menu "Misc devices"

config ACME_EXISTING
	tristate "ACME existing block support"
	depends on ARCH_ACME || COMPILE_TEST
	help
	  Support for the existing block on ACME A1 SoCs, which
	  provides a small mailbox used by the boot firmware.

	  To compile this driver as a module, choose M here: the
	  module will be called acme-existing.

endmenu
"""

DRIVER_MAKEFILE = """\
# SPDX-License-Identifier: GPL-2.0
obj-$(CONFIG_ACME_EXISTING) += acme-existing.o
"""

MAINTAINERS = """\
ACME EXISTING DRIVER
M:	Ada Example <ada@example.org>
S:	Maintained
F:	drivers/misc/acme-existing.c
"""

BASE_FILES = {
    "Documentation/devicetree/bindings/vendor-prefixes.yaml": VENDOR_PREFIXES,
    "Documentation/devicetree/bindings/misc/acme,existing.yaml": EXISTING_BINDING,
    "Documentation/devicetree/bindings/timer/acme-legacy-timer.txt": TXT_BINDING,
    "Documentation/devicetree/bindings/mailbox/mailbox.txt": "Common mailbox binding\n",
    "arch/arm64/boot/dts/acme/acme-a1.dtsi": DTSI,
    "drivers/misc/Kconfig": DRIVER_KCONFIG,
    "drivers/misc/Makefile": DRIVER_MAKEFILE,
    "drivers/misc/acme-existing.c": "// SPDX-License-Identifier: GPL-2.0\n",
    "MAINTAINERS": MAINTAINERS,
}


class KernelRepo:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._tick = 0
        # Recent dates: b4 only looks for its cover letter in the last year.
        self._start = int(time.time()) - 3600
        self.git("init", "-q", "-b", "master")
        self.git("config", "user.name", AUTHOR)
        self.git("config", "user.email", EMAIL)
        self.git("config", "commit.gpgsign", "false")
        self.base = self.commit("Linux 6.99", "The base of every test branch.", BASE_FILES)

    def env(self) -> dict[str, str]:
        self._tick += 1
        date = f"@{self._start + self._tick} +0000"
        env = dict(os.environ)
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_CONFIG_NOSYSTEM="1")
        return env

    def git(self, *args: str, input: bytes | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, capture_output=True, input=input, env=self.env())
        if proc.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode()}")
        return proc.stdout.decode().strip()

    def write(self, rel: str, text: str) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")

    def commit(self, subject: str, body: str = "", files: dict[str, str] | None = None,
               remove: tuple[str, ...] = (), signoff: bool = True, allow_empty: bool = False) -> str:
        for rel, text in (files or {}).items():
            self.write(rel, text)
            self.git("add", rel)
        for rel in remove:
            self.git("rm", "-q", rel)
        message = subject + "\n\n" + (body.strip() + "\n\n" if body.strip() else "") + (SOB + "\n" if signoff else "")
        args = ["commit", "-q", "-F", "-"] + (["--allow-empty"] if allow_empty else [])
        self.git(*args, input=message.encode())
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str, start: str | None = None) -> None:
        self.git("checkout", "-q", "-b", name, start or self.base)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")
