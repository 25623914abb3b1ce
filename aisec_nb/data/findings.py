"""The data checks' findings: the catalogue's ``make_finding`` plus the fields data findings add.

The rules themselves (kind, severity, title, why, fix, guideline) are in the one rule catalogue,
``aisec_nb/rules/data.toml``. Every data finding carries, besides the Record's
``code``/``severity``/``message``/``location``, the fields ``kind`` (e.g. ``"duplicate_rows"``),
``count``, ``share``, ``threshold`` and ``guideline``, so tools and tests read numbers rather than
parse prose; its message ends with the rule's ``why``.

Example::

    >>> f = finding("AISEC-DATA-Q07", "3 duplicate rows", count=3, share=0.03, threshold=0.0)
    >>> f.kind, f.severity, f.count
    ('duplicate_rows', 'low', 3)
    >>> f.guideline
    'Secure development: Secure your supply chain'
"""

from __future__ import annotations

from typing import Any, cast

from ..record import SEVERITY_ORDER, DataFinding, Location, Severity
from ..rules import rule as catalogued
from ..rules import rules as area_rules
from ..rules.findings import make_finding

_SEVERITIES = list(SEVERITY_ORDER)


def rules() -> dict[str, dict[str, str]]:
    """Finding code -> ``{"kind", "severity", "guideline", "why"}`` of every data rule."""
    return {
        r.code: {"kind": r.kind, "severity": r.severity, "guideline": r.guideline_ref,
                 "why": r.why}
        for r in area_rules("data")
    }


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
) -> DataFinding:
    """A finding of rule ``code``; the rule's ``why`` is appended to ``message``."""
    rule = catalogued(code)
    location = Location(column=column, row=row) if column is not None or row is not None else None
    return make_finding(
        code,
        f"{message}. {rule.why}",
        severity=cast("Severity | None", severity),
        location=location,
        evidence=evidence,
        model=DataFinding,
        kind=rule.kind,
        guideline=rule.guideline_ref,
        **({"count": count} if count is not None else {}),
        **({"share": round(share, 6)} if share is not None else {}),
        **({"threshold": threshold} if threshold is not None else {}),
        **extra,
    )


def pct(share: float) -> str:
    """A share as a short percentage that never rounds to 0% or 100% when it is not.

    >>> pct(0.0123), pct(0.9996), pct(1.0), pct(0.00001), pct(0.0)
    ('1.23%', '99.96%', '100%', '<0.01%', '0%')
    """
    value = share * 100
    if value <= 0 or value >= 100:
        return f"{value:.3g}%"
    if value < 0.01:
        return "<0.01%"
    for digits in (3, 4, 5, 6):
        text = f"{value:.{digits}g}"
        if float(text) < 100:
            return f"{text}%"
    return ">99.99%"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1, with thousands separators.

    >>> plural(1, "row"), plural(1200, "value"), plural(2, "class", "classes")
    ('1 row', '1,200 values', '2 classes')
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
