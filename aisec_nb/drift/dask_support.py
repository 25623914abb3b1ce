"""The same profile and drift statistics from a Dask DataFrame, partition by partition.

Install the extra: ``pip install "aisec-nb[dask]"``. Every pass of
:mod:`aisec_nb.drift.partitioned` runs as one task per partition on whatever scheduler is
active, so on a cluster the workers read their partitions and only counts travel::

    from dask.distributed import Client
    import dask.dataframe as dd
    from aisec_nb.drift.dask_support import build_profile_dask, compare_to_profile_dask

    client = Client("tcp://scheduler:8786")          # or LocalCluster() on one machine
    ref = build_profile_dask(dd.read_parquet("s3://bucket/train/"))
    report = compare_to_profile_dask(ref, dd.read_parquet("s3://bucket/live/2026-11-27/"))
    report.drifted, report.verdict

The numbers equal those of :func:`~aisec_nb.drift.build_profile` and
:func:`~aisec_nb.drift.compare_to_profile` on the same rows in pandas (counts are integers and
quantile edges exact order statistics); only the multivariate row scores may differ in the last
bits, as BLAS sums each partition's block separately.

Example (doctest skipped when dask is absent)::

    >>> import pandas as pd, dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}), npartitions=2)
    >>> build_profile_dask(ddf, bins=2).column("x").counts
    (2, 2)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import UsageError
from .compare import DriftReport
from .decide import DriftConfig
from .partitioned import build_profile_partitioned, compare_partitioned
from .profile import Profile

T = TypeVar("T")


class DaskPartitions:
    """A Dask DataFrame seen as :class:`~aisec_nb.drift.partitioned.Partitions`."""

    def __init__(self, ddf: Any) -> None:
        try:
            import dask.dataframe as dd
        except ImportError:
            raise UsageError('Dask is not installed: pip install "aisec-nb[dask]"') from None
        if not isinstance(ddf, dd.DataFrame):
            raise UsageError(f"expected a dask DataFrame, not {type(ddf).__name__}")
        self._dask: Any = importlib.import_module("dask")
        self.ddf: Any = ddf
        self.columns: Sequence[str] = [str(c) for c in ddf.columns]

    def map(self, fn: Callable[[Any], T]) -> list[T]:
        delayed = self._dask.delayed
        tasks = [delayed(fn)(part) for part in self.ddf.to_delayed()]
        return list(self._dask.compute(*tasks))


def build_profile_dask(
    ddf: Any,
    *,
    bins: int | None = None,
    max_categories: int | None = None,
    columns: Sequence[str] | None = None,
    config: DriftConfig | None = None,
) -> Profile:
    """The reference profile of a Dask DataFrame (equal to pandas' on the same rows)."""
    return build_profile_partitioned(
        DaskPartitions(ddf), bins=bins, max_categories=max_categories, columns=columns,
        config=config,
    )


def compare_to_profile_dask(
    reference: Any, ddf: Any, *, columns: Sequence[str] | None = None, **settings: Any
) -> DriftReport:
    """Compare a Dask DataFrame with a reference profile (equal to pandas' on the same rows)."""
    return compare_partitioned(reference, DaskPartitions(ddf), columns=columns, **settings)
