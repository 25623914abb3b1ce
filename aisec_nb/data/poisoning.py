"""Signs of data poisoning: conflicting labels, extreme outliers, label imbalance and shift (rare
values that predict the label, how a backdoor trigger looks, are in :mod:`.triggers`).

Example::

    >>> import pandas as pd
    >>> from aisec_nb.data.hashing import FrameDigests
    >>> from aisec_nb.data.labels import encode_labels
    >>> from aisec_nb.data.thresholds import default_thresholds
    >>> df = pd.DataFrame({"x": [1, 1, 2], "y": [0, 1, 0]})
    >>> [f.count for f in conflicting_labels(FrameDigests(df), "y", encode_labels(df["y"]))]
    [2]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..record import DataFinding
from .findings import finding, pct, plural
from .hashing import FrameDigests
from .labels import Labels

SAMPLE = 200_000
"""Rows used to estimate a column's median and MAD (every k-th row: deterministic)."""
HIST_BINS = 30
COARSE_SHARE = 0.1
"""Rows sharing their features with another row at this share: the features are coarse."""
RANDOM_LIKE = 0.5
"""Conflicting groups at this share of what labels drawn at random would give: the labels mix
about as a label that the features do not decide does."""


def conflicting_labels(d: FrameDigests, label: str, labels: Labels) -> list[DataFinding]:
    """Rows whose features (all columns but the label) equal another row's, with another label
    (classes only: a regression target is not compared).

    Info, not high, where the features are coarse (:data:`COARSE_SHARE` of rows share them with
    another row, as survey answers do) and the groups of equal rows mix labels about as often as
    labels drawn at random at the base rates would (:data:`RANDOM_LIKE`): there the features do
    not decide the label, which is no sign of flipped labels. Flipped copies among coarse rows
    still stand out, since the unflipped groups agree.
    """
    import numpy as np

    features = [n for n in d.names if n != label]
    keep = labels.codes >= 0
    if not features or keep.sum() < 2 or labels.regression:
        return []  # a regression target differs between equal rows by noise alone
    rows = d.rows(features)[keep]
    y = labels.codes[keep]
    order = np.argsort(rows)
    ranked = rows[order]
    starts = np.flatnonzero(np.concatenate([[True], ranked[1:] != ranked[:-1]]))
    del ranked
    sizes = np.diff(np.append(starts, len(rows)))
    ranked_y = y[order]
    mixed = np.minimum.reduceat(ranked_y, starts) != np.maximum.reduceat(ranked_y, starts)
    if not mixed.any():
        return []
    clashing = int(mixed.sum())
    involved = np.zeros(len(rows), dtype=bool)
    involved[order[np.repeat(mixed, sizes)]] = True
    del order, ranked_y
    count = int(involved.sum())
    first = int(np.flatnonzero(keep)[int(involved.argmax())])
    sizes = sizes[sizes > 1]
    shared = float(sizes.sum()) / len(rows)
    base = np.bincount(y, minlength=labels.k) / len(y)
    random_like = float((1 - (base[None, :] ** sizes[:, None]).sum(axis=1)).sum())
    natural = shared >= COARSE_SHARE and clashing >= RANDOM_LIKE * random_like
    detail = (
        f"; the features are coarse ({pct(shared)} of rows share them with another row) and "
        f"{plural(clashing, 'group')} of {len(sizes):,} mix labels, about as many as labels "
        f"drawn at random would ({random_like:,.0f}): the features do not decide the label here"
        if natural
        else ""
    )
    return [
        finding(
            "AISEC-DATA-P01",
            f"{plural(count, 'row')} in {plural(clashing, 'group')} share identical "
            f"features but carry different labels in {label!r} (first at position {first})"
            f"{detail}",
            column=label,
            row=first,
            count=count,
            share=count / d.length,
            groups=clashing,
            severity="info" if natural else None,
        )
    ]


ZERO_SHARE = 0.1
"""A non-negative column with at least this share of zeros is judged on its positive values."""
SKEW_RATIO = 1.5
"""Positive values whose 99th percentile lies this many times further above the median than the
1st lies below it are right-skewed (a quantile skewness of 0.2), and judged on a log scale."""
SMALL_SCALE = 32


@dataclass(frozen=True)
class _Scale:
    """How a column's values are judged: on which scale, around which median, with which spread."""

    logged: bool
    """Judged on ``log(x)`` (positive values of a right-skewed non-negative column)."""
    positive: bool
    """Only positive values judged: zeros sit at the support's edge and are never outliers."""
    nonneg: bool
    med: float
    scale: float

    def judged(self, values: Any) -> tuple[Any, Any]:
        """``(judged values, mask of the values judged)``."""
        import numpy as np

        mask = values > 0 if self.positive else np.ones(len(values), dtype=bool)
        kept = values[mask]
        return (np.log(kept) if self.logged else kept), mask

    def original(self, bound: float) -> float:
        import math

        value = math.exp(bound) if self.logged else bound
        return max(value, 0.0) if self.nonneg else value


def _spread(sample: Any) -> tuple[float, float]:
    """Median and robust scale (1.4826 · MAD) of ``sample``; where over half the values are the
    median, the spread of the others, so a zero-inflated count still has a scale."""
    import numpy as np

    med = float(np.median(sample))
    dev = np.abs(sample - med)
    scale = 1.4826 * float(np.median(dev))
    if scale == 0:
        rest = dev[dev > 0]
        scale = 1.4826 * float(np.median(np.abs(rest - np.median(rest)))) if len(rest) else 0.0
    return med, scale


def _skewed(positive: Any) -> bool:
    import numpy as np

    lo, mid, hi = np.quantile(positive, [0.01, 0.5, 0.99])
    return bool(mid - lo > 0 and (hi - mid) > SKEW_RATIO * (mid - lo))


def _small_scale(sample: Any) -> bool:
    """Whole numbers of at most :data:`SMALL_SCALE` values: a bounded scale (pixel intensities,
    ratings, counts of children), judged as it is, not on a log scale."""
    import numpy as np

    return bool((sample == np.round(sample)).all() and len(np.unique(sample)) <= SMALL_SCALE)


def _scale_of(values: Any) -> _Scale | None:
    """How to judge ``values`` (finite), or ``None`` when they have no spread.

    A non-negative column is judged on its positive values when it holds many zeros or its
    positive values are right-skewed, on ``log(x)`` when skewed (unless it is a small scale of
    whole numbers, see :func:`_small_scale`); a fence is never quoted below 0 for a non-negative
    column.
    """
    import numpy as np

    step = max(1, len(values) // SAMPLE)
    sample = values[::step]
    nonneg = bool(values.min() >= 0)
    logged = positive = False
    if nonneg:
        pos = sample[sample > 0]
        if len(pos) >= 20:
            logged = _skewed(pos) and not _small_scale(sample)
            positive = logged or 1 - len(pos) / len(sample) >= ZERO_SHARE
            if positive:
                sample = np.log(pos) if logged else pos
    med, scale = _spread(sample)
    if scale == 0:
        return None
    return _Scale(logged, positive, nonneg, med, scale)


def _cut(beyond: Any, edge: float, gap: float) -> float | None:
    """The first value of ``beyond`` (sorted distinct values outside the fence, nearest first,
    as distances from the fence side) past a gap of at least ``gap`` from ``edge`` or from the
    value before it; ``None`` when the values run on from the column's body without such a gap."""
    import numpy as np

    steps = np.diff(np.concatenate([[edge], beyond]))
    breaks = np.flatnonzero(steps >= gap)
    return float(beyond[breaks[0]]) if len(breaks) else None


def extreme_outliers(
    d: FrameDigests, t: Mapping[str, float], skip: Sequence[str] = ()
) -> tuple[list[DataFinding], dict[str, dict[str, Any]]]:
    """Values far outside a column's robust spread and apart from its other values, with a
    histogram of each flagged column.

    A value is an outlier when its robust z (``|x − median| / (1.4826 · MAD)``, see
    :func:`_scale_of` for the scale) exceeds ``outlier_z``, a gap of ``outlier_gap`` robust
    standard deviations parts it from every value inside the fence (a tail that runs on past the
    fence is a tail), it occurs fewer than ``outlier_mode_count`` times (a repeated value is a mode)
    and at most ``outlier_max_share`` of the column is flagged.
    """
    import numpy as np
    from pandas.api import types as pt

    out: list[DataFinding] = []
    hists: dict[str, dict[str, Any]] = {}
    for name in d.names:
        series = d.series(name)
        numeric = d.kinds[name] in ("integer", "float") and not pt.is_bool_dtype(series.dtype)
        if name in skip or not numeric:
            continue
        raw = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(raw)
        values = raw[finite]
        if len(values) < 20:
            continue
        how = _scale_of(values)
        if how is None:
            continue
        judged, mask = how.judged(values)
        z, gap = t["outlier_z"], t["outlier_gap"] * how.scale
        lo_j, hi_j = how.med - z * how.scale, how.med + z * how.scale
        high, low = judged > hi_j, judged < lo_j
        if not (high.any() or low.any()) or (high | low).sum() / len(values) > t[
            "outlier_max_share"
        ]:
            continue
        inside = judged[~(high | low)]
        flagged = np.zeros(len(judged), dtype=bool)
        if high.any():
            cut = _cut(np.unique(judged[high]), float(inside.max()), gap)
            if cut is not None:
                flagged |= judged >= cut
        if low.any():
            cut = _cut(-np.unique(judged[low])[::-1], -float(inside.min()), gap)
            if cut is not None:
                flagged |= judged <= -cut
        if flagged.any():
            repeated, counts = np.unique(judged[flagged], return_counts=True)
            modes = repeated[counts >= t["outlier_mode_count"]]
            if len(modes):
                flagged &= ~np.isin(judged, modes)
        count = int(flagged.sum())
        if count == 0:
            continue
        lo, hi = how.original(lo_j), how.original(hi_j)
        worst = float((np.abs(judged[flagged] - how.med) / how.scale).max())
        rows = np.flatnonzero(finite)[np.flatnonzero(mask)[flagged]]
        first = int(rows[0])
        scale_note = " on a log scale" if how.logged else ""
        if how.positive and (values == 0).any():
            scale_note += " of its positive values (zeros aside)"
        out.append(
            finding(
                "AISEC-DATA-P02",
                f"column {name!r}: {plural(count, 'value')} {'lies' if count == 1 else 'lie'} "
                f"outside [{lo:.4g}, {hi:.4g}], more than {z:g} robust standard deviations from "
                f"the median{scale_note} and apart from the column's other values (largest: "
                f"{worst:.3g}; first at position {first})",
                column=name,
                row=first,
                count=count,
                share=count / d.length,
                threshold=z,
                fence=[lo, hi],
            )
        )
        outside = np.zeros(len(values), dtype=bool)
        outside[np.flatnonzero(mask)[flagged]] = True
        hist_counts, edges = np.histogram(values[~outside], bins=HIST_BINS)
        above = int((judged[flagged] > how.med).sum())
        hists[name] = {
            "edges": [float(e) for e in edges],
            "counts": [int(c) for c in hist_counts],
            "below": count - above,
            "above": above,
        }
    return out, hists


def label_imbalance(labels: Labels, label: str, t: Mapping[str, float]) -> list[DataFinding]:
    """Label classes rarer than ``label_min_share`` (categorical labels only)."""
    counts = labels.counts()
    total = int(counts.sum())
    if labels.edges is not None or labels.k < 2 or total == 0:
        return []
    rare = [
        (labels.classes[i], int(c))
        for i, c in enumerate(counts)
        if c / total < t["label_min_share"]
    ]
    if not rare:
        return []
    listing = ", ".join(f"{name!r}: {c:,} ({pct(c / total)})" for name, c in rare[:5])
    fewest = min(c for _, c in rare)
    return [
        finding(
            "AISEC-DATA-P03",
            f"label {label!r}: {plural(len(rare), 'class', 'classes')} below "
            f"{pct(t['label_min_share'])} of rows: {listing}",
            column=label,
            count=fewest,
            share=fewest / total,
            threshold=t["label_min_share"],
            classes=[name for name, _ in rare],
        )
    ]


def homogeneity_p(ours: Any, theirs: Any) -> float:
    """The chance that two samples with these class counts come from one distribution: the χ²
    test of homogeneity, its p-value by the Wilson–Hilferty approximation.

    >>> import numpy as np
    >>> round(homogeneity_p(np.array([50, 50]), np.array([48, 52])), 1)
    0.8
    >>> homogeneity_p(np.array([900, 100]), np.array([500, 500])) < 1e-9
    True
    """
    import numpy as np

    table = np.vstack([ours, theirs]).astype("float64")
    table = table[:, table.sum(axis=0) > 0]
    df = table.shape[1] - 1
    if df < 1:
        return 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    if statistic <= 0:
        return 1.0
    h = 2 / (9 * df)
    z = ((statistic / df) ** (1 / 3) - (1 - h)) / math.sqrt(h)
    return 0.5 * math.erfc(z / math.sqrt(2))


def _chance(p: float) -> str:
    return "p < 1e-6" if p < 1e-6 else f"p = {p:.2g}"


def label_shift(
    labels: Labels, reference: Labels, label: str, t: Mapping[str, float]
) -> list[DataFinding]:
    """Label shares against a reference frame: total variation distance and unseen classes (for a
    regression target: the shares of its ranges, cut at this frame's deciles)."""
    import numpy as np

    k = max(labels.k, reference.k)
    ours = np.bincount(labels.codes[labels.codes >= 0], minlength=k).astype("float64")
    theirs = np.bincount(reference.codes[reference.codes >= 0], minlength=k).astype("float64")
    if ours.sum() == 0 or theirs.sum() == 0:
        return []
    p, q = ours / ours.sum(), theirs / theirs.sum()
    tvd = float(0.5 * np.abs(p - q).sum())
    chance = homogeneity_p(ours, theirs)
    if tvd < t["label_shift_tvd"] or chance >= t["label_shift_p"]:
        return []  # too small a move, or one that samples of these sizes make by chance
    names = reference.classes if reference.k >= labels.k else labels.classes
    order = np.argsort(-np.abs(p - q))[:4]
    moves = ", ".join(f"{names[i]!r} {pct(q[i])} → {pct(p[i])}" for i in order)
    new = [names[i] for i in range(k) if p[i] > 0 and q[i] == 0]
    if labels.regression:
        what = f"label {label!r} (a regression target) moved against the reference: the shares of "
        what += "its ranges changed by"
        extra = ""
    else:
        what = f"label {label!r} shares moved against the reference by"
        extra = f"; classes absent from the reference: {new[:5]}" if new else ""
    return [
        finding(
            "AISEC-DATA-P04",
            f"{what} {tvd:.3f} (total variation; threshold {t['label_shift_tvd']:g}; chance "
            f"{_chance(chance)}): {moves}{extra}",
            column=label,
            count=int(ours.sum()),
            share=tvd,
            threshold=t["label_shift_tvd"],
        )
    ]
