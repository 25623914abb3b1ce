"""Drift per time window."""

from __future__ import annotations

import pandas as pd
import pytest

from aisec_nb.drift import build_profile, compare_windows
from aisec_nb.errors import UsageError
from tests.drift.data import sample


def live_days() -> pd.DataFrame:
    """Three days of live rows; only the third day drifts."""
    days = [sample(3000, 20 + d, drifted=d == 2) for d in range(3)]
    for d, frame in enumerate(days):
        frame["ts"] = (
            pd.Timestamp("2026-03-01")
            + pd.Timedelta(days=d)
            + pd.to_timedelta(range(len(frame)), "s")
        )
    return pd.concat(days, ignore_index=True)


def test_each_window_is_scored_and_only_the_drifted_day_flags() -> None:
    ref = build_profile(sample(20_000, 1))
    result = compare_windows(ref, live_days(), "ts", "1D")
    assert [w.start[:10] for w in result.windows] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert [w.rows for w in result.windows] == [3000, 3000, 3000]
    assert result.windows[0].drifted == () and result.windows[1].drifted == ()
    assert set(result.windows[2].drifted) == {"latency_ms", "plan", "signup", "active"}
    assert result.windows[2].ood_share > 0.2 > result.windows[0].ood_share
    payload = result.to_payload()
    assert payload["time"]["column"] == "ts" and len(payload["time"]["windows"]) == 3


def test_time_column_and_window_errors_are_clear() -> None:
    ref = build_profile(sample(2000, 1))
    live = live_days()
    with pytest.raises(UsageError, match=r"^window: '1M' is not a fixed window"):
        compare_windows(ref, live, "ts", "1M")
    with pytest.raises(UsageError, match=r"^time_col: column 'plan' is not a date/time column"):
        compare_windows(ref, live, "plan", "1D")
    with pytest.raises(UsageError, match="span 900 windows, more than max_windows=200"):
        compare_windows(ref, live, "ts", "10s")
    with pytest.raises(UsageError, match="live data has no column 'when'"):
        compare_windows(ref, live, "when", "1D")
