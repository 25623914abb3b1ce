"""Leakage: test rows inside the training frame, and a column that gives the label away."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aisec_nb.data.leakage import predictive_score
from aisec_nb.errors import UsageError
from tests.data.helpers import facts, of_kind, run


def _frame(n: int = 1000, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "id": [f"row{i:05d}" for i in range(n)],
            "x": x,
            "z": rng.uniform(size=n),
            "y": (x + rng.normal(size=n) > 0).astype("int64"),
        }
    )


def test_test_rows_found_in_training_without_the_label() -> None:
    train = _frame()
    test = _frame(200, seed=6)
    copied = train.iloc[[1, 2, 3, 4]].copy()
    copied["y"] = 1 - copied["y"]  # relabelled copies still leak
    test = pd.concat([test, copied], ignore_index=True)
    result = run(train, label="y", test=test)
    assert facts(result) == [("test_rows_in_training", None, 4)]
    found = of_kind(result, "test_rows_in_training")[0]
    assert found.location.row == 200 and found.columns == 3
    assert result.summary.test_shape == (204, 4)


def test_test_frame_without_shared_columns_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="shares no feature column"):
        run(_frame(), label="y", test=pd.DataFrame({"other": [1]}))


def test_a_column_that_copies_the_label_is_leakage_and_an_identifier_is_not() -> None:
    df = _frame()
    df["refund_issued"] = df["y"]
    df.loc[:9, "refund_issued"] = 1 - df.loc[:9, "refund_issued"]
    result = run(df, label="y")
    assert facts(result) == [("column_predicts_label", "refund_issued", 1000)]
    assert of_kind(result, "column_predicts_label")[0].share > 0.9


def test_a_sorted_numeric_id_that_tracks_the_label_is_leakage() -> None:
    df = _frame().sort_values("y", ignore_index=True)
    df["case_no"] = np.arange(len(df))
    result = run(df, label="y")
    assert [f.location.column for f in of_kind(result, "column_predicts_label")] == ["case_no"]


def test_predictive_score_bounds() -> None:
    y = np.array([0, 1] * 50)
    assert predictive_score(np.arange(100), y, 2) == 0.0
    assert predictive_score(y.copy(), y, 2) == 1.0
    assert predictive_score(np.zeros(100, dtype=int), y, 2) == 0.0


def test_a_column_present_only_for_one_class_leaks_through_its_missingness() -> None:
    df = _frame()
    rng = np.random.default_rng(1)
    df["refund_amount"] = np.where(df["y"] == 1, rng.lognormal(3, 1, len(df)), np.nan)
    df.loc[df.index[(df["y"] == 1).to_numpy()][::3], "refund_amount"] = np.nan  # not always
    result = run(df, label="y")
    found = of_kind(result, "missingness_predicts_label")
    assert [(f.location.column, f.code, f.severity) for f in found] == [
        ("refund_amount", "AISEC-DATA-L03", "high")
    ]
    assert "is present in" in found[0].message and "y = '1'" in found[0].message
    assert found[0].classes == ("1",)
    assert result.verdict == "fail"


def test_a_column_missing_only_for_one_class_leaks_too_and_random_gaps_do_not() -> None:
    df = _frame()
    df["next_payment"] = np.where(df["y"] == 0, df["z"], np.nan)
    df.loc[:5, "next_payment"] = np.nan
    found = of_kind(run(df, label="y"), "missingness_predicts_label")
    assert [f.location.column for f in found] == ["next_payment"]
    assert "is missing in" in found[0].message or "is present in" in found[0].message
    gaps = _frame()
    gaps.loc[gaps.index[::7], "z"] = np.nan
    assert of_kind(run(gaps, label="y"), "missingness_predicts_label") == []
