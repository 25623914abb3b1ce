"""The threat model's lint rules, through ``aisec-nb lint`` on real notebooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from nbformat.v4 import new_code_cell, new_output

from aisec_nb.cli import main
from aisec_nb.lint.engine import lint_one
from aisec_nb.scan import scan_path
from aisec_nb.settings import LintSettings
from aisec_nb.threats.assess import Questionnaire
from aisec_nb.threats.evidence import collect
from aisec_nb.threats.lint import (
    CONTRADICTED,
    INCOMPLETE,
    NO_REASON,
    OVERDUE,
    UNOWNED_CRITICAL,
    UNOWNED_HIGH,
    threat_hits,
)
from aisec_nb.transport import MIME_TYPE, make_fragment
from tests.evidence import notebook_showing, write

SAFE = b"\x80\x04K\x01."
REQUIRE = LintSettings(require=frozenset({"threat-model"}))


def _owned(q: Questionnaire) -> None:
    """Every high or critical risk owned and responded to."""
    for risk in q.assess()["risks"]:
        if risk["residual"]["severity"] in ("high", "critical"):
            q.set_risk(risk["id"], owner="security lead", response="mitigate")


def _notebook(tmp_path: Path, model: dict[str, Any], *checks: Any) -> Path:
    nb = notebook_showing(*checks, leading_markdown=0)
    cell = new_code_cell("%aisec threats")
    cell.outputs.append(new_output("display_data", data={
        "text/plain": "threat model", MIME_TYPE: make_fragment("threat_model", "threats", model)}))
    nb.cells.append(cell)
    return write(nb, tmp_path / "work.ipynb")


def _codes(path: Path, settings: LintSettings = REQUIRE) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in lint_one(path, settings).findings]


def test_an_unowned_critical_residual_risk_fails_lint(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    q = Questionnaire()
    _owned(q)
    q.set_risk("malicious-model-file", owner="", response=None)
    path = _notebook(tmp_path, q.assess())
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert (f"{UNOWNED_CRITICAL} [critical] risk malicious-model-file (A model file runs code "
            "when it is loaded) has a critical residual risk but neither an owner nor a "
            "response") in out
    # Owned and responded to: clean.
    q.set_risk("malicious-model-file", owner="ML lead", response="accept")
    path = _notebook(tmp_path, q.assess())
    assert main(["lint", str(path)]) == 0


def test_a_required_threat_model_reports_each_risk_once(tmp_path: Path) -> None:
    bare = write(notebook_showing(leading_markdown=0), tmp_path / "bare.ipynb")
    assert _codes(bare) == [("AISEC-POL-003", "the notebook has no threat model (%aisec threats)")]
    q = Questionnaire()
    for question in q.applicable():  # all answered: the completeness rule (THR-001) is quiet
        q.answer(question.id, "no")
    _owned(q)
    q.set_risk("malicious-model-file", owner="", response=None)
    assert _codes(_notebook(tmp_path, q.assess())) == [
        (UNOWNED_CRITICAL, "risk malicious-model-file (A model file runs code when it is loaded) "
                           "has a critical residual risk but neither an owner nor a response")]
    q.set_risk("malicious-model-file", owner="ML lead", response="accept")
    assert _codes(_notebook(tmp_path, q.assess())) == []


def test_a_high_risk_lacking_one_of_owner_and_response(tmp_path: Path) -> None:
    q = Questionnaire()
    _owned(q)
    q.set_risk("malicious-model-file", likelihood="medium", response=None)  # high, no response
    q.set_risk("evasion", owner="")
    hits = [(h.code, h.message) for h in threat_hits({"threat_model": q.assess()}, None)]
    assert hits == [
        (UNOWNED_HIGH, "risk malicious-model-file (A model file runs code when it is loaded) "
                       "has a high residual risk but no response"),
        (UNOWNED_HIGH, "risk evasion (Crafted inputs make the model fail) has a high residual "
                       "risk but no owner"),
    ]


def test_incomplete_questionnaires_fail_only_where_the_project_requires_one(
        tmp_path: Path) -> None:
    q = Questionnaire()
    _owned(q)
    q.answer("DE1.1", "yes")
    path = _notebook(tmp_path, q.assess())
    assert _codes(path, LintSettings()) == []
    (code, message), = _codes(path)
    assert code == INCOMPLETE
    assert message == ("the threat questionnaire answers 1 of 66 applicable questions "
                              "(design 1/16, development 0/19, deployment 0/16, operation 0/15)")
    for question in q.applicable():
        q.answer(question.id, "no")
    assert _codes(_notebook(tmp_path, q.assess())) == []


def test_a_passed_review_date_and_a_date_that_is_not_one(tmp_path: Path) -> None:
    q = Questionnaire()
    _owned(q)
    q.set_risk("evasion", review_date="2026-01-01")
    model = q.assess()
    hits = threat_hits({"threat_model": model}, None, today=dt.date(2026, 1, 11))
    assert [(h.code, h.message, h.subject) for h in hits] == [
        (OVERDUE, "risk evasion (Crafted inputs make the model fail): its review date "
                  "2026-01-01 passed 10 day(s) ago", "evasion")]
    next(r for r in model["risks"] if r["id"] == "evasion")["review_date"] = "soon"
    (hit,) = threat_hits({"threat_model": model}, None)
    assert (hit.code, hit.message) == (
        OVERDUE, "risk evasion (Crafted inputs make the model fail): review date 'soon' is not a "
                 "date (YYYY-MM-DD)")


def test_partial_and_n_a_answers_without_a_reason(tmp_path: Path) -> None:
    q = Questionnaire()
    _owned(q)
    q.answer("DE1.1", "partial")
    q.answer("DE1.2", "n/a")
    q.answer("DE1.3", "n/a", reason="we load no model files")
    path = _notebook(tmp_path, q.assess())
    assert _codes(path, LintSettings()) == [
        (NO_REASON, "2 partial or n/a answer(s) without a reason: DE1.1, DE1.2")]


def test_a_yes_whose_evidence_went_stale_since(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.pkl").write_bytes(SAFE)
    check = scan_path("model.pkl")
    record = {"checks": {check.id: check.model_dump(mode="json")}}
    q = Questionnaire(evidence=collect(record, tmp_path, dt.datetime.now(dt.timezone.utc)))
    _owned(q)
    q.answer("DV1.1", "yes")
    model = q.assess()
    assert model["answers"]["DV1.1"]["evidence"]["status"] == "fresh"
    path = _notebook(tmp_path, model, check)
    assert _codes(path, LintSettings()) == []
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04K\x02.")
    codes = _codes(path, LintSettings())
    assert [c for c, _ in codes] == ["AISEC-L03", CONTRADICTED]
    assert codes[1][1].startswith("DV1.1 is answered yes, but its evidence is stale: check "
                                  "model:model.pkl: model.pkl changed since it was checked")


def test_a_threat_model_not_written_by_the_questionnaire_is_left_to_the_policy_rule(
        tmp_path: Path) -> None:
    hand = {"recorded_at": "2026-01-01T00:00:00Z",
            "risks": [{"id": "R1", "residual": {"severity": "critical"}, "status": "open"}]}
    path = _notebook(tmp_path, hand)
    assert _codes(path) == [("AISEC-POL-003", "the threat model has 1 open critical risk(s): R1")]


def test_lint_reports_at_the_cell_that_shows_the_threat_model(tmp_path: Path) -> None:
    q = Questionnaire()
    path = _notebook(tmp_path, q.assess())
    findings = lint_one(path, LintSettings()).findings
    assert findings and {f.cell for f in findings} == {0}
    assert {f.code for f in findings} == {UNOWNED_HIGH, UNOWNED_CRITICAL}
