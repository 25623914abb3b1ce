"""``aisec-nb lint PATH...``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "check notebooks' recorded evidence: failed or errored checks, stale evidence"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..lint.report import FORMATS

    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notebooks or folders")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="CODE", help="skip a rule (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    from ..config import section
    from ..lint import lint_paths
    from ..lint.report import render

    configured = section("lint").get("ignore", [])
    ignore = frozenset([*configured, *args.ignore])
    report = lint_paths(args.paths, ignore=ignore)
    sys.stdout.write(render(report, args.format))
    for error in report.errors:
        print(f"aisec-nb lint: error: {error}", file=sys.stderr)
    return report.exit_code
