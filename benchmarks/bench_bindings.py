#!/usr/bin/env python3
"""Time to check a series with a 200-line new binding (binding/dt-schema + binding/yamllint).

Separates what a first binding pays once per process (importing yamllint and
dtschema, building dtschema's meta-schema registry) from what every further
binding costs.  Each run is a fresh interpreter, so imports are cold.  Half the
binding's properties carry a ``$ref`` to dt-schema's ``types.yaml`` (the rest
a unit suffix), as real ones do; dtschema_runner's $ref target cache is timed
on and off.

Usage: python benchmarks/bench_bindings.py [--runs N] [--bindings K] [--lines L]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_binding(k: int, lines: int) -> tuple[str, str]:
    """(path, text) of a valid PMIC-style binding of about ``lines`` lines."""
    name = f"acme,bench{k}"
    rel = f"mfd/{name}.yaml"
    head = textwrap.dedent(f"""\
        # SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
        %YAML 1.2
        ---
        $id: http://devicetree.org/schemas/{rel}#
        $schema: http://devicetree.org/meta-schemas/core.yaml#

        title: ACME BENCH{k} power management IC

        maintainers:
          - Ada Example <ada@example.org>

        description:
          A power management IC with many regulators, used to time the binding checks.

        properties:
          compatible:
            const: {name}

          reg:
            maxItems: 1

          interrupts:
            maxItems: 1

        """)
    tail = textwrap.dedent("""\
        required:
          - compatible
          - reg

        additionalProperties: false

        examples:
          - |
            i2c {
                #address-cells = <1>;
                #size-cells = <0>;

                pmic@34 {
                    compatible = "NAME";
                    reg = <0x34>;
                };
            };
        """).replace("NAME", name)
    props = []
    while len((head + "".join(props) + tail).split("\n")) < lines:
        i = len(props) + 1
        if i % 2:  # a standard unit suffix gives the type
            props.append(f"  acme,ldo{i}-soft-start-us:\n    description: Soft-start time of LDO{i}.\n"
                         "    enum: [100, 200, 400, 800]\n\n")
        else:
            props.append(f"  acme,ldo{i}-mode:\n    description: Operating mode of LDO{i}.\n"
                         "    $ref: /schemas/types.yaml#/definitions/uint32\n"
                         "    enum: [0, 1, 2]\n\n")
    return f"Documentation/devicetree/bindings/{rel}", head + "".join(props) + tail


CHILD = r"""
import json, statistics, sys, time
t0 = time.perf_counter()
from reviewtool.catalog import load_catalog
from reviewtool.engine import Options, check_series
from reviewtool.examples import render_example
from reviewtool.sources.mbox import load_bytes
sys.path.insert(0, sys.argv[1])
from bench_bindings import make_binding
K, L, MODE = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rules = load_catalog()
tools = [r for r in rules if r.id in ("binding/dt-schema", "binding/yamllint")]
series = []
for k in range(K):
    path, text = make_binding(k, L)
    mbox = render_example({"subject": f"dt-bindings: mfd: Add ACME BENCH{k} PMIC", "files": {path: text}}, f"b{k}")
    (s,) = load_bytes(mbox, f"bench {k}")
    series.append(s)
out = {"lines": len(text.rstrip("\n").split("\n")), "setup": time.perf_counter() - t0}

def timed(fn):
    t = time.perf_counter(); r = fn(); return time.perf_counter() - t, r

if MODE == "cold":
    # what a user's first binding costs, imports and warm-up included
    out["first_total"], rep = timed(lambda: check_series(series[0], tools, Options()))
    out["findings"] = [(f.rule, f.severity) for f in rep.findings]
else:
    from reviewtool.validators import dtschema_runner, yamllint_runner
    out["import_yamllint"], _ = timed(lambda: (__import__("yamllint.linter"), yamllint_runner._config()))
    out["import_dtschema"], _ = timed(dtschema_runner.load)
    out["registry_warm_up"], _ = timed(dtschema_runner.warm_up)
    out["first_check"], _ = timed(lambda: check_series(series[0], tools, Options()))
    out["next_checks"] = [timed(lambda s=s: check_series(s, tools, Options()))[0] for s in series[1:]]
    docs = [(s.patches[0].files[0].path, s.patches[0].files[0].new_text()) for s in series]
    rel = lambda p: p.split("bindings/", 1)[1]
    from reviewtool.artifacts.binding import parse_yaml
    out["parse_each"] = [timed(lambda t=t: parse_yaml(t))[0] for p, t in docs[1:]]
    parsed = [parse_yaml(t)[0] for p, t in docs]
    out["validate_each"] = [timed(lambda p=p, t=t, d=d: dtschema_runner.validate(rel(p), t, data=d))[0]
                            for (p, t), d in zip(docs[1:], parsed[1:])]
    out["validate_file_each"] = [timed(lambda p=p, t=t: dtschema_runner.validate(rel(p), t))[0] for p, t in docs[1:]]
    if hasattr(dtschema_runner, "set_cache"):  # absent before the $ref target cache existed
        dtschema_runner.set_cache(False)
        out["validate_nocache_each"] = [timed(lambda p=p, t=t, d=d: dtschema_runner.validate(rel(p), t, data=d))[0]
                                        for (p, t), d in zip(docs[1:], parsed[1:])]
        dtschema_runner.set_cache(True)
    out["lint_each"] = [timed(lambda p=p, t=t: yamllint_runner.lint(t, p))[0] for p, t in docs[1:]]
    out["catalogue_each"] = [timed(lambda s=s: check_series(s, rules, Options()))[0] for s in series[1:]]
print(json.dumps(out))
"""


def child(mode: str, bindings: int, lines: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(Path(__file__).parent), str(bindings), str(lines), mode],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ms(values) -> str:
    values = list(values)
    return f"{statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3, help="fresh interpreters per figure")
    ap.add_argument("--bindings", type=int, default=6, help="bindings checked per run (1 first + the rest)")
    ap.add_argument("--lines", type=int, default=200)
    args = ap.parse_args()

    cold = [child("cold", args.bindings, args.lines) for _ in range(args.runs)]
    split = [child("split", args.bindings, args.lines) for _ in range(args.runs)]
    print(f"== a new binding of {cold[0]['lines']} lines; {args.runs} fresh interpreters per figure, "
          f"{args.bindings - 1} further bindings each")
    print(f"  findings on it (must be only info notes, if any): {sorted(set(map(tuple, cold[0]['findings'])))}")
    print("== first binding of a process, binding/dt-schema + binding/yamllint")
    print(f"  cold, everything included           {ms(r['first_total'] for r in cold)}")
    print(f"    import yamllint (+ our config)    {ms(r['import_yamllint'] for r in split)}")
    print(f"    import dtschema                   {ms(r['import_dtschema'] for r in split)}")
    print(f"    meta-schema registry warm-up      {ms(r['registry_warm_up'] for r in split)}")
    print(f"    first check after the above       {ms(r['first_check'] for r in split)}")
    print("== each further binding (same process)")
    print(f"  binding/dt-schema + binding/yamllint {ms(x for r in split for x in r['next_checks'])}")
    print(f"    ruamel parse (shared by all binding rules) {ms(x for r in split for x in r['parse_each'])}")
    print(f"    dtschema validate(), parse reused {ms(x for r in split for x in r['validate_each'])}")
    print(f"    dtschema validate(), own parse    {ms(x for r in split for x in r['validate_file_each'])}")
    if all("validate_nocache_each" in r for r in split):
        print(f"    dtschema validate(), parse reused, $ref cache off "
              f"{ms(x for r in split for x in r['validate_nocache_each'])}")
    print(f"    yamllint lint() alone             {ms(x for r in split for x in r['lint_each'])}")
    print(f"  whole catalogue on the patch        {ms(x for r in split for x in r['catalogue_each'])}")


if __name__ == "__main__":
    main()
