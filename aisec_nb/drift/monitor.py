"""Streaming: a :class:`Monitor` fed batch by batch, for inference logs arriving over time.

Each batch is compared with the reference on its own (sudden change) and, merged with the
previous ``window`` batches, as a rolling window (gradual change that one batch is too small to
show). A batch whose decision has findings of at least ``alert_severity`` raises alert findings;
listeners (the FigureWidget face) are called after every update. The monitor keeps per-batch
scores, not rows, and at most ``max_history`` batches of them.

Example::

    >>> import pandas as pd
    >>> mon = Monitor(pd.DataFrame({"x": range(1000)}))
    >>> mon.update(pd.DataFrame({"x": range(0, 1000, 10)}))
    ()
    >>> alerts = mon.update(pd.DataFrame({"x": range(5000, 5200)}))
    >>> alerts[0].code, alerts[0].message[:40]
    ('AISEC-DRIFT-ALERT', 'batch 2: AISEC-DRIFT-001: numeric column')
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..record import SEVERITY_ORDER, Finding, Location, utc_now
from ..rules.findings import make_finding
from .compare import DriftReport, compare_profiles, finish, resolve_reference
from .counting import count_frame
from .decide import DriftConfig, drift_config, with_overrides
from .ood import score_rows
from .profile import Profile, merge_profiles

ALERT = "AISEC-DRIFT-ALERT"
GRADUAL = "AISEC-DRIFT-008"


@dataclass(frozen=True)
class BatchPoint:
    """What the monitor remembers of one batch."""

    index: int
    label: str
    rows: int
    scores: dict[str, float]
    window_scores: dict[str, float]
    drifted: tuple[str, ...]
    ood_share: float
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "label": self.label,
            "rows": self.rows,
            "drifted": list(self.drifted),
            "ood_share": float(f"{self.ood_share:.6g}"),
            "verdict": self.verdict,
            "scores": {k: float(f"{v:.6g}") for k, v in self.scores.items()},
        }


class Monitor:
    """Watch batches of live data against a reference (a DataFrame, profile or profile dict)."""

    def __init__(
        self,
        reference: Any,
        *,
        columns: Sequence[str] | None = None,
        window: int = 10,
        alert_severity: str = "medium",
        max_history: int = 1000,
        config: DriftConfig | None = None,
        **settings: Any,
    ) -> None:
        ref = resolve_reference(reference)
        self.reference: Profile = ref.select(columns) if columns is not None else ref
        self.config = with_overrides(config or drift_config(), settings)
        if alert_severity not in SEVERITY_ORDER:
            raise UsageError(f"alert_severity must be one of {sorted(SEVERITY_ORDER)}")
        self.alert_severity = alert_severity
        self.history: deque[BatchPoint] = deque(maxlen=max_history)
        self.alerts: deque[Finding] = deque(maxlen=max_history)
        self.last_report: DriftReport | None = None
        self._window: deque[Profile] = deque(maxlen=max(1, window))
        self._listeners: list[Callable[[Monitor, BatchPoint], None]] = []
        self._count = 0
        self.elapsed_s = 0.0
        """Seconds spent scoring batches so far (the listeners' time not included)."""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.reference.names

    def subscribe(self, listener: Callable[[Monitor, BatchPoint], None]) -> None:
        """Call ``listener(monitor, point)`` after each update."""
        self._listeners.append(listener)

    def update(self, batch: Any, label: str | None = None) -> tuple[Finding, ...]:
        """Score one batch; returns the alert findings it raised (empty when all is well)."""
        started = time.perf_counter()
        live, encoded = count_frame(batch, self.reference.layouts, "batch", multivariate=False)
        report = compare_profiles(self.reference, live, self.config)
        report = finish(
            report, score_rows(self.reference, encoded, batch.index, self.config.ood_mahalanobis_p)
        )
        self._window.append(live)
        rolling = compare_profiles(self.reference, merge_profiles(self._window), self.config)
        self._count += 1
        point = BatchPoint(
            index=self._count,
            label=label or f"batch {self._count}",
            rows=live.rows,
            scores={c.name: c.effect for c in report.columns},
            window_scores={c.name: c.effect for c in rolling.columns},
            drifted=report.drifted,
            ood_share=report.ood.share if report.ood else 0.0,
            verdict=report.verdict,
        )
        floor = SEVERITY_ORDER[self.alert_severity]
        raised = [f for f in report.findings if SEVERITY_ORDER[f.severity] >= floor]
        for name in rolling.drifted:
            if name not in report.drifted:
                c = rolling.column(name)
                raised.append(
                    make_finding(
                        GRADUAL,
                        f"gradual drift over the last {len(self._window)} batches: "
                        f"{c.method} {c.effect:.3g} ≥ {c.threshold:g}",
                        location=Location(column=name),
                    )
                )
        alerts = tuple(
            make_finding(
                ALERT,
                f"{point.label}: {f.code}: {f.message}",
                severity=f.severity,
                location=f.location,
                evidence=f.evidence,
            )
            for f in raised
        )
        self.alerts.extend(alerts)
        self.history.append(point)
        self.last_report = report
        self.elapsed_s += time.perf_counter() - started
        for listener in list(self._listeners):
            listener(self, point)
        return alerts

    def summary(self) -> dict[str, Any]:
        """The monitor's state as a record payload (``monitors[id]``)."""
        worst = max(
            (p.verdict for p in self.history),
            key=lambda v: ("pass", "warn", "fail", "error").index(v),
            default="pass",
        )
        return {
            "recorded_at": utc_now().isoformat(),
            "kind": "stream",
            "verdict": worst,
            "batches": self._count,
            "duration_s": round(self.elapsed_s, 6),
            "rows": sum(p.rows for p in self.history),
            "reference": {
                "rows": self.reference.rows,
                "digest": self.reference.digest(),
                "columns": list(self.columns),
            },
            "alerts": [a.model_dump(mode="json", exclude_none=True) for a in self.alerts][-50:],
            "history": [p.to_dict() for p in self.history][-200:],
            "parameters": self.config.to_dict(),
        }
