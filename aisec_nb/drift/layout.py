"""What a reference profile measures per column: its kind, and its bins or categories.

A *layout* is fixed once, from the reference data. Everything after it is counting into the
layout, which is why profiles of partitions add up exactly. Kinds:

* ``numeric`` and ``datetime`` (seconds since the epoch, UTC): quantile bins;
* ``text`` (more than ``max_categories`` distinct strings): quantile bins of string lengths,
  so a text column's values never enter the profile;
* ``categorical`` and ``boolean``: the reference categories, plus one bucket for anything else.

Quantile edges are exact order statistics: edge *i* of *B* bins is the ``ceil(i·n/B)``-th
smallest finite value, deduplicated. The partitioned builder computes the same values without
sorting the whole column (:mod:`aisec_nb.drift.partitioned`).

Example::

    >>> import pandas as pd
    >>> layout_of(pd.Series([1.0, 2.0, 3.0, 4.0], name="x"), bins=2, max_categories=10)
    ColumnLayout(name='x', kind='numeric', edges=(2.0,), categories=())
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Kind = Literal["numeric", "datetime", "boolean", "categorical", "text"]
ORDINAL_KINDS: frozenset[str] = frozenset({"numeric", "datetime", "text"})
"""Kinds profiled by quantile bins of a number."""
CATEGORY_KINDS: frozenset[str] = frozenset({"categorical", "boolean"})


@dataclass(frozen=True)
class ColumnLayout:
    """How one column is binned: ``edges`` for ordinal kinds, ``categories`` otherwise.

    Ordinal bin *i* holds values ``v`` with ``edges[i-1] < v <= edges[i]``; the first bin holds
    everything up to ``edges[0]`` and the last everything above ``edges[-1]``. Categorical
    columns have one bucket per category and a last bucket for values the reference never had.
    """

    name: str
    kind: Kind
    edges: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def ordinal(self) -> bool:
        return self.kind in ORDINAL_KINDS

    @property
    def n_buckets(self) -> int:
        """Buckets of the value distribution (bins, or categories plus the unseen bucket)."""
        return len(self.edges) + 1 if self.ordinal else len(self.categories) + 1


def dtype_kind(series: pd.Series[Any]) -> Kind | None:
    """The kind a column's dtype fixes, or ``None`` for strings (decided by distinct count)."""
    from pandas.api import types

    if types.is_bool_dtype(series.dtype):
        return "boolean"
    if types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    if types.is_timedelta64_dtype(series.dtype) or types.is_numeric_dtype(series.dtype):
        return "numeric"
    return None


def as_strings(series: pd.Series[Any]) -> pd.Series[Any]:
    """A column as strings with missing values kept missing (categories compare as text)."""
    if str(series.dtype) in ("string", "str"):
        return series
    return series.astype("string")


def ordinal_values(series: pd.Series[Any], kind: str) -> np.ndarray[Any, Any]:
    """A column as float64: numbers, UTC epoch seconds, or text lengths; NaN when missing."""
    import numpy as np
    from pandas.api import types

    if kind == "text":
        lengths = as_strings(series).str.len()
        return np.asarray(lengths.to_numpy(dtype="float64", na_value=np.nan))
    if kind == "datetime":
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        ns = series.to_numpy(dtype="datetime64[ns]").view("int64")
        out = ns.astype("float64") / 1e9
        out[ns == np.iinfo(np.int64).min] = np.nan  # NaT
        return out
    if types.is_timedelta64_dtype(series.dtype):
        return ordinal_values(series.dt.total_seconds(), "numeric")
    return np.asarray(series.to_numpy(dtype="float64", na_value=np.nan))


def edge_ranks(n: int, bins: int) -> list[int]:
    """0-based ranks of the order statistics that make the quantile edges of ``n`` values.

    >>> edge_ranks(10, 4)
    [2, 4, 7]
    """
    if n == 0:
        return []
    return [(i * n + bins - 1) // bins - 1 for i in range(1, bins)]


def quantile_edges(finite: np.ndarray[Any, Any], bins: int) -> tuple[float, ...]:
    """Exact quantile edges of an in-memory array of finite values (see :func:`edge_ranks`)."""
    import numpy as np

    ranks = edge_ranks(len(finite), bins)
    if not ranks:
        return ()
    picked = np.partition(finite, ranks)[ranks]
    return tuple(float(v) for v in np.unique(picked))


@lru_cache(maxsize=1)
def _redaction() -> tuple[int, re.Pattern[str]]:
    from .decide import _defaults

    table = _defaults()["categories"]
    return int(table["max_clear_length"]), re.compile("|".join(table["redact_patterns"]))


def category_key(text: str) -> str:
    """How a category is named in a profile: itself, or a digest when it may be personal.

    >>> category_key("premium"), category_key("alice@example.com")
    ('premium', '#ff8d9819fc0e')
    """
    limit, pattern = _redaction()
    if len(text) <= limit and not pattern.search(text):
        return text
    return "#" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def category_limit(kind: Kind | None, limit: int) -> int:
    """How many distinct values a column may have and still be profiled by category.

    A boolean column always is (two values), whatever ``max_categories`` says, so every path
    (in memory, partitioned, Dask) gives it the same layout.
    """
    return max(limit, 2) if kind == "boolean" else limit


def string_counts(series: pd.Series[Any], limit: int) -> dict[str, int] | None:
    """Counts per category key of a column, or ``None`` when it has more than ``limit`` values.

    Distinctness is that of the values themselves; values that print alike share a count.
    A prefix with too many distinct values settles it without counting the whole column.
    """
    import numpy as np
    import pandas as pd

    prefix = 4 * limit + 4
    if len(series) > prefix and pd.unique(series.iloc[:prefix].dropna()).size > limit:
        return None
    codes, uniques = pd.factorize(series)
    if len(uniques) > limit:
        return None
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    table: dict[str, int] = {}
    for value, n in zip(uniques, counts, strict=True):
        key = category_key(str(value))
        table[key] = table.get(key, 0) + int(n)
    return table


def category_order(counts: dict[str, int]) -> tuple[str, ...]:
    """Categories by count, most frequent first; ties by name so every path agrees."""
    return tuple(sorted(counts, key=lambda c: (-counts[c], c)))


def layout_of(series: pd.Series[Any], *, bins: int, max_categories: int) -> ColumnLayout:
    """The layout of one in-memory reference column."""
    import numpy as np

    name = str(series.name)
    kind = dtype_kind(series)
    if kind is None or kind == "boolean":
        table = string_counts(series, category_limit(kind, max_categories))
        if table is None:
            kind = "text"
        else:
            return ColumnLayout(name, kind or "categorical", categories=category_order(table))
    values = ordinal_values(series, kind)
    finite = values[np.isfinite(values)]
    return ColumnLayout(name, kind, edges=quantile_edges(finite, bins))
