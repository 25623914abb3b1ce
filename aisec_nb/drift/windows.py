"""Drift per time window: the live rows cut by a time column, each window scored alone.

The live data are encoded once; each window's counts come from its rows' codes, so ``k``
windows cost one pass plus ``k`` small statistic computations. The windows are the report's
chunks (:mod:`aisec_nb.drift.chunks`), decided with one correction over columns × windows.

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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import UsageError
from .chunks import chunk_profiles, compare_chunks, frame_timestamps, ood_shares
from .compare import compare_profiles, finish, resolve_reference
from .counting import count_frame, frame_columns
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


def _window_ids(live: Any, time_col: str, window: str, max_windows: int) -> tuple[Any, list[Any]]:
    import numpy as np
    import pandas as pd

    ts = frame_timestamps(live, time_col)
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
    return np.asarray(codes), list(uniques)


def _window_labels(starts: list[Any], window: str) -> tuple[list[str], list[str]]:
    """Axis labels and spans of windows: ``2026-03-01`` (or with the time of day when the
    windows are shorter than a day)."""
    daily = all(s == s.normalize() for s in starts)
    fmt = "%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"
    labels = [s.strftime(fmt) for s in starts]
    return labels, [f"{window} window from {s.strftime('%Y-%m-%d %H:%M')} UTC" for s in starts]


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
    """Compare the whole live sample, then each ``window`` of ``time_col`` (a pandas offset).

    The windows are the report's chunks (:mod:`aisec_nb.drift.chunks`): one correction over
    columns × windows decides which window drifted, so many windows raise no false alarm.
    """
    import numpy as np

    ref: Profile = resolve_reference(reference)
    frame_columns(live, [time_col], "live data")
    names = [c for c in (columns or ref.names) if c != time_col]
    ref = ref.select(names)
    cfg = with_overrides(config or drift_config(), settings)
    ids, starts = _window_ids(live, time_col, window, cfg.max_windows)
    live_profile, encoded = count_frame(live, ref.layouts, "live data", multivariate=False)
    ood = score_rows(ref, encoded, live.index, cfg.ood_mahalanobis_p)
    whole = compare_profiles(ref, live_profile, cfg)
    order = np.argsort(ids, kind="stable")
    bounds = np.searchsorted(ids[order], np.arange(len(starts) + 1))
    parts = [order[bounds[w] : bounds[w + 1]] for w in range(len(starts))]
    labels, spans = _window_labels(starts, window)
    chunked = compare_chunks(
        whole, chunk_profiles(encoded, parts), labels, spans, "window", ood_shares(ood, parts)
    )
    report = finish(replace(whole, chunks=chunked), ood)
    out = [
        Window(
            start.isoformat(),
            info.rows,
            {c.name: c.scores[w] for c in chunked.columns},
            tuple(c.name for c in chunked.columns if c.drifted[w]),
            info.ood_share,
        )
        for w, (start, info) in enumerate(zip(starts, chunked.chunks, strict=True))
    ]
    return WindowedReport(report, time_col, window, tuple(out), int((ids < 0).sum()))
