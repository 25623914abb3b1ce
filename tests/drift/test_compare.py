"""compare_to_profile: what a user sees for drifted and for clean live data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import aisec_nb
from aisec_nb.drift.compare import CODES
from aisec_nb.errors import UsageError
from tests.drift.data import DRIFTED, sample


@pytest.fixture(scope="module")
def reference() -> aisec_nb.drift.Profile:
    return aisec_nb.build_profile(sample(20_000, 1))


def test_drifted_columns_are_found_with_datetime_and_boolean(reference) -> None:  # type: ignore[no-untyped-def]
    report = aisec_nb.compare_to_profile(reference, sample(20_000, 2, drifted=True))
    assert sorted(report.drifted) == sorted(DRIFTED)
    assert report.column("signup").kind == "datetime"
    assert report.column("active").kind == "boolean"
    assert report.verdict == "fail"
    codes = {(f.code, f.location.column if f.location else None) for f in report.findings}
    assert (CODES["unseen"], "plan") in codes
    unseen = next(f for f in report.findings if f.code == CODES["unseen"])
    assert unseen.evidence == "'enterprise'"
    assert report.column("plan").unseen_share == pytest.approx(0.2, abs=0.01)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_clean_live_data_raise_nothing(reference, seed: int) -> None:  # type: ignore[no-untyped-def]
    report = aisec_nb.compare_to_profile(reference, sample(20_000, seed))
    assert report.drifted == ()
    assert report.findings == ()
    assert report.verdict == "pass"


def test_effect_size_gates_p_values_on_a_huge_sample() -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 400_000)})
    live = pd.DataFrame({"x": rng.normal(0.03, 1, 400_000)})  # tiny but "significant" shift
    report = aisec_nb.compare_to_profile(ref, live)
    col = report.column("x")
    assert col.p_adjusted < 1e-6
    assert col.effect < col.threshold and not col.drift


def test_small_samples_need_the_p_value_gate_too() -> None:
    rng = np.random.default_rng(0)
    ref = aisec_nb.build_profile(pd.DataFrame({"x": rng.normal(0, 1, 5000)}), bins=10)
    report = aisec_nb.compare_to_profile(ref, pd.DataFrame({"x": rng.normal(0, 1, 30)}))
    col = report.column("x")
    assert col.effect >= col.threshold  # 30 rows in 10 bins: PSI is noisy
    assert col.p_adjusted >= 0.01 and not col.drift


def test_missing_share_change_is_its_own_signal() -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"c": rng.choice(["a", "b"], 10_000).astype(object)})
    ref.loc[rng.random(10_000) < 0.1, "c"] = None
    live = pd.DataFrame({"c": rng.choice(["a", "b"], 10_000)})
    report = aisec_nb.compare_to_profile(ref, live)
    assert report.drifted == ()
    [finding] = report.findings
    assert finding.code == CODES["missing"] and finding.location.column == "c"
    assert "from 10." in finding.message and "to 0.0%" in finding.message


def test_infinite_values_the_reference_never_had_are_their_own_signal() -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 5000)})
    live = pd.DataFrame({"x": rng.normal(0, 1, 5000)})
    live.loc[:2, "x"] = np.inf
    live.loc[3, "x"] = -np.inf
    report = aisec_nb.compare_to_profile(ref, live)
    [infinite] = [f for f in report.findings if f.code == "AISEC-DRIFT-005"]
    assert (infinite.severity, infinite.location.column) == ("medium", "x")
    assert infinite.message == "4 infinite values; the reference had none"
    assert report.column("x").new_infinite == 4


def test_out_of_range_and_ood_rows_are_reported_without_text_values() -> None:
    ref = sample(20_000, 1)
    live = sample(5_000, 3)
    live.loc[:24, "balance"] = 1e9  # 0.5 % beyond the reference range
    report = aisec_nb.compare_to_profile(ref, live)
    rng_finding = next(f for f in report.findings if f.code == CODES["range"])
    assert rng_finding.location.column == "balance" and "(25)" in rng_finding.message
    assert report.ood.reasons["out_of_range"] == 25
    assert report.ood.worst[0].reasons == (
        f"balance=1e+09 above the reference max {ref.balance.max():.6g}",
    )
    assert "alice" not in str(report.to_payload())


def test_multivariate_score_flags_rows_that_break_correlations() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=20_000)
    ref = pd.DataFrame({"x": x, "y": x + rng.normal(scale=0.05, size=x.size)})
    live = pd.DataFrame({"x": [2.0, -2.0, 0.1], "y": [-2.0, 2.0, 0.1]})  # in range, anti-correlated
    ood = aisec_nb.compare_to_profile(ref, live).ood
    assert ood.reasons["multivariate"] == 2 and ood.reasons["out_of_range"] == 0
    assert [w.row for w in ood.worst] == ["0", "1"]
    assert ood.worst[0].reasons[0].startswith("multivariate score")


def test_per_call_settings_override_the_project(reference) -> None:  # type: ignore[no-untyped-def]
    live = sample(20_000, 2, drifted=True)
    report = aisec_nb.compare_to_profile(
        reference, live, method="wasserstein", thresholds={"wasserstein": 2.0}
    )
    assert report.column("latency_ms").method == "wasserstein"
    assert "latency_ms" not in report.drifted
    only = aisec_nb.compare_to_profile(reference, live, columns=["plan", "score"])
    assert [c.name for c in only.columns] == ["plan", "score"] and only.drifted == ("plan",)


def test_live_data_that_is_not_a_frame_or_lacks_a_column() -> None:
    ref = aisec_nb.build_profile(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(UsageError, match="live data must be a pandas DataFrame, not dict"):
        aisec_nb.compare_to_profile(ref, {"a": [1]})
    with pytest.raises(UsageError, match="live data has no column 'a'"):
        aisec_nb.compare_to_profile(ref, pd.DataFrame({"b": [1.0]}))
