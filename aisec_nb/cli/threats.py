"""``aisec-nb threats NOTEBOOK [--format csv|json|md] [--output FILE]``: a notebook's recorded
threat model and risk register, from ``metadata.aisec`` and its saved outputs (the same merge as
``aisec-nb sync``), as CSV (one row per risk; the default), JSON (the Record's slice) or Markdown.

Exit codes: 0 written, 2 when the notebook cannot be read or holds no threat model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "export a notebook's threat model and risk register as CSV, JSON or Markdown"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb holding the threat model")
    parser.add_argument("--format", choices=("csv", "json", "md"), default="csv",
                        help="csv: one row per risk (default); json: the record as written; "
                             "md: a report")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write to FILE instead of the standard output")


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..notebook_io import read_notebook
    from ..threats.export import to_csv, to_json, to_markdown
    from ..transport import read_record

    path = Path(args.notebook)
    record = read_record(read_notebook(path), str(path)).record
    threats = record.get("threat_model")
    if not isinstance(threats, dict):
        raise UsageError(f"{path}: the notebook has no threat model (run %aisec threats in it, "
                         "then save it, or run aisec-nb sync on it)")
    if args.format == "csv":
        text = to_csv(threats)
    elif args.format == "json":
        text = to_json(threats)
    else:
        text = to_markdown(threats, f"Threat model: {path.name}")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"aisec-nb threats: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
