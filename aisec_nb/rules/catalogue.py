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
    aliases = ["AISEC-PKL-OLD"]        # optional: earlier codes of the same rule

They are read and checked once, on first use; :func:`load` reads and checks another folder of
such files (the same checks, so a malformed table is refused with its file and code named).
This module imports no third-party library, so ``aisec-nb rules`` answers at interpreter speed.
Example::

    >>> r = rule("AISEC-DATA-Q07")
    >>> r.kind, r.area, r.title
    ('duplicate_rows', 'data', 'Duplicate rows')
    >>> rule("aisec-data-q07") is r
    True
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from ..errors import AisecError, UsageError

if TYPE_CHECKING:
    from ..record import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

AREAS = ("scan", "data", "drift", "lint", "threats", "card")
"""The catalogue files, in the order ``aisec-nb rules`` lists them."""

SEVERITIES = ("info", "low", "medium", "high", "critical")
"""The Record's severities, mildest first (kept equal to ``record.Severity`` by a test)."""

CODE = re.compile(r"^AISEC-[A-Z0-9]+(?:-[A-Z0-9]+)?$")
FIELDS = ("kind", "severity", "title", "why", "fix", "guideline")
OPTIONAL_FIELDS = ("aliases",)
KIND = re.compile(r"^[a-z][a-z0-9_]*$")


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

    @property
    def help_text(self) -> str:
        """Why the rule matters, then how to fix what it found (one paragraph each)."""
        return f"{self.why}\n\nFix: {self.fix}"


def _package() -> Traversable:
    return resources.files("aisec_nb.rules")


def _read_toml(folder: Traversable, name: str, label: str) -> dict[str, Any]:
    try:
        return tomllib.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AisecError(f"{label}/{name}: cannot be read as TOML: {exc}") from None


@cache
def guideline_subsections() -> Mapping[str, str]:
    """Each of the guidelines' 17 subsection headings -> its section, in document order."""
    out: dict[str, str] = {}
    for section in _read_toml(_package(), "guidelines.toml", "rules")["section"]:
        for heading in section["subsections"]:
            out[heading] = section["name"]
    return MappingProxyType(out)


def _rule(area: str, code: str, table: Any, where: str) -> Rule:
    if not CODE.match(code):
        raise AisecError(f"{where}: not a rule code of the form AISEC-AREA-NNN")
    if not isinstance(table, dict):
        raise AisecError(f"{where}: must be a table")
    missing = [k for k in FIELDS if not isinstance(table.get(k), str) or not table[k].strip()]
    unknown = sorted(set(table) - set(FIELDS) - set(OPTIONAL_FIELDS))
    if missing or unknown:
        raise AisecError(f"{where}: missing or empty {missing}, unknown {unknown}")
    if table["severity"] not in SEVERITIES:
        raise AisecError(f"{where}: severity {table['severity']!r} is not one of "
                         f"{list(SEVERITIES)}")
    if not KIND.match(table["kind"]):
        raise AisecError(f"{where}: kind {table['kind']!r} is not a snake_case name")
    sections = guideline_subsections()
    if table["guideline"] not in sections:
        raise AisecError(f"{where}: guideline {table['guideline']!r} is not a subsection "
                         "heading of rules/guidelines.toml")
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list) or not all(
            isinstance(a, str) and CODE.match(a) for a in aliases):
        raise AisecError(f"{where}: aliases must be a list of codes")
    return Rule(code=code, area=area, kind=table["kind"],
                severity=cast("Severity", table["severity"]), title=table["title"].strip(),
                why=table["why"].strip(), fix=table["fix"].strip(), guideline=table["guideline"],
                section=sections[table["guideline"]], aliases=tuple(aliases))


def load(folder: Traversable | Path | None = None) -> Mapping[str, Rule]:
    """Read and check the catalogue files of ``folder`` (default: those shipped here).

    Every area file present is read; a file that is not TOML, a table with a missing, empty or
    unknown field, a severity or guideline that does not exist, or a code (or alias) catalogued
    twice raises :class:`AisecError` naming the file and the code.
    """
    root = _package() if folder is None else folder
    label = "rules" if folder is None else str(folder)
    out: dict[str, Rule] = {}
    for area in AREAS:
        name = f"{area}.toml"
        if not root.joinpath(name).is_file():
            continue
        for code, table in _read_toml(root, name, label).items():
            made = _rule(area, code, table, f"{label}/{name} [{code}]")
            for known in (code, *made.aliases):
                if known in out:
                    raise AisecError(f"{label}/{name} [{code}]: code {known} is catalogued "
                                     f"twice (also in {label}/{out[known].area}.toml)")
                out[known] = made
    return MappingProxyType(out)


@cache
def by_code() -> Mapping[str, Rule]:
    """Every shipped rule, by code (aliases included), areas in :data:`AREAS` order."""
    return load()


def rules(area: str | None = None) -> tuple[Rule, ...]:
    """The rules (each once, aliases not repeated), of one area or of all."""
    seen = {r.code: r for r in by_code().values()}
    return tuple(r for r in seen.values() if area is None or r.area == area)


def find(code: str) -> Rule | None:
    """The rule of ``code`` (any case, or one of its aliases), or ``None``."""
    return by_code().get(code.strip().upper())


def rule(code: str) -> Rule:
    """The rule of ``code`` (any case, or one of its aliases).

    Raises :class:`UsageError` naming the code when it is not catalogued.
    """
    found = find(code)
    if found is None:
        import difflib

        close = difflib.get_close_matches(code.strip().upper(), list(by_code()), n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise UsageError(f"unknown rule code {code!r}; {hint}`aisec-nb rules` lists every code")
    return found
