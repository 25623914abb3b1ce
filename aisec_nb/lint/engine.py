"""Lint notebooks: their code cells, their saved outputs and their recorded evidence.

Every rule is catalogued (``aisec_nb/rules/lint.toml``; ``aisec-nb rules`` lists them):

* evidence: failed (``AISEC-L01``), errored (``AISEC-L02``) and stale (``AISEC-L03``) checks,
  failed or drifted monitors (``AISEC-EVID-001``), re-checks that contradict the record
  (``AISEC-EVID-002``);
* code cells (``AISEC-CODE-*``): :mod:`.code_rules`;
* outputs (``AISEC-OUT-*``): :mod:`.outputs`;
* required evidence (``AISEC-POL-*``) and suppressions (``AISEC-SUP-*``).

Locations, one convention everywhere: ``cell`` is the 0-based index over **all** cells (the
``nb.cells[i]`` of nbformat; text output shows it 1-based, as ``cell N``, the way ruff and
Jupyter count), ``line`` and ``column`` are 1-based inside the cell's source, and ``raw_line``
is the 1-based line of the ``.ipynb`` file as stored, which SARIF and GitHub annotations use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import AisecError, NotebookError
from ..notebook_io import read_notebook
from ..rules import find, rule
from ..settings import LintSettings
from .detectors import mask

SKIPPED_FOLDERS = frozenset({".ipynb_checkpoints", ".git", "node_modules", ".venv", "__pycache__"})
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
DEFAULT_SETTINGS = LintSettings()


@dataclass(frozen=True)
class LintFinding:
    """One lint finding; ``code`` is a rule of the catalogue (``aisec_nb/rules/lint.toml``)."""

    code: str
    severity: str
    message: str
    notebook: str
    cell: int | None = None
    """0-based index over all cells (``nb.cells[i]``); shown 1-based as ``cell N``."""
    cell_id: str | None = None
    check_id: str | None = None
    line: int | None = None
    """1-based line inside the cell's source."""
    column: int | None = None
    """1-based column inside that line."""
    raw_line: int | None = None
    """1-based line of the raw ``.ipynb`` file."""
    output: int | None = None
    """0-based index of the output, for a finding in a saved output."""
    source: str | None = None
    """The cell's source line (credentials masked), for code findings."""
    cells: tuple[int, ...] = ()
    """Every cell the finding is about (0-based), when it names more than one."""
    reason: str | None = None
    """Why it is suppressed, for a finding a ``# aisec: ignore[...]`` comment suppressed."""

    @property
    def location(self) -> str:
        """``notebook.ipynb:cell N:LINE:COL`` (cell 1-based), ``notebook.ipynb:cell N``, or the
        notebook alone."""
        if self.cell is None:
            return self.notebook
        where = f"{self.notebook}:cell {self.cell + 1}"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return where

    @property
    def title(self) -> str:
        known = find(self.code)
        return known.title if known is not None else self.code

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "notebook": self.notebook,
            "cell": self.cell,
            "cell_id": self.cell_id,
            "line": self.line,
            "column": self.column,
            "raw_line": self.raw_line,
            "check_id": self.check_id,
        }
        if self.output is not None:
            out["output"] = self.output
        if self.cells:
            out["cells"] = list(self.cells)
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class NotebookResult:
    """What linting one notebook gave: findings, and findings suppressed in the notebook."""

    findings: tuple[LintFinding, ...] = ()
    suppressed: tuple[LintFinding, ...] = ()


@dataclass(frozen=True)
class LintReport:
    """Findings and unreadable notebooks of one lint run."""

    findings: tuple[LintFinding, ...] = ()
    errors: tuple[NotebookError, ...] = ()
    notebooks: tuple[str, ...] = field(default=())
    suppressed: tuple[LintFinding, ...] = ()
    """Findings suppressed by a ``# aisec: ignore[CODE] reason`` comment (with the reason)."""
    fail_on: str = "info"
    """The mildest severity that counts for the exit code."""

    @property
    def failing(self) -> tuple[LintFinding, ...]:
        """The findings at or above :attr:`fail_on`."""
        floor = SEVERITY_RANK.get(self.fail_on, 0)
        return tuple(f for f in self.findings if SEVERITY_RANK.get(f.severity, 4) >= floor)

    @property
    def exit_code(self) -> int:
        """2 when a notebook could not be read, else 1 for findings at or above ``fail_on``,
        else 0."""
        if self.errors:
            return 2
        return 1 if self.failing else 0


def discover_notebooks(paths: Iterable[Path]) -> Iterator[Path]:
    """Notebooks named directly, and those found by walking named folders (sorted)."""
    for path in paths:
        if path.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS)
                found.extend(Path(root, f) for f in files if f.endswith(".ipynb"))
            yield from sorted(found)
        else:
            yield path


# --- matching paths ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A ``/``-separated glob: ``**`` any folders, ``*`` and ``?`` inside one name."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?$")


def path_ignores(notebook: Path, settings: LintSettings) -> frozenset[str]:
    """The codes ``per_path_ignores`` skips for ``notebook`` (``"*"``: all)."""
    if not settings.per_path_ignores:
        return frozenset()
    candidate = notebook.resolve()
    if settings.root is not None and candidate.is_relative_to(settings.root.resolve()):
        text = candidate.relative_to(settings.root.resolve()).as_posix()
    else:
        text = notebook.as_posix()
    out: set[str] = set()
    for pattern, codes in settings.per_path_ignores:
        if _glob(pattern).match(text):
            out |= codes
    return frozenset(out)


# --- one notebook --------------------------------------------------------------------------------


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _mask_line(line: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            line = line.replace(secret, mask(secret))
    return line


def lint_one(path: Path, settings: LintSettings = DEFAULT_SETTINGS, *,
             ignore: frozenset[str] = frozenset(), recheck: bool = False) -> NotebookResult:
    """Lint one notebook; raises :class:`NotebookError` when it cannot be read."""
    from ..transport import read_record
    from . import evidence as ev
    from .code_rules import check_sources, iter_hits
    from .outputs import output_rules
    from .suppress import NO_REASON, UNUSED, suppressions

    nb = read_notebook(path)
    name = str(path)
    record = read_record(nb, name)
    typed = ev.typed_record(record, name)
    base = path.parent
    cells = nb.cells
    sources = [_source(c) for c in cells]
    cell_ids = [c.get("id") for c in cells]
    code_cells = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"]

    raw: list[tuple[str, str, dict[str, Any]]] = []  # (code, message, location fields)
    result = check_sources([(i, sources[i]) for i in code_cells], base)
    for hit in iter_hits(result):
        lines = sources[hit.cell].split("\n")
        text = lines[hit.line - 1] if 0 < hit.line <= len(lines) else ""
        raw.append((hit.code, hit.message, {
            "cell": hit.cell, "line": hit.line, "column": hit.column,
            "source": _mask_line(text, hit.redact).strip()}))
    hits = [*ev.check_rules(record, typed, base),
            *ev.use_rules(result.uses, typed, base, settings.require),
            *ev.policy_rules(record, typed, settings.require),
            *ev.card_rules(record, typed, base), *ev.threat_rules(record, base, settings.require)]
    if recheck:
        hits.extend(ev.recheck_rules(record, typed, base))
    for found in hits:
        fields: dict[str, Any] = {"cell": found.cell, "check_id": found.check_id,
                                  "cells": found.cells if len(found.cells) > 1 else ()}
        if found.line is not None and found.cell is not None:
            lines = sources[found.cell].split("\n")
            fields.update(line=found.line, column=found.column,
                          source=lines[found.line - 1].strip() if found.line <= len(lines)
                          else None)
        raw.append((found.code, found.message, fields))
    output_paths: dict[int, tuple[tuple[str | int, ...], int | None]] = {}
    for out in output_rules(cells, settings.max_output_bytes):
        output_paths[len(raw)] = (out.path, out.element)
        raw.append((out.code, out.message, {"cell": out.cell, "output": out.output}))

    findings = []
    for code, message, fields in raw:
        cell = fields.get("cell")
        findings.append(LintFinding(
            code, rule(code).severity, message, name,
            cell_id=cell_ids[cell] if cell is not None and cell < len(cell_ids) else None,
            **fields,
        ))

    # Suppressions, then ignores.
    marks = [s for i in code_cells for s in suppressions(i, sources[i])]
    used: set[int] = set()
    kept: list[LintFinding] = []
    quiet: list[LintFinding] = []
    for finding in findings:
        match = None
        for n, mark in enumerate(marks):
            if mark.cell != finding.cell or finding.code not in mark.codes or not mark.reason:
                continue
            if finding.line is None or finding.line == mark.line:
                match = n
                break
        if match is None:
            kept.append(finding)
        else:
            used.add(match)
            quiet.append(replace(finding, reason=marks[match].reason))
    for n, mark in enumerate(marks):
        lines = sources[mark.cell].split("\n")
        where: dict[str, Any] = {"cell": mark.cell, "line": mark.line, "column": mark.column,
                 "source": lines[mark.line - 1].strip()}
        if not mark.reason:
            kept.append(LintFinding(NO_REASON, rule(NO_REASON).severity,
                                    f"suppression of {', '.join(mark.codes or mark.unknown)} "
                                    "has no reason, so it suppresses nothing", name,
                                    cell_id=cell_ids[mark.cell], **where))
        elif mark.unknown:
            kept.append(LintFinding(UNUSED, rule(UNUSED).severity,
                                    f"suppression names unknown code(s) "
                                    f"{', '.join(mark.unknown)}", name,
                                    cell_id=cell_ids[mark.cell], **where))
        elif n not in used:
            kept.append(LintFinding(UNUSED, rule(UNUSED).severity,
                                    f"suppression of {', '.join(mark.codes)} matches no finding "
                                    "on its line", name, cell_id=cell_ids[mark.cell], **where))
    skip = ignore | settings.ignore | path_ignores(path, settings)
    if skip:
        every = "*" in skip
        kept = [f for f in kept if not every and f.code not in skip]

    if kept or quiet:
        kept = _place(path, nb, kept, findings, output_paths)
        quiet = _place(path, nb, quiet, findings, output_paths)
    return NotebookResult(tuple(sorted(kept, key=_order)), tuple(sorted(quiet, key=_order)))


def _order(f: LintFinding) -> tuple[int, int, int, str, str]:
    return (f.cell if f.cell is not None else -1, f.line or 0, f.column or 0, f.code, f.message)


def _place(path: Path, nb: Any, items: list[LintFinding], made: list[LintFinding],
           output_paths: dict[int, tuple[tuple[str | int, ...], int | None]]) -> list[LintFinding]:
    """The findings with their raw file line."""
    from .locate import RawLocator

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return items
    locator = RawLocator(text, nb)
    by_identity = {id(f): n for n, f in enumerate(made)}
    out = []
    for finding in items:
        line: int | None = None
        origin = by_identity.get(id(finding))
        if finding.output is not None:
            key = next((n for n, f in enumerate(made) if f == replace(finding, reason=None)),
                       origin)
            if key is not None and key in output_paths:
                json_path, element = output_paths[key]
                line = locator.text_line(json_path, element)
        elif finding.cell is not None:
            source = nb.cells[finding.cell].get("source", "")
            line = locator.source_line(finding.cell, finding.line or 1, source)
        out.append(replace(finding, raw_line=line or locator.cell_line(finding.cell or 0) or 1
                           if finding.cell is not None else 1))
    return out


def lint_notebook(path: Path, *, ignore: frozenset[str] = frozenset(),
                  settings: LintSettings | None = None, recheck: bool = False
                  ) -> list[LintFinding]:
    """All findings for one notebook; raises :class:`NotebookError` when it cannot be read."""
    return list(lint_one(path, settings or DEFAULT_SETTINGS, ignore=ignore,
                         recheck=recheck).findings)


def _warm() -> None:
    """Import what linting a notebook needs (the workers of a forked pool inherit it)."""
    import importlib

    for name in ("nbformat", "aisec_nb.transport", "aisec_nb.lint.code_rules",
                 "aisec_nb.lint.evidence", "aisec_nb.lint.outputs", "aisec_nb.lint.suppress"):
        importlib.import_module(name)
    from .detectors import may_be_sensitive

    may_be_sensitive("")  # loads the detectors' patterns


def _job(args: tuple[Path, LintSettings, frozenset[str], bool]
         ) -> NotebookResult | NotebookError:
    path, settings, ignore, recheck = args
    try:
        return lint_one(path, settings, ignore=ignore, recheck=recheck)
    except NotebookError as exc:
        return exc
    except AisecError as exc:
        return NotebookError(str(path), str(exc))


def lint_paths(paths: Iterable[Path], *, ignore: frozenset[str] = frozenset(),
               settings: LintSettings | None = None, recheck: bool = False,
               jobs: int = 1) -> LintReport:
    """Lint every notebook under ``paths``; one unreadable notebook does not stop the others.

    ``jobs`` > 1 lints notebooks in that many processes (the report is the same, in the same
    order).
    """
    used = settings or DEFAULT_SETTINGS
    notebooks = list(discover_notebooks(paths))
    work = [(p, used, ignore, recheck) for p in notebooks]
    if jobs > 1 and len(work) > 1:
        from concurrent.futures import ProcessPoolExecutor

        _warm()  # imported once here, so forked workers start with them

        with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
            results = list(pool.map(_job, work, chunksize=max(1, len(work) // (jobs * 8))))
    else:
        results = [_job(item) for item in work]
    findings: list[LintFinding] = []
    suppressed: list[LintFinding] = []
    errors: list[NotebookError] = []
    for outcome in results:
        if isinstance(outcome, NotebookError):
            errors.append(outcome)
        else:
            findings.extend(outcome.findings)
            suppressed.extend(outcome.suppressed)
    return LintReport(tuple(findings), tuple(errors), tuple(str(p) for p in notebooks),
                      tuple(suppressed), used.fail_on)
