"""Drift by chunk: the live period cut into consecutive parts, each compared with the reference.

Drift confined to part of the live period (a feed that broke on Thursday, poisoned rows appended
at the end) is diluted when the whole period is compared at once. So the live rows are also cut
into consecutive chunks, by time when a time column is given, else in row order (as NannyML
does), and each chunk is compared with the reference in the same way as the whole period.

The corrected p-value of a chunk counts every column in every chunk (``columns × chunks`` tests,
with the ``correction`` setting), so clean data stay silent however many chunks there are, while
the effect-size threshold is the column's own. Settings: ``chunks`` (how many, 0 for none),
``chunk_rows`` (about this many rows each, instead) and ``min_chunk_rows`` (fewer chunks for
short live data). Time windows (:func:`~aisec_nb.drift.compare_windows`) are chunks too: one per
window, decided the same way.

Example: the last 30 % of the rows shift, and only the chunks see it::

    >>> import numpy as np, pandas as pd
    >>> from aisec_nb.drift import compare_to_profile
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(0, 1, 20_000)})
    >>> live = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 14_000), rng.normal(0.6, 1, 6_000)]})
    >>> report = compare_to_profile(ref, live)
    >>> report.column("x").drift, report.chunks.column("x").describe()
    (False, 'drifted in 3 of 10 chunks, from chunk 8')
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import UsageError
from .counting import Encoded, frame_columns
from .decide import DriftConfig, corrected
from .profile import ColumnProfile, Profile

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .compare import ColumnDrift, DriftReport
    from .ood import OODResult

ChunkBy = Literal["rows", "time", "window"]


@dataclass(frozen=True)
class ChunkInfo:
    """One chunk of the live period: its position, a short label, what it spans, its rows."""

    index: int
    """1-based, in time (or row) order."""
    label: str
    """For an axis: the chunk number, or when it starts."""
    span: str
    """For a sentence: ``rows 14,001–16,000`` or ``2026-03-01 06:00 to 2026-03-01 11:59``."""
    rows: int
    ood_share: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "span": self.span,
            "rows": self.rows,
            "ood_share": float(f"{self.ood_share:.6g}"),
        }


@dataclass(frozen=True)
class ChunkColumn:
    """One column across the chunks: its score, corrected p-value and decision in each."""

    name: str
    kind: str
    method: str
    threshold: float
    scores: tuple[float, ...]
    p_adjusted: tuple[float, ...]
    drifted: tuple[bool, ...]

    @property
    def count(self) -> int:
        """Chunks in which the column drifted."""
        return sum(self.drifted)

    @property
    def first(self) -> int:
        """The first chunk (1-based) in which it drifted; 0 when none did."""
        return next((i + 1 for i, d in enumerate(self.drifted) if d), 0)

    @property
    def worst(self) -> float:
        """The largest score of a drifted chunk (of any chunk when none drifted)."""
        picked = [s for s, d in zip(self.scores, self.drifted, strict=True) if d]
        return max(picked or self.scores or (0.0,))

    def describe(self, noun: str = "chunk") -> str:
        """``drifted in 5 of 10 chunks, from chunk 6``, or ``drifted in no chunk``."""
        total = len(self.drifted)
        if not self.count:
            return f"drifted in none of {total} {noun}s"
        return f"drifted in {self.count} of {total} {noun}s, from {noun} {self.first}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "threshold": self.threshold,
            "scores": [float(f"{v:.6g}") for v in self.scores],
            "drifted": [i + 1 for i, d in enumerate(self.drifted) if d],
            "first": self.first or None,
        }


@dataclass(frozen=True)
class ChunkedDrift:
    """The live period compared chunk by chunk."""

    by: ChunkBy
    chunks: tuple[ChunkInfo, ...]
    columns: tuple[ChunkColumn, ...]

    @property
    def noun(self) -> str:
        return "window" if self.by == "window" else "chunk"

    @property
    def tests(self) -> int:
        """How many decisions the correction counted: columns × chunks."""
        return len(self.columns) * len(self.chunks)

    @property
    def drifted(self) -> tuple[str, ...]:
        """Columns that drifted in at least one chunk."""
        return tuple(c.name for c in self.columns if c.count)

    def column(self, name: str) -> ChunkColumn | None:
        return next((c for c in self.columns if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "tests": self.tests,
            "chunks": [c.to_dict() for c in self.chunks],
            "columns": {c.name: c.to_dict() for c in self.columns},
        }


# --- cutting ------------------------------------------------------------------------------------


def chunk_count(n_rows: int, cfg: DriftConfig) -> int:
    """How many chunks ``n_rows`` live rows are cut into; below 2, the period is not cut.

    >>> from aisec_nb.drift import drift_config
    >>> chunk_count(100_000, drift_config()), chunk_count(1_800, drift_config())
    (10, 3)
    >>> chunk_count(100_000, drift_config({"chunk_rows": 25_000}))
    4
    """
    if cfg.chunk_rows > 0:
        k = n_rows // cfg.chunk_rows
        if k > cfg.max_windows:
            raise UsageError(
                f"chunk_rows={cfg.chunk_rows} cuts {n_rows:,} live rows into {k:,} chunks, more "
                f"than max_windows={cfg.max_windows}; choose larger chunks"
            )
    else:
        k = min(cfg.chunks, n_rows // max(cfg.min_chunk_rows, 1), cfg.max_windows)
    return k if k >= 2 else 0


def _bounds(n: int, k: int) -> list[int]:
    return [i * n // k for i in range(k + 1)]


def frame_timestamps(live: Any, time_col: str) -> pd.Series[Any]:
    """The time column of the live data as UTC timestamps (a clear error when it is not one)."""
    import pandas as pd
    from pandas.api import types

    frame_columns(live, [time_col], "live data")
    column = live[time_col]
    if types.is_numeric_dtype(column.dtype) or types.is_bool_dtype(column.dtype):
        raise UsageError(
            f"time_col: column {time_col!r} is not a date/time column (it holds {column.dtype} "
            "numbers; convert it with pandas.to_datetime, giving the unit)"
        )
    try:
        with warnings.catch_warnings():  # dateutil's per-element fallback warns; we judge below
            warnings.simplefilter("ignore")
            stamps: pd.Series[Any] = pd.to_datetime(column, utc=True)
    except (TypeError, ValueError) as exc:
        raise UsageError(
            f"time_col: column {time_col!r} is not a date/time column ({exc})"
        ) from None
    return stamps


def _nanoseconds(ts: pd.Series[Any]) -> np.ndarray[Any, Any]:
    import numpy as np

    naive = ts.dt.tz_convert(None) if ts.dt.tz is not None else ts
    return np.asarray(naive.to_numpy(dtype="datetime64[ns]")).view("int64")


NAT = -(2**63)


def _time_labels(starts: Sequence[int], ends: Sequence[int]) -> tuple[list[str], list[str]]:
    """Axis labels (unique) and spans for chunks starting and ending at these nanoseconds."""
    import pandas as pd

    first = [pd.Timestamp(v) for v in starts]
    last = [pd.Timestamp(v) for v in ends]
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        if fmt == "%Y-%m-%d" and any(t != t.normalize() for t in first):
            continue
        labels = [t.strftime(fmt) for t in first]
        if len(set(labels)) == len(labels):
            break
    else:
        labels = [f"{i + 1}: {t}" for i, t in enumerate(labels)]
    fine = "%Y-%m-%d %H:%M:%S" if any(t.second for t in (*first, *last)) else "%Y-%m-%d %H:%M"
    spans = [
        f"{a.strftime(fine)} to {b.strftime(fine)} UTC" for a, b in zip(first, last, strict=True)
    ]
    return labels, spans


def chunk_live(
    report: DriftReport,
    encoded: Sequence[Encoded],
    ood: OODResult | None,
    timestamps: pd.Series[Any] | None = None,
) -> ChunkedDrift | None:
    """Cut the live rows behind ``report`` into consecutive chunks and compare each one.

    In the order of ``timestamps`` when given (rows without a time are left out), else in row
    order. ``None`` when the settings or the number of rows leave fewer than two chunks.
    """
    import numpy as np

    cfg = report.config
    n = len(encoded[0].codes) if encoded else 0
    if timestamps is None:
        k = chunk_count(n, cfg)
        if not k or not report.columns:
            return None
        cuts = _bounds(n, k)
        parts: list[Any] = [slice(a, b) for a, b in itertools.pairwise(cuts)]
        labels = [str(i + 1) for i in range(k)]
        spans = [f"rows {a + 1:,}–{b:,}" for a, b in itertools.pairwise(cuts)]
        by: ChunkBy = "rows"
    else:
        ns = _nanoseconds(timestamps)
        timed = np.flatnonzero(ns != NAT)
        k = chunk_count(len(timed), cfg)
        if not k or not report.columns:
            return None
        order = timed[np.argsort(ns[timed], kind="stable")]
        cuts = _bounds(len(order), k)
        parts = [order[a:b] for a, b in itertools.pairwise(cuts)]
        labels, spans = _time_labels(
            [int(ns[p[0]]) for p in parts], [int(ns[p[-1]]) for p in parts]
        )
        by = "time"
    return compare_chunks(
        report, chunk_profiles(encoded, parts), labels, spans, by, ood_shares(ood, parts)
    )


def ood_shares(ood: OODResult | None, parts: Sequence[Any]) -> list[float] | None:
    """The share of out-of-distribution rows in each part of the live rows."""
    if ood is None or ood.mask is None:
        return None
    return [float(ood.mask[p].mean()) if len(ood.mask[p]) else 0.0 for p in parts]


def group_partitions(
    report: DriftReport, profiles: Sequence[Profile], oods: Sequence[OODResult]
) -> ChunkedDrift | None:
    """Chunks from consecutive partitions (a Dask DataFrame's): each chunk merges whole
    partitions, about ``chunks`` of them in all (never more than there are partitions)."""
    from .profile import merge_profiles

    total = sum(p.rows for p in profiles)
    k = min(chunk_count(total, report.config), len(profiles))
    if k < 2 or not report.columns:
        return None
    groups: list[list[int]] = [[] for _ in range(k)]
    before = 0
    for i, p in enumerate(profiles):  # by the rows before a partition: consecutive, balanced
        groups[min(k - 1, before * k // max(total, 1))].append(i)
        before += p.rows
    groups = [g for g in groups if g]
    merged = [merge_profiles(profiles[i] for i in g) for g in groups]
    starts = [sum(p.rows for p in profiles[: g[0]]) for g in groups]
    labels = [str(i + 1) for i in range(len(groups))]
    spans = [
        f"rows {a + 1:,}–{a + m.rows:,}, "
        + (f"partitions {g[0] + 1}–{g[-1] + 1}" if len(g) > 1 else f"partition {g[0] + 1}")
        for g, a, m in zip(groups, starts, merged, strict=True)
    ]
    shares = [
        sum(oods[i].ood_rows for i in g) / m.rows if m.rows else 0.0
        for g, m in zip(groups, merged, strict=True)
    ]
    return compare_chunks(report, merged, labels, spans, "rows", shares)


def count_part(enc: Encoded, part: Any) -> ColumnProfile:
    """The counts of one column over the rows ``part`` (a slice or positions): what a chunk's
    comparison needs, without the ranges and unseen values of a full profile."""
    import numpy as np

    nb = enc.layout.n_buckets
    codes = enc.codes[part]
    tally = np.bincount(codes, minlength=nb + 3)
    counts = tuple(tally[:nb].tolist())
    if enc.layout.ordinal:
        return ColumnProfile(
            enc.layout, len(codes), int(tally[nb]), int(tally[nb + 1]), int(tally[nb + 2]), counts
        )
    return ColumnProfile(enc.layout, len(codes), int(tally[nb]), 0, 0, counts)


def chunk_profiles(encoded: Sequence[Encoded], parts: Sequence[Any]) -> list[Profile]:
    """A counts-only :class:`Profile` per part of the encoded live rows."""
    out = []
    for part in parts:
        cols = tuple(count_part(e, part) for e in encoded)
        out.append(Profile(cols, cols[0].rows if cols else 0, 0, 0))
    return out


def compare_chunks(
    report: DriftReport,
    profiles: Sequence[Profile],
    labels: Sequence[str],
    spans: Sequence[str],
    by: ChunkBy,
    shares: Sequence[float] | None = None,
) -> ChunkedDrift:
    """Decide drift per column in each chunk profile, with the columns of the whole-period
    ``report`` (their methods and thresholds) and one correction over columns × chunks."""
    from .compare import decision_stats

    cfg = report.config
    ref = report.reference
    cols: Sequence[ColumnDrift] = report.columns
    raw: list[list[tuple[float, float]]] = []
    for c in cols:
        r = ref.column(c.name)
        raw.append([decision_stats(r, p.column(c.name), c.method) for p in profiles])
    flat = corrected([p for row in raw for _, p in row], cfg.correction)
    k = len(profiles)
    out = []
    for i, (c, row) in enumerate(zip(cols, raw, strict=True)):
        adjusted = tuple(flat[i * k : (i + 1) * k])
        out.append(
            ChunkColumn(
                name=c.name,
                kind=c.kind,
                method=c.method,
                threshold=c.threshold,
                scores=tuple(e for e, _ in row),
                p_adjusted=adjusted,
                drifted=tuple(
                    e >= c.threshold and pa < cfg.alpha
                    for (e, _), pa in zip(row, adjusted, strict=True)
                ),
            )
        )
    ood = list(shares) if shares is not None else [0.0] * k
    infos = tuple(
        ChunkInfo(i + 1, labels[i], spans[i], profiles[i].rows, ood[i]) for i in range(k)
    )
    return ChunkedDrift(by, infos, tuple(out))
