"""``aisec-nb lint``: rules over notebooks and their recorded evidence."""

from __future__ import annotations

import importlib
from typing import Any

# Served lazily so that building the CLI parser does not import the Record (pydantic).
_NAMES = ("LintFinding", "LintReport", "discover_notebooks", "lint_notebook", "lint_paths")
_LAZY = dict.fromkeys(_NAMES, "aisec_nb.lint.engine")

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'aisec_nb.lint' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(module), name)
