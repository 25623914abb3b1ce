"""``aisec-nb threats NOTEBOOK --format csv|json|md``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from aisec_nb.cli import main
from aisec_nb.threats.assess import Questionnaire
from aisec_nb.threats.export import CSV_COLUMNS
from aisec_nb.transport import MIME_TYPE, make_fragment
from tests.evidence import write


def _model() -> dict[str, Any]:
    q = Questionnaire(profile=["generative", "user_facing"])
    q.answer("DV1.1", "yes")
    q.answer("DE3.6", "partial", reason="scores are rounded, to 0.1")
    q.set_risk("malicious-model-file", owner="ML lead", response="mitigate",
               controls=["scan, every file", "load guard on"], review_date="2026-09-01")
    q.add_risk('Labels from a "cheap" vendor, unvetted', likelihood="high", impact="medium",
               description="line one\nline two")
    return q.assess()


def _notebook(tmp_path: Path, model: dict[str, Any] | None, *, in_metadata: bool = False
              ) -> Path:
    nb = new_notebook()
    cell = new_code_cell("%aisec threats")
    if model is not None and not in_metadata:
        cell.outputs.append(new_output("display_data", data={
            "text/plain": "x", MIME_TYPE: make_fragment("threat_model", "threats", model)}))
    if model is not None and in_metadata:
        nb.metadata["aisec"] = {"schema_version": 1, "checks": {}, "monitors": {},
                                "threat_model": model, "model_card": None}
    nb.cells.append(cell)
    return write(nb, tmp_path / "work.ipynb")


def test_the_csv_opens_in_pandas_with_one_row_per_risk(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _model()
    path = _notebook(tmp_path, model)
    assert main(["threats", str(path)]) == 0
    text = capsys.readouterr().out
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert len(frame) == len(model["risks"])
    assert frame["risk_id"].is_unique
    row = frame.set_index("risk_id").loc["malicious-model-file"]
    assert (row["owner"], row["response"], row["status"], row["controls"],
            row["review_date"]) == ("ML lead", "mitigate", "mitigated",
                                    "scan, every file; load guard on", "2026-09-01")
    assert (row["inherent_severity"], row["residual_severity"]) == ("critical", "high")
    assert "DV1.1=yes" in row["answers"]
    custom = frame.set_index("risk_id").loc["custom-1"]
    assert custom["title"] == 'Labels from a "cheap" vendor, unvetted'
    assert custom["description"] == "line one\nline two"
    assert custom["custom"] == "yes"


def test_json_is_the_records_slice_and_markdown_a_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _model()
    path = _notebook(tmp_path, model, in_metadata=True)
    assert main(["threats", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == model
    assert main(["threats", str(path), "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# Threat model: work.ipynb\n")
    assert "| A model file runs code when it is loaded (`malicious-model-file`) | high (medium " \
           "× high) | critical | mitigated | ML lead | mitigate | 2026-09-01 |" in md
    assert "| DE3.6 | partial | scores are rounded, to 0.1 |" in md
    assert "## Not applicable to this profile" in md


def test_output_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _notebook(tmp_path, _model())
    out = tmp_path / "register.csv"
    assert main(["threats", str(path), "-o", str(out)]) == 0
    assert capsys.readouterr().err == f"aisec-nb threats: wrote {out}\n"
    assert len(pd.read_csv(out)) == len(_model()["risks"])


def test_a_notebook_without_a_threat_model_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _notebook(tmp_path, None)
    assert main(["threats", str(path)]) == 2
    assert "the notebook has no threat model (run %aisec threats in it" in capsys.readouterr().err
    assert main(["threats", str(tmp_path / "missing.ipynb")]) == 2
