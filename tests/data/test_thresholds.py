"""Thresholds: shipped defaults, the project's [tool.aisec-nb.data], and per-call overrides."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from aisec_nb.data import check_dataframe
from aisec_nb.data.findings import rules
from aisec_nb.data.thresholds import (
    default_thresholds,
    parse_overrides,
    resolve_thresholds,
    tomllib,
)
from aisec_nb.errors import UsageError
from aisec_nb.settings import load_settings


def test_defaults_file_is_the_source_and_every_value_is_sane() -> None:
    text = resources.files("aisec_nb.data").joinpath("thresholds.toml").read_text("utf-8")
    assert default_thresholds() == {k: float(v) for k, v in tomllib.loads(text).items()}
    assert resolve_thresholds() == default_thresholds()


def test_every_rule_has_kind_severity_guideline_and_why() -> None:
    for code, rule in rules().items():
        assert code.startswith("AISEC-DATA-")
        assert set(rule) == {"kind", "severity", "guideline", "why"}
        assert rule["severity"] in {"info", "low", "medium", "high", "critical"}


def test_project_then_call_override_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.aisec-nb.data]\nmissing_share = 0.3\noutlier_z = 6\n", encoding="utf-8"
    )
    project = load_settings(tmp_path).data
    merged = resolve_thresholds({"outlier_z": 8}, base=project)
    assert (merged["missing_share"], merged["outlier_z"]) == (0.3, 8.0)
    assert resolve_thresholds() == default_thresholds()  # the core reads no project file


def test_project_policy_changes_what_is_found(tmp_path: Path) -> None:
    df = pd.DataFrame({"x": [1.0, None, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]})  # 10% missing
    found = check_dataframe(df).findings
    assert [f.kind for f in found] == ["missing_values"]
    (tmp_path / "pyproject.toml").write_text("[tool.aisec-nb.data]\nmissing_share = 0.2\n",
                                             encoding="utf-8")
    project = load_settings(tmp_path).data
    assert [f.severity for f in check_dataframe(df, thresholds=project).findings] == ["info"]
    stricter = {"missing_share": 0.1}
    found = check_dataframe(df, thresholds=project, policy=stricter).findings
    assert [f.severity for f in found] == ["medium"]
    assert check_dataframe(df).parameters.thresholds["missing_share"] == 0.05


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"outlier": 3}, "unknown data threshold 'outlier'"),
        ({"outlier_z": "high"}, "outlier_z must be a number"),
        ({"missing_share": 1.5}, "missing_share must be between 0 and 1"),
        ({"outlier_z": -1}, "outlier_z must be 0 or more"),
        ({"outlier_z": True}, "outlier_z must be a number"),
    ],
)
def test_bad_thresholds_are_usage_errors(policy: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_thresholds(policy)


def test_bad_project_value_names_the_table() -> None:
    with pytest.raises(UsageError, match=r"\[tool.aisec-nb.data\]: unknown data threshold 'x'"):
        resolve_thresholds(project={"x": 1})


def test_parse_overrides() -> None:
    assert parse_overrides(["outlier_z=8", " leak_score = 0.95"]) == {
        "outlier_z": 8.0,
        "leak_score": 0.95,
    }
    with pytest.raises(UsageError, match="expected KEY=NUMBER"):
        parse_overrides(["outlier_z"])
    with pytest.raises(UsageError, match="expected KEY=NUMBER"):
        parse_overrides(["outlier_z=big"])
