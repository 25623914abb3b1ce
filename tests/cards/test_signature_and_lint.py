"""An OpenSSF model.sig next to the model is compared with the card's digests (a mismatch is a
failed check), and the card's lint rules: missing fields, placeholders, an overdue review, a
model file whose hash in the card went stale."""

from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path

import nbformat

from aisec_nb.cards import CardState, autofill, build_card, card_hits, signature_check
from aisec_nb.lint import lint_notebook
from aisec_nb.record import ModelCheck, NotebookRecord, to_json
from aisec_nb.scan import scan_path
from aisec_nb.transport import make_fragment
from tests.cards.support import ANSWERS, NOW, filled
from tests.scan.test_signing import write_model_sig


def _model(tmp_path: Path) -> tuple[Path, ModelCheck]:
    folder = tmp_path / "release"
    folder.mkdir()
    weights = folder / "weights.json"
    weights.write_text("[1, 2, 3]")
    return weights, scan_path(weights)  # type: ignore[return-value]


def test_a_signature_whose_digests_do_not_match_fails(tmp_path: Path) -> None:
    weights, check = _model(tmp_path)
    write_model_sig(weights.parent, {"weights.json": "00" * 32})
    signed = signature_check(check)
    assert signed is not None
    assert signed.kind == "signature" and signed.verdict == "fail"
    assert "AISEC-SIG-001" in [f.code for f in signed.findings]
    assert signed.target.path == str(weights.parent / "model.sig")
    record = NotebookRecord.model_validate(
        {"checks": {c.id: to_json(c) for c in (check, signed)}})
    card = build_card(state=CardState(user={**ANSWERS, "distributed": True}),
                      auto=autofill(record), now=NOW)
    assert card.value("signature")["verdict"] == "fail"
    assert card.value("signature")["check"] == signed.id
    assert card.source("signature") == f"check:{signed.id}"
    assert card.evidence[signed.id].verdict == "fail"
    assert card.verdict == "fail"


def test_the_signature_name_is_the_scanners() -> None:
    from aisec_nb.cards.evidence import SIGNATURE_NAME
    from aisec_nb.scan.signing import SIGNATURE_NAME as SCANNED

    assert SIGNATURE_NAME == SCANNED


def test_a_matching_signature_passes_and_says_it_was_not_verified(tmp_path: Path) -> None:
    weights, check = _model(tmp_path)
    write_model_sig(weights.parent, {"weights.json": hashlib.sha256(
        weights.read_bytes()).hexdigest()})
    signed = signature_check(check)
    assert signed is not None and signed.verdict == "pass"
    assert [f.code for f in signed.findings] == ["AISEC-SIG-004"]
    assert signed.summary["verified"] is None and signed.summary["method"] == "key"


def test_an_unreadable_signature_fails_and_no_signature_is_no_check(tmp_path: Path) -> None:
    weights, check = _model(tmp_path)
    assert signature_check(check) is None
    (weights.parent / "model.sig").write_text("{" * 50_000)
    signed = signature_check(check)
    assert signed is not None and signed.verdict == "fail"
    assert [f.code for f in signed.findings] == ["AISEC-SIG-003"]


def test_card_rules(tmp_path: Path) -> None:
    card, _ = filled(tmp_path, models=None)
    assert card_hits(card, tmp_path, today=_dt.date(2026, 3, 1)) == []
    overdue = card_hits(card, None, today=_dt.date(2026, 8, 2))
    assert [h.code for h in overdue] == ["AISEC-CARD-003"]
    assert "2026-08-01" in overdue[0].message
    placeholder = build_card(user={**ANSWERS, "summary": "[More Information Needed]"})
    codes = sorted(h.code for h in card_hits(placeholder, None, today=_dt.date(2026, 3, 1)))
    assert codes == ["AISEC-CARD-001", "AISEC-CARD-002"]
    (tmp_path / "churn_weights.npy").write_bytes(b"changed")
    stale = card_hits(card, tmp_path, today=_dt.date(2026, 3, 1))
    assert [h.code for h in stale] == ["AISEC-CARD-004"]
    assert "changed since it was checked" in stale[0].message
    assert card_hits({"recorded_at": "nonsense"}, None)[0].code == "AISEC-CARD-001"


def test_the_linter_reports_the_card_rules_at_the_card_cell(tmp_path: Path) -> None:
    card, _ = filled(tmp_path)
    stale_card = card.model_copy(update={"missing": ("retention_time",), "complete": False})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("%aisec card")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "card",
        "application/vnd.aisec.v1+json": make_fragment(
            "model_card", "card", to_json(stale_card))})]
    check = nbformat.v4.new_code_cell("%aisec check model churn_weights.npy")
    nb.cells = [check, nbformat.v4.new_markdown_cell("the card"), cell]
    path = tmp_path / "card.ipynb"
    nbformat.write(nb, str(path))
    (tmp_path / "churn_weights.npy").write_bytes(b"changed")
    found = {f.code: f for f in lint_notebook(path)}
    assert {"AISEC-CARD-001", "AISEC-CARD-004"} <= set(found)
    assert found["AISEC-CARD-001"].cell == 2
    assert "retention_time" in found["AISEC-CARD-001"].message
