"""The kernel-tree index: what it finds, at which commit, and its on-disk cache."""

from __future__ import annotations

import shutil

import pytest

from kernel_repo import KernelRepo
from reviewtool.errors import InputError
from reviewtool.tree import (
    SourceTree,
    find_kernel_tree,
    txt_compatibles,
    vendor_prefix_keys,
    yaml_compatibles,
)

NEW_BINDING = """\
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
%YAML 1.2
---
$id: http://devicetree.org/schemas/misc/acme,widget.yaml#
$schema: http://devicetree.org/meta-schemas/core.yaml#
title: ACME widget
properties:
  compatible:
    const: acme,widget
additionalProperties: false
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def repo(tmp_path) -> KernelRepo:
    return KernelRepo(tmp_path / "linux")


def test_yaml_compatibles_reads_every_form():
    text = """\
properties:
  compatible:
    oneOf:
      - items:
          - enum:
              - acme,foo-v2
              - "acme,foo-v3"
          - const: acme,foo
      - const: 'acme,bar'
      - enum: [ "acme,x1", 'acme,x2' ]
      - pattern: '^acme,baz-[0-9]+$'
      - pattern: '^[a-z]+,.*$'
  reg:
    const: 1
  child:
    type: object
    properties:
      compatible: { const: "acme,child" }  # unquoted, a flow mapping splits at the comma
required:
  - compatible
  - reg
examples:
  - |
    node { compatible = "other,device"; };
"""
    found, patterns = yaml_compatibles(text)
    assert found == {"acme,foo-v2", "acme,foo-v3", "acme,foo", "acme,bar", "acme,x1", "acme,x2", "acme,child"}
    assert patterns == ["^acme,baz-[0-9]+$"]  # the generic format check documents nothing


def test_txt_and_vendor_prefix_scanning():
    assert {"fsl,imx-foo", "fsl,imx-bar", "simple-foo"} <= txt_compatibles(
        '- compatible: should be "fsl,imx-foo" or fsl,imx-bar, or "simple-foo"\n')
    plain, regexes = vendor_prefix_keys('patternProperties:\n  "^(at25|bm),.*": true\n  "^acme,.*":\n'
                                        "    description: ACME\n  '^asahi-kasei,.*':\n    description: x\n")
    assert plain == {"acme", "asahi-kasei"} and regexes == ["^(at25|bm),.*"]


def test_index_of_a_git_tree(repo):
    tree = SourceTree(repo.path)
    view = tree.at(None)
    assert view.documents("acme,existing") == "Documentation/devicetree/bindings/misc/acme,existing.yaml"
    assert view.documents("acme,existing-v2") is not None
    assert view.documents("acme,legacy-timer") == "Documentation/devicetree/bindings/timer/acme-legacy-timer.txt"
    assert view.documents("acme,nowhere") is None
    assert view.has_vendor_prefix("acme") and view.has_vendor_prefix("st-plgpio")
    assert not view.has_vendor_prefix("zeta")
    assert view.list_dir("Documentation/devicetree/bindings") == ["mailbox", "misc", "timer", "vendor-prefixes.yaml"]
    assert "Documentation/devicetree/bindings/misc/acme,existing.yaml" in view.binding_files()
    assert view.label.startswith(f"the kernel tree at {repo.path}")


def test_view_at_base_commit_does_not_see_later_bindings(repo):
    repo.branch("work")
    repo.commit("dt-bindings: misc: Add ACME widget", "The widget.",
                {"Documentation/devicetree/bindings/misc/acme,widget.yaml": NEW_BINDING})
    tree = SourceTree(repo.path)
    assert tree.at(repo.base).documents("acme,widget") is None
    assert tree.at(None).documents("acme,widget") is not None  # HEAD
    assert tree.at("0" * 40).documents("acme,widget") is not None  # unknown base: HEAD
    assert tree.at(repo.base).read_file("Documentation/devicetree/bindings/misc/acme,widget.yaml") is None
    assert tree.at(None).read_file("Documentation/devicetree/bindings/misc/acme,widget.yaml") == NEW_BINDING


def test_cache_is_keyed_by_the_bindings_tree(repo, tmp_path):
    first = SourceTree(repo.path)
    first.at(None).documents("acme,existing")
    assert first.last_build == {"files": 4, "cached": False}
    second = SourceTree(repo.path)
    second.at(None).documents("acme,existing")
    assert second.last_build["cached"] is True
    # A commit that does not touch the bindings keeps the same cache entry ...
    repo.commit("misc: acme: Touch the driver", "x", {"drivers/misc/acme-existing.c": "int x;\n"})
    third = SourceTree(repo.path)
    third.at(None).documents("acme,existing")
    assert third.last_build["cached"] is True
    # ... a commit that does gets a new one, and sees the change.
    repo.commit("dt-bindings: misc: Add ACME widget", "x",
                {"Documentation/devicetree/bindings/misc/acme,widget.yaml": NEW_BINDING})
    fourth = SourceTree(repo.path)
    assert fourth.at(None).documents("acme,widget")
    assert fourth.last_build["cached"] is False
    assert len(list((tmp_path / "cache" / "reviewtool" / "tree").glob("git-*.json"))) == 2


def test_plain_directory_tree(repo, tmp_path):
    plain = tmp_path / "linux-tarball"
    shutil.copytree(repo.path, plain, ignore=shutil.ignore_patterns(".git"))
    tree = SourceTree(plain)
    view = tree.at("deadbeef")  # no git: the directory as it is
    assert view.documents("acme,existing") and view.rev is None
    (plain / "Documentation/devicetree/bindings/misc/acme,widget.yaml").write_text(NEW_BINDING)
    again = SourceTree(plain)
    assert again.at(None).documents("acme,widget")
    assert again.last_build["cached"] is False
    assert again.at(None).read_file("Documentation/devicetree/bindings/misc/acme,widget.yaml") == NEW_BINDING


def test_find_kernel_tree(repo, tmp_path):
    assert find_kernel_tree(None, str(repo.path)).root == repo.path.resolve()
    sub = repo.path / "drivers" / "misc"
    assert find_kernel_tree(None, None, cwd=str(sub)).root == repo.path.resolve()
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    assert find_kernel_tree(None, None, cwd=str(other)) is None
    with pytest.raises(InputError, match="not a kernel tree"):
        find_kernel_tree(str(other), None)
    with pytest.raises(InputError, match="no such directory"):
        find_kernel_tree(str(tmp_path / "missing"), None)


def test_modified_binding_is_rebuilt_from_the_tree(repo):
    """binding.py asks the tree for the base file of a binding a patch modifies."""
    from reviewtool.artifacts.binding import build_doc
    from reviewtool.sources.git import load
    from reviewtool.sources.resolve import LoadOptions

    repo.branch("work")
    path = "Documentation/devicetree/bindings/misc/acme,existing.yaml"
    repo.commit("dt-bindings: misc: acme,existing: Add interrupts", "It has one.",
                {path: repo.read(path).replace("  reg:\n    maxItems: 1\n",
                                               "  reg:\n    maxItems: 1\n\n  interrupts:\n    maxItems: 1\n")})
    (series,) = load("master..work", LoadOptions(repo=str(repo.path)))
    fc = series.patches[0].file(path)
    view = SourceTree(repo.path).at(series.base_commit)
    doc = build_doc(fc, view.read_file(path))
    assert doc.complete and doc.get("properties", "interrupts", "maxItems") == 1
    assert not build_doc(fc, None).complete


def test_index_lists_pattern_documented_compatibles_but_not_naming_rules():
    """Compatibles a binding documents only by a pattern (PHY IDs, USB IDs) are
    documented; a naming-convention schema's patterns (it selects by a
    compatible pattern and accepts any property) document nothing."""
    phy = """\
select:
  properties:
    $nodename:
      pattern: "^ethernet-phy(@[a-f0-9]+)?$"
properties:
  compatible:
    oneOf:
      - items:
          - pattern: "^ethernet-phy-id[a-f0-9]{4}\\\\.[a-f0-9]{4}$"
          - const: ethernet-phy-ieee802.3-c22
      - const: ethernet-phy-ieee802.3-c45
additionalProperties: true
"""
    found, patterns = yaml_compatibles(phy)
    assert found == {"ethernet-phy-ieee802.3-c22", "ethernet-phy-ieee802.3-c45"}
    assert patterns == ["^ethernet-phy-id[a-f0-9]{4}\\.[a-f0-9]{4}$"]
    naming = """\
select:
  properties:
    compatible:
      pattern: "^acme,.*(soc)[0-9]+.*$"
  required: [compatible]
properties:
  compatible:
    oneOf:
      - pattern: "^acme,soc[0-9]+-.*$"
      - enum:
          - acme,legacy-soc1
additionalProperties: true
"""
    assert yaml_compatibles(naming) == ({"acme,legacy-soc1"}, [])


def test_index_reads_compatibles_named_in_conditions_and_branches():
    text = """\
select:
  properties:
    compatible:
      contains:
        enum:
          - ethernet-phy-id03a1.b445
properties:
  compatible:
    const: acme,pmic
allOf:
  - if:
      properties:
        compatible:
          contains:
            const: acme,pmic
    then:
      patternProperties:
        "^regulator-":
          type: object
          properties:
            compatible:
              enum:
                - acme,pmic-ldo1
"""
    found, _ = yaml_compatibles(text)
    assert found == {"ethernet-phy-id03a1.b445", "acme,pmic", "acme,pmic-ldo1"}


def test_tree_view_documents_a_pattern_compatible(repo):
    repo.commit("dt-bindings: usb: Add USB devices", "x", {
        "Documentation/devicetree/bindings/usb/usb-device.yaml":
            "properties:\n  compatible:\n    pattern: '^usb[0-9a-f]{1,4},[0-9a-f]{1,4}$'\n"})
    view = SourceTree(repo.path).at(None)
    assert view.documents("usb424,2514") == "Documentation/devicetree/bindings/usb/usb-device.yaml"
    assert view.documents("acme,usb-hub") is None


def test_symlinked_header_is_read_through_its_link_at_a_commit(repo):
    """The kernel links dt-bindings headers to one another (qcom,dispcc-sm8150.h
    -> qcom,dispcc-sm8250.h); at a commit git gives the link's text, which must
    be followed inside the tree -- never out of it."""
    d = repo.path / "include/dt-bindings/clock"
    d.mkdir(parents=True, exist_ok=True)
    (d / "acme,a2.h").write_text("#define ACME_A2_CLK 3\n")
    (d / "acme,a1.h").symlink_to("acme,a2.h")
    (d / "chain.h").symlink_to("acme,a1.h")
    (d / "escape.h").symlink_to("../../../../etc/passwd")
    repo.git("add", "include")
    rev = repo.commit("Add clock headers")
    tree = SourceTree(repo.path)
    assert tree.read_file(rev, "include/dt-bindings/clock/acme,a1.h") == "#define ACME_A2_CLK 3\n"
    assert tree.read_file(rev, "include/dt-bindings/clock/chain.h") == "#define ACME_A2_CLK 3\n"
    assert tree.read_file(rev, "include/dt-bindings/clock/escape.h") is None
    assert tree.read_file(rev, "include/dt-bindings/clock/acme,a2.h") == "#define ACME_A2_CLK 3\n"


def _cached_index(path):
    tree = SourceTree(path)
    idx = tree.index(tree.resolve(None))
    assert tree.last_build["cached"] is True
    return idx


@pytest.mark.parametrize("damage", ["none", "missing", "garbage", "old-version"])
def test_the_cached_index_reads_its_large_parts_on_first_use(repo, tmp_path, damage):
    built = SourceTree(repo.path)
    full = built.index(built.resolve(None))
    assert built.last_build["cached"] is False and full.compatibles and "acme,existing" in full.compatibles
    big = list((tmp_path / "cache" / "reviewtool" / "tree").glob("big-git-*.json"))
    assert len(big) == 1
    if damage == "missing":
        big[0].unlink()
    elif damage == "garbage":
        big[0].write_text("[1, 2")
    elif damage == "old-version":
        big[0].write_text(big[0].read_text().replace('"version": 5', '"version": 4'))
    idx = _cached_index(repo.path)
    assert "compatibles" not in vars(idx) and "names" not in vars(idx)  # not read yet
    assert idx.files == full.files and idx.vendors == full.vendors
    assert idx.compatibles == full.compatibles and idx.names == full.names and idx == full
    assert "_load_deferred" not in vars(idx)
    # a damaged part was rebuilt and stored again: the next run reads it
    assert _cached_index(repo.path).compatibles == full.compatibles
    with pytest.raises(AttributeError):
        idx.no_such_field


def test_ref_lines_name_the_bindings_that_build_on_a_file(repo):
    """closed-schema asks the tree which bindings $ref a schema (6.12's mtd-physmap.yaml, fixed-partitions.yaml)."""
    repo.commit("dt-bindings: mtd: Add flash bindings", "x", {
        "Documentation/devicetree/bindings/mtd/acme-physmap.yaml": "properties:\n  compatible:\n    const: acme,flash\n",
        "Documentation/devicetree/bindings/mtd/acme,hbmc.yaml":
            "patternProperties:\n  '^flash@':\n    $ref: acme-physmap.yaml\n",
        "Documentation/devicetree/bindings/mtd/acme,notes.yaml": "description: unlike acme-physmap.yaml, ...\n"})
    for view in (SourceTree(repo.path).at(None), SourceTree(repo.path).at(repo.git("rev-parse", "HEAD").strip())):
        assert view.ref_lines("acme-physmap.yaml") == [
            ("Documentation/devicetree/bindings/mtd/acme,hbmc.yaml", "    $ref: acme-physmap.yaml")]
        assert view.ref_lines("acme,hbmc.yaml") == []
