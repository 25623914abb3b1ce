"""The Dask path gives the pandas numbers, on a real local Dask cluster."""

from __future__ import annotations

from collections.abc import Iterator

import dask.dataframe as dd
import pandas as pd
import pytest
from dask.distributed import Client, LocalCluster

import aisec_nb
from aisec_nb.drift.dask_support import build_profile_dask, compare_to_profile_dask
from aisec_nb.errors import UsageError
from tests.drift.data import sample


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def test_profile_and_statistics_equal_pandas(client: Client) -> None:
    ref = sample(12_000, 1)
    live = sample(9_000, 2, drifted=True)
    live.loc[:30, "balance"] = -1e7
    ref_ddf = dd.from_pandas(ref, npartitions=5)
    live_ddf = dd.from_pandas(live, npartitions=4)

    profile = build_profile_dask(ref_ddf)
    assert profile == aisec_nb.build_profile(ref)

    ours = compare_to_profile_dask(profile, live_ddf)
    theirs = aisec_nb.compare_to_profile(aisec_nb.build_profile(ref), live)
    assert ours.columns == theirs.columns  # every statistic, p-value and decision, exactly
    assert ours.live == theirs.live
    assert ours.findings == theirs.findings and ours.verdict == theirs.verdict
    assert (ours.ood.ood_rows, ours.ood.reasons) == (theirs.ood.ood_rows, theirs.ood.reasons)
    assert [w.row for w in ours.ood.worst] == [w.row for w in theirs.ood.worst]


def test_not_a_dask_frame_is_refused() -> None:
    with pytest.raises(UsageError, match="expected a dask DataFrame, not DataFrame"):
        build_profile_dask(pd.DataFrame({"a": [1]}))
