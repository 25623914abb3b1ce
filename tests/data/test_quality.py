"""Quality checks on small hand-built frames: exact kind, column and count."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.data.helpers import facts, of_kind, run


def _base(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.integers(0, 1000, n),
            "c": pd.Series(rng.choice(["red", "green", "blue"], n)),
        }
    )


def test_a_clean_frame_has_no_findings() -> None:
    result = run(_base())
    assert result.findings == ()
    assert result.verdict == "pass"


def test_every_column_with_missing_values_is_reported_info_below_the_threshold() -> None:
    df = _base()
    df.loc[:1, "x"] = np.nan  # 2 of 40 = 5%: at the default threshold
    df.loc[:0, "k"] = None  # 1 of 40: below it
    result = run(df.astype({"k": "Int64"}))
    assert facts(result) == [("missing_values", "k", 1), ("missing_values", "x", 2)]
    by_column = {f.location.column: f for f in of_kind(result, "missing_values")}
    assert by_column["x"].severity == "medium"
    assert by_column["x"].share == 0.05 and by_column["x"].threshold == 0.05
    assert by_column["x"].guideline.startswith("Secure development")
    assert by_column["k"].severity == "info"
    assert "missing 1 of 40 values (2.5%, below threshold 5%)" in by_column["k"].message
    assert result.verdict == "warn"
    only_below = _base()
    only_below.loc[:0, "x"] = np.nan
    assert run(only_below).verdict == "pass"  # info says so, and warns of nothing


def test_mixed_null_markers_count_as_missing() -> None:
    df = _base()
    df["c"] = df["c"].astype(object)
    df.loc[0, "c"] = None
    df.loc[1, "c"] = "N/A"
    df.loc[2, "c"] = " null "
    result = run(df)
    assert facts(result) == [("missing_values", "c", 3), ("mixed_null_markers", "c", 2)]
    marker = of_kind(result, "mixed_null_markers")[0]
    assert marker.markers == ("' null '", "'N/A'")


def test_constant_and_near_constant_columns() -> None:
    df = _base(400)
    df["one"] = "same"
    df["empty"] = np.nan
    df["rare"] = 0
    df.loc[0, "rare"] = 1  # 399 of 400 = 99.75% one value
    result = run(df)
    assert facts(result) == [
        ("constant_column", "empty", 400),
        ("constant_column", "one", 400),
        ("near_constant_column", "rare", 1),
    ]


def test_mixed_types_in_object_and_numeric_text_columns() -> None:
    df = _base()
    df["obj"] = pd.Series([1] * 38 + ["one", 2.5], dtype=object)
    df["age"] = pd.Series([str(v) for v in range(30, 69)] + ["unknown"], dtype=object)
    result = run(df)
    assert facts(result) == [("mixed_types", "age", 1), ("mixed_types", "obj", 2)]
    by_column = {f.location.column: f for f in of_kind(result, "mixed_types")}
    assert by_column["obj"].types == ("float", "int", "str")
    assert by_column["age"].types == ("number", "text")


def test_category_spelling_variants() -> None:
    df = _base()
    df["answer"] = ["Yes"] * 20 + ["yes "] * 3 + ["YES"] * 2 + ["no"] * 14 + ["No"]
    result = run(df)
    assert facts(result) == [("category_variants", "answer", 6)]
    assert "'Yes' / 'yes ' / 'YES'" in of_kind(result, "category_variants")[0].message


def test_exact_duplicate_rows() -> None:
    df = _base()
    df = pd.concat([df, df.iloc[[3, 3, 7]]], ignore_index=True)
    result = run(df)
    assert facts(result) == [("duplicate_rows", None, 3)]
    assert of_kind(result, "duplicate_rows")[0].location.row == 40


def test_infinite_values() -> None:
    df = _base()
    df.loc[[1, 5], "x"] = [np.inf, -np.inf]
    assert facts(run(df)) == [("infinite_values", "x", 2)]


def test_pyarrow_backed_columns_are_checked_alike() -> None:
    df = _base()
    df.loc[:2, "x"] = np.nan
    df.loc[5, "k"] = 10**6
    arrow = df.astype({"x": "double[pyarrow]", "k": "int64[pyarrow]", "c": "string[pyarrow]"})
    assert facts(run(arrow)) == facts(run(df)) == [("missing_values", "x", 3)]


def test_spellings_of_a_large_vocabulary_are_not_quoted() -> None:
    names = [f"Person Number{i}" for i in range(150)] + ["person number7", "PERSON NUMBER9"]
    result = run(pd.DataFrame({"who": names}))
    assert facts(result) == [("category_variants", "who", 2)]
    message = of_kind(result, "category_variants")[0].message
    assert "Number7" not in message and "2 spellings" in message


def test_duplicates_that_chance_gives_are_info() -> None:
    rng = np.random.default_rng(4)
    series = pd.DataFrame({"ppm": rng.normal(350, 5, 3000).round(1)})  # a time series' values
    found = of_kind(run(series), "duplicate_rows")
    assert [f.severity for f in found] == ["info"]
    assert "about as many as chance gives" in found[0].message
    assert "its one column takes few distinct values" in found[0].message
    survey = pd.DataFrame({f"q{i}": rng.integers(1, 4, 500) for i in range(3)})
    assert [f.severity for f in of_kind(run(survey), "duplicate_rows")] == ["info"]
    copied = pd.concat([_base(), _base().iloc[:3]], ignore_index=True)
    assert [f.severity for f in of_kind(run(copied), "duplicate_rows")] == ["low"]
