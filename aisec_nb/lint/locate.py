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

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

JsonPath = tuple[str | int, ...]

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')
MAX_DEPTH = 8
"""Values deeper than this under ``cells`` are not located (nothing points at them)."""


def _count(value: object) -> int:
    """Lines ``value`` takes in nbformat's layout (``indent=1``: one value per line)."""
    if isinstance(value, dict):
        items: Sequence[object] = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return 1
    if not items:
        return 1
    return 2 + sum(_count(v) if isinstance(v, (dict, list)) else 1 for v in items)


class RawLocator:
    """Line numbers (1-based) of the values under ``cells`` of a notebook's raw JSON text.

    Given the parsed notebook (``data``), a file in nbformat's own layout (one value per line,
    keys sorted, as Jupyter saves) is located by counting lines over the parsed values, and
    each answer is checked against the text; any other layout, or an answer that does not
    check, falls back to scanning the text's JSON tokens.
    """

    def __init__(self, text: str, data: Mapping[str, Any] | None = None) -> None:
        self._text = text
        self._lines: dict[JsonPath, int] | None = None
        self._data = data if data is not None and text.startswith('{\n "cells": [') else None
        self._raw: list[str] | None = None
        self._starts: list[int] | None = None

    def _canonical(self, path: JsonPath) -> int | None:
        """The line of ``path`` in nbformat's layout, checked against the text; ``None`` when
        the file is not in that layout."""
        assert self._data is not None
        if self._raw is None:
            self._raw = self._text.split("\n")
        cells = self._data.get("cells")
        if not isinstance(cells, list) or len(path) < 2 or not isinstance(path[1], int) or \
                not 0 <= path[1] < len(cells):
            return None
        if self._starts is None:
            starts, line = [], 3
            for cell in cells:
                starts.append(line)
                line += _count(cell)
            self._starts = starts
        line = self._starts[path[1]]
        value: Any = cells[path[1]]
        for step in path[2:]:
            if isinstance(value, dict) and isinstance(step, str) and step in value:
                line += 1
                for key in sorted(value):
                    if key == step:
                        break
                    line += _count(value[key])
                value = value[step]
            elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
                line += 1 + sum(_count(v) for v in value[:step])
                value = value[step]
            else:
                return None
        if not 0 < line <= len(self._raw):
            return None
        shown = self._raw[line - 1]
        if isinstance(value, (dict, list)):
            ok = shown.endswith(("{", "[", "{}", "[]", "{},", "[],"))
        else:
            ok = json.dumps(value, ensure_ascii=False) in shown
        return line if ok else None

    def _scan(self) -> dict[JsonPath, int]:
        text = self._text
        found: dict[JsonPath, int] = {}
        paths: list[JsonPath | None] = []  # per open container: its path (None: not followed)
        objects: list[bool] = []  # per open container: an object (else an array)
        keys: list[str | int] = []  # per open container: the current key or index
        expecting: list[bool] = []  # per open object: the next string is a key
        line, seen = 1, 0
        count = text.count
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
                keys[-1] = token[1:-1] if "\\" not in token else _key(token)
                expecting[-1] = False
                continue
            parent = paths[-1] if paths else ()
            if parent is None:
                if first in "{[":
                    paths.append(None)
                    objects.append(first == "{")
                    keys.append(0)
                    expecting.append(first == "{")
                continue
            path: JsonPath | None = (*parent, keys[-1]) if paths else ()
            if path:
                if path[0] != "cells":
                    path = None
                else:
                    start = match.start()
                    line += count("\n", seen, start)
                    seen = start
                    found[path] = line
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
        if self._data is not None:
            found = self._canonical(path)
            if found is not None:
                return found
            self._data = None  # not nbformat's layout after all: scan the text from now on
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


def _key(token: str) -> str:
    try:
        key: str = json.loads(token)
    except ValueError:
        return token
    return key


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
