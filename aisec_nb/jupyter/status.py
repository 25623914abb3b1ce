"""``%aisec status``: what the notebook and this kernel have recorded so far, checks and
monitors, each with its verdict; the count line counts the rows listed.

The notebook's record comes from the front end extension (evidence recorded before a kernel
restart or on an earlier day, even unsaved) or, without it, from the saved file; the output
says which.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

HELP = "show what is recorded so far: in the notebook (saved or not) and in this kernel"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clear", action="store_true", help="forget what was recorded")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def entries(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(verdict, kind, id)`` of every check, then every monitor, as listed.

    >>> entries({"checks": {"data:df": {"kind": "data", "verdict": "warn"}},
    ...          "monitors": {"m": {"verdict": "fail", "kind": "batch"}}})
    [('warn', 'data', 'data:df'), ('fail', 'monitor', 'm')]
    """
    rows = [
        (str(check.get("verdict") or "error"), str(check.get("kind") or "check"), cid)
        for cid, check in sorted(record.get("checks", {}).items())
    ]
    rows += [
        (str(monitor.get("verdict") or "pass"), "monitor", mid)
        for mid, monitor in sorted(record.get("monitors", {}).items())
    ]
    return rows


def count_line(record: dict[str, Any]) -> str:
    """``aisec: 4 checks and 1 monitor recorded``: what the rows below list.

    >>> count_line({"checks": {"a": {}}, "monitors": {}})
    'aisec: 1 check and 0 monitors recorded'
    """
    checks, monitors = len(record.get("checks", {})), len(record.get("monitors", {}))
    return f"aisec: {_plural(checks, 'check')} and {_plural(monitors, 'monitor')} recorded"


def status_text(record: dict[str, Any]) -> str:
    """Plain-text summary of a record."""
    rows = entries(record)
    if not rows:
        return "aisec: nothing recorded in this kernel yet"
    lines = [count_line(record)]
    lines += [f"  {verdict:<5} {kind:<8} {rid}" for verdict, kind, rid in rows]
    return "\n".join(lines)


def status_html(record: dict[str, Any], note: str = "", seconds: float = 0.0) -> str:
    """HTML summary of a record: the count line, a row per check and monitor, ``note`` (where
    the notebook's record came from), and the footer every report has."""
    from .._version import __version__
    from ..record import utc_now
    from ..transport import escape
    from .html import MUTED, VERDICT_COLOURS, align_cells, badge, code, footer, report

    rows = entries(record)
    said = f'<p style="{MUTED}">{escape(note)}</p>' if note else ""
    if not rows:
        return f"<p>aisec: nothing recorded in this kernel yet.</p>{said}"
    body = "".join(
        f"<tr><td>{badge(verdict.upper(), VERDICT_COLOURS.get(verdict, '#57606a'))}</td>"
        f"<td>{escape(kind)}</td><td>{code(rid)}</td></tr>"
        for verdict, kind, rid in rows
    )
    table = f"<table><tr><th>verdict</th><th>kind</th><th>id</th></tr>{body}</table>"
    return align_cells(report(escape(count_line(record)), table + said,
                              footer(__version__, seconds, utc_now())))


def run(args: argparse.Namespace, shell: Any) -> None:
    from IPython.display import display

    from .frontend import notebook_record
    from .session import forget, recorded

    started = time.perf_counter()
    if args.clear:
        forget()
        record = recorded()
        note = "this kernel's results were forgotten; the notebook's record is kept"
    else:
        view = notebook_record(shell)
        record = recorded(view.record)
        note = view.note if view.source == "none" else f"{view.note}; with this kernel's results"
    html_text = status_html(record, note, time.perf_counter() - started)
    display({"text/plain": status_text(record) + f"\n({note})",  # type: ignore[no-untyped-call]
             "text/html": html_text}, raw=True)
