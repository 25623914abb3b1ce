"""Lint output formats: ``text`` (ruff-like lines), ``json``, ``sarif`` and ``github``."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ..rules import rule, rules
from .engine import LintFinding, LintReport
from .locate import cell_line

UNREADABLE = "AISEC-L00"
"""The code of a notebook that could not be read (reported, not a finding of the notebook)."""
GITHUB_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning"}


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


@lru_cache(maxsize=64)
def _text_of(notebook: str) -> str:
    try:
        return Path(notebook).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def raw_line(finding: LintFinding) -> int:
    """The line of the raw ``.ipynb`` that shows the finding's cell."""
    index = finding.cell - 1 if finding.cell is not None else None
    return cell_line(_text_of(finding.notebook), index, finding.cell_id)


def render_sarif(report: LintReport) -> str:
    """SARIF 2.1.0 for GitHub code scanning; unreadable notebooks become ``AISEC-L00`` errors."""
    from .._version import __version__
    from ..sarif import Result, catalogue_rule, sarif_log

    described = [catalogue_rule(r.code) for r in rules("lint")]
    results = [
        Result(
            f.code,
            f.severity,
            f.message,
            uri=Path(f.notebook).as_posix(),
            logical=f"cell {f.cell}" if f.cell is not None else None,
            start_line=raw_line(f),
            properties={"cell_id": f.cell_id, "check_id": f.check_id},
        )
        for f in report.findings
    ]
    unreadable = rule(UNREADABLE)
    results.extend(
        Result(unreadable.code, unreadable.severity, e.problem, uri=Path(e.notebook).as_posix(),
               start_line=1)
        for e in report.errors
    )
    return json.dumps(sarif_log("aisec-nb", __version__, described, results), indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: LintReport) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``)."""
    lines = []
    for f in report.findings:
        level = GITHUB_LEVELS.get(f.severity, "notice")
        file = _escape_property(f.notebook)
        title = _escape_property(f"{f.code} {rule(f.code).title}")
        where = f"cell {f.cell}: " if f.cell is not None else ""
        message = _escape_data(where + f.message)
        lines.append(f"::{level} file={file},line={raw_line(f)},title={title}::{message}")
    for e in report.errors:
        file = _escape_property(e.notebook)
        lines.append(f"::error file={file},line=1,title={UNREADABLE}::{_escape_data(e.problem)}")
    return "".join(line + "\n" for line in lines)


def render(report: LintReport, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    renderers = {
        "json": render_json,
        "sarif": render_sarif,
        "github": render_github,
        "text": render_text,
    }
    return renderers[fmt](report)
