"""Small helpers for the data-check tests."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aisec_nb.data import check_dataframe
from aisec_nb.record import CheckResult, Finding


def run(df: pd.DataFrame, **kwargs: Any) -> CheckResult:
    """``check_dataframe`` named ``df`` (the shipped thresholds unless given)."""
    kwargs.setdefault("name", "df")
    return check_dataframe(df, **kwargs)


def facts(result: CheckResult) -> list[tuple[str, str | None, int | None]]:
    """``(kind, column, count)`` of every finding, sorted."""
    return sorted(
        (str(getattr(f, "kind", "")), f.location.column if f.location else None, _count(f))
        for f in result.findings
    )


def _count(f: Finding) -> int | None:
    value = getattr(f, "count", None)
    return int(value) if value is not None else None


def of_kind(result: CheckResult, kind: str) -> list[Finding]:
    return [f for f in result.findings if getattr(f, "kind", None) == kind]
