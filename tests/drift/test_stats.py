"""Binned statistics against scipy on the raw samples they summarise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from aisec_nb.drift import stats

# Small integer samples: giving every distinct value its own bucket makes the binned statistic
# the statistic of the raw sample.
samples = st.lists(st.integers(0, 12), min_size=5, max_size=60)


def buckets(a: list[int], b: list[int]) -> tuple[list[int], np.ndarray, np.ndarray]:
    support = sorted(set(a) | set(b))
    ca = np.array([a.count(v) for v in support])
    cb = np.array([b.count(v) for v in support])
    return support, ca, cb


@given(samples, samples)
def test_ks_statistic_equals_scipy_on_raw_samples(a: list[int], b: list[int]) -> None:
    _, ca, cb = buckets(a, b)
    d, p = stats.ks(ca, cb)
    assert d == pytest.approx(sps.ks_2samp(a, b, method="asymp").statistic, abs=1e-12)
    en = len(a) * len(b) / (len(a) + len(b))
    assert p == pytest.approx(sps.kstwobign.sf(math.sqrt(en) * d), abs=1e-12)


def test_ks_p_value_matches_scipy_asymptotic_on_large_samples() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 50, 4000), rng.integers(2, 52, 5000)
    d, p = stats.ks(np.bincount(a, minlength=52), np.bincount(b, minlength=52))
    ref = sps.ks_2samp(a, b, method="asymp")
    assert d == pytest.approx(ref.statistic, abs=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=0.05)


@given(samples, samples)
def test_chi2_equals_scipy_contingency(a: list[int], b: list[int]) -> None:
    _, ca, cb = buckets(a, b)
    stat, p, v = stats.chi2(ca, cb)
    if len(ca) < 2:
        assert (stat, p, v) == (0.0, 1.0, 0.0)
        return
    ref = sps.chi2_contingency(np.vstack([ca, cb]), correction=False)
    assert stat == pytest.approx(ref.statistic, rel=1e-9, abs=1e-9)
    assert p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-12)
    assert v == pytest.approx(math.sqrt(ref.statistic / (len(a) + len(b))), abs=1e-12)


@given(samples, samples)
def test_wasserstein_equals_scipy_on_raw_samples(a: list[int], b: list[int]) -> None:
    support, ca, cb = buckets(a, b)
    got = stats.wasserstein([float(v) for v in support], ca, cb)
    assert got == pytest.approx(sps.wasserstein_distance(a, b), abs=1e-9)


@given(
    st.lists(st.integers(0, 50), min_size=2, max_size=12).flatmap(
        lambda ref: st.tuples(
            st.just(ref), st.lists(st.integers(0, 50), min_size=len(ref), max_size=len(ref))
        )
    )
)
def test_jensen_shannon_equals_scipy(pair: tuple[list[int], list[int]]) -> None:
    ref, live = pair
    if sum(ref) == 0 or sum(live) == 0:
        assert stats.js(ref, live) == 0.0
        return
    assert stats.js(ref, live) == pytest.approx(jensenshannon(ref, live, base=2), abs=1e-9)


def test_psi_by_hand_and_floor_for_empty_buckets() -> None:
    assert stats.psi([50, 50], [80, 20]) == pytest.approx(
        0.3 * math.log(0.8 / 0.5) + (-0.3) * math.log(0.2 / 0.5)
    )
    # a bucket the reference never filled counts with the floor share, not infinity
    assert stats.psi([100, 0], [90, 10]) == pytest.approx(
        -0.1 * math.log(0.9) + (0.1 - 1e-4) * math.log(0.1 / 1e-4)
    )
    assert stats.psi([10, 20, 30], [10, 20, 30]) == 0.0


def test_two_proportions_matches_a_pooled_z_test() -> None:
    p = stats.two_proportions(30, 1000, 0, 1000)
    pooled = 30 / 2000
    z = 0.03 / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert p == pytest.approx(2 * sps.norm.sf(z))
    assert stats.two_proportions(0, 10, 0, 10) == 1.0


def test_bin_positions_use_reference_range_for_outer_bins() -> None:
    assert stats.bin_positions([1.0, 2.0], 0.0, 4.0) == [0.5, 1.5, 3.0]
    assert stats.bin_positions([], 5.0, 5.0) == [5.0]
