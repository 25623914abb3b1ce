"""Reporters: SARIF 2.1.0 valid by its schema and on the right raw line, GitHub annotations
capped with a summary, text and JSON in the one location convention."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from aisec_nb.cli import main
from tests.lint.fixtures import expected_raw_line, notebook, write

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(notebook(
        "#md intro",
        "import torch\n\nstate = torch.load('w.pt')  # a comment\n%pip install pandas",
        "obj = pickle.loads(b)  # aisec: ignore[AISEC-CODE-001] bytes we made in cell 1",
    ), tmp_path / "nbs" / "train.ipynb")
    (tmp_path / "nbs" / "broken.ipynb").write_text("{")
    return tmp_path


def test_sarif_is_valid_and_lands_on_the_raw_line(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--format", "sarif", "nbs"]) == 2
    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    results = {(r["ruleId"], r["properties"].get("cell")): r for r in run["results"]}
    torch_load = results[("AISEC-CODE-001", 1)]
    physical = torch_load["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "nbs/train.ipynb"
    line = physical["region"]["startLine"]
    assert line == expected_raw_line(repo / "nbs" / "train.ipynb", 1, 3)
    raw = (repo / "nbs" / "train.ipynb").read_text().splitlines()[line - 1]
    assert raw.strip() == '"state = torch.load(\'w.pt\')  # a comment\\n",'
    assert torch_load["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "cell 2"
    assert torch_load["properties"]["cell_line"] == 3
    suppressed = results[("AISEC-CODE-001", 2)]
    assert suppressed["suppressions"] == [{"kind": "inSource",
                                           "justification": "bytes we made in cell 1"}]
    assert results[("AISEC-L00", None)]["level"] == "error"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "Guideline: Secure development: Secure your supply chain" in (
        rules["AISEC-CODE-001"]["help"]["text"])


def test_text_and_json_use_one_convention(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "nbs/train.ipynb"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("nbs/train.ipynb:cell 2:3:9: AISEC-CODE-001 [high] torch.load() with no "
                      "weights_only=True unpickles the file, which can run code")
    assert out[1] == "    state = torch.load('w.pt')  # a comment"
    assert out[-2] == ("nbs/train.ipynb:cell 3:1:7: AISEC-CODE-001 suppressed: bytes we made "
                       "in cell 1")
    assert out[-1] == "3 finding(s) in 1 notebook(s), 1 suppressed"
    assert main(["lint", "--format", "json", "nbs/train.ipynb"]) == 1
    doc = json.loads(capsys.readouterr().out)
    first = doc["findings"][0]
    assert (first["cell"], first["line"], first["column"]) == (1, 3, 9)
    assert first["raw_line"] == expected_raw_line(repo / "nbs" / "train.ipynb", 1, 3)
    assert doc["suppressed"][0]["reason"] == "bytes we made in cell 1"


def test_github_shows_ten_errors_and_summarises_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    write(notebook("\n".join(f"pickle.loads(b{i})" for i in range(14)),
                   "%pip install a\n%pip install b"), tmp_path / "many.ipynb")
    assert main(["lint", "--format", "github", "many.ipynb"]) == 1
    lines = capsys.readouterr().out.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(errors) == 10
    assert len(warnings) == 2
    first = expected_raw_line(tmp_path / "many.ipynb", 0, 1)
    assert errors[0] == (f"::error file=many.ipynb,line={first},"
                         "title=AISEC-CODE-001 A load that can run code (pickle%2C torch.load%2C "
                         "joblib%2C yaml.load%2C ...)::cell 1: pickle.loads() can run code stored "
                         "in the data it reads")
    assert lines[-1].startswith("::notice title=aisec-nb lint::4 more error(s) not annotated")
    text = summary.read_text()
    assert text.count("| AISEC-CODE-001 |") == 14
    assert "16 finding(s) in 1 notebook(s)" in text


def test_fail_on_and_the_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(notebook("%pip install pandas"), tmp_path / "nb.ipynb")  # one medium finding
    assert main(["lint", str(tmp_path)]) == 1
    assert main(["lint", "--fail-on", "high", str(tmp_path)]) == 0
    assert main(["lint", "--fail-on", "medium", str(tmp_path)]) == 1
    assert main(["lint", "--ignore", "aisec-code-007", str(tmp_path)]) == 0
    assert main(["lint", "--ignore", "AISEC-NOPE-1", str(tmp_path)]) == 2
    assert main(["lint", "--jobs", "0", str(tmp_path)]) == 2
    assert "unknown rule code 'AISEC-NOPE-1'" in capsys.readouterr().err


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(notebook("x = 1"), tmp_path / "nb.ipynb")
    target = tmp_path / "out.sarif"
    assert main(["lint", "--format", "sarif", "--output", str(target), str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(target.read_text()))
