"""The notebook's record as the front end holds it, for features that need earlier evidence.

``%load_ext aisec_nb`` opens a comm on target :data:`COMM_TARGET`. The JupyterLab / Notebook 7
extension answers with the notebook's current ``metadata.aisec`` (saved or not) and sends it again
whenever it changes; the kernel keeps the latest. (A kernel cannot wait for a reply while it runs
a cell, so the front end pushes; the record is as of the start of the running cell.)

Without the extension (VS Code, nbclient, papermill, a front end without it) nothing answers:
:func:`notebook_record` then reads the saved notebook file the kernel belongs to, and says so::

    view = notebook_record()
    view.source   # "front end", "saved file" or "none"
    view.note     # one sentence saying where the record came from and what it may miss
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AisecError

COMM_TARGET = "aisec_nb.record"


@dataclass(frozen=True)
class NotebookView:
    """A notebook's merged record and where it came from."""

    record: dict[str, Any]
    source: str
    """``"front end"`` (the open notebook), ``"saved file"`` (the fallback) or ``"none"``."""
    note: str
    path: str | None = None
    error: str | None = None
    """Why the record could not be read, when it could not (the record is then empty)."""


@dataclass
class _Bridge:
    comm: Any = None
    message: Mapping[str, Any] | None = None
    received: int = field(default=0)


_BRIDGE = _Bridge()


_LISTENERS: list[Callable[[], None]] = []


def on_record(listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener()`` each time the front end sends the record (a widget that was shown
    before the record arrived can catch up); returns the function that stops it."""
    _LISTENERS.append(listener)

    def stop() -> None:
        with contextlib.suppress(ValueError):
            _LISTENERS.remove(listener)

    return stop


def _on_msg(msg: Mapping[str, Any]) -> None:
    data = msg.get("content", {}).get("data")
    if isinstance(data, Mapping) and data.get("type") == "record":
        _BRIDGE.message = data
        _BRIDGE.received += 1
        for listener in list(_LISTENERS):
            listener()


def _on_close(msg: Mapping[str, Any]) -> None:
    _BRIDGE.comm = None


def open_comm() -> None:
    """Ask the front end for the notebook's record (called by ``%load_ext aisec_nb``)."""
    if _BRIDGE.comm is not None:
        _BRIDGE.comm.send({"type": "request"})
        return
    try:
        from comm import create_comm
    except ImportError:  # pragma: no cover - ipykernel brings comm
        return
    channel = create_comm(target_name=COMM_TARGET, data={"type": "request"})
    channel.on_msg(_on_msg)
    channel.on_close(_on_close)
    _BRIDGE.comm = channel


def close_comm() -> None:
    """Close the comm and forget the record (``%unload_ext aisec_nb``)."""
    if _BRIDGE.comm is not None:
        with contextlib.suppress(Exception):  # a comm already gone is closed enough
            _BRIDGE.comm.close()
    _BRIDGE.comm = None
    _BRIDGE.message = None


def notebook_path(shell: Any = None) -> Path | None:
    """The saved notebook this kernel belongs to, as far as the front end told the kernel.

    VS Code sets ``__vsc_ipynb_file__``; jupyter_server starts kernels with ``JPY_SESSION_NAME``
    (ipykernel also shows it as ``__session__``).
    """
    user_ns: Mapping[str, Any] = getattr(shell, "user_ns", None) or {}
    candidates = [user_ns.get("__vsc_ipynb_file__"), os.environ.get("JPY_SESSION_NAME"),
                  user_ns.get("__session__")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.endswith(".ipynb"):
            path = Path(candidate).expanduser()
            if path.is_file():
                return path
    return None


def notebook_record(shell: Any = None) -> NotebookView:
    """The notebook's record: from the front end when it answered, else from the saved file."""
    from ..transport import empty_record, read_record

    message = _BRIDGE.message
    if message is not None:
        path = message.get("path") if isinstance(message.get("path"), str) else None
        label = path or "<notebook>"
        try:
            record = read_record({"metadata": {"aisec": message.get("record")}, "cells": []},
                                 label).record
        except AisecError as exc:
            return NotebookView(empty_record(), "front end", f"the open notebook's record "
                                f"cannot be read: {exc}", path, str(exc))
        return NotebookView(record, "front end", "the notebook's record is from the open notebook, "
                            "as the JupyterLab extension holds it (saved or not)", path,
                            message.get("error") if isinstance(message.get("error"), str)
                            else None)
    saved = notebook_path(shell if shell is not None else _shell())
    if saved is None:
        return NotebookView(empty_record(), "none", "no front end extension answered and the "
                            "notebook file is not known, so only this kernel's results are "
                            "shown")
    from ..notebook_io import load_notebook_json

    note = (f"the notebook's record is from the saved file {saved}: no JupyterLab or Notebook 7 "
            "extension answered (VS Code, nbclient, or aisec-nb's extension not installed), so "
            "results not yet saved are missing")
    try:
        record = read_record(load_notebook_json(saved), str(saved)).record
    except AisecError as exc:
        return NotebookView(empty_record(), "saved file", f"{note}; it cannot be read: {exc}",
                            str(saved), str(exc))
    return NotebookView(record, "saved file", note, str(saved))


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()
