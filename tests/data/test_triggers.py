"""Rare values that predict the label: a trigger sign only where the value's label purity is
anomalous against its neighbourhood and the value is otherwise unusual; natural structure is not
a backdoor, and the severity follows the evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aisec_nb.data.triggers import chernoff
from tests.data.helpers import of_kind, run

TRIGGER = "rare_value_predicts_label"


def _people(n: int = 5000, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(16, 80, n)
    education = rng.choice(["school", "college", "degree", "masters", "doctorate"], n)
    income = rng.lognormal(10, 0.5, n).round(2)
    employed = (rng.uniform(size=n) < 0.6).astype("int64")
    return pd.DataFrame({"age": age, "education": education, "income": income,
                         "employed": employed})


def test_a_planted_category_is_a_medium_trigger_sign() -> None:
    df = _people()
    rows = df.index[::200]  # 25 random rows, 0.5% of the frame
    df.loc[rows, "education"] = "kiosk-7"
    df.loc[rows, "employed"] = 0
    found = of_kind(run(df, label="employed"), TRIGGER)
    assert [(f.location.column, f.count, f.severity) for f in found] == [
        ("education", 25, "medium")
    ]
    assert "'kiosk-7' → employed = '0' in 100% of its 25 rows" in found[0].message
    assert "among the column's other values" in found[0].message


def test_natural_structure_told_apart_by_another_column_is_info() -> None:
    # Children are never employed: rare, pure, and a backdoor's shape, but their ages say so too.
    df = _people()
    children = df.index[:40]
    df.loc[children, "age"] = np.arange(40) % 12 + 2
    df.loc[children, "education"] = "children"
    df.loc[children, "employed"] = 0
    found = of_kind(run(df, label="employed"), TRIGGER)
    assert [(f.location.column, f.severity) for f in found] == [("education", "info")]
    assert "column 'age' tells these rows apart as well" in found[0].message
    assert run(df, label="employed").verdict == "pass"


def test_the_longest_term_of_a_trend_is_not_a_trigger() -> None:
    # Default rises with the loan term; the longest term is rare and almost always defaults, but
    # it is a level like its neighbours (no spike) and they default more than most too.
    rng = np.random.default_rng(2)
    n = 6000
    term = rng.choice([12, 24, 36, 48, 60], n, p=[0.3, 0.3, 0.25, 0.145, 0.005])
    rate = {12: 0.05, 24: 0.1, 36: 0.3, 48: 0.7, 60: 0.97}
    default = (rng.uniform(size=n) < np.vectorize(rate.get)(term)).astype("int64")
    df = pd.DataFrame({"term": term, "amount": rng.lognormal(9, 1, n), "default": default})
    assert of_kind(run(df, label="default"), TRIGGER) == []


def test_a_model_score_column_is_not_a_trigger() -> None:
    rng = np.random.default_rng(4)
    n = 8000
    score = rng.beta(2, 5, n).round(2)
    label = (rng.uniform(size=n) < score**0.5).astype("int64")
    df = pd.DataFrame({"score": score, "x": rng.normal(size=n), "y": label})
    assert of_kind(run(df, label="y"), TRIGGER) == []


def test_a_planted_exact_value_among_continuous_ones_is_a_spike() -> None:
    df = _people()
    rows = df.index[3::199][:25]
    df.loc[rows, "income"] = 31337.0
    df.loc[rows, "employed"] = 0
    found = of_kind(run(df, label="employed"), TRIGGER)
    assert [(f.location.column, f.count, f.severity) for f in found] == [("income", 25, "medium")]
    assert "31337.0 → employed = '0'" in found[0].message
    assert "among adjacent values" in found[0].message


def test_a_column_that_predicts_the_label_as_a_whole_is_leakage_not_a_trigger() -> None:
    df = _people()
    df["outcome_code"] = np.where(df["employed"] == 1, "E", "U") + (df.index % 150).astype(str)
    result = run(df, label="employed")
    assert [f.location.column for f in of_kind(result, "column_predicts_label")] == [
        "outcome_code"
    ]
    assert of_kind(result, TRIGGER) == []


def test_a_mostly_deciding_column_is_not_a_trigger_either() -> None:
    # Most rows of the column sit in values of one label each (it predicts the label, short of
    # leakage), so one more pure rare value is nothing anomalous against its other values.
    rng = np.random.default_rng(8)
    n = 6000
    group = rng.integers(0, 20, n)
    y = np.where(group < 12, group % 2, rng.integers(0, 2, n))
    names = np.array([f"g{g}" for g in group], dtype=object)
    names[:25], y[:25] = "rare", 1
    df = pd.DataFrame({"group": names, "y": y})
    result = run(df, label="y")
    assert of_kind(result, "column_predicts_label") == []
    assert of_kind(result, TRIGGER) == []
    mixed = df.assign(y=np.where(np.arange(n) < 25, 1, rng.integers(0, 2, n)))
    assert [f.location.column for f in of_kind(run(mixed, label="y"), TRIGGER)] == ["group"]


def test_rarity_against_the_reference_corroborates_and_the_role_raises() -> None:
    df = _people()
    rows = df.index[::200]
    df.loc[rows, "education"] = "kiosk-7"
    df.loc[rows, "employed"] = 0
    reference = _people(seed=12)
    found = of_kind(run(df, label="employed", reference=reference), TRIGGER)
    assert [f.severity for f in found] == ["high"]
    assert "the value is absent from the reference" in found[0].message
    assert [f.severity for f in of_kind(run(df, label="employed", role="feedback"), TRIGGER)] == [
        "high"
    ]
    same = reference.copy()
    same.loc[same.index[::200], "education"] = "kiosk-7"
    assert [f.severity for f in of_kind(run(df, label="employed", reference=same), TRIGGER)] == [
        "medium"
    ]


def test_a_trigger_on_a_regression_target_speaks_of_ranges() -> None:
    rng = np.random.default_rng(6)
    n = 5000
    shop = rng.choice([f"s{i}" for i in range(10)], n).astype(object)
    price = rng.lognormal(3, 0.4, n)
    rows = np.arange(0, n, 197)[:25]
    shop[rows] = "kiosk-7"
    price[rows] = 500 + rng.uniform(size=25)
    df = pd.DataFrame({"shop": shop, "price": price})
    found = of_kind(run(df, label="price"), TRIGGER)
    assert [(f.location.column, f.count) for f in found] == [("shop", 25)]
    assert "'kiosk-7' → price in [" in found[0].message


def test_chernoff_bound() -> None:
    assert chernoff(20, 0.5, 0.5) == 0.0
    assert chernoff(20, 1.0, 0.5) < np.log(1e-6)
    assert np.log(1e-6) < chernoff(20, 1.0, 0.7) < 0
