"""%aisec check model in a real kernel: the report, the record, the progress bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec_nb.transport import MIME_TYPE
from tests.notebooks import execute, make_notebook, outputs_with
from tests.scan.corpus_formats import MARKER, evil_pickle, hf_snapshot, rezip, torch_state_dict


@pytest.mark.kernel
def test_report_record_and_progress(tmp_path: Path) -> None:
    rezip(torch_state_dict(tmp_path / "base.pt"), tmp_path / "evil.pt",
          {"base/data.pkl": evil_pickle(tmp_path)})
    hf_snapshot(tmp_path / "snap")
    (tmp_path / "big.json").write_text("[" + "1," * 100_000 + "1]")
    nb = make_notebook(
        "%load_ext aisec_nb",
        "%aisec check model evil.pt",
        "%aisec check model snap",
        "import aisec_nb.jupyter.check_model as cm\ncm.PROGRESS_FROM = 1\n"
        "%aisec check model big.json",
    )
    execute(nb, tmp_path)
    carried = dict(outputs_with(nb, MIME_TYPE))
    assert sorted(carried) == [1, 2, 3]

    evil = carried[1]["data"]
    assert evil[MIME_TYPE]["payload"]["verdict"] == "fail"
    html = evil["text/html"]
    for section in ("FAIL", "Model", "Hashes and signatures", "Policy", "Findings by severity",
                    "pytorch-zip", "os.system", "Members read from the archive (10)",
                    "base/data.pkl", "storages checked"):
        assert section in html
    assert "critical" in html

    snap = carried[2]["data"]
    payload = snap[MIME_TYPE]["payload"]
    assert payload["verdict"] == "pass"
    assert payload["target"]["kind"] == "directory"
    assert "root digest" in snap["text/html"] and "Files (9)" in snap["text/html"]

    big_outputs = nb.cells[3].outputs
    progress = [o for o in big_outputs
                if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
                or (o.get("name") == "stderr" and "scanning big.json" in o.get("text", ""))]
    assert progress, big_outputs
    assert not (tmp_path / MARKER).exists()
