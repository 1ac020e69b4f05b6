"""What a C file tells a DT reviewer: match tables, compatibles, properties read.

Regex over the post-image, not a C parser: driver idioms are regular enough
(``static const struct of_device_id foo[] = { ... };``,
``CLK_OF_DECLARE(name, "vendor,clk", init)``, ``of_property_read_u32(np,
"vendor,prop", &v)``), and the checks only ever report lines the patch adds.

Files are read through ``syntax.source.SourceView`` (whole post-image or
hunk segments).  Constructs are only recognised inside one segment, so a
table cut by a hunk boundary is ignored rather than misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..syntax.source import Segment, SourceView, source_view  # noqa: F401  (re-exported until ctables goes)


def skip_literal(code: str, i: int) -> int:
    """Offset just past the string or char literal whose quote is at ``i``
    (an unterminated one ends at the line end)."""
    quote, j, n = code[i], i + 1, len(code)
    while j < n and code[j] != quote and code[j] != "\n":
        j += 2 if code[j] == "\\" else 1
    return j + 1


def blank_comments(text: str) -> str:
    """Replace C comments by spaces (keeping newlines), leaving strings alone."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif c in "\"'":
            i = skip_literal(text, i)
        else:
            i += 1
    return "".join(out)


def matching_brace(code: str, open_pos: int) -> int | None:
    """Offset of the '}' closing the '{' at ``open_pos`` (strings skipped)."""
    depth = 0
    i, n = open_pos, len(code)
    while i < n:
        c = code[i]
        if c in "\"'":
            i = skip_literal(code, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _top_level_groups(code: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(open, close) offsets of the brace groups directly inside code[start:end]."""
    i = start
    while i < end:
        if code[i] == "{":
            close = matching_brace(code, i)
            if close is None or close > end:
                return
            yield i, close
            i = close + 1
        elif code[i] in "\"'":
            j = i + 1
            while j < end and code[j] != code[i] and code[j] != "\n":
                j += 2 if code[j] == "\\" else 1
            i = j + 1
        else:
            i += 1


# --------------------------------------------------------------------------
# Device ID tables and compatibles

_TABLE = re.compile(
    r"\bstruct\s+(\w+_device_id)\s+(\w+)\s*\[[^\]]*\]\s*(?:__\w+(?:\([^)]*\))?\s*)*=\s*\{"
)
_COMPAT_FIELD = re.compile(r'\.compatible\s*=\s*"([^"]*)"')
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_SENTINEL_BODY = re.compile(r"^(?:0|NULL|\{\s*\}|\{\s*0\s*\})?$")

DEFAULT_DECLARE_MACROS = (
    "CLK_OF_DECLARE", "CLK_OF_DECLARE_DRIVER", "IRQCHIP_DECLARE", "IRQCHIP_MATCH", "TIMER_OF_DECLARE",
    "OF_EARLYCON_DECLARE", "RESERVEDMEM_OF_DECLARE", "IOMMU_OF_DECLARE", "OF_DECLARE_1", "OF_DECLARE_1_RET",
    "OF_DECLARE_2",
)
DEFAULT_COMPAT_CALLS = (
    "of_device_is_compatible", "of_find_compatible_node", "of_get_compatible_child", "of_machine_is_compatible",
)


@dataclass(frozen=True)
class CompatUse:
    compatible: str
    line: int
    text: str
    how: str  # "of_device_id table foo", "CLK_OF_DECLARE", "of_device_is_compatible()", "DTS"


@dataclass
class DeviceIdTable:
    type: str
    name: str
    start: int  # line of 'struct ... name[] = {'
    end: int  # line of the closing brace
    has_sentinel: bool
    last_entry_line: int | None
    compatibles: list[CompatUse]
    lines: range = range(0)


def device_id_tables(view: SourceView) -> list[DeviceIdTable]:
    out: list[DeviceIdTable] = []
    for seg in view.segments:
        code = seg.code
        for m in _TABLE.finditer(code):
            open_pos = m.end() - 1
            close = matching_brace(code, open_pos)
            if close is None:
                continue
            groups = list(_top_level_groups(code, open_pos + 1, close))
            # Items that are not brace groups (macros expanding to entries)
            # make the sentinel unknowable: assume the author got it right.
            rest, pos = [], open_pos + 1
            for g0, g1 in groups:
                rest.append(code[pos:g0])
                pos = g1 + 1
            rest.append(code[pos:close])
            opaque = bool(re.search(r"[A-Za-z_]", "".join(rest)))
            sentinel = opaque or any(
                _SENTINEL_BODY.match(re.sub(r"\s+", "", code[g0 + 1: g1])) for g0, g1 in groups
            )
            compats = []
            for cm in _COMPAT_FIELD.finditer(code, open_pos, close):
                ln = seg.line_of(cm.start())
                compats.append(CompatUse(cm.group(1), ln, seg.text_of(ln), f"{m.group(1)} table {m.group(2)}"))
            start, end = seg.line_of(m.start()), seg.line_of(close)
            out.append(DeviceIdTable(
                type=m.group(1), name=m.group(2), start=start, end=end, has_sentinel=sentinel,
                last_entry_line=seg.line_of(groups[-1][0]) if groups else None, compatibles=compats,
                lines=range(start, end + 1),
            ))
    return out


def _call_args(code: str, open_paren: int) -> tuple[list[tuple[int, str]], int] | None:
    """Top-level arguments of a call as (offset, text), and the closing paren offset."""
    depth = 0
    args: list[tuple[int, str]] = []
    start = open_paren + 1
    i, n = open_paren, len(code)
    while i < n:
        c = code[i]
        if c in "\"'":
            i = skip_literal(code, i)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append((start, code[start:i]))
                return args, i
        elif c == "," and depth == 1:
            args.append((start, code[start:i]))
            start = i + 1
        elif c == ";" and depth <= 1:
            return None
        i += 1
    return None


def _first_string(arg: str) -> str | None:
    m = _STRING.search(arg)
    return m.group(1) if m and arg.strip().startswith('"') else None


def compatible_uses(view: SourceView, macros: tuple[str, ...] = DEFAULT_DECLARE_MACROS,
                    calls: tuple[str, ...] = DEFAULT_COMPAT_CALLS) -> list[CompatUse]:
    """Every compatible the C file names: match tables, *_DECLARE macros, OF lookups."""
    out = [c for t in device_id_tables(view) if t.type == "of_device_id" for c in t.compatibles]
    names = "|".join(re.escape(x) for x in (*macros, *calls))
    call_re = re.compile(rf"\b({names})\s*\(")
    for seg in view.segments:
        for m in call_re.finditer(seg.code):
            parsed = _call_args(seg.code, m.end() - 1)
            if parsed is None:
                continue
            args, _ = parsed
            for off, arg in args:
                value = _first_string(arg)
                if value is not None:
                    ln = seg.line_of(off + len(arg) - len(arg.lstrip()))
                    how = m.group(1) if m.group(1) in macros else f"{m.group(1)}()"
                    out.append(CompatUse(value, ln, seg.text_of(ln), how))
                    break
    return out


# --------------------------------------------------------------------------
# Properties a driver reads


@dataclass(frozen=True)
class PropertyRead:
    name: str  # as written in the call
    line: int
    text: str
    call: str
    kind: str  # "property", "names" (a value of names_prop), "supply", "gpios"
    names_prop: str | None = None

    @property
    def dt_name(self) -> str:
        """The DT property (or -names list) this read depends on."""
        if self.kind == "supply":
            return f"{self.name}-supply"
        if self.kind == "gpios":
            return f"{self.name}-gpios"
        if self.kind == "names":
            return self.names_prop or self.name
        return self.name


# (call regex, argument index of the name, kind, names property)
_READERS: list[tuple[str, int, str, str | None]] = [
    (r"(?:of|device|fwnode)_property_\w+", 1, "property", None),
    (r"of_get_property|of_find_property|of_get_named_gpio|of_count_phandle_with_args", 1, "property", None),
    (r"of_parse_phandle(?:_with_args|_with_fixed_args|_with_optional_args)?", 1, "property", None),
    (r"syscon_regmap_lookup_by_phandle(?:_args|_optional)?", 1, "property", None),
    (r"(?:devm_)?clk_get(?:_optional|_enabled|_optional_enabled|_prepared|_optional_prepared)?|of_clk_get_by_name",
     1, "names", "clock-names"),
    (r"(?:devm_)?regulator_get(?:_optional|_exclusive|_enable|_enable_optional)?", 1, "supply", None),
    (r"(?:devm_)?gpiod_get(?:_optional|_index|_index_optional|_array|_array_optional)?", 1, "gpios", None),
    (r"(?:devm_)?reset_control_get\w*", 1, "names", "reset-names"),
    (r"platform_get_irq_byname(?:_optional)?|of_irq_get_byname", 1, "names", "interrupt-names"),
    (r"devm_platform_ioremap_resource_byname", 1, "names", "reg-names"),
    (r"platform_get_resource_byname", 2, "names", "reg-names"),
    (r"(?:devm_)?phy_(?:optional_)?get|devm_of_phy_get", 1, "names", "phy-names"),
    (r"dma_request_chan|dma_request_slave_channel", 1, "names", "dma-names"),
    (r"(?:devm_)?pwm_get", 1, "names", "pwm-names"),
    (r"(?:devm_)?nvmem_cell_get", 1, "names", "nvmem-cell-names"),
    (r"(?:devm_)?of_icc_get", 1, "names", "interconnect-names"),
    (r"mbox_request_channel_byname", 1, "names", "mbox-names"),
    (r"(?:devm_)?iio_channel_get", 1, "names", "io-channel-names"),
    (r"dev_pm_domain_attach_by_name", 1, "names", "power-domain-names"),
]
_READER_RES = [(re.compile(rf"\b({rx})\s*\("), idx, kind, names) for rx, idx, kind, names in _READERS]


def property_reads(view: SourceView) -> list[PropertyRead]:
    """Named DT lookups in the file: properties, '-names' entries, supplies, GPIOs."""
    out: list[PropertyRead] = []
    seen: set[tuple[int, str]] = set()
    for seg in view.segments:
        for rx, idx, kind, names_prop in _READER_RES:
            for m in rx.finditer(seg.code):
                parsed = _call_args(seg.code, m.end() - 1)
                if parsed is None or len(parsed[0]) <= idx:
                    continue
                off, arg = parsed[0][idx]
                value = _first_string(arg)
                if not value:
                    continue
                ln = seg.line_of(off + len(arg) - len(arg.lstrip()))
                if (ln, value) in seen:
                    continue
                seen.add((ln, value))
                out.append(PropertyRead(value, ln, seg.text_of(ln), m.group(1), kind, names_prop))
    return sorted(out, key=lambda r: (r.line, r.name))


# --------------------------------------------------------------------------
# Driver structures and functions

_DRIVER_STRUCT = re.compile(r"\bstruct\s+(\w+_driver)\s+(\w+)\s*(?:__\w+\s*)*=\s*\{")
_FIELD = re.compile(r"\.(\w+)\s*=\s*([^,}]+)")


@dataclass
class DriverStruct:
    type: str
    name: str
    start: int
    end: int
    fields: list[tuple[str, str, int]]  # (field, value, line) at any depth, in order


def driver_structs(view: SourceView) -> list[DriverStruct]:
    out = []
    for seg in view.segments:
        for m in _DRIVER_STRUCT.finditer(seg.code):
            close = matching_brace(seg.code, m.end() - 1)
            if close is None:
                continue
            fields = [
                (fm.group(1), " ".join(fm.group(2).split()), seg.line_of(fm.start()))
                for fm in _FIELD.finditer(seg.code, m.end(), close)
            ]
            out.append(DriverStruct(m.group(1), m.group(2), seg.line_of(m.start()), seg.line_of(close), fields))
    return out


_FUNC = re.compile(
    r"^(?=[A-Za-z_])[\w \t\*]*?\b(\w+)\s*\(([^;{}()]*(?:\([^()]*\)[^;{}()]*)*)\)\s*\{",
    re.M,
)


@dataclass
class Function:
    name: str
    start: int
    end: int
    body_start: int  # offset of '{' in the segment's code
    body_end: int
    segment: Segment


def functions(view: SourceView) -> list[Function]:
    """Function definitions (a line starting a declaration, then '(...) {')."""
    out = []
    for seg in view.segments:
        for m in _FUNC.finditer(seg.code):
            name = m.group(1)
            if name in ("if", "for", "while", "switch", "return", "sizeof"):
                continue
            open_pos = m.end() - 1
            close = matching_brace(seg.code, open_pos)
            if close is None:
                continue
            out.append(Function(name, seg.line_of(m.start()), seg.line_of(close), open_pos, close, seg))
    return out
