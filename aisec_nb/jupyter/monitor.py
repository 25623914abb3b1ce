"""``%aisec monitor REF LIVE``: input drift and out-of-distribution rows, recorded in the notebook.

REF is a reference DataFrame, a saved profile (``aisec_nb.build_profile`` result, its dict, or a
``.json`` file) or a ``.csv``/``.parquet`` file; LIVE a DataFrame or a data file. The live
period is compared as a whole and in consecutive chunks (``--chunks``, default 10): in row order,
in time order with ``--time-col``, or one per time window with ``--time-col`` and ``--window``;
the figures show each column's score per chunk against its threshold. The summary is recorded
as ``metadata.aisec.monitors[ID]`` (with the reference profile, so the linter and the side panel
never need the training data); figures are plotly JSON of bin counts, no plotly.js, so a whole
monitor output stays under 200 KB.

    %aisec monitor train_df live_df
    %aisec monitor train_df live_df --time-col ts --chunks 24
    %aisec monitor ref_profile.json logs/today.parquet --time-col ts --window 1h --columns a b
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from ..errors import UnreadableInputError, UsageError

HELP = "compare live data with a reference: drift per column, OOD rows, plots; records a monitor"
COMMAND = "%aisec monitor"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
MAX_OUTPUT_BYTES = 200_000
# How the core names a setting, and how the user typed it on the magic's line.
TYPED = {
    "window": "--window",
    "time_col": "--time-col",
    "chunks": "--chunks",
    "chunk_rows": "--chunk-rows",
    "alpha": "--alpha",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="REF", help="reference DataFrame/profile variable or file")
    parser.add_argument("live", metavar="LIVE", help="live DataFrame variable or data file")
    parser.add_argument(
        "--time-col",
        help="a date/time column of LIVE: chunks in time order (or time windows with --window)",
    )
    parser.add_argument(
        "--window",
        default=None,
        help="with --time-col: one chunk per time window of this length, a pandas offset "
        "like 1D or 6h",
    )
    parser.add_argument(
        "--chunks",
        type=int,
        help="compare the live period also in this many consecutive chunks (default 10; 0: "
        "the whole period only)",
    )
    parser.add_argument("--chunk-rows", type=int, help="chunks of about this many rows instead")
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
        raise UsageError(
            f"{COMMAND}: {text!r} is neither a variable in this notebook nor a file ({what})"
        )
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


def as_typed(exc: UsageError) -> UsageError:
    """A core error reworded for the magic's line: the command first, settings as options.

    >>> str(as_typed(UsageError("window: '1X' is not a fixed window")))
    "%aisec monitor: --window: '1X' is not a fixed window"
    >>> str(as_typed(UsageError("drift settings: chunks must be 0 or more, not -2")))
    '%aisec monitor: --chunks must be 0 or more, not -2'
    """
    text = str(exc)
    text = re.sub(r"^drift settings: ", "", text)
    text = re.sub(r"^(\w+)\b", lambda m: TYPED.get(m.group(1), m.group(1)), text)
    return UsageError(f"{COMMAND}: {text}")


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
            raise UsageError(
                f"{COMMAND}: --threshold needs --method (thresholds differ per statistic)"
            )
        out["thresholds"] = {args.method: args.threshold}
    if args.alpha is not None:
        out["alpha"] = args.alpha
    if args.chunks is not None:
        out["chunks"] = args.chunks
    if args.chunk_rows is not None:
        out["chunk_rows"] = args.chunk_rows
    return out


def _headline_chunks(report: Any) -> str:
    chunked = report.chunks
    if chunked is None:
        return ""
    partial = [c for c in chunked.drifted if not report.column(c).drift]
    how = {"rows": "by row order", "time": "in time order", "window": "by time window"}
    noun = chunked.noun
    text = f"{len(chunked.chunks)} {noun}s compared {how[chunked.by]}"
    if partial:
        text += f": {len(partial)} more drifted in some {noun}s"
    return text


def summary_html(report: Any, payload: dict[str, Any], duration_s: float = 0.0) -> str:
    """Verdict, numbers, findings and the footer, as small HTML."""
    from ..transport import escape
    from .html import VERDICT_COLOURS, badge, code, findings_table, footer
    from .html import report as frame

    ood = report.ood
    facts = [
        f"<b>monitor</b> {code(payload['id'])}",
        f"reference {report.reference.rows:,} rows · live {report.live.rows:,} rows",
        f"{len(report.drifted)} of {len(report.columns)} columns drifted over the whole period",
    ]
    chunks = _headline_chunks(report)
    if chunks:
        facts.append(escape(chunks))
    if ood is not None:
        facts.append(f"{ood.share:.2%} out-of-distribution rows")
    head = badge(report.verdict.upper(), VERDICT_COLOURS[report.verdict]) + " " + " · ".join(facts)
    tool = payload.get("tool", {})
    end = footer(str(tool.get("version", "")), duration_s, payload["recorded_at"],
                 str(tool.get("name", "aisec-nb")))
    return frame(head, findings_table(report.findings), end)


def summary_text(report: Any, payload: dict[str, Any]) -> str:
    lines = [
        f"aisec monitor {payload['id']}: {report.verdict.upper()} — "
        f"{len(report.drifted)} of {len(report.columns)} columns drifted over the whole period"
    ]
    chunks = _headline_chunks(report)
    if chunks:
        lines[0] += f"; {chunks}"
    for f in report.findings[:20]:
        where = f" [{f.location.describe()}]" if f.location is not None else ""
        lines.append(f"  {f.severity:<8} {f.code} {f.message}{where}")
    return "\n".join(lines)


def render_outputs(
    report: Any,
    windowed: Any,
    monitor_id: str,
    extra: dict[str, Any] | None = None,
    duration_s: float = 0.0,
) -> list[dict[str, Any]]:
    """The display data of every output: the aisec bundle first, then (with figures) the
    theme sheet, then one per figure."""
    from .._version import __version__
    from ..record import utc_now
    from ..transport import MIME_TYPE, make_fragment
    from .html import theme_output
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
    outputs: list[dict[str, Any]] = [
        {
            "text/plain": summary_text(report, payload),
            "text/html": summary_html(report, payload, duration_s),
            MIME_TYPE: fragment,
        }
    ]
    figures = report_figures(report, windowed)
    if figures:
        outputs.append(dict(theme_output()))
    for fig in figures:
        title = fig.layout.title.text or "figure"
        outputs.append({PLOTLY_MIME: figure_json(fig), "text/plain": f"<plotly figure: {title}>"})
    return outputs


def output_bytes(outputs: list[dict[str, Any]]) -> int:
    """Size of the outputs as a notebook stores them (JSON)."""
    return sum(len(json.dumps(o, ensure_ascii=False).encode()) for o in outputs)


def _frame(value: Any, typed: str, what: str, profiles: bool) -> None:
    import pandas as pd

    from ..drift.profile import Profile

    kinds: tuple[type, ...] = (pd.DataFrame, Profile, dict) if profiles else (pd.DataFrame,)
    if not isinstance(value, kinds):
        wanted = "a DataFrame, a profile or a data file" if profiles else "a DataFrame or a file"
        raise UsageError(
            f"{COMMAND}: {typed!r} is a {type(value).__name__}, not {wanted} ({what})"
        )


def run(args: argparse.Namespace, shell: Any) -> None:
    import time

    from IPython.display import display

    from ..drift.compare import compare_to_profile, resolve_reference
    from ..drift.profile import Profile
    from ..drift.windows import compare_windows
    from ..settings import load_settings
    from .session import publish

    started = time.perf_counter()
    columns = _columns(args.columns)
    if args.window and not args.time_col:
        raise UsageError(f"{COMMAND}: --window needs --time-col")
    ref_obj = resolve(args.ref, shell, "REF")
    live = resolve(args.live, shell, "LIVE")
    _frame(ref_obj, args.ref, "REF", profiles=True)
    _frame(live, args.live, "LIVE", profiles=False)
    if args.time_col and args.time_col not in [str(c) for c in live.columns]:
        raise UsageError(
            f"{COMMAND}: {args.live!r} has no column {args.time_col!r} (--time-col); it has: "
            + ", ".join(str(c) for c in live.columns[:20])
        )
    config = load_settings().drift
    try:
        if isinstance(ref_obj, (Profile, dict)):
            reference = resolve_reference(ref_obj)
        else:
            from ..drift.profile import build_profile

            names = columns or [str(c) for c in ref_obj.columns if str(c) != args.time_col]
            reference = build_profile(ref_obj, columns=names, config=config)
        settings = _settings(args)
        if args.time_col and args.window:
            windowed = compare_windows(
                reference, live, args.time_col, args.window, columns=columns, config=config,
                **settings,
            )
            report = windowed.report
        else:
            windowed = None
            report = compare_to_profile(
                reference, live, columns=columns, time_col=args.time_col, config=config,
                **settings,
            )
    except UsageError as exc:
        raise as_typed(exc) from None
    monitor_id = args.monitor_id or f"monitor:{args.ref}:{args.live}"
    extra = {"live": {"name": args.live, "rows": report.live.rows}}
    outputs = render_outputs(report, windowed, monitor_id, extra, time.perf_counter() - started)
    size = output_bytes(outputs)
    if size > MAX_OUTPUT_BYTES:  # keep the record and the summary; drop figures that do not fit
        while len(outputs) > 1 and output_bytes(outputs) > MAX_OUTPUT_BYTES:
            outputs.pop()
    first = outputs[0]
    from ..transport import MIME_TYPE

    publish(first[MIME_TYPE], html_text=first["text/html"], plain_text=first["text/plain"])
    for data in outputs[1:]:
        display(data, raw=True)  # type: ignore[no-untyped-call]
