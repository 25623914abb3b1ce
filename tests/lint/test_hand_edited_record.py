"""Hand-edited evidence: what the typed record can read is linted, what it cannot is one
notebook's error (never an exception out of the run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aisec_nb.errors import RecordError
from aisec_nb.lint.engine import lint_one, lint_paths
from aisec_nb.record import NotebookRecord
from aisec_nb.settings import LintSettings
from aisec_nb.transport import MIME_TYPE, NotebookEvidence, make_fragment
from tests.lint.fixtures import notebook, write

NOW = "2026-01-01T00:00:00+00:00"


def _check(check_id: str, kind: str, verdict: str, target: dict[str, Any],
           **extra: Any) -> dict[str, Any]:
    return {"id": check_id, "kind": kind, "verdict": verdict, "target": target,
            "tool": {"name": "aisec-nb", "version": "0"}, "started_at": NOW,
            "duration_s": 0, "recorded_at": NOW, **extra}


def _showing(*fragments: dict[str, Any]) -> Any:
    return notebook(*({"source": "%aisec", "outputs": [{
        "output_type": "display_data", "data": {"text/plain": "x", MIME_TYPE: f}}]}
        for f in fragments))


def _with_metadata(aisec: dict[str, Any]) -> Any:
    nb = notebook("x = 1")
    nb.metadata["aisec"] = {"schema_version": 1, **aisec}
    return nb


def test_hand_edits_the_typed_record_reads_are_linted(tmp_path: Path) -> None:
    # Unknown fields survive, an unknown kind stays a plain check, a card this version cannot
    # read is the card rules' finding, a threat model in another form is the policy rule's.
    custom = _check("custom:z", "custom", "error", {"kind": "file", "path": "gone.bin",
                                                    "sha256": "ab" * 32, "added": 1},
                    summary=[1, 2], parameters="p", added={"by": "hand"})
    path = write(_showing(
        make_fragment("check", "custom:z", custom),
        make_fragment("model_card", "card", {"recorded_at": NOW, "fields": 3}),
        make_fragment("threat_model", "threats", {"recorded_at": NOW, "register": {
            "a": {"title": "T", "rating": "Critical"}, "b": "not a risk"}}),
    ), tmp_path / "edited.ipynb")
    result = lint_one(path, LintSettings(require=frozenset({"threat-model", "model-card"})))
    assert [(f.code, f.cell, f.message) for f in result.findings] == [
        ("AISEC-L02", 0, "check custom:z ended in error: no findings recorded"),
        ("AISEC-L03", 0, "stale evidence for custom:z: gone.bin was checked but no longer "
                         "exists; re-run the cell"),
        ("AISEC-CARD-001", 1, "the model card cannot be read as a card of this aisec-nb "
                              "version; re-run the %aisec card cell"),
        ("AISEC-POL-003", 2, "the threat model has 1 open critical risk(s): T"),
    ]


@pytest.mark.parametrize(("aisec", "problem"), [
    ({"checks": {"model:m": _check("model:m", "model", "maybe", {"kind": "file"})}},
     "metadata.aisec.checks['model:m']: verdict: Input should be 'pass', 'warn', 'fail' or "
     "'error'"),
    ({"checks": {"model:m": _check("model:m", "model", "pass", {"kind": "file", "path": 3})}},
     "metadata.aisec.checks['model:m']: target.path: Input should be a valid string"),
    ({"monitors": {"live": {"recorded_at": NOW, "drifted": [1]}}},
     "metadata.aisec.monitors['live']: drifted.0: Input should be a valid string"),
    ({"threat_model": [1, 2]}, "metadata.aisec.threat_model: expected a JSON object, found list"),
    ({"model_card": "hello"}, "metadata.aisec.model_card: expected a JSON object, found str"),
])
def test_a_record_that_fails_validation_is_that_notebooks_error(
        tmp_path: Path, aisec: dict[str, Any], problem: str) -> None:
    bad = write(_with_metadata(aisec), tmp_path / "bad.ipynb")
    fine = write(notebook("import pickle\npickle.load(open('m.pkl', 'rb'))"),
                 tmp_path / "fine.ipynb")
    report = lint_paths([tmp_path])
    assert [str(e) for e in report.errors] == [f"{bad}: {problem}"]
    assert [(f.notebook, f.code) for f in report.findings] == [
        (str(fine), "AISEC-CODE-001"), (str(fine), "AISEC-CODE-008")]


def test_a_record_the_typed_view_rejects_is_reported_not_raised(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading validates each entry, so the whole record failing is a disagreement between the
    # two validations: forced here, since no notebook can produce it.
    def rejected(self: NotebookEvidence) -> NotebookRecord:
        return NotebookRecord.model_validate({"checks": 3})

    monkeypatch.setattr(NotebookEvidence, "typed", property(rejected))
    path = write(notebook("x = 1"), tmp_path / "n.ipynb")
    with pytest.raises(RecordError, match="the merged aisec record: checks: Input should be a "
                                          "valid dictionary"):
        lint_one(path)
    report = lint_paths([path])
    assert len(report.errors) == 1 and report.findings == ()
