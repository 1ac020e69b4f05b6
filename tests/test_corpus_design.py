"""The binding-design rules on the real review threads of ../shared/corpus.

Each test is a point a maintainer made (see corpus/README.md): the rule must
be raised on the patch the maintainer answered and, where the maintainer
quoted a line, on that line. What the patches got right must stay quiet.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from conftest import CORPUS
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources import mbox
from reviewtool.sources.mbox import load_bytes

DESIGN = [r for r in load_catalog() if Path(r.source).name == "binding-design.yaml"]


@functools.lru_cache(maxsize=None)
def _run(name: str):
    """(series, findings) of the design rules on one corpus mbox (newest revision)."""
    (series,) = mbox.load(str(CORPUS / name))
    return series, check_series(series, DESIGN, Options()).findings


def on(corpus: Path, name: str, subject: str, rule: str | None = None) -> list:
    series, found = _run(name)
    patch = next(p for p in series.patches if p.subject.endswith(subject))
    return [f for f in found if f.patch == patch.n and (rule is None or f.rule == rule)]


def at(found: list, text: str, path_end: str | None = None) -> list:
    """Findings anchored on the diff line with this text (the '+' stripped)."""
    return [f for f in found if f.anchor == "diff" and (f.text or "").strip() == text.strip()
            and (path_end is None or (f.path or "").endswith(path_end))]


def in_commit_message(found: list, words: str) -> list:
    return [f for f in found if f.anchor == "commit-message" and any(words in q for q in f.quote)]


BAO_IPC = "dt-bindings: Add Bao IPC shared memory driver binding"
BAO_IO = "dt-bindings: Add Bao I/O dispatcher driver binding"


# -- Bao v2: Krzysztof on 1/6 and 3/6 ------------------------------------------------------

def test_bao_v2_io_dispatcher(corpus):
    found = on(corpus, "bao-v2.mbox", BAO_IO)
    # "Bao I/O Dispatcher Device" is another node mirroring a driver; study Gunyah/GenieZone
    (hv,) = [f for f in at(found, "title: Bao I/O Dispatcher Device") if f.rule == "binding/hypervisor-interface"]
    assert "Gunyah" in hv.message and "GenieZone" in hv.message
    assert "https://lore.kernel.org/r/35100734-e2ea-459e-9b47-5cc62aa99b38@kernel.org" in hv.references
    # reg (and interrupts) with up to 64 entries, one per backend device
    (one,) = [f for f in found if f.rule == "binding/one-node-per-device"]
    assert one.text.strip() == "Contiguous memory-mapped regions for each VirtIO backend device"
    assert "up to 64" in one.message and "`reg`" in one.message and "`interrupts`" in one.message
    assert any(f.rule == "binding/reuse-existing" and "virtio,mmio" in f.message for f in found)


def test_bao_v2_ipcshmem(corpus):
    found = on(corpus, "bao-v2.mbox", BAO_IPC)
    rules_at = lambda text: {f.rule for f in at(found, text)}  # noqa: E731
    assert "binding/hypervisor-interface" in rules_at("title: Bao IPC Shared Memory Device")
    # "several device nodes for this make no sense": nodes numbered by a driver instance ID
    assert {"binding/one-node-per-device", "binding/instance-index-property"} <= rules_at("id:")
    # read-channel / write-channel restate reg
    assert "binding/redundant-with-reg" in rules_at("read-channel:")
    assert "binding/redundant-with-reg" in rules_at("write-channel:")
    # asked to drop them, so not also asked to vendor-prefix them (contradictory advice)
    for text in ("id:", "read-channel:", "write-channel:"):
        assert "binding/vendor-property-prefix" not in rules_at(text)
    # "Bao Hypervisor" is not a company (the quoted line)
    (vp,) = at(found, "description: Bao Hypervisor", "vendor-prefixes.yaml")
    assert vp.rule == "binding/vendor-prefix-company" and "'bao'" in vp.message
    assert "binding/describes-driver" in rules_at("Driver instance ID.")
    # the shared memory region has a binding already (reserved-memory)
    assert any(f.rule == "binding/reuse-existing" and "reserved-memory" in f.message for f in found)


def test_bao_v2_what_is_right_stays_quiet(corpus):
    series, found = _run("bao-v2.mbox")
    for subject in (BAO_IPC, BAO_IO):
        mine = on(corpus, "bao-v2.mbox", subject)
        assert not [f for f in mine if f.anchor == "diff" and f.line in (1, 2, 3, 4, 5)], \
            "licence, $id and $schema lines are correct"
        assert not [f for f in mine if f.rule in ("binding/compatible-format", "binding/compatible-too-generic")]
    code = {p.n for p in series.patches if not p.subject.startswith("dt-bindings")}
    assert not [f for f in found if f.patch in code]


# -- Bao v1 --------------------------------------------------------------------------------

def test_bao_v1_both_bindings_are_hypervisor_interfaces(corpus):
    for subject in (BAO_IPC, BAO_IO):
        found = on(corpus, "bao-v1.mbox", subject, "binding/hypervisor-interface")
        assert [f.text for f in found] in (["title: Bao IPC Shared Memory Device"],
                                           ["title: Bao I/O Dispatcher Device"])


def test_bao_v1_ipcshmem_is_read_despite_its_tab(corpus):
    """ipcshmem.yaml has a TAB in its description: YAML rejects it, the design is still read."""
    found = on(corpus, "bao-v1.mbox", BAO_IPC)
    assert {f.rule for f in at(found, "id:")} >= {"binding/one-node-per-device", "binding/instance-index-property"}
    assert at(found, "It allows the kernel to interface with guests running under")
    assert in_commit_message(found, "This enables kernel drivers and userspace tools to correctly")


def test_bao_v1_io_dispatcher_lumps_backends(corpus):
    found = on(corpus, "bao-v1.mbox", BAO_IO)
    (one,) = [f for f in found if f.rule == "binding/one-node-per-device"]
    assert one.text.strip() == "Memory regions for each VirtIO backend device."
    assert [f for f in found if f.rule == "binding/describes-driver" and f.anchor == "commit-message"]


# -- Gunyah v5 -----------------------------------------------------------------------------

GUNYAH = "dt-bindings: Add binding for gunyah hypervisor"


def test_gunyah_v5_compatibles(corpus):
    found = on(corpus, "gunyah-v5-binding.mbox", GUNYAH, "binding/compatible-format")
    # one remark for the file, on the first compatible, listing all four with their own reasons
    (one,) = found
    assert at(found, "- const: gunyah-hypervisor-1.0") == [one]
    assert len(one.lines) == 4 and one.lines[0] == one.line
    hyp, rm = one.message.split("'gunyah-resource-manager-1-0' (line ")
    assert "vendor prefix" in hyp and "'1.0'" in hyp and "run time" in hyp
    assert "https://lore.kernel.org/r/c9c3bffc-0d2a-ef67-ccab-ee040608405a@linaro.org" in one.references
    assert "'1-0'" in rm and "vendor prefix" in rm and "run time" in rm
    assert "'gunyah-hypervisor' (line " in one.message and "'gunyah-resource-manager' (line " in one.message


def test_gunyah_v5_design(corpus):
    found = on(corpus, "gunyah-v5-binding.mbox", GUNYAH)
    assert [f for f in at(found, "title: Gunyah Hypervisor") if f.rule == "binding/hypervisor-interface"]
    # Rob: how the node comes to exist (an overlay Gunyah generates) is irrelevant
    quoted = ("On systems which support devicetree, Gunyah generates and overlays a deviceetree overlay which")
    assert [f for f in at(found, quoted) if f.rule == "binding/describes-driver"]
    # Jassi (v6): the message queues are a mailbox
    assert any(f.rule == "binding/reuse-existing" and "mailbox" in f.message for f in found)
    assert not [f for f in found if f.rule in ("binding/vendor-property-prefix", "binding/unit-suffix")]


# -- GenieZone ------------------------------------------------------------------------------

def test_geniezone_v1(corpus):
    found = on(corpus, "geniezone-v1-binding.mbox", "Add binding for MediaTek GenieZone hypervisor")
    quoted = "driver, gzvm, to probe if platform supports running virtual machines."
    assert [f for f in at(found, quoted) if f.rule == "binding/describes-driver"]
    assert [f for f in found if f.rule == "binding/hypervisor-interface"]
    assert in_commit_message(found, "driver to start probing")


@pytest.mark.parametrize("name,subject", [
    ("geniezone-v3-binding-patch.mbox", "dt-bindings: hypervisor: Add MediaTek GenieZone hypervisor"),
    ("geniezone-v10-binding.mbox", "dt-bindings: hypervisor: Add MediaTek GenieZone hypervisor"),
])
def test_geniezone_resends(corpus, name, subject):
    found = on(corpus, name, subject)
    # Conor (v10): drop the redundant "-hyp"
    (c,) = at(found, "const: mediatek,geniezone-hyp")
    assert c.rule == "binding/compatible-too-generic" and "'mediatek,geniezone'" in c.message
    assert "https://lore.kernel.org/r/20240415-emerald-chief-5f27532d65bd@spud" in c.references
    # Rob (v2) / Conor (v10): a wrapper for AVF/crosvm, not the hypervisor; the node only triggers probing
    (d,) = [f for f in found if f.rule == "binding/describes-driver" and f.anchor == "diff"]
    assert "VMM" in d.message or "wrapper" in d.message
    assert in_commit_message(found, "driver to start probing")
    (hv,) = [f for f in found if f.rule == "binding/hypervisor-interface"]
    assert hv.text == "title: MediaTek GenieZone hypervisor"
    assert "https://lore.kernel.org/r/20230428212411.GA292303-robh@kernel.org" in hv.references


# -- Hyper-V VMBus, AMD SB-TSI, Photonicat ------------------------------------------------------

def test_vmbus(corpus):
    found = on(corpus, "other-hyperv-vmbus-v1-binding.mbox", "dt-bindings: hv: Add dt-bindings for VMBus")
    (hv,) = [f for f in found if f.rule == "binding/hypervisor-interface"]
    assert hv.text == "title: Microsoft Hyper-V VMBus device tree bindings" and "software bus" in hv.message
    assert "https://lore.kernel.org/r/f74fe561-dc20-0681-12af-4a4782a060be@linaro.org" in hv.references
    assert [f for f in found if f.rule == "binding/describes-driver" and "software bus" in f.text]


def test_sbtsi_txt_binding_describes_a_driver(corpus):
    found = on(corpus, "other-amd-sbtsi-v2-binding.mbox", "Add SB-TSI hwmon driver bindings",
               "binding/describes-driver")
    assert at(found, "*AMD SoC SB-TSI hwmon driver.")
    assert not [f for f in on(corpus, "other-amd-sbtsi-v2-binding.mbox", "Add SB-TSI hwmon driver bindings")
                if f.rule.startswith("binding/compatible")]


def test_photonicat_split_per_driver(corpus):
    found = on(corpus, "other-photonicat-pmu-v1-binding.mbox", "dt-bindings: Add documentation for Photonicat PMU")
    children = {f.path.rsplit("/", 1)[-1] for f in found if f.rule == "binding/resourceless-child"}
    assert children == {f"ariaboard,photonicat-pmu-{c}.yaml"
                        for c in ("hwmon", "leds", "poweroff", "supply", "rtc", "watchdog")}
    assert all("'ariaboard,photonicat-pmu'" in f.message for f in found if f.rule == "binding/resourceless-child")
    quoted = "Driver for the Power Management MCU in the Ariaboard Photonicat,"
    assert [f for f in at(found, quoted) if f.rule == "binding/describes-driver"]
    # the hardware words there are fine: no other describes-driver finding
    assert len([f for f in found if f.rule == "binding/describes-driver"]) == 1


# -- accepted mainline bindings: none of these rules, at any severity ----------------------------

def test_accepted_bindings_are_quiet(corpus):
    root = corpus / "accepted-bindings"
    files = sorted(root.rglob("*.yaml"))
    assert len(files) >= 20
    noisy = []
    for f in files:
        rel = f.relative_to(root).as_posix()
        ex = {"subject": f"dt-bindings: {rel.split('/')[0]}: Add {f.stem}",
              "files": {"Documentation/devicetree/bindings/" + rel: f.read_text(encoding="utf-8")}}
        for s in load_bytes(render_example(ex, "acc"), rel):
            noisy += [(rel, x.rule, x.text) for x in check_series(s, DESIGN, Options()).findings]
    assert noisy == []
