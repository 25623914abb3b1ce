"""Lint output formats: ``text`` (ruff-like), ``json``, ``sarif`` (2.1.0) and ``github``.

Every reporter uses the one location convention of :mod:`.engine`: the cell shown 1-based as
``cell N`` (text, GitHub, SARIF's logical location) with its 0-based index in the data (JSON
``cell``, SARIF ``properties.cell``), the line inside the cell, and the raw ``.ipynb`` line
(SARIF's physical location and GitHub's ``line=``), so code scanning shows a finding on the
line of the file that holds it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..rules import rule, rules
from .engine import LintFinding, LintReport

UNREADABLE = "AISEC-L00"
"""The code of a notebook that could not be read (reported, not a finding of the notebook)."""
GITHUB_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning"}
GITHUB_SHOWN = 10
"""GitHub shows at most 10 error and 10 warning annotations of a step; the rest are summarised."""


def render_text(report: LintReport) -> str:
    """``notebook.ipynb:cell 3:2:5: AISEC-CODE-001 [high] message`` per finding, followed by
    the source line where there is one, then unreadable notebooks and a summary line."""
    lines = []
    for f in report.findings:
        lines.append(f"{f.location}: {f.code} [{f.severity}] {f.message}")
        if f.source:
            lines.append(f"    {f.source}")
    for f in report.suppressed:
        lines.append(f"{f.location}: {f.code} suppressed: {f.reason}")
    lines.extend(f"{e.notebook}: error: {e.problem}" for e in report.errors)
    summary = f"{len(report.findings)} finding(s) in {len(report.notebooks)} notebook(s)"
    if report.suppressed:
        summary += f", {len(report.suppressed)} suppressed"
    if report.errors:
        summary += f", {len(report.errors)} notebook(s) could not be read"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render_json(report: LintReport) -> str:
    """One JSON document: findings, suppressed findings (with their reasons), unreadable
    notebooks, counts and the exit code. ``cell`` is 0-based (``nb.cells[i]``)."""
    doc = {
        "findings": [f.to_json() for f in report.findings],
        "suppressed": [f.to_json() for f in report.suppressed],
        "errors": [{"notebook": e.notebook, "message": e.problem} for e in report.errors],
        "notebooks": list(report.notebooks),
        "fail_on": report.fail_on,
        "exit_code": report.exit_code,
    }
    return json.dumps(doc, indent=2) + "\n"


def raw_line(finding: LintFinding) -> int:
    """The line of the raw ``.ipynb`` that shows the finding."""
    return finding.raw_line or 1


def _uri(notebook: str) -> str:
    path = Path(notebook)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _result(f: LintFinding, *, suppressed: bool = False) -> object:
    from ..sarif import Result

    return Result(
        f.code,
        f.severity,
        f.message,
        uri=_uri(f.notebook),
        logical=f"cell {f.cell + 1}" if f.cell is not None else None,
        start_line=raw_line(f),
        properties={"cell": f.cell, "cell_id": f.cell_id, "cell_line": f.line,
                    "cell_column": f.column, "check_id": f.check_id},
        suppression=f.reason if suppressed else None,
    )


def render_sarif(report: LintReport) -> str:
    """SARIF 2.1.0 for GitHub code scanning: the linter's rules from the catalogue, one result
    per finding at its raw file line, suppressed findings as in-source suppressions with their
    reason, unreadable notebooks as ``AISEC-L00`` errors."""
    from .._version import __version__
    from ..sarif import Result, catalogue_rule, sarif_log

    described = [catalogue_rule(r.code) for r in rules("lint")]
    results = [_result(f) for f in report.findings]
    results.extend(_result(f, suppressed=True) for f in report.suppressed)
    unreadable = rule(UNREADABLE)
    results.extend(
        Result(unreadable.code, unreadable.severity, e.problem, uri=_uri(e.notebook),
               start_line=1)
        for e in report.errors
    )
    log = sarif_log("aisec-nb", __version__, described, results,  # type: ignore[arg-type]
                    information_uri="https://github.com/aisec-nb/aisec-nb")
    return json.dumps(log, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: LintReport) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``) at the raw
    file line; at most :data:`GITHUB_SHOWN` errors and warnings, then one notice that counts
    the rest (the full report goes to the job summary)."""
    lines = []
    shown: Counter[str] = Counter()
    left: Counter[str] = Counter()
    for f in report.findings:
        level = GITHUB_LEVELS.get(f.severity, "notice")
        if shown[level] >= GITHUB_SHOWN:
            left[level] += 1
            continue
        shown[level] += 1
        file = _escape_property(f.notebook)
        title = _escape_property(f"{f.code} {rule(f.code).title}")
        where = f"cell {f.cell + 1}: " if f.cell is not None else ""
        message = _escape_data(where + f.message)
        lines.append(f"::{level} file={file},line={raw_line(f)},title={title}::{message}")
    for e in report.errors:
        file = _escape_property(e.notebook)
        lines.append(f"::error file={file},line=1,title={UNREADABLE}::{_escape_data(e.problem)}")
    if left:
        counts = ", ".join(f"{n} more {level}(s)" for level, n in sorted(left.items()))
        lines.append(f"::notice title=aisec-nb lint::{counts} not annotated (GitHub shows "
                     f"{GITHUB_SHOWN} of each per step); the job summary lists every finding")
    return "".join(line + "\n" for line in lines)


def render_summary(report: LintReport) -> str:
    """The full report as Markdown, for ``$GITHUB_STEP_SUMMARY``."""
    out = ["### aisec-nb lint", ""]
    if report.findings:
        out += ["| where | raw line | code | severity | message |", "|---|---|---|---|---|"]
        for f in report.findings:
            message = f.message.replace("|", "\\|")
            out.append(f"| `{f.location}` | {raw_line(f)} | {f.code} | {f.severity} | "
                       f"{message} |")
        out.append("")
    for e in report.errors:
        out.append(f"- `{e.notebook}`: could not be read: {e.problem}")
    if report.suppressed:
        out.append(f"{len(report.suppressed)} finding(s) suppressed in the notebooks.")
    out.append(render_text(report).splitlines()[-1])
    return "\n".join(out) + "\n"


def render(report: LintReport, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    renderers = {
        "json": render_json,
        "sarif": render_sarif,
        "github": render_github,
        "text": render_text,
    }
    return renderers[fmt](report)
