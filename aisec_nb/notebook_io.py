"""Reading and writing ``.ipynb`` files safely.

Reading never trusts the file: unreadable bytes, invalid JSON and schema violations become
a :class:`~aisec_nb.errors.NotebookError` naming the file. Writing goes to a temporary file in
the same folder and is renamed over the original, so a notebook is never left half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import NotebookError

MAX_NOTEBOOK_BYTES = 512 * 1024 * 1024
"""A notebook larger than this is refused rather than read into memory."""


def load_notebook_json(path: Path) -> dict[str, Any]:
    """Read a v4 notebook's JSON without validating it against the notebook schema: a plain
    ``dict`` with a ``cells`` list (and a ``metadata`` dict, if any), for readers that check
    what they use themselves (the record is validated by
    :func:`~aisec_nb.transport.read_record`).

    Importing nbformat costs about a second where jsonschema's optional format checkers are
    installed (as JupyterLab installs them), which a kernel would pay on its first ``%aisec``
    command; this reader imports nothing.

        nb = load_notebook_json(Path("work.ipynb"))
        nb["metadata"].get("aisec")

    Raises :class:`NotebookError` for a file that is missing, too large, not JSON or not a v4
    notebook.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(name, f"{size} bytes is larger than the {MAX_NOTEBOOK_BYTES} limit")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(name, "no such file") from None
    except IsADirectoryError:
        raise NotebookError(name, "is a folder, not a notebook") from None
    except UnicodeDecodeError as exc:
        raise NotebookError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise NotebookError(name, f"cannot be read: {exc.strerror}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        # The text ends where the parser still wanted more (or inside a string that never
        # closes): a write that was cut short.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            problem += "; the file looks truncated"
        raise NotebookError(name, problem) from None
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        raise NotebookError(name, "JSON, but not a Jupyter notebook (no 'cells' / 'nbformat')")
    if raw.get("nbformat") != 4:
        raise NotebookError(name, f"nbformat {raw.get('nbformat')!r} is not supported (need 4)")
    if not isinstance(raw["cells"], list):
        raise NotebookError(name, "invalid notebook at cells: not a list")
    if not isinstance(raw.get("metadata", {}), dict):
        raise NotebookError(name, "invalid notebook at metadata: not an object")
    return raw


def read_notebook(path: Path) -> Any:
    """Read and validate a notebook, returning an ``nbformat.NotebookNode`` (v4).

    Raises :class:`NotebookError` for a file that is missing, too large, not JSON or not a valid
    notebook.
    """
    import nbformat
    from nbformat.validator import ValidationError

    name = str(path)
    raw = load_notebook_json(path)
    try:
        nb = nbformat.from_dict(raw)  # type: ignore[no-untyped-call]
        nbformat.validate(nb)
    except ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise NotebookError(name, f"invalid notebook at {where}: {exc.message}") from None
    return nb


def dumps_notebook(nb: Any) -> str:
    """The exact text Jupyter would save for ``nb`` (``nbformat.writes``), newline-terminated."""
    import nbformat

    text: str = nbformat.writes(nb, version=4)  # type: ignore[no-untyped-call]
    return text if text.endswith("\n") else text + "\n"


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, keeping its permission bits."""
    folder = path.parent
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_notebook(path: Path, nb: Any) -> None:
    """Write a notebook atomically in Jupyter's own formatting."""
    try:
        atomic_write_text(path, dumps_notebook(nb))
    except OSError as exc:
        raise NotebookError(str(path), f"cannot be written: {exc.strerror}") from None
