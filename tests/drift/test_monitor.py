"""Monitor: batches in, alerts out, history bounded, summary recordable."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from aisec_nb.drift import Monitor, build_profile
from aisec_nb.drift.monitor import ALERT, GRADUAL
from tests.drift.data import sample


def test_steady_batches_raise_no_alert_and_a_shifted_batch_does() -> None:
    mon = Monitor(build_profile(sample(20_000, 1)))
    for seed in range(3):
        assert mon.update(sample(2000, 50 + seed)) == ()
    alerts = mon.update(sample(2000, 60, drifted=True), label="2026-03-04")
    assert alerts and all(a.code == ALERT for a in alerts)
    drifted = {a.location.column for a in alerts if "AISEC-DRIFT-001" in a.message}
    assert drifted == {"latency_ms", "plan", "signup", "active"}
    assert alerts[0].message.startswith("2026-03-04: ")
    assert [p.verdict for p in mon.history] == ["pass", "pass", "pass", "fail"]
    assert list(mon.alerts) == list(alerts)


def test_gradual_drift_shows_in_the_rolling_window_before_single_batches() -> None:
    rng = np.random.default_rng(0)
    mon = Monitor(pd.DataFrame({"x": rng.normal(0, 1, 50_000)}), window=20)
    raised = []
    for step in range(20):  # a steady shift in batches too small to convict alone
        batch = pd.DataFrame({"x": rng.normal(0.4, 1, 40)})
        raised.append((step, mon.update(batch)))
    gradual = [step for step, alerts in raised if any(GRADUAL in a.message for a in alerts)]
    single = [
        step for step, alerts in raised if any("AISEC-DRIFT-001" in a.message for a in alerts)
    ]
    assert gradual, "the rolling window should convict a steady 0.4 sd shift"
    assert not single or min(gradual) < min(single)


def test_listeners_run_and_history_is_bounded() -> None:
    mon = Monitor(sample(5000, 1), max_history=3)
    seen: list[int] = []
    mon.subscribe(lambda m, p: seen.append(p.index))
    for seed in range(5):
        mon.update(sample(500, 70 + seed))
    assert seen == [1, 2, 3, 4, 5]
    assert [p.index for p in mon.history] == [3, 4, 5]


def test_summary_is_json_and_carries_no_rows() -> None:
    mon = Monitor(sample(5000, 1))
    mon.update(sample(500, 80, drifted=True))
    summary = mon.summary()
    text = json.dumps(summary)
    assert summary["batches"] == 1 and summary["verdict"] == "fail"
    assert summary["recorded_at"].endswith("+00:00")
    assert "alice" not in text and "ticket" not in text
