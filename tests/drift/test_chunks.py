"""Drift by chunk: what the whole period dilutes, the chunks find; clean data stay silent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import aisec_nb
from aisec_nb.drift import compare_windows
from aisec_nb.drift.chunks import chunk_count
from aisec_nb.drift.compare import CODES
from aisec_nb.drift.decide import drift_config
from aisec_nb.errors import UsageError
from tests.drift.data import DRIFTED, sample


@pytest.fixture(scope="module")
def reference() -> aisec_nb.drift.Profile:
    return aisec_nb.build_profile(sample(20_000, 1))


def last_30_percent_drifted(n: int = 20_000) -> pd.DataFrame:
    cut = int(n * 0.7)
    return pd.concat([sample(cut, 2), sample(n - cut, 3, drifted=True)], ignore_index=True)


def test_drift_in_the_last_30_percent_is_caught_by_chunks_and_missed_whole_period(
    reference: aisec_nb.drift.Profile,
) -> None:
    report = aisec_nb.compare_to_profile(reference, last_30_percent_drifted())
    missed = [c for c in DRIFTED if not report.column(c).drift]
    assert sorted(missed) == ["active", "latency_ms"]  # diluted by the 70 % that did not move
    chunked = report.chunks
    assert chunked is not None and chunked.by == "rows" and len(chunked.chunks) == 10
    assert sorted(chunked.drifted) == sorted(DRIFTED)  # and nothing else
    for name in DRIFTED:  # exactly the last three chunks
        col = chunked.column(name)
        assert col is not None
        assert col.drifted == (False,) * 7 + (True,) * 3
        assert col.describe() == "drifted in 3 of 10 chunks, from chunk 8"
    partial = {f.location.column: f for f in report.findings if f.code == CODES["partial"]}
    assert sorted(partial) == ["active", "latency_ms"]  # the others have their whole-period one
    latency = partial["latency_ms"]
    assert latency.message.startswith(
        "numeric column drifted in 3 of 10 chunks, from chunk 8 (rows 14,001–16,000): psi up to "
    )
    assert "over 80 tests" in latency.message and "whole period psi 0.0" in latency.message
    assert latency.severity == "high"  # psi 0.66 is more than twice the threshold
    assert report.verdict == "fail"
    assert chunked.chunks[7].span == "rows 14,001–16,000" and chunked.chunks[7].rows == 2000
    assert chunked.chunks[9].ood_share > 0.5 > chunked.chunks[0].ood_share


def test_whole_period_results_are_those_without_chunks(reference: aisec_nb.drift.Profile) -> None:
    live = last_30_percent_drifted()
    with_chunks = aisec_nb.compare_to_profile(reference, live)
    without = aisec_nb.compare_to_profile(reference, live, chunks=0)
    assert without.chunks is None
    assert with_chunks.columns == without.columns
    assert [f for f in with_chunks.findings if f.code != CODES["partial"]] == list(
        without.findings
    )


SEEDS = range(100, 140)


@pytest.mark.parametrize("chunks", [10, 40])
def test_clean_data_raise_no_false_alarm_in_any_chunk_over_many_seeds(
    reference: aisec_nb.drift.Profile, chunks: int
) -> None:
    # Regression guard for the correction over columns × chunks: with p-values corrected per
    # chunk only, these seeds raise a false alarm at 40 chunks; uncorrected, about twenty.
    alarms = []
    for seed in SEEDS:
        live = sample(8_000, seed)
        report = aisec_nb.compare_to_profile(
            reference, live, chunks=chunks, min_chunk_rows=200
        )
        assert report.chunks is not None and len(report.chunks.chunks) == chunks
        alarms += [(seed, f.code, f.location) for f in report.findings]
        alarms += [(seed, name) for name in report.chunks.drifted]
    assert alarms == []


def test_time_order_decides_the_chunks_when_a_time_column_is_given(
    reference: aisec_nb.drift.Profile,
) -> None:
    live = last_30_percent_drifted()
    live["ts"] = pd.Timestamp("2026-03-01") + pd.to_timedelta(np.arange(len(live)) * 30, "s")
    shuffled = live.sample(frac=1, random_state=0).reset_index(drop=True)
    by_rows = aisec_nb.compare_to_profile(reference, shuffled, columns=list(reference.names))
    assert by_rows.chunks is not None and "latency_ms" not in by_rows.chunks.drifted
    by_time = aisec_nb.compare_to_profile(reference, shuffled, time_col="ts")
    chunked = by_time.chunks
    assert chunked is not None and chunked.by == "time"
    assert "ts" not in [c.name for c in by_time.columns]
    assert chunked.column("latency_ms").describe() == "drifted in 3 of 10 chunks, from chunk 8"
    assert chunked.chunks[0].label == "2026-03-01 00:00"
    assert chunked.chunks[7].span == "2026-03-05 20:40:00 to 2026-03-06 13:19:30 UTC"
    assert by_time.to_payload()["chunks"]["by"] == "time"


def test_rows_without_a_time_are_left_out_of_time_chunks(
    reference: aisec_nb.drift.Profile,
) -> None:
    live = sample(6_000, 5)
    live["ts"] = pd.date_range("2026-03-01", periods=6_000, freq="min")
    live.loc[:999, "ts"] = pd.NaT
    chunked = aisec_nb.compare_to_profile(reference, live, time_col="ts").chunks
    assert chunked is not None and sum(c.rows for c in chunked.chunks) == 5_000


def test_sorted_rows_are_named_as_the_likely_cause() -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(size=20_000)})
    live = pd.DataFrame({"x": np.sort(rng.normal(size=20_000))})
    report = aisec_nb.compare_to_profile(ref, live)
    [finding] = report.findings
    assert finding.code == CODES["partial"]
    assert "drifted in 10 of 10 chunks, from chunk 1" in finding.message
    assert finding.message.endswith("are the rows sorted by this column rather than by time?")


def test_chunk_settings() -> None:
    cfg = drift_config()
    assert (cfg.chunks, cfg.chunk_rows, cfg.min_chunk_rows) == (10, 0, 500)
    assert chunk_count(1_000_000, cfg) == 10
    assert chunk_count(2_400, cfg) == 4  # short live data: chunks of at least 500 rows
    assert chunk_count(999, cfg) == 0  # fewer than two: the whole period only
    assert chunk_count(10_000, drift_config({"chunks": 0})) == 0
    assert chunk_count(10_000, drift_config({"chunk_rows": 3_000})) == 3
    with pytest.raises(UsageError, match="chunk_rows=10 cuts 10,000 live rows into 1,000 chunks"):
        chunk_count(10_000, drift_config({"chunk_rows": 10}))
    with pytest.raises(UsageError, match="chunks must be 0 or more, not -1"):
        aisec_nb.compare_to_profile(pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": [1.0]}),
                                    chunks=-1)
    with pytest.raises(UsageError, match=r"drift settings: chunks must be int, not 2\.5"):
        drift_config({"chunks": 2.5})


def test_the_payload_holds_scores_per_chunk_and_no_rows(
    reference: aisec_nb.drift.Profile,
) -> None:
    payload = aisec_nb.compare_to_profile(reference, last_30_percent_drifted()).to_payload()
    chunks = payload["chunks"]
    assert chunks["by"] == "rows" and chunks["tests"] == 80
    assert [c["label"] for c in chunks["chunks"]] == [str(i) for i in range(1, 11)]
    latency = chunks["columns"]["latency_ms"]
    assert latency["drifted"] == [8, 9, 10] and latency["first"] == 8
    assert len(latency["scores"]) == 10 and latency["threshold"] == 0.1
    assert chunks["columns"]["balance"]["first"] is None
    assert "alice" not in str(payload)


def test_windows_are_chunks_decided_with_one_correction() -> None:
    ref = aisec_nb.build_profile(sample(20_000, 1))
    days = [sample(3000, 20 + d, drifted=d == 2) for d in range(3)]
    for d, frame in enumerate(days):
        frame["ts"] = pd.Timestamp("2026-03-01") + pd.Timedelta(days=d) + pd.to_timedelta(
            range(len(frame)), "s"
        )
    result = compare_windows(ref, pd.concat(days, ignore_index=True), "ts", "1D")
    chunked = result.report.chunks
    assert chunked is not None and chunked.by == "window" and chunked.tests == 8 * 3
    assert [c.label for c in chunked.chunks] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert chunked.chunks[2].span == "1D window from 2026-03-03 00:00 UTC"
    latency = chunked.column("latency_ms")
    assert latency is not None and latency.describe("window") == (
        "drifted in 1 of 3 windows, from window 3"
    )
    assert [w.drifted for w in result.windows] == [
        (),
        (),
        tuple(c for c in ref.names if c in DRIFTED),
    ]


def test_partitions_are_merged_into_consecutive_chunks(reference: aisec_nb.drift.Profile) -> None:
    from aisec_nb.drift.partitioned import FramePartitions, compare_partitioned

    live = last_30_percent_drifted()
    parts = FramePartitions([live.iloc[i : i + 1000] for i in range(0, len(live), 1000)])
    report = compare_partitioned(reference, parts)
    chunked = report.chunks
    assert chunked is not None and [c.rows for c in chunked.chunks] == [2000] * 10
    assert chunked.chunks[7].span == "rows 14,001–16,000, partitions 15–16"
    assert chunked.column("latency_ms").describe() == "drifted in 3 of 10 chunks, from chunk 8"
    in_memory = aisec_nb.compare_to_profile(reference, live).chunks
    assert in_memory is not None
    assert chunked.columns == in_memory.columns  # the same rows per chunk: the same decisions
