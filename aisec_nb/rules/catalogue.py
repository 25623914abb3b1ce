"""The one rule catalogue: every finding code aisec-nb can emit, with its default severity, a
title, why it matters, how to fix it, and the guideline subsection it serves.

The rules live in data files beside this module, one per area (``scan.toml``, ``data.toml``,
``drift.toml``, ``lint.toml``), one table per code::

    [AISEC-PKL-001]
    kind = "dangerous_global"          # stable machine name
    severity = "critical"              # the default; a check may raise or lower it per finding
    title = "The pickle imports a callable that can run code"
    why = "Unpickling calls it, so loading the file runs whatever it does."
    fix = "Do not load the file; ask its publisher for a safetensors copy."
    guideline = "Secure your supply chain"   # a subsection heading of guidelines.toml

They are read and checked once, on first use. Example::

    >>> r = rule("AISEC-DATA-Q07")
    >>> r.kind, r.area, r.section
    ('duplicate_rows', 'data', 'Secure development')
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, cast, get_args

from ..errors import AisecError, UsageError
from ..record import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

AREAS = ("scan", "data", "drift", "lint")
"""The catalogue files, in the order ``aisec-nb rules`` lists them."""

CODE = re.compile(r"^AISEC-[A-Z0-9]+(?:-[A-Z0-9]+)?$")
FIELDS = ("kind", "severity", "title", "why", "fix", "guideline")
OPTIONAL_FIELDS = ("aliases",)


@dataclass(frozen=True)
class Rule:
    """One catalogued finding code."""

    code: str
    area: str
    kind: str
    severity: Severity
    title: str
    why: str
    fix: str
    guideline: str
    """A subsection heading of the guidelines, e.g. ``"Secure your supply chain"``."""
    section: str
    """The guideline section that heading belongs to, e.g. ``"Secure development"``."""
    aliases: tuple[str, ...] = ()
    """Earlier codes of this rule, still accepted where a code is given (ignores, suppressions)."""

    @property
    def guideline_ref(self) -> str:
        """``"Secure development: Secure your supply chain"``."""
        return f"{self.section}: {self.guideline}"


def _read_toml(name: str) -> dict[str, Any]:
    text = resources.files("aisec_nb.rules").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def guideline_subsections() -> Mapping[str, str]:
    """Each of the guidelines' 17 subsection headings -> its section, in document order."""
    out: dict[str, str] = {}
    for section in _read_toml("guidelines.toml")["section"]:
        for heading in section["subsections"]:
            out[heading] = section["name"]
    return MappingProxyType(out)


def _rule(area: str, code: str, table: Any) -> Rule:
    where = f"rules/{area}.toml [{code}]"
    if not CODE.match(code):
        raise AisecError(f"{where}: not a rule code of the form AISEC-AREA-NNN")
    if not isinstance(table, dict):
        raise AisecError(f"{where}: must be a table")
    missing = [k for k in FIELDS if not isinstance(table.get(k), str) or not table[k].strip()]
    unknown = sorted(set(table) - set(FIELDS) - set(OPTIONAL_FIELDS))
    if missing or unknown:
        raise AisecError(f"{where}: missing or empty {missing}, unknown {unknown}")
    if table["severity"] not in get_args(Severity):
        raise AisecError(f"{where}: severity {table['severity']!r} is not one of "
                         f"{list(get_args(Severity))}")
    sections = guideline_subsections()
    if table["guideline"] not in sections:
        raise AisecError(f"{where}: guideline {table['guideline']!r} is not a subsection "
                         "heading of rules/guidelines.toml")
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise AisecError(f"{where}: aliases must be a list of codes")
    return Rule(code=code, area=area, kind=table["kind"], severity=cast(Severity,
                table["severity"]), title=table["title"].strip(), why=table["why"].strip(),
                fix=table["fix"].strip(), guideline=table["guideline"],
                section=sections[table["guideline"]], aliases=tuple(aliases))


@cache
def catalogue() -> Mapping[str, Rule]:
    """Every rule, by code (aliases included), areas in :data:`AREAS` order."""
    out: dict[str, Rule] = {}
    for area in AREAS:
        if not resources.files("aisec_nb.rules").joinpath(f"{area}.toml").is_file():
            continue
        for code, table in _read_toml(f"{area}.toml").items():
            made = _rule(area, code, table)
            for name in (code, *made.aliases):
                if name in out:
                    raise AisecError(f"rules/{area}.toml [{code}]: code {name} is catalogued "
                                     f"twice (also in rules/{out[name].area}.toml)")
                out[name] = made
    return MappingProxyType(out)


def rules(area: str | None = None) -> tuple[Rule, ...]:
    """The rules (each once, aliases not repeated), of one area or of all."""
    seen = {r.code: r for r in catalogue().values()}
    return tuple(r for r in seen.values() if area is None or r.area == area)


def rule(code: str) -> Rule:
    """The rule of ``code`` (or of one of its aliases).

    Raises :class:`UsageError` naming the code when it is not catalogued.
    """
    found = catalogue().get(code.strip().upper())
    if found is None:
        prefixes = sorted({c.rsplit("-", 1)[0] for c in catalogue()})
        raise UsageError(f"unknown rule code {code!r}; codes start with "
                         f"{', '.join(prefixes)}")
    return found
