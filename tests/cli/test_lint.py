"""aisec-nb lint: exit codes, locations and stale evidence, on real files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aisec_nb.cli import main
from aisec_nb.scan import scan_path
from tests.evidence import notebook_showing, write


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a model file and a notebook that checked it (relative path)."""
    (tmp_path / "model.bin").write_bytes(b"\x80\x04K\x01.")
    monkeypatch.chdir(tmp_path)
    result = scan_path("model.bin")
    write(notebook_showing(result, leading_markdown=2), tmp_path / "nb.ipynb")
    return tmp_path


def test_clean_notebook_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(project / "nb.ipynb")]) == 0
    assert capsys.readouterr().out.endswith("0 finding(s) in 1 notebook(s)\n")


def test_changed_file_is_stale_evidence_naming_the_cell(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (project / "model.bin").read_bytes()
    (project / "model.bin").write_bytes(original + b"tampered")
    assert main(["lint", str(project)]) == 1
    out = capsys.readouterr().out
    nb = str(project / "nb.ipynb")
    assert out.startswith(f"{nb}:cell 3: AISEC-L03 [high] stale evidence for model:model.bin: ")
    assert "model.bin changed since it was checked" in out

    (project / "model.bin").write_bytes(original)
    assert main(["lint", str(project)]) == 0


def test_stale_evidence_is_resolved_relative_to_the_notebook(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    os.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert main(["lint", str(project / "nb.ipynb")]) == 0
    (project / "model.bin").unlink()
    assert main(["lint", str(project / "nb.ipynb")]) == 1


def test_json_format_has_cell_and_ids(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "model.bin").write_bytes(b"other")
    assert main(["lint", "--format", "json", str(project / "nb.ipynb")]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 1
    [finding] = doc["findings"]
    assert finding["code"] == "AISEC-L03"
    assert finding["cell"] == 2  # 0-based: nb.cells[2], shown as "cell 3"
    assert finding["check_id"] == "model:model.bin"
    assert isinstance(finding["cell_id"], str)


def test_truncated_notebook_exits_2_and_others_are_still_linted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (project / "nb.ipynb").read_text()
    (project / "a_broken.ipynb").write_text(text[: len(text) // 2])
    (project / "model.bin").write_bytes(b"changed")
    assert main(["lint", str(project)]) == 2
    captured = capsys.readouterr()
    broken = str(project / "a_broken.ipynb")
    assert f"{broken}: error: not valid JSON" in captured.out
    assert "looks truncated" in captured.out
    assert f"{project / 'nb.ipynb'}:cell 3: AISEC-L03" in captured.out
    assert broken in captured.err


def test_checkpoints_are_skipped(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".ipynb_checkpoints").mkdir()
    (project / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_text("{")
    assert main(["lint", str(project)]) == 0


def test_failed_and_errored_checks_are_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.bin").write_bytes(b"x")
    base = scan_path(tmp_path / "m.bin")
    failed = base.model_copy(update={"id": "model:f", "verdict": "fail"})
    errored = base.model_copy(update={"id": "model:e", "verdict": "error"})
    write(notebook_showing(failed, errored, leading_markdown=0), tmp_path / "nb.ipynb")
    assert main(["lint", str(tmp_path / "nb.ipynb")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[1].split(" ")[0] for line in lines[:2]] == ["AISEC-L01", "AISEC-L02"]
    assert lines[0].startswith(f"{tmp_path / 'nb.ipynb'}:cell 1: AISEC-L01 [high] check model:f")
    assert lines[1].startswith(f"{tmp_path / 'nb.ipynb'}:cell 2: AISEC-L02 [medium] check model:e")
    assert main(["lint", "--ignore", "AISEC-L01", "--ignore", "AISEC-L02", str(tmp_path)]) == 0


def test_missing_path_and_bad_option_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(tmp_path / "nope.ipynb")]) == 2
    assert "nope.ipynb: error: no such file" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["lint", "--format", "xml", str(tmp_path)])
    assert info.value.code == 2
