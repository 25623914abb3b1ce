"""Drift settings: shipped defaults, [tool.aisec-nb.drift], per-column overrides, corrections."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import aisec_nb
from aisec_nb.drift.decide import METHODS, corrected, drift_config
from aisec_nb.errors import UsageError
from aisec_nb.settings import load_settings
from tests.drift.data import sample

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_shipped_defaults_are_complete_and_sane() -> None:
    text = resources.files("aisec_nb.drift").joinpath("defaults.toml").read_text("utf-8")
    data = tomllib.loads(text)
    assert set(data["thresholds"]) == set(METHODS)
    cfg = drift_config()
    assert (cfg.method, cfg.categorical_method, cfg.alpha, cfg.correction) == (
        "psi",
        "psi",
        0.01,
        "bonferroni",
    )
    assert all(0 < t < 1 for t in cfg.thresholds.values())
    assert 0 < cfg.dataset_share <= 1 and cfg.bins >= 10


def write_project(folder: Path, body: str) -> None:
    (folder / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n{body}", encoding="utf-8")


def test_project_table_sets_methods_thresholds_and_ignored_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(
        tmp_path,
        """
[tool.aisec-nb.drift]
alpha = 0.05

[tool.aisec-nb.drift.columns.latency_ms]
method = "ks"
threshold = 0.5

[tool.aisec-nb.drift.columns.plan]
ignore = true
""",
    )
    monkeypatch.chdir(tmp_path)
    # The core reads no project file: the face resolves the settings and passes them in.
    plain = aisec_nb.compare_to_profile(sample(5000, 1), sample(5000, 2, drifted=True))
    assert plain.config.alpha == 0.01 and "plan" in plain.drifted
    config = load_settings(tmp_path).drift
    report = aisec_nb.compare_to_profile(sample(5000, 1), sample(5000, 2, drifted=True),
                                         config=config)
    latency = report.column("latency_ms")
    assert (latency.method, latency.threshold, latency.drift) == ("ks", 0.5, False)
    assert "plan" not in [c.name for c in report.columns]
    assert report.config.alpha == 0.05
    assert report.to_payload()["columns"]["signup"]["drift"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[tool.aisec-nb.drift]\nalpah = 0.1\n",
            r"\[tool.aisec-nb.drift\]: unknown setting 'alpah'",
        ),
        ("[tool.aisec-nb.drift]\nalpha = 'low'\n", "alpha must be float, not 'low'"),
        ("[tool.aisec-nb.drift.columns.x]\nmethod = 'magic'\n", "method must be one of psi, ks"),
        ("[tool.aisec-nb.drift]\ncorrection = 'sidak'\n", "correction must be one of"),
    ],
)
def test_bad_settings_name_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    write_project(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=message):
        load_settings()


def test_ordinal_method_on_a_categorical_column_is_refused() -> None:
    with pytest.raises(UsageError, match="'ks' needs ordered values; column 'c' is categorical"):
        aisec_nb.compare_to_profile(
            pd.DataFrame({"c": ["a", "b"] * 50}),
            pd.DataFrame({"c": ["a"] * 100}),
            config=drift_config({"columns": {"c": {"method": "ks"}}}),
        )


def test_corrections() -> None:
    ps = [0.001, 0.02, 0.04, 0.5]
    assert corrected(ps, "bonferroni") == pytest.approx([0.004, 0.08, 0.16, 1.0])
    assert corrected(ps, "holm") == pytest.approx([0.004, 0.06, 0.08, 0.5])
    assert corrected(ps, "none") == ps
