"""Notebooks carrying real aisec evidence, built without a kernel (fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from aisec_nb.record import CheckResult
from aisec_nb.transport import MIME_TYPE, check_fragment


def notebook_showing(*results: CheckResult, leading_markdown: int = 1) -> Any:
    """A notebook whose code cells display ``results`` as a kernel would, after some markdown."""
    nb = new_notebook()
    nb.cells.extend(new_markdown_cell(f"intro {i}") for i in range(leading_markdown))
    for result in results:
        cell = new_code_cell(f"%aisec check model {result.target.path}")
        cell.outputs.append(
            new_output(
                "display_data",
                data={"text/plain": result.id, MIME_TYPE: check_fragment(result)},
            )
        )
        nb.cells.append(cell)
    return nb


def write(nb: Any, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path
