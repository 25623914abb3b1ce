"""The card model: evidence values and their sources, overrides, the policy, what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec_nb.cards import (
    CardState,
    ModelCard,
    autofill,
    build_card,
    card_policy_from_table,
    environment_libraries,
    field_specs,
    metrics_rows,
)
from aisec_nb.cards.fields import GROUPS, add_duration, parse_duration
from aisec_nb.errors import UsageError
from aisec_nb.record import NotebookRecord, record_json_schema, shipped_json_schema
from aisec_nb.transport import make_fragment, read_record
from tests.cards.support import ANSWERS, NOW, evidence, filled


def test_the_field_table_follows_the_research_table() -> None:
    specs = field_specs()
    assert {s.group for s in specs.values()} == set(GROUPS)
    guideline = {k for k, s in specs.items() if s.guideline}
    # The guideline's own fields: data sources, scope and limitations, guardrails, hashes or
    # signatures, retention, review frequency, failure modes, prompts.
    assert {"datasets", "intended_uses", "out_of_scope_uses", "limitations", "guardrails",
            "artifacts", "signature", "retention_time", "review_frequency", "failure_modes",
            "prompts", "base_model"} <= guideline
    for key in guideline:
        assert specs[key].need in ("R", "C"), key
    assert specs["guardrails"].when == "generative_or_user_facing"


def test_evidence_fills_the_card_and_says_where_each_value_came_from(tmp_path: Path) -> None:
    card, _ = filled(tmp_path)
    assert card.complete, (card.missing, card.problems)
    artifacts = card.value("artifacts")
    assert len(artifacts) == 1
    row = artifacts[0]
    assert row["format"] == "numpy" and row["scan_verdict"] == "pass" and len(row["sha256"]) == 64
    assert row["source"].startswith("check:model:") and row["size"] > 0
    datasets = {d["name"]: d for d in card.value("datasets")}
    assert datasets["train"]["role"] == "training" and datasets["holdout"]["role"] == "evaluation"
    assert datasets["train"]["rows"] == 60 and datasets["train"]["contains_pii"] == "yes"
    assert datasets["train"]["pii_cells"] == 60 and datasets["holdout"]["pii_cells"] == 0
    assert datasets["train"]["sha256"].startswith("df1:")
    assert card.value("uses_sensitive_personal_data") == "yes"
    assert card.source("uses_sensitive_personal_data") == "check:data:train"
    assert card.value("open_risks") == [{"id": "R1", "title": "Poisoned CRM export",
                                         "severity": "high", "status": "open",
                                         "source": "threat_model"}]
    assert card.value("threat_model")["residual_risk"] == "high"
    assert card.source("library") == "environment"
    assert card.source("name") == "user"
    assert set(card.evidence) == {row["source"][6:], "data:train", "data:holdout"}
    assert card.verdict == "warn"  # the training data's PII check warns
    assert card.fields["metrics"].value[2] == {"type": "auc", "value": 0.951}


def test_an_override_replaces_evidence_and_is_recorded(tmp_path: Path) -> None:
    record = evidence(tmp_path)
    auto = autofill(record, base=tmp_path)
    state = CardState(user={**ANSWERS, "uses_sensitive_personal_data": "no"},
                      overridden={"uses_sensitive_personal_data"})
    card = build_card(state=state, auto=auto, now=NOW)
    assert card.value("uses_sensitive_personal_data") == "no"
    assert card.source("uses_sensitive_personal_data") == "user"
    override = card.overrides["uses_sensitive_personal_data"]
    assert override.replaced == "yes" and override.source == "check:data:train"
    # Without the override the evidence wins over what the user typed.
    locked = build_card(state=CardState(user=state.user), auto=auto, now=NOW)
    assert locked.value("uses_sensitive_personal_data") == "yes"
    assert locked.overrides == {}


def test_user_rows_and_columns_survive_a_rebuild(tmp_path: Path) -> None:
    card, auto = filled(tmp_path)
    rows = [dict(r) for r in card.value("datasets")]
    rows[0]["uri"] = "s3://bucket/holdout.parquet"
    rows[0]["rows"] = 999  # an evidence column: not the user's to change without an override
    rows.append({"name": "feedback-2026", "role": "human-feedback", "source": "user"})
    state = CardState.from_card(card)
    state.user["datasets"] = rows
    again = build_card(state=state, auto=auto, now=NOW)
    by_name = {d["name"]: d for d in again.value("datasets")}
    assert by_name["holdout"]["uri"] == "s3://bucket/holdout.parquet"
    assert by_name["holdout"]["rows"] == 30
    assert by_name["feedback-2026"]["source"] == "user"
    # Evidence that is gone takes its rows with it; the user's row stays.
    gone = build_card(state=CardState.from_card(again), now=NOW)
    assert [d["name"] for d in gone.value("datasets")] == ["feedback-2026"]


def test_restored_from_the_stored_card(tmp_path: Path) -> None:
    card, auto = filled(tmp_path)
    stored = ModelCard.model_validate_json(card.model_dump_json())
    state = CardState.from_card(stored.model_dump(mode="json"))
    again = build_card(state=state, auto=auto, now=NOW)
    assert again.fields == card.fields and again.missing == card.missing


def test_a_questionnaire_threat_model_gives_risks_and_conditions() -> None:
    threats = {"recorded_at": "2026-01-01T00:00:00Z", "format": "aisec-nb.threats/1",
               "answers": {"DE4.1": {"value": "yes"}, "DE4.2": {"value": "n/a"}},
               "risks": [{"id": "T-03", "title": "Model theft", "status": None,
                          "residual": {"severity": "critical"}},
                         {"id": "T-04", "title": "Poisoning", "status": "mitigated",
                          "residual": {"severity": "high"}}],
               "limitations": ["No adversarial robustness testing yet"]}
    record = NotebookRecord.model_validate({"threat_model": threats})
    auto = autofill(record)
    assert auto.fields["open_risks"].value == [{"id": "T-03", "title": "Model theft",
                                                "severity": "critical", "status": "open",
                                                "source": "threat_model"}]
    assert auto.fields["threat_model"].value["residual_risk"] == "critical"
    assert auto.fields["limitations"].value == ["No adversarial robustness testing yet"]
    card = build_card(auto=auto, threats=threats)
    assert "selection_rationale" in card.required
    assert card.source("limitations") == "threat_model"
    threats["answers"] = {"DE4.1": {"value": "n/a"}}
    assert "selection_rationale" not in build_card(auto=auto, threats=threats).required


def test_data_checks_can_be_picked(tmp_path: Path) -> None:
    record = evidence(tmp_path)
    picked = autofill(record, data=["train"])
    assert [d["name"] for d in picked.fields["datasets"].value] == ["train"]
    assert set(picked.evidence) >= {"data:train"} and "data:holdout" not in picked.evidence
    assert "datasets" not in autofill(record, data=["nothing"]).fields


def test_what_is_missing_and_the_conditions() -> None:
    card = build_card(user={"name": "m", "retention_time": "two years", "owners": [
        {"contact": "x@example.org"}]})
    assert "retention_time" in card.missing
    assert "not an ISO 8601 duration" in card.problems["retention_time"]
    assert "owners[1].name" in card.missing
    assert "guardrails" not in card.required and "prompts" not in card.required
    flagged = build_card(user={"generative": True, "llm": True, "fine_tuned": "yes"})
    assert {"guardrails", "prompts", "base_model"} <= set(flagged.required)
    relaxed = build_card(user={"name": "m"}, policy=card_policy_from_table(
        {"optional": ["retention_time", "threat_model"], "required": ["download_location"]}))
    assert "retention_time" not in relaxed.required and "threat_model" not in relaxed.missing
    assert "download_location" in relaxed.missing
    assert not build_card(user={"datasets": [{"name": "d", "role": "gossip"}]}).complete


@pytest.mark.parametrize("table", [{"optional": ["nope"]}, {"strict": True},
                                   {"optional": ["name"], "required": ["name"]}, []])
def test_the_policy_table_is_checked(table: object) -> None:
    with pytest.raises(UsageError):
        card_policy_from_table(table)


def test_durations_and_metrics() -> None:
    assert parse_duration("p1y2m3dt4h")["hours"] == 4
    import datetime

    assert add_duration(datetime.date(2024, 2, 29), "P1Y") == datetime.date(2025, 2, 28)
    assert add_duration(datetime.date(2026, 1, 1), "P2W") == datetime.date(2026, 1, 15)
    for bad in ("P", "PT", "1Y", "P1.5Y"):
        with pytest.raises(ValueError, match="ISO 8601"):
            parse_duration(bad)
    assert metrics_rows([{"name": "rmse", "value": 3}]) == [{"type": "rmse", "value": 3}]
    with pytest.raises(ValueError):
        metrics_rows(0.5)


def test_environment_libraries_names_installed_ml_libraries() -> None:
    found = environment_libraries(["numpy", "sklearn.ensemble", "pandas", "not_a_module"])
    assert "scikit-learn" in found and "numpy" not in found  # numpy is not a model library


def test_the_record_slot_is_typed_and_keeps_unknown_fields(tmp_path: Path) -> None:
    card, _ = filled(tmp_path)
    payload = {**card.model_dump(mode="json", exclude_none=True), "from_a_newer_version": 1}
    nb = {"metadata": {}, "cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "metadata": {},
         "data": {"application/vnd.aisec.v1+json": make_fragment("model_card", "card",
                                                                 payload)}}]}]}
    evidence_ = read_record(nb)
    assert evidence_.record["model_card"]["from_a_newer_version"] == 1
    typed = evidence_.typed
    assert isinstance(typed.model_card, ModelCard)
    assert typed.model_card.name == "churn-classifier"
    assert NotebookRecord.model_validate({"model_card": {"recorded_at": NOW.isoformat(),
                                                         "odd": [1]}}).model_card is not None
    odd = NotebookRecord.model_validate({"model_card": {"recorded_at": NOW.isoformat(),
                                                        "fields": "not a mapping"}})
    assert odd.model_card == {"recorded_at": NOW.isoformat(), "fields": "not a mapping"}
    assert CardState.from_card(odd.model_card).user == {}
    assert record_json_schema() == shipped_json_schema()


def test_the_card_model_uses_the_records_verdicts_and_tool_fields() -> None:
    from typing import get_args

    from aisec_nb.cards import model
    from aisec_nb.record import ToolInfo, Verdict

    assert get_args(model.Verdict) == get_args(Verdict)
    assert model.ToolInfo.model_fields.keys() == ToolInfo.model_fields.keys()
