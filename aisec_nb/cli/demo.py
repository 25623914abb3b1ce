"""``aisec-nb demo [--out DIR]``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "run the quickstart notebook headlessly (offline), then sync and lint it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: a new temp folder)",
    )


def run(args: argparse.Namespace) -> int:
    import tempfile

    from ..demo import run_demo
    from ..lint.report import render_text

    out = args.out if args.out is not None else Path(tempfile.mkdtemp(prefix="aisec-nb-demo-"))
    print(f"running the quickstart in {out} ...", flush=True)
    result = run_demo(out)
    print(f"executed notebook: {result.notebook}")
    print(f"metadata.aisec {'written' if result.synced else 'already up to date'}")
    for kind, item_id, verdict in _evidence(result.notebook):
        print(f"  {verdict:<5} {kind:<7} {item_id}")
    print("lint:")
    sys.stdout.write(render_text(result.lint))
    return 0


def _evidence(path: Path) -> list[tuple[str, str, str]]:
    """(kind, id, verdict) of every check and monitor recorded in the notebook."""
    from ..notebook_io import read_notebook

    record = read_notebook(path).metadata.get("aisec", {})
    rows = [("check", cid, str(c.get("verdict"))) for cid, c in record.get("checks", {}).items()]
    monitors = record.get("monitors", {})
    rows += [("monitor", mid, str(m.get("verdict"))) for mid, m in monitors.items()]
    return sorted(rows)
