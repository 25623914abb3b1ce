"""The evidence rules: what a notebook's merged record says, and what it does not cover.

* a failed (``AISEC-L01``) or errored (``AISEC-L02``) check, once per file: a file both scanned
  and refused by the load guard is one finding naming both cells;
* stale evidence (``AISEC-L03``): a file checked has changed or gone;
* a failed or drifted monitor (``AISEC-EVID-001``);
* with ``recheck``, a model file scanned again whose result is worse than the one recorded
  (``AISEC-EVID-002``);
* loads of model files that no scan covers (``AISEC-CODE-008``) and, where the project requires
  evidence, the ``AISEC-POL-*`` rules.

The rules read the typed record (:func:`typed_record`): a check's kind is its model class and
its fields are validated, so no rule guesses at a missing or mistyped value. The threat model
has no typed model (the questionnaire owns its form), so its rules read JSON.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import AisecError, RecordError
from ..record import (
    SEVERITY_ORDER,
    VERDICT_ORDER,
    CheckResult,
    DataCheck,
    Finding,
    GuardCheck,
    ModelCheck,
    NotebookRecord,
    Target,
)
from ..transport import NotebookEvidence
from .code_rules import FileUse

FAILED = "AISEC-L01"
ERRORED = "AISEC-L02"
STALE = "AISEC-L03"
MONITOR = "AISEC-EVID-001"
CONTRADICTED = "AISEC-EVID-002"
UNSCANNED = "AISEC-CODE-008"
POLICY = {
    "model-scan": "AISEC-POL-001",
    "data-check": "AISEC-POL-002",
    "threat-model": "AISEC-POL-003",
    "model-card": "AISEC-POL-004",
    "monitoring": "AISEC-POL-005",
}
"""The rule of each requirement of ``require``."""
CLOSED_RISK = frozenset({"closed", "mitigated", "accepted", "transferred", "avoided",
                         "resolved", "n/a", "not applicable"})


@dataclass(frozen=True)
class EvidenceHit:
    """One finding of an evidence rule, at the cell that shows the evidence (if any)."""

    code: str
    message: str
    cell: int | None = None
    line: int | None = None
    column: int | None = None
    check_id: str | None = None
    cells: tuple[int, ...] = ()
    """Every cell the finding is about (a file both scanned and refused: both cells)."""


def _resolve(base: Path, given: str) -> Path:
    path = Path(given).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def _current_digest(path: Path) -> str:
    """The digest a check records for ``path``: SHA-256 of a file, root digest of a folder."""
    from ..scan import directory_digest, hash_file

    return directory_digest(path) if path.is_dir() else hash_file(path)[0]


def stale_message(target: Target | Mapping[str, Any], base: Path, *,
                  data: bool = False) -> str | None:
    """Why the evidence for ``target`` is stale, or ``None`` while it still matches.

    Any target that names a ``path`` and records its ``sha256`` is re-hashed: model files and
    folders, and DataFrames checked with a ``source`` file (``data``: hashed as the data checks
    hash a source). ``target`` is a check's typed target or JSON of that form (a model card's
    artifact row).
    """
    given, recorded = (target.path, target.sha256) if isinstance(target, Target) else (
        target.get("path"), target.get("sha256"))
    if not isinstance(given, str) or not isinstance(recorded, str):
        return None
    path = _resolve(base, given)
    if not path.exists():
        return f"{given} was checked but no longer exists"
    try:
        if data and path.is_file():
            from ..data import file_sha256

            current = file_sha256(path)[0]
        else:
            current = _current_digest(path)
    except (OSError, OverflowError, AisecError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"{given} was checked but cannot be read now: {reason}"
    if current != recorded:
        was, now = recorded[:12], current[:12]
        return f"{given} changed since it was checked (sha256 {was}… is now {now}…)"
    return None


def typed_record(evidence: NotebookEvidence, notebook: str) -> NotebookRecord:
    """The merged record as the rules read it, validated once for all of them.

    Reading the notebook validated each entry already, so this fails only where the two
    validations disagree; such a record is reported like any malformed one (the notebook
    cannot be read), not raised out of the linter.
    """
    try:
        return evidence.typed
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RecordError(notebook, f"the merged aisec record: {where}: {first['msg']}") from None


def _first_message(findings: Sequence[Finding]) -> str:
    # Worst first; a stable sort keeps the recorded order among equals (not sort_findings,
    # which orders equals by code).
    ranked = sorted(findings, key=lambda f: -SEVERITY_ORDER[f.severity])
    return ranked[0].message if ranked else "no findings recorded"


def _file_key(target: Target, base: Path) -> str | None:
    """What file a check is about, so a scan and a guard refusal of one file meet."""
    if target.sha256 is not None:
        return f"sha256:{target.sha256}"
    given = target.path or target.name
    return f"path:{_resolve(base, given)}" if given is not None else None


def check_rules(evidence: NotebookEvidence, record: NotebookRecord,
                base: Path) -> Iterator[EvidenceHit]:
    """Failed, errored and stale checks, and failed or drifted monitors."""
    checks = record.checks
    failed: dict[str, list[tuple[str, int | None]]] = {}
    for check_id in sorted(checks):
        check = checks[check_id]
        cell = evidence.cell_of_check(check_id)
        if check.verdict in ("fail", "error"):
            key = _file_key(check.target, base) or f"id:{check_id}"
            failed.setdefault(f"{check.verdict}:{key}", []).append((check_id, cell))
        stale = stale_message(check.target, base, data=isinstance(check, DataCheck))
        if stale is not None:
            yield EvidenceHit(STALE, f"stale evidence for {check_id}: {stale}; re-run the cell",
                              cell, check_id=check_id, cells=_cells(cell))
    for key, group in sorted(failed.items()):
        group.sort(key=lambda item: (item[1] is None, item[1] or 0, item[0]))
        check_id, cell = group[0]
        verb = "failed" if key.startswith("fail:") else "ended in error"
        message = f"check {check_id} {verb}: {_first_message(checks[check_id].findings)}"
        others = group[1:]
        if others:
            also = ", ".join(f"{cid} in cell {c + 1}" if c is not None else cid
                             for cid, c in others)
            message += f" (the same file also {verb} in {also})"
        code = FAILED if key.startswith("fail:") else ERRORED
        cells = tuple(sorted({c for _, c in group if c is not None}))
        yield EvidenceHit(code, message, cell, check_id=check_id, cells=cells)
    monitors = record.monitors
    for monitor_id in sorted(monitors):
        monitor = monitors[monitor_id]
        cell = evidence.cells.get(("monitors", monitor_id))
        drifted = monitor.drifted or ()
        if monitor.verdict in ("fail", "error") or drifted:
            what = f"found drift in {', '.join(drifted)}" if drifted else (
                f"ended with verdict {monitor.verdict!r}")
            first = _first_message(monitor.findings or monitor.alerts or ())
            detail = f": {first}" if first != "no findings recorded" else ""
            yield EvidenceHit(MONITOR, f"monitor {monitor_id} {what}{detail}", cell,
                              check_id=monitor_id, cells=_cells(cell))


def _cells(cell: int | None) -> tuple[int, ...]:
    return () if cell is None else (cell,)


def _covering(use: FileUse, checks: Mapping[str, CheckResult], base: Path,
              kinds: tuple[type[CheckResult], ...]) -> list[tuple[str, CheckResult]]:
    """The checks (of ``kinds``) whose target is the file ``use`` reads, or a folder holding
    it; for a data read, also a check of the DataFrame it was read into."""
    assert use.path is not None
    wanted = _resolve(base, use.path)
    found: list[tuple[str, CheckResult]] = []
    for check_id, check in checks.items():
        if not isinstance(check, kinds):
            continue
        target = check.target
        # A guarded load names its file (a stream has no path); a DataFrame's name is a variable.
        given = target.path or (target.name if isinstance(check, GuardCheck) else None)
        if given is not None:
            where = _resolve(base, given)
            if where == wanted or (target.kind == "directory" and wanted.is_relative_to(where)):
                found.append((check_id, check))
                continue
        if use.variable is not None and target.name == use.variable and \
                isinstance(check, DataCheck):
            found.append((check_id, check))
    return found


def use_rules(uses: Sequence[FileUse], record: NotebookRecord, base: Path,
              require: frozenset[str]) -> Iterator[EvidenceHit]:
    """Model loads no scan covers, and the required-evidence rules of ``require``."""
    checks = record.checks
    seen: set[tuple[str, str, int]] = set()
    for use in uses:
        if use.path is None:
            continue
        key = (use.kind, use.path, use.cell)
        if key in seen:
            continue
        seen.add(key)
        if use.kind == "model":
            covering = _covering(use, checks, base, (ModelCheck, GuardCheck))
            passing = [cid for cid, c in covering if c.verdict in ("pass", "warn")]
            if "model-scan" in require:
                if not passing:
                    why = ("its scan did not pass (" + ", ".join(cid for cid, _ in covering)
                           + ")") if covering else "no scan in this notebook covers it"
                    yield EvidenceHit(POLICY["model-scan"], f"{use.path} is loaded here "
                                      f"({use.call}) but {why}", use.cell, use.line, use.column)
            elif not covering and not use.guarded:
                yield EvidenceHit(UNSCANNED, f"{use.path} is loaded here ({use.call}) but no "
                                  "scan evidence in this notebook covers it", use.cell,
                                  use.line, use.column)
        elif use.kind == "data" and "data-check" in require and not _covering(
                use, checks, base, (DataCheck,)):
            yield EvidenceHit(POLICY["data-check"], f"{use.path} is read here ({use.call}) "
                              "but no data check in this notebook covers it", use.cell,
                              use.line, use.column)


def policy_rules(evidence: NotebookEvidence, record: NotebookRecord,
                 require: frozenset[str]) -> Iterator[EvidenceHit]:
    """The notebook-wide requirements: threat model, model card, monitoring."""
    if "threat-model" in require:
        from ..threats.lint import is_questionnaire

        threats = record.threat_model
        if threats is None:
            yield EvidenceHit(POLICY["threat-model"], "the notebook has no threat model "
                              "(%aisec threats)")
        elif not is_questionnaire(threats):  # the questionnaire's own are judged by AISEC-THR-*
            open_critical = [r for r in _risks(threats) if _open_critical(r)]
            if open_critical:
                names = ", ".join(str(r.get("id") or r.get("title") or "?")
                                  for r in open_critical[:5])
                yield EvidenceHit(POLICY["threat-model"], f"the threat model has "
                                  f"{len(open_critical)} open critical risk(s): {names}",
                                  evidence.cells.get(("threat_model", None)))
    # A card that is there is judged by the card rules (AISEC-CARD-*: missing fields,
    # placeholders), so an incomplete card is reported once.
    if "model-card" in require and record.model_card is None:
        yield EvidenceHit(POLICY["model-card"], "the notebook has no model card (%aisec card)")
    if "monitoring" in require and not record.monitors:
        yield EvidenceHit(POLICY["monitoring"], "the notebook has no monitoring evidence "
                          "(%aisec monitor)")


def card_rules(evidence: NotebookEvidence, record: NotebookRecord,
               base: Path) -> Iterator[EvidenceHit]:
    """The model card's rules (``AISEC-CARD-*``, :func:`aisec_nb.cards.card_hits`), at the cell
    that shows the card (typed, or the JSON of one this version cannot read: that is a finding
    of the card rules)."""
    card = record.model_card
    if card is None:
        return
    from ..cards.lint import card_hits

    cell = evidence.cells.get(("model_card", None))
    for hit in card_hits(card, base):
        yield EvidenceHit(hit.code, hit.message, cell, cells=_cells(cell))


def threat_rules(evidence: NotebookEvidence, base: Path,
                 require: frozenset[str]) -> Iterator[EvidenceHit]:
    """The threat model's rules (``AISEC-THR-*``, :func:`aisec_nb.threats.lint.threat_hits`),
    at the cell that shows the threat model. They read the JSON record: the questionnaire's
    form is its own, and its evidence rule judges checks as the kernel does
    (:func:`aisec_nb.threats.evidence.collect`)."""
    from ..threats.lint import threat_hits

    cell = evidence.cells.get(("threat_model", None))
    for hit in threat_hits(evidence.record, base, require=require):
        yield EvidenceHit(hit.code, hit.message, cell, cells=_cells(cell))


def _risks(threats: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    risks = threats.get("risks") or threats.get("register") or []
    if isinstance(risks, Mapping):
        risks = list(risks.values())
    return [r for r in risks if isinstance(r, Mapping)] if isinstance(risks, list) else []


def _open_critical(risk: Mapping[str, Any]) -> bool:
    residual = risk.get("residual")
    severity = residual.get("severity") if isinstance(residual, Mapping) else None
    severity = severity or risk.get("severity") or risk.get("rating")
    status = str(risk.get("status") or "open").lower()
    return str(severity).lower() == "critical" and status not in CLOSED_RISK


def recheck_rules(evidence: NotebookEvidence, record: NotebookRecord,
                  base: Path) -> Iterator[EvidenceHit]:
    """Scan every file a model check recorded again; a result worse than the record's is a
    finding. A file that changed or vanished is left to the stale-evidence rule."""
    from ..scan import scan_path

    checks = record.checks
    for check_id in sorted(checks):
        check = checks[check_id]
        target = check.target
        given = target.path
        if not isinstance(check, (ModelCheck, GuardCheck)) or given is None:
            continue
        path = _resolve(base, given)
        if not path.exists() or stale_message(target, base) is not None:
            continue
        try:
            fresh = scan_path(path)
        except (OSError, AisecError) as exc:
            yield EvidenceHit(CONTRADICTED, f"check {check_id} could not be re-checked: {exc}",
                              evidence.cell_of_check(check_id), check_id=check_id)
            continue
        recorded = check.verdict
        if VERDICT_ORDER[fresh.verdict] > VERDICT_ORDER[recorded]:
            worst = sorted(fresh.findings, key=lambda f: -SEVERITY_ORDER[f.severity])
            detail = f": {worst[0].code} {worst[0].message}" if worst else ""
            cell = evidence.cell_of_check(check_id)
            yield EvidenceHit(CONTRADICTED, f"check {check_id} records verdict {recorded!r}, "
                              f"but scanning {given} again gives {fresh.verdict!r}{detail}",
                              cell, check_id=check_id, cells=_cells(cell))
