"""Label encoding: classes of any dtype, deciles for many-valued numeric labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aisec_nb.data.labels import encode_labels, encode_like


@pytest.mark.parametrize("dtype", ["int64", "Int64", "string", "category", "bool"])
def test_labels_of_any_dtype(dtype: str) -> None:
    series = pd.Series([1, 0, 1, 1]).astype(dtype)
    labels = encode_labels(series)
    assert labels.counts().tolist() == [3, 1]


def test_numeric_labels_with_many_values_are_binned_into_deciles() -> None:
    labels = encode_labels(pd.Series(np.arange(1000, dtype=float)))
    assert labels.k == 10 and labels.counts().tolist() == [100] * 10
    other = encode_like(pd.Series([0.0, 999.0, np.nan]), labels)
    assert other.codes.tolist() == [0, 9, -1]


def test_reference_labels_keep_the_training_classes_and_append_new_ones() -> None:
    labels = encode_labels(pd.Series(["a", "b", "a"]))
    other = encode_like(pd.Series(["b", "c", None]), labels)
    assert other.codes.tolist() == [1, 2, -1] and other.classes == ("a", "b", "c")


def test_float_and_int_labels_are_the_same_classes() -> None:
    live = encode_labels(pd.Series([0, 1, 1, 0]))
    reference = encode_like(pd.Series([0.0, 1.0, 1.0, np.nan]), live)
    assert reference.classes == live.classes == ("0", "1")
    assert reference.codes.tolist() == [0, 1, 1, -1]
    assert encode_labels(pd.Series([1.0, 0.0, 1.0])).classes == ("1", "0")
    assert encode_like(pd.Series(["1", "0"]), live).classes == ("0", "1")


def test_a_float_reference_label_shows_no_shift() -> None:
    from tests.data.helpers import of_kind, run

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=500), "y": rng.integers(0, 2, 500)})
    ref = pd.DataFrame({"x": rng.normal(size=500), "y": rng.integers(0, 2, 500).astype(float)})
    assert of_kind(run(df, label="y", reference=ref), "label_shift") == []
    assert run(df, label="y", reference=ref).summary.label.classes == ("1", "0") or (
        run(df, label="y", reference=ref).summary.label.classes == ("0", "1")
    )


@pytest.mark.parametrize(
    ("values", "regression"),
    [
        (list(range(30)) * 3, True),  # many values
        # few rows for so many values
        ([7.0, 8, 8, 9, 11, 12, 13, 14, 15, 15, 18, 18, 19, 20, 20, 28, 37, 37, 42], True),
        ([0.5, 1.5, 2.5, 3.5, 4.5, 5.5] * 20, True),  # fractions
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 30, False),  # ten digit classes
        ([1, 2, 3] * 3, False),
    ],
)
def test_what_is_a_regression_target(values: list[float], regression: bool) -> None:
    assert encode_labels(pd.Series(values)).regression is regression


def test_class_rules_do_not_apply_to_a_regression_target() -> None:
    from tests.data.helpers import of_kind, run

    rng = np.random.default_rng(2)
    x = rng.integers(0, 4, 400)
    df = pd.DataFrame({"x": x, "y": x * 10 + rng.normal(size=400)})  # equal x, differing y
    result = run(df, label="y")
    assert of_kind(result, "conflicting_labels") == [] and of_kind(result, "label_imbalance") == []
    ref = df.assign(y=df["y"] + 15)
    shift = of_kind(run(df, label="y", reference=ref), "label_shift")
    assert len(shift) == 1 and "(a regression target)" in shift[0].message
    assert "classes absent" not in shift[0].message
