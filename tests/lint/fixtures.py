"""A fixture repository of notebooks for the lint rules, made by the tests (no kernel)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from aisec_nb.lint.engine import LintFinding, lint_one
from aisec_nb.settings import LintSettings

Cell = str | dict[str, Any]


def notebook(*cells: Cell) -> Any:
    """A notebook of ``cells``: a string is a code cell (``"#md "`` first: markdown), a dict
    ``{"source": ..., "outputs": [...]}`` a code cell with outputs (nbformat output dicts)."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for cell in cells:
        if isinstance(cell, str) and cell.startswith("#md "):
            nb.cells.append(new_markdown_cell(cell[4:]))
        elif isinstance(cell, str):
            nb.cells.append(new_code_cell(cell))
        else:
            made = new_code_cell(cell["source"])
            made.outputs = [new_output(**o) for o in cell.get("outputs", [])]
            nb.cells.append(made)
    return nb


def write(nb: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def expected_raw_line(path: Path, cell: int, line: int) -> int:
    """The raw file line of line ``line`` of cell ``cell``'s source, found the plain way: the
    cell's id line, then the first line after it that holds that source line as JSON."""
    nb = nbformat.read(str(path), as_version=4)
    source_lines = nb.cells[cell].source.split("\n")
    wanted = source_lines[line - 1] + ("\n" if line < len(source_lines) else "")
    encoded = json.dumps(wanted)
    raw = path.read_text().splitlines()
    start = next(n for n, text in enumerate(raw) if f'"id": "{nb.cells[cell].id}"' in text)
    found = next(n for n in range(start, len(raw)) if raw[n].strip().rstrip(",") == encoded)
    return found + 1


def found(path: Path, settings: LintSettings | None = None, *, recheck: bool = False,
          ignore: Iterable[str] = ()) -> list[tuple[str, int | None, int | None, int | None]]:
    """(code, cell, line, raw line) of every finding of ``path``."""
    result = lint_one(path, settings or LintSettings(), ignore=frozenset(ignore),
                      recheck=recheck)
    return [(f.code, f.cell, f.line, f.raw_line) for f in result.findings]


def findings(path: Path, settings: LintSettings | None = None, **kw: Any) -> list[LintFinding]:
    return list(lint_one(path, settings or LintSettings(), **kw).findings)


def at(path: Path, code: str, cell: int, line: int) -> tuple[str, int, int, int]:
    """The expected (code, cell, line, raw line) of a finding at ``line`` of ``cell``."""
    return (code, cell, line, expected_raw_line(path, cell, line))
