"""Poisoning signs: conflicting labels, outliers, imbalance, label shift, rare-value triggers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.data.helpers import clean_frame, facts, of_kind, run


def test_clean_labelled_frame_has_no_findings() -> None:
    assert run(clean_frame(), label="y").findings == ()


def test_conflicting_labels() -> None:
    df = clean_frame()
    clash = df.iloc[[10, 20, 30]].copy()
    clash["y"] = 1 - clash["y"]
    result = run(pd.concat([df, clash], ignore_index=True), label="y")
    assert facts(result) == [("conflicting_labels", "y", 6)]
    assert of_kind(result, "conflicting_labels")[0].groups == 3


def test_extreme_outliers_with_a_log_scale_for_skewed_columns() -> None:
    df = clean_frame()
    df.loc[[5, 6], "x"] = [40.0, -55.0]
    df.loc[7, "amount"] = 1e9
    result = run(df, label="y")
    assert facts(result) == [("extreme_outliers", "amount", 1), ("extreme_outliers", "x", 2)]
    by_column = {f.location.column: f for f in of_kind(result, "extreme_outliers")}
    assert "log scale" in by_column["amount"].message
    assert by_column["x"].location.row == 5
    lo, hi = by_column["x"].fence
    assert lo < -5 and 5 < hi < 40
    hist = result.summary.histograms["x"]
    assert (hist.below, hist.above, sum(hist.counts)) == (1, 1, 1998)


def test_label_imbalance() -> None:
    df = clean_frame()
    df.loc[:9, "y"] = 2  # 10 of 2000 = 0.5% < 1%
    result = run(df, label="y")
    found = of_kind(result, "label_imbalance")
    assert [(f.count, f.classes) for f in found] == [(10, ("2",))]


def test_label_shift_against_reference() -> None:
    df, ref = clean_frame(seed=3), clean_frame(seed=4)
    flip = df.index[df["y"] == 0][:300]
    df.loc[flip, "y"] = 1
    result = run(df, label="y", reference=ref)
    shift = of_kind(result, "label_shift")
    assert len(shift) == 1 and shift[0].share >= 0.1
    assert run(clean_frame(seed=3), label="y", reference=ref).findings == ()


def test_rare_value_that_predicts_the_label() -> None:
    df = clean_frame()
    rows = df.index[::90][:20]  # 1% of rows: the default upper bound of "rare"
    df.loc[rows, "shop"] = "kiosk-7"
    df.loc[rows, "y"] = 1
    result = run(df, label="y")
    assert facts(result) == [("rare_value_predicts_label", "shop", 20)]
    assert "'kiosk-7'" in of_kind(result, "rare_value_predicts_label")[0].message


def test_poisoning_signs_weigh_more_for_feedback_data() -> None:
    df = clean_frame()
    df.loc[7, "amount"] = 1e9
    assert of_kind(run(df, label="y"), "extreme_outliers")[0].severity == "medium"
    assert of_kind(run(df, label="y", role="feedback"), "extreme_outliers")[0].severity == "high"


def test_a_trigger_in_a_large_text_vocabulary_is_not_quoted() -> None:
    df = clean_frame()
    df["ref"] = [f"ref-{i}" for i in range(len(df))]
    rows = df.index[::90][:20]
    df.loc[rows, "ref"] = "Jane Q Public"
    df.loc[rows, "y"] = 1
    found = of_kind(run(df, label="y"), "rare_value_predicts_label")
    assert [f.location.column for f in found] == ["ref"]
    assert "Jane" not in found[0].message and "a value of 13 characters" in found[0].message


def _natural(n: int = 5000, seed: int = 21) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pixel = np.minimum(rng.geometric(0.45, n) - 1, 16)  # a 0-16 scale, mostly 0, rarely 15-16
    pixel[:3] = [15, 16, 16]
    rain = np.where(rng.uniform(size=n) < 0.7, 0.0, rng.gamma(0.6, 8.0, n)).round(1)
    return pd.DataFrame(
        {
            "pixel": pixel,
            "amount": np.where(rng.uniform(size=n) < 0.85, 0.0, rng.lognormal(4, 1.5, n)),
            "duration_s": rng.pareto(1.5, n) * 30 + 1,
            "rain_mm": rain,
            "wait_days": rng.lognormal(0, 1.2, n),
        }
    )


def test_natural_tails_are_not_outliers() -> None:
    # bounded small integer scales, zero-inflated amounts, heavy-tailed durations and rainfall
    assert of_kind(run(_natural()), "extreme_outliers") == []


def test_a_value_seen_many_times_is_a_mode_not_an_outlier() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(50, 5, 5000)
    x[:12] = 9999.0  # e.g. a code for 'not measured': repeated, so not an injected extreme
    x[20] = 5000.0
    found = of_kind(run(pd.DataFrame({"x": x})), "extreme_outliers")
    assert [(f.count, f.location.row) for f in found] == [(1, 20)]


def test_a_tail_that_runs_on_past_the_fence_is_a_tail() -> None:
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 1, 4000), np.linspace(9, 14, 12)])
    assert of_kind(run(pd.DataFrame({"x": x})), "extreme_outliers") == []
    x[-1] = 60.0  # one value far past where the tail ends
    found = of_kind(run(pd.DataFrame({"x": x})), "extreme_outliers")
    assert [f.count for f in found] == [1]


def test_fences_respect_the_support_of_a_non_negative_column() -> None:
    df = _natural()
    df.loc[10, "amount"] = 5e9
    df.loc[11, "pixel"] = 900
    found = {f.location.column: f for f in of_kind(run(df), "extreme_outliers")}
    assert sorted(found) == ["amount", "pixel"]
    for f in found.values():
        assert f.fence[0] >= 0 and f.count == 1
        assert "outside [-" not in f.message
    assert "log scale of its positive values (zeros aside)" in found["amount"].message
    assert "1 value lies outside" in found["amount"].message


def test_conflicting_labels_of_a_regression_target_are_not_reported() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.integers(0, 5, 300), "y": rng.normal(size=300)})
    assert of_kind(run(df, label="y"), "conflicting_labels") == []


def test_conflicts_among_coarse_features_that_do_not_decide_the_label_are_info() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    df = pd.DataFrame({f"q{i}": rng.integers(1, 4, n) for i in range(4)})
    df["y"] = (rng.uniform(size=n) < 0.3).astype("int64")  # survey answers decide nothing
    found = of_kind(run(df, label="y"), "conflicting_labels")
    assert [f.severity for f in found] == ["info"]
    assert "the features do not decide the label here" in found[0].message
    # flipped copies still stand out where the label follows the coarse features
    decided = df.assign(y=(df["q0"] + df["q1"] > 4).astype("int64"))
    flipped = decided.iloc[:30].assign(y=lambda f: 1 - f["y"])
    found = of_kind(run(pd.concat([decided, flipped]), label="y"), "conflicting_labels")
    assert [f.severity for f in found] == ["high"]


def test_a_label_shift_that_chance_explains_is_not_reported() -> None:
    df = clean_frame(200, seed=3)
    ref = clean_frame(200, seed=4)
    assert of_kind(run(df, label="y", reference=ref), "label_shift") == []
    big, big_ref = clean_frame(20000, seed=3), clean_frame(20000, seed=4)
    flip = big.index[big["y"] == 0][:1500]
    big.loc[flip, "y"] = 1
    shift = of_kind(run(big, label="y", reference=big_ref), "label_shift")
    assert len(shift) == 1 and "p < 1e-6" in shift[0].message
