"""aisec-nb check-data on real files: CSV, TSV, Parquet, JSONL; exit codes 0, 1 and 2."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aisec_nb.cli import main

CARD = "4111 1111 1111 1111"


def _clean(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {"x": x, "city": rng.choice(["Leeds", "York", "Hull"], n), "y": (x > 0).astype(int)}
    )


def _dirty() -> pd.DataFrame:
    df = _clean()
    df["note"] = "ok"
    df.loc[3, "note"] = f"paid with {CARD}"
    return df


def _write(df: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        df.to_parquet(path)
    elif path.suffix == ".jsonl":
        df.to_json(path, orient="records", lines=True)
    else:
        df.to_csv(path, sep="\t" if path.suffix == ".tsv" else ",", index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl", ".csv.gz"])
def test_clean_file_exits_0(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(_clean(), tmp_path / f"data{suffix}")
    assert main(["check-data", str(path), "--label", "y"]) == 0
    out = capsys.readouterr().out
    assert f"aisec data check data:{path}: PASS" in out
    assert hashlib.sha256(path.read_bytes()).hexdigest() in out


def test_findings_exit_1_and_json_names_them_without_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(_dirty(), tmp_path / "data.csv")
    assert main(["check-data", str(path), "--label", "y", "--format", "json"]) == 1
    out = capsys.readouterr().out
    record = json.loads(out)
    assert record["id"] == f"data:{path}" and record["verdict"] == "fail"
    assert record["target"]["kind"] == "dataframe"
    assert record["target"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(f["kind"], f["pii_kind"], f["count"]) for f in record["findings"]] == [
        ("personal_data", "card_number", 1)
    ]
    assert "1111" not in out


def test_test_and_reference_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = _write(_clean(), tmp_path / "train.csv")
    test = _write(_clean().iloc[:5], tmp_path / "test.csv")
    ref = _write(_clean().assign(y=0), tmp_path / "ref.parquet")
    args = ["check-data", str(train), "--label", "y", "--test", str(test), "--reference", str(ref)]
    assert main([*args, "--format", "json"]) == 1
    kinds = sorted(f["kind"] for f in json.loads(capsys.readouterr().out)["findings"])
    assert kinds == ["label_shift", "test_rows_in_training"]


def test_thresholds_from_set_and_from_the_files_pyproject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    df = _clean().assign(row=range(50))
    df.loc[:4, "x"] = np.nan  # 10% missing
    path = _write(df, tmp_path / "data.csv")
    assert main(["check-data", str(path)]) == 1
    assert main(["check-data", str(path), "--set", "missing_share=0.5"]) == 0
    (tmp_path / "pyproject.toml").write_text("[tool.aisec-nb.data]\nmissing_share = 0.5\n")
    assert main(["check-data", str(path)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("name", "content", "args", "message"),
    [
        ("missing.csv", None, [], "missing.csv: no such file"),
        ("data.xlsx", b"x", [], "unsupported file type"),
        ("bad.parquet", b"not parquet at all", [], "cannot be read as parquet"),
        ("bad.jsonl", b"{not json\n", [], "cannot be read as jsonl"),
        ("data.csv", b"a,b\n1,2\n", ["--label", "y"], "label column 'y' is not in data"),
        ("data.csv", b"a,b\n1,2\n", ["--set", "nope=1"], "unknown data threshold 'nope'"),
        ("data.csv", b"a,b\n1,2\n", ["--set", "outlier_z"], "expected KEY=NUMBER"),
    ],
)
def test_unreadable_or_bad_usage_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    args: list[str],
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert main(["check-data", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("aisec-nb check-data: error: ") and "Traceback" not in err
