"""Lint reporters: SARIF for code scanning and GitHub workflow annotations at the cell's line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisec_nb.cli import main
from aisec_nb.scan import scan_path
from tests.evidence import notebook_showing, write


@pytest.fixture()
def stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.bin").write_bytes(b"before")
    path = write(notebook_showing(scan_path("m.bin"), leading_markdown=1), tmp_path / "nb.ipynb")
    (tmp_path / "m.bin").write_bytes(b"after, 100%: changed")
    return path


def _line_of_cell(path: Path, index: int) -> int:
    """The raw line of the first source line of cell ``index``."""
    import json as _json

    import nbformat

    first = nbformat.read(str(path), as_version=4).cells[index].source.split("\n")[0]
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if _json.dumps(first)[:-1] in line)


def test_sarif_points_at_the_cell_line(stale: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--format", "sarif", str(stale)]) == 1
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "aisec-nb"
    assert "AISEC-L03" in {r["id"] for r in run["tool"]["driver"]["rules"]}
    [result] = run["results"]
    assert result["ruleId"] == "AISEC-L03"
    assert result["level"] == "error"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "nb.ipynb"  # relative to the working folder
    assert physical["region"]["startLine"] == _line_of_cell(stale, 1)
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "cell 2"


def test_github_annotations_escape_and_point_at_the_cell(
    stale: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    (tmp_path / "broken.ipynb").write_text("{")
    assert main(["lint", "--format", "github", str(tmp_path)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        f"::error file={tmp_path / 'nb.ipynb'},line={_line_of_cell(stale, 1)},"
        "title=AISEC-L03 Stale evidence::cell 2: stale evidence for model:m.bin"
    )
    assert lines[1].startswith(f"::error file={tmp_path / 'broken.ipynb'},line=1,title=AISEC-L00::")
    assert "AISEC-L03" in summary.read_text()


def test_cell_line_is_where_the_cell_starts() -> None:
    from aisec_nb.lint.locate import cell_line

    text = '{\n "cells": [\n  {\n   "cell_type": "markdown"\n  },\n  {\n   "cell_type": "code"\n'
    assert cell_line(text, 1, None) == 6
    assert cell_line(text, 5, None) == 1
    assert cell_line(text, 0, "missing-id") == 3
