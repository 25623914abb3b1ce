"""The options ``%aisec check data`` and ``aisec-nb check-data`` share, defined once.

Only argparse and constants here: faces import this to build their parsers without pandas.
"""

from __future__ import annotations

import argparse

from ..data.roles import ROLES


def add_check_options(parser: argparse.ArgumentParser, *, noun: str, metavar: str) -> None:
    """Add --label/--test/--reference/--role/--set; ``noun`` is 'frame' or 'file'."""
    parser.add_argument("--label", metavar="COL", help="the label (target) column")
    parser.add_argument("--test", metavar=metavar, help=f"held-out {noun} to check for shared rows")
    parser.add_argument(
        "--reference", metavar=metavar, help=f"earlier {noun} to compare labels with"
    )
    parser.add_argument("--role", choices=ROLES, help="what the data is for")
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="override a threshold for this call, e.g. --set outlier_z=8",
    )
