"""The df1 content hash: a fixed vector, stability across processes, order rules, sensitivity."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.data.hashing import FrameDigests, content_hash, file_sha256, logical_kind
from aisec_nb.errors import UnreadableInputError

BUILD = """
import numpy as np, pandas as pd
frame = pd.DataFrame({
    "i": [1, 2, 3, 4],
    "f": [0.5, -0.0, np.nan, np.inf],
    "s": ["a", "b", None, "ü"],
    "b": [True, False, True, False],
    "t": pd.to_datetime(
        ["2024-01-01", None, "2024-02-01T12:00:00", "1999-12-31T00:00:00"], format="ISO8601"
    ),
    "c": pd.Categorical(["x", "y", None, "x"]),
    "o": [1, "a", None, 2.5],
})
"""
# The df1 hashes of the frame above. They are the same on pandas 2.2 and 3.x, with and without
# pyarrow strings; if this test fails the definition changed, and with it every recorded hash.
ORDERED = "df1:cba803fb79afe89eeebcb9573f4b5c1f3946cad30edc2b50803e5dade7e9abf8"
UNORDERED = "df1:5e8d8ddccb6c891d5886d87eaa6e13a2726951237fb53a6bb7545b3fcd47476c"


def _frame() -> pd.DataFrame:
    namespace: dict[str, object] = {}
    exec(BUILD, namespace)
    frame = namespace["frame"]
    assert isinstance(frame, pd.DataFrame)
    return frame


def test_logical_kinds() -> None:
    d = FrameDigests(_frame())
    assert d.kinds == {
        "i": "integer",
        "f": "float",
        "s": "string",
        "b": "bool",
        "t": "datetime",
        "c": "category[string]",
        "o": "object",
    }


def test_fixed_vector() -> None:
    frame = _frame()
    assert content_hash(frame) == ORDERED
    assert content_hash(frame, ordered=False) == UNORDERED


def test_same_hash_in_another_process() -> None:
    code = BUILD + "from aisec_nb.data import content_hash\nprint(content_hash(frame))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == content_hash(_frame())


def test_dtype_backends_hash_alike() -> None:
    base = pd.DataFrame({"n": [1, 2, None], "s": ["a", None, "c"]})
    nullable = base.astype({"n": "Int64", "s": "string"})
    arrow = base.astype({"n": "int64[pyarrow]", "s": "string[pyarrow]"})
    obj = base.astype({"n": "Int64", "s": object})
    hashes = {content_hash(f) for f in (nullable, arrow, obj)}
    assert len(hashes) == 1
    # float64 with NaN holds the same values but is another dtype: the header tells them apart
    assert content_hash(base) not in hashes


def test_index_is_not_part_of_the_hash() -> None:
    frame = _frame()
    assert content_hash(frame.set_axis(list("wxyz"))) == content_hash(frame)


def test_row_order_and_column_order() -> None:
    frame = _frame()
    shuffled = frame.iloc[[2, 0, 3, 1], ::-1]
    assert content_hash(shuffled) != content_hash(frame)
    assert content_hash(shuffled, ordered=False) == content_hash(frame, ordered=False)


@given(
    st.lists(st.tuples(st.integers(-5, 5), st.text(max_size=3)), min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_unordered_hash_ignores_any_permutation(rows: list[tuple[int, str]], rnd: object) -> None:
    frame = pd.DataFrame(rows, columns=["n", "s"])
    order = list(range(len(frame)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    assert content_hash(frame.iloc[order], ordered=False) == content_hash(frame, ordered=False)


@given(
    st.lists(st.integers(-1000, 1000), min_size=2, max_size=30),
    st.data(),
)
def test_any_single_change_changes_both_hashes(values: list[int], data: st.DataObject) -> None:
    frame = pd.DataFrame({"v": values})
    at = data.draw(st.integers(0, len(values) - 1))
    changed = frame.copy()
    changed.loc[at, "v"] = values[at] + data.draw(st.integers(1, 50))
    assert content_hash(changed) != content_hash(frame)
    assert content_hash(changed, ordered=False) != content_hash(frame, ordered=False)


def test_renamed_column_changes_the_hash() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    assert content_hash(frame.rename(columns={"a": "b"})) != content_hash(frame)


def test_negative_zero_and_nan_kinds_are_canonical() -> None:
    a = pd.DataFrame({"x": [0.0, np.nan]})
    b = pd.DataFrame({"x": [-0.0, None]})
    assert content_hash(a) == content_hash(b)


def test_tz_aware_times_hash_by_instant_and_zone() -> None:
    utc = pd.Series(pd.to_datetime(["2024-01-01 12:00"]).tz_localize("UTC"))
    paris = utc.dt.tz_convert("Europe/Paris")
    assert logical_kind(paris) == "datetime[Europe/Paris]"
    d_utc, d_paris = FrameDigests(utc.to_frame("t")), FrameDigests(paris.to_frame("t"))
    assert d_utc.column("t").tolist() == d_paris.column("t").tolist()
    assert d_utc.content_hash() != d_paris.content_hash()


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\n" * 1000)
    assert file_sha256(path) == (hashlib.sha256(path.read_bytes()).hexdigest(), 8000)
    with pytest.raises(UnreadableInputError, match=r"missing\.csv: no such file"):
        file_sha256(tmp_path / "missing.csv")
    with pytest.raises(UnreadableInputError, match="is a folder"):
        file_sha256(tmp_path)


@given(
    st.lists(
        st.tuples(st.integers(-3, 3), st.sampled_from(["a", "b", ""]), st.floats(-1, 1)),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(["n", "s", "f"]),
)
def test_row_digests_of_a_column_subset_equal_those_of_the_subframe(
    rows: list[tuple[int, str, float]], left_out: str
) -> None:
    frame = pd.DataFrame(rows, columns=["n", "s", "f"])
    kept = [c for c in frame.columns if c != left_out]
    derived = FrameDigests(frame)
    derived.rows(list(frame.columns))  # the whole is summed first, the subset derived from it
    direct = FrameDigests(frame[kept])
    assert derived.rows(kept).tolist() == direct.rows(kept).tolist()
    assert derived.rows(kept[::-1]).tolist() == direct.rows(kept).tolist()
