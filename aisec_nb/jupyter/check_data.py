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


def lookup_frame(namespace: dict[str, Any], name: str, option: str) -> Any:
    """The DataFrame called ``name`` in the user's namespace, or a UsageError saying why not."""
    import pandas as pd

    if name not in namespace:
        raise UsageError(f"{option}: no variable {name!r} in the notebook")
    value = namespace[name]
    if not isinstance(value, pd.DataFrame):
        raise UsageError(f"{option}: {name!r} is a {type(value).__name__}, not a pandas DataFrame")
    return value


def _bar(x: list[str], y: list[float], title: str, ytitle: str) -> dict[str, Any]:
    return {
        "data": [{"type": "bar", "x": x, "y": y, "marker": {"color": "#0969da"}}],
        "layout": {
            "title": {"text": title, "font": {"size": 13}},
            "height": 260,
            "margin": {"l": 50, "r": 10, "t": 36, "b": 70},
            "yaxis": {"title": {"text": ytitle}},
        },
    }


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
                "Missing values per column (share of rows)",
                "share missing",
            )
        )
    for column, hist in list(summary.histograms.items())[:4]:
        centres = [f"{(a + b) / 2:.4g}" for a, b in itertools.pairwise(hist.edges)]
        fig = _bar(
            centres,
            list(hist.counts),
            f"{column}: distribution without its {hist.below + hist.above} outliers "
            f"({hist.below} below, {hist.above} above the fence)",
            "rows",
        )
        figures.append(fig)
    label = summary.label
    if label:
        figures.append(
            _bar(
                list(label.classes[:MAX_BARS]),
                list(label.counts[:MAX_BARS]),
                f"Label {label.column!r}: rows per class",
                "rows",
            )
        )
    return figures


def report_html(result: DataCheck) -> str:
    """The HTML of a data check: verdict, findings, then the schema with hashes."""
    from ..transport import escape
    from .html import check_result_html

    summary: DataSummary = result.summary
    rows = []
    for c in summary.schema_:
        pii = summary.pii.get(c.name, {})
        flags = ", ".join(f"{k} ×{v:,}" for k, v in pii.items())
        rows.append(
            f"<tr><td><code>{escape(c.name)}</code></td><td>{escape(c.dtype)}</td>"
            f"<td>{c.missing:,}</td><td>{c.distinct:,}</td><td>{escape(flags)}</td></tr>"
        )
    table = (
        '<details><summary>Columns</summary><table class="aisec-schema"><tr><th>column</th>'
        "<th>dtype</th><th>missing</th><th>distinct</th><th>personal data / secrets</th></tr>"
        + "".join(rows)
        + "</table></details>"
    )
    hashes = (
        f"<p style='font-size:85%'>content hash <code>{escape(result.target.content_hash)}</code>"
        f" · ignoring row order <code>{escape(summary.content_hash_unordered or '')}</code>"
        "</p>"
    )
    return check_result_html(result, hashes + table)


def run(args: argparse.Namespace, shell: Any) -> None:
    from IPython.display import display

    from ..data import check_dataframe
    from ..data.thresholds import parse_overrides
    from ..settings import load_settings
    from ..transport import check_fragment, plain_summary
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
    for figure in report_figures(result.summary):
        # Each figure is its own output: front ends pick one MIME type per output, and the
        # aisec bundle above must stay the one the record is read from.
        bundle = {PLOTLY_MIME: json.loads(json.dumps(figure)), "text/plain": "<plotly figure>"}
        display(bundle, raw=True)  # type: ignore[no-untyped-call]
