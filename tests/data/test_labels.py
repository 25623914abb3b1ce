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
