"""The card form, driven through its real ipywidgets objects: typing, rows added and removed,
overrides, the live list of missing fields, the debounced emit and the export buttons; and
``%aisec card`` in an in-process IPython."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aisec_nb.cards import CardState, ModelCard, autofill
from aisec_nb.jupyter.card_form import CardForm
from tests.cards.support import ANSWERS, evidence


def _form(tmp_path: Path, user: dict[str, Any] | None = None,
          debounce: float = 0) -> tuple[CardForm, list[ModelCard]]:
    record = evidence(tmp_path)
    emitted: list[ModelCard] = []
    form = CardForm(state=CardState(user=dict(user or {})), auto=autofill(record),
                    emit=emitted.append, threats=record.threat_model, out_dir=tmp_path,
                    debounce=debounce)
    return form, emitted


def test_typing_a_field_emits_the_card_with_the_value(tmp_path: Path) -> None:
    form, emitted = _form(tmp_path)
    assert "retention_time" in form.missing.value
    form.editor("retention_time").input.value = "P3Y"
    card = emitted[-1]
    assert card.value("retention_time") == "P3Y" and card.source("retention_time") == "user"
    assert "<code>retention_time</code>" not in form.missing.value
    form.editor("retention_time").input.value = "three years"
    assert "not an ISO 8601 duration" in form.missing.value
    form.editor("retention_time").input.value = ""
    assert "retention_time" not in emitted[-1].fields
    form.editor("approach").input.value = "supervised"
    form.editor("architecture").parts["family"].value = "linear model"
    form.editor("llm").input.value = True
    assert emitted[-1].value("architecture") == {"family": "linear model"}
    assert "prompts" in emitted[-1].required


def test_rows_are_added_edited_and_removed(tmp_path: Path) -> None:
    form, emitted = _form(tmp_path)
    owners = form.editor("owners").rows
    assert owners is not None
    owners.add_button.click()
    owners.add_button.click()
    owners.cells[0]["name"].value = "Team A"
    owners.cells[1]["name"].value = "Team B"
    owners.cells[1]["contact"].value = "b@example.org"
    assert [o["name"] for o in emitted[-1].value("owners")] == ["Team A", "Team B"]
    remover = owners.removers[0]
    assert remover is not None
    remover.click()
    assert emitted[-1].value("owners") == [{"name": "Team B", "contact": "b@example.org"}]
    uses = form.editor("intended_uses").rows
    assert uses is not None
    uses.add_button.click()
    uses.cells[0]["text"].value = "Rank customers"
    assert emitted[-1].value("intended_uses") == ["Rank customers"]


def test_evidence_is_locked_until_overridden(tmp_path: Path) -> None:
    form, emitted = _form(tmp_path)
    pii = form.editor("uses_sensitive_personal_data")
    assert pii.input.value == "yes" and pii.input.disabled
    assert "check data:train" in pii.badge.value
    artifacts = form.editor("artifacts").rows
    assert artifacts is not None and artifacts.cells[0]["sha256"].disabled
    datasets = form.editor("datasets").rows
    assert datasets is not None
    assert datasets.cells[0]["rows"].disabled and not datasets.cells[0]["uri"].disabled
    datasets.cells[0]["uri"].value = "s3://bucket/holdout.parquet"
    assert emitted[-1].value("datasets")[0]["uri"] == "s3://bucket/holdout.parquet"
    assert emitted[-1].value("datasets")[0]["source"] == "check:data:holdout"
    pii.override.value = True
    assert not pii.input.disabled
    pii.input.value = "no"
    card = emitted[-1]
    assert card.value("uses_sensitive_personal_data") == "no"
    assert card.overrides["uses_sensitive_personal_data"].replaced == "yes"
    pii.override.value = False
    assert emitted[-1].value("uses_sensitive_personal_data") == "yes"
    assert emitted[-1].overrides == {}


def test_edits_are_debounced_into_one_emit(tmp_path: Path) -> None:
    form, emitted = _form(tmp_path, debounce=0.05)

    async def burst() -> None:
        for text in ("P", "P1", "P1Y"):
            form.editor("retention_time").input.value = text
        await asyncio.sleep(0.2)

    asyncio.run(burst())
    assert [c.value("retention_time") for c in emitted] == ["P1Y"]


def test_export_buttons_write_files(tmp_path: Path) -> None:
    form, _ = _form(tmp_path, user={**ANSWERS, "metrics": [{"type": "accuracy",
                                                            "value": 0.9}]})
    for fmt in ("hf", "cyclonedx", "spdx", "html"):
        form.export_buttons[fmt].click()
        assert "Wrote" in form.message.value, form.message.value
    written = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("churn"))
    assert written == ["churn-classifier.README.md", "churn-classifier.card.html",
                       "churn-classifier.cdx.json", "churn-classifier.spdx.json",
                       "churn_weights.npy"]
    assert json.loads((tmp_path / "churn-classifier.cdx.json").read_text())["specVersion"] == \
        "1.6"
    bare, _ = _form(tmp_path / "..", user={"name": "bare"})
    bare.export_buttons["spdx"].click()
    assert "not written" in bare.message.value and "download_location" in bare.message.value


@pytest.fixture
def ip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    from aisec_nb.jupyter import session
    from aisec_nb.jupyter.magics import register

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    shell = start_ipython() or get_ipython()
    register(shell)  # the magic only: no load guard, no comm, in this test process
    session.forget()
    yield shell
    session.forget()


def test_the_magic_scans_signs_fills_and_records(ip: Any, tmp_path: Path) -> None:
    from IPython.utils.capture import capture_output

    from aisec_nb.transport import MIME_TYPE
    from tests.scan.test_signing import write_model_sig

    np.save(tmp_path / "w.npy", np.arange(4.0))
    write_model_sig(tmp_path, {"w.npy": "11" * 32})
    ip.user_ns["answers"] = {"summary": "A test model", "retention_time": "P1Y"}
    ip.user_ns["scores"] = {"accuracy": 0.5}
    with capture_output() as cap:
        ip.run_line_magic("aisec", "card --name demo --model w.npy --fields answers "
                                   "--metrics scores")
    fragments = [o.data[MIME_TYPE] for o in cap.outputs if MIME_TYPE in o.data]
    kinds = [(f["kind"], f["id"]) for f in fragments]
    assert ("check", "model:w.npy") in kinds  # scanned first: no check covered it
    assert ("check", "signature:model.sig") in kinds
    card = [f for f in fragments if f["kind"] == "model_card"][-1]["payload"]
    assert card["name"] == "demo"
    assert card["fields"]["summary"]["value"] == "A test model"
    assert card["fields"]["metrics"]["value"] == [{"type": "accuracy", "value": 0.5}]
    assert card["fields"]["signature"]["value"]["verdict"] == "fail"
    assert card["verdict"] == "fail"
    html = [o.data["text/html"] for o in cap.outputs if MIME_TYPE in o.data
            and o.data[MIME_TYPE]["kind"] == "model_card"][-1]
    assert "Model card: demo" in html and "<script" not in html
    # Run again in the same kernel: what was given is restored, the name kept.
    with capture_output() as again:
        ip.run_line_magic("aisec", "card")
    card = [o.data[MIME_TYPE] for o in again.outputs if MIME_TYPE in o.data][-1]["payload"]
    assert card["name"] == "demo" and card["fields"]["retention_time"]["value"] == "P1Y"


def test_the_magic_refuses_bad_variables(ip: Any) -> None:
    from aisec_nb.errors import UsageError

    ip.user_ns["bad"] = {"no_such_field": 1}
    ip.user_ns["number"] = 3
    for line in ("card --fields missing", "card --fields bad", "card --metrics number",
                 "card --fields number"):
        result = ip.run_cell(f"%aisec {line}")
        assert isinstance(result.error_in_exec, UsageError), line
