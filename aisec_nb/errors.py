"""The one error hierarchy of aisec-nb.

::

    AisecError                  anything aisec-nb refuses, with a message a user can act on
    ├── UsageError              a bad argument, option or configuration value
    ├── NotebookError           a notebook that cannot be read, parsed or written (names the file)
    │   └── RecordError         the notebook's ``metadata.aisec`` or an aisec output is malformed
    ├── UnreadableInputError    a file or folder given to a check cannot be read (names the file)
    └── GuardRefusal            a guarded load refused because the scan did not pass

Every message names the thing at fault (file, column, cell) and what is wrong with it.
"""

from __future__ import annotations


class AisecError(Exception):
    """Base of every error aisec-nb raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        # IPython's hook: in a notebook our errors read as one actionable line, since the
        # message already names the file or column at fault (a traceback would bury it).
        return [f"\x1b[31m{type(self).__name__}: {self}\x1b[0m"]


class UsageError(AisecError):
    """A bad argument, option or configuration value.

    Example: ``UsageError("--window: '1X' is not a pandas offset alias like '1D' or '6h'")``
    """


class NotebookError(AisecError):
    """A notebook that cannot be read, parsed or written."""

    def __init__(self, notebook: str, problem: str) -> None:
        self.notebook = notebook
        self.problem = problem
        super().__init__(f"{notebook}: {problem}")


class RecordError(NotebookError):
    """Malformed or foreign ``aisec`` metadata or output in a notebook."""


class UnreadableInputError(AisecError):
    """A file or folder given to a check cannot be read or is not supported."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class GuardRefusal(AisecError):
    """A guarded load refused to load a file whose scan did not pass."""
