"""Lint rules over the merged record of each notebook.

The rules (``AISEC-L00`` to ``AISEC-L03``: their severities, titles, why and fix) are in the one
rule catalogue, ``aisec_nb/rules/lint.toml``; ``aisec-nb rules`` lists them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AisecError, NotebookError
from ..notebook_io import read_notebook
from ..rules import rule
from ..transport import NotebookEvidence, read_record

SKIPPED_FOLDERS = frozenset({".ipynb_checkpoints", ".git", "node_modules", ".venv", "__pycache__"})

@dataclass(frozen=True)
class LintFinding:
    """One lint finding, located at a notebook cell where one is known; ``code`` is a rule of
    the catalogue (``aisec_nb/rules/lint.toml``)."""

    code: str
    severity: str
    message: str
    notebook: str
    cell: int | None = None
    """1-based index over all cells, as ruff counts them."""
    cell_id: str | None = None
    check_id: str | None = None

    @property
    def location(self) -> str:
        """``notebook.ipynb:cell N``, or the notebook alone."""
        return f"{self.notebook}:cell {self.cell}" if self.cell is not None else self.notebook

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "notebook": self.notebook,
            "cell": self.cell,
            "cell_id": self.cell_id,
            "check_id": self.check_id,
        }


@dataclass(frozen=True)
class LintReport:
    """Findings and unreadable notebooks of one lint run."""

    findings: tuple[LintFinding, ...] = ()
    errors: tuple[NotebookError, ...] = ()
    notebooks: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        """2 when a notebook could not be read, else 1 for findings, else 0."""
        if self.errors:
            return 2
        return 1 if self.findings else 0


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


def _current_digest(path: Path) -> str:
    """The digest a check records for ``path``: SHA-256 of a file, root digest of a folder."""
    if path.is_dir():
        from ..scan.hashing import directory_digest

        return directory_digest(path)
    from ..scan.hashing import hash_file

    return hash_file(path)[0]


def _stale_message(target: Mapping[str, Any], base: Path) -> str | None:
    """Why the evidence for ``target`` is stale, or ``None`` while it still matches.

    Any target that names a ``path`` and records its ``sha256`` is re-checked: model files and
    folders, and DataFrames checked with a ``source`` file.
    """
    given = target.get("path")
    recorded = target.get("sha256")
    if not isinstance(given, str) or not isinstance(recorded, str):
        return None
    path = Path(given) if Path(given).is_absolute() else base / given
    if not path.exists():
        return f"{given} was checked but no longer exists"
    try:
        current = _current_digest(path)
    except (OSError, OverflowError, AisecError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"{given} was checked but cannot be read now: {reason}"
    if current != recorded:
        was, now = recorded[:12], current[:12]
        return f"{given} changed since it was checked (sha256 {was}… is now {now}…)"
    return None


def rules_for(
    evidence: NotebookEvidence, notebook: str, base: Path, cell_ids: list[str | None]
) -> Iterator[LintFinding]:
    """The findings of every rule over one notebook's evidence."""
    for check_id, check in sorted(evidence.record.get("checks", {}).items()):
        index = evidence.cell_of_check(check_id)
        cell = index + 1 if index is not None else None
        cell_id = cell_ids[index] if index is not None and index < len(cell_ids) else None

        found: list[tuple[str, str]] = []
        verdict = check.get("verdict")
        if verdict == "fail":
            found.append(("AISEC-L01", f"check {check_id} failed: {_first_message(check)}"))
        elif verdict == "error":
            found.append(("AISEC-L02", f"check {check_id} ended in error: {_first_message(check)}"))
        stale = _stale_message(check.get("target", {}), base)
        if stale is not None:
            found.append(("AISEC-L03", f"stale evidence for {check_id}: {stale}; re-run the cell"))
        for code, message in found:
            severity = rule(code).severity
            yield LintFinding(code, severity, message, notebook, cell, cell_id, check_id)


def _first_message(check: Mapping[str, Any]) -> str:
    findings = check.get("findings") or []
    ranked = sorted(
        findings,
        key=lambda f: (
            -["info", "low", "medium", "high", "critical"].index(f.get("severity", "info"))
        ),
    )
    return str(ranked[0].get("message", "")) if ranked else "no findings recorded"


def lint_notebook(path: Path, *, ignore: frozenset[str] = frozenset()) -> list[LintFinding]:
    """All findings for one notebook; raises :class:`NotebookError` when it cannot be read."""
    nb = read_notebook(path)
    evidence = read_record(nb, str(path))
    cell_ids = [cell.get("id") for cell in nb.cells]
    found = rules_for(evidence, str(path), path.parent, cell_ids)
    return [f for f in found if f.code not in ignore]


def lint_paths(paths: Iterable[Path], *, ignore: frozenset[str] = frozenset()) -> LintReport:
    """Lint every notebook under ``paths``; one unreadable notebook does not stop the others."""
    findings: list[LintFinding] = []
    errors: list[NotebookError] = []
    seen: list[str] = []
    for nb_path in discover_notebooks(paths):
        seen.append(str(nb_path))
        try:
            findings.extend(lint_notebook(nb_path, ignore=ignore))
        except NotebookError as exc:
            errors.append(exc)
        except AisecError as exc:
            errors.append(NotebookError(str(nb_path), str(exc)))
    return LintReport(tuple(findings), tuple(errors), tuple(seen))
