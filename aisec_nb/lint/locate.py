"""Where a cell's source line, or an output's text line, sits in the raw ``.ipynb`` file.

GitHub code scanning and workflow annotations point at lines of the file as stored, so every
finding carries the raw file line besides its cell and its line inside the cell. The file is
scanned once, as JSON tokens with their line numbers (a JSON string never spans lines), and the
line where each value under ``cells`` starts is kept by its JSON path, e.g.
``("cells", 3, "source", 1)``. Nothing here assumes nbformat's indentation: a notebook written
on one line, or with other indents, is located as well (each of its values is on that one line).

    >>> text = ('{\\n "cells": [\\n  {\\n   "cell_type": "code",\\n   "source": [\\n'
    ...         '    "a = 1\\\\n",\\n    "b = 2"\\n   ]\\n  }\\n ]\\n}')
    >>> locator = RawLocator(text)
    >>> locator.line_of(("cells", 0, "source", 1))
    7
    >>> locator.source_line(0, 2, ["a = 1\\n", "b = 2"])
    7
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence

JsonPath = tuple[str | int, ...]

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')
MAX_DEPTH = 8
"""Values deeper than this under ``cells`` are not located (nothing points at them)."""


class RawLocator:
    """Line numbers (1-based) of the values under ``cells`` of a notebook's raw JSON text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[JsonPath, int] | None = None

    def _scan(self) -> dict[JsonPath, int]:
        text = self._text
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", text))
        found: dict[JsonPath, int] = {}
        paths: list[JsonPath | None] = []  # per open container: its path (None: not followed)
        objects: list[bool] = []  # per open container: an object (else an array)
        keys: list[str | int] = []  # per open container: the current key or index
        expecting: list[bool] = []  # per open object: the next string is a key
        for match in _TOKEN.finditer(text):
            token = match.group()
            first = token[0]
            if first == ",":
                if objects:
                    if objects[-1]:
                        expecting[-1] = True
                    else:
                        keys[-1] = int(keys[-1]) + 1
                continue
            if first == ":":
                continue
            if first in "]}":
                if paths:
                    paths.pop()
                    objects.pop()
                    keys.pop()
                    expecting.pop()
                continue
            if objects and objects[-1] and expecting[-1]:
                try:
                    keys[-1] = json.loads(token)
                except ValueError:
                    keys[-1] = token
                expecting[-1] = False
                continue
            if not paths:
                path: JsonPath | None = ()
            else:
                parent = paths[-1]
                path = None if parent is None else (*parent, keys[-1])
            if path:
                if path[0] != "cells":
                    path = None
                else:
                    found[path] = bisect.bisect_right(starts, match.start())
            if first in "{[":
                follow = path if path is not None and len(path) < MAX_DEPTH else None
                paths.append(follow)
                objects.append(first == "{")
                keys.append(0)
                expecting.append(first == "{")
        return found

    @property
    def lines(self) -> dict[JsonPath, int]:
        if self._lines is None:
            self._lines = self._scan()
        return self._lines

    def line_of(self, path: JsonPath) -> int | None:
        """The line where the value at ``path`` starts, or ``None`` if it is not there."""
        return self.lines.get(path)

    def cell_line(self, cell: int) -> int | None:
        """The line where cell ``cell`` (0-based) starts."""
        return self.line_of(("cells", cell))

    def source_line(self, cell: int, line: int, source: str | Sequence[str]) -> int | None:
        """The raw line of line ``line`` (1-based) of cell ``cell``'s source.

        ``source`` is the cell's source as stored: a list of strings (nbformat writes one line
        per element) or one string (then every line of it is on the string's raw line).
        """
        if isinstance(source, str):
            return self.line_of(("cells", cell, "source")) or self.cell_line(cell)
        element = element_of_line(source, line)
        if element is None:
            return self.line_of(("cells", cell, "source")) or self.cell_line(cell)
        return self.line_of(("cells", cell, "source", element))

    def text_line(self, path: JsonPath, element: int | None) -> int | None:
        """The raw line of element ``element`` of the string list at ``path`` (an output's
        ``text``, ``traceback`` or ``data[mime]``), or of the value itself."""
        if element is not None:
            found = self.line_of((*path, element))
            if found is not None:
                return found
        return self.line_of(path)


def element_of_line(parts: Sequence[str], line: int) -> int | None:
    """The index of the element of ``parts`` (a multiline string split into a list, as
    nbformat stores it) on which line ``line`` (1-based) of the joined text starts.

    >>> element_of_line(["a\\n", "b\\n", "c"], 3), element_of_line(["a\\nb\\n", "c"], 2)
    (2, 0)
    """
    current = 1
    for index, part in enumerate(parts):
        if current >= line:
            return index
        newlines = part.count("\n")
        if current + newlines >= line and not (part.endswith("\n") and current + newlines == line):
            return index
        current += newlines
    return len(parts) - 1 if parts and current >= line else None


def cell_line(text: str, cell_index: int | None, cell_id: str | None) -> int:
    """1-based line where a cell starts in the raw file text; 1 when it cannot be placed.

    Kept for callers of the first linter: a cell is found by its 0-based index (its id is not
    needed any more, the file is parsed with positions).

    >>> cell_line('{\\n "cells": [\\n  {\\n   "cell_type": "code",\\n   "id": "a1"', 0, "a1")
    3
    """
    del cell_id
    if cell_index is None:
        return 1
    return RawLocator(text).cell_line(cell_index) or 1
