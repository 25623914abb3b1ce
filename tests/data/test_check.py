"""check_dataframe end to end: the result, its target and summary, errors, and no raw values."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aisec_nb.data import check_dataframe, content_hash
from aisec_nb.errors import UnreadableInputError, UsageError
from aisec_nb.record import DataCheck, check_from_json, to_json
from tests.data.helpers import facts, run

RAW = [
    "ann.smith@example.org",
    "4111 1111 1111 1111",
    "AKIAQWERTYUIOPASDFGH",
    "GB82 WEST 1234 5698 7654 32",
    "123-45-6789",
    "ghp_a1B2c3D4e5F6g7H8i9J0a1B2c3D4e5F6g7H8",
]


def _people(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    notes = [f"called about order {1000 + i}" for i in range(n)]
    for i, value in enumerate(RAW):
        notes[i] = f"customer said {value} please"
    notes[10] = "mail ann.smith@example.org again"
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "answer": ["Yes", "yes "] * (n // 2),
            "note": notes,
        }
    )


def test_result_shape_and_findings() -> None:
    df = _people()
    result = run(df, name="people")
    assert isinstance(result, DataCheck)
    assert (result.id, result.kind, result.verdict) == ("data:people", "data", "fail")
    assert result.target.kind == "dataframe" and result.target.name == "people"
    assert result.target.shape == (60, 3)
    assert result.target.content_hash == content_hash(df)
    assert result.target.path is None and result.target.sha256 is None
    assert facts(result) == [
        ("category_variants", "answer", 30),
        ("personal_data", "note", 1),
        ("personal_data", "note", 1),
        ("personal_data", "note", 1),
        ("personal_data", "note", 2),
        ("secret", "note", 1),
        ("secret", "note", 1),
    ]
    kinds = sorted(f.pii_kind for f in result.findings if f.pii_kind is not None)
    assert kinds == ["aws_access_key", "card_number", "email", "github_token", "iban", "us_ssn"]
    assert result.summary.pii["note"]["email"] == 2
    assert [c.name for c in result.summary.schema_] == ["age", "answer", "note"]
    assert result.summary.content_hash_unordered == content_hash(df, ordered=False)


def test_no_raw_value_anywhere_in_the_result() -> None:
    result = run(_people())
    text = json.dumps(to_json(result))
    for value in RAW:
        for piece in value.replace("-", " ").replace("@", " ").replace(".", " ").split():
            if len(piece) >= 4 and piece not in {"AKIA", "WEST"}:
                assert piece not in text, piece
    # spellings of a column holding personal data are not shown either
    df = pd.DataFrame({"who": ["ann@example.org", "Ann@example.org"] * 10})
    assert "ann@" not in json.dumps(to_json(run(df))).lower()


def test_source_file_binds_the_evidence(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    df = _people()
    df.to_csv(path, index=False)
    result = run(df, source=path)
    data = path.read_bytes()
    assert result.target.kind == "dataframe"
    assert result.target.path == str(path)
    assert result.target.sha256 == hashlib.sha256(data).hexdigest()
    assert result.target.size == len(data)
    with pytest.raises(UnreadableInputError, match="no such file"):
        run(df, source=tmp_path / "gone.csv")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"label": "target"}, "label column 'target' is not in data 'df'"),
        ({"role": "production"}, "role 'production' is not one of training"),
        ({"test": [1, 2]}, "the test frame must be a pandas DataFrame, found list"),
        ({"reference": pd.DataFrame({"age": [1]}), "label": "age"}, None),
        ({"reference": pd.DataFrame({"x": [1]}), "label": "age"}, "not in the reference frame"),
    ],
)
def test_bad_arguments_are_usage_errors(kwargs: dict[str, object], message: str | None) -> None:
    if message is None:
        assert run(_people(), **kwargs).verdict in {"warn", "fail"}
        return
    with pytest.raises(UsageError, match=message):
        run(_people(), **kwargs)


def test_not_a_frame_and_repeated_columns() -> None:
    with pytest.raises(UsageError, match="must be a pandas DataFrame, found dict"):
        check_dataframe({"a": [1]})  # type: ignore[arg-type]
    twice = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(UsageError, match=r"repeated column names \['a'\]"):
        run(twice)


def test_empty_and_tiny_frames() -> None:
    assert run(pd.DataFrame()).verdict == "pass"
    assert run(pd.DataFrame({"x": pd.Series([], dtype=float)})).findings == ()
    one = run(pd.DataFrame({"x": [1.0], "y": [1]}), label="y")
    assert one.verdict == "pass"


def test_the_record_round_trips() -> None:
    result = run(_people(), label="answer", role="fine-tuning")
    again = check_from_json(json.loads(json.dumps(to_json(result))))
    assert again == result
    assert result.parameters.role == "fine-tuning" and result.parameters.label == "answer"


def test_a_very_wide_frame_gives_a_bounded_record() -> None:
    wide = pd.DataFrame({f"c{i}": ["same"] * 3 for i in range(400)})
    result = run(wide)
    kinds = [f.kind for f in result.findings]
    assert kinds.count("constant_column") == 50 and kinds.count("duplicate_rows") == 1
    assert result.summary.findings_omitted == {"AISEC-DATA-Q03": 350}
    assert len(result.summary.schema_) == 200
    assert len(json.dumps(to_json(result))) < 100_000
