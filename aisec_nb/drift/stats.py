"""Drift statistics computed from bucket counts, never from rows.

Every function takes the reference and live counts of the same buckets (and, for Wasserstein,
the buckets' positions on the value axis). On data where each distinct value has its own bucket
the results equal scipy's on the raw samples; ``tests/drift/test_stats.py`` checks that.

Example::

    >>> round(psi([50, 50], [80, 20]), 4)
    0.4159
    >>> round(ks([50, 50], [80, 20])[0], 6)
    0.3
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

Counts = Sequence[int] | np.ndarray[Any, Any]

PSI_FLOOR = 1e-4
"""Share given to an empty bucket so PSI stays finite (a common convention)."""


def _shares(counts: Counts) -> np.ndarray[Any, Any]:
    arr = np.asarray(counts, dtype="float64")
    total = arr.sum()
    return arr / total if total > 0 else arr


def psi(ref: Counts, live: Counts, floor: float = PSI_FLOOR) -> float:
    """Population stability index: Σ (live − ref) · ln(live / ref) over bucket shares."""
    p = np.maximum(_shares(ref), floor)
    q = np.maximum(_shares(live), floor)
    return float(np.sum((q - p) * np.log(q / p)))


def ks(ref: Counts, live: Counts) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic over ordered buckets, and its p-value.

    The p-value is the asymptotic Kolmogorov one, ``kstwobign.sf(sqrt(n·m/(n+m)) · D)``
    (scipy.special only: scipy.stats costs half a second to import).
    """
    from scipy import special

    n, m = float(np.sum(ref)), float(np.sum(live))
    if n == 0 or m == 0:
        return 0.0, 1.0
    d = float(np.max(np.abs(np.cumsum(_shares(ref)) - np.cumsum(_shares(live)))))
    en = n * m / (n + m)
    return d, float(np.clip(special.kolmogorov(math.sqrt(en) * d), 0.0, 1.0))


def js(ref: Counts, live: Counts) -> float:
    """Jensen-Shannon distance with base-2 logarithms (0 identical, 1 disjoint)."""
    from scipy.special import rel_entr

    p, q = _shares(ref), _shares(live)
    if p.sum() == 0 or q.sum() == 0:
        return 0.0
    mid = (p + q) / 2
    div = (np.sum(rel_entr(p, mid)) + np.sum(rel_entr(q, mid))) / 2
    return float(math.sqrt(max(div, 0.0) / math.log(2)))


def wasserstein(positions: Sequence[float], ref: Counts, live: Counts) -> float:
    """Wasserstein-1 distance between two distributions on sorted ``positions``."""
    pos = np.asarray(positions, dtype="float64")
    if pos.size < 2:
        return 0.0
    diff = np.abs(np.cumsum(_shares(ref)) - np.cumsum(_shares(live)))[:-1]
    return float(np.sum(diff * np.diff(pos)))


def weighted_std(positions: Sequence[float], counts: Counts) -> float:
    """Standard deviation of a distribution given as counts on ``positions``."""
    w = _shares(counts)
    pos = np.asarray(positions, dtype="float64")
    if w.sum() == 0:
        return 0.0
    mean = float(np.sum(w * pos))
    return float(math.sqrt(max(float(np.sum(w * (pos - mean) ** 2)), 0.0)))


def chi2(ref: Counts, live: Counts) -> tuple[float, float, float]:
    """χ² test of homogeneity of the 2 × k table; returns (statistic, p-value, Cramér's V).

    Buckets empty in both samples are dropped, as scipy's ``chi2_contingency`` requires.
    """
    from scipy import special

    table = np.vstack([np.asarray(ref, "float64"), np.asarray(live, "float64")])
    table = table[:, table.sum(axis=0) > 0]
    total = table.sum()
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0, 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    stat = float(np.sum((table - expected) ** 2 / expected))
    p = float(special.chdtrc(table.shape[1] - 1, stat))
    return stat, p, math.sqrt(stat / total)


def two_proportions(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of a pooled z-test that two shares are equal (1.0 when undefined)."""
    from scipy import special

    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = (k1 + k2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / math.sqrt(var)
    return float(2 * special.ndtr(-abs(z)))


def bin_positions(edges: Sequence[float], lo: float | None, hi: float | None) -> list[float]:
    """A representative value per ordinal bin: the middle of its bounds.

    The outer bins are bounded by ``lo``/``hi``, the reference's smallest and largest values.
    """
    if not edges:
        return [lo if lo is not None else 0.0]
    low = min(lo, edges[0]) if lo is not None else edges[0]
    high = max(hi, edges[-1]) if hi is not None else edges[-1]
    bounds = [low, *edges, high]
    return [(a + b) / 2 for a, b in itertools.pairwise(bounds)]
