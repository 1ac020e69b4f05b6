"""The ``#include <dt-bindings/...>`` macros a DTS or binding example uses.

cpp runs before dtc, so every macro an example uses comes from a header it
includes.  We read headers the way the kernel build would find them:
first a header the series itself adds or changes, else the kernel tree
(``--tree``), else a small table of universal ABI constants written here
(GIC and IRQ type cells, GPIO flags, common input codes: values that are
part of the DT ABI and never change).  Anything else stays unknown; the
caller says so instead of guessing a value.
"""

from __future__ import annotations

from typing import Callable, Mapping

from ..syntax.dts import DtsDocument, Expr, parse_dts

HeaderReader = Callable[[str], "str | None"]  # "dt-bindings/gpio/gpio.h" -> text

_IRQ = {"IRQ_TYPE_NONE": 0, "IRQ_TYPE_EDGE_RISING": 1, "IRQ_TYPE_EDGE_FALLING": 2, "IRQ_TYPE_EDGE_BOTH": 3,
        "IRQ_TYPE_LEVEL_HIGH": 4, "IRQ_TYPE_LEVEL_LOW": 8}
_GIC = {"GIC_SPI": 0, "GIC_PPI": 1, **_IRQ}
_GPIO = {"GPIO_ACTIVE_HIGH": 0, "GPIO_ACTIVE_LOW": 1, "GPIO_PUSH_PULL": 0, "GPIO_SINGLE_ENDED": 2,
         "GPIO_LINE_OPEN_SOURCE": 0, "GPIO_LINE_OPEN_DRAIN": 4, "GPIO_OPEN_DRAIN": 6, "GPIO_OPEN_SOURCE": 2,
         "GPIO_PERSISTENT": 0, "GPIO_TRANSITORY": 8, "GPIO_PULL_UP": 16, "GPIO_PULL_DOWN": 32,
         "GPIO_PULL_DISABLE": 64}
_INPUT = {"EV_KEY": 0x01, "EV_SW": 0x05, "SW_LID": 0x00, "SW_TABLET_MODE": 0x01,
          "KEY_RESERVED": 0, "KEY_ESC": 1, "KEY_ENTER": 28, "KEY_A": 30, "KEY_B": 48, "KEY_HOME": 102,
          "KEY_UP": 103, "KEY_LEFT": 105, "KEY_RIGHT": 106, "KEY_DOWN": 108, "KEY_MUTE": 113,
          "KEY_VOLUMEDOWN": 114, "KEY_VOLUMEUP": 115, "KEY_POWER": 116, "KEY_MENU": 139, "KEY_SLEEP": 142,
          "KEY_WAKEUP": 143, "KEY_BACK": 158, "KEY_CAMERA": 212, "BTN_0": 0x100, "BTN_1": 0x101,
          "BTN_LEFT": 0x110, "BTN_RIGHT": 0x111, "BTN_TOUCH": 0x14A}

#: universal constants, by the header that defines them
UNIVERSAL: Mapping[str, Mapping[str, int]] = {
    "dt-bindings/interrupt-controller/irq.h": _IRQ,
    "dt-bindings/interrupt-controller/arm-gic.h": _GIC,
    "dt-bindings/gpio/gpio.h": _GPIO,
    "dt-bindings/input/input.h": _INPUT,
    "dt-bindings/input/linux-event-codes.h": _INPUT,
}
#: headers the table above covers completely (an undefined name there is a real mistake)
COMPLETE = frozenset({"dt-bindings/interrupt-controller/irq.h", "dt-bindings/interrupt-controller/arm-gic.h",
                      "dt-bindings/gpio/gpio.h"})
#: function-like universal macros (params, body), by header
UNIVERSAL_FUNCTIONS: Mapping[str, Mapping[str, tuple[tuple[str, ...], str]]] = {
    "dt-bindings/interrupt-controller/arm-gic.h": {
        "GIC_CPU_MASK_RAW": (("x",), "((x) << 8)"),
        "GIC_CPU_MASK_SIMPLE": (("num",), "GIC_CPU_MASK_RAW((1 << (num)) - 1)"),
    },
}


def macros_for(doc: DtsDocument, series_header: HeaderReader, tree_header: HeaderReader | None
               ) -> tuple[dict[str, "int | str | Expr | tuple[tuple[str, ...], str]"], bool]:
    """Every macro the includes of ``doc`` define (transitively), later
    definitions winning as with cpp, and whether every included header was
    known completely (then a name none defines is undefined for cpp too).
    Values are ints, parsed expressions or (params, body) for function-like
    macros (``dt_validate`` evaluates them)."""
    from .dt_validate import define_value

    table: dict[str, int | str | Expr | tuple[tuple[str, ...], str]] = {}
    seen: set[str] = set()
    complete = True
    todo = [inc.path for inc in doc.includes]
    while todo:
        path = todo.pop(0)
        if path in seen or len(seen) > 64:
            continue
        seen.add(path)
        text = series_header(path)
        if text is None and tree_header is not None:
            text = tree_header(path)
        if text is None:
            complete = complete and path in COMPLETE
            table.update(UNIVERSAL.get(path, {}))
            table.update(UNIVERSAL_FUNCTIONS.get(path, {}))
            continue
        header = parse_dts(text)
        todo.extend(inc.path for inc in header.includes)
        for d in header.defines:
            value = define_value(d)
            if value is not None:
                table[d.name] = value
    return table, complete
