"""Checks on binding files as files: licence line and the like."""

from __future__ import annotations

import re

from ..classify import BINDINGS_DIR, DT_HEADERS_DIR
from . import check

_SPDX = re.compile(r"SPDX-License-Identifier:\s*(.*?)\s*(?:\*/)?\s*$")
_OK = re.compile(
    r"^\(?\s*(?:GPL-2\.0(?:-only)?\s+OR\s+BSD-2-Clause|BSD-2-Clause\s+OR\s+GPL-2\.0(?:-only)?)\s*\)?$"
)


@check("binding-license")
def binding_license(ctx):
    for f in ctx.patch.files:
        if f.status != "added":
            continue
        is_schema = f.path.startswith(BINDINGS_DIR) and f.path.endswith((".yaml", ".yml"))
        is_header = f.path.startswith(DT_HEADERS_DIR) and f.path.endswith(".h")
        if not (is_schema or is_header):
            continue
        lines = f.added_lines()
        if not lines:
            continue
        spdx_line = next((ln for ln in lines if "SPDX-License-Identifier" in ln.text), None)
        if spdx_line is None:
            yield ctx.finding(anchor="diff", path=f.path, line=lines[0].new_line, text=lines[0].text,
                              message="No SPDX-License-Identifier: a new binding starts with "
                              "'# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)' on line 1.")
            continue
        licence = _SPDX.search(spdx_line.text).group(1)
        if not _OK.match(licence):
            yield ctx.finding(anchor="diff", path=f.path, line=spdx_line.new_line, text=spdx_line.text,
                              found=licence)
        elif spdx_line.new_line != 1:
            yield ctx.finding(anchor="diff", path=f.path, line=spdx_line.new_line, text=spdx_line.text,
                              message="The SPDX line must be the first line of the file.")
