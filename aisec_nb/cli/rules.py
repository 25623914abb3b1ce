"""``aisec-nb rules [CODE] [--format text|json]``: the rule catalogue.

Without CODE, every rule of the scanner, the data checks, the drift monitor and the linter: code,
default severity, title and the guideline subsection it serves, grouped by area. With CODE (any
case, or an earlier code of a rule), what that rule means, how to fix what it found and where in
the guidelines it belongs. An unknown code exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..rules import Rule

HELP = "list every rule code (severity, title, guideline), or explain one: why, fix, guideline"
AREA_NAMES = {
    "scan": "model files (aisec-nb scan, %aisec check model)",
    "data": "DataFrames (aisec-nb check-data, %aisec check data)",
    "drift": "live data against a reference (%aisec monitor, Monitor)",
    "lint": "notebooks' recorded evidence (aisec-nb lint)",
    "threats": "the threat model and risk register (%aisec threats, aisec-nb threats)",
    "card": "model cards (%aisec card, aisec-nb card)",
}
WIDTH = 88
TITLE_WIDTH = 64
"""Longer titles are cut in the table (``…``); ``aisec-nb rules CODE`` shows them whole."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", nargs="?", metavar="CODE",
                        help="a rule code to explain, e.g. AISEC-PKL-001 (any case)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default text)")


def to_json(rule: Rule) -> dict[str, Any]:
    """A rule as plain JSON."""
    return {
        "code": rule.code,
        "area": rule.area,
        "kind": rule.kind,
        "severity": rule.severity,
        "title": rule.title,
        "why": rule.why,
        "fix": rule.fix,
        "guideline": rule.guideline,
        "section": rule.section,
        "aliases": list(rule.aliases),
    }


def short_title(title: str) -> str:
    """``title`` as the table shows it: at most :data:`TITLE_WIDTH` characters.

    >>> short_title("Duplicate rows")
    'Duplicate rows'
    >>> len(short_title("x" * 100)), short_title("x" * 100)[-1]
    (64, '…')
    """
    return title if len(title) <= TITLE_WIDTH else title[:TITLE_WIDTH - 1].rstrip() + "…"


def render_table(rules: tuple[Rule, ...]) -> str:
    """Every rule, one aligned line each, grouped by area, then a count."""
    from ..rules import AREAS

    code_w = max([len("CODE"), *(len(r.code) for r in rules)])
    sev_w = max([len("SEVERITY"), *(len(r.severity) for r in rules)])
    title_w = max([len("TITLE"), *(len(short_title(r.title)) for r in rules)])

    def line(code: str, severity: str, title: str, guideline: str) -> str:
        return f"  {code:<{code_w}}  {severity:<{sev_w}}  {title:<{title_w}}  {guideline}".rstrip()

    lines = [line("CODE", "SEVERITY", "TITLE", "GUIDELINE")]
    for area in AREAS:
        group = [r for r in rules if r.area == area]
        if not group:
            continue
        lines.extend(["", f"{area}: {AREA_NAMES[area]}, {len(group)} rules"])
        lines.extend(line(r.code, r.severity, short_title(r.title), r.guideline) for r in group)
    lines.extend(["", f"{len(rules)} rules; `aisec-nb rules CODE` explains one."])
    return "\n".join(lines) + "\n"


def _paragraph(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent="  ", subsequent_indent="  ")


def render_rule(rule: Rule, asked: str) -> str:
    """One rule explained: title, severity, area and kind, why, fix and its guideline."""
    lines = [f"{rule.code}  {rule.title}", "",
             f"  severity  {rule.severity} (the default; a check may grade one finding "
             "differently)",
             f"  area      {rule.area}: {AREA_NAMES[rule.area]}",
             f"  kind      {rule.kind}"]
    if rule.aliases:
        lines.append(f"  aliases   {', '.join(rule.aliases)}")
    if asked.strip().upper() != rule.code:
        lines.append(f"  ({asked.strip().upper()} is an earlier code of this rule)")
    lines.extend(["", "Why", *_paragraph(rule.why), "", "Fix", *_paragraph(rule.fix), "",
                  f"Guideline: {rule.guideline_ref}"])
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from ..rules import rule, rules

    if args.code is not None:
        found = rule(args.code)
        out = (json.dumps(to_json(found), indent=2) + "\n" if args.format == "json"
               else render_rule(found, args.code))
    else:
        every = rules()
        out = (json.dumps({"rules": [to_json(r) for r in every]}, indent=2) + "\n"
               if args.format == "json" else render_table(every))
    sys.stdout.write(out)
    return 0
