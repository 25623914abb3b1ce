"""A code cell as the rules read it: Python syntax trees whose line numbers are the cell's own.

* IPython escapes (``%pip``, ``!pip``, ``x = !ls``) are translated line by line by IPython's
  transformer (:mod:`.ipython_syntax`), so they become calls the rules understand;
* a cell magic is read by what its body is: Python for ``%%time``, ``%%capture``,
  ``%%writefile x.py`` and the like, shell commands for ``%%bash``, ``%%sh`` and
  ``%%script bash``; other bodies (``%%html``, ``%%sql``) are not Python and are left alone;
* a cell that does not parse loses only the lines that do not: the line a syntax error points
  at is replaced (a block header by ``if True:``, any other line by ``pass``) and the cell is
  parsed again, so the rest of the cell, and every other cell, is still checked.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from .ipython_syntax import has_escapes, is_escaped, translate_line

PYTHON_BODIES = frozenset({
    "time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy", "file",
    "memit", "px", "cython", "heat",
})
"""Cell magics whose body is Python code."""
SHELL_BODIES = frozenset({"bash", "sh", "system", "sx", "zsh"})
"""Cell magics whose body is shell commands (``%%script bash`` too)."""
MAX_REPAIRS = 200
"""Syntax repairs tried on one cell before its remaining lines are parsed one by one."""
_HEADER_LINE = re.compile(r"on line (\d+)")


@dataclass(frozen=True)
class ParsedCell:
    """What the rules read of one code cell."""

    trees: tuple[tuple[ast.Module, int], ...] = ()
    """Syntax trees and the offset to add to a node's ``lineno`` to get the cell's line."""
    shell: tuple[tuple[int, str], ...] = ()
    """Shell commands of a shell cell magic: (line in the cell, command)."""
    unparsed: tuple[int, ...] = ()
    """Lines of the cell that could not be parsed (1-based)."""
    magic: str | None = None
    """The cell magic (``writefile``, ``bash``, ...) if the cell starts with one."""


def _repair(lines: list[str], error: SyntaxError) -> int | None:
    """Replace the line ``error`` points at; the 1-based line replaced, or ``None``."""
    number = error.lineno
    header = _HEADER_LINE.search(error.msg or "")
    if header and "expected an indented block" in (error.msg or ""):
        number = int(header.group(1))
    if number is None or not 1 <= number <= len(lines):
        number = next((i + 1 for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), None)
        if number is None:
            return None
    line = lines[number - 1]
    indent = line[: len(line) - len(line.lstrip())]
    code = line.split("#", 1)[0].rstrip()
    replacement = f"{indent}if True:" if code.endswith(":") else f"{indent}pass"
    if line in (replacement, ""):
        replacement = ""
        if line == "":
            return None
    lines[number - 1] = replacement
    return number


def _by_line(lines: list[str], skip: set[int]) -> tuple[list[ast.stmt], list[int]]:
    """Last resort: every line that parses alone (dedented), the others listed."""
    body: list[ast.stmt] = []
    bad: list[int] = []
    for number, line in enumerate(lines, start=1):
        if number in skip or not line.strip():
            continue
        try:
            tree = ast.parse(line.strip())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            bad.append(number)
            continue
        indent = len(line) - len(line.lstrip())
        for node in ast.walk(tree):
            if isinstance(node, (ast.stmt, ast.expr)):
                node.lineno = node.end_lineno = number
                node.col_offset += indent
        body.extend(tree.body)
    return body, bad


def parse_python(text: str) -> tuple[ast.Module, tuple[int, ...]]:
    """``text`` (a cell or a cell magic's body) as one syntax tree, with the lines it had to
    give up. Line numbers are those of ``text``."""
    text = text.replace("\x00", " ")  # Python refuses a NUL anywhere; it is never code
    if not has_escapes(text):
        try:
            return ast.parse(text), ()
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    lines = text.split("\n")
    if has_escapes(text):
        i = 0
        while i < len(lines):
            line = lines[i]
            if is_escaped(line):
                logical, last = line, i
                while logical.endswith("\\") and last + 1 < len(lines):
                    last += 1
                    logical = logical[:-1] + " " + lines[last].strip()
                indent = line[: len(line) - len(line.lstrip())]
                lines[i] = indent + translate_line(logical)
                for j in range(i + 1, last + 1):
                    lines[j] = ""
                i = last + 1
            else:
                i += 1
    given_up: list[int] = []
    for _ in range(min(MAX_REPAIRS, 2 * len(lines) + 2)):
        try:
            return ast.parse("\n".join(lines)), tuple(sorted(set(given_up)))
        except SyntaxError as error:
            number = _repair(lines, error)
            if number is None:
                break
            given_up.append(number)
        except (ValueError, RecursionError, MemoryError):  # a NUL byte, absurd nesting
            break
    body, bad = _by_line(lines, set())
    return ast.Module(body=body, type_ignores=[]), tuple(sorted(set(given_up) | set(bad)))


@lru_cache(maxsize=2048)
def parse_cell(source: str) -> ParsedCell:
    """Read one code cell's source (cached: notebooks share many identical cells)."""
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        head = lines[first].strip()[2:].split(None, 1)
        name = head[0] if head else ""
        args = head[1] if len(head) > 1 else ""
        body = "\n".join(lines[first + 1 :])
        offset = first + 1
        is_python = name in PYTHON_BODIES or (
            name == "writefile" and args.split()[-1:] != [] and args.split()[-1].endswith(".py")
        )
        is_shell = name in SHELL_BODIES or (
            name == "script" and args.split()[:1] in (["bash"], ["sh"], ["zsh"])
        )
        if is_python:
            tree, unparsed = parse_python(body)
            return ParsedCell(((tree, offset),), (), tuple(n + offset for n in unparsed), name)
        if is_shell:
            commands = tuple(
                (offset + n, line.strip())
                for n, line in enumerate(body.split("\n"), start=1)
                if line.strip() and not line.lstrip().startswith("#")
            )
            return ParsedCell((), commands, (), name)
        return ParsedCell((), (), (), name)
    tree, unparsed = parse_python(source)
    return ParsedCell(((tree, 0),), (), unparsed, None)
