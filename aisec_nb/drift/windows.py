"""Drift per time window: the live rows cut by a time column, each window scored alone.

The live data are encoded once; each window's counts come from its rows' codes, so ``k``
windows cost one pass plus ``k`` small statistic computations.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.drift.profile import build_profile
    >>> ref = build_profile(pd.DataFrame({"x": range(100)}))
    >>> live = pd.DataFrame({"x": range(72), "t": pd.date_range("2026-01-01", periods=72,
    ...                                                      freq="h")})
    >>> [w.start[:10] for w in compare_windows(ref, live, "t", "1D").windows]
    ['2026-01-01', '2026-01-02', '2026-01-03']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from .compare import compare_profiles, finish, resolve_reference
from .counting import count_encoded, count_frame, frame_columns
from .decide import DriftConfig, drift_config, with_overrides
from .ood import score_rows
from .profile import Profile


@dataclass(frozen=True)
class Window:
    """One time window: when it starts, its rows, drift scores and OOD share."""

    start: str
    rows: int
    scores: dict[str, float]
    drifted: tuple[str, ...]
    ood_share: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "rows": self.rows,
            "drifted": list(self.drifted),
            "ood_share": float(f"{self.ood_share:.6g}"),
            "scores": {k: float(f"{v:.6g}") for k, v in self.scores.items()},
        }


@dataclass(frozen=True)
class WindowedReport:
    """The whole-sample report plus one :class:`Window` per time window."""

    report: Any  # DriftReport; Any keeps this module free of a cycle in type-only imports
    time_column: str
    window: str
    windows: tuple[Window, ...]
    untimed_rows: int = 0

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.report.to_payload()
        payload["time"] = {
            "column": self.time_column,
            "window": self.window,
            "untimed_rows": self.untimed_rows,
            "windows": [w.to_dict() for w in self.windows],
        }
        return payload


def _window_ids(live: Any, time_col: str, window: str, max_windows: int) -> tuple[Any, list[str]]:
    import numpy as np
    import pandas as pd

    series = live[time_col]
    try:
        with warnings.catch_warnings():  # dateutil's per-element fallback warns; we judge below
            warnings.simplefilter("ignore")
            ts = pd.to_datetime(series, utc=True)
    except (TypeError, ValueError) as exc:
        raise UsageError(
            f"time_col: column {time_col!r} is not a date/time column ({exc})"
        ) from None
    try:
        floored = ts.dt.floor(window)
    except (TypeError, ValueError):
        raise UsageError(
            f"window: {window!r} is not a fixed window like '1D', '6h' or '15min'"
        ) from None
    codes, uniques = pd.factorize(floored, sort=True)
    if len(uniques) > max_windows:
        raise UsageError(
            f"window {window!r}: the live data span {len(uniques)} windows, more than "
            f"max_windows={max_windows}; choose a longer window"
        )
    starts = [u.isoformat() for u in uniques]
    return np.asarray(codes), starts


def compare_windows(
    reference: Any,
    live: Any,
    time_col: str,
    window: str,
    *,
    columns: Sequence[str] | None = None,
    config: DriftConfig | None = None,
    **settings: Any,
) -> WindowedReport:
    """Compare the whole live sample, then each ``window`` of ``time_col`` (a pandas offset)."""
    import numpy as np

    ref: Profile = resolve_reference(reference)
    frame_columns(live, [time_col], "live data")
    names = [c for c in (columns or ref.names) if c != time_col]
    ref = ref.select(names)
    cfg = with_overrides(config or drift_config(), settings)
    ids, starts = _window_ids(live, time_col, window, cfg.max_windows)
    live_profile, encoded = count_frame(live, ref.layouts, "live data", multivariate=False)
    ood = score_rows(ref, encoded, live.index, cfg.ood_mahalanobis_p)
    report = finish(compare_profiles(ref, live_profile, cfg), ood)
    order = np.argsort(ids, kind="stable")
    bounds = np.searchsorted(ids[order], np.arange(len(starts) + 1))
    out: list[Window] = []
    for w, start in enumerate(starts):
        rows = order[bounds[w] : bounds[w + 1]]
        part = Profile(tuple(count_encoded(e, rows) for e in encoded), len(rows), 0, 0)
        wr = compare_profiles(ref, part, cfg)
        assert ood.mask is not None
        share = float(ood.mask[rows].mean()) if len(rows) else 0.0
        out.append(
            Window(start, len(rows), {c.name: c.effect for c in wr.columns}, wr.drifted, share)
        )
    return WindowedReport(report, time_col, window, tuple(out), int((ids < 0).sum()))
