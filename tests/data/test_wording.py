"""What the findings say: singulars and plurals, shares that do not round to 100% (or 0%) when they
are not, a single value in the rows that have one, and no fence below a column's minimum."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aisec_nb.data.findings import pct, plural
from tests.data.helpers import clean_frame, of_kind, run


def test_one_is_singular() -> None:
    df = clean_frame()
    df.loc[5, "x"] = 40.0
    df.loc[7, "amount"] = 1e9
    df = pd.concat([df, df.iloc[[100]]], ignore_index=True)
    df.loc[: len(df) // 200, "y"] = 2  # one rare class
    rows = df.index[200::90][:20]
    df.loc[rows, "shop"] = "kiosk-7"
    df.loc[rows, "y"] = 1
    result = run(df, label="y", test=df.iloc[[3]])
    messages = [f.message for f in result.findings]
    text = " | ".join(messages)
    assert "1 row (0.05%) repeats an earlier row exactly" in text
    assert "column 'x': 1 value lies outside" in text
    assert "1 class below 1% of rows" in text
    assert "1 rare value covering 20 rows predicts the label" in text
    assert "1 of 1 test row (100%) also occurs in the training frame" in text
    assert not re.search(r"\b1 (rows|values|classes|groups|columns)\b", text), text
    assert "(s)" not in text and "(es)" not in text


def test_shares_round_to_100_or_0_only_when_they_are() -> None:
    assert pct(0.99996) == "99.996%" and pct(0.9996) == "99.96%" and pct(1.0) == "100%"
    assert pct(0.00004) == "<0.01%" and pct(0.0) == "0%" and pct(0.5) == "50%"
    assert plural(0, "row") == "0 rows" and plural(1, "class", "classes") == "1 class"
    df = pd.DataFrame({"flag": [0] * 4999 + [1]})
    found = of_kind(run(df), "near_constant_column")
    assert "one value covers 99.98% of 5,000 present values" in found[0].message


def test_a_single_value_in_a_column_with_missing_rows() -> None:
    df = pd.DataFrame({"x": np.arange(10.0), "unit": ["kg"] * 8 + [None, None]})
    found = of_kind(run(df), "constant_column")
    assert "has a single value in its 8 present rows; the other 2 rows are missing" in (
        found[0].message
    )
    assert "in all 10 rows" not in found[0].message
    one = pd.DataFrame({"x": np.arange(10.0), "unit": ["kg"] * 9 + [None]})
    assert "the other 1 row is missing" in of_kind(run(one), "constant_column")[0].message


def test_no_fence_is_quoted_below_a_non_negative_columns_minimum() -> None:
    rng = np.random.default_rng(9)
    counts = rng.poisson(3, 3000).astype(float)
    counts[0] = 400.0
    found = of_kind(run(pd.DataFrame({"visits": counts})), "extreme_outliers")
    assert len(found) == 1 and found[0].fence[0] >= 0
    assert re.search(r"outside \[0(\.0+)?, ", found[0].message), found[0].message
