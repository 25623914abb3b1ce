"""``%aisec check model PATH``: scan a model file and record the result."""

from __future__ import annotations

import argparse
from typing import Any

HELP = "scan a model file (or folder) for code-execution payloads and hash it; never loads it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="model file, relative to the notebook's folder")


def run(args: argparse.Namespace, shell: Any) -> None:
    from ..scan import scan_path
    from ..transport import check_fragment, plain_summary
    from .html import check_result_html
    from .session import publish

    result = scan_path(args.path)
    publish(
        check_fragment(result),
        html_text=check_result_html(result),
        plain_text=plain_summary(result),
    )
