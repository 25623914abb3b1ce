"""Lint rules over recorded evidence: stale folders and file-backed DataFrames too."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec_nb.lint import lint_notebook
from aisec_nb.record import CheckResult, Target, ToolInfo, utc_now
from aisec_nb.scan import scan_path
from tests.evidence import notebook_showing, write


def test_folder_evidence_goes_stale_when_a_file_in_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / "config.json").write_text('{"model_type": "bert"}')
    (snapshot / "weights.bin").write_bytes(b"\x80\x04K\x01.")
    result = scan_path("snapshot")
    assert result.target.kind == "directory"
    nb = write(notebook_showing(result, leading_markdown=0), tmp_path / "nb.ipynb")
    assert lint_notebook(nb) == []

    (snapshot / "config.json").write_text('{"model_type": "gpt2"}')
    [finding] = lint_notebook(nb)
    assert (finding.code, finding.cell) == ("AISEC-L03", 0)
    assert "snapshot changed since it was checked" in finding.message


def test_dataframe_with_a_source_file_goes_stale(tmp_path: Path) -> None:
    source = tmp_path / "train.csv"
    source.write_text("a,b\n1,2\n")
    import hashlib

    check = CheckResult(
        id="data:train",
        kind="data",
        target=Target(
            kind="dataframe",
            name="train",
            shape=(1, 2),
            content_hash="f" * 64,
            path="train.csv",
            sha256=hashlib.sha256(source.read_bytes()).hexdigest(),
        ),
        verdict="pass",
        tool=ToolInfo(name="aisec-nb", version="0"),
        started_at=utc_now(),
        duration_s=0.0,
        recorded_at=utc_now(),
    )
    nb = write(notebook_showing(check), tmp_path / "nb.ipynb")
    assert lint_notebook(nb) == []
    source.write_text("a,b\n1,3\n")
    assert [f.code for f in lint_notebook(nb)] == ["AISEC-L03"]
    assert lint_notebook(nb, ignore=frozenset({"AISEC-L03"})) == []


def test_dataframe_without_source_is_never_stale(tmp_path: Path) -> None:
    check = CheckResult(
        id="data:df",
        kind="data",
        target=Target(kind="dataframe", name="df", shape=(3, 1), content_hash="0" * 64),
        verdict="pass",
        tool=ToolInfo(name="aisec-nb", version="0"),
        started_at=utc_now(),
        duration_s=0.0,
        recorded_at=utc_now(),
    )
    assert lint_notebook(write(notebook_showing(check), tmp_path / "nb.ipynb")) == []
