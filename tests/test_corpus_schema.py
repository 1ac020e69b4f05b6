"""The schema-content rules on the real binding patches of the corpus.

Each maintainer point tagged [M] in ../shared/corpus/README.md that is about
schema content must be raised by the matching rule, on the right patch and,
where the maintainer quoted a line, on that line.  What those patches got
right must not be flagged.  The rules run in-process (``check_series``).
"""

from __future__ import annotations

import functools

import pytest

from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.sources.mbox import load

from conftest import CORPUS

SCHEMA_RULES = {f"binding/{r}" for r in (
    "id-path filename-compatible directory title-redundant closed-schema items-not-described "
    "single-item-style names-without-list redundant-type description-literal required-order "
    "schema-simplify example-node-name example-defines example-unused-label blank-lines "
    "example-style deprecated-usage license").split()}


@functools.lru_cache(maxsize=None)
def findings(name: str) -> tuple:
    rules = [r for r in load_catalog() if r.id in SCHEMA_RULES]
    series = load(str(CORPUS / name))
    newest = max(series, key=lambda s: s.revision)
    return check_series(newest, rules, Options()).findings


def hits(name: str, rule: str, patch: int, text: str | None = None, file: str | None = None) -> list:
    """Findings of ``rule`` on ``patch``; ``text`` must equal the anchored line
    (whitespace-stripped), ``file`` must end the path."""
    out = []
    for f in findings(name):
        if f.rule != rule or f.patch != patch:
            continue
        if text is not None and (f.text or "").strip() != text.strip():
            continue
        if file is not None and not (f.path or "").endswith(file):
            continue
        out.append(f)
    return out


def assert_raised(name, rule, patch, text=None, file=None):
    got = hits(name, rule, patch, text, file)
    assert got, (f"{name}: {rule} not raised on patch {patch}"
                 + (f" at {text!r}" if text else "")
                 + f"; findings: {[(f.rule, f.patch, f.text) for f in findings(name)]}")
    return got


def assert_quiet(name, rule, patch, file=None):
    got = hits(name, rule, patch, file=file)
    assert not got, f"{name}: {rule} wrongly raised on patch {patch}: {[(f.line, f.message) for f in got]}"


@pytest.fixture(autouse=True)
def _corpus(corpus):
    return corpus


# -- Bao v1 -------------------------------------------------------------------

def test_bao_v1_file_name_must_match_compatible():
    # "bao/ipcshmem.yaml" documents bao,ipcshmem (Krzysztof on 1/5).
    got = assert_raised("bao-v1.mbox", "binding/filename-compatible", 1, file="bao/ipcshmem.yaml")
    assert "bao,ipcshmem.yaml" in got[0].message
    assert_raised("bao-v1.mbox", "binding/filename-compatible", 3, file="bao/io-dispatcher.yaml")


def test_bao_v1_json_schema_typing_on_reg():
    # Quoted line "+      type: integer" under reg (1/5); the bot's reg/interrupts
    # "type: array / items: type: integer" (3/5).
    got = assert_raised("bao-v1.mbox", "binding/redundant-type", 1, text="      type: integer")
    assert any(f.line == 30 for f in got)  # the one under reg
    assert_raised("bao-v1.mbox", "binding/redundant-type", 3, text="type: integer")
    # The entries of reg/interrupts are also never described.
    for patch in (1, 3):
        assert_raised("bao-v1.mbox", "binding/items-not-described", patch, text="reg:")
        assert_raised("bao-v1.mbox", "binding/items-not-described", patch, text="interrupts:")


def test_bao_v1_interrupt_parent_declared():
    assert_raised("bao-v1.mbox", "binding/deprecated-usage", 3, text="  interrupt-parent:")


def test_bao_v1_example_build_fails_on_reg_without_unit_address():
    # Rob's bot: the io-dispatcher example does not build; its node has reg but no unit address
    # (dtc unit_address_vs_reg). The undefined '&gic' label is not the cause: accepted bindings use them too.
    got = [f for f in assert_raised("bao-v1.mbox", "binding/example-style", 3,
                                    text="bao_io_dispatcher: bao-io-dispatcher {")
           if "unit_address_vs_reg" in f.message]
    assert got and got[0].line == 54 and "no unit address" in got[0].message
    assert not [f for f in hits("bao-v1.mbox", "binding/example-style", 3) if "gic" in f.message]


def test_bao_v1_new_vendor_directory():
    assert_raised("bao-v1.mbox", "binding/directory", 1)
    assert_raised("bao-v1.mbox", "binding/directory", 3)


def test_bao_v1_id_matches_its_path():
    # The $id is quoted (yamllint's point) but names the right path.
    assert_quiet("bao-v1.mbox", "binding/id-path", 1)
    assert_quiet("bao-v1.mbox", "binding/id-path", 3)


# -- Bao v2 -------------------------------------------------------------------

def test_bao_v2_reg_needs_items():
    assert_raised("bao-v2.mbox", "binding/items-not-described", 1, text="  reg:", file="bao,ipcshmem.yaml")


def test_bao_v2_example_node_name():
    assert_raised("bao-v2.mbox", "binding/example-node-name", 1, text="    bao-ipc@f0000000 {")


def test_bao_v2_what_is_right_is_not_flagged():
    for patch in (1, 3):
        for rule in ("binding/license", "binding/id-path", "binding/filename-compatible", "binding/closed-schema",
                     "binding/deprecated-usage", "binding/redundant-type"):
            assert_quiet("bao-v2.mbox", rule, patch)


# -- Gunyah v5 ----------------------------------------------------------------

def test_gunyah_v5_fixed_v2_points_stay_quiet():
    # v2 was told to drop a single-branch oneOf and add blank lines; v5 did.
    assert_quiet("gunyah-v5-binding.mbox", "binding/schema-simplify", 2)
    assert_quiet("gunyah-v5-binding.mbox", "binding/blank-lines", 2)
    # GIC_SPI/IRQ_TYPE_* with their #include: nothing to say.
    assert_quiet("gunyah-v5-binding.mbox", "binding/example-defines", 2)
    assert_quiet("gunyah-v5-binding.mbox", "binding/id-path", 2)
    assert_quiet("gunyah-v5-binding.mbox", "binding/closed-schema", 2)


# -- GenieZone ----------------------------------------------------------------

def test_geniezone_v1_status_in_example():
    assert_raised("geniezone-v1-binding.mbox", "binding/example-style", 2, text='        status = "okay";')


@pytest.mark.parametrize("name,patch", [("geniezone-v3-binding-patch.mbox", 2), ("geniezone-v10-binding.mbox", 3)])
def test_geniezone_later_versions_have_a_matching_id(name, patch):
    # The v2 $id mismatch the bot reported is fixed in v3 and later.
    assert_quiet(name, "binding/id-path", patch)
    assert_quiet(name, "binding/filename-compatible", patch)
    assert_quiet(name, "binding/closed-schema", patch)
    assert_quiet(name, "binding/example-style", patch)


# -- Hyper-V VMBus ------------------------------------------------------------

VMBUS = "other-hyperv-vmbus-v1-binding.mbox"


def test_vmbus_title():
    assert_raised(VMBUS, "binding/title-redundant", 4, text="title: Microsoft Hyper-V VMBus device tree bindings")


def test_vmbus_example_style_points():
    tabs = [f for f in hits(VMBUS, "binding/example-style", 4) if "TAB" in f.message]
    assert tabs and tabs[0].text.strip() == "#address-cells = <0x02>;"
    hexes = [f for f in hits(VMBUS, "binding/example-style", 4) if "decimal" in f.message]
    assert {f.text.strip() for f in hexes} == {"#address-cells = <0x02>;", "#size-cells = <0x01>;"}
    first = [f for f in hits(VMBUS, "binding/example-style", 4) if "first property" in f.message]
    assert first and first[0].text.strip() == 'compatible = "msft,vmbus";'


def test_vmbus_id_and_directory():
    got = assert_raised(VMBUS, "binding/id-path", 4, text="$id: http://devicetree.org/hv/msft,vmbus.yaml#")
    assert "http://devicetree.org/schemas/hv/msft,vmbus.yaml#" in got[0].message
    assert_raised(VMBUS, "binding/directory", 4)
    # anchored where 'additionalProperties: false' goes (end of required:, before examples:)
    (closed,) = assert_raised(VMBUS, "binding/closed-schema", 4)
    assert closed.text.strip() == "- ranges" and closed.message.startswith("The top level")


# -- AMD SB-TSI ---------------------------------------------------------------

def test_sbtsi_txt_named_after_compatible():
    got = assert_raised("other-amd-sbtsi-v2-binding.mbox", "binding/filename-compatible", 3, text='"amd,sbtsi",')
    assert "amd,sbtsi.yaml" in got[0].message


# -- Photonicat PMU -----------------------------------------------------------

PCAT = "other-photonicat-pmu-v1-binding.mbox"


def test_photonicat_hwmon_example_wrapper_and_indentation():
    got = hits(PCAT, "binding/example-style", 8, file="ariaboard,photonicat-pmu-hwmon.yaml")
    assert any("column" in f.message for f in got), got
    assert any(f.text.strip() == "mcu {" and "wraps" in f.message for f in got), got


def test_photonicat_fixed_name_pattern():
    assert_raised(PCAT, "binding/schema-simplify", 8, text="  '^leds-(status)':")


def test_photonicat_ids_and_names_are_right():
    assert_quiet(PCAT, "binding/id-path", 8)
    assert_quiet(PCAT, "binding/filename-compatible", 8)
    assert_quiet(PCAT, "binding/closed-schema", 8)
