"""The one error hierarchy of aisec-nb.

::

    AisecError                  anything aisec-nb refuses, with a message a user can act on
    ├── UsageError              a bad argument, option or configuration value (a ValueError)
    ├── NotebookError           a notebook that cannot be read, parsed or written (names the file)
    │   └── RecordError         the notebook's ``metadata.aisec`` or an aisec output is malformed
    ├── UnreadableInputError    a file or folder given to a check cannot be read (an OSError)
    └── GuardRefusal            a guarded load refused because the scan did not pass

Every message names the thing at fault (file, column, cell, argument) and what is wrong with it,
in the terms of the Python API: a message names a parameter (``window``), never the option of one
front end (the notebook magic and the command line may add their own spelling).

Two errors also subclass the builtin their callers would catch without knowing aisec-nb:
``except ValueError`` catches a :class:`UsageError` and ``except OSError`` an
:class:`UnreadableInputError`. :class:`NotebookError` does not: it covers a missing file and
malformed JSON alike, and its :class:`RecordError` is about content, so neither ``OSError`` nor
``ValueError`` would be true of all of them. :class:`GuardRefusal` is a decision, not a failure
of the input, so it has no builtin base either.

    >>> err = UnreadableInputError("model.pkl", "no such file")
    >>> str(err), isinstance(err, OSError), err.filename
    ('model.pkl: no such file', True, 'model.pkl')
"""

from __future__ import annotations

from typing import Any


class AisecError(Exception):
    """Base of every error aisec-nb raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        # IPython's hook: in a notebook our errors read as one actionable line, since the
        # message already names the file or column at fault (a traceback would bury it).
        return [f"\x1b[31m{type(self).__name__}: {self}\x1b[0m"]


class UsageError(AisecError, ValueError):
    """A bad argument, option or configuration value.

    Example: ``UsageError("window: '1X' is not a fixed window like '1D', '6h' or '15min'")``
    """


class NotebookError(AisecError):
    """A notebook that cannot be read, parsed or written."""

    def __init__(self, notebook: str, problem: str) -> None:
        self.notebook = notebook
        self.problem = problem
        super().__init__(f"{notebook}: {problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        # The default would call the class with the one formatted message.
        return type(self), (self.notebook, self.problem)


class RecordError(NotebookError):
    """Malformed or foreign ``aisec`` metadata or output in a notebook."""


class UnreadableInputError(AisecError, OSError):
    """A file or folder given to a check cannot be read or is not supported.

    An ``OSError`` whose ``filename`` is the path and whose ``str`` is the message alone (not
    ``OSError``'s ``[Errno ...]`` form); ``errno`` is None.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        # One argument: OSError then keeps ``args == (message,)`` and reads no errno from it.
        super().__init__(f"{path}: {problem}")
        self.filename = path

    def __str__(self) -> str:
        # OSError's own __str__ would print "[Errno None] ..." once ``filename`` is set.
        return f"{self.path}: {self.problem}"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.path, self.problem)


class GuardRefusal(AisecError):
    """A guarded load refused to load a file whose scan did not pass."""


__all__ = [
    "AisecError", "GuardRefusal", "NotebookError", "RecordError", "UnreadableInputError",
    "UsageError",
]
