"""``%aisec check data DF``: check a DataFrame of the notebook and record the result.

The report is one aisec MIME bundle (HTML tables, the record fragment) followed by a few small
plotly figures sent as ``application/vnd.plotly.v1+json``, which JupyterLab, Notebook 7 and
VS Code render with the plotly.js they already ship: no JavaScript travels with a report, and
the figures are built from the result's aggregates (counts per column and bin), never from rows.
"""

from __future__ import annotations

import argparse
import itertools
import json
from typing import TYPE_CHECKING, Any

from ..cli.data_options import add_check_options
from ..errors import UsageError

if TYPE_CHECKING:
    from ..record import DataCheck, DataSummary

HELP = (
    "check a DataFrame: content hash, quality, poisoning signs, leakage, personal data and "
    "secrets (thresholds from [tool.aisec-nb.data])"
)
PLOTLY_MIME = "application/vnd.plotly.v1+json"
MAX_BARS = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("frame", metavar="DF", help="name of a pandas DataFrame in the notebook")
    parser.add_argument("--source", metavar="PATH", help="file DF was read from (hashed)")
    add_check_options(parser, noun="frame", metavar="DF")


COMMAND = "%aisec check data"


def lookup_frame(namespace: dict[str, Any], name: str, option: str) -> Any:
    """The DataFrame called ``name`` in the user's namespace, or a UsageError that names the
    command, what the user typed and the argument it was typed for (``DF``, ``--test``)."""
    import pandas as pd

    if name not in namespace:
        raise UsageError(f"{COMMAND}: no variable {name!r} in the notebook ({option})")
    value = namespace[name]
    if not isinstance(value, pd.DataFrame):
        raise UsageError(
            f"{COMMAND}: {name!r} is a {type(value).__name__}, not a pandas DataFrame ({option})"
        )
    return value


BAR_COLOUR = "#0969da"
FEW_BARS = 8


def _bar(
    x: list[str], y: list[float], title: str, xtitle: str, ytitle: str, *, share: bool = False
) -> dict[str, Any]:
    """One bar chart: category x axis (labels stay labels, even ``0`` and ``1``), titled axes,
    as tall as its labels need."""
    from .html import figure_layout, label_room

    labels = [str(v) for v in x]
    angle, room = label_room(labels)
    layout = figure_layout(title, 250 + room, margin={"b": 40 + room})
    layout["xaxis"].update(type="category", tickangle=angle, title={"text": xtitle, "standoff": 6})
    layout["yaxis"].update(title={"text": ytitle, "standoff": 6}, rangemode="tozero")
    if share:
        layout["yaxis"]["tickformat"] = ".1%"
    if len(labels) < FEW_BARS:  # a bar or two must not fill the whole width
        pad = (FEW_BARS - len(labels)) / 4
        layout["xaxis"]["range"] = [-0.5 - pad, len(labels) - 0.5 + pad]
    hover = "%{x}: %{y:.2%}" if share else "%{x}: %{y:,} rows"
    return {
        "data": [{"type": "bar", "x": labels, "y": y, "marker": {"color": BAR_COLOUR},
                  "hovertemplate": hover + "<extra></extra>"}],
        "layout": layout,
    }


def distinct_labels(values: list[float]) -> list[str]:
    """Readable numbers (``12.3k``), with more digits only where two would read the same.

    >>> distinct_labels([12_310.0, 12_340.0, 15_000.0])
    ['12.31k', '12.34k', '15k']
    """
    from .html import human

    for digits in (3, 4, 5, 6):
        labels = [human(v, digits) for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return [f"{v:,.6g}" for v in values]


def report_figures(summary: DataSummary) -> list[dict[str, Any]]:
    """Plotly figure JSON built from a data check's summary (aggregates only)."""
    figures = []
    rows = max(1, summary.rows or 0)
    missing = [c for c in summary.schema_ if c.missing][:MAX_BARS]
    if missing:
        figures.append(
            _bar(
                [c.name for c in missing],
                [round(c.missing / rows, 6) for c in missing],
                "Missing values per column",
                "column",
                "share of rows missing",
                share=True,
            )
        )
    for column, hist in list(summary.histograms.items())[:4]:
        centres = distinct_labels([(a + b) / 2 for a, b in itertools.pairwise(hist.edges)])
        outliers = hist.below + hist.above
        fig = _bar(
            centres,
            list(hist.counts),
            f"{column}: distribution without its {outliers:,} outlier"
            f"{'' if outliers == 1 else 's'} ({hist.below:,} below, {hist.above:,} above the "
            "fence)",
            f"{column} (bin centre)",
            "rows",
        )
        figures.append(fig)
    label = summary.label
    if label:
        figures.append(
            _bar(
                [str(c) for c in label.classes[:MAX_BARS]],
                list(label.counts[:MAX_BARS]),
                f"Label {label.column!r}: rows per class",
                f"{label.column} ({'bin' if label.binned else 'class'})",
                "rows",
            )
        )
    return figures


def report_html(result: DataCheck) -> str:
    """The HTML of a data check: verdict, findings, then the schema with hashes."""
    from ..transport import escape
    from .html import check_result_html, code

    summary: DataSummary = result.summary
    rows = []
    for c in summary.schema_:
        pii = summary.pii.get(c.name, {})
        flags = ", ".join(f"{k} ×{v:,}" for k, v in pii.items())
        rows.append(
            f"<tr><td>{code(c.name)}</td><td>{escape(c.dtype)}</td>"
            f"<td>{c.missing:,}</td><td>{c.distinct:,}</td><td>{escape(flags)}</td></tr>"
        )
    table = (
        '<details><summary>Columns</summary><table class="aisec-schema"><tr><th>column</th>'
        "<th>dtype</th><th>missing</th><th>distinct</th><th>personal data / secrets</th></tr>"
        + "".join(rows)
        + "</table></details>"
    )
    hashes = (
        f"<p style='font-size:85%'>content hash {code(result.target.content_hash)}"
        f" · ignoring row order {code(summary.content_hash_unordered or '')}"
        "</p>"
    )
    return check_result_html(result, hashes + table)


def run(args: argparse.Namespace, shell: Any) -> None:
    from IPython.display import display

    from ..data import check_dataframe
    from ..data.thresholds import parse_overrides
    from ..settings import load_settings
    from ..transport import check_fragment, plain_summary
    from .html import theme_output
    from .session import publish

    namespace = shell.user_ns
    frame = lookup_frame(namespace, args.frame, "DF")
    test = lookup_frame(namespace, args.test, "--test") if args.test else None
    reference = lookup_frame(namespace, args.reference, "--reference") if args.reference else None
    result = check_dataframe(
        frame,
        label=args.label,
        test=test,
        reference=reference,
        source=args.source,
        role=args.role,
        policy=parse_overrides(args.set),
        name=args.frame,
        thresholds=load_settings().data,
    )
    publish(check_fragment(result), html_text=report_html(result), plain_text=plain_summary(result))
    figures = report_figures(result.summary)
    if figures:
        display(theme_output(), raw=True)  # type: ignore[no-untyped-call]
    for figure in figures:
        # Each figure is its own output: front ends pick one MIME type per output, and the
        # aisec bundle above must stay the one the record is read from.
        bundle = {PLOTLY_MIME: json.loads(json.dumps(figure)), "text/plain": "<plotly figure>"}
        display(bundle, raw=True)  # type: ignore[no-untyped-call]
