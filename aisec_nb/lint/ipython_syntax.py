"""IPython syntax in code cells (``%pip``, ``!pip``, ``x = !ls``), read as IPython reads it.

The linter parses cells with :mod:`ast`, which does not know IPython's escapes. Each escaped
line is handed to IPython's own input transformer, which turns it into the Python the kernel
runs (``%pip install x`` -> ``get_ipython().run_line_magic('pip', 'install x')``,
``!curl -k URL`` -> ``get_ipython().system('curl -k URL')``), so the rules see magics and shell
lines as calls, exactly as a kernel would run them.

This is the one module of the core that imports IPython: the transformer is a pure text
function (no shell, no kernel, nothing executed), and it is imported only when a cell has an
escaped line. Lines are translated one at a time, so a cell that does not parse as a whole
still has each of its magics understood, and every translated line keeps its line number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

ESCAPED = re.compile(r"^[ \t]*(?:[%!?]|[\w.\[\]'\", \t()*]+=[ \t]*[%!])|\?[ \t]*$", re.MULTILINE)
"""Lines that may be IPython syntax: an escape first (``%``, ``!``, ``?``), an assignment from
one (``files = !ls``), or a trailing ``?`` (help)."""
_FIRST = re.compile(r"^[ \t]*(?:[%!?]|[\w.\[\]'\", \t()*]+=[ \t]*[%!])|\?[ \t]*$")


def has_escapes(source: str) -> bool:
    """Whether any line of ``source`` may be IPython syntax (a cheap test, no IPython import)."""
    return ESCAPED.search(source) is not None


def is_escaped(line: str) -> bool:
    """Whether one line may be IPython syntax."""
    return _FIRST.search(line) is not None


@lru_cache(maxsize=1)
def _manager() -> Any:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=4096)
def translate_line(line: str) -> str:
    """The Python that IPython runs for one (possibly escaped) logical line, without its indent.

    A line IPython leaves alone comes back as it was (stripped of its indent). The result is one
    line: IPython writes a magic or shell command as a single call.

    >>> translate_line("%pip install pandas")
    "get_ipython().run_line_magic('pip', 'install pandas')"
    >>> translate_line("  files = !ls -la")
    "files = get_ipython().getoutput('ls -la')"
    """
    text = line.strip()
    try:
        out: str = _manager().transform_cell(text + "\n")
    except Exception:  # IPython's transformer raises many kinds of error on odd input
        return text
    out = out.rstrip("\n")
    return text if "\n" in out else out
