"""``aisec-nb lint``: rules over notebooks and their recorded evidence."""

from __future__ import annotations

from .engine import LintFinding, LintReport, discover_notebooks, lint_notebook, lint_paths

__all__ = ["LintFinding", "LintReport", "discover_notebooks", "lint_notebook", "lint_paths"]
