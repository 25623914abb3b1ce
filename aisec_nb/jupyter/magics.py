"""``%aisec``: one line magic, sub-commands dispatched to small face modules.

Each sub-command module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args, shell)``; :data:`COMMANDS` maps the words a user types to that module. Modules are
imported only when their sub-command runs (or for help), so ``%load_ext aisec_nb`` stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
import shlex
from types import ModuleType
from typing import Any, NoReturn

from IPython.core.magic import Magics, line_magic, magics_class

from ..errors import UsageError

COMMANDS: dict[str, str] = {
    "check model": "aisec_nb.jupyter.check_model",
    "check data": "aisec_nb.jupyter.check_data",
    "guard": "aisec_nb.jupyter.guard",
    "monitor": "aisec_nb.jupyter.monitor",
    "status": "aisec_nb.jupyter.status",
    "threats": "aisec_nb.jupyter.threats",
    "card": "aisec_nb.jupyter.card",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        # --help prints and lands here; raising keeps argparse from calling sys.exit in a kernel.
        raise _HelpShown


class _HelpShown(Exception):
    pass


def _module(words: str) -> ModuleType:
    return importlib.import_module(COMMANDS[words])


def usage() -> str:
    """The overview printed by ``%aisec`` and ``%aisec --help``."""
    width = max(len(w) for w in COMMANDS)
    lines = [
        "usage: %aisec COMMAND [ARGS...]   (%aisec COMMAND --help for details)",
        "",
        "commands:",
    ]
    for words in sorted(COMMANDS):
        lines.append(f"  {words:<{width}}  {_module(words).HELP}")
    return "\n".join(lines)


def split_command(tokens: list[str]) -> tuple[str, list[str]]:
    """The longest known command at the start of ``tokens``, and the rest.

    >>> split_command(["check", "model", "m.pkl"])
    ('check model', ['m.pkl'])
    """
    for n in (2, 1):
        words = " ".join(tokens[:n])
        if len(tokens) >= n and words in COMMANDS:
            return words, tokens[n:]
    if tokens and any(w.startswith(tokens[0] + " ") for w in COMMANDS):
        options = sorted(w for w in COMMANDS if w.startswith(tokens[0] + " "))
        raise UsageError(f"{tokens[0]!r} needs one of: {', '.join(options)}")
    raise UsageError(f"unknown command {' '.join(tokens[:2])!r}\n{usage()}")


def build_parser(words: str) -> argparse.ArgumentParser:
    """The argument parser of one sub-command."""
    module = _module(words)
    parser = _Parser(prog=f"%aisec {words}", description=module.HELP, add_help=True)
    module.add_arguments(parser)
    return parser


@magics_class
class AisecMagics(Magics):
    """The ``%aisec`` magic."""

    @line_magic
    def aisec(self, line: str) -> Any:
        """Security checks for ML work; ``%aisec --help`` lists the commands."""
        try:
            tokens = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"cannot parse arguments: {exc}") from None
        if not tokens or tokens[0] in ("-h", "--help", "help"):
            print(usage())
            return None
        words, rest = split_command(tokens)
        parser = build_parser(words)
        try:
            args = parser.parse_args(rest)
        except _HelpShown:
            return None
        # An AisecError propagates as it is: IPython shows it as one line (_render_traceback_).
        return _module(words).run(args, self.shell)


def register(ipython: Any) -> None:
    """Register the magics on a shell."""
    ipython.register_magics(AisecMagics)
