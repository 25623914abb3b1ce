"""Plotly figures of a drift report, drawn from bin counts (never rows) so outputs stay small.

Every figure is built from Python lists (plain JSON, no typed-array blobs) on the empty
``"none"`` template, so a figure is a few KB and the notebook stores no plotly.js.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.drift import compare_to_profile
    >>> report = compare_to_profile(pd.DataFrame({"x": range(100)}), pd.DataFrame({"x": range(50)}))
    >>> score_figure(report).data[0].y
    ('x',)
"""

from __future__ import annotations

import datetime as _dt
import itertools
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..drift.compare import DriftReport
from ..drift.ood import redact_category
from ..drift.profile import ColumnProfile
from ..drift.windows import WindowedReport

DRIFT_COLOUR = "#cf222e"
CALM_COLOUR = "#8c959f"
REF_COLOUR = "#0969da"
LIVE_COLOUR = "#bf8700"
MAX_DISTRIBUTIONS = 6
MAX_CATEGORIES_SHOWN = 30


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template="none",
        title={"text": title, "x": 0},
        height=height,
        margin={"l": 140, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h"},
    )
    return fig


def score_figure(report: DriftReport) -> go.Figure:
    """Drift score per column, largest first, with each column's threshold marked."""
    cols = sorted(report.columns, key=lambda c: c.effect / c.threshold if c.threshold else 0.0)
    names = [c.name for c in cols]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[_sig(c.effect) for c in cols],
            y=names,
            orientation="h",
            name="score",
            marker={"color": [DRIFT_COLOUR if c.drift else CALM_COLOUR for c in cols]},
            customdata=[[c.method, f"{c.p_adjusted:.2g}"] for c in cols],
            hovertemplate="%{y}: %{customdata[0]} %{x:.4g} (corrected p %{customdata[1]})"
            "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[c.threshold for c in cols],
            y=names,
            mode="markers",
            name="threshold",
            marker={"symbol": "line-ns-open", "size": 14, "color": "#24292f", "line": {"width": 2}},
        )
    )
    thresholds = {c.threshold for c in cols}
    if len(thresholds) == 1:
        fig.add_vline(x=thresholds.pop(), line_dash="dash", line_color="#24292f")
    return _layout(fig, "Drift score per column (red: drifted)", 120 + 22 * len(cols))


def _sig(value: float) -> float:
    """Six significant digits, as the recorded summary keeps them."""
    return float(f"{value:.6g}")


def _fmt(value: float, kind: str) -> str:
    if kind == "datetime":
        return _dt.datetime.fromtimestamp(value, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    return f"{value:.4g}"


def bucket_labels(col: ColumnProfile) -> list[str]:
    """A label per bucket: value ranges for ordinal columns, category names otherwise."""
    lay = col.layout
    if not lay.ordinal:
        return [redact_category(c).strip("'") for c in lay.categories] + ["(unseen)"]
    edges = [_fmt(e, lay.kind) for e in lay.edges]
    if not edges:
        return ["all values"]
    return [
        f"≤ {edges[0]}",
        *(f"({a}, {b}]" for a, b in itertools.pairwise(edges)),
        f"> {edges[-1]}",
    ]


def _shares(counts: tuple[int, ...]) -> list[float]:
    total = sum(counts)
    return [round(c / total, 6) if total else 0.0 for c in counts]


def distribution_figure(report: DriftReport) -> go.Figure | None:
    """Reference against live shares per bucket, for the flagged columns (at most six)."""
    flagged = [c for c in report.columns if c.drift or c.unseen_share > 0][:MAX_DISTRIBUTIONS]
    if not flagged:
        return None
    fig = make_subplots(
        rows=len(flagged),
        cols=1,
        subplot_titles=[f"{c.name} ({c.method} {c.effect:.3g})" for c in flagged],
        vertical_spacing=0.12,
    )
    for i, c in enumerate(flagged, start=1):
        ref, live = report.reference.column(c.name), report.live.column(c.name)
        labels = bucket_labels(ref)
        ref_s, live_s = _shares(ref.counts), _shares(live.counts)
        if len(labels) > MAX_CATEGORIES_SHOWN:  # keep the largest categories and the unseen one
            keep = [*range(MAX_CATEGORIES_SHOWN - 1), len(labels) - 1]
            labels = [labels[k] for k in keep]
            ref_s, live_s = [ref_s[k] for k in keep], [live_s[k] for k in keep]
        for name, shares, colour in (
            ("reference", ref_s, REF_COLOUR),
            ("live", live_s, LIVE_COLOUR),
        ):
            fig.add_trace(
                go.Bar(
                    x=labels,
                    y=shares,
                    name=name,
                    marker={"color": colour},
                    legendgroup=name,
                    showlegend=i == 1,
                ),
                row=i,
                col=1,
            )
    fig.update_layout(barmode="group")
    return _layout(fig, "Reference vs live, flagged columns", 260 * len(flagged))


def heatmap_figure(windowed: WindowedReport) -> go.Figure:
    """Columns × time windows: each window's drift score over the column's threshold."""
    report: DriftReport = windowed.report
    names = [c.name for c in report.columns]
    thresholds = {c.name: c.threshold for c in report.columns}
    starts = [w.start for w in windowed.windows]
    z = [
        [
            round(w.scores.get(n, 0.0) / thresholds[n], 4) if thresholds[n] else 0.0
            for w in windowed.windows
        ]
        for n in names
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=starts,
            y=names,
            colorscale=[[0, "#f6f8fa"], [0.5, "#fff8c5"], [1, DRIFT_COLOUR]],
            zmin=0,
            zmax=2,
            colorbar={"title": "score / threshold"},
            hovertemplate="%{y} @ %{x}: %{z:.2f} × threshold<extra></extra>",
        )
    )
    return _layout(
        fig,
        f"Drift per {windowed.window} window of {windowed.time_column!r}",
        140 + 22 * len(names),
    )


def ood_figure(windowed: WindowedReport) -> go.Figure:
    """Share of out-of-distribution rows per time window."""
    fig = go.Figure(
        go.Scatter(
            x=[w.start for w in windowed.windows],
            y=[round(w.ood_share, 6) for w in windowed.windows],
            mode="lines+markers",
            name="OOD share",
            line={"color": DRIFT_COLOUR},
        )
    )
    fig.update_yaxes(tickformat=".1%", rangemode="tozero")
    return _layout(fig, "Out-of-distribution rows per window", 280)


def report_figures(report: DriftReport, windowed: WindowedReport | None) -> list[go.Figure]:
    """Every figure ``%aisec monitor`` shows, in display order."""
    figures = [score_figure(report)]
    dist = distribution_figure(report)
    if dist is not None:
        figures.append(dist)
    if windowed is not None and windowed.windows:
        figures += [heatmap_figure(windowed), ood_figure(windowed)]
    return figures


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """The ``application/vnd.plotly.v1+json`` form of a figure (plain JSON)."""
    import json

    data: dict[str, Any] = json.loads(fig.to_json())
    return data
