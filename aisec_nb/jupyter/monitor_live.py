"""A live plotly ``FigureWidget`` for :class:`aisec_nb.drift.Monitor`, redrawn on each update.

Three traces, updated in place after every ``monitor.update(batch)``:

0. heat map, columns × batches, of each batch's drift score over the column's threshold;
1. the share of out-of-distribution rows per batch;
2. the latest batch's score per column (bars, red when drifted).

Example::

    >>> import pandas as pd
    >>> from aisec_nb.drift import Monitor
    >>> mon = Monitor(pd.DataFrame({"x": range(1000)}))
    >>> fig = monitor_widget(mon)
    >>> _ = mon.update(pd.DataFrame({"x": range(0, 1000, 7)}))
    >>> fig.data[1].y
    (0.0,)
"""

from __future__ import annotations

from typing import Any

from ..drift.monitor import BatchPoint, Monitor

MAX_BATCHES_SHOWN = 200


def monitor_widget(monitor: Monitor) -> Any:
    """A ``plotly.graph_objects.FigureWidget`` bound to ``monitor`` (shows its history so far)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(monitor.columns)
    grid = make_subplots(
        rows=3,
        cols=1,
        row_heights=[0.45, 0.2, 0.35],
        vertical_spacing=0.08,
        subplot_titles=("score / threshold per batch", "OOD share", "latest batch"),
    )
    fig = go.FigureWidget(grid)
    fig.add_trace(
        go.Heatmap(
            z=[[] for _ in names],
            x=[],
            y=names,
            zmin=0,
            zmax=2,
            colorscale=[[0, "#f6f8fa"], [0.5, "#fff8c5"], [1, "#cf222e"]],
            showscale=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=[], y=[], mode="lines+markers", name="OOD share", line={"color": "#cf222e"}),
        row=2,
        col=1,
    )
    fig.add_trace(go.Bar(x=names, y=[0.0] * len(names), name="score"), row=3, col=1)
    fig.update_layout(
        template="none",
        height=240 + 30 * len(names),
        showlegend=False,
        margin={"l": 120, "r": 20, "t": 40, "b": 40},
    )
    thresholds = _thresholds(monitor)

    def redraw(mon: Monitor, _point: BatchPoint | None = None) -> None:
        points = list(mon.history)[-MAX_BATCHES_SHOWN:]
        labels = [p.label for p in points]
        with fig.batch_update():
            fig.data[0].z = [
                [round(p.scores.get(n, 0.0) / thresholds[n], 4) for p in points] for n in names
            ]
            fig.data[0].x = labels
            fig.data[1].x = labels
            fig.data[1].y = [round(p.ood_share, 6) for p in points]
            if points:
                last = points[-1]
                fig.data[2].y = [round(last.scores.get(n, 0.0), 6) for n in names]
                fig.data[2].marker.color = [
                    "#cf222e" if n in last.drifted else "#8c959f" for n in names
                ]

    redraw(monitor)
    monitor.subscribe(redraw)
    return fig


def record_monitor(monitor: Monitor, monitor_id: str = "stream") -> None:
    """Record the monitor's state in the notebook as ``metadata.aisec.monitors[monitor_id]``.

    Call it whenever the evidence should be saved (e.g. at the end of a session); a later call
    with the same id replaces the earlier summary.
    """
    from ..transport import escape, make_fragment
    from .html import VERDICT_COLOURS, badge, findings_table
    from .session import publish

    summary = monitor.summary()
    verdict = str(summary["verdict"])
    alerts = list(monitor.alerts)[-20:]
    head = (
        f"{badge(verdict.upper(), VERDICT_COLOURS[verdict])} <b>monitor</b> "
        f"<code>{escape(monitor_id)}</code> · {summary['batches']} batches · "
        f"{summary['rows']:,} rows · {len(monitor.alerts)} alerts"
    )
    publish(
        make_fragment("monitor", monitor_id, summary),
        html_text=f'<div class="aisec-report"><p>{head}</p>{findings_table(alerts)}</div>',
        plain_text=f"aisec monitor {monitor_id}: {verdict.upper()} — {summary['batches']} "
        f"batches, {len(monitor.alerts)} alerts",
    )


def _thresholds(monitor: Monitor) -> dict[str, float]:
    cfg = monitor.config
    out = {}
    for col in monitor.reference.columns:
        t = cfg.threshold_for(col.name, cfg.method_for(col.name, col.kind))
        out[col.name] = t if t > 0 else 1.0
    return out
