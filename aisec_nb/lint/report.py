"""Lint output formats: ``text`` (ruff-like lines) and ``json``."""

from __future__ import annotations

import json

from .engine import LintReport

FORMATS = ("text", "json")


def render_text(report: LintReport) -> str:
    """``notebook.ipynb:cell 3: AISEC-L03 [high] message`` per finding, then a summary line."""
    lines = [f"{f.location}: {f.code} [{f.severity}] {f.message}" for f in report.findings]
    lines.extend(f"{e.notebook}: error: {e.problem}" for e in report.errors)
    n_nb = len(report.notebooks)
    summary = f"{len(report.findings)} finding(s) in {n_nb} notebook(s)"
    if report.errors:
        summary += f", {len(report.errors)} notebook(s) could not be read"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render_json(report: LintReport) -> str:
    """One JSON document: findings, unreadable notebooks, counts and the exit code."""
    doc = {
        "findings": [f.to_json() for f in report.findings],
        "errors": [{"notebook": e.notebook, "message": e.problem} for e in report.errors],
        "notebooks": list(report.notebooks),
        "exit_code": report.exit_code,
    }
    return json.dumps(doc, indent=2) + "\n"


def render(report: LintReport, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    return render_json(report) if fmt == "json" else render_text(report)
