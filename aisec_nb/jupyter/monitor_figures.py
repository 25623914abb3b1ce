"""Plotly figures of a drift report, drawn from bin counts (never rows) so outputs stay small.

Every figure is built from Python lists (plain JSON, no typed-array blobs) on the empty
``"none"`` template with the shared look of :func:`aisec_nb.jupyter.html.figure_layout`
(transparent, theme-following text, titled axes, legends clear of the ticks), so a figure is a
few KB, the notebook stores no plotly.js, and it reads in light and dark themes.

* :func:`score_figure`: the whole period's score per column against its threshold;
* :func:`distribution_figure`: reference against live shares per bucket, flagged columns;
* :func:`chunk_figure`: each column's score per chunk (or time window) against its threshold;
* :func:`ood_figure`: the share of out-of-distribution rows per chunk.

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

from ..drift.chunks import ChunkedDrift
from ..drift.compare import DriftReport
from ..drift.ood import redact_category
from ..drift.profile import ColumnProfile
from ..drift.windows import WindowedReport
from .html import AXIS_STYLE, INK, figure_layout, human, label_room

DRIFT_COLOUR = "#cf222e"
PARTIAL_COLOUR = "#d4a72c"
CALM_COLOUR = "#8c959f"
REF_COLOUR = "#0969da"
LIVE_COLOUR = "#bf8700"
MAX_DISTRIBUTIONS = 6
MAX_CATEGORIES_SHOWN = 30
ROW = 26
"""Pixels per column in figures with a row per column."""
HEAT_SCALE = [[0.0, "rgba(140, 149, 159, 0.12)"], [0.5, "#f2cc60"], [1.0, DRIFT_COLOUR]]
"""Score over threshold, 0 to 2: faint below, amber at the threshold, red at twice it."""


def _style(fig: go.Figure, title: str, height: int, **layout: Any) -> go.Figure:
    base = figure_layout(title, height, legend=bool(layout.pop("legend", False)))
    margin = {**base.pop("margin"), **layout.pop("margin", {})}
    base.pop("xaxis")
    base.pop("yaxis")
    fig.update_layout(**base, margin=margin, **layout)
    fig.update_xaxes(**AXIS_STYLE)
    fig.update_yaxes(**AXIS_STYLE)
    return fig


def _sig(value: float) -> float:
    """Six significant digits, as the recorded summary keeps them."""
    return float(f"{value:.6g}")


def score_figure(report: DriftReport) -> go.Figure:
    """Drift score per column over the whole period, largest on top, each against its threshold
    (red: drifted; amber: drifted in some chunks only)."""
    cols = sorted(report.columns, key=lambda c: c.effect / c.threshold if c.threshold else 0.0)
    names = [c.name for c in cols]
    partial = set(report.chunks.drifted) if report.chunks is not None else set()

    def colour(c: Any) -> str:
        return DRIFT_COLOUR if c.drift else PARTIAL_COLOUR if c.name in partial else CALM_COLOUR

    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[_sig(c.effect) for c in cols],
            y=names,
            orientation="h",
            name="score",
            marker={"color": [colour(c) for c in cols]},
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
            marker={"symbol": "line-ns-open", "size": 16, "color": INK, "line": {"width": 2}},
            hovertemplate="%{y}: threshold %{x:g}<extra></extra>",
        )
    )
    thresholds = {c.threshold for c in cols}
    if len(thresholds) == 1:
        fig.add_vline(x=thresholds.pop(), line_dash="dash", line_color=INK, line_width=1)
    methods = sorted({c.method for c in cols})
    title = "Drift score per column, whole period (red: drifted"
    if partial and report.chunks is not None:
        title += f"; amber: drifted in some {report.chunks.noun}s"
    title += ")"
    fig.update_xaxes(title_text=f"score ({', '.join(methods)})", rangemode="tozero")
    fig.update_yaxes(title_text="column", type="category")
    return _style(fig, title, max(220, 120 + ROW * len(cols)), legend=True,
                  margin={"r": 110})


def _fmt(value: float, kind: str, days: bool) -> str:
    if kind == "datetime":
        when = _dt.datetime.fromtimestamp(value, tz=_dt.timezone.utc)
        return when.strftime("%Y-%m-%d" if days else "%m-%d %H:%M")
    return human(value)


def bucket_labels(col: ColumnProfile) -> list[str]:
    """A short label per bucket: value ranges (``12.3k–15k``) for ordinal columns, category
    names otherwise; labels stay distinct."""
    lay = col.layout
    if not lay.ordinal:
        return [redact_category(c).strip("'") for c in lay.categories] + ["(unseen)"]
    if not lay.edges:
        return ["all values"]
    days = lay.kind == "datetime" and (lay.edges[-1] - lay.edges[0]) > 3 * 86_400
    edges = [_fmt(e, lay.kind, days) for e in lay.edges]
    if len(set(edges)) < len(edges) and lay.kind != "datetime":
        from .check_data import distinct_labels

        edges = distinct_labels(list(lay.edges))
    return [
        f"≤ {edges[0]}",
        *(f"{a}–{b}" for a, b in itertools.pairwise(edges)),
        f"> {edges[-1]}",
    ]


def _shares(counts: tuple[int, ...]) -> list[float]:
    total = sum(counts)
    return [round(c / total, 6) if total else 0.0 for c in counts]


def distribution_figure(report: DriftReport) -> go.Figure | None:
    """Reference against live shares per bucket, for the flagged columns (at most six), one
    row each, spaced so that slanted bucket labels never reach the next row's title."""
    flagged = [c for c in report.columns if c.drift or c.unseen_share > 0][:MAX_DISTRIBUTIONS]
    if not flagged:
        return None
    panels = []
    for c in flagged:
        ref, live = report.reference.column(c.name), report.live.column(c.name)
        labels = bucket_labels(ref)
        ref_s, live_s = _shares(ref.counts), _shares(live.counts)
        if len(labels) > MAX_CATEGORIES_SHOWN:  # keep the largest categories and the unseen one
            keep = [*range(MAX_CATEGORIES_SHOWN - 1), len(labels) - 1]
            labels = [labels[k] for k in keep]
            ref_s, live_s = [ref_s[k] for k in keep], [live_s[k] for k in keep]
        panels.append((c, labels, ref_s, live_s, label_room(labels, 800)))
    n, plot, title_room, top = len(panels), 170, 34, 64
    rooms = [room for *_, (_, room) in panels]
    # the gap under a row holds its (slanted) bucket labels and the next row's title
    gap_px = max(rooms[:-1]) + title_room if n > 1 else 0
    bottom = 30 + rooms[-1]
    inner = n * plot + (n - 1) * gap_px
    fig = make_subplots(
        rows=n,
        cols=1,
        subplot_titles=[f"{c.name} ({c.method} {c.effect:.3g})" for c, *_ in panels],
        vertical_spacing=gap_px / inner if n > 1 else 0.0,
    )
    for i, (_c, labels, ref_s, live_s, (angle, _room)) in enumerate(panels, start=1):
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
                    hovertemplate=f"{name} %{{x}}: %{{y:.1%}}<extra></extra>",
                ),
                row=i,
                col=1,
            )
        fig.update_xaxes(type="category", tickangle=angle, row=i, col=1)
        fig.update_yaxes(title_text="share of rows", tickformat=".0%", rangemode="tozero",
                         row=i, col=1)
    fig.update_layout(barmode="group")
    fig.update_annotations(font_size=13, xanchor="left", x=0)
    return _style(fig, "Reference vs live, flagged columns", top + inner + bottom,
                  legend=True, margin={"t": top, "b": bottom, "r": 110})


def _chunk_axis(chunked: ChunkedDrift) -> str:
    return {
        "rows": "chunk (consecutive rows)",
        "time": "chunk, by when it starts (time order)",
        "window": "window start",
    }[chunked.by]


def chunk_figure(report: DriftReport) -> go.Figure | None:
    """Columns × chunks: each chunk's drift score over the column's threshold (1 is the
    threshold), with a mark on every chunk where the column drifted (both gates passed). A score
    over its threshold that fails the corrected p-value gate (a chunk of a few rows) is shaded
    just below the threshold, so red always means drifted; the hover says why."""
    chunked = report.chunks
    if chunked is None or not chunked.columns:
        return None
    labels = [c.label for c in chunked.chunks]
    cols = list(chunked.columns)
    names = [c.name for c in cols]
    alpha = report.config.alpha

    def shade(score: float, p: float, threshold: float) -> float:
        ratio = score / threshold if threshold else 0.0
        return round(ratio if p < alpha else min(ratio, 0.9), 4)

    def why(score: float, p: float, drifted: bool, c: Any) -> str:
        text = f"{c.method} {score:.3g} vs threshold {c.threshold:g}, corrected p {p:.2g}"
        if drifted:
            return text + ": drifted"
        return text + (": not significant" if p >= alpha and score >= c.threshold else "")

    z = [[shade(s, p, c.threshold) for s, p in zip(c.scores, c.p_adjusted, strict=True)]
         for c in cols]
    hover = [
        [why(s, p, d, c) for s, p, d in zip(c.scores, c.p_adjusted, c.drifted, strict=True)]
        for c in cols
    ]
    spans = [[f"{info.span}, {info.rows:,} rows" for info in chunked.chunks] for _ in cols]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=names,
            customdata=[list(zip(h, sp, strict=True)) for h, sp in zip(hover, spans, strict=True)],
            colorscale=HEAT_SCALE,
            zmin=0,
            zmax=2,
            xgap=2,
            ygap=2,
            colorbar={"tickvals": [0, 0.5, 1, 1.5, 2],
                      "ticktext": ["0", "½ ×", "threshold", "1½ ×", "≥ 2 ×"],
                      "thickness": 14, "outlinewidth": 0, "len": 1, "y": 0.5},
            hovertemplate="%{y}, %{customdata[1]}: %{customdata[0]}<extra></extra>",
        )
    )
    marks = [(lab, c.name) for c in cols for lab, d in zip(labels, c.drifted, strict=True) if d]
    if marks:
        fig.add_trace(
            go.Scatter(
                x=[m[0] for m in marks],
                y=[m[1] for m in marks],
                mode="markers",
                marker={"symbol": "x-thin", "size": 9, "line": {"width": 2, "color": INK}},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    angle, room = label_room(labels, 760)
    fig.update_xaxes(title_text=_chunk_axis(chunked), type="category", tickangle=angle,
                     showgrid=False)
    fig.update_yaxes(title_text="column", type="category", autorange="reversed", showgrid=False)
    noun = chunked.noun
    title = (f"Drift per {noun}: score / threshold ({len(labels)} {noun}s; × drifted, "
             f"{chunked.tests} tests corrected together)")
    return _style(fig, title, 150 + ROW * len(names) + room, margin={"b": 40 + room, "r": 40})


def ood_figure(report: DriftReport) -> go.Figure | None:
    """Share of out-of-distribution rows per chunk (or time window)."""
    chunked = report.chunks
    if chunked is None:
        return None
    labels = [c.label for c in chunked.chunks]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=[round(c.ood_share, 6) for c in chunked.chunks],
            customdata=[c.span for c in chunked.chunks],
            mode="lines+markers",
            name="OOD share",
            line={"color": DRIFT_COLOUR},
            hovertemplate="%{customdata}: %{y:.2%}<extra></extra>",
        )
    )
    angle, room = label_room(labels, 800)
    fig.update_xaxes(title_text=_chunk_axis(chunked), type="category", tickangle=angle)
    fig.update_yaxes(title_text="rows out of distribution", tickformat=".1%", rangemode="tozero")
    return _style(fig, f"Out-of-distribution rows per {chunked.noun}", 280 + room,
                  margin={"b": 40 + room})


def report_figures(report: DriftReport, windowed: WindowedReport | None = None) -> list[go.Figure]:
    """Every figure ``%aisec monitor`` shows, in display order: the whole period's scores and
    distributions, then (when the live period was cut) the chunks' scores and OOD shares."""
    figures = [score_figure(report)]
    for extra in (distribution_figure(report), chunk_figure(report)):
        if extra is not None:
            figures.append(extra)
    chunked = report.chunks
    if chunked is not None and (windowed is not None or any(c.ood_share for c in chunked.chunks)):
        ood = ood_figure(report)
        if ood is not None:
            figures.append(ood)
    return figures


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """The ``application/vnd.plotly.v1+json`` form of a figure (plain JSON)."""
    import json

    data: dict[str, Any] = json.loads(fig.to_json())
    return data
