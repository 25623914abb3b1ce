"""Helpers for tests that build real notebooks and run them in a real kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def make_notebook(*sources: str) -> Any:
    """A v4 notebook; sources starting with '#md ' become markdown cells."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for source in sources:
        if source.startswith("#md "):
            nb.cells.append(new_markdown_cell(source[4:]))
        else:
            nb.cells.append(new_code_cell(source))
    return nb


def execute(nb: Any, folder: Path, *, allow_errors: bool = False, timeout: int = 180) -> Any:
    """Run ``nb`` in a fresh python3 kernel whose working folder is ``folder``."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return nb


def save(nb: Any, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path


def outputs_with(nb: Any, mime: str) -> list[tuple[int, Any]]:
    """(cell index, output) pairs whose data has ``mime``."""
    return [
        (i, out)
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if mime in out.get("data", {})
    ]
