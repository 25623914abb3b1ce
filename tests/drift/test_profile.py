"""Reference profiles: exact merges of partitions, serialisation, size, and clear errors."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aisec_nb
from aisec_nb.drift import Profile, build_profile, merge_profiles
from aisec_nb.drift.counting import count_frame
from aisec_nb.drift.layout import category_key
from aisec_nb.drift.partitioned import FramePartitions, build_profile_partitioned
from aisec_nb.errors import UsageError

CATS = ["a", "b", "c", "d", None]


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 60))
    floats = st.one_of(
        st.floats(-1e6, 1e6),
        st.just(float("nan")),
        st.just(float("inf")),
        st.integers(-5, 5).map(float),
    )
    return pd.DataFrame(
        {
            "num": draw(st.lists(floats, min_size=n, max_size=n)),
            "cat": draw(st.lists(st.sampled_from(CATS), min_size=n, max_size=n)),
            "flag": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "when": pd.to_datetime(
                draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n)), unit="s"
            ),
        }
    )


def split(df: pd.DataFrame, cuts: list[int]) -> list[pd.DataFrame]:
    points = sorted({0, len(df), *(c % (len(df) + 1) for c in cuts)})
    return [df.iloc[a:b] for a, b in itertools.pairwise(points)]


@given(frames(), st.lists(st.integers(0, 100), max_size=5), st.integers(2, 12))
def test_merging_partition_profiles_equals_the_whole(
    df: pd.DataFrame, cuts: list[int], bins: int
) -> None:
    whole = build_profile(df, bins=bins)
    parts = [count_frame(p, whole.layouts)[0] for p in split(df, cuts)]
    merged = merge_profiles(parts)
    assert merged.columns == whole.columns
    assert merged.multivariate == whole.multivariate
    assert merged.rows == whole.rows


@given(
    frames(),
    st.lists(st.integers(0, 100), max_size=5),
    st.integers(2, 12),
    st.integers(1, 6),
)
def test_partition_by_partition_build_equals_in_memory_build(
    df: pd.DataFrame, cuts: list[int], bins: int, max_categories: int
) -> None:
    # few allowed categories turn "cat" into a text column in some examples: both paths agree
    parts = [p for p in split(df, cuts) if len(p)]
    built = build_profile_partitioned(
        FramePartitions(parts), bins=bins, max_categories=max_categories
    )
    assert built == build_profile(df, bins=bins, max_categories=max_categories)


def test_partitioned_edges_are_exact_order_statistics_on_skewed_data() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.lognormal(0, 3, 20_000), [1e300, -1e300], np.full(5000, 7.0)])
    rng.shuffle(x)
    df = pd.DataFrame({"x": x})
    parts = [df.iloc[i : i + 3000] for i in range(0, len(df), 3000)]
    whole = build_profile(df, bins=20)
    assert build_profile_partitioned(FramePartitions(parts), bins=20) == whole
    ranks = [(i * len(x) + 19) // 20 - 1 for i in range(1, 20)]
    assert whole.column("x").layout.edges == tuple(sorted(set(np.sort(x)[ranks].tolist())))


def test_profile_round_trips_through_json_and_stays_small() -> None:
    rng = np.random.default_rng(0)
    n = 100_000
    df = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(8)})
    df["country"] = rng.choice([f"C{i}" for i in range(40)], n)
    df["when"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 10**7, n), "s")
    df["note"] = [f"free text {i}" for i in range(n)]
    profile = build_profile(df)
    text = json.dumps(profile.to_dict())
    assert len(text) < 20_000  # a few KB for 100k rows: the profile holds counts, not rows
    back = Profile.from_dict(json.loads(text))
    assert back == profile and back.digest() == profile.digest()
    assert profile.column("note").kind == "text"
    assert "free text 7" not in text


def test_kinds_cover_datetime_boolean_categorical_text() -> None:
    df = pd.DataFrame(
        {
            "n": [1, 2, 3, 4],
            "b": [True, False, True, True],
            "d": pd.date_range("2026-01-01", periods=4, tz="Europe/Paris"),
            "c": ["x", "y", "x", None],
            "t": ["aa", "bbb", "c", "dddd"],
        }
    )
    profile = build_profile(df, max_categories=3)
    assert [c.kind for c in profile.columns] == [
        "numeric",
        "boolean",
        "datetime",
        "categorical",
        "text",
    ]
    assert profile.column("b").layout.categories == ("True", "False")
    assert profile.column("c").missing == 1
    assert profile.column("d").min == pd.Timestamp("2025-12-31T23:00:00Z").timestamp()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: build_profile([1, 2, 3]), "reference data must be a pandas DataFrame, not list"),
        (
            lambda: build_profile(pd.DataFrame([[1, 2]], columns=["a", "a"])),
            "reference data has duplicate column names: a",
        ),
        (
            lambda: build_profile(pd.DataFrame({"a": [1]}), columns=["b"]),
            "reference data has no column 'b' (it has: a)",
        ),
        (
            lambda: build_profile(pd.DataFrame({"a": [1]}), bins=1),
            "bins must be between 2 and 1000",
        ),
        (lambda: Profile.from_dict({"format": "x"}), "reference profile is malformed"),
        (
            lambda: count_frame(
                pd.DataFrame({"b": [1]}), build_profile(pd.DataFrame({"a": [1]})).layouts
            ),
            "live data has no column 'a' (it has: b)",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(make: object, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()  # type: ignore[operator]


def test_merging_profiles_of_different_layouts_is_refused() -> None:
    a = build_profile(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), bins=2)
    b = build_profile(pd.DataFrame({"x": [5.0, 6.0, 7.0]}), bins=2)
    with pytest.raises(UsageError, match="different layouts"):
        merge_profiles([a, b])


def test_personal_looking_categories_are_kept_as_digests() -> None:
    emails = [f"user{i}@example.com" for i in range(30)]
    ref = pd.DataFrame({"who": emails * 10, "tier": ["gold", "silver"] * 150})
    profile = build_profile(ref)
    text = json.dumps(profile.to_dict())
    assert "@" not in text and "example" not in text
    assert profile.column("tier").layout.categories == ("gold", "silver")
    assert all(c.startswith("#") and len(c) == 13 for c in profile.column("who").layout.categories)
    # digests still count and match: the same people are not "unseen", a new one is
    live = pd.DataFrame({"who": [*emails[:5], "mallory@evil.example"], "tier": ["gold"] * 6})
    report = aisec_nb.compare_to_profile(profile, live)
    assert report.column("who").unseen_top == ((category_key("mallory@evil.example"), 1),)
    assert "mallory" not in json.dumps(report.to_payload())


def test_a_boolean_column_stays_boolean_whatever_max_categories_says() -> None:
    # Found by the property above: with max_categories=1 the in-memory path called a
    # two-valued boolean column "text" while the partitioned path kept it boolean.
    df = pd.DataFrame({"flag": [False, True, True]})
    whole = build_profile(df, bins=2, max_categories=1)
    parts = build_profile_partitioned(
        FramePartitions([df.iloc[:1], df.iloc[1:]]), bins=2, max_categories=1
    )
    assert whole == parts
    assert whole.columns[0].layout.kind == "boolean"
    assert whole.columns[0].layout.categories == ("True", "False")  # most frequent first
    assert whole.columns[0].counts == (2, 1, 0)
