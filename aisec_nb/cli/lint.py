"""``aisec-nb lint PATH...``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lint.engine import LintReport

HELP = "check notebooks' recorded evidence: failed or errored checks, stale evidence"


def _write_step_summary(report: LintReport) -> None:
    """GitHub shows only a few annotations per step; the full list goes to the job summary."""
    import os

    from ..lint.report import render_text

    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as fh:  # noqa: PTH123 - append to a runner file
        fh.write("### aisec-nb lint\n\n```\n" + render_text(report) + "```\n")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..lint.formats import FORMATS

    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notebooks or folders")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="CODE", help="skip a rule (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    from ..lint.engine import lint_paths
    from ..lint.report import render
    from ..settings import load_settings

    ignore = load_settings().lint.ignore | frozenset(args.ignore)
    report = lint_paths(args.paths, ignore=ignore)
    sys.stdout.write(render(report, args.format))
    if args.format == "github":
        _write_step_summary(report)
    for error in report.errors:
        print(f"aisec-nb lint: error: {error}", file=sys.stderr)
    return report.exit_code
