"""Project policy from ``[tool.aisec-nb]`` in the nearest ``pyproject.toml``.

Example ``pyproject.toml``::

    [tool.aisec-nb.scan]
    allow = ["mylib.layers.Custom"]

    [tool.aisec-nb.data]
    missing_share = 0.3
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TOOL_KEY = "aisec-nb"


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
def _load(pyproject: Path, mtime_ns: int) -> dict[str, Any]:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = f"{pyproject}: cannot read [tool.{TOOL_KEY}]: {exc}"
        raise UsageError(msg) from None
    table = data.get("tool", {}).get(TOOL_KEY, {})
    if not isinstance(table, dict):
        msg = f"{pyproject}: [tool.{TOOL_KEY}] must be a table"
        raise UsageError(msg)
    return table


def load_config(start: Path | None = None) -> dict[str, Any]:
    """The ``[tool.aisec-nb]`` table that applies at ``start`` (default: the current folder).

    Returns an empty dict when there is no ``pyproject.toml`` or no such table.
    """
    pyproject = find_pyproject(start or Path.cwd())
    if pyproject is None:
        return {}
    return dict(_load(pyproject, pyproject.stat().st_mtime_ns))


def section(name: str, start: Path | None = None) -> dict[str, Any]:
    """One sub-table, e.g. ``section("scan")`` for ``[tool.aisec-nb.scan]``."""
    value = load_config(start).get(name, {})
    if not isinstance(value, dict):
        msg = f"[tool.{TOOL_KEY}.{name}] must be a table, found {type(value).__name__}"
        raise UsageError(msg)
    return value
