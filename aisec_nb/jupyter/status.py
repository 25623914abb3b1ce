"""``%aisec status``: what the notebook and this kernel have recorded so far.

The notebook's record comes from the front end extension (evidence recorded before a kernel
restart or on an earlier day, even unsaved) or, without it, from the saved file; the output
says which.
"""

from __future__ import annotations

import argparse
from typing import Any

HELP = "show what is recorded so far: in the notebook (saved or not) and in this kernel"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clear", action="store_true", help="forget what was recorded")


def status_text(record: dict[str, Any]) -> str:
    """Plain-text summary of a record."""
    checks = record.get("checks", {})
    if not checks and not record.get("monitors"):
        return "aisec: nothing recorded in this kernel yet"
    lines = [f"aisec: {len(checks)} check(s) recorded"]
    for cid, check in sorted(checks.items()):
        lines.append(f"  {check.get('verdict', '?'):<5} {cid}")
    for mid in sorted(record.get("monitors", {})):
        lines.append(f"  monitor {mid}")
    return "\n".join(lines)


def status_html(record: dict[str, Any]) -> str:
    """HTML summary of a record."""
    from ..transport import escape
    from .html import VERDICT_COLOURS, align_cells, badge

    checks = record.get("checks", {})
    if not checks and not record.get("monitors"):
        return "<p>aisec: nothing recorded in this kernel yet.</p>"
    rows = []
    for cid, check in sorted(checks.items()):
        verdict = str(check.get("verdict", "error"))
        colour = VERDICT_COLOURS.get(verdict, "#57606a")
        rows.append(
            f"<tr><td>{badge(verdict.upper(), colour)}</td><td>{escape(check.get('kind', ''))}</td>"
            f"<td><code>{escape(cid)}</code></td></tr>"
        )
    for mid in sorted(record.get("monitors", {})):
        rows.append(f"<tr><td></td><td>monitor</td><td><code>{escape(mid)}</code></td></tr>")
    head = "<tr><th>verdict</th><th>kind</th><th>id</th></tr>"
    return align_cells(f"<table>{head}{''.join(rows)}</table>")


def run(args: argparse.Namespace, shell: Any) -> None:
    from IPython.display import display

    from ..transport import escape
    from .frontend import notebook_record
    from .session import forget, recorded

    if args.clear:
        forget()
        record = recorded()
        note = "this kernel's results were forgotten; the notebook's record is kept"
    else:
        view = notebook_record(shell)
        record = recorded(view.record)
        note = view.note if view.source == "none" else f"{view.note}; with this kernel's results"
    display({"text/plain": status_text(record) + f"\n({note})",  # type: ignore[no-untyped-call]
             "text/html": status_html(record) + f'<p style="opacity:0.75">{escape(note)}</p>'},
            raw=True)
