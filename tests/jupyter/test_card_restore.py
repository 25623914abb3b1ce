"""End to end in real kernels: a notebook runs a model check, a data check and ``%aisec card``;
it is saved and synced; a fresh kernel re-executes it with the card cell reduced to a bare
``%aisec card`` and gets the card back from the saved notebook; every format exports."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from aisec_nb.cli import main
from aisec_nb.sync import sync_notebook
from aisec_nb.transport import MIME_TYPE, read_record
from tests.notebooks import execute, make_notebook, outputs_with, save

SETUP = """\
import numpy as np, pandas as pd
np.save("churn_weights.npy", np.arange(12.0))
train = pd.DataFrame({"tenure": range(50), "churned": [i % 2 for i in range(50)]})
answers = {
    "version": "1.0", "summary": "Churn model for the walkthrough.",
    "owners": [{"name": "DS team", "contact": "ds@example.org"}],
    "security_contact": "security@example.org", "license": "mit",
    "task": "tabular-classification", "architecture": {"family": "linear model"},
    "library": [{"name": "numpy", "version": np.__version__}],
    "intended_uses": ["retention calls"], "out_of_scope_uses": ["credit decisions"],
    "limitations": ["one country"], "failure_modes": ["tariff changes"],
    "retention_time": "P2Y", "review_frequency": "P6M", "last_reviewed": "2026-06-01",
    "threat_model": {"reference": "threats.md"},
    "download_location": "https://example.org/churn", "release_time": "2026-06-02",
}
scores = {"accuracy": 0.91, "f1": 0.87}
"""


@pytest.mark.kernel
def test_card_survives_sync_restart_and_exports(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "card.ipynb"
    # Without the JupyterLab extension the kernel reads the saved notebook file (frontend.py);
    # jupyter_server names it in JPY_SESSION_NAME, as here.
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    nb = make_notebook(
        "%load_ext aisec_nb",
        SETUP,
        "%aisec check model churn_weights.npy",
        "%aisec check data train --role training --label churned",
        "%aisec card --name churn --model churn_weights.npy --fields answers --metrics scores",
    )
    execute(nb, tmp_path)
    first = [o["data"][MIME_TYPE]["payload"] for _, o in outputs_with(nb, MIME_TYPE)
             if o["data"][MIME_TYPE]["kind"] == "model_card"]
    assert first and first[-1]["complete"], first[-1].get("missing")
    save(nb, path)
    assert sync_notebook(path)
    saved = nbformat.read(str(path), as_version=4)
    card = saved.metadata["aisec"]["model_card"]
    assert card["name"] == "churn" and card["fields"]["artifacts"]["source"] == \
        "check:model:churn_weights.npy"
    assert card["fields"]["datasets"]["value"][0]["role"] == "training"

    # A restart: a fresh kernel runs the notebook again, the card cell no longer says anything.
    again = nbformat.read(str(path), as_version=4)
    again.cells[-1].source = "%aisec card"
    execute(again, tmp_path)
    restored = [o["data"][MIME_TYPE]["payload"] for _, o in outputs_with(again, MIME_TYPE)
                if o["data"][MIME_TYPE]["kind"] == "model_card"][-1]
    assert restored["name"] == "churn"
    assert restored["fields"]["retention_time"] == {"value": "P2Y", "source": "user"}
    assert restored["fields"]["metrics"]["value"] == [{"type": "accuracy", "value": 0.91},
                                                      {"type": "f1", "value": 0.87}]
    assert restored["complete"], restored.get("missing")
    save(again, path)
    sync_notebook(path)
    merged = read_record(nbformat.read(str(path), as_version=4)).record["model_card"]
    assert merged["recorded_at"] == restored["recorded_at"]

    for fmt in ("hf", "cyclonedx", "spdx", "html"):
        out = tmp_path / f"export.{fmt}"
        assert main(["card", str(path), "--format", fmt, "-o", str(out), "--strict"]) == 0
        assert out.stat().st_size > 500
    bom = json.loads((tmp_path / "export.cyclonedx").read_text())
    assert bom["metadata"]["component"]["name"] == "churn"
