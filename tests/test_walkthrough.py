"""example-notebooks/walkthrough.ipynb runs offline top to bottom and records evidence for the
guideline subsections the features built so far can serve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aisec_nb.lint import lint_notebook
from aisec_nb.rules import rules
from aisec_nb.serverext.handlers import CHECK_AREAS, MONITOR_AREA
from aisec_nb.sync import sync_notebook
from tests.notebooks import execute, save

WALKTHROUGH = Path(__file__).parents[1] / "example-notebooks" / "walkthrough.ipynb"


@pytest.mark.kernel
def test_walkthrough_runs_and_records_its_evidence(tmp_path: Path) -> None:
    import nbformat

    shutil.copy(WALKTHROUGH, tmp_path / "walkthrough.ipynb")
    nb = nbformat.read(str(tmp_path / "walkthrough.ipynb"), as_version=4)
    execute(nb, tmp_path, timeout=300)
    path = save(nb, tmp_path / "walkthrough.ipynb")
    assert sync_notebook(path)
    record = nbformat.read(str(path), as_version=4).metadata["aisec"]
    verdicts = {cid: c["verdict"] for cid, c in record["checks"].items()}
    assert verdicts == {
        "data:raw": "fail",
        "data:train": verdicts["data:train"],
        "model:churn_weights.npy": "pass",
        "model:churn_model.pkl": "pass",
        "model:downloaded_model.pkl": "fail",
        "guard:downloaded_model.pkl": "fail",
    }
    assert verdicts["data:train"] in ("pass", "warn")
    assert list(record["monitors"]) == ["monitor:train:live"]

    # The questionnaire step: answers from code; the download the guard refused is not held
    # against DV1.1's yes.
    threats = record["threat_model"]
    assert threats["profile"]["user_facing"] and threats["profile"]["personal_data"]
    assert threats["answers"]["DV1.1"]["evidence"]["status"] == "fresh"
    assert threats["answers"]["DV2.2"]["evidence"]["status"] == "fresh"
    risk = next(r for r in threats["risks"] if r["id"] == "malicious-model-file")
    assert (risk["owner"], risk["status"]) == ("ML lead", "mitigated")

    # The subsections with evidence, as the side panel counts them (rules of each check's area).
    areas = {CHECK_AREAS[c["kind"]] for c in record["checks"].values()} | {MONITOR_AREA}
    covered = {r.guideline for r in rules() if r.area in areas}
    assert len(covered) >= 7, covered

    codes = sorted(f.code for f in lint_notebook(path))
    assert codes.count("AISEC-L01") == 2
