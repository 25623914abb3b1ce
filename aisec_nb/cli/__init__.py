"""``aisec-nb``: the command line. Each command is a small module (see :data:`COMMANDS`) with
``HELP``, ``add_arguments(parser)`` and ``run(args) -> exit code``; heavy imports happen in ``run``.

Exit codes: 0 clean, 1 findings, 2 usage error or unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import AisecError

# In the order a user meets them: produce evidence, fold it into notebooks, review it (and look
# up what a finding's code means).
COMMANDS: dict[str, str] = {
    "scan": "aisec_nb.cli.scan",
    "check-data": "aisec_nb.cli.check_data",
    "sync": "aisec_nb.cli.sync",
    "lint": "aisec_nb.cli.lint",
    "threats": "aisec_nb.cli.threats",
    "card": "aisec_nb.cli.card",
    "rules": "aisec_nb.cli.rules",
    "demo": "aisec_nb.cli.demo",
}


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command."""
    parser = argparse.ArgumentParser(
        prog="aisec-nb",
        description="Secure AI development evidence for notebooks: scan, check, sync and lint.",
    )
    parser.add_argument("--version", action="version", version=f"aisec-nb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(COMMANDS[args.command])
    try:
        code: int = module.run(args)
    except AisecError as exc:
        print(f"aisec-nb {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
