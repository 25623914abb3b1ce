"""Inherent and residual risk from answers and evidence; the register; restoring from the
Record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from aisec_nb.errors import UsageError
from aisec_nb.record import to_json
from aisec_nb.scan import scan_path
from aisec_nb.threats.assess import Questionnaire
from aisec_nb.threats.bank import builtin_bank
from aisec_nb.threats.evidence import collect, for_question
from aisec_nb.threats.model import ThreatModel
from aisec_nb.transport import empty_record

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
EVIL = b"cos\nsystem\n(S'echo hi'\ntR."
SAFE = b"\x80\x04K\x01."


def _risk(model: dict[str, Any], risk_id: str) -> dict[str, Any]:
    return next(r for r in model["risks"] if r["id"] == risk_id)


def _record(*checks: Any, **slots: Any) -> dict[str, Any]:
    record = empty_record()
    for check in checks:
        payload = to_json(check) if not isinstance(check, dict) else check
        record["checks"][payload["id"]] = payload
    record.update(slots)
    return record


def _scanned(tmp_path: Path, name: str, content: bytes, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    return scan_path(name)


def _questionnaire(record: dict[str, Any], base: Path | None, profile: Any = (),
                   now: dt.datetime = NOW) -> Questionnaire:
    return Questionnaire(builtin_bank(), profile, collect(record, base, now))


def test_inherent_likelihood_comes_from_atlas_maturity() -> None:
    model = Questionnaire().assess(NOW)
    malicious = _risk(model, "malicious-model-file")  # AML.T0011.000 is realized
    assert malicious["inherent"]["likelihood"] == "high"
    assert malicious["inherent"]["likelihood_source"] == "atlas"
    assert malicious["inherent"]["notes"][0].startswith(
        "likelihood: ATLAS AML.T0011.000 (Unsafe AI Artifacts) is realized")
    inference = _risk(model, "training-data-inference")  # membership and inversion: feasible
    assert (inference["inherent"]["likelihood"], inference["inherent"]["severity"]) == (
        "low", "low")
    unmanaged = _risk(model, "unmanaged-risk")  # no ATLAS technique: the bank's default
    assert unmanaged["inherent"]["likelihood_source"] == "default"
    assert model["risks"] == sorted(model["risks"], key=lambda r: list(
        builtin_bank().risks).index(r["id"]))
    ThreatModel.model_validate(model)


def test_a_yes_backed_by_a_passing_scan_lowers_residual_likelihood(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check = _scanned(tmp_path, "model.pkl", SAFE, monkeypatch)
    assert check.verdict == "pass"
    q = _questionnaire(_record(check), tmp_path)
    q.answer("DV1.1", "yes")
    risk = _risk(q.assess(NOW), "malicious-model-file")
    assert risk["residual"]["likelihood"] == "medium"
    assert risk["residual"]["severity"] == "high"
    assert risk["reductions"] == [{
        "question": "DV1.1", "answer": "yes", "levels": 1, "evidence": "fresh",
        "note": "DV1.1 yes, backed by evidence: check model:model.pkl passed"}]
    model = q.assess(NOW)
    assert model["answers"]["DV1.1"]["evidence"] == {
        "status": "fresh", "kinds": ["model.scan"], "checks": ["model:model.pkl"],
        "why": "check model:model.pkl passed"}
    assert model["summary"]["unevidenced"] == []


def test_failed_evidence_cancels_the_reduction_and_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check = _scanned(tmp_path, "evil.pkl", EVIL, monkeypatch)
    q = _questionnaire(_record(check), tmp_path)
    q.answer("DV1.1", "yes")
    risk = _risk(q.assess(NOW), "malicious-model-file")
    assert risk["residual"]["likelihood"] == "high"
    assert risk["reductions"][0]["levels"] == 0
    assert risk["reductions"][0]["note"] == (
        "DV1.1 yes, but the evidence is failed: check model:evil.pkl failed; the reduction is "
        "cancelled until the check passes again")


def test_stale_evidence_cancels_the_reduction_until_the_check_is_run_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check = _scanned(tmp_path, "model.pkl", SAFE, monkeypatch)
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04K\x02.")
    q = _questionnaire(_record(check), tmp_path)
    q.answer("DV1.1", "yes")
    risk = _risk(q.assess(NOW), "malicious-model-file")
    assert risk["residual"]["likelihood"] == "high"
    note = risk["reductions"][0]["note"]
    assert note.startswith("DV1.1 yes, but the evidence is stale: check model:model.pkl: "
                           "model.pkl changed since it was checked (sha256 ")
    # The same file checked again: fresh, and the reduction is back.
    fresh = _questionnaire(_record(scan_path("model.pkl")), tmp_path)
    fresh.answer("DV1.1", "yes")
    assert _risk(fresh.assess(NOW), "malicious-model-file")["residual"]["likelihood"] == "medium"


def test_old_evidence_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check = _scanned(tmp_path, "model.pkl", SAFE, monkeypatch)
    later = check.recorded_at + dt.timedelta(days=91)
    judged = collect(_record(check), tmp_path, later, max_age_days=90)["model.scan"]
    assert judged.status == "stale"
    assert judged.why == "check model:model.pkl was recorded 91 days ago (evidence counts for 90)"
    assert collect(_record(check), tmp_path, later, max_age_days=120)["model.scan"].status == \
        "fresh"


def test_a_yes_without_evidence_lowers_the_risk_but_is_marked_unevidenced() -> None:
    q = Questionnaire()
    q.answer("DV1.1", "yes")
    q.answer("DE1.1", "yes")  # manual evidence only
    model = q.assess(NOW)
    risk = _risk(model, "malicious-model-file")
    assert [r["levels"] for r in risk["reductions"]] == [1, 1]
    assert risk["residual"]["likelihood"] == "low"
    assert model["summary"]["unevidenced"] == ["DE1.1", "DV1.1"]
    assert model["answers"]["DE1.1"]["evidence"]["status"] == "manual"
    assert model["answers"]["DV1.1"]["evidence"]["status"] == "none"


def test_partial_and_no_lower_nothing_and_partial_needs_a_reason() -> None:
    q = Questionnaire()
    q.answer("DV1.1", "partial")
    q.answer("DV1.2", "no")
    model = q.assess(NOW)
    risk = _risk(model, "malicious-model-file")
    assert [r["levels"] for r in risk["reductions"]] == [0, 0]
    assert risk["residual"]["likelihood"] == risk["inherent"]["likelihood"] == "high"
    assert model["summary"]["needs_reason"] == ["DV1.1"]
    supply = next(c for c in model["coverage"] if c["subsection"] == "Secure your supply chain")
    assert supply["answered"] == 1  # DV1.2; DV1.1 waits for its reason
    q.answer("DV1.1", "partial", reason="the downloads are scanned, our own files are not")
    model = q.assess(NOW)
    assert model["summary"]["needs_reason"] == []
    assert next(c for c in model["coverage"]
                if c["subsection"] == "Secure your supply chain")["answered"] == 2


def test_n_a_on_every_linked_question_makes_the_risk_not_applicable() -> None:
    q = Questionnaire(profile=["generative"])
    linked = [x.id for x in q.applicable() if "prompt-injection" in x.risks]
    assert linked == ["OM2.4"]
    q.answer("OM2.4", "n/a", reason="the model only classifies; no free text reaches it")
    risk = _risk(q.assess(NOW), "prompt-injection")
    assert risk["status"] == "n/a"
    assert risk["reductions"][0]["note"] == (
        "OM2.4 n/a: the model only classifies; no free text reaches it")
    # One n/a among several linked questions closes nothing.
    q.answer("DV1.1", "n/a", reason="no model files")
    assert _risk(q.assess(NOW), "malicious-model-file")["status"] == "open"


def test_a_critical_system_raises_confidentiality_and_integrity_impacts() -> None:
    q = Questionnaire(profile=["user_facing"])
    before = q.assess(NOW)
    q.answer("DE2.4", "yes")
    after = q.assess(NOW)
    drift = _risk(after, "undetected-drift")  # integrity, default impact medium
    assert (_risk(before, "undetected-drift")["inherent"]["impact"], drift["inherent"]["impact"]
            ) == ("medium", "high")
    assert drift["inherent"]["notes"][-1] == (
        "DE2.4 is answered yes (a compromise would be critical): the impact is at least high")
    exhaustion = _risk(after, "resource-exhaustion")  # availability only
    assert exhaustion["inherent"]["impact"] == "medium"


def test_the_register_status_needs_an_owner_and_a_response() -> None:
    q = Questionnaire()
    q.set_risk("malicious-model-file", response="mitigate")
    assert _risk(q.assess(NOW), "malicious-model-file")["status"] == "open"
    q.set_risk("malicious-model-file", owner="ML lead", controls="scan every file; guard on",
               review_date=dt.date(2026, 9, 1))
    risk = _risk(q.assess(NOW), "malicious-model-file")
    assert (risk["status"], risk["owner"], risk["controls"], risk["review_date"]) == (
        "mitigated", "ML lead", ["scan every file; guard on"], "2026-09-01")
    for response, status in [("transfer", "transferred"), ("avoid", "avoided"),
                             ("accept", "accepted")]:
        q.set_risk("malicious-model-file", response=response)
        assert _risk(q.assess(NOW), "malicious-model-file")["status"] == status


def test_a_rating_by_hand_replaces_the_defaults() -> None:
    q = Questionnaire()
    q.set_risk("evasion", likelihood="low", impact="high", reason="no public endpoint")
    risk = _risk(q.assess(NOW), "evasion")
    assert (risk["inherent"]["likelihood"], risk["inherent"]["likelihood_source"],
            risk["inherent"]["severity"]) == ("low", "given", "medium")
    assert risk["override"] == {"likelihood": "low", "impact": "high", "factors": {},
                                "reason": "no public endpoint"}
    factors = dict.fromkeys(["skill_level", "motive", "opportunity", "size", "ease_of_discovery",
                             "ease_of_exploit", "awareness", "intrusion_detection"], 8)
    q.set_risk("evasion", factors=factors)
    risk = _risk(q.assess(NOW), "evasion")
    assert (risk["inherent"]["likelihood"], risk["inherent"]["likelihood_score"]) == ("high", 8.0)


def test_a_risk_of_ones_own() -> None:
    q = Questionnaire()
    rid = q.add_risk("Labels bought from an unvetted vendor", likelihood="high", impact="high",
                     category=["integrity"], owner="data lead", response="avoid")
    assert rid == "custom-1"
    risk = _risk(q.assess(NOW), rid)
    assert (risk["custom"], risk["inherent"]["severity"], risk["residual"]["severity"],
            risk["status"]) == (True, "critical", "critical", "avoided")
    assert q.add_risk("Another") == "custom-2"
    q.remove_risk("custom-2")
    with pytest.raises(UsageError, match="not a risk added by hand"):
        q.remove_risk("evasion")


@pytest.mark.parametrize(("call", "message"), [
    (lambda q: q.answer("ZZ1.1", "yes"), "unknown question 'ZZ1.1'"),
    (lambda q: q.answer("DE1.1", "maybe"), "answer to DE1.1: 'maybe' is not one of yes"),
    (lambda q: q.set_risk("nope", owner="x"), "unknown risk 'nope'"),
    (lambda q: q.set_risk("evasion", response="ignore"), "response: 'ignore' is not one of"),
    (lambda q: q.set_risk("evasion", review_date="next spring"),
     "review_date: 'next spring' is not a date"),
    (lambda q: q.set_risk("evasion", colour="red"), "set_risk: unknown field 'colour'"),
    (lambda q: q.set_profile(["robot"]), "profile: unknown flag 'robot'"),
    (lambda q: q.add_risk("  "), "a risk needs a title"),
])
def test_bad_input_is_refused_with_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call(Questionnaire())


def test_the_profile_hides_questions_and_says_why() -> None:
    everything = Questionnaire(profile=["generative", "user_facing", "external_api",
                                        "third_party_model", "personal_data", "agentic",
                                        "trains_on_feedback"]).assess(NOW)
    assert everything["summary"]["applicable"] == 83 and everything["hidden"] == []
    bare = Questionnaire().assess(NOW)
    hidden = {h["id"]: h["why"] for h in bare["hidden"]}
    assert hidden["DE3.5"] == "applies only if the system takes actions"
    assert hidden["DP5.3"] == ("applies only if people outside the team use the system or the "
                               "system processes personal data")
    assert bare["summary"]["applicable"] == 83 - len(hidden)
    assert sum(c["applicable"] for c in bare["coverage"]) == bare["summary"]["applicable"]


def test_answers_to_hidden_questions_are_kept_but_not_recorded() -> None:
    q = Questionnaire(profile=["agentic"])
    q.answer("DE3.5", "yes")
    q.set_profile([])
    assert "DE3.5" not in q.assess(NOW)["answers"]
    q.set_profile(["agentic"])
    assert q.assess(NOW)["answers"]["DE3.5"]["value"] == "yes"


def test_restore_gives_back_the_same_threat_model(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    check = _scanned(tmp_path, "model.pkl", SAFE, monkeypatch)
    evidence = collect(_record(check), tmp_path, NOW)
    q = Questionnaire(builtin_bank(), ["user_facing", "personal_data"], evidence)
    q.answer("DV1.1", "yes", when=NOW)
    q.answer("DE3.6", "partial", reason="scores are rounded", when=NOW)
    q.answer("DP2.4", "n/a", reason="aggregates only", when=NOW)
    q.set_risk("model-extraction", owner="platform", response="transfer",
               review_date="2026-06-01", likelihood="low", reason="private network")
    q.add_risk("Vendor labels", likelihood="high", impact="medium", owner="data lead")
    model = q.assess(NOW)
    ThreatModel.model_validate(model)
    again = Questionnaire.restore(model, builtin_bank(), evidence=evidence)
    assert again.assess(NOW) == model


def test_restore_skips_what_it_cannot_read() -> None:
    payload = {"recorded_at": "2026-01-01T00:00:00Z", "profile": {"agentic": True, "x": True},
               "answers": {"DE1.1": "yes", "GONE1.1": {"value": "no"}, "DE1.2": {"value": 7}},
               "risks": [{"id": "evasion", "response": "panic"}, "junk",
                         {"id": "custom-1", "custom": True, "title": "mine"}]}
    q = Questionnaire.restore(payload)
    assert q.profile == {"agentic"}
    assert {k: v.value for k, v in q.answers.items()} == {"DE1.1": "yes"}
    assert q.register["custom-1"].title == "mine"
    assert "evasion" not in q.register
    assert Questionnaire.restore(None).answers == {}


def test_the_record_model_reads_what_others_wrote() -> None:
    # Hand-written and older payloads read: bare answers, a risk with a severity only.
    typed = ThreatModel.model_validate({
        "recorded_at": "2026-01-01T10:00:00Z", "answers": {"q1": "no"},
        "risks": [{"id": "R1", "residual": {"severity": "critical"}, "status": "open"}],
        "future": {"kept": True}})
    assert typed.answers["q1"].value == "no"
    assert typed.risks[0].residual is not None
    assert typed.model_extra == {"future": {"kept": True}}


def test_evidence_kinds_of_data_checks_monitors_and_cards() -> None:
    finding = {"code": "AISEC-DATA-S01", "severity": "high", "message": "e-mail addresses"}
    data = {"id": "data:raw", "kind": "data", "verdict": "fail", "findings": [finding],
            "target": {"kind": "dataframe", "name": "raw"}, "recorded_at": "2026-02-28T00:00:00Z"}
    monitor = {"recorded_at": "2026-02-28T00:00:00Z", "verdict": "warn", "drifted": ["fee"]}
    card = {"recorded_at": "2026-02-28T00:00:00Z", "missing": ["limitations"]}
    judged = collect(_record(data, monitors={"drift:live": monitor}, model_card=card), None, NOW)
    assert judged["data.pii"].status == "failed"
    assert judged["data.pii"].why == "check data:raw found AISEC-DATA-S01: e-mail addresses"
    assert judged["data.quality"].status == "fresh"  # the failure is not about quality
    assert judged["data.hash"].status == "none"  # no source file was hashed
    # A monitor is evidence that the inputs are measured, whatever drift it found.
    assert (judged["monitor.drift"].status, judged["monitor.drift"].why) == (
        "fresh", "monitor drift:live measures the inputs")
    # What a failed data check recorded still counts: its personal-data counts.
    assert judged["data.classified"].why == (
        "check data:raw counted the personal data and secrets it holds")
    assert judged["card.complete"].why == "the model card is not complete: missing limitations"
    assert judged["model.scan"].status == "none"
    either = for_question(["data.quality", "data.pii"], judged)
    assert (either.status, either.checks) == ("failed", ("data:raw",))


def test_the_notebook_face_hashes_only_files_modified_since_their_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    check = _scanned(tmp_path, "model.pkl", SAFE, monkeypatch)
    record = _record(check)
    later = check.recorded_at + dt.timedelta(minutes=1)
    # Same size, content changed, modification time set back to before the check: only a hash
    # sees it, which the linter always takes (the form trusts an untouched file's time).
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04K\x02.")
    old = check.recorded_at.timestamp() - 60
    os.utime(tmp_path / "model.pkl", (old, old))
    assert collect(record, tmp_path, later, trust_mtime=True)["model.scan"].status == "fresh"
    assert collect(record, tmp_path, later)["model.scan"].status == "stale"
    # Touched after the check: hashed, and found changed.
    os.utime(tmp_path / "model.pkl", None)
    assert collect(record, tmp_path, later + dt.timedelta(hours=1),
                   trust_mtime=True)["model.scan"].status == "stale"


def test_a_file_the_guard_refused_is_not_held_against_the_scans(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    safe = _scanned(tmp_path, "model.pkl", SAFE, monkeypatch)
    evil = _scanned(tmp_path, "evil.pkl", EVIL, monkeypatch)
    refused = {**to_json(evil), "id": "guard:evil.pkl", "kind": "guard",
               "parameters": {"action": "refused", "loader": "pickle.load"}}
    judged = collect(_record(safe, evil), tmp_path, NOW)["model.scan"]
    assert (judged.status, judged.why) == ("failed", "check model:evil.pkl failed")
    judged = collect(_record(safe, evil, refused), tmp_path, NOW)["model.scan"]
    assert judged.status == "fresh"
    # Loaded by hand despite its scan: that contradicts a yes.
    allowed = {**refused, "parameters": {"action": "override", "reason": "a demo"}}
    judged = collect(_record(safe, evil, allowed), tmp_path, NOW)["model.scan"]
    assert (judged.status, judged.why) == (
        "failed", "check guard:evil.pkl: the file was loaded despite its scan (verdict 'fail'), "
                  "allowed by hand: a demo")
    # A hash is evidence whatever the scan found.
    assert collect(_record(evil), tmp_path, NOW)["model.hash"].why == (
        "check model:evil.pkl recorded its SHA-256")
