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


UNUSED_IMPORTS = ("rfc3987_syntax",)
"""Modules the command line never uses that its imports would load anyway: nbformat validates
without format checkers, yet importing it imports jsonschema's, whose IRI checker (rfc3987-syntax,
installed with JupyterLab) compiles 38 grammars on import, about 1.1 s of a 1.7 s ``aisec-nb
lint`` (run on every commit by the pre-commit hook)."""


def console() -> None:
    """The ``aisec-nb`` command: :func:`main` in a process of its own, so it may decline imports
    for the whole process (a ``None`` in ``sys.modules`` makes ``import`` raise ImportError, which
    jsonschema takes as "this format checker is not installed")."""
    for name in UNUSED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    console()
