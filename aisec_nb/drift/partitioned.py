"""Profiles and comparisons computed partition by partition, with the same numbers as in memory.

Data that do not fit one machine arrive as partitions (a Dask DataFrame, chunks of files). The
work is split into passes, each a function applied to every partition whose small results are
merged exactly on the driver:

1. column kinds and category counts (capped at ``max_categories + 1`` per column);
2. per ordinal column, how many finite values and their range;
3. the quantile edges, as exact order statistics: each pass histograms the values inside the
   interval known to hold a wanted rank into 1024 equal bins and narrows the interval to one
   bin; once an interval holds few values (or cannot shrink) they are collected and ranked;
4. counting into the layouts, then :func:`~aisec_nb.drift.profile.merge_profiles`.

So the edges equal :func:`~aisec_nb.drift.layout.quantile_edges` of the whole column and the
profile equals :func:`~aisec_nb.drift.profile.build_profile` of the concatenated partitions.
Per partition, memory is bounded by the partition plus ``1024`` counts per wanted edge.

Example::

    >>> import pandas as pd
    >>> parts = FramePartitions([pd.DataFrame({"x": [3.0, 1.0]}), pd.DataFrame({"x": [2.0]})])
    >>> build_profile_partitioned(parts, bins=3).column("x").layout.edges
    (1.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Protocol, TypeVar

from ..errors import UsageError
from .chunks import group_partitions
from .compare import DriftReport, compare_profiles, finish, resolve_reference
from .counting import count_frame
from .decide import DriftConfig, drift_config, with_overrides
from .layout import (
    ColumnLayout,
    Kind,
    category_limit,
    category_order,
    dtype_kind,
    edge_ranks,
    ordinal_values,
    string_counts,
)
from .ood import WORST, OODExample, OODResult, score_rows
from .profile import Profile, check_parameters, merge_profiles

T = TypeVar("T")
GRID = 1024
COLLECT = 4096
"""An interval holding at most this many values is collected and ranked directly."""
MAX_ROUNDS = 8


class Partitions(Protocol):
    """Something that can apply a function to each partition (a pandas DataFrame)."""

    columns: Sequence[str]

    def map(self, fn: Callable[[Any], T]) -> list[T]:
        """``[fn(partition) for partition in partitions]``, in partition order."""
        ...  # pragma: no cover - protocol


class FramePartitions:
    """In-memory pandas partitions (for tests and chunked reading)."""

    def __init__(self, frames: Sequence[Any]) -> None:
        if not frames:
            raise UsageError("no partitions given")
        self.frames = list(frames)
        self.columns: Sequence[str] = [str(c) for c in frames[0].columns]

    def map(self, fn: Callable[[Any], T]) -> list[T]:
        return [fn(f) for f in self.frames]


# --- pass functions (module level so that process-based workers can pickle them) ---------------


def _scan(names: Sequence[str], limit: int, df: Any) -> dict[str, tuple[Kind | None, Any]]:
    out: dict[str, tuple[Kind | None, Any]] = {}
    for name in names:
        s = df[name]
        kind = dtype_kind(s)
        counts = (
            string_counts(s, category_limit(kind, limit)) if kind in (None, "boolean") else None
        )
        out[name] = (kind, counts)
    return out


def _finite(df: Any, name: str, kind: str) -> Any:
    import numpy as np

    values = ordinal_values(df[name], kind)
    return values[np.isfinite(values)]


def _ranges(kinds: Mapping[str, str], df: Any) -> dict[str, tuple[int, float, float]]:
    out = {}
    for name, kind in kinds.items():
        x = _finite(df, name, kind)
        out[name] = (len(x), float(x.min()) if len(x) else 0.0, float(x.max()) if len(x) else 0.0)
    return out


@dataclass(frozen=True)
class _Interval:
    lo: float
    hi: float
    closed: bool  # whether hi itself belongs to the interval

    def pick(self, x: Any) -> Any:
        upper = (x <= self.hi) if self.closed else (x < self.hi)
        return x[(x >= self.lo) & upper]


def _histograms(work: dict[str, tuple[str, list[_Interval]]], df: Any) -> dict[str, list[Any]]:
    import numpy as np

    out = {}
    for name, (kind, intervals) in work.items():
        x = _finite(df, name, kind)
        hists = []
        for iv in intervals:
            grid = np.linspace(iv.lo, iv.hi, GRID + 1)
            idx = np.searchsorted(grid, iv.pick(x), side="right") - 1
            hists.append(np.bincount(np.clip(idx, 0, GRID - 1), minlength=GRID))
        out[name] = hists
    return out


def _collect(work: dict[str, tuple[str, list[_Interval]]], df: Any) -> dict[str, list[Any]]:
    import numpy as np

    out = {}
    for name, (kind, intervals) in work.items():
        x = _finite(df, name, kind)
        out[name] = [np.unique(iv.pick(x), return_counts=True) for iv in intervals]
    return out


def _count(layouts: Sequence[ColumnLayout], df: Any) -> Profile:
    return count_frame(df, layouts, "partition")[0]


# --- the exact order statistics -----------------------------------------------------------------


@dataclass
class _Target:
    rank: int
    iv: _Interval
    below: int = 0
    value: float | None = None
    collect: bool = False


def _exact_edges(
    parts: Partitions, kinds: Mapping[str, str], bins: int
) -> dict[str, tuple[float, ...]]:
    import numpy as np

    ranges = _merge_ranges(parts.map(partial(_ranges, kinds)))
    targets: dict[str, list[_Target]] = {}
    for name, (n, lo, hi) in ranges.items():
        ranks = sorted(set(edge_ranks(n, bins)))
        targets[name] = [_Target(r, _Interval(lo, hi, True)) for r in ranks]
        for t in targets[name]:
            if lo == hi:
                t.value = lo
    for _ in range(MAX_ROUNDS):
        work = _work(targets, kinds, collect=False)
        if not work:
            break
        merged = _sum_lists(parts.map(partial(_histograms, work)))
        for name, (_, intervals) in work.items():
            for iv, hist in zip(intervals, merged[name], strict=False):
                grid = np.linspace(iv.lo, iv.hi, GRID + 1)
                for t in targets[name]:
                    if t.value is None and not t.collect and t.iv == iv:
                        cum = t.below + np.cumsum(hist)
                        b = int(np.searchsorted(cum, t.rank, side="right"))
                        t.below += int(hist[:b].sum())
                        t.iv = _Interval(
                            float(grid[b]), float(grid[b + 1]), iv.closed and b == GRID - 1
                        )
                        if t.iv.lo == t.iv.hi:
                            t.value = t.iv.lo
                        elif hist[b] <= COLLECT:
                            t.collect = True
    for ts in targets.values():  # rounds exhausted: the interval is a few floats wide
        for t in ts:
            t.collect = t.collect or t.value is None
    work = _work(targets, kinds, collect=True)
    if work:
        pieces = parts.map(partial(_collect, work))
        for name, (_, intervals) in work.items():
            for i, iv in enumerate(intervals):
                values = np.concatenate([p[name][i][0] for p in pieces])
                counts = np.concatenate([p[name][i][1] for p in pieces])
                uniq, inverse = np.unique(values, return_inverse=True)
                tally = np.bincount(inverse, weights=counts, minlength=len(uniq))
                for t in targets[name]:
                    if t.value is None and t.iv == iv:
                        cum = t.below + np.cumsum(tally)
                        t.value = float(uniq[int(np.searchsorted(cum, t.rank, side="right"))])
    return {
        name: tuple(sorted({float(t.value) for t in ts if t.value is not None}))
        for name, ts in targets.items()
    }


def _work(
    targets: dict[str, list[_Target]], kinds: Mapping[str, str], *, collect: bool
) -> dict[str, tuple[str, list[_Interval]]]:
    work: dict[str, tuple[str, list[_Interval]]] = {}
    for name, ts in targets.items():
        ivs = list(dict.fromkeys(t.iv for t in ts if t.value is None and t.collect == collect))
        if ivs:
            work[name] = (kinds[name], ivs)
    return work


def _sum_lists(results: list[dict[str, list[Any]]]) -> dict[str, list[Any]]:
    total = results[0]
    for r in results[1:]:
        total = {k: [a + b for a, b in zip(v, r[k], strict=False)] for k, v in total.items()}
    return total


def _merge_ranges(
    results: list[dict[str, tuple[int, float, float]]],
) -> dict[str, tuple[int, float, float]]:
    out: dict[str, tuple[int, float, float]] = {}
    for r in results:
        for name, (n, lo, hi) in r.items():
            if n == 0:
                out.setdefault(name, (0, 0.0, 0.0))
                continue
            m, a, b = out.get(name, (0, lo, hi))
            out[name] = (m + n, min(a, lo) if m else lo, max(b, hi) if m else hi)
    return out


# --- public entry points ------------------------------------------------------------------------


def build_profile_partitioned(
    parts: Partitions,
    *,
    bins: int | None = None,
    max_categories: int | None = None,
    columns: Sequence[str] | None = None,
    config: DriftConfig | None = None,
) -> Profile:
    """The profile :func:`~aisec_nb.drift.profile.build_profile` gives on all rows at once."""
    cfg = config or drift_config()
    bins = int(cfg.bins if bins is None else bins)
    limit = int(cfg.max_categories if max_categories is None else max_categories)
    check_parameters(bins, limit)
    names = list(columns) if columns is not None else list(parts.columns)
    absent = [n for n in names if n not in parts.columns]
    if absent:
        raise UsageError(f"reference data has no column {absent[0]!r}")
    scans = parts.map(partial(_scan, names, limit))
    layouts: dict[str, ColumnLayout] = {}
    ordinal: dict[str, Kind] = {}
    for name in names:
        kinds = {s[name][0] for s in scans}
        if len(kinds) > 1:
            raise UsageError(f"column {name!r} has different types in different partitions")
        kind = kinds.pop()
        if kind in (None, "boolean"):
            merged: dict[str, int] | None = {}
            for s in scans:
                part = s[name][1]
                if part is None or merged is None:
                    merged = None
                    continue
                for k, v in part.items():
                    merged[k] = merged.get(k, 0) + v
            if merged is None or (kind is None and len(merged) > limit):
                ordinal[name] = "text"
            else:
                layouts[name] = ColumnLayout(
                    name, kind or "categorical", categories=category_order(merged)
                )
        else:
            ordinal[name] = kind
    edges = _exact_edges(parts, ordinal, bins) if ordinal else {}
    for name, okind in ordinal.items():
        layouts[name] = ColumnLayout(name, okind, edges=edges[name])
    ordered = [layouts[n] for n in names]
    counted = merge_profiles(parts.map(partial(_count, ordered)))
    return replace(counted, bins=bins, max_categories=limit)


def _score(ref: Profile, p: float, df: Any) -> tuple[Profile, OODResult]:
    live, encoded = count_frame(df, ref.layouts, "live partition", multivariate=False)
    ood = score_rows(ref, encoded, df.index, p)
    return live, replace(ood, mask=None)


def compare_partitioned(
    reference: Any,
    parts: Partitions,
    *,
    columns: Sequence[str] | None = None,
    config: DriftConfig | None = None,
    **settings: Any,
) -> DriftReport:
    """:func:`~aisec_nb.drift.compare.compare_to_profile` over partitions."""
    ref = resolve_reference(reference)
    if columns is not None:
        ref = ref.select(columns)
    cfg = with_overrides(config or drift_config(), settings)
    results = parts.map(partial(_score, ref, cfg.ood_mahalanobis_p))
    live = merge_profiles(r[0] for r in results)
    report = compare_profiles(ref, live, cfg)
    # Chunks are whole partitions, merged into about ``chunks`` consecutive groups.
    chunked = group_partitions(report, [r[0] for r in results], [r[1] for r in results])
    return finish(replace(report, chunks=chunked), merge_ood([r[1] for r in results]))


def merge_ood(results: Sequence[OODResult]) -> OODResult:
    """OOD results of consecutive partitions as one (worst rows in row order on ties)."""
    ranked: list[tuple[float, int, int, OODExample]] = []
    for p, r in enumerate(results):
        ranked.extend((-w.score, p, i, w) for i, w in enumerate(r.worst))
    ranked.sort(key=lambda t: t[:3])
    reasons: dict[str, int] = {}
    ranges: dict[str, int] = {}
    for r in results:
        for k, v in r.reasons.items():
            reasons[k] = reasons.get(k, 0) + v
        for k, v in r.out_of_range.items():
            ranges[k] = ranges.get(k, 0) + v
    return OODResult(
        rows=sum(r.rows for r in results),
        ood_rows=sum(r.ood_rows for r in results),
        reasons=reasons,
        out_of_range=ranges,
        worst=tuple(t[3] for t in ranked[:WORST]),
        mahalanobis_limit=results[0].mahalanobis_limit if results else None,
    )
