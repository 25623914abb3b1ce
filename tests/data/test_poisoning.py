"""Poisoning signs: conflicting labels, outliers, imbalance, label shift, rare-value triggers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.data.helpers import facts, of_kind, run


def _frame(n: int = 2000, seed: int = 3) -> pd.DataFrame:
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


def test_clean_labelled_frame_has_no_findings() -> None:
    assert run(_frame(), label="y").findings == ()


def test_conflicting_labels() -> None:
    df = _frame()
    clash = df.iloc[[10, 20, 30]].copy()
    clash["y"] = 1 - clash["y"]
    result = run(pd.concat([df, clash], ignore_index=True), label="y")
    assert facts(result) == [("conflicting_labels", "y", 6)]
    assert of_kind(result, "conflicting_labels")[0].groups == 3


def test_extreme_outliers_with_a_log_scale_for_skewed_columns() -> None:
    df = _frame()
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
    df = _frame()
    df.loc[:9, "y"] = 2  # 10 of 2000 = 0.5% < 1%
    result = run(df, label="y")
    found = of_kind(result, "label_imbalance")
    assert [(f.count, f.classes) for f in found] == [(10, ("2",))]


def test_label_shift_against_reference() -> None:
    df, ref = _frame(seed=3), _frame(seed=4)
    flip = df.index[df["y"] == 0][:300]
    df.loc[flip, "y"] = 1
    result = run(df, label="y", reference=ref)
    shift = of_kind(result, "label_shift")
    assert len(shift) == 1 and shift[0].share >= 0.1
    assert run(_frame(seed=3), label="y", reference=ref).findings == ()


def test_rare_value_that_predicts_the_label() -> None:
    df = _frame()
    rows = df.index[::90][:20]  # 1% of rows: the default upper bound of "rare"
    df.loc[rows, "shop"] = "kiosk-7"
    df.loc[rows, "y"] = 1
    result = run(df, label="y")
    assert facts(result) == [("rare_value_predicts_label", "shop", 20)]
    assert "'kiosk-7'" in of_kind(result, "rare_value_predicts_label")[0].message


def test_poisoning_signs_weigh_more_for_feedback_data() -> None:
    df = _frame()
    df.loc[7, "amount"] = 1e9
    assert of_kind(run(df, label="y"), "extreme_outliers")[0].severity == "medium"
    assert of_kind(run(df, label="y", role="feedback"), "extreme_outliers")[0].severity == "high"


def test_a_trigger_in_a_large_text_vocabulary_is_not_quoted() -> None:
    df = _frame()
    df["ref"] = [f"ref-{i}" for i in range(len(df))]
    rows = df.index[::90][:20]
    df.loc[rows, "ref"] = "Jane Q Public"
    df.loc[rows, "y"] = 1
    found = of_kind(run(df, label="y"), "rare_value_predicts_label")
    assert [f.location.column for f in found] == ["ref"]
    assert "Jane" not in found[0].message and "a value of 13 characters" in found[0].message
