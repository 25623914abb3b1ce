"""HTML for check results: small, self-contained, escaped, readable in light and dark themes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..record import CheckResult, Finding
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


def align_cells(html_text: str) -> str:
    """Left-align plain table cells: JupyterLab right-aligns them, which breaks sentences apart.

    >>> align_cells("<tr><th>a</th><td>b</td></tr>")
    '<tr><th style="text-align:left;vertical-align:top">a</th><td style="text-align:left;vertical-align:top">b</td></tr>'
    """  # noqa: E501
    return html_text.replace("<td>", f'<td style="{CELL_STYLE}">').replace(
        "<th>", f'<th style="{CELL_STYLE}">'
    )


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
        where = f.location.describe() if f.location is not None else ""
        evidence = f"<br><code>{escape(f.evidence)}</code>" if f.evidence else ""
        known = find(f.code)
        title = ""
        if known is not None:
            described.setdefault(f.code, known)
            title = f'<br><span style="{MUTED}">{escape(known.title)}</span>'
        rows.append(
            "<tr>"
            f"<td>{badge(f.severity, SEVERITY_COLOURS[f.severity])}</td>"
            f"<td><code>{escape(f.code)}</code>{title}</td>"
            f"<td>{escape(f.message)}{evidence}</td>"
            f"<td>{escape(where)}</td>"
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
        f"<dt><code>{escape(code)}</code> {escape(r.title)}</dt>"
        f'<dd style="margin:0 0 0.4em 1.5em">{escape(r.why)}<br><b>Fix:</b> {escape(r.fix)}'
        f'<br><span style="{MUTED}">Guideline: {escape(r.guideline_ref)}</span></dd>'
        for code, r in described.items()
    )
    return (
        f'<details class="aisec-rules"><summary>What the rules mean and how to fix them '
        f'({len(described)})</summary><dl style="margin:0.3em 0">{entries}</dl></details>'
    )


def check_result_html(result: CheckResult, extra: str = "") -> str:
    """A report for any check result: verdict, target, findings, and ``extra`` HTML."""
    t = result.target
    facts = [f"<b>{escape(result.kind)} check</b> <code>{escape(result.id)}</code>"]
    if t.path is not None:
        facts.append(f"file <code>{escape(t.path)}</code>")
    if t.size is not None:
        facts.append(f"{t.size:,} bytes")
    if t.shape is not None:
        facts.append("shape " + " × ".join(str(n) for n in t.shape))
    if t.sha256 is not None:
        facts.append(f"sha256 <code>{escape(t.sha256)}</code>")
    header = f"{badge(result.verdict.upper(), VERDICT_COLOURS[result.verdict])} " + " · ".join(
        facts
    )
    footer = (
        f'<div style="color:#57606a;font-size:85%">{escape(result.tool.name)} '
        f"{escape(result.tool.version)} · {result.duration_s:.3f} s · "
        f"{escape(result.recorded_at.isoformat(timespec='seconds'))}</div>"
    )
    table = findings_table(result.findings)
    return f'<div class="aisec-report"><p>{header}</p>{table}{extra}{footer}</div>'
