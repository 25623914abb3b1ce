"""A live plotly ``FigureWidget`` for :class:`aisec_nb.drift.Monitor`, redrawn on each update.

Four traces, updated in place after every ``monitor.update(batch)``:

0. heat map, columns × batches, of each batch's drift score over the column's threshold;
1. the share of out-of-distribution rows per batch;
2. the latest batch's score per column (bars, red when drifted);
3. each column's threshold, against those bars.

The widget has the look of every report figure (transparent, theme-following text; see
:func:`aisec_nb.jupyter.html.figure_layout`) and, when shown, sends the theme sheet before
itself.

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
DRIFT_COLOUR = "#cf222e"
CALM_COLOUR = "#8c959f"


def _widget_class() -> type:
    import plotly.graph_objects as go
    from IPython.display import display

    from .html import theme_output

    class MonitorFigureWidget(go.FigureWidget):  # type: ignore[misc]
        """A FigureWidget that sends the theme sheet before itself when displayed."""

        def _ipython_display_(self) -> None:
            display(theme_output(), raw=True)  # type: ignore[no-untyped-call]
            display(self._repr_mimebundle_(), raw=True)  # type: ignore[no-untyped-call]

    return MonitorFigureWidget


def monitor_widget(monitor: Monitor) -> Any:
    """A ``plotly.graph_objects.FigureWidget`` bound to ``monitor`` (shows its history so far)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .html import AXIS_STYLE, INK, figure_layout, label_room
    from .monitor_figures import HEAT_SCALE

    names = list(monitor.columns)
    angle, room = label_room(names, 800)
    heat, ood, bars, gap = 40 + 26 * len(names), 120, 170, 84
    inner = heat + ood + bars + 2 * gap
    grid = make_subplots(
        rows=3,
        cols=1,
        row_heights=[heat / (inner - 2 * gap), ood / (inner - 2 * gap), bars / (inner - 2 * gap)],
        vertical_spacing=gap / inner,
        subplot_titles=(
            "score / threshold per batch (1: the threshold)",
            "share of out-of-distribution rows per batch",
            "latest batch: score per column against its threshold",
        ),
    )
    fig = _widget_class()(grid)
    fig.add_trace(
        go.Heatmap(
            z=[[] for _ in names],
            x=[],
            y=names,
            zmin=0,
            zmax=2,
            colorscale=HEAT_SCALE,
            xgap=1,
            ygap=1,
            showscale=False,
            hovertemplate="%{y} @ %{x}: %{z:.2f} × threshold<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=[], y=[], mode="lines+markers", name="OOD share",
                   line={"color": DRIFT_COLOUR}, hovertemplate="%{x}: %{y:.2%}<extra></extra>"),
        row=2,
        col=1,
    )
    thresholds = _thresholds(monitor)
    fig.add_trace(
        go.Bar(x=names, y=[0.0] * len(names), name="score", marker={"color": CALM_COLOUR},
               hovertemplate="%{x}: %{y:.3g}<extra></extra>"),
        row=3,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=names, y=[thresholds[n] for n in names], mode="markers", name="threshold",
                   marker={"symbol": "line-ew-open", "size": 18, "color": INK,
                           "line": {"width": 2, "color": INK}},
                   hovertemplate="%{x}: threshold %{y:g}<extra></extra>"),
        row=3,
        col=1,
    )
    base = figure_layout("Drift monitor, batch by batch", inner + 60 + 40 + room)
    for key in ("xaxis", "yaxis"):
        base.pop(key)
    base["margin"] = {"l": 60, "r": 24, "t": 60, "b": 40 + room}
    fig.update_layout(**base)
    fig.update_xaxes(**AXIS_STYLE, type="category")
    fig.update_yaxes(**AXIS_STYLE)
    fig.update_yaxes(title_text="column", type="category", autorange="reversed", showgrid=False,
                     row=1, col=1)
    fig.update_xaxes(showgrid=False, row=1, col=1)
    fig.update_yaxes(title_text="rows", tickformat=".0%", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="batch", row=2, col=1)
    fig.update_yaxes(title_text="score", rangemode="tozero", row=3, col=1)
    fig.update_xaxes(title_text="column", tickangle=angle, row=3, col=1)
    fig.update_annotations(font_size=13, xanchor="left", x=0)
    scale = {n: (t if t > 0 else 1.0) for n, t in thresholds.items()}

    def redraw(mon: Monitor, _point: BatchPoint | None = None) -> None:
        points = list(mon.history)[-MAX_BATCHES_SHOWN:]
        labels = [p.label for p in points]
        with fig.batch_update():
            fig.data[0].z = [
                [round(p.scores.get(n, 0.0) / scale[n], 4) for p in points] for n in names
            ]
            fig.data[0].x = labels
            fig.data[1].x = labels
            fig.data[1].y = [round(p.ood_share, 6) for p in points]
            if points:
                last = points[-1]
                fig.data[2].y = [round(last.scores.get(n, 0.0), 6) for n in names]
                fig.data[2].marker.color = [
                    DRIFT_COLOUR if n in last.drifted else CALM_COLOUR for n in names
                ]

    redraw(monitor)
    monitor.subscribe(redraw)
    return fig


def record_monitor(monitor: Monitor, monitor_id: str = "stream") -> None:
    """Record the monitor's state in the notebook as ``metadata.aisec.monitors[monitor_id]``.

    Call it whenever the evidence should be saved (e.g. at the end of a session); a later call
    with the same id replaces the earlier summary.
    """
    from .._version import __version__
    from ..transport import make_fragment
    from .html import VERDICT_COLOURS, badge, code, findings_table, footer, report
    from .session import publish

    summary = monitor.summary()
    verdict = str(summary["verdict"])
    alerts = list(monitor.alerts)[-20:]
    head = (
        f"{badge(verdict.upper(), VERDICT_COLOURS[verdict])} <b>monitor</b> "
        f"{code(monitor_id)} · {summary['batches']} batches · "
        f"{summary['rows']:,} rows · {len(monitor.alerts)} alerts"
    )
    shown = f"<p>the last {len(alerts)} alerts</p>" if len(monitor.alerts) > len(alerts) else ""
    publish(
        make_fragment("monitor", monitor_id, summary),
        html_text=report(head, shown + findings_table(alerts),
                         footer(__version__, monitor.elapsed_s, summary["recorded_at"])),
        plain_text=f"aisec monitor {monitor_id}: {verdict.upper()} — {summary['batches']} "
        f"batches, {len(monitor.alerts)} alerts",
    )


def _thresholds(monitor: Monitor) -> dict[str, float]:
    cfg = monitor.config
    return {
        col.name: cfg.threshold_for(col.name, cfg.method_for(col.name, col.kind))
        for col in monitor.reference.columns
    }
