"""Small helpers for the data-check tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aisec_nb.data import check_dataframe
from aisec_nb.record import DataCheck, DataFinding


def clean_frame(n: int = 2000, seed: int = 3) -> pd.DataFrame:
    """A clean labelled frame: a feature ``x`` that predicts ``y`` with noise, a skewed ``amount``
    and a 20-level ``shop``; tests plant one problem in it at a time."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "amount": rng.lognormal(3, 1, n),
            "shop": pd.Series(rng.choice([f"s{i}" for i in range(20)], n)),
            "y": (x + rng.normal(size=n) > 0.5).astype("int64"),
        }
    )


def run(df: pd.DataFrame, **kwargs: Any) -> DataCheck:
    """``check_dataframe`` named ``df`` (the shipped thresholds unless given)."""
    kwargs.setdefault("name", "df")
    return check_dataframe(df, **kwargs)


def facts(result: DataCheck) -> list[tuple[str, str | None, int | None]]:
    """``(kind, column, count)`` of every finding, sorted."""
    return sorted(
        (f.kind or "", f.location.column if f.location else None, _count(f))
        for f in result.findings
    )


def _count(f: DataFinding) -> int | None:
    value = f.count
    return int(value) if value is not None else None


def of_kind(result: DataCheck, kind: str) -> list[DataFinding]:
    return [f for f in result.findings if f.kind == kind]
