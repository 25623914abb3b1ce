"""``%aisec monitor REF LIVE``: input drift and out-of-distribution rows, recorded in the notebook.

REF is a reference DataFrame, a saved profile (``aisec_nb.build_profile`` result, its dict, or a
``.json`` file) or a ``.csv``/``.parquet`` file; LIVE a DataFrame or a data file. With
``--time-col`` the live rows are also cut into ``--window`` windows (heat map, OOD share over
time). The summary is recorded as ``metadata.aisec.monitors[ID]`` (with the reference profile,
so the linter and the side panel never need the training data); figures are plotly JSON of bin
counts, no plotly.js, so a whole monitor output stays under 200 KB.

    %aisec monitor train_df live_df
    %aisec monitor ref_profile.json logs/today.parquet --time-col ts --window 1h --columns a b
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import UnreadableInputError, UsageError

HELP = "compare live data with a reference: drift per column, OOD rows, plots; records a monitor"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
MAX_OUTPUT_BYTES = 200_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="REF", help="reference DataFrame/profile variable or file")
    parser.add_argument("live", metavar="LIVE", help="live DataFrame variable or data file")
    parser.add_argument("--time-col", help="a date/time column of LIVE: also score time windows")
    parser.add_argument(
        "--window",
        default=None,
        help="window length for --time-col, a pandas offset like 1D, 6h (1D)",
    )
    parser.add_argument("--columns", nargs="+", help="only these columns (spaces or commas)")
    parser.add_argument("--id", dest="monitor_id", help="record id (default monitor:REF:LIVE)")
    parser.add_argument(
        "--method",
        choices=("psi", "ks", "js", "wasserstein", "chi2"),
        help="statistic that decides drift for ordinal columns",
    )
    parser.add_argument("--threshold", type=float, help="effect-size threshold for --method")
    parser.add_argument("--alpha", type=float, help="corrected p-value gate (default 0.01)")


def _read_file(text: str, what: str) -> Any:
    import pandas as pd

    path = Path(text)
    if not path.is_file():
        raise UsageError(f"{what} {text!r} is neither a variable in this notebook nor a file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except (OSError, ValueError, ImportError) as exc:
        raise UnreadableInputError(text, f"cannot read it: {exc}") from None
    raise UnreadableInputError(text, "unsupported file type; use .csv, .parquet or .json")


def resolve(name: str, shell: Any, what: str) -> Any:
    """A notebook variable called ``name``, else the file at ``name``."""
    namespace = getattr(shell, "user_ns", {}) or {}
    if name.isidentifier() and name in namespace:
        return namespace[name]
    return _read_file(name, what)


def _columns(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [c for v in values for c in v.split(",") if c]


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.method:
        out["method"] = args.method
        if args.method not in ("ks", "wasserstein"):
            out["categorical_method"] = args.method
    if args.threshold is not None:
        if not args.method:
            raise UsageError("--threshold needs --method (thresholds differ per statistic)")
        out["thresholds"] = {args.method: args.threshold}
    if args.alpha is not None:
        out["alpha"] = args.alpha
    return out


def summary_html(report: Any, payload: dict[str, Any]) -> str:
    """Verdict, numbers and findings as a small HTML table."""
    from ..transport import escape
    from .html import VERDICT_COLOURS, badge, findings_table

    ood = report.ood
    facts = [
        f"<b>monitor</b> <code>{escape(payload['id'])}</code>",
        f"reference {report.reference.rows:,} rows · live {report.live.rows:,} rows",
        f"{len(report.drifted)} of {len(report.columns)} columns drifted",
    ]
    if ood is not None:
        facts.append(f"{ood.share:.2%} out-of-distribution rows")
    head = badge(report.verdict.upper(), VERDICT_COLOURS[report.verdict]) + " " + " · ".join(facts)
    return (
        f'<div class="aisec-report"><p>{head}</p>{findings_table(report.findings)}'
        f'<div style="color:#57606a;font-size:85%">recorded at '
        f"{escape(payload['recorded_at'])}</div></div>"
    )


def summary_text(report: Any, payload: dict[str, Any]) -> str:
    lines = [
        f"aisec monitor {payload['id']}: {report.verdict.upper()} — "
        f"{len(report.drifted)} of {len(report.columns)} columns drifted"
    ]
    for f in report.findings[:20]:
        where = f" [{f.location.describe()}]" if f.location is not None else ""
        lines.append(f"  {f.severity:<8} {f.code} {f.message}{where}")
    return "\n".join(lines)


def render_outputs(
    report: Any, windowed: Any, monitor_id: str, extra: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The display data of every output: the aisec bundle first, then one per figure."""
    from .._version import __version__
    from ..record import utc_now
    from ..transport import MIME_TYPE, make_fragment
    from .monitor_figures import figure_json, report_figures

    payload: dict[str, Any] = windowed.to_payload() if windowed is not None else report.to_payload()
    payload.update(
        {
            "id": monitor_id,
            "kind": "batch",
            "recorded_at": utc_now().isoformat(),
            "tool": {"name": "aisec-nb", "version": __version__},
            "parameters": report.config.to_dict(),
            "reference": {
                "rows": report.reference.rows,
                "digest": report.reference.digest(),
                "profile": report.reference.to_dict(),
            },
            **(extra or {}),
        }
    )
    fragment = make_fragment("monitor", monitor_id, payload)
    outputs = [
        {
            "text/plain": summary_text(report, payload),
            "text/html": summary_html(report, payload),
            MIME_TYPE: fragment,
        }
    ]
    for fig in report_figures(report, windowed):
        title = fig.layout.title.text or "figure"
        outputs.append({PLOTLY_MIME: figure_json(fig), "text/plain": f"<plotly figure: {title}>"})
    return outputs


def output_bytes(outputs: list[dict[str, Any]]) -> int:
    """Size of the outputs as a notebook stores them (JSON)."""
    return sum(len(json.dumps(o, ensure_ascii=False).encode()) for o in outputs)


def run(args: argparse.Namespace, shell: Any) -> None:
    from IPython.display import display

    from ..drift.compare import compare_to_profile, resolve_reference
    from ..drift.profile import Profile
    from ..drift.windows import compare_windows
    from ..settings import load_settings
    from .session import publish

    columns = _columns(args.columns)
    if args.window and not args.time_col:
        raise UsageError("--window needs --time-col")
    ref_obj = resolve(args.ref, shell, "REF")
    live = resolve(args.live, shell, "LIVE")
    config = load_settings().drift
    if isinstance(ref_obj, (Profile, dict)):
        reference = resolve_reference(ref_obj)
    else:
        from ..drift.counting import frame_columns
        from ..drift.profile import build_profile

        names = columns or [
            c for c in frame_columns(ref_obj, None, f"REF {args.ref}") if c != args.time_col
        ]
        reference = build_profile(ref_obj, columns=names, config=config)
    settings = _settings(args)
    if args.time_col:
        windowed = compare_windows(
            reference, live, args.time_col, args.window or "1D", columns=columns, config=config,
            **settings,
        )
        report = windowed.report
    else:
        windowed = None
        report = compare_to_profile(reference, live, columns=columns, config=config, **settings)
    monitor_id = args.monitor_id or f"monitor:{args.ref}:{args.live}"
    extra = {"live": {"name": args.live, "rows": report.live.rows}}
    outputs = render_outputs(report, windowed, monitor_id, extra)
    size = output_bytes(outputs)
    if size > MAX_OUTPUT_BYTES:  # keep the record and the summary; drop figures that do not fit
        while len(outputs) > 1 and output_bytes(outputs) > MAX_OUTPUT_BYTES:
            outputs.pop()
    first = outputs[0]
    from ..transport import MIME_TYPE

    publish(first[MIME_TYPE], html_text=first["text/html"], plain_text=first["text/plain"])
    for data in outputs[1:]:
        display(data, raw=True)  # type: ignore[no-untyped-call]
