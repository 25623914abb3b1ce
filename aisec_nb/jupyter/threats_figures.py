"""What ``%aisec threats`` shows besides the form: the record's summary (HTML and plain text) and
the likelihood × impact heat map, inherent against residual, as a plotly figure.

The figure is built as plotly's JSON directly (no plotly import: the form must be interactive
quickly), with the look of every report figure (:func:`aisec_nb.jupyter.html.figure_layout`).

    >>> import datetime as dt
    >>> from aisec_nb.threats.assess import Questionnaire
    >>> model = Questionnaire().assess(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    >>> fig = heatmap_figure(model)
    >>> [t["name"] for t in fig["data"]], fig["data"][1]["text"][2][2]
    (['inherent', 'residual'], '10')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..threats.bank import STAGES
from ..threats.scoring import LEVELS, severity
from ..transport import escape

PLOTLY_MIME = "application/vnd.plotly.v1+json"
SEVERITY_RANKS = ("info", "low", "medium", "high", "critical")
ORDER = ("critical", "high", "medium", "low", "info")


def _colours() -> dict[str, str]:
    from .html import SEVERITY_COLOURS

    return dict(SEVERITY_COLOURS)


def _live(threats: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in threats.get("risks") or [] if isinstance(r, Mapping)
            and r.get("status") != "n/a"]


def _cells(risks: list[Mapping[str, Any]], which: str) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for risk in risks:
        rating = risk.get(which)
        if not isinstance(rating, Mapping):
            continue
        key = (str(rating.get("likelihood")), str(rating.get("impact")))
        out.setdefault(key, []).append(str(risk.get("title") or risk.get("id")))
    return out


def heatmap_figure(threats: Mapping[str, Any]) -> dict[str, Any]:
    """Two 3 × 3 grids, likelihood across and impact up, each cell in its matrix severity's
    colour and holding the number of risks there: before controls (inherent) and after
    (residual). Risks that do not apply are left out; hovering a cell lists its risks."""
    from .html import AXIS_STYLE, figure_layout

    colours = _colours()
    scale: list[list[Any]] = []
    for n, name in enumerate(SEVERITY_RANKS):
        scale += [[n / 5, colours[name]], [(n + 1) / 5, colours[name]]]
    ranks = [[SEVERITY_RANKS.index(severity(lik, imp)) + 0.5 for lik in LEVELS]
             for imp in LEVELS]
    risks = _live(threats)
    traces = []
    for n, which in enumerate(("inherent", "residual")):
        cells = _cells(risks, which)
        text = [[str(len(cells.get((lik, imp), []))) for lik in LEVELS] for imp in LEVELS]
        names = [["<br>".join(escape(t) for t in cells.get((lik, imp), [])[:12]) or "no risk"
                  for lik in LEVELS] for imp in LEVELS]
        suffix = "" if n == 0 else "2"
        traces.append({
            "type": "heatmap", "name": which, "x": list(LEVELS), "y": list(LEVELS),
            "z": ranks, "zmin": 0, "zmax": 5, "colorscale": scale, "showscale": False,
            "xgap": 3, "ygap": 3, "text": text, "texttemplate": "%{text}",
            "textfont": {"size": 18, "color": "#ffffff"}, "customdata": names,
            "hovertemplate": f"{which}: likelihood %{{x}}, impact %{{y}}<br>%{{customdata}}"
                             "<extra></extra>",
            "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
        })
    layout = figure_layout("Risks by likelihood × impact: before and after controls", 390,
                           margin={"t": 96, "b": 60})
    axis = dict(AXIS_STYLE)
    layout["xaxis"] = {**axis, "domain": [0, 0.44], "title": {"text": "likelihood"},
                       "type": "category", "showgrid": False}
    layout["yaxis"] = {**axis, "title": {"text": "impact"}, "type": "category",
                       "showgrid": False}
    layout["xaxis2"] = {**axis, "domain": [0.56, 1], "title": {"text": "likelihood"},
                        "type": "category", "showgrid": False, "anchor": "y2"}
    layout["yaxis2"] = {**axis, "type": "category", "showgrid": False, "anchor": "x2"}
    live = len(risks)
    layout["annotations"] = [
        {"text": f"inherent: {live} risk(s), before controls", "x": 0.22, "y": 1.02,
         "xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "center",
         "yanchor": "bottom",
         "font": {"size": 13}},
        {"text": "residual: after the controls answered yes", "x": 0.78, "y": 1.02,
         "xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "center",
         "yanchor": "bottom",
         "font": {"size": 13}},
    ]
    return {"data": traces, "layout": layout}


def heatmap_bundle(threats: Mapping[str, Any]) -> dict[str, Any]:
    """The heat map's display data (plotly's MIME type, and text for other front ends)."""
    counts = residual_counts(threats)
    text = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no risks"
    return {PLOTLY_MIME: heatmap_figure(threats),
            "text/plain": f"<plotly figure: residual risks {text}>"}


def residual_counts(threats: Mapping[str, Any]) -> dict[str, int]:
    """Risks that apply, by residual severity, worst first."""
    counts = dict.fromkeys(ORDER, 0)
    for risk in _live(threats):
        rating = risk.get("residual")
        sev = rating.get("severity") if isinstance(rating, Mapping) else None
        if sev in counts:
            counts[str(sev)] += 1
    return counts


def _stage_lines(threats: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    totals: dict[str, list[int]] = {}
    for c in threats.get("coverage") or []:
        if isinstance(c, Mapping):
            got = totals.setdefault(str(c.get("stage")), [0, 0])
            got[0] += int(c.get("answered") or 0)
            got[1] += int(c.get("applicable") or 0)
    return [(STAGES.get(s, s), a, n) for s, (a, n) in totals.items()]


def summary_text(threats: Mapping[str, Any]) -> str:
    """The record's ``text/plain``."""
    found = threats.get("summary")
    summary: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    counts = residual_counts(threats)
    lines = [f"aisec threat model: {summary.get('answered', 0)} of "
             f"{summary.get('applicable', 0)} applicable questions answered; residual risks: "
             + (", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none")]
    lines += [f"  {stage}: {a}/{n}" for stage, a, n in _stage_lines(threats)]
    unowned = summary.get("unowned_high") or []
    if unowned:
        lines.append(f"  high or critical without owner and response: {', '.join(unowned)}")
    return "\n".join(lines)


def summary_html(threats: Mapping[str, Any], note: str = "", seconds: float = 0.0) -> str:
    """The record's ``text/html``: coverage per stage, residual risks by severity, the risks
    that most need attention, where the answers live."""
    from .._version import __version__
    from .html import MUTED, badge, code, footer, report

    colours = _colours()
    found = threats.get("summary")
    summary: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    counts = residual_counts(threats)
    head = (f"<b>Threat model</b> · {summary.get('answered', 0)} of "
            f"{summary.get('applicable', 0)} applicable questions answered · residual: "
            + (" ".join(badge(f"{n} {s}", colours[s]) for s, n in counts.items() if n)
               or "no risks"))
    stages = "".join(f"<tr><td>{escape(stage)}</td><td>{a}/{n}</td></tr>"
                     for stage, a, n in _stage_lines(threats))
    body = f"<table><tr><th>stage</th><th>answered</th></tr>{stages}</table>"
    rank = {s: n for n, s in enumerate(ORDER)}
    top = sorted(_live(threats), key=lambda r: rank.get(
        str((r.get("residual") or {}).get("severity")), 9))[:5]
    rows = "".join(
        f"<tr><td>{badge(str(r['residual']['severity']), colours.get(str(r['residual']['severity']), '#57606a'))}</td>"  # noqa: E501
        f"<td>{escape(r.get('title'))} {code(r.get('id'))}</td>"
        f"<td>{escape(r.get('owner') or '—')}</td><td>{escape(r.get('status'))}</td></tr>"
        for r in top if isinstance(r.get("residual"), Mapping))
    if rows:
        body += ("<table><tr><th>residual</th><th>risk</th><th>owner</th><th>status</th></tr>"
                 f"{rows}</table>")
    where = "The answers are kept in the notebook's <code>metadata.aisec.threat_model</code>"
    body += f'<p style="{MUTED}">{where}{" · " + escape(note) if note else ""}.</p>'
    end = footer(__version__, seconds, str(threats.get("recorded_at") or ""))
    return report(head, body, end)


def placeholder_bundle(note: str) -> dict[str, str]:
    """Shown until the first answer: no fragment, so nothing recorded is replaced by an empty
    questionnaire."""
    text = f"aisec threat model: nothing answered yet ({note})" if note else \
        "aisec threat model: nothing answered yet"
    return {"text/plain": text,
            "text/html": f"<p>{escape(text)}: answer a question above and it is recorded.</p>"}
