"""HTML for check results, and the look every report and figure shares: small, self-contained,
escaped, readable in light and dark themes.

* Text takes the front end's colours; secondary text is dimmed (:data:`MUTED`), never a fixed
  grey. Rule codes, locations and ids never break across lines (:func:`nowrap`).
* Every report ends with the same :func:`footer`: tool and version, how long it took, when.
* Figures (:func:`figure_layout`) have transparent backgrounds and draw their text and "ink"
  lines in :data:`INK`; the :data:`THEME_STYLE` sheet shipped with each report repaints exactly
  that colour with the theme's text colour (``--jp-ui-font-color1``), since plotly accepts only
  fixed colours. Without the sheet (another front end) :data:`INK` is a grey readable on both.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..record import CheckResult, Finding, Location
from ..transport import escape

if TYPE_CHECKING:
    from ..rules import Rule

VERDICT_COLOURS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "error": "#8250df"}
SEVERITY_COLOURS = {
    "info": "#57606a",
    "low": "#0969da",
    "medium": "#9a6700",
    "high": "#cf222e",
    "critical": "#82071e",
}
MAX_ROWS = 200
CELL_STYLE = "text-align:left;vertical-align:top"
MUTED = "opacity:0.75;font-size:85%"
"""Secondary text: dimmed, so it follows the front end's light or dark theme."""
NOWRAP = "white-space:nowrap"

INK = "#6e7781"
"""The text and line colour of every figure: repainted with the theme's text colour by
:data:`THEME_STYLE`; on its own a grey readable on light and dark backgrounds."""
_INK_RGB = "rgb(110, 119, 129)"  # how the browser writes INK in the style plotly sets
GRID = "rgba(128, 128, 128, 0.22)"
AXIS_LINE = "rgba(128, 128, 128, 0.55)"
FONT_FAMILY = 'var(--jp-ui-font-family, "Open Sans", verdana, arial, sans-serif)'
TRANSPARENT = "rgba(0, 0, 0, 0)"

THEME_STYLE = (
    "<style>"
    f'.js-plotly-plot text[style*="fill: {_INK_RGB}"]'
    "{fill:var(--jp-ui-font-color1,var(--vscode-editor-foreground,#6e7781))!important}"
    f'.js-plotly-plot path[style*="stroke: {_INK_RGB}"]'
    "{stroke:var(--jp-ui-font-color1,var(--vscode-editor-foreground,#6e7781))!important}"
    f'.js-plotly-plot path[style*="fill: {_INK_RGB}"]'
    "{fill:var(--jp-ui-font-color1,var(--vscode-editor-foreground,#6e7781))!important}"
    "</style>"
)
"""A style sheet sent with each report: figure text and ink lines in the theme's text colour."""


def align_cells(html_text: str) -> str:
    """Left-align plain table cells: JupyterLab right-aligns them, which breaks sentences apart.

    >>> align_cells("<tr><th>a</th><td>b</td></tr>")
    '<tr><th style="text-align:left;vertical-align:top">a</th><td style="text-align:left;vertical-align:top">b</td></tr>'
    """  # noqa: E501
    return html_text.replace("<td>", f'<td style="{CELL_STYLE}">').replace(
        "<th>", f'<th style="{CELL_STYLE}">'
    )


def nowrap(html_text: str, tag: str = "span") -> str:
    """Already-escaped HTML that must not break across lines (a rule code, a location).

    >>> nowrap("AISEC-DATA-S01", "code")
    '<code class="aisec-nowrap" style="white-space:nowrap">AISEC-DATA-S01</code>'
    """
    return f'<{tag} class="aisec-nowrap" style="{NOWRAP}">{html_text}</{tag}>'


def code(text: object) -> str:
    """Text shown as code, on one line."""
    return nowrap(escape(text), "code")


def location_html(location: Location | None) -> str:
    """:meth:`Location.describe`, each part on one line (``@ offset 0`` never splits).

    >>> location_html(Location(member="a/data.pkl", offset=0))
    '<span class="aisec-where"><span class="aisec-nowrap" style="white-space:nowrap">a/data.pkl</span> <span class="aisec-nowrap" style="white-space:nowrap">@ offset 0</span></span>'
    """  # noqa: E501
    if location is None:
        return ""
    parts = []
    for field, form in (("member", "{}"), ("column", "column {!r}"), ("path", "{}"),
                        ("offset", "@ offset {}"), ("row", "row {}")):
        value = getattr(location, field)
        if value is not None:
            parts.append(nowrap(escape(form.format(value))))
    return f'<span class="aisec-where">{" ".join(parts)}</span>' if parts else ""


def readable_time(when: _dt.datetime | str) -> str:
    """A time as people read it, in UTC: ``2026-03-04 06:39:33 UTC``.

    >>> readable_time("2026-03-04T06:39:33.029672+00:00")
    '2026-03-04 06:39:33 UTC'
    """
    if isinstance(when, str):
        when = _dt.datetime.fromisoformat(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float) -> str:
    """``0.042 s``, ``3.1 s``, ``2 min 05 s``.

    >>> duration(0.0421), duration(3.14159), duration(125.2)
    ('0.042 s', '3.1 s', '2 min 05 s')
    """
    if seconds < 1:
        return f"{seconds:.3f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def footer(version: str, seconds: float, when: _dt.datetime | str, tool: str = "aisec-nb") -> str:
    """The one footer of every report: tool and version, how long it took, when (UTC).

    >>> html = footer("1.2.0", 0.5, "2026-03-04T06:39:33.029672+00:00")
    >>> html[html.index(">") + 1 : html.index("<time")]
    'aisec-nb 1.2.0 · took 0.500 s · '
    >>> html[html.index("<time"):]
    '<time datetime="2026-03-04T06:39:33.029672+00:00">2026-03-04 06:39:33 UTC</time></div>'
    """
    stamp = when if isinstance(when, str) else when.isoformat()
    return (
        f'<div class="aisec-footer" style="{MUTED};margin-top:0.4em">{escape(tool)} '
        f"{escape(version)} · took {duration(seconds)} · "
        f'<time datetime="{escape(stamp)}">{escape(readable_time(when))}</time></div>'
    )


def human(value: float, digits: int = 3) -> str:
    """A number for an axis label: ``digits`` significant digits, thousands as k, M, G, T.

    >>> [human(v) for v in (0, 0.5, 12.345, 999.4, 12_345, 2_500_000, 3.2e9, -4_200, 1e-5)]
    ['0', '0.5', '12.3', '999', '12.3k', '2.5M', '3.2G', '-4.2k', '1e-05']
    >>> human(999_999), human(1234.5, 5)
    ('1M', '1.2345k')
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    size = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if float(f"{size:.{digits}g}") >= limit:
            return f"{value / limit:.{digits}g}{suffix}"
    if size < 1e-4:
        return f"{value:.2g}"
    text = f"{value:.{digits}g}"
    return text if "e" not in text else f"{float(text):f}".rstrip("0").rstrip(".")


def theme_output() -> dict[str, str]:
    """A display bundle holding only :data:`THEME_STYLE`, shown before a report's figures: it
    renders (as nothing) in every front end, whichever renderer shows the report itself."""
    return {"text/html": THEME_STYLE, "text/plain": ""}


AXIS_STYLE: Mapping[str, Any] = {
    "gridcolor": GRID,
    "linecolor": AXIS_LINE,
    "zerolinecolor": AXIS_LINE,
    "tickcolor": AXIS_LINE,
    "automargin": True,
    "title": {"standoff": 12},
}
"""How every axis looks: a faint grid and lines that read on light and dark backgrounds."""


def figure_layout(
    title: str, height: int, *, margin: Mapping[str, int] | None = None, legend: bool = False
) -> dict[str, Any]:
    """The layout every figure starts from: transparent, theme-following text, readable grid,
    axis labels that push the margins rather than overflow, a legend to the right (never over
    the tick labels)."""
    axis = dict(AXIS_STYLE)
    return {
        "template": "none",
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}},
        "height": height,
        "margin": {"l": 60, "r": 24, "t": 56, "b": 50, **(margin or {})},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "font": {"family": FONT_FAMILY, "color": INK, "size": 12},
        "showlegend": legend,
        "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top",
                   "bgcolor": TRANSPARENT},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
    }


def label_room(labels: Iterable[str], width: int = 900) -> tuple[int, int]:
    """``(tick angle, pixels below the axis)`` for category labels across ``width`` pixels:
    level when they fit side by side, else slanted, with room for the longest one."""
    items = list(labels)
    longest = max((len(s) for s in items), default=1)
    if (longest + 2) * 7 * len(items) <= width:
        return 0, 24
    return -40, int(min(longest, 40) * 7 * 0.64) + 18


def badge(text: str, colour: str) -> str:
    """A coloured pill."""
    return (
        f'<span style="background:{colour};color:#fff;border-radius:3px;padding:1px 6px;'
        f'font-weight:600;font-size:90%">{escape(text)}</span>'
    )


def findings_table(findings: Iterable[Finding]) -> str:
    """A table of findings (at most :data:`MAX_ROWS` rows, then a count of the rest), each with
    its rule's title, and below it what each rule means and how to fix it (once per rule)."""
    from ..rules import find

    rows = []
    items = list(findings)
    described: dict[str, Rule] = {}
    for f in items[:MAX_ROWS]:
        where = location_html(f.location)
        evidence = f"<br><code>{escape(f.evidence)}</code>" if f.evidence else ""
        known = find(f.code)
        title = ""
        if known is not None:
            described.setdefault(f.code, known)
            title = f'<br><span style="{MUTED}">{escape(known.title)}</span>'
        rows.append(
            "<tr>"
            f"<td>{badge(f.severity, SEVERITY_COLOURS[f.severity])}</td>"
            f"<td>{code(f.code)}{title}</td>"
            f"<td>{escape(f.message)}{evidence}</td>"
            f"<td>{where}</td>"
            "</tr>"
        )
    if len(items) > MAX_ROWS:
        rows.append(f'<tr><td colspan="4">… and {len(items) - MAX_ROWS} more findings</td></tr>')
    if not rows:
        return "<p>No findings.</p>"
    head = "<tr><th>severity</th><th>rule</th><th>finding</th><th>where</th></tr>"
    table = f'<table class="aisec-findings">{head}{"".join(rows)}</table>'
    return table + rules_legend(described)


def rules_legend(described: Mapping[str, Rule]) -> str:
    """What each rule means, how to fix what it found and the guideline it serves, folded.

    >>> from aisec_nb.rules import rule
    >>> html = rules_legend({"AISEC-DATA-Q07": rule("AISEC-DATA-Q07")})
    >>> html.startswith("<details") and "<b>Fix:</b> Drop exact duplicates" in html
    True
    """
    if not described:
        return ""
    entries = "".join(
        f"<dt>{code(rule_code)} {escape(r.title)}</dt>"
        f'<dd style="margin:0 0 0.4em 1.5em">{escape(r.why)}<br><b>Fix:</b> {escape(r.fix)}'
        f'<br><span style="{MUTED}">Guideline: {escape(r.guideline_ref)}</span></dd>'
        for rule_code, r in described.items()
    )
    return (
        f'<details class="aisec-rules"><summary>What the rules mean and how to fix them '
        f'({len(described)})</summary><dl style="margin:0.3em 0">{entries}</dl></details>'
    )


def check_result_html(result: CheckResult, extra: str = "") -> str:
    """A report for any check result: verdict, target, findings, ``extra`` HTML, the footer."""
    t = result.target
    facts = [f"<b>{escape(result.kind)} check</b> {code(result.id)}"]
    if t.path is not None:
        facts.append(nowrap(f"file {code(t.path)}"))
    if t.size is not None:
        facts.append(nowrap(f"{t.size:,} bytes"))
    if t.shape is not None:
        facts.append(nowrap("shape " + " × ".join(f"{n:,}" for n in t.shape)))
    if t.sha256 is not None:
        facts.append(nowrap(f"sha256 {code(t.sha256)}"))
    head = f"{badge(result.verdict.upper(), VERDICT_COLOURS[result.verdict])} " + " · ".join(facts)
    end = footer(result.tool.version, result.duration_s, result.recorded_at, result.tool.name)
    return report(head, findings_table(result.findings) + extra, end)


def report(head: str, body: str, end: str) -> str:
    """The frame of every report: the headline, the body, the footer (and the theme sheet)."""
    return f'<div class="aisec-report">{THEME_STYLE}<p>{head}</p>{body}{end}</div>'
