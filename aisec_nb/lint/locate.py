"""Map a notebook cell to a line of the raw ``.ipynb`` file (for SARIF and GitHub annotations).

Jupyter and nbformat write one JSON key per line, so a cell's ``"id"`` line (nbformat 4.5+) or,
for older notebooks, its ``"cell_type"`` line is a stable place to point a reviewer at.
"""

from __future__ import annotations

import json


def cell_line(text: str, cell_index: int | None, cell_id: str | None) -> int:
    """1-based line of the cell in the raw file text; 1 when the cell cannot be placed.

    >>> cell_line('{\\n "cells": [\\n  {\\n   "cell_type": "code",\\n   "id": "a1"', 0, "a1")
    5
    """
    lines = text.splitlines()
    if cell_id is not None:
        needle = f'"id": {json.dumps(cell_id)}'
        for number, line in enumerate(lines, start=1):
            if line.strip().rstrip(",") == needle:
                return number
    if cell_index is not None:
        seen = -1
        for number, line in enumerate(lines, start=1):
            if line.lstrip().startswith('"cell_type":'):
                seen += 1
                if seen == cell_index:
                    return number
    return 1
