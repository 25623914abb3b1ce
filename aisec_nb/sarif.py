"""A small, generic SARIF 2.1.0 writer: rules and results in, a SARIF log (plain JSON) out.

Used by ``aisec-nb scan --format sarif`` and ``aisec-nb lint --format sarif``. Severities map to
SARIF levels (critical/high -> error, medium/low -> warning, info -> note).
:func:`catalogue_rule` describes a rule from the rule catalogue: its title, why and fix, and the
guideline subsection it serves.

Example::

    >>> log = sarif_log("aisec-nb", "0.1", [Rule("R1", "a rule")],
    ...                 [Result("R1", "high", "bad thing", uri="model.pkl")])
    >>> log["runs"][0]["results"][0]["level"]
    'error'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning",
          "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0",
                     "info": "0.0"}
"""GitHub code scanning reads ``properties.security-severity`` (a CVSS-like score)."""


@dataclass(frozen=True)
class Rule:
    """A rule: a stable id, a one-line description and, optionally, its longer texts."""

    id: str
    text: str
    help_uri: str | None = None
    description: str | None = None
    """``fullDescription``: what the rule means."""
    help: str | None = None
    """``help``: what the rule means and what to do about it (plain text, also used as Markdown)."""
    severity: str | None = None
    """The rule's default severity, for a rule that no result uses."""
    tags: tuple[str, ...] = ("security",)
    properties: Mapping[str, Any] = field(default_factory=dict)


def catalogue_rule(code: str) -> Rule:
    """The SARIF rule of a catalogued ``code``; a code the catalogue does not know (a record
    written by another version) keeps its code as its description."""
    from .rules import find

    known = find(code)
    if known is None:
        return Rule(code, code)
    return Rule(
        code,
        known.title,
        description=f"{known.why} Fix: {known.fix}",
        help=f"{known.help_text}\n\nGuideline: {known.guideline_ref}",
        severity=known.severity,
        tags=("security", known.area, known.kind),
        properties={"guideline": known.guideline_ref, "guideline_section": known.section,
                    "guideline_subsection": known.guideline},
    )


@dataclass(frozen=True)
class Result:
    """One finding at a file (``uri``, relative, forward slashes), optionally inside it."""

    rule_id: str
    severity: str
    message: str
    uri: str | None = None
    logical: str | None = None
    """Where inside the artifact: an archive member, a config path, a cell."""
    start_line: int | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    suppression: str | None = None
    """The justification of an in-source suppression (``# aisec: ignore[CODE] reason``)."""


def _rule(rule: Rule, severity: str | None) -> dict[str, Any]:
    """``severity`` is the worst of the rule's results (GitHub ranks an alert by its rule)."""
    out: dict[str, Any] = {"id": rule.id, "shortDescription": {"text": rule.text}}
    if rule.description:
        out["fullDescription"] = {"text": rule.description}
    if rule.help:
        out["help"] = {"text": rule.help, "markdown": rule.help}
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    severity = severity or rule.severity
    if severity is not None:
        out["defaultConfiguration"] = {"level": LEVELS.get(severity, "warning")}
        out["properties"] = {"security-severity": SECURITY_SEVERITY.get(severity, "5.0"),
                             "tags": list(rule.tags), **rule.properties}
    elif rule.properties:
        out["properties"] = {"tags": list(rule.tags), **rule.properties}
    return out


def _result(item: Result, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": item.rule_id,
        "ruleIndex": index,
        "level": LEVELS.get(item.severity, "warning"),
        "message": {"text": item.message},
    }
    location: dict[str, Any] = {}
    if item.uri is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": item.uri}}
        if item.start_line is not None:
            physical["region"] = {"startLine": item.start_line}
        location["physicalLocation"] = physical
    if item.logical is not None:
        location["logicalLocations"] = [{"fullyQualifiedName": item.logical}]
    if location:
        out["locations"] = [location]
    props = {"severity": item.severity, **item.properties}
    out["properties"] = props
    if item.suppression is not None:
        out["suppressions"] = [{"kind": "inSource", "justification": item.suppression}]
    return out


def sarif_log(tool: str, version: str, rules: Iterable[Rule], results: Iterable[Result],
              *, information_uri: str | None = None) -> dict[str, Any]:
    """A complete SARIF log with one run. Rules that no result uses are kept only if listed."""
    items = list(results)
    known = {r.id: r for r in rules}
    for item in items:
        known.setdefault(item.rule_id, Rule(item.rule_id, item.rule_id))
    order = sorted(known)
    index = {rule_id: i for i, rule_id in enumerate(order)}
    worst: dict[str, str] = {}
    rank = list(LEVELS)
    for item in items:
        seen = worst.get(item.rule_id)
        if seen is None or rank.index(item.severity) < rank.index(seen):
            worst[item.rule_id] = item.severity
    driver: dict[str, Any] = {
        "name": tool,
        "version": version,
        "rules": [_rule(known[r], worst.get(r)) for r in order],
    }
    if information_uri:
        driver["informationUri"] = information_uri
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": driver},
            "results": [_result(item, index[item.rule_id]) for item in items],
            "columnKind": "unicodeCodePoints",
        }],
    }
