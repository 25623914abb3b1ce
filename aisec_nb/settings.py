"""Project settings: ``[tool.aisec-nb]`` of the nearest ``pyproject.toml``, read and checked once.

The faces (magics, CLI, server) call :func:`load_settings` once per command and pass the typed
parts into the core; a core function given no settings uses the shipped defaults only, so the
core never reads a file it was not handed.

Example ``pyproject.toml``::

    [tool.aisec-nb.scan]
    allow = ["mylib.layers.Custom"]

    [tool.aisec-nb.data]
    missing_share = 0.3

Example::

    >>> s = settings_from_table({"data": {"missing_share": 0.3}, "lint": {"ignore": ["AISEC-L02"]}})
    >>> s.data["missing_share"], sorted(s.lint.ignore), s.scan.allow
    (0.3, ['AISEC-L02'], ())
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .data.thresholds import resolve_thresholds
from .drift.decide import DriftConfig, drift_config
from .errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TOOL_KEY = "aisec-nb"
SECTIONS = ("scan", "data", "drift", "lint", "threats", "card")
"""The tables ``[tool.aisec-nb]`` may hold; ``threats`` and ``card`` are read by their features."""


@dataclass(frozen=True)
class ScanSettings:
    """``[tool.aisec-nb.scan]``: exact ``module.name`` globals added to the scanner's allowlist."""

    allow: tuple[str, ...] = ()


LINT_REQUIREMENTS = ("model-scan", "data-check", "threat-model", "model-card", "monitoring")
"""What ``require`` in ``[tool.aisec-nb.lint]`` may ask of every notebook."""
LINT_SEVERITIES = ("info", "low", "medium", "high", "critical")
LINT_KEYS = ("ignore", "fail_on", "require", "per_path_ignores", "max_output_bytes")


@dataclass(frozen=True)
class LintSettings:
    """``[tool.aisec-nb.lint]``: the linter's policy.

    ``ignore`` and the codes of ``per_path_ignores`` are canonical rule codes (an alias given is
    replaced by its rule's code); ``per_path_ignores`` maps a glob, relative to ``root`` (the
    folder of the ``pyproject.toml``), to the codes skipped there (``"*"``: all of them).
    """

    ignore: frozenset[str] = frozenset()
    fail_on: str = "info"
    """The mildest severity that makes ``aisec-nb lint`` exit 1."""
    require: frozenset[str] = frozenset()
    """Evidence every notebook must carry: a subset of :data:`LINT_REQUIREMENTS`."""
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    max_output_bytes: int = 1_000_000
    """Characters of saved output per cell above which AISEC-OUT-004 reports it."""
    root: Path | None = None


@dataclass(frozen=True)
class Settings:
    """Every setting of a project, resolved over the shipped defaults."""

    scan: ScanSettings = field(default_factory=ScanSettings)
    data: Mapping[str, float] = field(default_factory=lambda: resolve_thresholds())
    """The data checks' thresholds (all of them: defaults overridden by the project)."""
    drift: DriftConfig = field(default_factory=drift_config)
    lint: LintSettings = field(default_factory=LintSettings)
    tables: Mapping[str, Any] = field(default_factory=dict)
    """The raw tables, for features that read their own (``threats``, ``card``)."""
    source: Path | None = None
    """The ``pyproject.toml`` the settings came from (``None``: defaults only)."""


def _table(tables: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = tables.get(name, {})
    if not isinstance(value, Mapping):
        raise UsageError(f"{where}: [tool.{TOOL_KEY}.{name}] must be a table, "
                         f"found {type(value).__name__}")
    return value


def _strings(table: Mapping[str, Any], key: str, where: str, what: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() and v == v.strip() for v in value
    ):
        raise UsageError(f"{where} {key} must be a list of {what}, found {value!r}")
    return tuple(value)


def _globals(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    names = _strings(table, "allow", where, "'module.name' strings")
    for name in names:
        if "." not in name.strip("."):
            raise UsageError(f"{where} allow: {name!r} is not a 'module.name' string (allow "
                             "exact globals such as 'mylib.layers.Custom', not whole modules)")
    return names


def settings_from_table(tables: Mapping[str, Any], source: Path | None = None) -> Settings:
    """Settings from a ``[tool.aisec-nb]`` table already parsed (``source`` names it in errors).

    Raises :class:`UsageError` naming the table and key for an unknown section or key, or a
    value of the wrong type.
    """
    where = str(source) if source is not None else f"[tool.{TOOL_KEY}]"
    unknown = sorted(set(tables) - set(SECTIONS))
    if unknown:
        raise UsageError(f"{where}: unknown table [tool.{TOOL_KEY}.{unknown[0]}]; "
                         f"known: {', '.join(SECTIONS)}")
    scan = _table(tables, "scan", where)
    extra_scan = sorted(set(scan) - {"allow"})
    if extra_scan:
        raise UsageError(f"{where}: unknown key {extra_scan[0]!r} in [tool.{TOOL_KEY}.scan]")
    lint = _table(tables, "lint", where)
    return Settings(
        scan=ScanSettings(allow=_globals(scan, f"{where}: [tool.{TOOL_KEY}.scan]")),
        data=MappingProxyType(resolve_thresholds(project=_table(tables, "data", where))),
        drift=drift_config(project=_table(tables, "drift", where)),
        lint=lint_settings_from_table(lint, where, source.parent if source else None),
        tables=MappingProxyType(dict(tables)),
        source=source,
    )


def _codes(values: tuple[str, ...], where: str, *, wildcard: bool = False) -> frozenset[str]:
    from .rules import find

    out = set()
    for value in values:
        if wildcard and value == "*":
            out.add("*")
            continue
        known = find(value)
        if known is None:
            raise UsageError(f"{where}: unknown rule code {value!r}; `aisec-nb rules` lists "
                             "every code")
        out.add(known.code)
    return frozenset(out)


def lint_settings_from_table(table: Mapping[str, Any], where: str = f"[tool.{TOOL_KEY}]",
                             root: Path | None = None) -> LintSettings:
    """:class:`LintSettings` from a ``[tool.aisec-nb.lint]`` table (``where`` names it).

    Raises :class:`UsageError` naming the key for an unknown key, an unknown rule code or
    requirement, or a value of the wrong type.

    >>> lint_settings_from_table({"fail_on": "high", "ignore": ["aisec-l02"]}).ignore
    frozenset({'AISEC-L02'})
    """
    at = f"{where}: [tool.{TOOL_KEY}.lint]"
    unknown = sorted(set(table) - set(LINT_KEYS))
    if unknown:
        raise UsageError(f"{at}: unknown key {unknown[0]!r}; known: {', '.join(LINT_KEYS)}")
    fail_on = table.get("fail_on", "info")
    if fail_on not in LINT_SEVERITIES:
        raise UsageError(f"{at}: fail_on must be one of {', '.join(LINT_SEVERITIES)}, "
                         f"found {fail_on!r}")
    require = _strings(table, "require", at, "requirements")
    wrong = sorted(set(require) - set(LINT_REQUIREMENTS))
    if wrong:
        raise UsageError(f"{at}: require: unknown requirement {wrong[0]!r}; known: "
                         f"{', '.join(LINT_REQUIREMENTS)}")
    per_path = table.get("per_path_ignores", {})
    if not isinstance(per_path, Mapping):
        raise UsageError(f"{at}: per_path_ignores must be a table of glob = [codes]")
    globs = tuple(
        (str(glob), _codes(_strings(per_path, glob, f"{at}.per_path_ignores", "rule codes"),
                           f"{at}: per_path_ignores[{glob!r}]", wildcard=True))
        for glob in sorted(per_path)
    )
    limit = table.get("max_output_bytes", 1_000_000)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        raise UsageError(f"{at}: max_output_bytes must be a positive integer, found {limit!r}")
    return LintSettings(
        ignore=_codes(_strings(table, "ignore", at, "rule codes"), f"{at}: ignore"),
        fail_on=fail_on, require=frozenset(require), per_path_ignores=globs,
        max_output_bytes=limit, root=root,
    )


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (a file or folder)."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=32)
def _load(pyproject: Path, mtime_ns: int) -> Settings:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{pyproject}: cannot read [tool.{TOOL_KEY}]: {exc}") from None
    tables = data.get("tool", {}).get(TOOL_KEY, {})
    if not isinstance(tables, dict):
        raise UsageError(f"{pyproject}: [tool.{TOOL_KEY}] must be a table")
    return settings_from_table(tables, pyproject)


def load_settings(start: Path | None = None) -> Settings:
    """The settings that apply at ``start`` (a file or folder; default the current folder).

    Without a ``pyproject.toml`` the shipped defaults apply. Re-read only when the file changes.
    """
    pyproject = find_pyproject(start or Path.cwd())
    if pyproject is None:
        return default_settings()
    return _load(pyproject, pyproject.stat().st_mtime_ns)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """The shipped defaults, with no project file."""
    return Settings()


__all__ = [
    "SECTIONS", "TOOL_KEY", "LintSettings", "ScanSettings", "Settings", "default_settings",
    "find_pyproject", "load_settings", "settings_from_table",
]
