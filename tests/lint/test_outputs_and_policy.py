"""Output rules, suppressions, required evidence, monitors, one finding per problem, --recheck."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aisec_nb.cli import main
from aisec_nb.lint.engine import lint_one
from aisec_nb.record import Target, to_json, utc_now
from aisec_nb.scan import scan_path
from aisec_nb.settings import LintSettings
from aisec_nb.transport import MIME_TYPE, check_fragment, make_fragment
from tests.lint.fixtures import at, found, notebook, write

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2


def _raw_line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_secrets_personal_data_tracebacks_and_size_in_outputs(tmp_path: Path) -> None:
    nb = write(notebook(
        {"source": "print(config)", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": f"loaded\ntoken = {TOKEN}\n"}]},
        {"source": "df.head()", "outputs": [
            {"output_type": "execute_result", "execution_count": 1,
             "data": {"text/plain": "   name  email\n0  Ann   ann.lee@example.org\n",
                      "text/html": "<td>ann.lee@example.org</td>"}}]},
        {"source": "connect()", "outputs": [
            {"output_type": "error", "ename": "ConnectionError", "evalue": "refused",
             "traceback": ["\x1b[0;31mConnectionError\x1b[0m  Traceback",
                           "----> 1 connect('postgresql://admin:s3cretPass@db.internal/x')",
                           "ConnectionError: refused"]}]},
        {"source": "print(big)", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "x" * 2_000}]},
        {"source": "print('fine')", "outputs": [
            {"output_type": "stream", "name": "stdout",
             "text": "serving on http://127.0.0.1:8888\n"}]},
        "#md Contact ann.lee@example.org (markdown is not an output)",
    ), tmp_path / "outputs.ipynb")
    settings = LintSettings(max_output_bytes=1_000)
    result = lint_one(nb, settings)
    assert [(f.code, f.cell, f.output, f.raw_line) for f in result.findings] == [
        ("AISEC-OUT-001", 0, 0, _raw_line_of(nb, "token = ghp_")),
        ("AISEC-OUT-002", 1, 0, _raw_line_of(nb, '"   name  email\\n"') + 1),
        ("AISEC-OUT-003", 2, 0, _raw_line_of(nb, "postgresql://")),
        ("AISEC-OUT-004", 3, 0, result.findings[3].raw_line),  # its line: asserted below
    ]
    text = json.dumps([f.to_json() for f in result.findings])
    for secret in (TOKEN, "ann.lee@example.org", "s3cretPass"):
        assert secret not in text
    assert "ghp_•••" in result.findings[0].message
    assert "•••@•••.org" in result.findings[1].message
    oversized = result.findings[3]
    assert oversized.raw_line is not None
    raw = nb.read_text().splitlines()
    assert raw[oversized.raw_line - 1].strip() == '"outputs": ['
    assert '"print(big)"' in "".join(raw[oversized.raw_line:oversized.raw_line + 12])


def test_suppressions_need_a_reason_and_must_match(tmp_path: Path) -> None:
    nb = write(notebook(
        "obj = pickle.loads(blob)  # aisec: ignore[AISEC-CODE-001] our own cache, made in cell 1",
        "obj = pickle.loads(blob)  # aisec: ignore[AISEC-CODE-001]",
        "x = 1  # aisec: ignore[AISEC-CODE-006] left over",
        "y = 2  # aisec: ignore[AISEC-NOPE-001] typo",
        "eval(t)  # AISEC: IGNORE[aisec-code-006, AISEC-CODE-001] fixture of the test",
    ), tmp_path / "suppress.ipynb")
    result = lint_one(nb)
    assert [(f.code, f.cell, f.line, f.raw_line) for f in result.findings] == [
        at(nb, "AISEC-CODE-001", 1, 1), at(nb, "AISEC-SUP-001", 1, 1),
        at(nb, "AISEC-SUP-002", 2, 1), at(nb, "AISEC-SUP-002", 3, 1),
    ]
    assert [(f.code, f.cell, f.reason) for f in result.suppressed] == [
        ("AISEC-CODE-001", 0, "our own cache, made in cell 1"),
        ("AISEC-CODE-006", 4, "fixture of the test"),
    ]
    assert "unknown code(s) AISEC-NOPE-001" in result.findings[3].message


def _with_evidence(*fragments: dict[str, Any]) -> Any:
    return notebook(*({"source": "%aisec ...", "outputs": [
        {"output_type": "display_data", "data": {"text/plain": "evidence", MIME_TYPE: f}}]}
        for f in fragments))


def _bad_pickle(path: Path) -> Path:
    path.write_bytes(b"cos\nsystem\n(S'echo hi'\ntR.")
    return path


def test_a_file_scanned_and_refused_is_one_finding_naming_both_cells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    scan = scan_path(_bad_pickle(tmp_path / "suspicious.pkl").name)
    assert scan.verdict == "fail"
    guard = scan.model_copy(update={
        "id": "guard:suspicious.pkl", "kind": "guard",
        "target": Target(kind="stream", name="suspicious.pkl", sha256=scan.target.sha256)})
    nb = write(_with_evidence(check_fragment(scan), check_fragment(guard)), tmp_path / "g.ipynb")
    [finding] = lint_one(nb).findings
    assert (finding.code, finding.cell, finding.cells) == ("AISEC-L01", 0, (0, 1))
    assert "also failed in guard:suspicious.pkl in cell 2" in finding.message


def test_a_drifted_monitor_is_a_finding(tmp_path: Path) -> None:
    payload = {"recorded_at": utc_now().isoformat(), "verdict": "warn", "kind": "batch",
               "drifted": ["income"], "findings": [{"code": "AISEC-DRIFT-001",
                                                    "severity": "medium",
                                                    "message": "income drifted"}]}
    calm = {"recorded_at": utc_now().isoformat(), "verdict": "pass", "kind": "batch"}
    nb = write(_with_evidence(make_fragment("monitor", "drift:live", payload),
                              make_fragment("monitor", "drift:calm", calm)), tmp_path / "m.ipynb")
    [finding] = lint_one(nb).findings
    assert (finding.code, finding.cell, finding.check_id) == ("AISEC-EVID-001", 0, "drift:live")
    assert finding.message == "monitor drift:live found drift in income: income drifted"


def test_required_evidence(tmp_path: Path) -> None:
    source = tmp_path / "train.csv"
    source.write_text("a\n1\n")
    everything = LintSettings(require=frozenset(
        {"model-scan", "data-check", "threat-model", "model-card", "monitoring"}))
    bare = write(notebook("import pandas as pd\ntrain = pd.read_csv('train.csv')\n"
                          "test = pd.read_csv('test.csv')"), tmp_path / "bare.ipynb")
    assert found(bare, everything) == [
        ("AISEC-POL-003", None, None, 1), ("AISEC-POL-004", None, None, 1),
        ("AISEC-POL-005", None, None, 1),
        at(bare, "AISEC-POL-002", 0, 2), at(bare, "AISEC-POL-002", 0, 3),
    ]
    now = utc_now().isoformat()
    threat = {"recorded_at": now, "risks": [
        {"id": "R1", "residual": {"severity": "critical"}, "status": "open"},
        {"id": "R2", "severity": "critical", "status": "mitigated"}]}
    card = {"recorded_at": now, "missing": ["limitations"]}
    nb = _with_evidence(make_fragment("threat_model", "threats", threat),
                        make_fragment("model_card", "card", card),
                        make_fragment("monitor", "drift:ok", {"recorded_at": now,
                                                              "verdict": "pass"}))
    nb.cells.append(notebook("train = pd.read_csv('train.csv')").cells[0])
    data_check = {"id": "data:train", "kind": "data", "verdict": "pass",
                  "target": {"kind": "dataframe", "name": "train", "content_hash": "0" * 64},
                  "tool": {"name": "aisec-nb", "version": "0"}, "started_at": now,
                  "duration_s": 0, "recorded_at": now}
    nb.metadata["aisec"] = {"schema_version": 1, "checks": {"data:train": data_check}}
    path = write(nb, tmp_path / "partial.ipynb")
    result = lint_one(path, everything)
    assert [(f.code, f.cell, f.message) for f in result.findings] == [
        ("AISEC-POL-003", 0, "the threat model has 1 open critical risk(s): R1"),
        ("AISEC-CARD-001", 1, "the model card lacks 1 required field(s): limitations"),
    ]  # an incomplete card is the card rules' finding, reported once (no AISEC-POL-004 too)


def test_recheck_catches_a_failed_scan_edited_into_a_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    scan = scan_path(_bad_pickle(tmp_path / "model.pkl").name)
    nb = _with_evidence(check_fragment(scan))
    edited = to_json(scan)
    edited.update(verdict="pass", findings=[])
    nb.cells[0].outputs[0].data[MIME_TYPE]["payload"] = edited
    path = write(nb, tmp_path / "edited.ipynb")
    assert main(["lint", str(path)]) == 0
    assert main(["lint", "--recheck", str(path)]) == 1
    out = capsys.readouterr().out
    assert "AISEC-EVID-002 [critical] check model:model.pkl records verdict 'pass', but " \
           "scanning model.pkl again gives 'fail'" in out


def test_evidence_from_a_newer_schema_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fragment = make_fragment("check", "model:x", {"recorded_at": utc_now().isoformat()})
    fragment["schema_version"] = 99
    path = write(_with_evidence(fragment), tmp_path / "newer.ipynb")
    (tmp_path / "fine.ipynb").write_text(json.dumps(notebook("x = 1")))
    assert main(["lint", "--recheck", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert f"{path}: error: cell 1, output 1: written by a newer aisec-nb (schema 99, this one " \
           "reads up to 1); upgrade aisec-nb" in out
    assert "0 finding(s) in 2 notebook(s), 1 notebook(s) could not be read" in out
