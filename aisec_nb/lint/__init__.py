"""``aisec-nb lint``: rules over notebooks and their recorded evidence."""

from __future__ import annotations

from .._lazy import lazy_attributes

# Served lazily so that building the CLI parser does not import the Record (pydantic).
_NAMES = ("LintFinding", "LintReport", "discover_notebooks", "lint_notebook", "lint_paths")
_LAZY = dict.fromkeys(_NAMES, "aisec_nb.lint.engine")

__all__ = sorted(_LAZY)


__getattr__ = lazy_attributes(__name__, _LAZY)
