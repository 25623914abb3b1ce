"""A card filled from real evidence: a scanned model file, two checked DataFrames, a threat model
and the user's answers, for the card tests."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aisec_nb.cards import AutoFill, CardState, ModelCard, autofill, build_card, metrics_rows
from aisec_nb.data import check_dataframe
from aisec_nb.record import NotebookRecord, to_json
from aisec_nb.scan import scan_path

HOSTILE = "<img src=x onerror=alert(1)>"
NOW = _dt.datetime(2026, 3, 1, 9, 30, tzinfo=_dt.timezone.utc)

ANSWERS: dict[str, Any] = {
    "name": "churn-classifier",
    "version": "1.10",
    "summary": "Predicts which customers will leave.\n\nTrained on the 2025 CRM export.",
    "owners": [{"name": "Data Science Team", "contact": "ds-team@example.org"}],
    "security_contact": "security@example.org",
    "license": "apache-2.0",
    "task": "tabular-classification",
    "approach": "supervised",
    "architecture": {"family": "linear model", "name": "weights array", "n_parameters": 12},
    "intended_uses": ["Rank customers for a retention call", "no"],
    "out_of_scope_uses": ["Decisions about credit or employment"],
    "limitations": ["Trained on one country's customers"],
    "failure_modes": ["Silent degradation when the tariff structure changes"],
    "retention_time": "P2Y",
    "review_frequency": "P6M",
    "last_reviewed": "2026-02-01",
    "download_location": "https://models.example.org/churn/1.10",
    "release_time": "2026-02-15",
    "language": ["no", "en"],
    "tags": ["churn", "on"],
}
METRICS = {"accuracy": 0.93, "f1": {"value": 0.88, "dataset": "holdout", "slice": "age>60"},
           "auc": np.float64(0.951)}


def evidence(folder: Path) -> NotebookRecord:
    """A record with a model check (a .npy file) and data checks of a training and an
    evaluation frame, the training frame with e-mail addresses in it."""
    model = folder / "churn_weights.npy"
    np.save(model, np.arange(12, dtype="float64"))
    scanned = scan_path(model)
    train = pd.DataFrame({"tenure": range(60), "spend": [x * 1.5 for x in range(60)],
                          "email": [f"user{i}@example.com" for i in range(60)],
                          "churned": [i % 2 for i in range(60)]})
    holdout = pd.DataFrame({"tenure": range(30), "churned": [i % 2 for i in range(30)]})
    checks = [scanned,
              check_dataframe(train, name="train", role="training", label="churned"),
              check_dataframe(holdout, name="holdout", role="evaluation", label="churned")]
    record = {"checks": {c.id: to_json(c) for c in checks},
              "threat_model": {"recorded_at": "2026-01-02T00:00:00Z", "risks": [
                  {"id": "R1", "title": "Poisoned CRM export", "severity": "high",
                   "status": "open"},
                  {"id": "R2", "title": "Model theft", "severity": "medium",
                   "status": "mitigated"}]}}
    return NotebookRecord.model_validate(record)


def filled(folder: Path, *, extra: dict[str, Any] | None = None,
           models: list[str] | None = None) -> tuple[ModelCard, AutoFill]:
    """The full card of :func:`evidence`, and the evidence values it came from."""
    record = evidence(folder)
    auto = autofill(record, models=models, base=folder,
                    libraries={"numpy": np.__version__, "scikit-learn": "1.5.0"})
    user = {**ANSWERS, "metrics": metrics_rows(METRICS), **(extra or {})}
    card = build_card(state=CardState(user=user), auto=auto, threats=record.threat_model,
                      now=NOW)
    return card, auto
