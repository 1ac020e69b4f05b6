"""``reviewtool rules`` and ``reviewtool explain``: the catalogue documents itself.

A finding names a rule; a user who disagrees or wants the background asks
the tool, not a web page.  ``rules`` lists the catalogue as it applies here
(built-in plus extra directories, with the config's severity overrides and
switched-off rules shown), ``explain`` prints one rule: rationale,
references with links, its bad and good examples rendered as real patch
mail, what the tool says on the bad one, and how to silence it.
"""

from __future__ import annotations

import difflib
import json
import os
import textwrap
from dataclasses import dataclass
from typing import IO, Any

from .catalog import Rule, load_catalog
from .errors import InputError

WIDTH = 88
_SHOWN_HEADERS = ("From:", "Subject:", "In-Reply-To:")


@dataclass
class Catalogue:
    rules: list[Rule]
    severity: dict[str, str]  # effective overrides from config files
    disabled: set[str]

    def effective(self, rule: Rule) -> str:
        return self.severity.get(rule.id, rule.severity)


def load(rules_dirs: list[str], use_config: bool = True, verify_checks: bool = False) -> Catalogue:
    """The catalogue as it applies here (``verify_checks``: see ``catalog.load_catalog``)."""
    severity: dict[str, str] = {}
    disabled: set[str] = set()
    dirs = list(rules_dirs)
    if use_config:
        from .config import load_config

        cfg = load_config()
        dirs = [*cfg.rules_dirs, *(d for d in dirs if d not in cfg.rules_dirs)]
        rules = load_catalog(dirs, verify_checks=verify_checks)
        cfg.check_rule_ids({r.id for r in rules})
        severity, disabled = dict(cfg.severity), set(cfg.disable)
    else:
        rules = load_catalog(dirs, verify_checks=verify_checks)
    return Catalogue(rules, severity, disabled)


def rules_json(cat: Catalogue) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "severity": cat.effective(r),
            "default_severity": r.severity,
            "enabled": r.id not in cat.disabled,
            "family": r.family,
            "scope": r.scope,
            "form": r.form,
            "summary": r.summary,
            "references": list(r.references),
            "source": r.source,
            "precision": [{"right": m.right, "sample": m.sample, "date": m.date, "corpus": m.corpus}
                          for m in r.precision],
            "subsumes": list(r.subsumes),
            "per_file": r.per_file,
        }
        for r in cat.rules
    ]


def print_rules(cat: Catalogue, fmt: str, stream: IO[str]) -> None:
    if fmt == "json":
        json.dump(rules_json(cat), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
        return
    if fmt != "table":
        raise InputError(f"unknown format {fmt!r} (choose from table, json)")
    from .textlayout import width_for, wrap

    # Plain columns, no rich: listing the rules must start as fast as --help.
    colour = stream.isatty() and not os.environ.get("NO_COLOR")
    ansi = {"error": "1;31", "warning": "33", "info": "36", "dim": "2", "bold": "1"}

    def paint(text: str, style: str, pad: int = 0) -> str:
        cell = text.ljust(pad)
        return f"\x1b[{ansi[style]}m{text}\x1b[0m{cell[len(text):]}" if colour and style in ansi else cell

    rows = []
    for r in cat.rules:
        sev = cat.effective(r)
        off = r.id in cat.disabled
        label = "off" if off else sev + ("*" if sev != r.severity else "")
        rows.append((r, label, "dim" if off else sev))
    id_w = max([len("id"), *(len(r.id) for r, _, _ in rows)])
    sev_w = max([len("severity"), *(len(label) for _, label, _ in rows)])
    fam_w = max([len("family"), *(len(r.family) for r, _, _ in rows)])
    lead = id_w + sev_w + fam_w + 6
    width = max(width_for(stream), lead + 20)
    stream.write(paint(f"{'id':<{id_w}}  {'severity':<{sev_w}}  {'family':<{fam_w}}  summary", "bold") + "\n")
    for r, label, style in rows:
        summary = wrap(r.summary, width - lead, "", "")
        head = (paint(r.id, "dim" if style == "dim" else "bold", id_w) + "  " + paint(label, style, sev_w) + "  "
                + f"{r.family:<{fam_w}}  ")
        stream.write(head + summary[0] + "\n")
        for more in summary[1:]:
            stream.write(" " * lead + more + "\n")
    notes = []
    if any(cat.effective(r) != r.severity for r in cat.rules):
        notes.append("* severity changed by a config file")
    if cat.disabled:
        notes.append("off: switched off by a config file")
    n = len(cat.rules)
    stream.write(f"{n} rule{'s' if n != 1 else ''}. " + "; ".join(notes) + ("." if notes else "")
                 + " 'reviewtool explain ID' tells more about one.\n")


def find_rule(cat: Catalogue, rule_id: str) -> Rule:
    for r in cat.rules:
        if r.id == rule_id:
            return r
    ids = [r.id for r in cat.rules]
    hint = difflib.get_close_matches(rule_id, ids, n=3) or [i for i in ids if rule_id in i][:3]
    extra = f"; did you mean {', '.join(hint)}?" if hint else " (see 'reviewtool rules')"
    raise InputError(f"unknown rule id {rule_id!r}{extra}")


def example_text(example: dict[str, Any], name: str) -> str:
    """A compact example rendered as the patch mail the tool would read."""
    from .examples import render_example

    raw = render_example(example, name).decode("utf-8")
    out: list[str] = []
    for mail in raw.split("From mboxrd@z Thu Jan  1 00:00:00 1970\n"):
        if not mail.strip():
            continue
        head, _, body = mail.partition("\n\n")
        shown = [h for h in head.split("\n") if h.startswith(_SHOWN_HEADERS)]
        if out:
            out.append("")
        out.extend(shown + [""] + body.rstrip("\n").split("\n"))
    return "\n".join(out)


def example_findings(rule: Rule, example: dict[str, Any], name: str) -> list[str]:
    """What the rule says on an example (run for real, so the doc cannot lie)."""
    from dataclasses import replace

    from .archive.examples import example_options
    from .engine import check_series
    from .examples import render_example
    from .sources.mbox import load_bytes

    series_list = load_bytes(render_example(example, name), f"example {name}")
    out = []
    options = replace(example_options(example), only=frozenset({rule.id}))  # with its archive, if it has one
    for s in series_list:
        report = check_series(s, [rule], options)
        for f in report.findings:
            where = f"{f.path}:{f.line}" if f.anchor == "diff" and f.path else f.anchor
            out.append(f"{where}: {f.severity}: {f.message}")
    return out


def explain(cat: Catalogue, rule_id: str, stream: IO[str]) -> None:
    from .report.links import reference_url

    rule = find_rule(cat, rule_id)
    w = stream.write
    sev = cat.effective(rule)
    state = " (switched off by a config file)" if rule.id in cat.disabled else ""
    changed = f", default {rule.severity}" if sev != rule.severity else ""
    w(f"{rule.id} — {sev}{changed}, family {rule.family}, scope {rule.scope}{state}\n")
    w(_wrap(rule.summary, "") + "\n\n")
    w("Precision (severity means confidence: error >= 95 %, warning >= 85 % judged right)\n")
    if rule.precision:
        for m in rule.precision:
            w(_wrap(m.describe(), "  ") + "\n")
    else:
        w("  not measured yet\n")
    if rule.subsumes:
        w(f"  On a line where it fires it also stands for: {', '.join(rule.subsumes)}\n")
    if rule.per_file:
        w("  Its findings in one file are one remark listing every place.\n")
    w("\n")
    w("Why\n" + "\n".join(_wrap(p, "  ") for p in _paragraphs(rule.rationale)) + "\n\n")
    w("References\n")
    for ref in rule.references:
        url = reference_url(ref)
        w(f"  - {ref}\n")
        if url and url not in ref:
            w(f"    {url}\n")
    w("\n")
    for kind, examples in (("bad", rule.examples_bad), ("good", rule.examples_good)):
        for i, ex in enumerate(examples, 1):
            name = f"{rule.id.replace('/', '-')}-{kind}{i}"
            title = "Fires on" if kind == "bad" else "Does not fire on"
            w(f"Example {i} ({kind}) — {title}:\n")
            w(textwrap.indent(example_text(ex, name), "  | ", lambda _: True) + "\n")
            if kind == "bad":
                said = _safe_findings(rule, ex, name)
                if said:
                    w("  reviewtool says:\n")
                    for line in said:
                        w(_wrap(line, "    ") + "\n")
            w("\n")
    w("Silence it\n")
    w(f"  once:         reviewtool check --disable {rule.id} ...\n")
    w(f"  in a repo:    .reviewtool.toml:  disable = [\"{rule.id}\"]\n")
    from .config import user_config_path

    w(f"  everywhere:   the same line in {user_config_path()}\n")
    w(f"  or demote it: [severity] \"{rule.id}\" = \"info\"\n")


def _safe_findings(rule: Rule, ex: dict[str, Any], name: str) -> list[str]:
    try:
        return example_findings(rule, ex, name)
    except InputError as exc:  # a user rule with a broken example: say so, keep explaining
        return [f"(could not run this example: {exc})"]


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)
