"""``aisec-nb sync NOTEBOOK...``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "merge aisec outputs into each notebook's metadata.aisec (atomic; unchanged files untouched)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")


def run(args: argparse.Namespace) -> int:
    from ..errors import NotebookError
    from ..sync import sync_notebook

    code = 0
    for path in args.notebooks:
        try:
            changed = sync_notebook(path)
        except NotebookError as exc:
            print(f"aisec-nb sync: error: {exc}", file=sys.stderr)
            code = 2
            continue
        if not args.quiet:
            print(f"{path}: {'updated' if changed else 'unchanged'}")
    return code
