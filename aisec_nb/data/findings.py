"""The rules of the data checks (``rules.toml``) and the one way findings are made.

Every finding carries, besides the Record's ``code``/``severity``/``message``/``location``, the
fields ``kind`` (e.g. ``"duplicate_rows"``), ``count``, ``share``, ``threshold`` and ``guideline``,
so tools and tests read numbers rather than parse prose.

Example::

    >>> f = finding("AISEC-DATA-Q07", "3 duplicate rows", count=3, share=0.03, threshold=0.0)
    >>> f.kind, f.severity, f.count
    ('duplicate_rows', 'low', 3)
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from typing import Any

from ..record import SEVERITY_ORDER, Finding, Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_SEVERITIES = list(SEVERITY_ORDER)


@lru_cache(maxsize=1)
def rules() -> dict[str, dict[str, str]]:
    """Finding code -> ``{"kind", "severity", "guideline", "why"}``."""
    text = resources.files("aisec_nb.data").joinpath("rules.toml").read_text("utf-8")
    table: dict[str, dict[str, str]] = tomllib.loads(text)
    return table


def raise_severity(severity: str, steps: int = 1) -> str:
    """``severity`` moved ``steps`` up, capped at ``critical``."""
    return _SEVERITIES[min(SEVERITY_ORDER[severity] + steps, len(_SEVERITIES) - 1)]


def finding(
    code: str,
    message: str,
    *,
    column: str | None = None,
    row: int | None = None,
    count: int | None = None,
    share: float | None = None,
    threshold: float | None = None,
    evidence: str | None = None,
    severity: str | None = None,
    **extra: Any,
) -> Finding:
    """A finding of rule ``code``; the rule's ``why`` is appended to ``message``."""
    rule = rules()[code]
    location = Location(column=column, row=row) if column is not None or row is not None else None
    fields: dict[str, Any] = {
        "kind": rule["kind"],
        "guideline": rule["guideline"],
        **({"count": count} if count is not None else {}),
        **({"share": round(share, 6)} if share is not None else {}),
        **({"threshold": threshold} if threshold is not None else {}),
        **extra,
    }
    return Finding(
        code=code,
        severity=severity or rule["severity"],
        message=f"{message}. {rule['why']}",
        location=location,
        evidence=evidence,
        **fields,
    )


def pct(share: float) -> str:
    """A share as a short percentage: ``0.0123`` -> ``'1.23%'``."""
    return f"{share * 100:.3g}%"
