"""What evidence says about a model, as card values: model files from model checks, datasets from
data checks, open risks and limitations from the threat model, library versions from the
environment, and the comparison of an OpenSSF ``model.sig`` with the files' digests.

The functions take the typed Record and plain inputs; they never run a check themselves except
:func:`signature_check`, which reads the ``model.sig`` it is pointed at.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..record import (
    CheckResult,
    DataCheck,
    Finding,
    ModelCheck,
    NotebookRecord,
    Target,
    Timing,
    Verdict,
    make_check,
)
from .model import ENVIRONMENT, THREAT_MODEL, CardValue, EvidenceRef, check_source

SIGNATURE_KIND = "signature"
"""The kind of check :func:`signature_check` records (``checks["signature:<path>"]``)."""
CLOSED_RISK = frozenset({"closed", "mitigated", "accepted", "transferred", "avoided",
                         "resolved", "n/a", "not applicable"})
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
ROLE_OF_CHECK = {"training": "training", "fine-tuning": "fine-tuning", "evaluation": "evaluation"}
"""A data check's role -> the card's role; a check's ``feedback`` data is human or operational
feedback, which the user says."""

FRAMEWORKS: Mapping[str, str] = {
    "torch": "torch", "tensorflow": "tensorflow", "keras": "keras", "jax": "jax",
    "flax": "flax", "sklearn": "scikit-learn", "xgboost": "xgboost", "lightgbm": "lightgbm",
    "catboost": "catboost", "transformers": "transformers", "peft": "peft",
    "sentence_transformers": "sentence-transformers", "diffusers": "diffusers",
    "onnx": "onnx", "onnxruntime": "onnxruntime", "safetensors": "safetensors",
    "statsmodels": "statsmodels", "joblib": "joblib", "gguf": "gguf", "spacy": "spacy",
}
"""Import name -> distribution of the ML libraries a card lists when the kernel imported them."""


@dataclass(frozen=True)
class AutoFill:
    """Card values evidence gives, and the results they come from."""

    fields: dict[str, CardValue] = field(default_factory=dict)
    evidence: dict[str, EvidenceRef] = field(default_factory=dict)


def _norm(path: str, base: Path | None) -> str:
    given = Path(path).expanduser()
    if base is not None and not given.is_absolute():
        given = base / given
    return os.path.normpath(str(given))


def environment_libraries(modules: Iterable[str]) -> dict[str, str]:
    """``{distribution: version}`` of the known ML libraries among the imported ``modules``
    (names as in ``sys.modules``), sorted by name."""
    out: dict[str, str] = {}
    for name in modules:
        dist = FRAMEWORKS.get(name.split(".", 1)[0])
        if dist is None or dist in out:
            continue
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return dict(sorted(out.items()))


def _ref(check: CheckResult) -> EvidenceRef:
    t = check.target
    return EvidenceRef(kind=check.kind, verdict=check.verdict, path=t.path, name=t.name,
                       sha256=t.sha256, content_hash=t.content_hash,
                       recorded_at=check.recorded_at)


def _artifact(check: ModelCheck) -> dict[str, Any]:
    t, s = check.target, check.summary
    fmt = s.format or ("directory" if t.kind == "directory" else None)
    if t.kind == "directory" and s.files is not None:
        fmt = f"directory of {len(s.files)} files"
    row: dict[str, Any] = {"path": t.path, "sha256": t.sha256, "size": t.size, "format": fmt,
                           "scan_verdict": check.verdict, "source": check_source(check.id)}
    return {k: v for k, v in row.items() if v is not None}


def model_checks(record: NotebookRecord, models: Sequence[str] | None,
                 base: Path | None = None) -> list[ModelCheck]:
    """The model checks whose target is one of ``models`` (all of them for ``None``), newest
    per path, in the order of ``models`` (or of their ids)."""
    checks = [c for c in record.checks.values() if isinstance(c, ModelCheck) and c.target.path]
    if models is None:
        return sorted(checks, key=lambda c: c.id)
    out = []
    for wanted in models:
        target = _norm(wanted, base)
        found = [c for c in checks if _norm(str(c.target.path), base) == target]
        if found:
            out.append(max(found, key=lambda c: c.recorded_at))
    return out


def _dataset(check: DataCheck) -> dict[str, Any]:
    t, s = check.target, check.summary
    pii = sum(int(n) for kinds in s.pii.values() for n in kinds.values())
    row: dict[str, Any] = {
        "name": t.name or t.path or check.id, "sha256": t.sha256 or t.content_hash,
        "rows": s.rows, "contains_pii": "yes" if pii else "no", "pii_cells": pii,
        "source": check_source(check.id),
    }
    role = ROLE_OF_CHECK.get(str(check.parameters.role or ""))
    if role is not None:
        row["role"] = role
    if t.path:
        row["uri"] = t.path
    return {k: v for k, v in row.items() if v is not None}


def _risks(threats: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    risks = threats.get("risks") or threats.get("register") or []
    if isinstance(risks, Mapping):
        risks = [{"id": k, **v} if isinstance(v, Mapping) else {"id": k} for k, v in
                 risks.items()]
    return [r for r in risks if isinstance(r, Mapping)] if isinstance(risks, list) else []


def _severity(risk: Mapping[str, Any]) -> str:
    residual = risk.get("residual")
    severity = residual.get("severity") if isinstance(residual, Mapping) else None
    return str(severity or risk.get("severity") or risk.get("rating") or "").lower()


def open_risks(threats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The threat model's risks whose status is not closed, as card rows."""
    rows = []
    for i, risk in enumerate(_risks(threats), 1):
        status = str(risk.get("status") or "open").lower()
        if status in CLOSED_RISK:
            continue
        row = {"id": str(risk.get("id") or f"risk {i}"),
               "title": str(risk.get("title") or risk.get("threat") or risk.get("name") or ""),
               "severity": _severity(risk), "status": status, "source": THREAT_MODEL}
        rows.append({k: v for k, v in row.items() if v != ""})
    return rows


def design_reviewed(threats: Mapping[str, Any] | None) -> bool:
    """Whether the threat model answered the model-selection design questions (``DE4.*``)."""
    answers = threats.get("answers") if isinstance(threats, Mapping) else None
    if not isinstance(answers, Mapping):
        return False
    def answered(value: Any) -> bool:
        given = value.get("value") if isinstance(value, Mapping) else value
        return given not in (None, "", "n/a", [], {})

    return any(str(k).upper().startswith("DE4") and answered(v) for k, v in answers.items())


def threat_model_values(threats: Mapping[str, Any]) -> dict[str, CardValue]:
    """The card values a threat model gives: a reference with its open risks, the open risks,
    and its limitations when it lists any."""
    risks = open_risks(threats)
    worst = max((r.get("severity", "") for r in risks), default="",
                key=lambda s: SEVERITY_RANK.get(s, -1))
    reference = str(threats.get("id") or threats.get("name") or threats.get("title")
                    or "metadata.aisec.threat_model")
    summary = {"reference": reference, "open_risks": len(risks),
               "residual_risk": worst or "none open"}
    out = {"threat_model": CardValue(value=summary, source=THREAT_MODEL),
           "open_risks": CardValue(value=risks, source=THREAT_MODEL)}
    limitations = threats.get("limitations")
    if isinstance(limitations, list) and limitations:
        texts = [str(x.get("text") or x.get("title") or x) if isinstance(x, Mapping) else str(x)
                 for x in limitations]
        out["limitations"] = CardValue(value=[t for t in texts if t.strip()],
                                       source=THREAT_MODEL)
    return out


def autofill(record: NotebookRecord, *, models: Sequence[str] | None = None,
             base: Path | None = None, libraries: Mapping[str, str] | None = None,
             data: Sequence[str] | None = None) -> AutoFill:
    """The card values the record and the environment prove.

    ``models`` picks the model checks that are this model's files (all model checks when
    ``None``), ``data`` the data checks of this model's datasets, by DataFrame name or check id
    (all data checks when ``None``); ``libraries`` is ``{name: version}`` from
    :func:`environment_libraries`.
    """
    fields: dict[str, CardValue] = {}
    evidence: dict[str, EvidenceRef] = {}
    artifacts = model_checks(record, models, base)
    if artifacts:
        fields["artifacts"] = CardValue(value=[_artifact(c) for c in artifacts],
                                        source=check_source(artifacts[0].id))
        evidence.update((c.id, _ref(c)) for c in artifacts)
    checked = sorted((c for c in record.checks.values() if isinstance(c, DataCheck) and (
        data is None or c.id in data or c.target.name in data)), key=lambda c: c.id)
    if checked:
        rows = [_dataset(c) for c in checked]
        fields["datasets"] = CardValue(value=rows, source=check_source(checked[0].id))
        evidence.update((c.id, _ref(c)) for c in checked)
        with_pii = [c for c, r in zip(checked, rows, strict=True) if r["contains_pii"] == "yes"]
        fields["uses_sensitive_personal_data"] = CardValue(
            value="yes" if with_pii else "no",
            source=check_source((with_pii or checked)[0].id))
    artifact_paths = {_norm(str(c.target.path), base) for c in artifacts}
    signatures = [c for c in record.checks.values() if c.kind == SIGNATURE_KIND and
                  isinstance(c.parameters, Mapping) and
                  _norm(str(c.parameters.get("artifact", "")), base) in artifact_paths]
    if signatures:
        sig = max(signatures, key=lambda c: (VERDICT_RANK[c.verdict], c.id))
        summary = sig.summary if isinstance(sig.summary, Mapping) else {}
        value = {"format": summary.get("format"), "path": sig.target.path,
                 "method": summary.get("method"), "root_digest": summary.get("root_digest"),
                 "verified": summary.get("verified"), "verdict": sig.verdict, "check": sig.id}
        fields["signature"] = CardValue(value={k: v for k, v in value.items() if v is not None},
                                        source=check_source(sig.id))
        evidence.update((c.id, _ref(c)) for c in signatures)
    if isinstance(record.threat_model, Mapping):
        fields.update(threat_model_values(record.threat_model))
    if libraries:
        fields["library"] = CardValue(value=[{"name": k, "version": v, "source": ENVIRONMENT}
                                             for k, v in libraries.items()], source=ENVIRONMENT)
    return AutoFill(fields=fields, evidence=evidence)


VERDICT_RANK = {"pass": 0, "warn": 1, "fail": 2, "error": 3}


# --- the OpenSSF signature next to a model ------------------------------------------------------


SIGNATURE_NAME = "model.sig"
"""The OpenSSF model signing bundle's usual name (``scan.signing.SIGNATURE_NAME``)."""


def signature_path(artifact: Path) -> Path:
    """Where a ``model.sig`` for ``artifact`` lies: in the folder, or beside the file."""
    return artifact / SIGNATURE_NAME if artifact.is_dir() else artifact.parent / SIGNATURE_NAME


def signature_check(check: ModelCheck, base: Path | None = None) -> CheckResult | None:
    """Compare the ``model.sig`` next to a checked model with the digests the check recorded.

    The signature is read as untrusted JSON of bounded size (``scan.signing.read_model_sig``);
    every resource digest it lists is compared with ours, and a mismatch, or a signature that
    cannot be read, fails the check (``AISEC-SIG-001``, ``AISEC-SIG-003``). ``None`` when there
    is no ``model.sig``. The signature itself is not verified cryptographically, and the check
    says so.
    """
    given = str(check.target.path)
    path = Path(given) if base is None or Path(given).is_absolute() else base / given
    sig = signature_path(path)
    if not sig.is_file():
        return None
    from ..scan.context import finding
    from ..scan.signing import SignatureError, compare, read_model_sig

    timing = Timing.start()
    folder = Path(given) if check.target.kind == "directory" else Path(given).parent
    rel_sig = (folder / "model.sig").as_posix()
    ours: dict[str, str] = {}
    if check.target.kind == "directory":
        ours = {f.name: f.sha256 for f in check.summary.files or () if f.sha256}
    elif check.target.sha256:
        ours = {path.name: check.target.sha256}
    findings: list[Finding] = []
    summary: dict[str, Any] = {"artifact_sha256": check.target.sha256}
    try:
        claims = read_model_sig(sig)
    except (SignatureError, OSError) as exc:
        findings.append(finding("AISEC-SIG-003", f"model.sig: {exc}", member="model.sig"))
    else:
        summary.update(claims.describe())
        findings.extend(compare(claims, ours, whole_folder=check.target.kind == "directory"))
    try:
        digest = hashlib.sha256(sig.read_bytes()).hexdigest()
        size: int | None = sig.stat().st_size
    except OSError:
        digest, size = None, None
    bad = {"AISEC-SIG-001", "AISEC-SIG-003"}
    verdict: Verdict
    if any(f.code in bad or SEVERITY_RANK[f.severity] >= 3 for f in findings):
        verdict = "fail"
    elif any(SEVERITY_RANK[f.severity] >= 1 for f in findings):
        verdict = "warn"
    else:
        verdict = "pass"
    return make_check(CheckResult, kind=SIGNATURE_KIND, id=f"{SIGNATURE_KIND}:{rel_sig}",
                      target=Target(kind="file", path=rel_sig, size=size, sha256=digest),
                      verdict=verdict,
                      findings=findings, timing=timing,
                      parameters={"artifact": given, "check": check.id}, summary=summary)
